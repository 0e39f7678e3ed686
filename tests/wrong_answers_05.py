"""Plausible wrong answers to the exercises of topic 05; each must fail with the intended hint."""
from conftest import catalogue_rows

CATALOGUE = []

# --------------------------------------------------------------------------- bidirectional_forward
# Each wrong answer is the reference solution with one part changed: {rev} the backward input,
# {carry} the state each step receives, {start} the backward start, {cell} its step function,
# {back} the backward outputs, {mask} the zeroing and {out} the concatenation.
_BIDIR = {
    "torch": """\
def bidirectional_forward(x, lengths, h0, step_fwd, step_bwd):
    B, T, D = x.shape
    t = torch.arange(T)[None, :]
    L = lengths[:, None]
    idx = torch.where(t < L, L - 1 - t, t)
    h, fwd = h0, []
    for s in range(T):
        h = step_fwd(x[:, s], {carry})
        fwd.append(h)
    x_rev = {rev}
    {start}bwd = []
    for s in range(T):
        h = {cell}(x_rev[:, s], {carry})
        bwd.append(h)
    out_f = torch.stack(fwd, dim=1)
    out_b = {back}
    mask = (t < L).float()[:, :, None]
    {mask}
    return {out}
""",
    "tensorflow": """\
def bidirectional_forward(x, lengths, h0, step_fwd, step_bwd):
    T = x.shape[1]
    h, fwd = h0, []
    for t in range(T):
        h = step_fwd(x[:, t], {carry})
        fwd.append(h)
    x_rev = {rev}
    {start}bwd = []
    for t in range(T):
        h = {cell}(x_rev[:, t], {carry})
        bwd.append(h)
    out_f = tf.stack(fwd, axis=1)
    out_b = {back}
    mask = tf.sequence_mask(lengths, T, dtype=x.dtype)[:, :, None]
    {mask}
    return {out}
""",
}
_BIDIR_RIGHT = {
    "torch": dict(rev="x.gather(1, idx[:, :, None].expand(-1, -1, D))", carry="h", start="h = h0\n    ",
                  cell="step_bwd",
                  back="torch.stack(bwd, dim=1).gather(1, idx[:, :, None].expand(-1, -1, h0.shape[1]))",
                  mask="out_f, out_b = out_f * mask, out_b * mask", out="torch.cat([out_f, out_b], dim=2)"),
    "tensorflow": dict(rev="tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0)", carry="h",
                       start="h = h0\n    ", cell="step_bwd",
                       back="tf.reverse_sequence(tf.stack(bwd, axis=1), lengths, seq_axis=1, batch_axis=0)",
                       mask="out_f, out_b = out_f * mask, out_b * mask", out="tf.concat([out_f, out_b], axis=2)"),
}
_BIDIR_WRONG = {
    "torch": {
        "not-re-reversed": dict(back="torch.stack(bwd, dim=1)"),
        "order-swapped": dict(out="torch.cat([out_b, out_f], dim=2)"),
        "same-weights": dict(cell="step_fwd"),
        "reversed-with-padding": dict(rev="torch.flip(x, dims=[1])",
                                      back="torch.flip(torch.stack(bwd, dim=1), dims=[1])"),
        "no-mask": dict(mask="pass"),
        "backward-not-reversed": dict(rev="x", back="torch.stack(bwd, dim=1)"),
        "no-carry": dict(carry="h0"),
        "state-not-reset": dict(start=""),
        "backward-from-zeros": dict(start="h = torch.zeros_like(h0)\n    "),
        "exception": dict(back="torch.stack(bwd)", mask="out_f = out_f * mask"),     # (T, B, H)
        "shape": dict(out="torch.cat([out_f, out_b], dim=1)"),
    },
    "tensorflow": {
        "not-re-reversed": dict(back="tf.stack(bwd, axis=1)"),
        "order-swapped": dict(out="tf.concat([out_b, out_f], axis=-1)"),
        "same-weights": dict(cell="step_fwd"),
        "reversed-with-padding": dict(rev="tf.reverse(x, axis=[1])",
                                      back="tf.reverse(tf.stack(bwd, axis=1), axis=[1])"),
        "no-mask": dict(mask="pass"),
        "backward-not-reversed": dict(rev="x", back="tf.stack(bwd, axis=1)"),
        "no-carry": dict(carry="h0"),
        "state-not-reset": dict(start=""),
        "backward-from-zeros": dict(start="h = tf.zeros_like(h0)\n    "),
        "exception": dict(back="tf.stack(bwd)", mask="out_f = out_f * mask"),         # (T, B, H)
        "shape": dict(out="tf.concat([out_f, out_b], axis=0)"),
    },
}
for _fw, _rows in _BIDIR_WRONG.items():
    for _reason, _change in _rows.items():
        _parts = {**_BIDIR_RIGHT[_fw], **_change}
        _source = _BIDIR[_fw]
        for _key, _value in _parts.items():
            _source = _source.replace("{" + _key + "}", _value)
        CATALOGUE.append(("bidirectional_forward", _fw, _reason, _source))

# h0 ignored: both directions start from zeros
for _fw, _zeros in (("torch", "torch.zeros_like(h0)"), ("tensorflow", "tf.zeros_like(h0)")):
    _source = _BIDIR[_fw].replace("h, fwd = h0, []", f"h, fwd = {_zeros}, []")
    for _key, _value in {**_BIDIR_RIGHT[_fw], "start": f"h = {_zeros}\n    "}.items():
        _source = _source.replace("{" + _key + "}", _value)
    CATALOGUE.append(("bidirectional_forward", _fw, "zero-h0", _source))

CATALOGUE += [
    ("bidirectional_forward", "torch", "reversed-with-padding", """
def bidirectional_forward(x, lengths, h0, step_fwd, step_bwd):
    T = x.shape[1]
    h_f, h_b, fwd, bwd = h0, h0, [], []
    for t in range(T):
        h_f = step_fwd(x[:, t], h_f)
        h_b = step_bwd(x[:, T - 1 - t], h_b)          # backwards over the whole time axis
        fwd.append(h_f)
        bwd.insert(0, h_b)
    mask = (torch.arange(T)[None, :] < lengths[:, None]).unsqueeze(2)
    out = torch.cat([torch.stack(fwd, dim=1), torch.stack(bwd, dim=1)], dim=2)
    return torch.where(mask, out, torch.zeros_like(out))
"""),
    ("bidirectional_forward", "tensorflow", "backward-not-reversed", """
def bidirectional_forward(x, lengths, h0, step_fwd, step_bwd):
    mask = tf.sequence_mask(lengths, x.shape[1], dtype=x.dtype)[:, :, None]
    def run(step):
        h, outs = h0, []
        for t in range(x.shape[1]):
            h = step(x[:, t], h)
            outs.append(h)
        return tf.stack(outs, axis=1) * mask
    return tf.concat([run(step_fwd), run(step_bwd)], axis=2)
"""),
    ("bidirectional_forward", "torch", "type", """
def bidirectional_forward(x, lengths, h0, step_fwd, step_bwd):
    h_f, h_b, fwd, bwd = h0, h0, [], []
    for t in range(x.shape[1]):
        h_f = step_fwd(x[:, t], h_f)
        fwd.append(h_f)
    return fwd, bwd
"""),
]

# --------------------------------------------------------------------------- final_states
_FINAL = {
    "torch": {
        "last-step-both": "    return out[:, -1]                     # the last output of both directions\n",
        "first-step-both": "    return out[:, 0, :]\n",
        "order-swapped": "    return torch.cat([h_n[-1], h_n[-2]], dim=1)\n",
        "forward-only": "    H = h_n.shape[2]\n    return torch.cat([h_n[-2], out[:, -1, :H]], dim=1)\n",
        "ends-swapped": "    H = out.shape[2] // 2\n    return torch.cat([out[:, 0, :H], out[:, -1, H:]], dim=1)\n",
        "reshape-mixes-batch": "    L, B, H = num_layers, h_n.shape[1], h_n.shape[2]\n"
                               "    return h_n.view(L, 2, B, H)[-1].reshape(B, 2 * H)\n",
        "mean-over-time": "    return out.mean(dim=1)\n",
        "shape": "    return h_n[-1]                        # the last state\n",
        # the first layer's two states: right for one layer only; the values hint describes h_n's layout
        "values": "    return torch.cat([h_n[0], h_n[1]], dim=1)\n",
    },
    "tensorflow": {
        "last-step-both": "    return y[:, -1]\n",
        "first-step-both": "    return y[:, 0, :]\n",
        "order-swapped": "    return tf.concat([bwd_h, fwd_h], axis=1)\n",
        "forward-only": "    H = fwd_h.shape[1]\n    return tf.concat([fwd_h, y[:, -1, :H]], axis=1)\n",
        "ends-swapped": "    H = fwd_h.shape[-1]\n    return tf.concat([y[:, 0, :H], y[:, -1, H:]], axis=-1)\n",
        "reshape-mixes-batch": "    return tf.reshape(tf.stack([fwd_h, bwd_h]), [fwd_h.shape[0], -1])\n",
        "mean-over-time": "    return tf.reduce_mean(y, axis=1)\n",
        "shape": "    return fwd_h + bwd_h                  # both directions in one vector\n",
        "type": "    return fwd_h, bwd_h\n",
    },
}
CATALOGUE += catalogue_rows("final_states", {"torch": _FINAL["torch"]},
                            "def final_states(out, h_n, num_layers):\n{}")
CATALOGUE += catalogue_rows("final_states", {"tensorflow": _FINAL["tensorflow"]},
                            "def final_states(y, fwd_h, bwd_h, num_layers):\n{}")
CATALOGUE += [
    ("final_states", "torch", "shape", """
def final_states(out, h_n, num_layers):
    B = h_n.shape[1]
    return h_n.permute(1, 0, 2).reshape(B, -1)    # every state of every layer
"""),
    ("final_states", "torch", "values", """
def final_states(out, h_n, num_layers):
    B, H = h_n.shape[1], h_n.shape[2]
    h = h_n.view(2, num_layers, B, H)[:, -1]      # read as (directions, layers, B, H)
    return torch.cat([h[0], h[1]], dim=1)
"""),
    ("final_states", "tensorflow", "shape", """
def final_states(y, fwd_h, bwd_h, num_layers):
    return tf.concat([fwd_h, bwd_h], axis=0)
"""),
]

# --------------------------------------------------------------------------- stacked_param_count
_LOOP = """\
def stacked_param_count(D, H, num_layers, bidirectional):
    dirs = 2 if bidirectional else 1
    total = 0
    for layer in range({layers}):
        n_in = D if layer == 0 else {n_in}
        total += {dirs}{blocks} * (n_in * H + {rec}{bias})
    return total
"""
_COUNT_RIGHT = {"torch": dict(layers="num_layers", n_in="dirs * H", dirs="dirs * ", blocks="4", rec="H * H + ",
                              bias="2 * H"),
                "tensorflow": dict(layers="num_layers", n_in="dirs * H", dirs="dirs * ", blocks="4",
                                   rec="H * H + ", bias="H")}
_COUNT_WRONG = {
    "torch": {"input-D-every-layer": dict(n_in="D"), "second-layer-H": dict(n_in="H"),
              "one-direction": dict(dirs=""), "bias-count": dict(bias="H"), "one-layer": dict(layers="1"),
              "no-recurrent": dict(rec=""), "gru-blocks": dict(blocks="3"), "values": dict(bias="0")},
    "tensorflow": {"input-D-every-layer": dict(n_in="D"), "second-layer-H": dict(n_in="H"),
                   "one-direction": dict(dirs=""), "bias-count": dict(bias="2 * H"),
                   "one-layer": dict(layers="1"), "no-recurrent": dict(rec=""), "gru-blocks": dict(blocks="3"),
                   "values": dict(bias="0")},
}
for _fw, _rows in _COUNT_WRONG.items():
    for _reason, _change in _rows.items():
        _source = _LOOP
        for _key, _value in {**_COUNT_RIGHT[_fw], **_change}.items():
            _source = _source.replace("{" + _key + "}", _value)
        CATALOGUE.append(("stacked_param_count", _fw, _reason, _source))

CATALOGUE += [
    ("stacked_param_count", "torch", "one-direction", """
def stacked_param_count(D, H, num_layers, bidirectional):
    first = 4 * (D * H + H * H + 2 * H)               # bidirectional: the same weights both ways
    return first + (num_layers - 1) * 4 * (H * H + H * H + 2 * H)
"""),
    ("stacked_param_count", "tensorflow", "one-layer", """
def stacked_param_count(D, H, num_layers, bidirectional):
    per_direction = 4 * (D * H + H * H + H)
    return 2 * per_direction if bidirectional else per_direction
"""),
    ("stacked_param_count", "torch", "shape", """
def stacked_param_count(D, H, num_layers, bidirectional):
    dirs = 2 if bidirectional else 1
    sizes = [D] + [dirs * H] * (num_layers - 1)
    return [dirs * 4 * (n * H + H * H + 2 * H) for n in sizes]     # one count per layer
"""),
]
