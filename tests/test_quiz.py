"""Quiz banks are valid and the widgets give the right feedback when driven like a learner would."""
import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from helpers import quiz as qz

BANKS = sorted(p.stem for p in qz.BANKS.glob("*.json"))
KEY = {k: v for k, v in json.loads((pathlib.Path(__file__).parent / "quiz_answer_key.json").read_text()).items()
       if not k.startswith("_")}
ALL_QUESTIONS = [(topic, part, q) for topic in BANKS
                 for part, spec in qz.load_bank(topic)["parts"].items() for q in spec["questions"]]
ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_every_bank_is_valid_and_ids_are_unique_across_banks():
    ids = []
    for topic in BANKS:
        bank = json.loads((qz.BANKS / f"{topic}.json").read_text(encoding="utf-8"))
        assert qz.validate_bank(bank) == [], topic
        ids += [q["id"] for part in bank["parts"].values() for q in part["questions"]]
    assert len(ids) == len(set(ids))


def test_answer_key_matches_every_bank():
    """The banks' correct flags / numeric answers agree with the separate answer sheet, question by question."""
    seen = set()
    for _, _, q in ALL_QUESTIONS:
        assert q["id"] in KEY, f"{q['id']} missing from tests/quiz_answer_key.json"
        seen.add(q["id"])
        if q["type"] == "numeric":
            assert q["answer"] == KEY[q["id"]], q["id"]
        else:
            assert [i for i, o in enumerate(q["options"]) if o["correct"]] == KEY[q["id"]], q["id"]
    assert seen == set(KEY), f"answer key has unknown ids: {set(KEY) - seen}"


def test_validator_catches_broken_banks():
    good = {"id": "x", "type": "single", "prompt": "p",
            "options": [{"text": "a", "correct": True, "explain": "e"}, {"text": "b", "correct": False, "explain": "e"}]}
    bad_cases = {
        "two correct": {**good, "options": [{**o, "correct": True} for o in good["options"]]},
        "missing explanation": {**good, "options": [good["options"][0], {"text": "b", "correct": False}]},
        "all correct multiple": {**good, "type": "multiple", "options": [{**o, "correct": True} for o in good["options"]]},
        "numeric without answer": {"id": "x", "type": "numeric", "prompt": "p", "explain": "e", "wrong_explain": "w"},
        "unknown type": {**good, "type": "essay"},
    }
    for name, q in bad_cases.items():
        assert qz.validate_bank({"parts": {"p": {"questions": [q]}}}), name
    dup = {"parts": {"a": {"questions": [good]}, "b": {"questions": [good]}}}
    assert any("duplicate" in p for p in qz.validate_bank(dup))


def _right_and_wrong(q):
    if q["type"] == "single":
        right = next(i for i, o in enumerate(q["options"]) if o["correct"])
        wrong = next(i for i, o in enumerate(q["options"]) if not o["correct"])
        return right, wrong
    if q["type"] == "multiple":
        right = {i for i, o in enumerate(q["options"]) if o["correct"]}
        return right, right ^ {next(i for i, o in enumerate(q["options"]) if not o["correct"])}
    return str(q["answer"]), str(q["answer"] + max(1, abs(q["answer"])) * 7 + 0.5)


def _enter(question, answer):
    if question.kind == "single":
        question.input.value = answer
    elif question.kind == "multiple":
        for i, box in enumerate(question.boxes):
            box.value = i in answer
    else:
        question.input.value = answer


@pytest.mark.parametrize("topic,part,q", ALL_QUESTIONS, ids=[q["id"] for _, _, q in ALL_QUESTIONS])
def test_widget_feedback_for_right_wrong_and_empty_answers(topic, part, q):
    frameworks = q.get("frameworks", [None])
    quiz = qz.Quiz(topic, part, framework=frameworks[0])
    question = next(x for x in quiz.questions if x.q["id"] == q["id"])
    n = len(quiz.questions)

    question.button.click()                                   # nothing entered yet
    assert "✋" in question.feedback.value and "first" in question.feedback.value
    assert question.correct is None and f"Score: 0 / {n}" in quiz.score.value

    right, wrong = _right_and_wrong(q)
    _enter(question, wrong)
    question.button.click()
    assert "❌ Not quite." in question.feedback.value and question.correct is False
    if q["type"] == "single":
        assert q["options"][wrong]["explain"] in question.feedback.value
    assert f"Score: 0 / {n} correct</b> (1 checked" in quiz.score.value

    _enter(question, right)
    question.button.click()
    assert "✅ Correct." in question.feedback.value and question.correct is True
    assert f"Score: 1 / {n} correct" in quiz.score.value


def test_numeric_answers_parse_like_a_person_types_them():
    assert qz.parse_number(" 655,360 ") == 655360 and qz.parse_number("1e-3") == 0.001
    assert qz.parse_number("") is None and qz.parse_number("twelve") is None and qz.parse_number("nan") is None
    quiz = qz.Quiz("01_from_ffn_to_rnn", "closing", framework="tensorflow")
    question = next(x for x in quiz.questions if x.q["id"] == "01.params-tf")
    for text, expected in [("six hundred", "is not a number"), ("640", "single bias"), ("620", "✅ Correct.")]:
        question.input.value = text
        question.button.click()
        assert expected in question.feedback.value, text


def test_framework_specific_questions_are_filtered():
    torch_ids = {q.q["id"] for q in qz.Quiz("01_from_ffn_to_rnn", "closing", "torch").questions}
    tf_ids = {q.q["id"] for q in qz.Quiz("01_from_ffn_to_rnn", "closing", "tensorflow").questions}
    assert "01.params-torch" in torch_ids - tf_ids and "01.params-tf" in tf_ids - torch_ids


def test_unknown_bank_or_part_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="No quiz bank"):
        qz.Quiz("99_nothing", "warmup")
    with pytest.raises(KeyError, match="no part"):
        qz.Quiz("01_from_ffn_to_rnn", "final")


IPYWIDGETS_7_SCRIPT = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    import ipywidgets
    assert ipywidgets.__version__ == "7.7.1", ipywidgets.__version__
    from helpers import quiz as qz, checks
    n = 0
    for path in sorted(qz.BANKS.glob("*.json")):
        bank = qz.load_bank(path.stem)
        for part in bank["parts"]:
            for fw in ("torch", "tensorflow"):
                quiz = qz.Quiz(path.stem, part, framework=fw)
                for q in quiz.questions:
                    q.button.click()
                    assert "first" in q.feedback.value, q.feedback.value
                    if q.kind == "single":
                        right = next(i for i, o in enumerate(q.q["options"]) if o["correct"])
                        q.input.value = right
                    elif q.kind == "multiple":
                        for i, box in enumerate(q.boxes):
                            box.value = q.q["options"][i]["correct"]
                    else:
                        q.input.value = str(q.q["answer"])
                    q.button.click()
                    assert "Correct" in q.feedback.value, (q.q["id"], q.feedback.value)
                    n += 1
                assert f"Score: {len(quiz.questions)} / {len(quiz.questions)}" in quiz.score.value
    box = checks.HelpBox("softmax")
    box.hint_button.click(); box.solution_button.click()
    assert "np.exp" in box.text.value
    print("ok", n)
""")


def test_quizzes_and_hint_buttons_work_with_colab_ipywidgets_7_7_1(tmp_path):
    """A throwaway virtual environment with Colab's ipywidgets 7.7.1 (no torch or TensorFlow needed)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    pip = subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                          "ipywidgets==7.7.1", "numpy"], capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-2000:]
    script = tmp_path / "drive.py"
    script.write_text(IPYWIDGETS_7_SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([str(py), str(script), str(ROOT)], capture_output=True, text=True, timeout=300,
                         env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("ok ") and int(run.stdout.split()[1]) >= len(ALL_QUESTIONS)
