"""The self-checks are real: references pass, known wrong answers fail with the intended hint,
and nothing a learner does (raise, return junk, print, loop, exit, mutate its inputs) escapes as a traceback."""
import importlib
import pathlib
import re

import numpy as np
import pytest

from conftest import load_function
from helpers import checks
from helpers.checks import CORRECT, NOT_ATTEMPTED, WRONG, grade
from helpers.exercises import EXERCISES

CATALOGUES = sorted(p.stem for p in pathlib.Path(__file__).parent.glob("wrong_answers_*.py"))


CATALOGUE = [row for name in CATALOGUES for row in importlib.import_module(name).CATALOGUE]
# Answers written differently from the reference that must pass all the same (where a catalogue has them).


ALSO_CORRECT = [row for name in CATALOGUES for row in getattr(importlib.import_module(name), "ALSO_CORRECT", [])]


REFERENCE_CASES = [(eid, fw) for eid, ex in EXERCISES.items() for fw in ex.solutions]


GENERIC = {"exception", "shape", "arity", "type", "none", "values", "mutated-input"}
# words that must not appear in a message for that framework (it names the other one)


FOREIGN = {"tensorflow": re.compile(r"torch", re.IGNORECASE),
           "torch": re.compile(r"\btf\.|keras|tensorflow", re.IGNORECASE),
           "numpy": re.compile(r"torch|\btf\.|keras|tensorflow", re.IGNORECASE)}


def assert_speaks_only(framework, text):
    found = FOREIGN[framework].search(text)
    assert not found, f"{framework} message mentions {found.group(0)!r}: {text}"


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
    for text in [verdict.message, *verdict.notes]:
        assert_speaks_only(framework, text)


@pytest.mark.parametrize("exercise_id,framework,what,source", ALSO_CORRECT,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in ALSO_CORRECT])
def test_other_correct_answers_pass(exercise_id, framework, what, source):
    verdict = grade(EXERCISES[exercise_id], load_function(source, framework), framework)
    assert verdict.status == CORRECT, f"{what}: {verdict}"


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


def _matches_on_every_case(ex, outputs, references, fw="numpy"):
    """True when each output equals its reference (within the exercise's tolerance, and as the
    exercise compares them: ``compare_as``); None = not applicable."""
    pairs = [(o, r) for o, r in zip(outputs, references) if o is not None and r is not None]
    for o, r in pairs:
        n = len(r) if isinstance(r, tuple) else 1
        outs, refs = checks._as_outputs(o, n), checks._as_outputs(r, n)
        if ex.compare_as is not None:
            outs, refs = (ex.compare_as(tuple(np.asarray(x) for x in v), fw) for v in (outs, refs))
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
            outs = [(m, [m.fn(*case, fw=fw) for case in ex.cases]) for m in ex.mistakes if m.fn is not None]
        # a mistake of one framework only (PyTorch's two LSTM biases) has a hint for that one alone
        outs = [(m.name, out) for m, out in outs
                if not (isinstance(m.hint, dict) and fw not in m.hint and all(o is None for o in out))]
        for name, out in outs:
            assert any(o is not None for o in out), f"{fw}: mistake {name!r} applies to no case"
            assert not _matches_on_every_case(ex, out, ref, fw), f"{fw}: mistake {name!r} equals the reference"
        for i, (name_a, out_a) in enumerate(outs):
            for name_b, out_b in outs[i + 1:]:
                assert name_a == name_b or not _matches_on_every_case(ex, out_a, out_b, fw), \
                    f"{fw}: mistakes {name_a!r} and {name_b!r} give the same outputs"


# =========================================================================== boundaries and thresholds
def _norm(grads):
    return float(np.sqrt(sum((g.astype(np.float64) ** 2).sum() for g in grads)))


def test_threshold_and_length_exercises_have_boundary_cases():
    """Each threshold or length is tested on both sides and at the boundary itself."""
    clip = [(grads, m, _norm(grads)) for grads, m in EXERCISES["clip_by_global_norm"].cases]
    assert any(n == m and _norm([g.astype(np.float32) for g in grads]) == m for grads, m, n in clip), \
        "no case with a global norm exactly max_norm (in float64 and float32)"
    assert any(1 < n < m for _, m, n in clip), "no case with 1 < norm < max_norm"
    assert any(n < 1 < m for _, m, n in clip), "no case with norm < 1 < max_norm"
    assert any(np.sqrt(m) < n < m for _, m, n in clip), "no case with sqrt(max_norm) < norm < max_norm"
    assert any(n < np.sqrt(m) and 1 < n for _, m, n in clip), "no case with 1 < norm < sqrt(max_norm)"
    assert any(m < n <= 1.05 * m and len(grads) >= 3 and any(g.size == 1 for g in grads)
               for grads, m, n in clip), "no case just above max_norm with several tensors, one of one entry"
    assert any(n > m for _, m, n in clip) and any(n < m for _, m, n in clip)
    for eid in ("last_valid_state", "masked_mean_loss"):
        cases = EXERCISES[eid].cases
        assert any(1 in lengths.tolist() for _, lengths in cases), f"{eid}: no length-1 sequence"
        assert any(data.shape[1] in lengths.tolist() for data, lengths in cases), f"{eid}: no full-length sequence"
        assert all(1 <= lengths.min() and lengths.max() <= data.shape[1] for data, lengths in cases), eid


def test_clip_threshold_mistakes_are_catalogued_for_both_frameworks():
    for fw in ("torch", "tensorflow"):
        reasons = {r for e, f, r, _ in CATALOGUE if e == "clip_by_global_norm" and f == fw}
        assert {"threshold-one", "max-with-one", "squared-threshold"} <= reasons, (fw, reasons)
    names = {m.name for m in EXERCISES["clip_by_global_norm"].mistakes}
    assert {"threshold-one", "max-with-one", "squared-threshold"} <= names


def test_every_exercise_has_a_time_limit_with_headroom():
    assert checks.Exercise.__dataclass_fields__["time_limit"].default == 10.0
    assert all(ex.time_limit and ex.time_limit >= 10 for ex in EXERCISES.values())


def test_verdict_texts_stored_in_the_notebooks_are_unchanged(capsys):
    def softmax(z):
        raise NotImplementedError

    checks.check("softmax", softmax, widgets=False)
    assert capsys.readouterr().out == ("⏳ Not attempted yet: replace `raise NotImplementedError` with your code, "
                                       "run that cell,\n   then run this check again.\n")
    checks.check("rnn_step", load_function(EXERCISES["rnn_step"].solutions["torch"], "torch"), "torch", widgets=False)
    assert capsys.readouterr().out == "✅ Correct! `rnn_step` matches the reference on all 3 test cases.\n"


# =========================================================================== framework words
def test_stored_messages_name_only_the_learners_framework():
    """Mistake hints, error hints, output hints and the first hint (used in value messages) of each framework."""
    for eid, ex in EXERCISES.items():
        for fw in ex.solutions:
            if fw == "numpy" and set(ex.solutions) != {"numpy"}:
                continue          # NumPy solutions of framework exercises are for maintainers only
            texts = [m.hint_for(fw) for m in ex.mistakes] + [checks._text(ex.error_hint, fw), ex.hint(0, fw)]
            texts += [checks._text(ex.output_hint, fw)] if ex.output_hint else []
            for text in texts:
                assert_speaks_only(fw, f"{eid}: {text}")


def test_progressive_hints_can_be_stored_per_framework():
    ex = EXERCISES["rnn_forward"]
    assert "torch.stack" in ex.hint(2, "torch") and "tf.stack" in ex.hint(2, "tensorflow")
    assert "tf." not in ex.hint(2, "torch") and "torch" not in ex.hint(2, "tensorflow")
    assert "tf.stack" in checks.hint("rnn_forward", 3, "tf")
    box = checks.HelpBox("rnn_forward", "tf")
    for _ in ex.hints:
        box.hint_button.click()
    assert "tf.stack" in box.text.value and "torch" not in box.text.value
