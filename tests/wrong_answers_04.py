"""Plausible wrong answers to the exercises of topic 04; each must fail with the intended hint."""
from conftest import catalogue_rows

CATALOGUE = []

# --------------------------------------------------------------------------- gru_step
_STEP_HEAD = {
    "torch": "def gru_step(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):\n",
    "tensorflow": "def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):\n",
}
_STEP_PARTS = {
    "torch": """\
    i_r, i_z, i_n = (x_t @ W_ih.T + b_ih).chunk(3, dim=1)
    h_r, h_z, h_n = (h_prev @ W_hh.T + b_hh).chunk(3, dim=1)
""",
    "tensorflow": """\
    x_z, x_r, x_h = tf.split(tf.matmul(x_t, kernel) + bias[0], 3, axis=1)
    h_z, h_r, h_h = tf.split(tf.matmul(h_prev, recurrent_kernel) + bias[1], 3, axis=1)
""",
}
_GATES = {
    "torch": "    r = torch.sigmoid(i_r + h_r)\n    z = torch.sigmoid(i_z + h_z)\n",
    "tensorflow": "    z = tf.sigmoid(x_z + h_z)\n    r = tf.sigmoid(x_r + h_r)\n",
}
_NEW = "    return (1 - z) * n + z * h_prev\n"
_STEP = {
    "torch": {
        "z-swapped": "    n = torch.tanh(i_n + r * h_n)\n    return z * n + (1 - z) * h_prev\n",
        "reset-on-input": "    n = torch.tanh(r * i_n + h_n)\n" + _NEW,
        "candidate-sigmoid": "    n = torch.sigmoid(i_n + r * h_n)\n" + _NEW,
        "no-reset": "    n = torch.tanh(i_n + h_n)\n" + _NEW,
        "returns-candidate": "    n = torch.tanh(i_n + r * h_n)\n    h_t = (1 - z) * n + z * h_prev\n    return n\n",
    },
    "tensorflow": {
        "z-swapped": "    n = tf.tanh(x_h + r * h_h)\n    return z * n + (1 - z) * h_prev\n",
        "reset-on-input": "    n = tf.tanh(r * x_h + h_h)\n" + _NEW,
        "candidate-sigmoid": "    n = tf.sigmoid(x_h + r * h_h)\n" + _NEW,
        "no-reset": "    n = tf.tanh(x_h + h_h)\n" + _NEW,
        "returns-candidate": "    n = tf.tanh(x_h + r * h_h)\n    return n\n",
    },
}
for _fw, _endings in _STEP.items():
    for _reason, _end in _endings.items():
        CATALOGUE.append(("gru_step", _fw, _reason, _STEP_HEAD[_fw] + _STEP_PARTS[_fw] + _GATES[_fw] + _end))

CATALOGUE += [
    ("gru_step", "torch", "rz-order", """
def gru_step(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    i_z, i_r, i_n = (x_t @ W_ih.T + b_ih).chunk(3, dim=1)       # z first, as in the papers
    h_z, h_r, h_n = (h_prev @ W_hh.T + b_hh).chunk(3, dim=1)
    z = torch.sigmoid(i_z + h_z)
    r = torch.sigmoid(i_r + h_r)
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h_prev
"""),
    ("gru_step", "tensorflow", "rz-order", """
def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    x_r, x_z, x_h = tf.split(tf.matmul(x_t, kernel) + bias[0], 3, axis=1)
    h_r, h_z, h_h = tf.split(tf.matmul(h_prev, recurrent_kernel) + bias[1], 3, axis=1)
    z = tf.sigmoid(x_z + h_z)
    r = tf.sigmoid(x_r + h_r)
    n = tf.tanh(x_h + r * h_h)
    return (1 - z) * n + z * h_prev
"""),
    ("gru_step", "torch", "reset-before", """
def gru_step(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    W_hr, W_hz, W_hn = W_hh.chunk(3, dim=0)
    b_hr, b_hz, b_hn = b_hh.chunk(3)
    i_r, i_z, i_n = (x_t @ W_ih.T + b_ih).chunk(3, dim=1)
    r = torch.sigmoid(i_r + h_prev @ W_hr.T + b_hr)
    z = torch.sigmoid(i_z + h_prev @ W_hz.T + b_hz)
    n = torch.tanh(i_n + (r * h_prev) @ W_hn.T + b_hn)     # Cho et al. (2014)
    return (1 - z) * n + z * h_prev
"""),
    ("gru_step", "tensorflow", "reset-before", """
def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    H = h_prev.shape[1]
    x_z, x_r, x_h = tf.split(tf.matmul(x_t, kernel) + bias[0], 3, axis=1)
    rec = tf.matmul(h_prev, recurrent_kernel[:, :2 * H]) + bias[1][:2 * H]
    h_z, h_r = tf.split(rec, 2, axis=1)
    z = tf.sigmoid(x_z + h_z)
    r = tf.sigmoid(x_r + h_r)
    n = tf.tanh(x_h + tf.matmul(r * h_prev, recurrent_kernel[:, 2 * H:]) + bias[1][2 * H:])
    return (1 - z) * n + z * h_prev
"""),
    ("gru_step", "torch", "biases-summed", """
def gru_step(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    b = b_ih + b_hh                                         # one bias is enough?
    i_r, i_z, i_n = (x_t @ W_ih.T + b).chunk(3, dim=1)
    h_r, h_z, h_n = (h_prev @ W_hh.T).chunk(3, dim=1)
    r = torch.sigmoid(i_r + h_r)
    z = torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h_prev
"""),
    ("gru_step", "tensorflow", "biases-summed", """
def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    b = tf.reduce_sum(bias, axis=0)                         # one bias is enough?
    x_z, x_r, x_h = tf.split(tf.matmul(x_t, kernel) + b, 3, axis=1)
    h_z, h_r, h_h = tf.split(tf.matmul(h_prev, recurrent_kernel), 3, axis=1)
    z = tf.sigmoid(x_z + h_z)
    r = tf.sigmoid(x_r + h_r)
    n = tf.tanh(x_h + r * h_h)
    return (1 - z) * n + z * h_prev
"""),
    ("gru_step", "torch", "shape", """
def gru_step(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    h = h_prev.T                                            # column vectors, as in the papers
    i_r, i_z, i_n = (W_ih @ x_t.T + b_ih[:, None]).chunk(3, dim=0)
    h_r, h_z, h_n = (W_hh @ h + b_hh[:, None]).chunk(3, dim=0)
    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    n = torch.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h                              # (H, B)
"""),
    ("gru_step", "tensorflow", "shape", """
def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    h = tf.transpose(h_prev)                                # column vectors, as in the papers
    x_all = tf.matmul(kernel, x_t, transpose_a=True, transpose_b=True) + bias[0][:, None]
    h_all = tf.matmul(recurrent_kernel, h, transpose_a=True) + bias[1][:, None]
    x_z, x_r, x_h = tf.split(x_all, 3, axis=0)
    h_z, h_r, h_h = tf.split(h_all, 3, axis=0)
    z, r = tf.sigmoid(x_z + h_z), tf.sigmoid(x_r + h_r)
    n = tf.tanh(x_h + r * h_h)
    return (1 - z) * n + z * h                              # (H, B)
"""),
    ("gru_step", "tensorflow", "type", """
def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    x_z, x_r, x_h = tf.split(tf.matmul(x_t, kernel) + bias[0], 3, axis=1)
    h_z, h_r, h_h = tf.split(tf.matmul(h_prev, recurrent_kernel) + bias[1], 3, axis=1)
    z, r = tf.sigmoid(x_z + h_z), tf.sigmoid(x_r + h_r)
    n = tf.tanh(x_h + r * h_h)
    return (1 - z) * n + z * h_prev, n
"""),
]

# --------------------------------------------------------------------------- gru_param_count
_COUNT = {
    "torch": {"no-three": "D * H + H * H + 2 * H", "four-blocks": "4 * (D * H + H * H + 2 * H)",
              "bias-count": "3 * (D * H + H * H + H)", "no-recurrent": "3 * (D * H + 2 * H)",
              "no-bias": "3 * (D * H + H * H)", "bias-size": "3 * (D * H + H * H + 2 * D)"},
}
CATALOGUE += catalogue_rows("gru_param_count", _COUNT, "def gru_param_count(D, H):\n    return {}\n")
_NB = "(2 if reset_after else 1)"
_COUNT_TF = {
    "tensorflow": {"no-three": f"D * H + H * H + {_NB} * H", "four-blocks": f"4 * (D * H + H * H + {_NB} * H)",
                   "bias-count": "3 * (D * H + H * H + (1 if reset_after else 2) * H)",
                   "no-recurrent": f"3 * (D * H + {_NB} * H)", "no-bias": "3 * (D * H + H * H)",
                   "bias-size": f"3 * (D * H + H * H + {_NB} * D)"},
}
CATALOGUE += catalogue_rows("gru_param_count", _COUNT_TF,
                            "def gru_param_count(D, H, reset_after=True):\n    return {}\n")
CATALOGUE += [
    ("gru_param_count", "tensorflow", "bias-count", """
def gru_param_count(D, H, reset_after=True):
    return 3 * (D * H + H * H + 2 * H)          # bias (2, 3H), whatever reset_after says
"""),
    ("gru_param_count", "tensorflow", "bias-count", """
def gru_param_count(D, H, reset_after=True):
    return 3 * (D * H + H * H + H)              # one bias vector, as in the LSTM
"""),
]

# --------------------------------------------------------------------------- leaky_state
_LEAKY = {
    "torch": {
        "z-relabelled": "    h = h0\n    for _ in range(k):\n        h = (1 - z) * h + z * n\n    return h\n",
        "one-step-short": "    h = h0\n    for _ in range(k - 1):\n        h = z * h + (1 - z) * n\n    return h\n",
        "one-step-extra": "    h = h0\n    for _ in range(k + 1):\n        h = z * h + (1 - z) * n\n    return h\n",
        "forgot-candidate": "    return z ** k * h0\n",
        "linear": "    return h0 + k * (1 - z) * (n - h0)\n",
        "one-step-only": "    return z * h0 + (1 - z) * n\n",
        "towards-h0": "    return h0 + torch.pow(z, k) * (n - h0)\n",
        "exception": "    return n + torch.matmul(z ** k, h0 - n)\n",
    },
    "tensorflow": {
        "z-relabelled": "    return n + (1 - z) ** k * (h0 - n)\n",
        "one-step-short": "    h = h0\n    for _ in range(1, k):\n        h = z * h + (1 - z) * n\n    return h\n",
        "one-step-extra": "    h = h0\n    for _ in range(k + 1):\n        h = z * h + (1 - z) * n\n    return h\n",
        "forgot-candidate": "    h = h0\n    for _ in range(k):\n        h = z * h\n    return h\n",
        "linear": "    h = h0\n    for _ in range(k):\n        h = h + (1 - z) * (n - h0)\n    return h\n",
        "one-step-only": "    return h0 if k == 0 else z * h0 + (1 - z) * n\n",
        "towards-h0": "    return h0 + tf.pow(z, k) * (n - h0)\n",
        "exception": "    return n + tf.matmul(z ** k, h0 - n)\n",
    },
}
CATALOGUE += catalogue_rows("leaky_state", _LEAKY, "def leaky_state(h0, n, z, k):\n{}")
