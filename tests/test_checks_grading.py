"""Self-check engine, grading (helpers/checks/grading.py): which mistake, shape, output or value a verdict names."""

import numpy as np
import pytest

from conftest import load_function
from helpers import checks
from helpers.checks import grade
from helpers.exercises import EXERCISES

from test_checks import assert_speaks_only


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


def test_a_wrong_number_from_array_inputs_is_reported_on_one_line():
    ex = checks.Exercise(id="demo", title="", cases=[(np.arange(40.0).reshape(8, 5),)],
                         reference=lambda x, fw: x.mean(), hints=["Average every entry."], solutions={"numpy": ""})
    verdict = grade(ex, lambda x: x.sum(), "numpy")
    assert verdict.reason == "values" and "\n" not in verdict.message and "inputs" not in verdict.message
    count = checks.Exercise(id="count", title="", cases=[(3, 5)], reference=lambda D, H, fw: D * H,
                            hints=["h"], solutions={"numpy": ""})
    assert "(inputs (3, 5))" in grade(count, lambda D, H: D + H, "numpy").message     # numbers are still shown


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


def test_stacking_advice_names_the_framework_in_use():
    assert "np.stack" in grade(EXERCISES["softmax"], lambda z: [np.exp(r) / np.exp(r).sum() for r in z],
                               "numpy").message
    for fw, stack in (("torch", "torch.stack"), ("tensorflow", "tf.stack"), ("numpy", "np.stack")):
        fn = load_function("def rnn_forward(X, h0, step):\n    return [step(X[:, t], h0) for t in range(X.shape[1])], h0\n",
                           fw)
        verdict = grade(EXERCISES["rnn_forward"], fn, fw)
        assert verdict.reason == "type" and stack in verdict.message, str(verdict)
        assert_speaks_only(fw, verdict.message)


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


@pytest.mark.parametrize("exercise_id", ["rnn_step", "lstm_step", "gru_step", "attention_weights"])
@pytest.mark.parametrize("written,graded_as,named", [("torch", "tensorflow", "torch"),
                                                     ("tensorflow", "torch", "tf")])
def test_code_of_the_other_framework_is_never_blamed(exercise_id, written, graded_as, named):
    """check("rnn_step", "tf") in the PyTorch notebook: the learner's right code is not called wrong.
    (TensorFlow's ops accept PyTorch's CPU tensors, so TensorFlow code may simply pass as PyTorch.)"""
    ex = EXERCISES[exercise_id]
    if written not in ex.solutions or graded_as not in ex.solutions:
        pytest.skip("one framework only")
    verdict = grade(ex, load_function(ex.solutions[written], written), graded_as)
    assert verdict.ok or verdict.reason == "framework-mismatch", str(verdict)
    if not verdict.ok:
        assert f'check("{exercise_id}", "{named}")' in verdict.message
    if written == "torch":
        assert verdict.reason == "framework-mismatch", str(verdict)


def test_framework_free_code_is_graded_in_either_framework():
    ex = EXERCISES["rnn_step"]
    verdict = grade(ex, lambda x_t, h_prev, W_xh, W_hh, b_h: x_t, "tensorflow")
    assert verdict.reason != "framework-mismatch"
