"""The fixed cases of every exercise vary what a learner could hard-code.

A wrong answer that relies on a property every case shares passes the check: one that
uses the notebook's START and END instead of its arguments when every case uses those
ids, one that ignores h0 when every h0 is zero, a mask as long as the longest row when
every case has a full-length row. So, over the cases of each exercise:

* no argument is the same in every case (a number, an id, a flag, or an array with the
  same values);
* no array (an argument, or one inside a tuple, list or dict argument: weights, biases,
  initial states) is all zeros in every case, nor is any parameter of a layer that the
  check builds from the case (nn.LSTM's bias_hh_l0, ...);
* an argument of lengths has, in at least one case, every length below the padded length
  of its sequence (so that a mask or index built from the longest length is too short).

An exception needs an entry in ALLOWED saying why the exercise's prompt fixes that
argument.
"""
import inspect
import re

import numpy as np
import pytest

from helpers.checks import Exercise
from helpers.exercises import EXERCISES

# (exercise id, argument) -> why the prompt fixes it. Keep it short: each entry must be
# needed (a test says when one is not).
ALLOWED: dict[tuple[str, str], str] = {}

# Arguments of lengths (arrays, by their name), and for each exercise that has one, the
# argument whose axis 1 is the padded length.
LENGTHS_NAME = re.compile(r"(^|_)(len|lens|length|lengths)$")
PADDED = {"last_valid_state": "outputs", "masked_mean_loss": "step_losses",
          "bidirectional_forward": "x", "attention_weights": "keys"}


def argument_names(ex: Exercise) -> list[str]:
    """The reference's argument names (without fw), or "argument 1", ... without them."""
    n = len(ex.cases[0])
    try:
        params = inspect.signature(ex.reference).parameters.values()
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params
             if p.name != "fw"
             and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return names if len(names) == n else [f"argument {i + 1}" for i in range(n)]


def arrays_in(value, path=()):
    """(path, array) for each NumPy array in a value, or in its tuples, lists, dicts."""
    if isinstance(value, np.ndarray):
        yield path, value
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from arrays_in(item, path + (i,))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from arrays_in(item, path + (key,))


def same(a, b) -> bool:
    """Equal values: numbers by value and type, arrays by shape and values, containers
    item by item."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
                and a.shape == b.shape and bool(np.array_equal(a, b)))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(same(x, y) for x, y in zip(a, b)))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def violations(ex: Exercise) -> list[tuple[str, str]]:
    """(argument, what is wrong) for every way the cases of ``ex`` break the rule."""
    names = argument_names(ex)
    found = []
    for i, name in enumerate(names):
        values = [case[i] for case in ex.cases]
        if all(same(values[0], v) for v in values[1:]):
            found.append((name, f"the same in all {len(values)} cases"))
        by_path = {}
        for value in values:
            for path, array in arrays_in(value):
                by_path.setdefault(path, []).append(array)
        for path, arrays in by_path.items():
            if all(not np.any(a) for a in arrays):
                where = name + "".join(f"[{p!r}]" for p in path)
                found.append((name, f"{where} is all zeros in every case"))
        if not (LENGTHS_NAME.search(name)                 # lengths, but not max_len
                and all(isinstance(v, np.ndarray) for v in values)):
            continue
        if ex.id not in PADDED:
            found.append((name, "lengths: add its padded sequence argument to PADDED"))
            continue
        j = names.index(PADDED[ex.id])
        if not any(np.all(case[i] < case[j].shape[1]) for case in ex.cases):
            found.append((name, f"no case has every length below "
                                f"{PADDED[ex.id]}.shape[1], the padded length"))
    return found


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_the_cases_vary_every_argument(exercise_id):
    ex = EXERCISES[exercise_id]
    left = [(name, what) for name, what in violations(ex)
            if (exercise_id, name) not in ALLOWED]
    assert not left, f"{exercise_id}: " + "; ".join(f"{n}: {what}" for n, what in left)


def test_every_allowance_is_still_needed():
    for (exercise_id, name), why in ALLOWED.items():
        assert why, (exercise_id, name)
        assert any(n == name for n, _ in violations(EXERCISES[exercise_id])), \
            f"{exercise_id}/{name} no longer breaks the rule: remove it from ALLOWED"


def _toy(cases, reference=lambda x, ids, lengths, fw: x):
    return Exercise(id="toy", title="", cases=cases, reference=reference, hints=["h"],
                    solutions={})


def test_the_rule_sees_constant_ids_zero_states_and_full_lengths():
    rng = np.random.default_rng(0)
    ok = [(rng.normal(size=(2, 4)), 1, np.array([4, 2])),
          (rng.normal(size=(3, 5)), 2, np.array([2, 3, 1]))]
    PADDED["toy"] = "x"
    try:
        assert violations(_toy(ok)) == []
        constant = [(x, 1, lengths) for x, _, lengths in ok]
        assert violations(_toy(constant)) == [("ids", "the same in all 2 cases")]
        full = [(x, ids, np.full(len(x), x.shape[1])) for x, ids, _ in ok]
        assert [what for _, what in violations(_toy(full))] == [
            "no case has every length below x.shape[1], the padded length"]
        zero_state = [(x, (ids, np.zeros(3)), lengths) for x, ids, lengths in ok]
        assert violations(_toy(zero_state)) == [
            ("ids", "ids[1] is all zeros in every case")]
    finally:
        del PADDED["toy"]
    # lengths without a known sequence argument, and a reference without argument names
    assert violations(_toy(ok))[0][1].startswith("lengths: add")
    assert argument_names(_toy(ok, reference=lambda *case, fw: case[0])) == [
        "argument 1", "argument 2", "argument 3"]


# ================================================== what the check builds from a case
def layer_parameters(args, fw: str) -> dict[str, np.ndarray]:
    """name -> values of each parameter of the framework layers among the learner's
    arguments."""
    found = {}
    for k, arg in enumerate(args):
        if fw == "torch":
            import torch
            if isinstance(arg, torch.nn.Module):
                found.update({f"argument {k + 1}.{n}": p.detach().numpy().copy()
                              for n, p in arg.named_parameters()})
        elif hasattr(arg, "weights") and hasattr(arg, "build"):        # a Keras layer
            found.update({f"argument {k + 1}.{w.path}": np.array(w.numpy())
                          for w in arg.weights})
    return found


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_no_parameter_of_a_layer_the_check_builds_is_zero_in_every_case(framework):
    """A layer built from the case (nn.LSTM, keras.layers.LSTM, ...) holds no parameter
    that is zero in every case: a step written by hand that leaves out bias_hh_l0 must be
    wrong."""
    for eid, ex in sorted(EXERCISES.items()):
        if ex.to_learner is None or framework not in ex.solutions:
            continue
        by_name = {}
        for case in ex.cases:
            args = ex.learner_args(case, framework)
            for name, values in layer_parameters(args, framework).items():
                by_name.setdefault(name, []).append(values)
        zero = [name for name, values in by_name.items()
                if not any(np.any(v) for v in values)]
        assert not zero, f"{eid}/{framework}: {', '.join(zero)} zero in every case"


def test_sampling_cases_hold_a_tie_and_a_u_above_every_cumulative_value():
    """sample_with_temperature: a u equal to a cumulative probability (the sample is the
    next word), and a u above the last cumulative probability, which float32 rounding
    leaves just below 1 (the index must be clamped to V - 1)."""
    tie = above = False
    for logits, temperature, u in EXERCISES["sample_with_temperature"].cases:
        if temperature == 0:
            continue
        z = logits.astype(np.float32) / np.float32(temperature)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        cdf = np.cumsum(e / e.sum(axis=1, keepdims=True), axis=1)
        tie |= bool((cdf == u[:, None]).any())
        above |= bool((cdf[:, -1] < u).any())
    assert tie and above, (tie, above)
