"""Self-check engine, sandbox (helpers/checks/sandbox.py): whatever the learner's code does (raise, return
junk, print, loop, exit, change its inputs), the check gives one friendly line and restores what it changed."""
import dataclasses
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

from test_checks import assert_speaks_only


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


def test_a_bug_in_a_check_is_reported_not_raised():
    ex = checks.Exercise(id="broken", title="", cases=[(1,)], reference=lambda *a, fw: 1 / 0,
                         hints=["h"], solutions={"numpy": ""})
    verdict = grade(ex, lambda x: x, "numpy")
    assert verdict.status == WRONG and verdict.reason == "check-error"


# =========================================================================== inputs changed in place
_FORGET_IN_PLACE = {
    "torch": "def set_forget_bias(b_ih, b_hh, H, value):\n    b_ih[H:2 * H] = value\n"
             "    b_hh[H:2 * H] = 0\n    return b_ih, b_hh\n",
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
    name = "b_ih` in place (and 1 more);" if framework == "torch" else "b` in place;"
    assert f"your function changed its input `{name}" in verdict.message and "\n" not in verdict.message
    assert ("b_ih.clone()" if framework == "torch" else "tf.concat") in verdict.message
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


def test_sys_exit_in_the_function_is_one_friendly_line(capsys):
    for code in ("sys.exit()", "sys.exit(1)", "raise SystemExit('bye')"):
        fn = load_function(f"import sys\ndef rnn_step(x_t, h_prev, W_xh, W_hh, b_h):\n    {code}\n", "torch")
        checks.check("rnn_step", fn, "torch", widgets=False)
        out = capsys.readouterr().out
        assert out.startswith("❌ Your function called sys.exit()") and "Traceback" not in out


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


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_changing_a_numpy_input_in_place_gets_numpy_advice_in_any_notebook(framework):
    """normalise_splits takes NumPy arrays in both frameworks: the advice is .copy(), not a tensor's."""
    source = ("def normalise_splits(train, val, test):\n"
              "    mean, std = train.mean(axis=0), train.std(axis=0)\n"
              "    train -= mean\n    train /= std\n"
              "    return train, (val - mean) / std, (test - mean) / std\n")
    verdict = grade(EXERCISES["normalise_splits"], load_function(source, framework), framework)
    assert verdict.reason == "mutated-input" and "train = train.copy()" in verdict.message, str(verdict)


@pytest.mark.parametrize("message,expected", [
    ("in user code:\n\n    File \"<ipython-input-3>\", line 4, in step  *\n        return tf.matmul(a, b)\n\n"
     "    ValueError: Dimensions must be equal, but are 3 and 4", ("ValueError", "Dimensions must be equal, but are 3 and 4")),
    ("Exception encountered when calling LSTM.call().\n\n\x1b[1m{{function_node __wrapped__MatMul}} Matrix "
     "size-incompatible: In[0]: [2,6], In[1]: [5,16] [Op:MatMul] name: \x1b[0m\n\nArguments received by "
     "LSTM.call():\n  • inputs=tf.Tensor(shape=(2, 6), dtype=float32)",
     ("RuntimeError", "Matrix size-incompatible: In[0]: [2,6], In[1]: [5,16] [Op:MatMul]")),
    ("plain message\nsecond line", ("RuntimeError", "plain message")),
])
def test_a_framework_wrapper_is_reported_by_its_innermost_cause(message, expected):
    from helpers.checks.sandbox import innermost_cause, is_wrapped

    error = RuntimeError(message)
    assert innermost_cause(error) == expected
    assert is_wrapped(error) == (expected[1] != "plain message")


def test_a_keras_error_in_the_learners_code_is_one_line_with_its_cause():
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    layer = keras.layers.LSTM(3)
    layer.build((None, None, 5))                            # built for 5 features; the case has 3

    def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
        return layer(tf.expand_dims(x_t, 1))

    verdict = grade(EXERCISES["rnn_step"], rnn_step, "tensorflow")
    assert verdict.reason == "exception", str(verdict)
    assert "Exception encountered" not in verdict.message and "in user code" not in verdict.message
    assert "incompatible" in verdict.message.lower() or "must be equal" in verdict.message.lower(), verdict.message
    assert "\n" not in verdict.message


@pytest.mark.parametrize("framework,body", [
    ("torch", "    for g in grads:\n        g.mul_(0.5)\n    return grads\n"),
    ("tensorflow", "    for i in range(len(grads)):\n        grads[i] = grads[i] * 0.5\n    return grads\n"),
])
def test_clipping_in_place_is_told_the_function_returns_new_tensors(framework, body):
    ex = EXERCISES["clip_by_global_norm"]
    answer = load_function("def clip_by_global_norm(grads, max_norm):\n" + body, framework)
    verdict = grade(ex, answer, framework)
    assert verdict.reason == "mutated-input", str(verdict)
    assert "returns new tensors and leaves `grads` as they were" in verdict.message
    assert_speaks_only(framework, verdict.message.replace("tf.clip_by_global_norm", ""))
