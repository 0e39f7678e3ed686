"""Plausible wrong answers to the exercises of topic 06; each must fail with the intended hint."""
from conftest import catalogue_rows

CATALOGUE = []

# --------------------------------------------------------------------------- shift_right
_SHIFT = {
    "torch": {
        "not-shifted": "    return targets.clone()\n",
        "shifted-left": "    B = targets.shape[0]\n    start = torch.full((B, 1), start_token, dtype=targets.dtype)\n"
                        "    return torch.cat([targets[:, 1:], start], dim=1)\n",
        "start-at-end": "    B = targets.shape[0]\n    start = torch.full((B, 1), start_token, dtype=targets.dtype)\n"
                        "    return torch.cat([targets[:, :-1], start], dim=1)\n",
        "drops-first": "    B = targets.shape[0]\n    start = torch.full((B, 1), start_token, dtype=targets.dtype)\n"
                       "    return torch.cat([start, targets[:, 1:]], dim=1)\n",
        "zero-start": "    return torch.cat([torch.zeros_like(targets[:, :1]), targets[:, :-1]], dim=1)\n",
        "wrapped": "    return torch.roll(targets, 1, dims=1)\n",
        "batch-axis": "    start = torch.full((1, targets.shape[1]), start_token, dtype=targets.dtype)\n"
                      "    return torch.cat([start, targets[:-1]], dim=0)\n",
        "shape": "    B = targets.shape[0]\n    start = torch.full((B, 1), start_token, dtype=targets.dtype)\n"
                 "    return torch.cat([start, targets], dim=1)              # T + 1 steps\n",
        "exception": "    start = torch.full((1, 1), start_token, dtype=targets.dtype)   # one row only\n"
                     "    return torch.cat([start, targets[:, :-1]], dim=1)\n",
    },
    "tensorflow": {
        "not-shifted": "    return tf.identity(targets)\n",
        "shifted-left": "    start = tf.fill([tf.shape(targets)[0], 1], tf.cast(start_token, targets.dtype))\n"
                        "    return tf.concat([targets[:, 1:], start], axis=1)\n",
        "start-at-end": "    start = tf.fill([tf.shape(targets)[0], 1], tf.cast(start_token, targets.dtype))\n"
                        "    return tf.concat([targets[:, :-1], start], axis=1)\n",
        "drops-first": "    start = tf.fill([tf.shape(targets)[0], 1], tf.cast(start_token, targets.dtype))\n"
                       "    return tf.concat([start, targets[:, 1:]], axis=1)\n",
        "zero-start": "    return tf.concat([tf.zeros_like(targets[:, :1]), targets[:, :-1]], axis=1)\n",
        "wrapped": "    return tf.roll(targets, shift=1, axis=1)\n",
        "batch-axis": "    start = tf.fill([1, tf.shape(targets)[1]], tf.cast(start_token, targets.dtype))\n"
                      "    return tf.concat([start, targets[:-1]], axis=0)\n",
        "shape": "    start = tf.fill([tf.shape(targets)[0], 1], tf.cast(start_token, targets.dtype))\n"
                 "    return tf.concat([start, targets], axis=1)             # T + 1 steps\n",
        "exception": "    start = tf.fill([1, 1], tf.cast(start_token, targets.dtype))   # one row only\n"
                     "    return tf.concat([start, targets[:, :-1]], axis=1)\n",
    },
}
CATALOGUE += catalogue_rows("shift_right", _SHIFT, "def shift_right(targets, start_token):\n{}")

# --------------------------------------------------------------------------- sample_with_temperature
# The reference solution with one part changed: {zero} the temperature-0 case, {probs} the
# distribution, {index} the inverse-CDF lookup.
_SAMPLE = {
    "torch": """\
def sample_with_temperature(logits, temperature, u):
{zero}    probs = {probs}
    cdf = probs.cumsum(dim=1)
    index = {index}
    return index.clamp(max=logits.shape[1] - 1)
""",
    "tensorflow": """\
def sample_with_temperature(logits, temperature, u):
{zero}    probs = {probs}
    cdf = tf.cumsum(probs, axis=1)
    index = {index}
    return tf.minimum(index, logits.shape[1] - 1)
""",
}
_SAMPLE_RIGHT = {
    "torch": dict(zero="    if temperature == 0:\n        return logits.argmax(dim=1)\n",
                  probs="torch.softmax(logits / temperature, dim=1)",
                  index="(cdf <= u[:, None]).sum(dim=1)"),
    "tensorflow": dict(zero="    if temperature == 0:\n        return tf.argmax(logits, axis=1)\n",
                       probs="tf.nn.softmax(logits / temperature, axis=1)",
                       index="tf.reduce_sum(tf.cast(cdf <= u[:, None], tf.int64), axis=1)"),
}
_SAMPLE_WRONG = {
    "torch": {
        "multiplied": dict(probs="torch.softmax(logits * temperature, dim=1)"),
        "softmax-first": dict(probs="torch.softmax(logits, dim=1) / temperature"),
        "no-zero-case": dict(zero=""),
        "argmax-always": dict(index="probs.argmax(dim=1)"),
        "wrong-axis": dict(probs="torch.softmax(logits / temperature, dim=0)"),
        "no-max-subtraction": dict(probs="torch.exp(logits / temperature) / "
                                         "torch.exp(logits / temperature).sum(dim=1, keepdim=True)"),
        "shape": dict(index="(cdf <= u[:, None]).sum(dim=1, keepdim=True)"),
        "ties-early": dict(index="(cdf < u[:, None]).sum(dim=1)"),
    },
    "tensorflow": {
        "multiplied": dict(probs="tf.nn.softmax(logits * temperature, axis=1)"),
        "softmax-first": dict(probs="tf.nn.softmax(logits, axis=1) / temperature"),
        "no-zero-case": dict(zero=""),
        "argmax-always": dict(index="tf.argmax(probs, axis=1)"),
        "wrong-axis": dict(probs="tf.nn.softmax(logits / temperature, axis=0)"),
        "no-max-subtraction": dict(probs="tf.exp(logits / temperature) / "
                                         "tf.reduce_sum(tf.exp(logits / temperature), axis=1, "
                                         "keepdims=True)"),
        "shape": dict(index="tf.reduce_sum(tf.cast(cdf <= u[:, None], tf.int64), axis=1, "
                            "keepdims=True)"),
        "ties-early": dict(index="tf.reduce_sum(tf.cast(cdf < u[:, None], tf.int64), axis=1)"),
    },
}
for _fw, _rows in _SAMPLE_WRONG.items():
    for _reason, _change in _rows.items():
        _source = _SAMPLE[_fw]
        for _key, _value in {**_SAMPLE_RIGHT[_fw], **_change}.items():
            _source = _source.replace("{" + _key + "}", _value)
        CATALOGUE.append(("sample_with_temperature", _fw, _reason, _source))
CATALOGUE += [
    ("sample_with_temperature", "torch", "argmax-always", """
def sample_with_temperature(logits, temperature, u):
    return torch.softmax(logits / max(temperature, 1e-6), dim=1).argmax(dim=1)
"""),
    ("sample_with_temperature", "torch", "ties-early", """
def sample_with_temperature(logits, temperature, u):
    if temperature == 0:
        return logits.argmax(dim=1)
    cdf = torch.softmax(logits / temperature, dim=1).cumsum(dim=1)
    index = torch.searchsorted(cdf, u[:, None].contiguous())[:, 0]     # side="left"
    return index.clamp(max=logits.shape[1] - 1)
"""),
    ("sample_with_temperature", "tensorflow", "ties-early", """
def sample_with_temperature(logits, temperature, u):
    if temperature == 0:
        return tf.argmax(logits, axis=1)
    cdf = tf.cumsum(tf.nn.softmax(logits / temperature, axis=1), axis=1)
    index = tf.searchsorted(cdf, u[:, None], side="left")[:, 0]
    return tf.minimum(tf.cast(index, tf.int64), logits.shape[1] - 1)
"""),
    ("sample_with_temperature", "torch", "no-clamp", """
def sample_with_temperature(logits, temperature, u):
    if temperature == 0:
        return logits.argmax(dim=1)
    cdf = torch.softmax(logits / temperature, dim=1).cumsum(dim=1)
    return (cdf <= u[:, None]).sum(dim=1)          # the first k with cdf[k] > u
"""),
    ("sample_with_temperature", "tensorflow", "no-clamp", """
def sample_with_temperature(logits, temperature, u):
    if temperature == 0:
        return tf.argmax(logits, axis=1)
    cdf = tf.cumsum(tf.nn.softmax(logits / temperature, axis=1), axis=1)
    return tf.searchsorted(cdf, u[:, None], side="right", out_type=tf.int64)[:, 0]
"""),
    ("sample_with_temperature", "tensorflow", "multiplied", """
def sample_with_temperature(logits, temperature, u):
    if temperature == 0:
        return tf.argmax(logits, axis=1)
    cdf = tf.cumsum(tf.nn.softmax(temperature * logits), axis=1)
    return tf.minimum(tf.reduce_sum(tf.cast(cdf <= u[:, None], tf.int64), axis=1), logits.shape[1] - 1)
"""),
]

# --------------------------------------------------------------------------- greedy_decode
# The reference solution with one part changed: {carry} the state passed in, {feed} the next
# input, {steps} the number of steps, {finish} what is returned.
_GREEDY = {
    "torch": """\
def greedy_decode(step, h0, start_token, end_token, max_len):
    B = h0.shape[0]
    start = torch.full((B,), start_token, dtype=torch.long)
    tokens, h, out = start, h0, []
    for _ in range({steps}):
        logits, h_new = step(tokens, {carry})
        h = h_new
        pred = logits.argmax(dim=1)
        tokens = {feed}
        out.append(pred)
    out = torch.stack(out, dim=1)
    seen = (out == end_token).long().cumsum(dim=1)
    before = torch.cat([torch.zeros_like(seen[:, :1]), seen[:, :-1]], dim=1)
    {finish}
""",
    "tensorflow": """\
def greedy_decode(step, h0, start_token, end_token, max_len):
    B = h0.shape[0]
    start = tf.fill([B], start_token)
    tokens, h, out = start, h0, []
    for _ in range({steps}):
        logits, h_new = step(tokens, {carry})
        h = h_new
        pred = tf.argmax(logits, axis=1, output_type=tf.int32)
        tokens = {feed}
        out.append(pred)
    out = tf.cast(tf.stack(out, axis=1), tf.int64)
    before = tf.cumsum(tf.cast(out == end_token, tf.int64), axis=1, exclusive=True)
    {finish}
""",
}
_GREEDY_RIGHT = {
    "torch": dict(steps="max_len", carry="h", feed="pred",
                  finish="return torch.where(before > 0, torch.full_like(out, end_token), out)"),
    "tensorflow": dict(steps="max_len", carry="h", feed="pred",
                       finish="return tf.where(before > 0, tf.constant(end_token, tf.int64), out)"),
}
_GREEDY_WRONG = {
    "torch": {
        "no-feedback": dict(feed="start"), "no-carry": dict(carry="h0"), "one-short": dict(steps="max_len - 1"),
        "not-stopped": dict(finish="return out"),
        "pads-with-zero": dict(finish="return torch.where(before > 0, torch.zeros_like(out), out)"),
        "includes-start": dict(finish="out = torch.where(before > 0, torch.full_like(out, end_token), out)\n"
                                      "    return torch.cat([start[:, None], out[:, :-1]], dim=1)"),
        "stops-at-first-end": dict(finish="any_before = (before > 0).any(dim=0, keepdim=True).expand_as(out)\n"
                                          "    return torch.where(any_before, torch.full_like(out, end_token), "
                                          "out)"),
        "shape": dict(finish="return out.T"),
    },
    "tensorflow": {
        "no-feedback": dict(feed="start"), "no-carry": dict(carry="h0"), "one-short": dict(steps="max_len - 1"),
        "not-stopped": dict(finish="return out"),
        "pads-with-zero": dict(finish="return tf.where(before > 0, tf.zeros_like(out), out)"),
        "includes-start": dict(finish="out = tf.where(before > 0, tf.constant(end_token, tf.int64), out)\n"
                                      "    return tf.concat([tf.cast(start[:, None], tf.int64), out[:, :-1]], "
                                      "axis=1)"),
        "stops-at-first-end": dict(finish="any_before = tf.reduce_any(before > 0, axis=0, keepdims=True)\n"
                                          "    any_before = tf.broadcast_to(any_before, tf.shape(out))\n"
                                          "    return tf.where(any_before, tf.constant(end_token, tf.int64), "
                                          "out)"),
        "shape": dict(finish="return tf.transpose(out)"),
    },
}
for _fw, _rows in _GREEDY_WRONG.items():
    for _reason, _change in _rows.items():
        _source = _GREEDY[_fw]
        for _key, _value in {**_GREEDY_RIGHT[_fw], **_change}.items():
            _source = _source.replace("{" + _key + "}", _value)
        CATALOGUE.append(("greedy_decode", _fw, _reason, _source))

# the notebook's START and END (data.START, data.END) instead of the arguments, or END hard-coded
for _fw in ("torch", "tensorflow"):
    _right = _GREEDY[_fw]
    for _key, _value in _GREEDY_RIGHT[_fw].items():
        _right = _right.replace("{" + _key + "}", _value)
    _body = _right.split("\n", 1)[1]                        # everything after the def line
    CATALOGUE.append(("greedy_decode", _fw, "notebook-ids", "from helpers import data\n\n\n"
                      + _right.split("\n", 1)[0] + "\n"
                      + _body.replace("start_token", "data.START").replace("end_token", "data.END")))
    CATALOGUE.append(("greedy_decode", _fw, "fixed-end", _right.split("\n", 1)[0] + "\n"
                      + _body.replace("end_token", "2")))

# --------------------------------------------------------------------------- attention_weights
_ATT = {
    "torch": """\
def attention_weights(query, keys, lengths):
    S = keys.shape[1]
    scores = {scores}
    real = torch.arange(S)[None, :] < lengths[:, None]
    {mask}
    weights = {weights}
    {after}
    context = {context}
    return weights, context
""",
    "tensorflow": """\
def attention_weights(query, keys, lengths):
    S = keys.shape[1]
    scores = {scores}
    real = tf.sequence_mask(lengths, S)
    {mask}
    weights = {weights}
    {after}
    context = {context}
    return weights, context
""",
}
_ATT_RIGHT = {
    "torch": dict(scores="(keys @ query[:, :, None])[:, :, 0]",
                  mask='scores = scores.masked_fill(~real, float("-inf"))',
                  weights="scores.softmax(dim=1)", after="pass",
                  context="(weights[:, :, None] * keys).sum(dim=1)"),
    "tensorflow": dict(scores='tf.einsum("bsh,bh->bs", keys, query)',
                       mask='scores = tf.where(real, scores, -float("inf"))',
                       weights="tf.nn.softmax(scores, axis=1)", after="pass",
                       context='tf.einsum("bs,bsh->bh", weights, keys)'),
}
_ATT_WRONG = {
    "torch": {
        "no-mask": dict(mask="pass"),
        "mask-after-softmax": dict(mask="pass", after="weights = weights * real"),
        "softmax-batch-axis": dict(weights="scores.softmax(dim=0)"),
        "no-softmax": dict(mask="scores = scores * real", weights="scores"),
        "scaled": dict(scores="(keys @ query[:, :, None])[:, :, 0] / keys.shape[2] ** 0.5"),
        "hard": dict(weights="(scores == scores.max(dim=1, keepdim=True).values).to(keys.dtype)"),
        "mean-of-keys": dict(weights="real.to(keys.dtype) / lengths[:, None].to(keys.dtype)"),
        "shape": dict(context="weights[:, :, None] * keys"),
        "mask-shape": dict(mask='scores = scores.masked_fill(~(torch.arange(lengths.max())[None, :] < '
                                'lengths[:, None]), float("-inf"))'),
    },
    "tensorflow": {
        "no-mask": dict(mask="pass"),
        "mask-after-softmax": dict(mask="pass", after="weights = weights * tf.cast(real, weights.dtype)"),
        "softmax-batch-axis": dict(weights="tf.nn.softmax(scores, axis=0)"),
        "no-softmax": dict(mask="scores = scores * tf.cast(real, scores.dtype)", weights="scores"),
        "scaled": dict(scores='tf.einsum("bsh,bh->bs", keys, query) / keys.shape[2] ** 0.5'),
        "hard": dict(weights="tf.cast(scores == tf.reduce_max(scores, axis=1, keepdims=True), keys.dtype)"),
        "mean-of-keys": dict(weights="tf.cast(real, keys.dtype) / tf.cast(lengths[:, None], keys.dtype)"),
        "shape": dict(context="weights[:, :, None] * keys"),
        "mask-shape": dict(mask='scores = tf.where(tf.sequence_mask(lengths), scores, -float("inf"))'),
    },
}
for _fw, _rows in _ATT_WRONG.items():
    for _reason, _change in _rows.items():
        _source = _ATT[_fw]
        for _key, _value in {**_ATT_RIGHT[_fw], **_change}.items():
            _source = _source.replace("{" + _key + "}", _value)
        CATALOGUE.append(("attention_weights", _fw, _reason, _source))
