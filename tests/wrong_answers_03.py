"""Plausible wrong answers to the exercises of topic 03; each must fail with the intended hint."""
from conftest import catalogue_rows

CATALOGUE = []

_STEP_BODY = {
    "torch": """
    z = x_t @ W_x + h_prev @ W_h + b
    z_i, z_f, z_g, z_o = z.chunk(4, dim=1)
    i, f, g, o = torch.sigmoid(z_i), torch.sigmoid(z_f), torch.tanh(z_g), torch.sigmoid(z_o)
""",
    "tensorflow": """
    z = tf.matmul(x_t, W_x) + tf.matmul(h_prev, W_h) + b
    z_i, z_f, z_g, z_o = tf.split(z, 4, axis=1)
    i, f, g, o = tf.sigmoid(z_i), tf.sigmoid(z_f), tf.tanh(z_g), tf.sigmoid(z_o)
""",
}
_T = {"torch": "torch", "tensorflow": "tf"}
_STEP_ENDINGS = {
    "gates-swapped": "    c_t = i * c_prev + f * g\n    return o * {m}.tanh(c_t), c_t\n",
    "candidate-sigmoid": "    g = {m}.sigmoid(z_g)\n    c_t = f * c_prev + i * g\n    return o * {m}.tanh(c_t), c_t\n",
    "gate-order": "    g, o = {m}.tanh(z_o), {m}.sigmoid(z_g)\n    c_t = f * c_prev + i * g\n    return o * {m}.tanh(c_t), c_t\n",
    "no-forget": "    c_t = c_prev + i * g\n    return o * {m}.tanh(c_t), c_t\n",
    "no-tanh-on-c": "    c_t = f * c_prev + i * g\n    return o * c_t, c_t\n",
    "tanh-outside": "    c_t = f * c_prev + i * g\n    return {m}.tanh(o * c_t), c_t\n",
    "swapped-returns": "    c_t = f * c_prev + i * g\n    return c_t, o * {m}.tanh(c_t)\n",
    "arity": "    c_t = f * c_prev + i * g\n    return o * {m}.tanh(c_t)\n",
}
for _fw, _body in _STEP_BODY.items():
    for _reason, _end in _STEP_ENDINGS.items():
        CATALOGUE.append(("lstm_step", _fw, _reason,
                          "def lstm_step(x_t, h_prev, c_prev, W_x, W_h, b):" + _body + _end.format(m=_T[_fw])))

_COUNT = {
    "torch": {"no-four": "D * H + H * H + 2 * H", "three-gates": "3 * (D * H + H * H + 2 * H)",
              "bias-count": "4 * (D * H + H * H + H)", "no-recurrent": "4 * (D * H + 2 * H)",
              "no-bias": "4 * (D * H + H * H)", "bias-size": "4 * (D * H + H * H + 2 * D)"},
    "tensorflow": {"no-four": "D * H + H * H + H", "three-gates": "3 * (D * H + H * H + H)",
                   "bias-count": "4 * (D * H + H * H + 2 * H)", "no-recurrent": "4 * (D * H + H)",
                   "no-bias": "4 * (D * H + H * H)", "bias-size": "4 * (D * H + H * H + D)"},
}
CATALOGUE += catalogue_rows("lstm_param_count", _COUNT, "def lstm_param_count(D, H):\n    return {}\n")

_FORGET_TORCH = {
    "input-block": "    b_ih, b_hh = b_ih.clone(), b_hh.clone()\n    b_ih[:H] = value\n    b_hh[:H] = 0\n",
    "candidate-block": "    b_ih, b_hh = b_ih.clone(), b_hh.clone()\n    b_ih[2 * H:3 * H] = value\n"
                       "    b_hh[2 * H:3 * H] = 0\n",
    "output-block": "    b_ih, b_hh = b_ih.clone(), b_hh.clone()\n    b_ih[3 * H:] = value\n    b_hh[3 * H:] = 0\n",
    "added": "    b_ih = torch.cat([b_ih[:H], b_ih[H:2 * H] + value, b_ih[2 * H:]])\n",
    "whole-vector": "    b_ih, b_hh = torch.full_like(b_ih, value), torch.zeros_like(b_hh)\n",
    "one-entry": "    b_ih, b_hh = b_ih.clone(), b_hh.clone()\n    b_ih[H] = value\n    b_hh[H] = 0\n",
    "one-bias": "    b_ih = b_ih.clone()\n    b_ih[H:2 * H] = value\n",
    "both-biases": "    b_ih, b_hh = b_ih.clone(), b_hh.clone()\n    b_ih[H:2 * H] = value\n"
                   "    b_hh[H:2 * H] = value\n",
}
_FORGET_TF = {
    "input-block": "    return tf.concat([tf.fill([H], value), b[H:]], axis=0)\n",
    "candidate-block": "    return tf.concat([b[:2 * H], tf.fill([H], value), b[3 * H:]], axis=0)\n",
    "output-block": "    return tf.concat([b[:3 * H], tf.fill([H], value)], axis=0)\n",
    "added": "    return tf.concat([b[:H], b[H:2 * H] + value, b[2 * H:]], axis=0)\n",
    "whole-vector": "    return tf.fill(b.shape, value)\n",
    "one-entry": "    return tf.concat([b[:H], [value], b[H + 1:]], axis=0)\n",
}
CATALOGUE += catalogue_rows("set_forget_bias", {"torch": _FORGET_TORCH},
                            "def set_forget_bias(b_ih, b_hh, H, value):\n{}    return b_ih, b_hh\n")
CATALOGUE += [("set_forget_bias", "torch", "one-bias",      # the other bias left as it was
               "def set_forget_bias(b_ih, b_hh, H, value):\n    b_hh = b_hh.clone()\n"
               "    b_hh[H:2 * H] = value\n    return b_ih, b_hh\n")]
CATALOGUE += catalogue_rows("set_forget_bias", {"tensorflow": _FORGET_TF}, "def set_forget_bias(b, H, value):\n{}")

# Answers written differently from the reference that must pass all the same: nn.LSTM only uses
# the sum of its two biases, so any split of value between their forget blocks is right.
ALSO_CORRECT = [
    ("set_forget_bias", "torch", "value in b_hh's forget block, 0 in b_ih's",
     "def set_forget_bias(b_ih, b_hh, H, value):\n    b_ih, b_hh = b_ih.clone(), b_hh.clone()\n"
     "    b_ih[H:2 * H] = 0\n    b_hh[H:2 * H] = value\n    return b_ih, b_hh\n"),
    ("set_forget_bias", "torch", "value split half and half, built with torch.cat",
     "def set_forget_bias(b_ih, b_hh, H, value):\n    half = torch.full((H,), value / 2)\n"
     "    return (torch.cat([b_ih[:H], half, b_ih[2 * H:]]),\n"
     "            torch.cat([b_hh[:H], half, b_hh[2 * H:]]))\n"),
    ("set_forget_bias", "torch", "returned as a list",
     "def set_forget_bias(b_ih, b_hh, H, value):\n    b_ih, b_hh = b_ih.clone(), b_hh.clone()\n"
     "    b_ih[H:2 * H], b_hh[H:2 * H] = value, 0.0\n    return [b_ih, b_hh]\n"),
]
