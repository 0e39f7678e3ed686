"""Exercises of topic 06, "Sequence tasks": the decoder's inputs for teacher forcing, and sampling a
token with a temperature.

Tokens are integer ids; PAD = 0, START = 1, END = 2 in the course's examples, but the exercises take
the start token as an argument. Sampling is made checkable by handing the learner the uniform random
numbers u (one per row): the sample is the first token whose cumulative probability exceeds u.
"""
import numpy as np

from helpers.checks import Exercise, Mistake, to_framework

_rng = np.random.default_rng(6)


# --------------------------------------------------------------------------- shift_right
def _shift(kind=None):
    """Decoder inputs from targets (B, T): right (kind None) or with one known mistake."""
    def fn(targets, start_token, fw="numpy"):
        B = targets.shape[0]
        start = np.full((B, 1), start_token, dtype=targets.dtype)
        if kind == "not-shifted":
            return targets
        if kind == "shifted-left":
            return np.concatenate([targets[:, 1:], start], axis=1)
        if kind == "start-at-end":
            return np.concatenate([targets[:, :-1], start], axis=1)
        if kind == "drops-first":
            return np.concatenate([start, targets[:, 1:]], axis=1)
        if kind == "zero-start":
            return np.concatenate([np.zeros_like(start), targets[:, :-1]], axis=1)
        if kind == "wrapped":
            return np.roll(targets, 1, axis=1)
        if kind == "batch-axis":
            return np.concatenate([np.full((1, targets.shape[1]), start_token, targets.dtype),
                                   targets[:-1]], axis=0)
        return np.concatenate([start, targets[:, :-1]], axis=1)
    return fn


def _shift_cases():
    cases = []
    for B, T, start in [(3, 5, 1), (1, 1, 1), (4, 2, 1), (2, 6, 11), (1, 4, 1)]:
        cases.append((_rng.integers(3, 13, size=(B, T)).astype(np.int64), start))
    return cases


SHIFT_RIGHT = Exercise(
    id="shift_right",
    title="The decoder's inputs for teacher forcing",
    cases=_shift_cases(),
    reference=_shift(),
    to_learner=lambda case, fw: (to_framework(case[0], fw), case[1]),
    hints=["At step t the decoder must see the token it should have produced at step t - 1: the "
           "targets moved one step to the right, with the start token in front. The last target is "
           "never an input (nothing comes after it), so the result has the same shape (B, T).",
           {"torch": "Make a (B, 1) column of start tokens with torch.full((B, 1), start_token, "
                     "dtype=targets.dtype) and put it in front of targets[:, :-1] with torch.cat(..., "
                     "dim=1).",
            "tensorflow": "Make a (B, 1) column of start tokens with tf.fill([B, 1], tf.cast(start_token, "
                          "targets.dtype)) and put it in front of targets[:, :-1] with tf.concat(..., "
                          "axis=1)."}],
    solutions={
        "torch": '''\
def shift_right(targets, start_token):
    B = targets.shape[0]
    start = torch.full((B, 1), start_token, dtype=targets.dtype)   # (B, 1)
    return torch.cat([start, targets[:, :-1]], dim=1)              # (B, T)
''',
        "tensorflow": '''\
def shift_right(targets, start_token):
    B = tf.shape(targets)[0]
    start = tf.fill([B, 1], tf.cast(start_token, targets.dtype))   # (B, 1)
    return tf.concat([start, targets[:, :-1]], axis=1)             # (B, T)
'''},
    mistakes=[
        Mistake("not-shifted", "These are the targets themselves: at step t the decoder would be shown "
                               "the very token it must predict. Shift them one step to the right, behind "
                               "the start token.", _shift("not-shifted")),
        Mistake("shifted-left", "That moves the targets to the LEFT (the decoder would see the future). "
                                "The start token goes in front and the last target is dropped.",
                _shift("shifted-left")),
        Mistake("start-at-end", "The start token belongs at position 0, in front of the targets, not "
                                "at the end.", _shift("start-at-end")),
        Mistake("drops-first", "Keep the FIRST target and drop the last one: position t must hold "
                               "target t - 1, so target 0 follows the start token.", _shift("drops-first")),
        Mistake("zero-start", "Position 0 must hold the start token you were given, not 0 (padding).",
                _shift("zero-start")),
        Mistake("wrapped", "Rolling wraps the last target round to position 0; position 0 must hold the "
                           "start token instead.", _shift("wrapped")),
        Mistake("batch-axis", "Shift along the time axis (axis 1), not the batch axis: every row gets its "
                              "own start token.", _shift("batch-axis")),
    ],
    error_hint="targets is (B, T), batch first: put a (B, 1) column of start tokens in front of the "
               "first T - 1 steps, so that the result is (B, T) again.",
)


# --------------------------------------------------------------------------- sample_with_temperature
def _softmax(z, axis=1):
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def _inverse_cdf(p, u):
    """The first index whose cumulative probability exceeds u, per row (clamped to the last)."""
    cdf = np.cumsum(p, axis=1)
    return np.minimum((cdf <= u[:, None]).sum(axis=1), p.shape[1] - 1).astype(np.int64)


def _sample(kind=None):
    def fn(logits, temperature, u, fw="numpy"):
        logits = logits.astype(np.float32)
        if kind == "argmax-always" or (temperature == 0 and kind != "no-zero-case"):
            return logits.argmax(axis=1).astype(np.int64)
        with np.errstate(all="ignore"):
            if kind == "multiplied":
                p = _softmax(logits * np.float32(temperature))
            elif kind == "softmax-first":
                p = _softmax(logits) / np.float32(temperature)
            elif kind == "wrong-axis":
                p = _softmax(logits / np.float32(temperature), axis=0)
            elif kind == "no-max-subtraction":
                e = np.exp(logits / np.float32(temperature))         # overflows in float32
                p = e / e.sum(axis=1, keepdims=True)
            else:                                                    # right, or no-zero-case at T = 0
                p = _softmax(logits / np.float32(temperature))
            return _inverse_cdf(p, u.astype(np.float32))
    return fn


def _sample_cases():
    cases = []
    # the fifth case: logits near 10 at T = 0.05, so exp(logits / T) overflows in every row
    for B, V, scale, shift, temperature in [(300, 5, 2.0, 0, 1.0), (300, 4, 2.0, 0, 0.5),
                                            (300, 6, 2.0, 0, 2.0), (50, 5, 2.0, 0, 0.0),
                                            (200, 3, 1.0, 10, 0.05), (1, 7, 2.0, 0, 1.0)]:
        logits = (_rng.normal(size=(B, V)) * scale + shift).astype(np.float32)
        cases.append((logits, temperature, _rng.random(B).astype(np.float32)))
    return cases


SAMPLE_WITH_TEMPERATURE = Exercise(
    id="sample_with_temperature",
    title="Sample a token with a temperature",
    cases=_sample_cases(),
    reference=_sample(),
    to_learner=lambda case, fw: (to_framework(case[0], fw), case[1], to_framework(case[2], fw)),
    hints=["Divide the logits by the temperature, then take a softmax over the vocabulary (the last "
           "axis): T = 1 leaves the distribution as it is, T < 1 sharpens it, T > 1 flattens it. "
           "Temperature 0 is the limit of ever sharper distributions: return the argmax, without "
           "dividing by zero.",
           {"torch": "Sample by the inverse of the cumulative distribution: cdf = probs.cumsum(dim=1); "
                     "the sample of row b is the number of entries of cdf[b] that are <= u[b], that is "
                     "(cdf <= u[:, None]).sum(dim=1), clamped to V - 1 against rounding. torch.softmax "
                     "subtracts the maximum for you, so small temperatures do not overflow.",
            "tensorflow": "Sample by the inverse of the cumulative distribution: cdf = tf.cumsum(probs, "
                          "axis=1); the sample of row b is the number of entries of cdf[b] that are <= u[b], "
                          "tf.reduce_sum(tf.cast(cdf <= u[:, None], tf.int64), axis=1), clamped to V - 1 "
                          "against rounding. tf.nn.softmax subtracts the maximum for you, so small "
                          "temperatures do not overflow."}],
    solutions={
        "torch": '''\
def sample_with_temperature(logits, temperature, u):
    if temperature == 0:                                  # the limit T -> 0: greedy
        return logits.argmax(dim=1)
    probs = torch.softmax(logits / temperature, dim=1)    # (B, V)
    cdf = probs.cumsum(dim=1)
    index = (cdf <= u[:, None]).sum(dim=1)                # first k with cdf[k] > u
    return index.clamp(max=logits.shape[1] - 1)
''',
        "tensorflow": '''\
def sample_with_temperature(logits, temperature, u):
    if temperature == 0:                                  # the limit T -> 0: greedy
        return tf.argmax(logits, axis=1)
    probs = tf.nn.softmax(logits / temperature, axis=1)   # (B, V)
    cdf = tf.cumsum(probs, axis=1)
    index = tf.reduce_sum(tf.cast(cdf <= u[:, None], tf.int64), axis=1)
    return tf.minimum(index, logits.shape[1] - 1)         # first k with cdf[k] > u
'''},
    mistakes=[
        Mistake("multiplied", "Divide the logits by the temperature: multiplying makes a high "
                              "temperature sharper instead of flatter.", _sample("multiplied")),
        Mistake("softmax-first", "Scale the logits before the softmax: dividing the probabilities by T "
                                 "afterwards does not give a distribution (they no longer sum to 1), and "
                                 "it is not what a temperature does.", _sample("softmax-first")),
        Mistake("no-zero-case", "Temperature 0 means greedy: return the argmax (dividing by 0 gives "
                                "infinities and NaNs).", _sample("no-zero-case")),
        Mistake("argmax-always", "Only temperature 0 is greedy: for T > 0 draw the sample from the "
                                 "distribution with u, so that less likely tokens come up too.",
                _sample("argmax-always")),
        Mistake("wrong-axis", "Take the softmax over the vocabulary (axis 1), not over the batch: each "
                              "row is its own distribution.", _sample("wrong-axis")),
        Mistake("no-max-subtraction", "At small temperatures logits / T is large and exp overflows to "
                                      "infinity: subtract each row's maximum before exp (the built-in "
                                      "softmax does), which leaves the distribution unchanged.",
                _sample("no-max-subtraction")),
    ],
    error_hint="logits is (B, V) and u is (B,): take the softmax over the last axis, and return one "
               "token id per row, shape (B,).",
)
EXERCISES = [SHIFT_RIGHT, SAMPLE_WITH_TEMPERATURE]
