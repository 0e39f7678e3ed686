"""The self-checks are real: references pass, known wrong answers fail with the intended hint,
and nothing a learner does (raise, return junk, print) escapes as a traceback."""
import importlib
import pathlib

import numpy as np
import pytest

from conftest import load_function
from helpers import checks
from helpers.checks import CORRECT, NOT_ATTEMPTED, WRONG, grade
from helpers.exercises import EXERCISES

CATALOGUES = sorted(p.stem for p in pathlib.Path(__file__).parent.glob("wrong_answers_*.py"))
CATALOGUE = [row for name in CATALOGUES for row in importlib.import_module(name).CATALOGUE]
REFERENCE_CASES = [(eid, fw) for eid, ex in EXERCISES.items() for fw in ex.solutions]
GENERIC = {"exception", "shape", "arity", "type", "none", "values"}


@pytest.mark.parametrize("exercise_id,framework", REFERENCE_CASES)
def test_reference_solution_passes(exercise_id, framework):
    ex = EXERCISES[exercise_id]
    fn = load_function(ex.solutions[framework], framework)
    verdict = grade(ex, fn, framework)
    assert verdict.status == CORRECT, str(verdict)


@pytest.mark.parametrize("exercise_id,framework,reason,source", CATALOGUE,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}-{i}" for i, r in enumerate(CATALOGUE)])
def test_wrong_answer_gets_intended_hint(exercise_id, framework, reason, source):
    ex = EXERCISES[exercise_id]
    verdict = grade(ex, load_function(source, framework), framework)
    assert verdict.status == WRONG, str(verdict)
    assert verdict.reason == reason, str(verdict)
    if reason == "exception":
        assert ex.error_hint in verdict.message
    elif reason not in GENERIC:
        hints = [m.hint_for(framework) for m in ex.mistakes if m.name == reason]
        assert any(h in verdict.message for h in hints), str(verdict)
    assert "\n" not in verdict.message and "Traceback" not in verdict.message


def test_every_coding_exercise_has_five_distinct_wrong_answers_per_framework():
    for eid, ex in EXERCISES.items():
        for fw in ex.solutions:
            if fw == "numpy" and set(ex.solutions) != {"numpy"}:
                continue          # NumPy solutions of framework exercises are for maintainers only
            reasons = {r for e, f, r, _ in CATALOGUE if e == eid and f == fw}
            assert len(reasons) >= 5, f"{eid}/{fw}: only {sorted(reasons)}"


def test_every_exercise_has_progressive_hints_and_known_mistakes():
    for eid, ex in EXERCISES.items():
        assert len(ex.hints) >= 2, eid
        assert len({m.name for m in ex.mistakes}) >= 3, eid
        assert ex.cases, eid


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_stub_is_not_attempted(exercise_id):
    def stub(*args):
        raise NotImplementedError

    for fw in EXERCISES[exercise_id].solutions:
        assert grade(EXERCISES[exercise_id], stub, fw).status == NOT_ATTEMPTED


@pytest.mark.parametrize("answer,reason", [
    (None, "not-callable"),
    (42, "not-callable"),
    (lambda *a: 1 / 0, "exception"),
    (lambda *a: None, "none"),
    (lambda *a: "hello", "type"),
])
def test_bad_learner_input_gets_one_friendly_line(answer, reason):
    for eid in EXERCISES:
        fw = next(iter(EXERCISES[eid].solutions))
        verdict = grade(EXERCISES[eid], answer, fw)
        allowed = {reason, "arity"} if reason == "type" else {reason}     # a str is not a pair either
        assert verdict.status == WRONG and verdict.reason in allowed, (eid, str(verdict))
        assert "\n" not in str(verdict)


def test_exception_names_the_learners_line():
    src = "def softmax(z):\n    a = 1\n    raise KeyError('boom')\n"
    verdict = grade(EXERCISES["softmax"], load_function(src, "numpy"), "numpy")
    assert "KeyError: 'boom'" in verdict.message and "line 3" in verdict.message


def test_check_prints_verdict_and_never_raises(capsys):
    checks.check("softmax", lambda z: (_ for _ in ()).throw(RuntimeError("x" * 500)), widgets=False)
    out = capsys.readouterr().out
    assert out.startswith("❌ Your code raised RuntimeError") and "Traceback" not in out and len(out) < 600
    assert all(len(line) <= 88 for line in out.splitlines())   # wrapped at word boundaries, one paragraph


def test_a_bug_in_a_check_is_reported_not_raised():
    ex = checks.Exercise(id="broken", title="", cases=[(1,)], reference=lambda *a, fw: 1 / 0,
                         hints=["h"], solutions={"numpy": ""})
    verdict = grade(ex, lambda x: x, "numpy")
    assert verdict.status == WRONG and verdict.reason == "check-error"


def test_learner_inputs_are_fresh_tensors_of_the_framework():
    import tensorflow as tf
    import torch

    seen = {}

    def spy(x_t, h_prev, W_xh, W_hh, b_h):
        seen[type(x_t).__module__.split(".")[0]] = x_t.dtype
        raise NotImplementedError

    grade(EXERCISES["rnn_step"], spy, "torch")
    grade(EXERCISES["rnn_step"], spy, "tensorflow")
    assert seen["torch"] == torch.float32 and seen["tensorflow"] == tf.float32


def test_help_box_reveals_hints_one_at_a_time_then_the_solution():
    box = checks.HelpBox("rnn_step", "torch")
    n = len(box.exercise.hints)
    assert box.text.value == "" and box.hint_button.description == f"Show hint 1 of {n}"
    box.hint_button.click()
    assert "Hint 1." in box.text.value and "Hint 2." not in box.text.value
    for _ in range(n + 2):
        box.hint_button.click()
    assert f"Hint {n}." in box.text.value and box.hint_button.disabled
    box.solution_button.click()
    assert "torch.tanh" in box.text.value
    assert checks.hint("rnn_step", 2).startswith("Hint 2 of")
    assert "tf.tanh" in checks.solution("rnn_step", "tensorflow")


def test_to_numpy_rejects_lists_with_a_description():
    with pytest.raises(checks.NotAnArray, match="list of 2 items"):
        checks.to_numpy([np.zeros(2), np.zeros(2)])


def test_check_run_before_the_exercise_cell_says_so(capsys):
    checks.check("rnn_forward", "torch", widgets=False)      # no `rnn_forward` defined in this module
    out = capsys.readouterr().out
    assert out.startswith("⏳ `rnn_forward` is not defined yet: run the exercise cell above")


def test_check_finds_the_learners_function_by_name(capsys):
    def softmax(z):
        raise NotImplementedError

    globals()["softmax"] = softmax
    try:
        checks.check("softmax", widgets=False)
    finally:
        del globals()["softmax"]
    assert capsys.readouterr().out.startswith("⏳ Not attempted yet")
