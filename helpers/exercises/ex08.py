"""Exercises of topic 08, "Limits of RNNs and what came after": the causal mask of self-attention
(what lets a Transformer decoder train on every position at once without seeing the future), and
streaming inference with an LSTM, where carrying the state (h, c) from chunk to chunk gives exactly
the outputs of one run over the whole sequence, with memory that does not grow with its length; and
the Transformer's sinusoidal positional encodings (NumPy in both frameworks), which give attention
the order that a recurrent network gets for free.

The attention weights are graded against a NumPy softmax; the streamed LSTM against a NumPy LSTM
holding the case's weights (gate order i, f, g, o, the order of both frameworks), which the check
copies into a framework layer without drawing random numbers.
"""
import numpy as np

from helpers.checks import Exercise, Mistake, to_framework

_rng = np.random.default_rng(8)


# --------------------------------------------------------------------------- causal_attention_weights
def _causal(kind=None):
    """Causal softmax weights (B, T, T) from scores (B, T, T): right (kind None) or one known mistake."""
    def fn(scores, fw="numpy"):
        T = scores.shape[-1]
        i, j = np.arange(T)[:, None], np.arange(T)[None, :]
        keep = {"transposed": j >= i, "strict": j < i, "strict-finite": j < i}.get(kind, j <= i)   # (T, T)
        s = scores.astype(np.float64)
        if kind == "scaled-again":
            s = s / np.sqrt(T)
        if kind == "zero-scores":
            s = s * keep                                   # the future scores become 0
        elif kind == "strict-finite":
            s = np.where(keep, s, -1e9)                    # row 0 all -1e9: spread evenly over every key
        elif kind not in ("no-mask", "after-softmax"):
            s = np.where(keep, s, -np.inf)                 # strict: row 0 all -inf, so 0/0 = NaN
        axis = 1 if kind == "softmax-queries" else 2
        with np.errstate(invalid="ignore"):
            e = np.exp(s - s.max(axis=axis, keepdims=True))
            w = e / e.sum(axis=axis, keepdims=True)
        if kind == "after-softmax":
            w = w * keep                                   # rows no longer sum to 1
        return w
    return fn


def _causal_cases():
    """Scores of both signs (a score of 0 is not the smallest), T from 1 to 6, B = 1 and several;
    the first case has B != T."""
    return [(_rng.normal(scale=1.5, size=(B, T, T)),) for B, T in [(2, 4), (1, 1), (3, 6), (1, 5), (4, 3), (2, 2)]]


_STRICT = "Each position may attend to itself too: keep the diagonal (keys j <= i, not j < i)."

CAUSAL_ATTENTION_WEIGHTS = Exercise(
    id="causal_attention_weights",
    title="A causal mask for self-attention",
    cases=_causal_cases(),
    reference=_causal(),
    hints=["Position i may attend to the keys 0, 1, ..., i (itself included) and to none after it: the allowed "
           "pairs (i, j) are the lower triangle of a (T, T) matrix, diagonal included. Give every other score "
           "minus infinity BEFORE the softmax over the keys (the last axis): its weight comes out exactly 0 and "
           "each row still sums to 1.",
           "One (T, T) mask serves the whole batch: it broadcasts against the (B, T, T) scores. The scores are "
           "already scaled, so use them as they are.",
           {"torch": "mask = torch.ones(T, T, dtype=torch.bool).tril() is True on and below the diagonal; "
                     "scores.masked_fill(~mask, float('-inf')) hides the future, and .softmax(dim=-1) takes the "
                     "softmax over the keys.",
            "tensorflow": "mask = tf.linalg.band_part(tf.ones((T, T)), -1, 0) is 1 on and below the diagonal; "
                          "tf.where(mask > 0, scores, -float('inf')) hides the future, and tf.nn.softmax(..., "
                          "axis=-1) takes the softmax over the keys."}],
    solutions={
        "torch": '''\
def causal_attention_weights(scores):
    T = scores.shape[-1]
    mask = torch.ones(T, T, dtype=torch.bool).tril()         # (T, T): True where j <= i
    scores = scores.masked_fill(~mask, float("-inf"))        # the future gets no weight
    return scores.softmax(dim=-1)                            # (B, T, T): over the keys
''',
        "tensorflow": '''\
def causal_attention_weights(scores):
    T = scores.shape[-1]
    mask = tf.linalg.band_part(tf.ones((T, T)), -1, 0)       # (T, T): 1 where j <= i
    scores = tf.where(mask > 0, scores, -float("inf"))       # the future gets no weight
    return tf.nn.softmax(scores, axis=-1)                    # (B, T, T): over the keys
'''},
    mistakes=[
        Mistake("transposed", "Your mask keeps the keys at and AFTER each position (the future) and hides the "
                              "past: position i may attend to the keys 0 to i, the lower triangle of the mask, "
                              "diagonal included.", _causal("transposed")),
        Mistake("after-softmax", "Mask before the softmax, not after it: zeroing the future weights afterwards "
                                 "leaves each row summing to less than 1.", _causal("after-softmax")),
        Mistake("no-mask", "Every position still attends to the keys after it: hide the future keys (j > i) by "
                           "giving their scores minus infinity before the softmax.", _causal("no-mask")),
        Mistake("strict", _STRICT + " Without it position 0 has no key left at all, which is where the NaN in "
                                    "the first row comes from.", _causal("strict")),
        Mistake("strict", _STRICT + " Without it position 0 has no key left, so its weights get spread evenly "
                                    "over every key, future ones included.", _causal("strict-finite")),
        Mistake("zero-scores", "Multiplying the scores by the 0/1 mask sets the future scores to 0, and a score "
                               "of 0 still gets weight after the softmax (more than a negative score): the "
                               "future needs minus infinity instead.", _causal("zero-scores")),
        Mistake("softmax-queries", "Take the softmax over the keys, the last axis: each query's row must sum "
                                   "to 1, not each key's column.", _causal("softmax-queries")),
        Mistake("scaled-again", "The scores you are given are already scaled: take the softmax of them as they "
                                "are, without dividing by sqrt(T) (or anything else) again.",
                _causal("scaled-again")),
    ],
    error_hint="scores is (B, T, T), a row per query position i and a column per key position j: build a (T, T) "
               "mask of the allowed pairs (j <= i), which broadcasts over the batch, and return weights of the "
               "same shape (B, T, T).",
)


# --------------------------------------------------------------------------- stream_lstm
def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _lstm_run(W_x, W_h, b, x, h, c):
    """One LSTM over x (B, t, D) from (h, c), gates i, f, g, o: outputs (B, t, H) and the final h, c."""
    H = W_h.shape[0]
    outs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ W_x + h @ W_h + b                                     # (B, 4H)
        i, f, g, o = (z[:, k * H:(k + 1) * H] for k in range(4))
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        outs.append(h)
    return np.stack(outs, axis=1), h, c


def _stream(kind=None):
    """The chunks' outputs concatenated (B, T, H): the state carried right (kind None) or one known mistake.

    The LSTM's gates get both biases, b_ih + b_hh (PyTorch keeps two, Keras their sum); "missing-bias" is
    a step written by hand that leaves out bias_hh_l0 (PyTorch) or the one bias (TensorFlow)."""
    def fn(W_x, W_h, b_ih, b_hh, chunks, fw="numpy"):
        b = b_ih + b_hh
        if kind == "missing-bias":
            b = b_ih if fw == "torch" else np.zeros_like(b)
        zeros = np.zeros((chunks[0].shape[0], W_h.shape[0]))
        h, c, outs = zeros, zeros, []
        for k, x in enumerate(chunks):
            out, h_new, c_new = _lstm_run(W_x, W_h, b, x.astype(np.float64), h, c)
            outs.append(out)
            if kind == "reset-per-chunk":
                h, c = zeros, zeros
            elif kind == "h-only":
                h, c = h_new, zeros
            elif kind == "c-only":
                h, c = zeros, c_new
            elif kind == "swapped":
                h, c = c_new, h_new
            elif kind == "first-state-only":
                h, c = (h_new, c_new) if k == 0 else (h, c)
            elif kind == "output-as-cell":
                h, c = out[:, -1], out[:, -1]
            else:
                h, c = h_new, c_new
        return np.concatenate(outs, axis=1)
    return fn


def _stream_cases():
    """(W_x (D, 4H), W_h (H, 4H), b_ih (4H,), b_hh (4H,), chunks): weights of scale 0.5, so that the state
    matters, and two non-zero biases. The first case has chunks of unequal lengths; one case is a single
    chunk; chunks of length 1; B = 1; D != H."""
    cases = []
    bias_rng = np.random.default_rng(88)          # its own generator: the other draws stay as they were
    for B, D, H, lengths in [(2, 3, 4, [3, 1, 4, 2]), (1, 2, 3, [5]), (3, 4, 2, [2, 2, 2]), (1, 3, 5, [1, 1, 3]),
                             (2, 2, 3, [4, 3, 1]), (2, 5, 4, [2, 5, 3, 1])]:
        W_x, W_h = _rng.normal(scale=0.5, size=(D, 4 * H)), _rng.normal(scale=0.5, size=(H, 4 * H))
        b_ih, b_hh = _rng.normal(scale=0.5, size=4 * H), bias_rng.normal(scale=0.5, size=4 * H)
        cases.append((W_x, W_h, b_ih, b_hh, [_rng.normal(size=(B, t, D)) for t in lengths]))
    return cases


def _stream_to_learner(case, fw):
    """A one-layer LSTM of the framework holding the case's weights, and the chunks as a list of tensors."""
    W_x, W_h, b_ih, b_hh, chunks = case
    D, H = W_x.shape[0], W_h.shape[0]
    if fw == "torch":
        import torch
        from torch import nn
        # made on the meta device, then given (uninitialised) memory: no random init, the notebook's RNG is
        # untouched (nn.utils.skip_init does this for modules that take a `device` argument; nn.LSTM's is hidden)
        lstm = nn.LSTM(D, H, batch_first=True, device="meta").to_empty(device="cpu")
        with torch.no_grad():
            for param, value in [(lstm.weight_ih_l0, W_x.T), (lstm.weight_hh_l0, W_h.T), (lstm.bias_ih_l0, b_ih),
                                 (lstm.bias_hh_l0, b_hh)]:
                param.copy_(torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)))
    elif fw == "tensorflow":
        import keras
        # zero initialisers, a fixed (dropout) seed and a fixed name: building the layer draws no random numbers
        # and uses no layer-name counter, so the notebook's later results do not depend on the check
        lstm = keras.layers.LSTM(H, return_sequences=True, return_state=True, kernel_initializer="zeros",
                                 recurrent_initializer="zeros", bias_initializer="zeros", seed=0,
                                 name="checked_lstm")
        lstm.build((None, None, D))
        for var, value in [(lstm.cell.kernel, W_x), (lstm.cell.recurrent_kernel, W_h),
                           (lstm.cell.bias, b_ih + b_hh)]:                  # Keras keeps one bias, the sum
            var.assign(value.astype(np.float32))
    else:
        return case
    return lstm, [to_framework(x, fw) for x in chunks]


def _fw_text(torch_text, tf_text):
    return {"torch": torch_text, "tensorflow": tf_text, "numpy": torch_text}


STREAM_LSTM = Exercise(
    id="stream_lstm",
    title="Streaming inference with carried state",
    cases=_stream_cases(),
    reference=_stream(),
    to_learner=_stream_to_learner,
    atol=1e-6,
    hints=["Call the layer on each chunk in turn and hand the state it returns, (h, c), to the call on the next "
           "chunk; only the first chunk starts from zeros (no state given). Keep each chunk's outputs and join "
           "them along the time axis (axis 1): (B, T, H).",
           "Carried this way, the chunks give exactly the outputs of one run over the whole sequence: the LSTM "
           "cannot tell where one chunk ended and the next began. Update the carried state after EVERY chunk, "
           "and carry both h and c, in the order the layer returned them.",
           _fw_text("out, (h, c) = lstm(chunk, state), with state = None for the first chunk, then state = (h, c) "
                    "for the next one; collect each out (B, t_k, H) in a list and join them with "
                    "torch.cat(outs, dim=1).",
                    "out, h, c = lstm(chunk, initial_state=state), with state = None for the first chunk, then "
                    "state = [h, c] for the next one; collect each out (B, t_k, H) in a list and join them with "
                    "tf.concat(outs, axis=1).")],
    solutions={
        "torch": '''\
def stream_lstm(lstm, chunks):
    state = None                                  # the first chunk starts from zeros
    outs = []
    for chunk in chunks:                          # (B, t_k, D), one after the other
        out, (h, c) = lstm(chunk, state)          # out (B, t_k, H); h, c (1, B, H)
        state = (h, c)                            # carried into the next chunk
        outs.append(out)
    return torch.cat(outs, dim=1)                 # (B, T, H)
''',
        "tensorflow": '''\
def stream_lstm(lstm, chunks):
    state = None                                  # the first chunk starts from zeros
    outs = []
    for chunk in chunks:                          # (B, t_k, D), one after the other
        out, h, c = lstm(chunk, initial_state=state)   # out (B, t_k, H); h, c (B, H)
        state = [h, c]                            # carried into the next chunk
        outs.append(out)
    return tf.concat(outs, axis=1)                # (B, T, H)
'''},
    mistakes=[
        Mistake("reset-per-chunk", "Carry the state from one chunk to the next: yours starts every chunk from "
                                   "zeros, so the stream forgets everything at each chunk boundary.",
                _stream("reset-per-chunk")),
        Mistake("h-only", "Carry both parts of the LSTM's state: you pass on h but restart the cell state c at "
                          "zero, and c is where the LSTM keeps its long-term memory.", _stream("h-only")),
        Mistake("c-only", "Carry both parts of the LSTM's state: you pass on the cell state c but restart the "
                          "hidden state h at zero.", _stream("c-only")),
        Mistake("swapped", _fw_text("Hand the state back in the order the layer returned it, (h, c): yours "
                                    "passes the two swapped, c where h belongs.",
                                    "Hand the state back in the order the layer returned it, [h, c]: yours "
                                    "passes the two swapped, c where h belongs."), _stream("swapped")),
        Mistake("first-state-only", "Update the carried state after EVERY chunk: each of your later chunks "
                                    "starts from the state after the first chunk, as if the variable holding "
                                    "it were never updated in the loop.", _stream("first-state-only")),
        Mistake("output-as-cell", "Carry the cell state c that the layer returns: the last output equals h, but "
                                  "it is no stand-in for c, a different vector.", _stream("output-as-cell")),
        Mistake("missing-bias", _fw_text("Your gates leave out a bias: nn.LSTM adds BOTH of its biases, "
                                         "bias_ih_l0 and bias_hh_l0 (each (4H,)), to the gate pre-activations.",
                                         "Your gates leave out the bias: the LSTM adds lstm.cell.bias (4H,) to "
                                         "the gate pre-activations."), _stream("missing-bias")),
        Mistake("no-outputs", "Your function joined an empty list of outputs (one test case is a stream of a "
                              "single chunk): run the layer on every chunk, the first and the last included, and "
                              "keep each chunk's outputs before joining them.",
                raises=r"non-empty list of tensors|\[N=0\b"),     # empty concatenation: each framework's words
    ],
    error_hint="chunks is a list of (B, t_k, D) tensors that come one after the other: run the layer on each, "
               "keep its outputs (B, t_k, H) and join them along the time axis into one (B, T, H) tensor, T the "
               "sum of the chunk lengths.",
    output_hint=_fw_text("return one tensor (B, T, H): the outputs of all the chunks joined along the time axis "
                         "with torch.cat(outs, dim=1).",
                         "return one tensor (B, T, H): the outputs of all the chunks joined along the time axis "
                         "with tf.concat(outs, axis=1)."),
)

# --------------------------------------------------------------------------- sinusoidal_positions
def _positions(kind=None):
    """The Transformer's sinusoidal encodings (T, d), or one known mistake."""
    def fn(T, d, fw="numpy"):
        t = np.arange(T, dtype=np.float64)[:, None] + (1 if kind == "from-one" else 0)
        i2 = np.arange(0, d, 2, dtype=np.float64)               # 2i = 0, 2, 4, ...
        exponent = {"exponent-i": i2 / 2 / d, "exponent-2i-over-half": i2 / (d / 2)}.get(kind, i2 / d)
        base = 1000.0 if kind == "base-1000" else 10000.0
        angle = t * (base ** -exponent if kind != "times-frequency" else base ** exponent)
        if kind == "degrees":
            angle = np.deg2rad(angle)
        sin, cos = np.sin(angle), np.cos(angle)
        if kind == "swapped":
            sin, cos = cos, sin
        if kind == "concatenated":
            return np.concatenate([sin, cos], axis=1)
        out = np.zeros((T, d))
        out[:, 0::2], out[:, 1::2] = sin, cos
        return out
    return fn


def _positions_cases():
    # non-square, d = 2, T = 1, T = d, and a wide d where the low frequencies show the exponent
    return [(6, 4), (1, 4), (5, 2), (3, 8), (4, 4), (12, 16)]


SINUSOIDAL_POSITIONS = Exercise(
    id="sinusoidal_positions",
    title="Sinusoidal positional encodings",
    cases=_positions_cases(),
    reference=_positions(),
    to_learner=lambda case, fw: case,
    hints=["Row t (the position, 0 to T - 1) and the column pair 2i, 2i + 1 share one angle: "
           "t / 10000^(2i / d). Column 2i holds its sine, column 2i + 1 its cosine.",
           "Build the positions as a column, np.arange(T)[:, None] (T, 1), and the frequencies as a row, "
           "1 / 10000 ** (np.arange(0, d, 2) / d) (d / 2,): their product is every angle at once, (T, d / 2). "
           "np.arange(0, d, 2) already counts 2i, so do not double it.",
           "Fill a (T, d) array of zeros: pe[:, 0::2] = np.sin(angles) and pe[:, 1::2] = np.cos(angles), "
           "so that sines and cosines alternate column by column."],
    solutions={fw: '''\
def sinusoidal_positions(T, d):
    t = np.arange(T)[:, None]                          # (T, 1): positions 0 .. T - 1
    freq = 1.0 / 10000 ** (np.arange(0, d, 2) / d)     # (d / 2,): 1 / 10000^(2i / d)
    pe = np.zeros((T, d))
    pe[:, 0::2] = np.sin(t * freq)                     # even columns: sines
    pe[:, 1::2] = np.cos(t * freq)                     # odd columns: cosines
    return pe
''' for fw in ("torch", "tensorflow")},
    mistakes=[
        Mistake("swapped", "Sines and cosines are the wrong way round: column 2i holds the sine and column "
                           "2i + 1 the cosine (so position 0 gives 0, 1, 0, 1, ...).", _positions("swapped")),
        Mistake("concatenated", "Right values, wrong layout: the sines and cosines alternate column by column "
                                "(even columns sines, odd columns cosines), not all sines then all cosines.",
                _positions("concatenated")),
        Mistake("from-one", "Positions start at 0: the first row is position 0, whose sines are all 0 and "
                            "cosines all 1.", _positions("from-one")),
        Mistake("exponent-i", "The exponent is 2i / d, where 2i is the even column index (0, 2, 4, ...): "
                              "with i / d the frequencies fall too slowly across the columns.",
                _positions("exponent-i")),
        Mistake("exponent-2i-over-half", "The exponent is 2i / d with 2i = 0, 2, 4, ...: np.arange(0, d, 2) "
                                         "already counts 2i, so divide it by d, not by d / 2.",
                _positions("exponent-2i-over-half")),
        Mistake("times-frequency", "Divide the position by 10000^(2i / d): the wavelengths grow across the "
                                   "columns, from 2 pi up to about 10000 x 2 pi; multiplying makes them "
                                   "shrink instead.", _positions("times-frequency")),
        Mistake("base-1000", "The base of the wavelengths is 10000, as in the Transformer paper.",
                _positions("base-1000")),
        Mistake("degrees", "np.sin and np.cos take radians: use the angle t / 10000^(2i / d) as it is, "
                           "without converting it from degrees.", _positions("degrees")),
    ],
    error_hint="T and d are plain integers; build a (T, d) NumPy array (d is even).",
    output_hint="Return one NumPy array of shape (T, d): one row per position.",
)


EXERCISES = [CAUSAL_ATTENTION_WEIGHTS, STREAM_LSTM, SINUSOIDAL_POSITIONS]
