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

_FORGET = {
    "torch": {
        "input-block": "    b = b.clone()\n    b[:H] = value\n    return b\n",
        "candidate-block": "    b = b.clone()\n    b[2 * H:3 * H] = value\n    return b\n",
        "output-block": "    b = b.clone()\n    b[3 * H:] = value\n    return b\n",
        "added": "    return torch.cat([b[:H], b[H:2 * H] + value, b[2 * H:]])\n",
        "whole-vector": "    return torch.full_like(b, value)\n",
        "one-entry": "    b = b.clone()\n    b[H] = value\n    return b\n",
    },
    "tensorflow": {
        "input-block": "    return tf.concat([tf.fill([H], value), b[H:]], axis=0)\n",
        "candidate-block": "    return tf.concat([b[:2 * H], tf.fill([H], value), b[3 * H:]], axis=0)\n",
        "output-block": "    return tf.concat([b[:3 * H], tf.fill([H], value)], axis=0)\n",
        "added": "    return tf.concat([b[:H], b[H:2 * H] + value, b[2 * H:]], axis=0)\n",
        "whole-vector": "    return tf.fill(b.shape, value)\n",
        "one-entry": "    return tf.concat([b[:H], [value], b[H + 1:]], axis=0)\n",
    },
}
CATALOGUE += catalogue_rows("set_forget_bias", _FORGET, "def set_forget_bias(b, H, value):\n{}")
