"""Progress survives a restart: check() and quizzes record into a JSON file, safely, and a table shows it."""
import json
import multiprocessing
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from helpers import checks, course, progress
from helpers.checks import cell as check_cell
from helpers import quiz as qz
from helpers.exercises import EXERCISES

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A fresh progress file of this test's own; problems are said afresh."""
    path = tmp_path / "progress.json"
    monkeypatch.setenv(progress.ENV, str(path))
    monkeypatch.setattr(progress, "_said", set())
    monkeypatch.setattr(check_cell, "_said", set())
    monkeypatch.setattr(qz, "_said", set())
    return path


def _saved(path):
    return json.loads(path.read_text(encoding="utf-8"))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_the_tests_never_write_to_the_real_home():
    path = pathlib.Path(os.environ[progress.ENV])                   # set by conftest.py
    assert pathlib.Path.home() not in path.parents


def test_the_default_file_is_in_the_home_folder(monkeypatch):
    monkeypatch.delenv(progress.ENV)
    assert progress.progress_path() == pathlib.Path.home() / ".rnn_course_progress.json"


def test_check_records_each_verdict_and_keeps_the_best(store, capsys):
    def stub(z):
        raise NotImplementedError

    checks.check("softmax", stub, widgets=False)
    assert _saved(store)["exercises"]["softmax|numpy"]["status"] == "not attempted"
    checks.check("softmax", lambda z: z, widgets=False)
    assert _saved(store)["exercises"]["softmax|numpy"]["status"] == "wrong"
    checks.check("softmax", softmax, widgets=False)
    checks.check("softmax", lambda z: z, widgets=False)              # worse again: the best is kept
    entry = _saved(store)["exercises"]["softmax|numpy"]
    assert entry["exercise"] == "softmax" and entry["framework"] == "numpy"
    assert entry["status"] == "correct" and entry["last"] == "wrong" and entry["attempts"] == 4
    assert entry["time"] >= entry["solved"] and "T" in entry["time"]
    checks.check("rnn_step", lambda *a: 0, "pt", widgets=False)       # the framework as check() normalised it
    assert _saved(store)["exercises"]["rnn_step|torch"]["status"] == "wrong"
    out = capsys.readouterr().out
    assert "progress" not in out.lower()                              # saving is silent when it works


def test_a_quiz_click_records_the_score_and_each_question(store):
    quiz = qz.Quiz("01_from_ffn_to_rnn", "closing", framework="torch")
    assert not store.exists()                                         # showing a quiz records nothing
    first, second = quiz.questions[:2]
    for question, right in ((first, True), (second, False)):
        q = question.q
        if q["type"] == "single":
            question.input.value = next(i for i, o in enumerate(q["options"]) if o["correct"] is right)
        elif q["type"] == "multiple":
            for i, box in enumerate(question.boxes):
                box.value = q["options"][i]["correct"] is right
        else:
            question.input.value = str(q["answer"] if right else q["answer"] + 1000)
        question.button.click()
    entry = _saved(store)["quizzes"]["01_from_ffn_to_rnn|closing|torch"]
    assert entry["topic"] == "01_from_ffn_to_rnn" and entry["part"] == "closing" and entry["framework"] == "torch"
    assert entry["right"] == 1 and entry["total"] == len(quiz.questions)
    assert entry["questions"][first.q["id"]] is True and entry["questions"][second.q["id"]] is False
    assert all(entry["questions"][q.q["id"]] is None for q in quiz.questions[2:])
    again = qz.Quiz("01_from_ffn_to_rnn", "closing", framework="torch")   # after a restart: a wrong answer
    assert again.questions[0].kind == "single"
    again.questions[0].input.value = next(i for i, o in enumerate(first.q["options"]) if not o["correct"])
    again.questions[0].button.click()
    entry = _saved(store)["quizzes"]["01_from_ffn_to_rnn|closing|torch"]
    assert entry["questions"][first.q["id"]] is True and entry["right"] == 1      # the best is kept
    quiz0 = qz.Quiz("00_start_here", "warmup")                            # no framework: stored as "any"
    quiz0.questions[0].input.value = 0
    quiz0.questions[0].button.click()
    assert "00_start_here|warmup|any" in _saved(store)["quizzes"]


def _writer(path, name, n, start):
    os.environ[progress.ENV] = path
    start.wait(30)
    for i in range(n):
        assert progress.record_exercise(f"{name}-{i}", "numpy", "wrong")
        assert progress.record_exercise("shared", "numpy", "correct" if i == n - 1 else "wrong")


def test_two_kernels_writing_at_once_lose_nothing(store):
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=_writer, args=(str(store), name, 50, start)) for name in ("a", "b")]
    for w in workers:
        w.start()
    start.set()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    saved = _saved(store)["exercises"]
    assert {f"{n}-{i}|numpy" for n in "ab" for i in range(50)} <= set(saved)
    assert saved["shared|numpy"]["attempts"] == 100 and saved["shared|numpy"]["status"] == "correct"
    assert [p.name for p in store.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("content", [b"{not json", b"", b"[1, 2]", b'{"exercises": []}', b"\xff\xfe\x00"])
def test_a_corrupt_file_is_set_aside_once_and_recording_goes_on(store, capsys, content):
    store.write_bytes(content)
    assert progress.record_exercise("softmax", "numpy", "correct")
    out = capsys.readouterr().out
    aside = list(store.parent.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert len(out.splitlines()) == 1 and "set aside" in out and aside[0].name in out
    assert _saved(store)["exercises"]["softmax|numpy"]["status"] == "correct"
    store.write_bytes(content)                                        # corrupt again: set aside, said once
    assert progress.record_exercise("rnn_step", "torch", "wrong")
    assert capsys.readouterr().out == "" and len(list(store.parent.glob("progress.json.corrupt-*"))) == 2
    assert set(_saved(store)["exercises"]) == {"rnn_step|torch"}


def test_a_corrupt_file_never_breaks_a_check_or_the_table(store, capsys):
    store.write_text("{oops")
    assert progress.rows()[0]["solved"] == 0                          # read (and set aside) without raising
    checks.check("softmax", softmax, widgets=False)
    out = capsys.readouterr().out
    assert "✅ Correct!" in out and out.count("set aside") == 1
    assert progress.rows()[0]["solved"] == 1


def test_a_folder_that_cannot_be_written_saves_nothing_says_so_once_and_never_raises(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(progress, "_said", set())
    monkeypatch.setattr(check_cell, "_said", set())
    a_file = tmp_path / "not_a_folder"
    a_file.write_text("x")
    monkeypatch.setenv(progress.ENV, str(a_file / "progress.json"))    # root can write anywhere, but not under a file
    assert progress.record_exercise("softmax", "numpy", "correct") is False
    assert progress.record_quiz("00_start_here", "warmup", None, {"00.x": True}) is False
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1 and "not being saved" in out and progress.ENV in out
    checks.check("softmax", softmax, widgets=False)                   # the check itself is untouched
    assert capsys.readouterr().out == "✅ Correct! `softmax` matches the reference on all 3 test cases.\n"
    assert progress.rows()[0]["solved"] == 0 and "0 / 1" in progress.progress_table("text")


def test_a_failed_replace_leaves_the_old_file_and_no_temporary_file(store, monkeypatch, capsys):
    assert progress.record_exercise("softmax", "numpy", "wrong")
    before = store.read_bytes()

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    assert progress.record_exercise("softmax", "numpy", "correct") is False
    assert progress.record_exercise("softmax", "numpy", "correct") is False
    out = capsys.readouterr().out
    assert out.count("not being saved") == 1 and "Permission denied" in out
    assert store.read_bytes() == before
    assert sorted(p.name for p in store.parent.iterdir()) == ["progress.json", "progress.json.lock"]


def test_a_quiz_shows_a_failed_save_under_its_score(tmp_path, monkeypatch):
    monkeypatch.setattr(progress, "_said", set())
    a_file = tmp_path / "f"
    a_file.write_text("x")
    monkeypatch.setenv(progress.ENV, str(a_file / "p.json"))
    quiz = qz.Quiz("00_start_here", "warmup")
    question = quiz.questions[0]
    assert question.kind == "single"
    question.input.value = 0
    question.button.click()
    assert "not being saved" in quiz.score.value and "Score:" in quiz.score.value


def test_recording_never_raises_even_when_the_store_is_broken(store, monkeypatch, capsys):
    monkeypatch.setattr(progress, "_write", lambda path, data: 1 / 0)
    assert progress.record_exercise("softmax", "numpy", "correct") is False
    monkeypatch.setattr(progress, "record_exercise", lambda *a, **k: 1 / 0)
    checks.check("softmax", softmax, widgets=False)
    checks.check("softmax", softmax, widgets=False)
    out = capsys.readouterr().out
    assert out.count("✅ Correct!") == 2 and out.count("could not be saved") == 1


# --------------------------------------------------------------------------- the table
def _topic_of(exercise_id):
    return next(name[len("helpers.exercises.ex"):] for name, mod in sys.modules.items()
                if name.startswith("helpers.exercises.ex") and any(e.id == exercise_id for e in mod.EXERCISES))


def test_the_totals_come_from_the_exercises_and_the_quiz_banks(store):
    table = progress.rows()
    for row in table:
        mine = [e for e in EXERCISES.values() if _topic_of(e.id) == row["topic"] and row["framework"] in e.solutions]
        assert row["total"] == len(mine) and row["solved"] == 0, row
        bank = next(qz.BANKS.glob(f"{row['topic']}_*.json")).stem
        framework = None if row["framework"] == "numpy" else row["framework"]   # 00, appendices
        for score in row["quizzes"]:
            assert score["total"] == len(qz.Quiz(bank, score["part"], framework).questions)
            assert score["right"] == 0 and not score["taken"]
    assert {r["notebook"] for r in table} == {"00_start_here.ipynb"} | {
        p.name for p in (ROOT / "notebooks").glob("0[1-9]_*.ipynb")}
    # an exercise counts twice in a pair of notebooks, once in 00 and in an appendix (one notebook)
    single = {"00"} | {number for number, _, _ in course.APPENDICES}
    assert sum(r["total"] for r in table) == sum(
        1 if _topic_of(e.id) in single else 2 for e in EXERCISES.values())


def test_the_table_in_text_markdown_and_html(store):
    progress.record_exercise("softmax", "numpy", "correct")
    progress.record_exercise("rnn_step", "torch", "correct")
    progress.record_exercise("rnn_forward", "torch", "wrong")
    progress.record_exercise("rnn_step", "tensorflow", "not attempted")
    progress.record_quiz("01_from_ffn_to_rnn", "warmup", "torch", {"01.x": True})   # ids not in the bank: ignored
    warmup = [q["id"] for q in qz.load_bank("01_from_ffn_to_rnn")["parts"]["warmup"]["questions"]]
    progress.record_quiz("01_from_ffn_to_rnn", "warmup", "torch", {warmup[0]: True, warmup[1]: False})
    row = next(r for r in progress.rows() if r["topic"] == "01" and r["framework"] == "torch")
    assert (row["solved"], row["total"], row["tried"]) == (2 - 1, 3, 2)
    assert row["quizzes"][0] == {"part": "warmup", "right": 1, "total": len(warmup), "taken": True}

    text = progress.progress_table("text")
    lines = text.splitlines()
    torch_line = next(line for line in lines if "01_from_ffn_to_rnn_pytorch.ipynb" in line)
    assert "PyTorch" in torch_line and "1 / 3" in torch_line and f"warmup 1/{len(warmup)}" in torch_line
    assert "closing -/" in torch_line and "notebooks/01_from_ffn_to_rnn_pytorch.ipynb" in torch_line
    assert "1 / 1" in next(line for line in lines if "00_start_here" in line)
    assert "<" not in text and "](" not in text and lines[-1].startswith("Exercises solved: 2 / ")

    html = progress.progress_table("html")
    assert html.startswith("<table>") and "<a href='01_from_ffn_to_rnn_pytorch.ipynb'" in html
    assert "colab.research.google.com" in html and f"warmup 1/{len(warmup)}" in html
    md = progress.progress_table("markdown")
    assert "[01_from_ffn_to_rnn_pytorch.ipynb](01_from_ffn_to_rnn_pytorch.ipynb)" in md
    assert md.splitlines()[1].startswith("|---|")
    with pytest.raises(ValueError):
        progress.progress_table("latex")


def test_show_progress_displays_html_with_the_colab_note(store, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.append((objs, kw)))
    progress.record_exercise("softmax", "numpy", "correct")
    progress.show_progress()
    [((bundle,), kw)] = shown
    assert kw.get("raw") is True
    assert "<table>" in bundle["text/html"] and progress.COLAB_NOTE in bundle["text/html"]
    assert str(store) in bundle["text/html"] and progress.COLAB_NOTE in bundle["text/plain"]
    assert "1 / 1" in bundle["text/plain"]


def test_the_table_prints_in_a_terminal(store):
    progress.record_exercise("softmax", "numpy", "correct")
    run = subprocess.run([sys.executable, "-m", "helpers.progress"], capture_output=True, text=True, cwd=ROOT,
                         timeout=120, env={**os.environ, progress.ENV: str(store)})
    assert run.returncode == 0, run.stderr[-2000:]
    assert "notebooks/00_start_here.ipynb" in run.stdout and "1 / 1" in run.stdout
    assert str(store) in run.stdout and "<" not in run.stdout
