"""Plausible wrong answers to the exercises of topic 08; each must fail with the intended hint.

ALSO_CORRECT holds answers written differently from the reference solutions that must pass all the same
(a large finite negative number instead of minus infinity, the future zeroed after the softmax and the rows
renormalised, ...); ``tests/test_checks.py::test_other_correct_answers_pass`` grades them.
"""
from conftest import catalogue_rows

CATALOGUE = []
ALSO_CORRECT = []            # (exercise id, framework, what it does differently, source)

# --------------------------------------------------------------------------- causal_attention_weights
# The reference solution with one part changed: {T} the length used for the mask, {mask} the (T, T) mask,
# {before} what is done to the scores before the softmax, {weights} the softmax, {after} what is done to the
# weights after it, {ret} what is returned.
_CAUSAL = """\
def causal_attention_weights(scores):
    T = {T}
    mask = {mask}
    {before}
    weights = {weights}
    {after}
    return {ret}
"""
_CAUSAL_RIGHT = {
    "torch": dict(T="scores.shape[-1]", mask="torch.ones(T, T, dtype=torch.bool).tril()",
                  before='scores = scores.masked_fill(~mask, float("-inf"))', weights="scores.softmax(dim=-1)",
                  after="pass", ret="weights"),
    "tensorflow": dict(T="scores.shape[-1]", mask="tf.linalg.band_part(tf.ones((T, T)), -1, 0)",
                       before='scores = tf.where(mask > 0, scores, -float("inf"))',
                       weights="tf.nn.softmax(scores, axis=-1)", after="pass", ret="weights"),
}
_CAUSAL_WRONG = {
    "torch": [
        ("transposed", dict(mask="torch.ones(T, T, dtype=torch.bool).triu()")),
        ("after-softmax", dict(before="pass", after="weights = weights * mask")),
        ("no-mask", dict(before="pass")),
        ("strict", dict(mask="torch.ones(T, T, dtype=torch.bool).tril(diagonal=-1)")),          # row 0: NaN
        ("strict", dict(mask="torch.ones(T, T, dtype=torch.bool).tril(diagonal=-1)",            # row 0: even
                        before="scores = scores.masked_fill(~mask, -1e9)")),
        ("zero-scores", dict(before="scores = scores * mask")),
        ("zero-scores", dict(before="scores = scores.masked_fill(~mask, 0.0)")),
        ("softmax-queries", dict(weights="scores.softmax(dim=1)")),
        ("scaled-again", dict(weights="(scores / T ** 0.5).softmax(dim=-1)")),
        ("exception", dict(T="scores.shape[0]")),                # the batch size: the mask does not broadcast
        ("shape", dict(ret="weights[:, -1]")),                   # only the last position's weights
        ("mutated-input", dict(before='scores.masked_fill_(~mask, float("-inf"))')),
    ],
    "tensorflow": [
        ("transposed", dict(mask="tf.linalg.band_part(tf.ones((T, T)), 0, -1)")),
        ("after-softmax", dict(before="pass", after="weights = weights * mask")),
        ("no-mask", dict(before="pass")),
        ("strict", dict(mask="tf.linalg.band_part(tf.ones((T, T)), -1, 0) - tf.eye(T)")),       # row 0: NaN
        ("strict", dict(mask="tf.linalg.band_part(tf.ones((T, T)), -1, 0) - tf.eye(T)",         # row 0: even
                        before="scores = scores + (1.0 - mask) * -1e9")),
        ("zero-scores", dict(before="scores = scores * mask")),
        ("softmax-queries", dict(weights="tf.nn.softmax(scores, axis=1)")),
        ("scaled-again", dict(weights="tf.nn.softmax(scores / tf.sqrt(float(T)), axis=-1)")),
        ("exception", dict(T="scores.shape[0]")),                # the batch size: the mask does not broadcast
        ("shape", dict(ret="weights[:, -1]")),                   # only the last position's weights
    ],
}
_CAUSAL_ALSO_RIGHT = {
    "torch": [
        ("finite fill", dict(before="scores = scores.masked_fill(~mask, -1e9)")),
        ("smallest float", dict(before="scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)")),
        ("zeroed after, renormalised", dict(before="pass", after="weights = weights * mask\n"
                                                                 "    weights = weights / weights.sum(dim=-1, "
                                                                 "keepdim=True)")),
        ("additive mask", dict(mask="torch.nn.Transformer.generate_square_subsequent_mask(T)",
                               before="scores = scores + mask")),                  # -inf above the diagonal
    ],
    "tensorflow": [
        ("finite fill", dict(before="scores = tf.where(mask > 0, scores, -1e9)")),
        ("additive mask", dict(before="scores = scores + (1.0 - mask) * -1e9")),
        ("zeroed after, renormalised", dict(before="pass", after="weights = weights * mask\n"
                                                                 "    weights = weights / tf.reduce_sum(weights, "
                                                                 "axis=-1, keepdims=True)")),
    ],
}


def _causal_source(fw, change):
    source = _CAUSAL
    for key, value in {**_CAUSAL_RIGHT[fw], **change}.items():
        source = source.replace("{" + key + "}", value)
    return source


for _fw, _rows in _CAUSAL_WRONG.items():
    for _reason, _change in _rows:
        CATALOGUE.append(("causal_attention_weights", _fw, _reason, _causal_source(_fw, _change)))
for _fw, _rows in _CAUSAL_ALSO_RIGHT.items():
    for _what, _change in _rows:
        ALSO_CORRECT.append(("causal_attention_weights", _fw, _what, _causal_source(_fw, _change)))

# --------------------------------------------------------------------------- stream_lstm
_STREAM = {
    "torch": {
        "reset-per-chunk": "    outs = []\n"
                           "    for chunk in chunks:\n"
                           "        out, (h, c) = lstm(chunk)             # a fresh zero state every time\n"
                           "        outs.append(out)\n"
                           "    return torch.cat(outs, dim=1)\n",
        "h-only": "    state, outs = None, []\n"
                  "    for chunk in chunks:\n"
                  "        out, (h, c) = lstm(chunk, state)\n"
                  "        state = (h, torch.zeros_like(c))\n"
                  "        outs.append(out)\n"
                  "    return torch.cat(outs, dim=1)\n",
        "c-only": "    state, outs = None, []\n"
                  "    for chunk in chunks:\n"
                  "        out, (h, c) = lstm(chunk, state)\n"
                  "        state = (torch.zeros_like(h), c)\n"
                  "        outs.append(out)\n"
                  "    return torch.cat(outs, dim=1)\n",
        "swapped": "    state, outs = None, []\n"
                   "    for chunk in chunks:\n"
                   "        out, (h, c) = lstm(chunk, state)\n"
                   "        state = (c, h)\n"
                   "        outs.append(out)\n"
                   "    return torch.cat(outs, dim=1)\n",
        "first-state-only": "    out, state = lstm(chunks[0])\n"
                            "    outs = [out]\n"
                            "    for chunk in chunks[1:]:\n"
                            "        out, new_state = lstm(chunk, state)   # state never updated\n"
                            "        outs.append(out)\n"
                            "    return torch.cat(outs, dim=1)\n",
        "output-as-cell": "    state, outs = None, []\n"
                          "    for chunk in chunks:\n"
                          "        out, _ = lstm(chunk, state)\n"
                          "        last = out[:, -1].unsqueeze(0)        # (1, B, H)\n"
                          "        state = (last, last)\n"
                          "        outs.append(out)\n"
                          "    return torch.cat(outs, dim=1)\n",
        "shape": "    state = None\n"
                 "    for chunk in chunks:\n"
                 "        out, state = lstm(chunk, state)\n"
                 "    return out                                # the last chunk's outputs only\n",
        "type": "    state, outs = None, []\n"
                "    for chunk in chunks:\n"
                "        out, state = lstm(chunk, state)\n"
                "        outs.append(out)\n"
                "    return outs                               # a list, one tensor per chunk\n",
        "exception": "    state, outs = None, []\n"
                     "    for chunk in chunks:\n"
                     "        out, state = lstm(chunk, state)\n"
                     "        outs.append(out)\n"
                     "    return torch.cat(outs)                    # along the batch axis\n",
        "mutated-input": "    state, outs = None, []\n"
                         "    while chunks:\n"
                         "        out, state = lstm(chunks.pop(0), state)   # empties the caller's list\n"
                         "        outs.append(out)\n"
                         "    return torch.cat(outs, dim=1)\n",
    },
    "tensorflow": {
        "reset-per-chunk": "    outs = []\n"
                           "    for chunk in chunks:\n"
                           "        out, h, c = lstm(chunk)               # a fresh zero state every time\n"
                           "        outs.append(out)\n"
                           "    return tf.concat(outs, axis=1)\n",
        "h-only": "    state, outs = None, []\n"
                  "    for chunk in chunks:\n"
                  "        out, h, c = lstm(chunk, initial_state=state)\n"
                  "        state = [h, tf.zeros_like(c)]\n"
                  "        outs.append(out)\n"
                  "    return tf.concat(outs, axis=1)\n",
        "c-only": "    state, outs = None, []\n"
                  "    for chunk in chunks:\n"
                  "        out, h, c = lstm(chunk, initial_state=state)\n"
                  "        state = [tf.zeros_like(h), c]\n"
                  "        outs.append(out)\n"
                  "    return tf.concat(outs, axis=1)\n",
        "swapped": "    state, outs = None, []\n"
                   "    for chunk in chunks:\n"
                   "        out, h, c = lstm(chunk, initial_state=state)\n"
                   "        state = [c, h]\n"
                   "        outs.append(out)\n"
                   "    return tf.concat(outs, axis=1)\n",
        "first-state-only": "    out, h0, c0 = lstm(chunks[0])\n"
                            "    outs = [out]\n"
                            "    for chunk in chunks[1:]:\n"
                            "        out, h, c = lstm(chunk, initial_state=[h0, c0])   # h0, c0 never updated\n"
                            "        outs.append(out)\n"
                            "    return tf.concat(outs, axis=1)\n",
        "output-as-cell": "    state, outs = None, []\n"
                          "    for chunk in chunks:\n"
                          "        out, h, c = lstm(chunk, initial_state=state)\n"
                          "        state = [out[:, -1], out[:, -1]]\n"
                          "        outs.append(out)\n"
                          "    return tf.concat(outs, axis=1)\n",
        "shape": "    state = None\n"
                 "    for chunk in chunks:\n"
                 "        out, h, c = lstm(chunk, initial_state=state)\n"
                 "        state = [h, c]\n"
                 "    return out                                # the last chunk's outputs only\n",
        "type": "    state, outs = None, []\n"
                "    for chunk in chunks:\n"
                "        out, h, c = lstm(chunk, initial_state=state)\n"
                "        state = [h, c]\n"
                "        outs.append(out)\n"
                "    return outs                               # a list, one tensor per chunk\n",
        "exception": "    state, outs = None, []\n"
                     "    for chunk in chunks:\n"
                     "        out, h, c = lstm(chunk, initial_state=state)\n"
                     "        state = [h, c]\n"
                     "        outs.append(out)\n"
                     "    return tf.concat(outs, axis=0)            # along the batch axis\n",
        "mutated-input": "    state, outs = None, []\n"
                         "    while chunks:\n"
                         "        out, h, c = lstm(chunks.pop(0), initial_state=state)   # empties the list\n"
                         "        state = [h, c]\n"
                         "        outs.append(out)\n"
                         "    return tf.concat(outs, axis=1)\n",
    },
}
_STREAM_DEF = "def stream_lstm(lstm, chunks):\n{}"
CATALOGUE += catalogue_rows("stream_lstm", _STREAM, _STREAM_DEF)

# more ways to make the same mistakes (catalogue_rows keeps one snippet per reason and framework)
CATALOGUE += [
    ("stream_lstm", "torch", "no-outputs", _STREAM_DEF.format(         # empty on the single-chunk case
        "    state, outs = None, []\n"
        "    for chunk in chunks[:-1]:                 # the last chunk is left out\n"
        "        out, state = lstm(chunk, state)\n"
        "        outs.append(out)\n"
        "    return torch.cat(outs, dim=1)\n")),
    ("stream_lstm", "torch", "first-state-only", _STREAM_DEF.format(
        "    state, outs = None, []\n"
        "    for chunk in chunks:\n"
        "        out, new_state = lstm(chunk, state)\n"
        "        if state is None:\n"
        "            state = new_state                 # set once, never updated\n"
        "        outs.append(out)\n"
        "    return torch.cat(outs, dim=1)\n")),
    ("stream_lstm", "tensorflow", "no-outputs", _STREAM_DEF.format(    # empty on the single-chunk case
        "    state, outs = None, []\n"
        "    for chunk in chunks[:-1]:                 # the last chunk is left out\n"
        "        out, h, c = lstm(chunk, initial_state=state)\n"
        "        state = [h, c]\n"
        "        outs.append(out)\n"
        "    return tf.concat(outs, axis=1)\n")),
    ("stream_lstm", "torch", "missing-bias", _STREAM_DEF.format(       # a step by hand, bias_hh_l0 forgotten
        "    W_ih, W_hh, b = lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0\n"
        "    B, H = chunks[0].shape[0], lstm.hidden_size\n"
        "    h, c, outs = torch.zeros(B, H), torch.zeros(B, H), []\n"
        "    for chunk in chunks:\n"
        "        for t in range(chunk.shape[1]):\n"
        "            z = chunk[:, t] @ W_ih.T + h @ W_hh.T + b\n"
        "            i, f, g, o = z.chunk(4, dim=1)\n"
        "            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)\n"
        "            h = torch.sigmoid(o) * torch.tanh(c)\n"
        "            outs.append(h)\n"
        "    return torch.stack(outs, dim=1)\n")),
    ("stream_lstm", "tensorflow", "missing-bias", _STREAM_DEF.format(  # a step by hand, the bias forgotten
        "    W_x, W_h = lstm.cell.kernel, lstm.cell.recurrent_kernel\n"
        "    B, H = chunks[0].shape[0], lstm.units\n"
        "    h, c, outs = tf.zeros((B, H)), tf.zeros((B, H)), []\n"
        "    for chunk in chunks:\n"
        "        for t in range(chunk.shape[1]):\n"
        "            z = chunk[:, t] @ W_x + h @ W_h\n"
        "            i, f, g, o = tf.split(z, 4, axis=1)\n"
        "            c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)\n"
        "            h = tf.sigmoid(o) * tf.tanh(c)\n"
        "            outs.append(h)\n"
        "    return tf.stack(outs, axis=1)\n")),
    ("stream_lstm", "tensorflow", "no-outputs", _STREAM_DEF.format(    # empty on every case
        "    state, outs = None, []\n"
        "    for chunk in chunks:\n"
        "        out, h, c = lstm(chunk, initial_state=state)\n"
        "        state = [h, c]\n"
        "    return tf.concat(outs, axis=1)            # nothing was appended\n")),
]

ALSO_CORRECT += [
    ("stream_lstm", "torch", "a step by hand with both biases", _STREAM_DEF.format(
        "    W_ih, W_hh = lstm.weight_ih_l0, lstm.weight_hh_l0\n"
        "    b = lstm.bias_ih_l0 + lstm.bias_hh_l0\n"
        "    B, H = chunks[0].shape[0], lstm.hidden_size\n"
        "    h, c, outs = torch.zeros(B, H), torch.zeros(B, H), []\n"
        "    for chunk in chunks:\n"
        "        for t in range(chunk.shape[1]):\n"
        "            z = chunk[:, t] @ W_ih.T + h @ W_hh.T + b\n"
        "            i, f, g, o = z.chunk(4, dim=1)\n"
        "            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)\n"
        "            h = torch.sigmoid(o) * torch.tanh(c)\n"
        "            outs.append(h)\n"
        "    return torch.stack(outs, dim=1)\n")),
    ("stream_lstm", "torch", "state kept as one tuple", _STREAM_DEF.format(
        "    state, outs = None, []\n"
        "    for chunk in chunks:\n"
        "        out, state = lstm(chunk, state)\n"
        "        outs.append(out)\n"
        "    return torch.cat(outs, dim=1)\n")),
    ("stream_lstm", "torch", "explicit zero state", _STREAM_DEF.format(
        "    B = chunks[0].shape[0]\n"
        "    h = torch.zeros(1, B, lstm.hidden_size)\n"
        "    c = torch.zeros(1, B, lstm.hidden_size)\n"
        "    outs = []\n"
        "    for chunk in chunks:\n"
        "        out, (h, c) = lstm(chunk, (h, c))\n"
        "        outs.append(out)\n"
        "    return torch.cat(outs, dim=1)\n")),
    ("stream_lstm", "tensorflow", "explicit zero state", _STREAM_DEF.format(
        "    B = chunks[0].shape[0]\n"
        "    h = tf.zeros((B, lstm.units))\n"
        "    c = tf.zeros((B, lstm.units))\n"
        "    outs = []\n"
        "    for chunk in chunks:\n"
        "        out, h, c = lstm(chunk, initial_state=[h, c])\n"
        "        outs.append(out)\n"
        "    return tf.concat(outs, axis=1)\n")),
]

# --------------------------------------------------------------------------- sinusoidal_positions
# NumPy in both frameworks: the same wrong answers for both.
_POS_BODY = ("    t = np.arange({start}, T{plus})[:, None]\n"
             "    freq = 1.0 / {base} ** ({cols} / {div})\n"
             "    pe = np.zeros((T, d))\n"
             "    pe[:, 0::2] = np.{even}(t * freq)\n"
             "    pe[:, 1::2] = np.{odd}(t * freq)\n"
             "    return pe\n")


def _pos(start="0", plus="", base="10000", cols="np.arange(0, d, 2)", div="d", even="sin", odd="cos"):
    return _POS_BODY.format(start=start, plus=plus, base=base, cols=cols, div=div, even=even, odd=odd)


_POSITIONS = {
    "swapped": _pos(even="cos", odd="sin"),
    "from-one": _pos(start="1", plus=" + 1"),
    "exponent-i": _pos(cols="np.arange(d // 2)"),
    "exponent-2i-over-half": _pos(div="(d / 2)"),
    "base-1000": _pos(base="1000"),
    "concatenated": "    t = np.arange(T)[:, None]\n"
                    "    freq = 1.0 / 10000 ** (np.arange(0, d, 2) / d)\n"
                    "    return np.concatenate([np.sin(t * freq), np.cos(t * freq)], axis=1)\n",
    "times-frequency": "    t = np.arange(T)[:, None]\n"
                       "    angle = t * 10000 ** (np.arange(0, d, 2) / d)\n"
                       "    pe = np.zeros((T, d))\n"
                       "    pe[:, 0::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)\n"
                       "    return pe\n",
    "degrees": "    t = np.arange(T)[:, None]\n"
               "    angle = np.deg2rad(t / 10000 ** (np.arange(0, d, 2) / d))\n"
               "    pe = np.zeros((T, d))\n"
               "    pe[:, 0::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)\n"
               "    return pe\n",
    "shape": "    t = np.arange(T)[:, None]\n"
             "    freq = 1.0 / 10000 ** (np.arange(0, d, 2) / d)\n"
             "    pe = np.zeros((d, T))\n"
             "    pe[0::2], pe[1::2] = np.sin(t * freq).T, np.cos(t * freq).T\n"
             "    return pe\n",
}
for _fw in ("torch", "tensorflow"):
    CATALOGUE += catalogue_rows("sinusoidal_positions", {_fw: _POSITIONS},
                                "def sinusoidal_positions(T, d):\n{}")
    ALSO_CORRECT.append(("sinusoidal_positions", _fw, "exp and log",
                         "def sinusoidal_positions(T, d):\n"
                         "    pe = np.zeros((T, d))\n"
                         "    pos = np.arange(T).reshape(-1, 1)\n"
                         "    div = np.exp(np.arange(0, d, 2) * (-np.log(10000.0) / d))\n"
                         "    pe[:, 0::2] = np.sin(pos * div)\n"
                         "    pe[:, 1::2] = np.cos(pos * div)\n"
                         "    return pe\n"))
