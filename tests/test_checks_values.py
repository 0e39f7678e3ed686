"""Self-check engine, values (helpers/checks/values.py): NumPy cases to tensors and learner outputs back."""

import numpy as np
import pytest

from conftest import load_function
from helpers import checks
from helpers.checks import grade
from helpers.exercises import EXERCISES

from test_checks import assert_speaks_only


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


def test_to_numpy_rejects_lists_with_a_description():
    with pytest.raises(checks.NotAnArray, match="list of 2 items"):
        checks.to_numpy([np.zeros(2), np.zeros(2)])


def test_a_list_of_numbers_is_an_array_but_a_list_of_arrays_is_not():
    import torch

    assert checks.to_numpy([1.0, 2, np.float32(3.5), torch.tensor(4.0)]).tolist() == [1.0, 2.0, 3.5, 4.0]
    assert checks.to_numpy(()).shape == (0,)
    with pytest.raises(checks.NotAnArray, match="list of 2 items"):
        checks.to_numpy([[1.0], [2.0]])


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
