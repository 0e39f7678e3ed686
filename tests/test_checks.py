"""The self-checks are real: references pass, known wrong answers fail with the intended hint,
and nothing a learner does (raise, return junk, print, loop, exit, mutate its inputs) escapes as a traceback."""
import dataclasses
import importlib
import pathlib
import re
import signal
import sys
import threading
import time

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
            assert any(o is not None for o in out), f"{fw}: mistake {name!r} applies to no case"
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


# =========================================================================== inputs changed in place
_FORGET_IN_PLACE = {
    "torch": "def set_forget_bias(b, H, value):\n    b[H:2 * H] = value\n    return b\n",
    "tensorflow": "def set_forget_bias(b, H, value):\n    b[H:2 * H].assign(tf.fill([H], float(value)))\n    return b\n",
}


def _with_variables(ex):
    """The exercise with TensorFlow's first argument a tf.Variable, the one kind of TF input that can be changed."""
    import tensorflow as tf

    def to_learner(case, fw):
        args = ex.learner_args(case, fw)
        return (tf.Variable(args[0]),) + tuple(args[1:]) if fw == "tensorflow" else args
    return dataclasses.replace(ex, to_learner=to_learner)


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_a_function_that_changes_its_input_in_place_is_wrong(framework):
    ex = _with_variables(EXERCISES["set_forget_bias"])
    verdict = grade(ex, load_function(_FORGET_IN_PLACE[framework], framework), framework)
    assert verdict.status == WRONG and verdict.reason == "mutated-input", str(verdict)
    assert "your function changed its input `b` in place;" in verdict.message and "\n" not in verdict.message
    assert ("b.clone()" if framework == "torch" else "tf.concat") in verdict.message
    assert_speaks_only(framework, verdict.message)
    # the reference solution, given the same (mutable) inputs, passes
    assert grade(ex, load_function(ex.solutions[framework], framework), framework).status == CORRECT


def test_every_exercise_forbids_changing_the_inputs():
    assert all(ex.must_not_mutate for ex in EXERCISES.values())        # the default, so new exercises get it too


def test_in_place_changes_to_a_list_of_tensors_are_named():
    ex = EXERCISES["clip_by_global_norm"]
    in_place = load_function("""
def clip_by_global_norm(grads, max_norm):
    scale = min(1.0, max_norm / float(torch.sqrt(sum((g ** 2).sum() for g in grads))))
    for g in grads:
        g.mul_(scale)
    return grads
""", "torch")
    verdict = grade(ex, in_place, "torch")
    assert verdict.reason == "mutated-input" and "its input `grads[0]` in place" in verdict.message, str(verdict)
    replaced = load_function("""
def clip_by_global_norm(grads, max_norm):
    scale = min(1.0, max_norm / float(tf.linalg.global_norm(grads)))
    for i in range(len(grads)):
        grads[i] = grads[i] * scale
    return grads
""", "tensorflow")
    verdict = grade(ex, replaced, "tensorflow")
    assert verdict.reason == "mutated-input" and "changed the list `grads`" in verdict.message, str(verdict)


def test_where_changing_inputs_is_allowed_it_is_only_noted():
    ex = checks.Exercise(id="demo", title="", cases=[(np.arange(4.0),)], reference=lambda x, fw: x * 2,
                         hints=["h"], solutions={"numpy": ""}, must_not_mutate=False)

    def doubles_in_place(x):
        x *= 2
        return x

    verdict = grade(ex, doubles_in_place, "numpy")
    assert verdict.status == CORRECT
    assert len(verdict.notes) == 1 and "your function changed its input `x` in place;" in verdict.notes[0]


# =========================================================================== endless loops
def _quick(ex_id="rnn_step", limit=0.3):
    return dataclasses.replace(EXERCISES[ex_id], time_limit=limit)


def _spin(*args):
    while True:
        pass


def _sleep(*args):
    time.sleep(60)


def _stubborn(*args):                       # swallows ordinary exceptions: the time limit is not one
    while True:
        try:
            time.sleep(0.05)
        except Exception:
            pass


@pytest.mark.parametrize("answer", [_spin, _sleep, _stubborn], ids=["busy-loop", "sleep", "except-Exception"])
def test_an_endless_loop_is_stopped_and_the_timer_restored(answer):
    handler_before = signal.getsignal(signal.SIGALRM)
    start = time.monotonic()
    verdict = grade(_quick(limit=0.3), answer, "torch")
    assert time.monotonic() - start < 5
    assert verdict.reason == "timeout", str(verdict)
    assert verdict.message == ("Not yet: your function did not finish in 0.3 s on a small test case: "
                               "is there an endless loop?")
    assert signal.getsignal(signal.SIGALRM) is handler_before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    # the interpreter is still usable, and a later check still works
    assert grade(EXERCISES["rnn_step"], lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh + b), "numpy").ok


def test_a_running_timer_and_handler_are_given_back():
    fired = []
    old = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 100.0)
        assert grade(_quick(), lambda x, h, Wx, Wh, b: np.tanh(x @ Wx + h @ Wh + b), "numpy").ok
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 90 < left <= 100                                   # still running, minus the time spent
        assert grade(_quick(limit=0.2), _spin, "numpy").reason == "timeout"
        assert 90 < signal.getitimer(signal.ITIMER_REAL)[0] <= 100 and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_keyboard_interrupt_still_interrupts_and_the_timer_is_restored():
    handler_before = signal.getsignal(signal.SIGALRM)

    def interrupted(*args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        grade(_quick(limit=5), interrupted, "torch")
    assert signal.getsignal(signal.SIGALRM) is handler_before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_outside_the_main_thread_the_check_runs_without_a_limit():
    seen = {}

    def worker():
        seen["verdict"] = grade(_quick(limit=0.05), lambda x, h, Wx, Wh, b: time.sleep(0.1) or
                                np.tanh(x @ Wx + h @ Wh + b), "numpy")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(30)
    assert seen["verdict"].ok, str(seen["verdict"])


def test_every_exercise_has_a_time_limit_with_headroom():
    assert checks.Exercise.__dataclass_fields__["time_limit"].default == 10.0
    assert all(ex.time_limit and ex.time_limit >= 10 for ex in EXERCISES.values())


# =========================================================================== printing, exiting, misspelling
def _loud_softmax(z):
    for i in range(20_000):
        print("debug line", i)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_what_the_function_prints_is_captured_and_cut_short(capsys):
    checks.check("softmax", _loud_softmax, widgets=False)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "✅ Correct! `softmax` matches the reference on all 3 test cases."
    assert len(out) < 1000 and len(lines) <= 8, out
    assert "| debug line 0" in out and "| debug line 4" in out and "debug line 5" not in out
    assert lines[-1] == "   ... (59995 more lines hidden)"


def test_printing_to_stderr_is_captured_too(capsys):
    def noisy(z):
        sys.stderr.write("warning!\n" * 3)
        return z
    verdict = grade(EXERCISES["softmax"], noisy, "numpy")
    assert capsys.readouterr().err == ""
    assert verdict.notes[0] == "   Your function printed 9 lines during the check; the first 5:"   # 3 cases x 3
    assert verdict.notes[1:] == ["   | warning!"] * 5 + ["   ... (4 more lines hidden)"]


def test_verdict_texts_stored_in_the_notebooks_are_unchanged(capsys):
    def softmax(z):
        raise NotImplementedError

    checks.check("softmax", softmax, widgets=False)
    assert capsys.readouterr().out == ("⏳ Not attempted yet: replace `raise NotImplementedError` with your code, "
                                       "run that cell,\n   then run this check again.\n")
    checks.check("rnn_step", load_function(EXERCISES["rnn_step"].solutions["torch"], "torch"), "torch", widgets=False)
    assert capsys.readouterr().out == "✅ Correct! `rnn_step` matches the reference on all 3 test cases.\n"


def test_sys_exit_in_the_function_is_one_friendly_line(capsys):
    for code in ("sys.exit()", "sys.exit(1)", "raise SystemExit('bye')"):
        fn = load_function(f"import sys\ndef rnn_step(x_t, h_prev, W_xh, W_hh, b_h):\n    {code}\n", "torch")
        checks.check("rnn_step", fn, "torch", widgets=False)
        out = capsys.readouterr().out
        assert out.startswith("❌ Your function called sys.exit()") and "Traceback" not in out


@pytest.mark.parametrize("typo,closest", [("rnn_stepp", "rnn_step"), ("softmx", "softmax"),
                                          ("clip_by_globalnorm", "clip_by_global_norm")])
def test_a_misspelled_exercise_id_suggests_the_closest(capsys, typo, closest):
    checks.check(typo, "torch", widgets=False)
    out = capsys.readouterr().out
    assert out == f"❌ There is no exercise called {typo!r}: did you mean {closest!r}?\n"
    assert closest in checks.hint(typo) and closest in checks.solution(typo, "torch")


def test_an_unknown_id_lists_the_exercises(capsys):
    checks.check("zzz", widgets=False)
    out = capsys.readouterr().out
    assert out.startswith("❌ There is no exercise called 'zzz'; the exercises are:") and "rnn_step" in out


def test_check_accepts_the_function_as_its_first_argument(capsys):
    def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
        return torch.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)

    import torch
    checks.check(rnn_step, "pytorch", widgets=False)
    assert capsys.readouterr().out.startswith("✅ Correct! `rnn_step`")


# =========================================================================== NaN, inf, dtypes, frameworks
def test_nan_in_the_result_is_reported_with_where_it_is():
    def nan_step(x, h, Wx, Wh, b):
        import torch
        out = torch.tanh(x @ Wx + h @ Wh + b)
        out[1, 0] = float("nan")
        out[0, 1] = float("nan")
        return out

    verdict = grade(EXERCISES["rnn_step"], nan_step, "torch")
    assert verdict.reason == "not-finite", str(verdict)
    assert "your result contains NaN in 2 of 20 entries (the first at index [0, 1]) on test case 1" in verdict.message
    assert "largest difference" not in verdict.message


def test_inf_in_one_named_output_and_a_nan_number_are_reported():
    fn = load_function(EXERCISES["lstm_step"].solutions["tensorflow"].replace(
        "return h_t, c_t", "return h_t, c_t / tf.cast(tf.range(tf.shape(c_t)[1]) > 0, c_t.dtype)"), "tensorflow")
    verdict = grade(EXERCISES["lstm_step"], fn, "tensorflow")
    assert verdict.reason == "not-finite" and verdict.message.startswith("Not yet: `c_t` contains inf in "), str(verdict)
    assert "(the first at index [0, 0])" in verdict.message
    verdict = grade(EXERCISES["masked_mean_loss"], lambda L, n: L.sum() * float("nan"), "torch")
    assert verdict.reason == "not-finite" and "your result is NaN on test case 1" in verdict.message, str(verdict)


@pytest.mark.parametrize("alias,framework", [("tf", "tensorflow"), ("keras", "tensorflow"), ("TensorFlow", "tensorflow"),
                                             ("pt", "torch"), ("pytorch", "torch"), ("PyTorch", "torch"),
                                             ("np", "numpy")])
def test_framework_aliases(alias, framework, capsys):
    ex = EXERCISES["rnn_step"]
    fn = load_function(ex.solutions[framework], framework)
    assert grade(ex, fn, alias).status == CORRECT
    checks.check("rnn_step", fn, alias, widgets=False)
    assert capsys.readouterr().out.startswith("✅ Correct!")
    assert checks.solution("rnn_step", alias) == ex.solutions[framework]


def test_an_unknown_framework_is_one_line_naming_the_accepted_ones(capsys):
    verdict = grade(EXERCISES["rnn_step"], lambda *a: 1, "jax")
    assert verdict.reason == "framework" and "please report" not in verdict.message
    checks.check("rnn_step", lambda *a: 1, "jax", widgets=False)
    out = capsys.readouterr().out
    assert out.startswith("❌ Unknown framework 'jax': use \"torch\", \"tensorflow\" or \"numpy\"")
    assert "Traceback" not in out and "report" not in out


@pytest.mark.parametrize("framework,make,advice", [
    ("torch", lambda y: y.half(), "x.float()"),
    ("torch", lambda y: y.bfloat16(), "x.float()"),
    ("tensorflow", lambda y: __import__("tensorflow").cast(y, "float16"), "tf.cast(x, tf.float32)"),
    ("tensorflow", lambda y: __import__("tensorflow").cast(y, "bfloat16"), "tf.cast(x, tf.float32)"),
    ("numpy", lambda y: y.astype(np.float16), "x.astype(np.float32)"),
])
def test_half_precision_results_are_told_to_return_float32(framework, make, advice):
    ex = EXERCISES["rnn_step"]
    right = load_function(ex.solutions[framework], framework)
    verdict = grade(ex, lambda *a: make(right(*a)), framework)
    assert verdict.reason == "half-precision" and "return float32" in verdict.message and advice in verdict.message
    assert_speaks_only(framework, verdict.message)


# =========================================================================== several outputs: which one is wrong
_LSTM_H_ONLY = {
    "torch": [("h_t = o * torch.tanh(c_t)", "h_t = f * torch.tanh(c_t)"),
              ("h_t = o * torch.tanh(c_t)", "h_t = o * torch.tanh(c_prev)")],
    "tensorflow": [("h_t = o * tf.tanh(c_t)", "h_t = f * tf.tanh(c_t)"),
                   ("h_t = o * tf.tanh(c_t)", "h_t = o * tf.tanh(c_prev)")],
}


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_when_only_h_t_is_wrong_the_verdict_says_so(framework):
    ex = EXERCISES["lstm_step"]
    for old, new in _LSTM_H_ONLY[framework]:
        src = ex.solutions[framework]
        assert old in src
        verdict = grade(ex, load_function(src.replace(old, new), framework), framework)
        assert verdict.reason == "values", str(verdict)
        assert verdict.message.startswith("Not yet: `c_t` is right but `h_t` differs from the reference")
        assert verdict.message.endswith("look at the line that computes h_t.")
        assert ex.hint(0, framework) not in verdict.message


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


def test_stacking_advice_names_the_framework_in_use():
    assert "np.stack" in grade(EXERCISES["softmax"], lambda z: [np.exp(r) / np.exp(r).sum() for r in z],
                               "numpy").message
    for fw, stack in (("torch", "torch.stack"), ("tensorflow", "tf.stack"), ("numpy", "np.stack")):
        fn = load_function("def rnn_forward(X, h0, step):\n    return [step(X[:, t], h0) for t in range(X.shape[1])], h0\n",
                           fw)
        verdict = grade(EXERCISES["rnn_forward"], fn, fw)
        assert verdict.reason == "type" and stack in verdict.message, str(verdict)
        assert_speaks_only(fw, verdict.message)


def test_progressive_hints_can_be_stored_per_framework():
    ex = EXERCISES["rnn_forward"]
    assert "torch.stack" in ex.hint(2, "torch") and "tf.stack" in ex.hint(2, "tensorflow")
    assert "tf." not in ex.hint(2, "torch") and "torch" not in ex.hint(2, "tensorflow")
    assert "tf.stack" in checks.hint("rnn_forward", 3, "tf")
    box = checks.HelpBox("rnn_forward", "tf")
    for _ in ex.hints:
        box.hint_button.click()
    assert "tf.stack" in box.text.value and "torch" not in box.text.value


# =========================================================================== wrong return structure
@pytest.mark.parametrize("framework,body,returned", [
    ("torch", "return torch.sqrt(sum((g ** 2).sum() for g in grads))", "a single number"),
    ("torch", "return torch.cat([g.flatten() for g in grads])", "one tensor of shape"),
    ("tensorflow", "return tf.linalg.global_norm(grads)", "a single number"),
    ("tensorflow", "return tf.concat([tf.reshape(g, [-1]) for g in grads], 0)", "one tensor of shape"),
    ("tensorflow", "return tf.clip_by_global_norm(grads, max_norm)", "a tuple of 2 items (a list of 3 items, a number)"),
])
def test_a_wrong_structure_for_a_list_of_tensors_gets_the_output_hint(framework, body, returned):
    ex = EXERCISES["clip_by_global_norm"]
    verdict = grade(ex, load_function(f"def clip_by_global_norm(grads, max_norm):\n    {body}\n", framework), framework)
    assert verdict.reason in {"arity", "type"}, str(verdict)
    assert f"your function returned {returned}" in verdict.message
    assert "return a list with one tensor per gradient, in the input order" in verdict.message
    assert "Return 3 things" not in verdict.message
    assert_speaks_only(framework, verdict.message)


# =========================================================================== hostile answers
class _Unreadable:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array for you")

    def __len__(self):
        raise RuntimeError("no len for you")

    def __iter__(self):
        raise RuntimeError("no iter for you")

    @property
    def dtype(self):
        raise RuntimeError("no dtype for you")

    @property
    def shape(self):
        raise RuntimeError("no shape for you")


class _BrokenList(list):
    def __len__(self):
        raise RuntimeError("no len for you")


_FakeTensor = type("Tensor", (), {"__module__": "torch.fake", "numpy": lambda self: 1 / 0,
                                  "detach": lambda self: 1 / 0, "dtype": "torch.weird"})
_FakeTF = type("EagerTensor", (), {"__module__": "tensorflow.fake", "numpy": lambda self: 1 / 0, "dtype": 1})


class _Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("cannot print me")


class _Home(BaseException):
    pass


class _BadSignature:
    @property
    def __signature__(self):
        raise RuntimeError("no signature")

    def __call__(self, *args):
        return "text"


def _raiser(exc):
    def answer(*args):
        raise exc
    return answer


def _recurse(*args):
    return _recurse(*args)


def _echo_nan(*args):
    try:
        return args[0] * float("nan")
    except Exception:
        return float("nan")


def _clears_lists(*args):
    for a in args:
        if isinstance(a, list):
            a.clear()
    return args[0]


def _hostile_answers(fw):
    import tensorflow as tf
    import torch

    answers = [
        "hello", b"bytes", {"a": 1}, {1, 2}, object(), _Unreadable(), [_Unreadable(), _Unreadable()],
        _BrokenList([1, 2]), _FakeTensor(), _FakeTF(), np.array(["a", "b"]), np.array([None, 1], dtype=object),
        10 ** 400, 1 + 2j, np.ones((2, 2), dtype=complex), True, np.bool_(False), (x for x in range(3)),
        ((), [[]], {}), (None,) * 5, ("a",) * 5, (None, None), [None] * 3, np.zeros((1000, 1000)),
        float("nan"), float("inf"), np.full((3, 4), np.inf), np.zeros((0, 3)), np.float16(1.5),
        np.zeros(2, dtype=[("a", float)]), np.array(["2020-01-01"], dtype="datetime64[D]"), [1, "a"],
        list(range(100_000)), ValueError("returned, not raised"), np.ndarray, Ellipsis, lambda: 1,
        np.ma.array([1.0, 2.0], mask=[0, 1]),
        torch.ones(3, dtype=torch.float16), torch.ones(3, dtype=torch.bfloat16), torch.empty(3, device="meta"),
        torch.Size([3]), torch.nn.Linear(1, 1), torch.zeros(2, 3).max(dim=1), torch.ones(2, dtype=torch.complex64),
        torch.ones(2, dtype=torch.bool), torch.ones(2, dtype=torch.int64), torch.ones(3, requires_grad=True) * 2,
        tf.ones(3, tf.bfloat16), tf.constant(["a"]), tf.TensorShape([3]), tf.ragged.constant([[1], [2, 3]]),
        tf.sparse.from_dense(tf.eye(2)), tf.complex(tf.ones(2), tf.ones(2)), tf.Variable([1.0, 2.0]),
    ]
    functions = [lambda *a, v=v: v for v in answers]
    functions += [_raiser(e) for e in [
        ValueError("bad"), TypeError("shape mismatch"), ZeroDivisionError(), AssertionError(), MemoryError(),
        StopIteration(), SystemExit(0), SystemExit("bye"), _Home(), GeneratorExit(), _Unprintable(), OSError(5, "io"),
        KeyError(object()), RuntimeError("x" * 10_000), IndexError("index 9 is out of bounds"), Exception(),
        UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad byte"), RecursionError(), tf.errors.InvalidArgumentError(
            None, None, "Incompatible shapes"), type("Odd", (NotImplementedError,), {})("odd")]]
    functions += [_recurse, _echo_nan, _clears_lists, lambda *a: a[0], lambda *a: a, lambda: 1, dict, print,
                  _BadSignature(), lambda *a: (_ for _ in ()).throw(ValueError("from a generator")),
                  lambda *a: print("x\r\t\x00" * 5000) or float("nan"), lambda *a: [a[0]] * 5]
    return functions


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_hostile_answers_never_look_like_a_bug_in_the_check(exercise_id):
    ex = EXERCISES[exercise_id]
    for fw in ex.solutions:
        for i, answer in enumerate(_hostile_answers(fw)):
            verdict = grade(ex, answer, fw)
            what = f"{exercise_id}/{fw} hostile answer {i}: {verdict}"
            assert verdict.reason != "check-error" and "report it" not in verdict.message, what
            assert verdict.status in (WRONG, NOT_ATTEMPTED) and "\n" not in verdict.message, what
            assert "Traceback" not in verdict.message, what
            assert all(len(note) < 200 for note in verdict.notes) and len(verdict.notes) <= 8, what


def test_only_a_broken_check_asks_for_a_report():
    ex = checks.Exercise(id="broken", title="", cases=[(np.ones(2),)], reference=lambda *a, fw: {}["missing"],
                         hints=["h"], solutions={"numpy": ""})
    verdict = grade(ex, lambda x: x, "numpy")
    assert verdict.reason == "check-error" and "please report it to the course maintainers" in verdict.message
    broken_learner_args = dataclasses.replace(EXERCISES["rnn_step"], to_learner=lambda case, fw: 1 / 0)
    assert grade(broken_learner_args, lambda *a: 1, "torch").reason == "check-error"


# =========================================================================== notebook UI: hints, stale cells, display
def test_the_solution_is_added_below_the_hints_and_a_second_click_hides_it():
    box = checks.HelpBox("rnn_step", "torch")
    box.hint_button.click()
    box.hint_button.click()
    box.solution_button.click()
    text = box.text.value
    assert "Hint 1." in text and "Hint 2." in text and "torch.tanh" in text
    assert text.index("Hint 2.") < text.index("One solution")              # below the hints
    assert box.solution_button.description == "Hide the solution"
    box.hint_button.click()                                                # a third hint: the solution stays last
    assert "Hint 3." in box.text.value and box.text.value.index("Hint 3.") < box.text.value.index("One solution")
    box.solution_button.click()
    assert "torch.tanh" not in box.text.value and "Hint 3." in box.text.value
    assert box.solution_button.description == "Show the solution"
    box.solution_button.click()
    assert "torch.tanh" in box.text.value


SOFTMAX_V1 = "def softmax(z):\n    raise NotImplementedError"
SOFTMAX_FIXED = ("def softmax(z):\n    e = np.exp(z - z.max(axis=1, keepdims=True))\n"
                 "    return e / e.sum(axis=1, keepdims=True)")
SOFTMAX_UNCLOSED = ("def softmax(z):\n    e = np.exp(z - z.max(axis=1, keepdims=True)\n"
                    "    return e / e.sum(axis=1, keepdims=True)")


def _notebook(cells, ran, filename="/tmp/ipykernel_123/{}.py"):
    """A user namespace like IPython's: ``In``/``_ih`` hold every cell run; ``ran`` are the indexes of
    those that ran without errors (their definitions are in the namespace)."""
    cells = [""] + list(cells)
    ns = {"np": np, "check": checks.check, "In": cells, "_ih": cells}
    for i in ran:
        exec(compile(cells[i], filename.format(1000 + i), "exec"), ns)
    return ns


def _run_check(ns, call="check('softmax', widgets=False)"):
    exec(compile(call, "/tmp/ipykernel_123/9999.py", "exec"), ns)


@pytest.mark.parametrize("cells,ran,stale", [
    ([SOFTMAX_V1, SOFTMAX_UNCLOSED], [1], True),                              # the fix left a ( open
    ([SOFTMAX_V1, "check('softmax')", SOFTMAX_UNCLOSED, "check('softmax')"], [1], True),
    ([SOFTMAX_V1, "import no_such_module\n" + SOFTMAX_FIXED], [1], True),     # failed above the def
    ([SOFTMAX_V1, SOFTMAX_UNCLOSED, SOFTMAX_FIXED], [1, 3], False),            # fixed and run again
    ([SOFTMAX_V1, SOFTMAX_FIXED, SOFTMAX_V1], [1, 2, 3], False),              # back to the stub, on purpose
    ([SOFTMAX_FIXED, "print('def softmax(z):')"], [1, 2], False),             # only a string: not a definition
    ([SOFTMAX_FIXED, "x = 1\n# def softmax(z): an idea"], [1, 2], False),     # a comment
    ([SOFTMAX_FIXED + "\ncheck('softmax')"], [1], False),                      # def and check in one cell
])
def test_a_definition_that_did_not_run_is_not_graded(cells, ran, stale, capsys):
    ns = _notebook(cells, ran)
    assert checks.changed_since_run("softmax", ns["softmax"], ns) is stale
    capsys.readouterr()
    _run_check(ns)
    out = capsys.readouterr().out
    if stale:
        assert checks.CHANGED_CELL in out and len(out.splitlines()) == 1, out
        assert not any(out.startswith(icon) for icon in "✅❌⏳"), out
    else:
        assert out[:1] in "✅⏳" and checks.CHANGED_CELL not in out, out


def test_without_an_input_history_the_function_is_graded(capsys):
    ns = _notebook([SOFTMAX_FIXED], [1])
    del ns["In"], ns["_ih"]
    _run_check(ns)
    assert capsys.readouterr().out.startswith("✅ Correct!")
    ns = _notebook([SOFTMAX_UNCLOSED], [])                         # a function from somewhere else entirely
    ns["softmax"] = load_function(SOFTMAX_FIXED, "numpy")
    ns["softmax"].__code__ = ns["softmax"].__code__.replace(co_firstlineno=40)
    _run_check(ns)
    assert checks.CHANGED_CELL in capsys.readouterr().out   # the newest def never ran
    ns = _notebook([SOFTMAX_V1], [])
    ns["softmax"] = load_function(SOFTMAX_FIXED, "numpy")          # In without a matching cell: graded
    _run_check(ns)
    assert capsys.readouterr().out.startswith("✅ Correct!")
    for junk in (None, "text", [None, 3]):
        ns = _notebook([SOFTMAX_FIXED], [1])
        ns["In"] = ns["_ih"] = junk
        _run_check(ns)
        assert capsys.readouterr().out.startswith("✅ Correct!")


def test_a_check_after_an_exercise_cell_that_never_ran_says_why(capsys):
    _run_check(_notebook([SOFTMAX_UNCLOSED], []))
    assert capsys.readouterr().out.startswith("⏳ `softmax` is not defined yet: the exercise cell stopped at an error")
    _run_check(_notebook([], []))
    assert capsys.readouterr().out.startswith("⏳ `softmax` is not defined yet: run the exercise cell above")


def test_the_function_passed_explicitly_is_checked_for_staleness_too(capsys):
    ns = _notebook([SOFTMAX_V1, SOFTMAX_UNCLOSED], [1])
    _run_check(ns, "check(softmax, 'numpy', widgets=False)")
    assert checks.CHANGED_CELL in capsys.readouterr().out


def test_a_check_before_the_setup_cell_says_so_in_one_line(monkeypatch, capsys):
    import IPython

    from helpers import course

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())       # as in a notebook kernel
    monkeypatch.setattr(course, "SETUP_DONE", False)
    checks.check("softmax", lambda z: z, widgets=False)
    lines = capsys.readouterr().out.splitlines()
    assert "setup cell" in lines[0] and lines[1].startswith("❌")
    monkeypatch.setattr(course, "SETUP_DONE", True)
    checks.check("softmax", lambda z: z, widgets=False)
    assert capsys.readouterr().out.startswith("❌")
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)           # a script or pytest: no note
    monkeypatch.setattr(course, "SETUP_DONE", False)
    checks.check("softmax", lambda z: z, widgets=False)
    assert capsys.readouterr().out.startswith("❌")


def test_setup_sets_the_flag():
    from helpers import course

    before = course.SETUP_DONE
    try:
        course.setup(report=False)
        assert course.SETUP_DONE is True
    finally:
        course.SETUP_DONE = before


def test_the_help_box_is_displayed_live_with_a_readable_text_fallback(monkeypatch, capsys):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.append((objs, kw)))
    checks.check("softmax", lambda z: z)
    [((bundle,), kw)] = shown
    assert kw.get("raw") is True and bundle["text/plain"] == checks.HELP_FALLBACK
    assert "Hints and solution: run this cell" in bundle["text/plain"]
    assert "If the buttons do nothing, run this cell again." in bundle["text/plain"]
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"]


IPYTHON_SCRIPT = r"""
import contextlib, io, json, sys
sys.path.insert(0, sys.argv[1])
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.displaypub import CapturingDisplayPublisher
shell = InteractiveShell.instance()
shell.display_pub = CapturingDisplayPublisher()
out = []
for cell in json.loads(sys.argv[2]):
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        shell.run_cell(cell, store_history=True)
    out.append(printed.getvalue())
    # what a stored notebook shows where the widget cannot run
    out[-1] += "".join("[display] " + o["data"].get("text/plain", "") + "\n" for o in shell.display_pub.outputs)
    shell.display_pub.outputs.clear()
print(json.dumps(out))
"""


def test_in_a_real_ipython_shell_a_broken_fix_is_not_graded_and_widgets_read_well(tmp_path):
    """The whole path in IPython itself: In/_ih, a SyntaxError cell, the display publisher, the setup flag."""
    import json
    import os
    import subprocess

    root = str(pathlib.Path(__file__).resolve().parents[1])
    cells = ["import numpy as np\nfrom helpers.checks import check\nfrom helpers.quiz import quiz",
             SOFTMAX_V1, "check('softmax')", SOFTMAX_UNCLOSED, "check('softmax')", SOFTMAX_FIXED,
             "check('softmax')", "quiz('00_start_here', 'warmup')",
             "from helpers.course import setup\nsetup(report=False)", "check('softmax', widgets=False)"]
    run = subprocess.run([sys.executable, "-c", IPYTHON_SCRIPT, root, json.dumps(cells)], capture_output=True,
                         text=True, timeout=300, env={**os.environ, "RNN_COURSE_PROGRESS": str(tmp_path / "p.json")})
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.splitlines()[-1])
    note = "setup cell at the top has not run"
    assert note in out[2] and "⏳ Not attempted yet" in out[2] and f"[display] {checks.HELP_FALLBACK}" in out[2]
    assert "SyntaxError" in out[3]
    assert checks.CHANGED_CELL in out[4] and "Not attempted" not in out[4]
    assert "✅ Correct!" in out[6] and checks.CHANGED_CELL not in out[6]
    assert "[display] Quiz: run this cell to take it" in out[7] and "VBox" not in out[7]
    assert out[9].startswith("✅ Correct!") and note not in out[9]
    saved = json.loads((tmp_path / "p.json").read_text())["exercises"]["softmax|numpy"]
    assert saved["status"] == "correct" and saved["attempts"] == 3              # the stale check was not counted


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_changing_a_numpy_input_in_place_gets_numpy_advice_in_any_notebook(framework):
    """normalise_splits takes NumPy arrays in both frameworks: the advice is .copy(), not a tensor's."""
    source = ("def normalise_splits(train, val, test):\n"
              "    mean, std = train.mean(axis=0), train.std(axis=0)\n"
              "    train -= mean\n    train /= std\n"
              "    return train, (val - mean) / std, (test - mean) / std\n")
    verdict = grade(EXERCISES["normalise_splits"], load_function(source, framework), framework)
    assert verdict.reason == "mutated-input" and "train = train.copy()" in verdict.message, str(verdict)
