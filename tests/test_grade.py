"""python -m helpers.grade on the synthetic class (tools/make_synthetic_class.py): the
exact CSV, within a stated time, on two workers; the committed class is what the
generator writes; progress exports are read as self-reported quiz scores."""
import csv
import filecmp
import json
import os
import pathlib
import subprocess
import sys
import time

from helpers import grade, progress

ROOT = pathlib.Path(__file__).resolve().parents[1]
CLASS = ROOT / "tests" / "data" / "synthetic_class"
# 21 notebooks on 2 workers: see the README ("Teaching with this course") for the times
# measured. The bound catches a hang or a limit that no longer holds, not slowness.
BATCH_SECONDS = 300


def _without_seconds(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: v for k, v in row.items() if k != "seconds"}
                for row in csv.DictReader(f)]


def test_the_committed_class_is_what_the_generator_writes(tmp_path):
    script = ROOT / "tools" / "make_synthetic_class.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(CLASS) for p in CLASS.rglob("*") if p.is_file())
    assert made == committed
    assert all(filecmp.cmp(tmp_path / p, CLASS / p, shallow=False) for p in made)


def test_the_grader_writes_the_expected_csv_for_the_synthetic_class(tmp_path):
    out, feedback = tmp_path / "grades.csv", tmp_path / "feedback"
    command = [sys.executable, "-m", "helpers.grade", str(CLASS / "submissions"),
               "--out", str(out), "--feedback", str(feedback), "--jobs", "2",
               "--id-pattern", "^([^_]+)_", "--cell-timeout", "5", "--timeout", "120"]
    start = time.monotonic()
    subprocess.run(command, check=True, cwd=tmp_path,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    took = time.monotonic() - start
    assert _without_seconds(out) == _without_seconds(CLASS / "expected.csv")
    assert took < BATCH_SECONDS, f"the synthetic class took {took:.0f} s"
    with open(out, newline="", encoding="utf-8") as f:
        graded = [r for r in csv.DictReader(f)
                  if r["status"] in ("correct", "not yet", "not attempted")]
    assert graded and all(float(r["seconds"]) >= 0 for r in graded)
    text = (feedback / "partly-pt.md").read_text(encoding="utf-8")
    # the verdict as the check cell prints it
    assert "❌ **rnn_step** (not yet): Not yet. Hint: Apply tanh" in text
    assert "More help: Hint 1 of" in text
    assert "✅ **rnn_forward**" in text


def test_recognition_does_not_depend_on_the_file_name():
    books = grade.course_notebooks()
    for name, expected in (
            ("partly-pt_week02.ipynb", "02_training_rnns_pytorch.ipynb"),
            ("partly-tf_week01.ipynb", "01_from_ffn_to_rnn_tensorflow.ipynb")):
        text = (CLASS / "submissions" / name).read_text(encoding="utf-8")
        cells = grade._code_cells(json.loads(text))
        assert grade.recognise(cells, "renamed.ipynb", books).name == expected


def test_learner_ids_from_a_pattern():
    assert grade.learner_id("ada_week01.ipynb", None) == "ada_week01"
    assert grade.learner_id("ada_week01.ipynb", r"^([^_]+)_") == "ada"
    assert grade.learner_id("x-ada-01.ipynb", r"-(?P<id>[a-z]+)-") == "ada"


def test_a_progress_export_gives_self_reported_quiz_scores(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_COURSE_PROGRESS", str(tmp_path / "progress.json"))
    progress.record_quiz("02_training_rnns", "warmup", "tensorflow",
                         {"a": True, "b": None, "c": True}, answers={"a": 1})
    progress.record_exercise("rnn_step", "tensorflow", "correct")
    export = tmp_path / "ada_progress.json"
    assert progress.main(["--export", str(export)]) == 0
    exported = json.loads(export.read_text())
    assert "answers" not in json.dumps(exported["quizzes"])         # scores, not answers
    assert exported["exercises"]["rnn_step|tensorflow"]["status"] == "correct"
    rows = grade.grade_all([str(export)], None, id_pattern=r"^([^_]+)_")
    assert [(r["learner"], r["exercise"], r["status"], r["note"]) for r in rows] == [
        ("ada", "quiz 02_training_rnns warmup", "2 of 3 right", grade.SELF_REPORTED)]
