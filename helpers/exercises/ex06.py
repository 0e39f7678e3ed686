"""Exercises of topic 06, "Sequence tasks": the decoder's inputs for teacher forcing, and sampling a
token with a temperature.

Tokens are integer ids; PAD = 0, START = 1, END = 2 in the course's examples, but the exercises take
the start (and end) token as an argument, and some cases use other ids. Sampling is made checkable
by handing the learner the uniform random numbers u (one per row): the sample is the first token
whose cumulative probability exceeds u (a cumulative value equal to u does not).
"""
import numpy as np

from helpers.checks import Exercise, Mistake, to_framework
from helpers.exercises.ex02 import MASK_SHAPE_ERROR

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


def _inverse_cdf(p, u, ties_early=False, clamp=True):
    """The first index whose cumulative probability exceeds u, per row (clamped to the last).

    ties_early: a cumulative value equal to u ends the search (cdf < u counted, one word early);
    clamp=False: V where rounding leaves the last cumulative value below u."""
    cdf = np.cumsum(p, axis=1)
    index = ((cdf < u[:, None]) if ties_early else (cdf <= u[:, None])).sum(axis=1)
    return (np.minimum(index, p.shape[1] - 1) if clamp else index).astype(np.int64)


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
            return _inverse_cdf(p, u.astype(np.float32), ties_early=kind == "ties-early",
                                clamp=kind != "no-clamp")
    return fn


# Rows of logits whose float32 softmax, summed up, stops 3 to 5 float32 steps (2^-24) below 1 in NumPy,
# PyTorch and TensorFlow (found by a search): with u = the largest float32 below 1, no cumulative value
# exceeds u, and only the clamp to V - 1 gives a token id.
_SHORT_OF_ONE = [(-2.75, 2.0, -2.75, 0.0, 0.0, -2.75), (-1.25, 2.0, -0.25, -2.75, 0.0, -1.25),
                 (1.0, 1.75, -0.75, -0.25, -1.5, 0.0)]


def _sample_cases():
    cases = []
    # the fifth case: logits near 10 at T = 0.05, so exp(logits / T) overflows in every row
    for B, V, scale, shift, temperature in [(300, 5, 2.0, 0, 1.0), (300, 4, 2.0, 0, 0.5),
                                            (300, 6, 2.0, 0, 2.0), (50, 5, 2.0, 0, 0.0),
                                            (200, 3, 1.0, 10, 0.05), (1, 7, 2.0, 0, 1.0)]:
        logits = (_rng.normal(size=(B, V)) * scale + shift).astype(np.float32)
        cases.append((logits, temperature, _rng.random(B).astype(np.float32)))
    # Ties: equal logits give exactly 1/4 per word, so u = 0.25, 0.5, 0.75 equals a cumulative value,
    # which does not exceed u: the sample is the next word.
    rng = np.random.default_rng(66)              # its own generator: later cases stay as they were
    ties = np.zeros((4, 4), dtype=np.float32)
    ties[3] = rng.normal(size=4) * 2
    cases.append((ties, 0.5, np.array([0.25, 0.5, 0.75, 0.6], dtype=np.float32)))
    # u just below 1, above every cumulative value of the first three rows (float32 rounding)
    near_one = np.array(_SHORT_OF_ONE + [list(rng.normal(size=6) * 2)], dtype=np.float32)
    u = np.array([np.nextafter(np.float32(1), np.float32(0))] * 3 + [0.3], dtype=np.float32)
    cases.append((near_one, 1.0, u))
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
        Mistake("ties-early", "The sample is the first word whose cumulative probability EXCEEDS u: a "
                              "cumulative value equal to u does not count, so count the entries <= u, not "
                              "< u (a searchsorted searches on the right side).", _sample("ties-early")),
        Mistake("no-clamp", "Clamp the index to V - 1: in float32 the last cumulative probability can "
                            "come out a hair below 1, and below a u close to 1, and then no word's "
                            "cumulative value exceeds u (your index is V, not a word).",
                _sample("no-clamp")),
    ],
    error_hint="logits is (B, V) and u is (B,): take the softmax over the last axis, and return one "
               "token id per row, shape (B,).",
)


# --------------------------------------------------------------------------- greedy_decode
def _decoder(V, H, seed, end_bias, end=2):
    """A small random decoder: embedding (V, H), tanh cell, output layer; the end token ``end`` made
    likely enough that some rows end early and some do not."""
    rng = np.random.default_rng(seed)
    E, W, U = (rng.normal(scale=0.8, size=(V, H)), rng.normal(scale=0.8, size=(H, H)),
               rng.normal(scale=0.5, size=(H, H)))
    b, O, c = rng.normal(scale=0.3, size=(H,)), rng.normal(scale=1.0, size=(H, V)), np.zeros(V)
    c[end] = end_bias
    return E, W, U, b, O, c


def _np_decoder_step(E, W, U, b, O, c):
    def step(tokens, h):
        h = np.tanh(E[tokens] @ W + h @ U + b)                   # (B, H)
        return h @ O + c, h                                      # logits (B, V), state
    return step


def _fw_decoder_step(E, W, U, b, O, c, fw):
    """The same step in the learner's framework: step(tokens (B,), h (B, H)) -> (logits, h)."""
    E, W, U, b, O, c = (to_framework(a, fw) for a in (E, W, U, b, O, c))
    if fw == "torch":
        import torch

        def step(tokens, h):
            h = torch.tanh(E[tokens.long()] @ W + h @ U + b)
            return h @ O + c, h
        return step
    import tensorflow as tf

    def step(tokens, h):
        h = tf.tanh(tf.gather(E, tokens) @ W + h @ U + b)
        return h @ O + c, h
    return step


def _greedy(kind=None):
    def fn(weights, h0, start_token, end_token, max_len, fw="numpy"):
        if kind == "notebook-ids":                               # data.START, data.END
            start_token, end_token = 1, 2
        if kind == "fixed-end":
            end_token = 2
        step = _np_decoder_step(*weights)
        B = h0.shape[0]
        tokens, h, out = np.full(B, start_token), h0, []
        steps = max_len - 1 if kind == "one-short" else max_len
        for _ in range(steps):
            logits, h_new = step(tokens, h0 if kind == "no-carry" else h)
            h = h_new
            nxt = logits.argmax(axis=1)
            out.append(nxt)
            if kind != "no-feedback":
                tokens = nxt
        out = np.stack(out, axis=1).astype(np.int64)             # (B, steps)
        if kind == "includes-start":
            out = np.concatenate([np.full((B, 1), start_token), out[:, :-1]], axis=1)
        if kind != "not-stopped":
            ended = np.cumsum(out == end_token, axis=1) > 0      # at or after the first END
            after = ended & ~(np.cumsum(ended, axis=1) == 1)     # strictly after it
            if kind == "stops-at-first-end":
                first = ended.any(axis=0)                        # any row has ended by then
                after = np.cumsum(first) > 1
                after = np.broadcast_to(after, out.shape)
            out = np.where(after, 0 if kind == "pads-with-zero" else end_token, out)
        return out.astype(np.int64)
    return fn


def _greedy_cases():
    """Seeds and END biases chosen (by a search) so that in each case with several rows some row
    ends after step 0, some row never ends, and the decoder would go on after an END. The last two
    cases use start and end ids other than the notebook's START = 1 and END = 2."""
    cases = []
    for B, V, H, max_len, seed, end_bias, start, end in [
            (6, 7, 4, 8, 4, 0.0, 1, 2), (1, 5, 3, 5, 7, -1.0, 1, 2), (4, 6, 5, 2, 2, -1.5, 1, 2),
            (5, 8, 4, 10, 1, 0.0, 1, 2), (3, 6, 3, 6, 1, 0.0, 1, 2), (4, 7, 4, 7, 31, 0.0, 5, 2),
            (3, 8, 3, 6, 30, 1.0, 6, 4)]:
        weights = _decoder(V, H, seed, end_bias, end)
        h0 = np.random.default_rng(seed + 10).normal(size=(B, H))
        cases.append((weights, h0, start, end, max_len))
    return cases


def _greedy_to_learner(case, fw):
    weights, h0, start, end, max_len = case
    return _fw_decoder_step(*weights, fw), to_framework(h0, fw), start, end, max_len


GREEDY_DECODE = Exercise(
    id="greedy_decode",
    title="Greedy decoding: feed each prediction back in",
    cases=_greedy_cases(),
    reference=_greedy(),
    to_learner=_greedy_to_learner,
    hints=["Start with tokens = the start token for every row and h = h0. At each of the max_len steps, "
           "call step(tokens, h), keep the returned state, take the most likely token of each row (argmax "
           "over the vocabulary, the last axis) and feed it back in as the next tokens.",
           "The result holds the max_len predicted tokens per row, (B, max_len), without the start token. "
           "Once a row has produced the end token, every later position of that row is the end token "
           "too (the row has finished; other rows may go on).",
           {"torch": "Collect the predictions in a list and torch.stack(..., dim=1). For the padding: "
                     "done = (out == end_token).long().cumsum(dim=1) counts the END tokens so far; positions "
                     "where done > 0 and that are not the first END are after it: use torch.where.",
            "tensorflow": "Collect the predictions in a list and tf.stack(..., axis=1). For the padding: "
                          "done = tf.cumsum(tf.cast(out == end_token, tf.int64), axis=1) counts the END tokens "
                          "so far; the positions strictly after the first END have done > 0 and a done > 0 "
                          "before them: use tf.where."}],
    solutions={
        "torch": '''\
def greedy_decode(step, h0, start_token, end_token, max_len):
    B = h0.shape[0]
    tokens = torch.full((B,), start_token, dtype=torch.long)
    h, out = h0, []
    for _ in range(max_len):
        logits, h = step(tokens, h)                  # (B, V), carry the state
        tokens = logits.argmax(dim=1)                # feed the prediction back in
        out.append(tokens)
    out = torch.stack(out, dim=1)                    # (B, max_len)
    seen = (out == end_token).long().cumsum(dim=1)   # END tokens so far
    before = torch.cat([torch.zeros_like(seen[:, :1]), seen[:, :-1]], dim=1)
    return torch.where(before > 0, torch.full_like(out, end_token), out)
''',
        "tensorflow": '''\
def greedy_decode(step, h0, start_token, end_token, max_len):
    B = h0.shape[0]
    tokens = tf.fill([B], start_token)
    h, out = h0, []
    for _ in range(max_len):
        logits, h = step(tokens, h)                  # (B, V), carry the state
        tokens = tf.argmax(logits, axis=1, output_type=tf.int32)   # fed back in
        out.append(tokens)
    out = tf.cast(tf.stack(out, axis=1), tf.int64)   # (B, max_len)
    seen = tf.cumsum(tf.cast(out == end_token, tf.int64), axis=1, exclusive=True)
    return tf.where(seen > 0, tf.constant(end_token, tf.int64), out)   # END before: pad
'''},
    mistakes=[
        Mistake("no-feedback", "Feed each step's prediction back in as the next input; yours gives the "
                               "decoder the start token at every step.", _greedy("no-feedback")),
        Mistake("no-carry", "Carry the state: each call gets the h returned by the call before it, not "
                            "h0.", _greedy("no-carry")),
        Mistake("not-stopped", "Once a row has produced the end token it has finished: every later "
                               "position of that row must be the end token, whatever the decoder would "
                               "say next.", _greedy("not-stopped")),
        Mistake("includes-start", "Return the predicted tokens only: the start token is the first input, "
                                  "not an output.", _greedy("includes-start")),
        Mistake("one-short", "Decode max_len steps: the result is (B, max_len).", _greedy("one-short")),
        Mistake("stops-at-first-end", "Each row stops at its own end token; the other rows go on "
                                      "decoding.", _greedy("stops-at-first-end")),
        Mistake("pads-with-zero", "After a row's end token, fill with the end token itself, not 0.",
                _greedy("pads-with-zero")),
        Mistake("notebook-ids", "Use the start_token and end_token you are given, not the notebook's "
                                "START and END: the function must decode with any ids (the check "
                                "uses other ones too).", _greedy("notebook-ids")),
        Mistake("fixed-end", "Compare the predictions with the end_token argument, not with a fixed id: "
                             "2 is the end token of the notebook's data only.", _greedy("fixed-end")),
    ],
    error_hint="step(tokens, h) takes tokens of shape (B,) (integers) and h of shape (B, H), and returns "
               "logits (B, V) and the new state (B, H); the result is (B, max_len).",
)



# --------------------------------------------------------------------------- attention_weights
def _attention(kind=None):
    def fn(query, keys, lengths, fw="numpy"):
        S = keys.shape[1]
        scores = np.einsum("bsh,bh->bs", keys, query)                    # (B, S): dot products
        if kind == "scaled":
            scores = scores / np.sqrt(keys.shape[2])
        real = np.arange(S)[None, :] < lengths[:, None]                  # (B, S)
        if kind not in ("no-mask", "mask-after-softmax"):
            scores = np.where(real, scores, -np.inf)
        if kind == "no-softmax":
            weights = np.where(real, scores, 0.0)
        elif kind == "hard":
            weights = (scores == scores.max(axis=1, keepdims=True)).astype(float)
        else:
            axis = 0 if kind == "softmax-batch-axis" else 1
            z = scores - scores.max(axis=axis, keepdims=True)
            e = np.exp(z)
            weights = e / e.sum(axis=axis, keepdims=True)       # NaN over the batch axis where a
                                                                 # position is padding in every row
        if kind == "mask-after-softmax":
            weights = weights * real                                     # no longer sums to 1
        if kind == "mean-of-keys":
            weights = real / real.sum(axis=1, keepdims=True)
        context = np.einsum("bs,bsh->bh", weights, keys)                 # (B, H)
        return weights, context
    return fn


def _attention_cases():
    cases = []
    # the last case: no row fills the padded length S (a mask as long as the longest row is too short)
    for B, S, H, lengths in [(3, 5, 4, [5, 2, 1]), (1, 4, 3, [4]), (4, 6, 2, [6, 3, 5, 1]),
                             (2, 3, 5, [1, 3]), (3, 7, 3, [7, 7, 4]), (3, 6, 3, [2, 5, 4])]:
        cases.append((_rng.normal(size=(B, H)), _rng.normal(size=(B, S, H)),
                      np.array(lengths, dtype=np.int64)))
    return cases


def _attention_to_learner(case, fw):
    query, keys, lengths = case
    lengths = lengths.astype(np.int32) if fw == "tensorflow" else lengths
    return to_framework(query, fw), to_framework(keys, fw), to_framework(lengths, fw)


ATTENTION_WEIGHTS = Exercise(
    id="attention_weights",
    title="Dot-product attention over the encoder's outputs",
    cases=_attention_cases(),
    reference=_attention(),
    to_learner=_attention_to_learner,
    output_names=("weights", "context"),
    hints=["The score of source position s is the dot product of the decoder's state (the query, (B, H)) "
           "with the encoder's output there (keys[:, s], (B, H)): scores (B, S). No scaling here: this is "
           "Luong's dot-product attention.",
           "Positions s >= lengths[b] are padding: give them a score of minus infinity before the softmax, "
           "so that their weight is exactly 0 and the real positions' weights still sum to 1. The softmax "
           "runs over the source positions (axis 1).",
           {"torch": "scores = (keys @ query[:, :, None])[:, :, 0]; mask with torch.arange(S)[None, :] < "
                     "lengths[:, None] and scores.masked_fill(~mask, float('-inf')); weights = "
                     "scores.softmax(dim=1); context = (weights[:, :, None] * keys).sum(dim=1).",
            "tensorflow": "scores = tf.einsum('bsh,bh->bs', keys, query); mask = tf.sequence_mask(lengths, S); "
                          "scores = tf.where(mask, scores, -float('inf')); weights = tf.nn.softmax(scores, "
                          "axis=1); context = tf.einsum('bs,bsh->bh', weights, keys)."}],
    solutions={
        "torch": '''\
def attention_weights(query, keys, lengths):
    S = keys.shape[1]
    scores = (keys @ query[:, :, None])[:, :, 0]             # (B, S): dot products
    real = torch.arange(S)[None, :] < lengths[:, None]       # (B, S): not padding
    scores = scores.masked_fill(~real, float("-inf"))
    weights = scores.softmax(dim=1)                          # over the source positions
    context = (weights[:, :, None] * keys).sum(dim=1)        # (B, H)
    return weights, context
''',
        "tensorflow": '''\
def attention_weights(query, keys, lengths):
    S = keys.shape[1]
    scores = tf.einsum("bsh,bh->bs", keys, query)            # (B, S): dot products
    real = tf.sequence_mask(lengths, S)                      # (B, S): not padding
    scores = tf.where(real, scores, -float("inf"))
    weights = tf.nn.softmax(scores, axis=1)                  # over the source positions
    context = tf.einsum("bs,bsh->bh", weights, keys)         # (B, H)
    return weights, context
'''},
    mistakes=[
        Mistake("no-mask", "The padded positions (s >= lengths[b]) must get no weight: set their scores to "
                           "minus infinity before the softmax.", _attention("no-mask")),
        Mistake("mask-after-softmax", "Mask before the softmax, not after: zeroing weights afterwards "
                                      "leaves the real positions' weights summing to less than 1.",
                _attention("mask-after-softmax")),
        Mistake("softmax-batch-axis", "Take the softmax over the source positions (axis 1): each row's "
                                      "weights sum to 1, not each position's over the batch.",
                _attention("softmax-batch-axis")),
        Mistake("no-softmax", "Turn the scores into weights with a softmax over the source positions; raw "
                              "dot products are not a weighted average.", _attention("no-softmax")),
        Mistake("scaled", "This is Luong's dot-product attention: no division by sqrt(H) (the Transformer "
                          "scales; here the scores are the plain dot products).", _attention("scaled")),
        Mistake("hard", "Attention is soft: every real position gets a share given by the softmax, not "
                        "all the weight on the best one.", _attention("hard")),
        Mistake("mean-of-keys", "The context is the average of the encoder's outputs weighted by the "
                                "attention weights, not their plain mean.", _attention("mean-of-keys")),
        Mistake("mask-shape", {
            "torch": "Your mask and the scores have different shapes: the mask must be (B, S) like the "
                     "scores, a column for every source position (S = keys.shape[1]), the padded ones "
                     "included. Built from lengths alone, torch.arange(lengths.max()) gives only as many "
                     "columns as the longest row.",
            "tensorflow": "Your mask and the scores have different shapes: the mask must be (B, S) like the "
                          "scores, a column for every source position (S = keys.shape[1]), the padded ones "
                          "included. tf.sequence_mask(lengths) without its maxlen argument gives only as many "
                          "columns as the longest row: pass S.",
            "numpy": "Your mask and the scores have different shapes: the mask must be (B, S) like the "
                     "scores, a column for every source position, the padded ones included."},
                raises=MASK_SHAPE_ERROR),
    ],
    error_hint="query is (B, H), keys (B, S, H), lengths (B,): the scores and weights are (B, S) and the "
               "context is (B, H).",
    output_hint="Return two things: the weights (B, S) and the context (B, H).",
)

EXERCISES = [SHIFT_RIGHT, SAMPLE_WITH_TEMPERATURE, GREEDY_DECODE, ATTENTION_WEIGHTS]
