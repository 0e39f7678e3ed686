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


def _matches_on_every_case(ex, outputs, references):
    """True when each output equals its reference (within the exercise's tolerance); None = not applicable."""
    pairs = [(o, r) for o, r in zip(outputs, references) if o is not None and r is not None]
    for o, r in pairs:
        n = len(r) if isinstance(r, tuple) else 1
        outs, refs = checks._as_outputs(o, n), checks._as_outputs(r, n)
        if len(outs) != len(refs) or not all(checks._same(np.asarray(a), np.asarray(b), ex.atol, ex.rtol)
                                             for a, b in zip(outs, refs)):
            return False
    return bool(pairs)


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_every_mistake_is_told_apart_on_some_case(exercise_id):
    """Each known mistake differs from the reference, and from every other mistake, on at least one case,
    so a learner who makes it gets its own hint (and a correct answer never gets a mistake's hint)."""
    ex = EXERCISES[exercise_id]
    for fw in ex.solutions:
        with np.errstate(all="ignore"):
            ref = [ex.reference(*case, fw=fw) for case in ex.cases]
            outs = [(m.name, [m.fn(*case, fw=fw) for case in ex.cases]) for m in ex.mistakes if m.fn is not None]
        for name, out in outs:
            assert not _matches_on_every_case(ex, out, ref), f"{fw}: mistake {name!r} equals the reference"
        for i, (name_a, out_a) in enumerate(outs):
            for name_b, out_b in outs[i + 1:]:
                assert name_a == name_b or not _matches_on_every_case(ex, out_a, out_b), \
                    f"{fw}: mistakes {name_a!r} and {name_b!r} give the same outputs"


def test_a_mistake_can_be_recognised_by_the_exception_it_raises():
    ex = checks.Exercise(id="demo", title="", cases=[(np.ones(3),)], reference=lambda x, fw: x.sum(),
                         hints=["h"], solutions={"numpy": ""},
                         mistakes=[checks.Mistake("lost-key", {"numpy": "Look the key up first."}, raises=r"KeyError|'k'"),
                                   checks.Mistake("doubled", "Don't double it.", lambda x, fw: 2 * x.sum())])

    def raises_key_error(x):
        return {}["k"]

    verdict = grade(ex, raises_key_error, "numpy")
    assert verdict.reason == "lost-key" and "Look the key up first." in verdict.message
    assert "KeyError" in verdict.message and "\n" not in verdict.message
    assert grade(ex, lambda x: 2 * x.sum(), "numpy").reason == "doubled"          # output mistakes still work
    assert grade(ex, lambda x: 1 / 0, "numpy").reason == "exception"             # other errors: generic hint


def test_a_list_of_numbers_is_an_array_but_a_list_of_arrays_is_not():
    import torch

    assert checks.to_numpy([1.0, 2, np.float32(3.5), torch.tensor(4.0)]).tolist() == [1.0, 2.0, 3.5, 4.0]
    assert checks.to_numpy(()).shape == (0,)
    with pytest.raises(checks.NotAnArray, match="list of 2 items"):
        checks.to_numpy([[1.0], [2.0]])


def test_a_wrong_number_from_array_inputs_is_reported_on_one_line():
    ex = checks.Exercise(id="demo", title="", cases=[(np.arange(40.0).reshape(8, 5),)],
                         reference=lambda x, fw: x.mean(), hints=["Average every entry."], solutions={"numpy": ""})
    verdict = grade(ex, lambda x: x.sum(), "numpy")
    assert verdict.reason == "values" and "\n" not in verdict.message and "inputs" not in verdict.message
    count = checks.Exercise(id="count", title="", cases=[(3, 5)], reference=lambda D, H, fw: D * H,
                            hints=["h"], solutions={"numpy": ""})
    assert "(inputs (3, 5))" in grade(count, lambda D, H: D + H, "numpy").message     # numbers are still shown
