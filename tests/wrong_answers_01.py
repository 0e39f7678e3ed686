"""Plausible wrong answers to the exercises of 00 and 01; each must fail with the intended hint.

CATALOGUE rows: (exercise id, framework, reason the check must give, learner-style source).
The reason is a Mistake name from helpers/exercises, or "exception" / "shape" / "arity" / "type".
"""
from conftest import catalogue_rows

CATALOGUE = [
    # ---------------------------------------------------------------- 00 softmax (NumPy)
    ("softmax", "numpy", "no-max-shift", """
def softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
"""),
    ("softmax", "numpy", "wrong-axis", """
def softmax(z):
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)
"""),
    ("softmax", "numpy", "sum-all", """
def softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)
"""),
    ("softmax", "numpy", "no-exp", """
def softmax(z):
    return z / z.sum(axis=-1, keepdims=True)
"""),
    ("softmax", "numpy", "no-normalise", """
def softmax(z):
    return np.exp(z - z.max(axis=-1, keepdims=True))
"""),
    ("softmax", "numpy", "exception", """
def softmax(z):
    e = np.exp(z - z.max(axis=-1))          # forgot keepdims: (N, K) - (N,) does not broadcast
    return e / e.sum(axis=-1)
"""),
    ("softmax", "numpy", "none", """
def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    probs = e / e.sum(axis=-1, keepdims=True)
"""),
]

_STEP_WRONG = {
    # reason: (torch body, tensorflow body)
    "no-tanh": ("x_t @ W_xh + h_prev @ W_hh + b_h",
                "tf.matmul(x_t, W_xh) + tf.matmul(h_prev, W_hh) + b_h"),
    "no-bias": ("torch.tanh(x_t @ W_xh + h_prev @ W_hh)",
                "tf.tanh(tf.matmul(x_t, W_xh) + tf.matmul(h_prev, W_hh))"),
    "wrong-activation": ("torch.sigmoid(x_t @ W_xh + h_prev @ W_hh + b_h)",
                         "tf.sigmoid(tf.matmul(x_t, W_xh) + tf.matmul(h_prev, W_hh) + b_h)"),
    "no-recurrence": ("torch.tanh(x_t @ W_xh + b_h)",
                      "tf.tanh(tf.matmul(x_t, W_xh) + b_h)"),
    "exception": ("torch.tanh(x_t @ W_hh + h_prev @ W_xh + b_h)",          # swapped weight matrices
                  "tf.tanh(tf.matmul(x_t, W_hh) + tf.matmul(h_prev, W_xh) + b_h)"),
    "bias-outside": ("torch.tanh(x_t @ W_xh + h_prev @ W_hh) + b_h",
                     "tf.tanh(tf.matmul(x_t, W_xh) + tf.matmul(h_prev, W_hh)) + b_h"),
    "transposed-recurrent": ("torch.tanh(x_t @ W_xh + h_prev @ W_hh.T + b_h)",
                             "tf.tanh(tf.matmul(x_t, W_xh) + tf.matmul(h_prev, tf.transpose(W_hh)) + b_h)"),
}
for _reason, (_t, _k) in _STEP_WRONG.items():
    for _fw, _body in (("torch", _t), ("tensorflow", _k)):
        CATALOGUE.append(("rnn_step", _fw, _reason,
                          f"def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):\n    return {_body}\n"))
CATALOGUE.append(("rnn_step", "torch", "shape", """
def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
    return torch.tanh(x_t @ W_xh + h_prev @ W_hh + b_h).T     # transposed result
"""))

_FWD_WRONG = {
    "state-not-carried": """
    outs = [step(X[:, t], h0) for t in range(X.shape[1])]
    return STACK(outs, 1), outs[-1]""",
    "time-reversed": """
    h, outs = h0, []
    for t in reversed(range(X.shape[1])):
        h = step(X[:, t], h)
        outs.append(h)
    return STACK(outs, 1), h""",
    "time-major": """
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = step(X[:, t], h)
        outs.append(h)
    return STACK(outs, 0), h""",
    "includes-h0": """
    h, outs = h0, [h0]
    for t in range(X.shape[1]):
        h = step(X[:, t], h)
        outs.append(h)
    return STACK(outs, 1), h""",
    "wrong-last-state": """
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = step(X[:, t], h)
        outs.append(h)
    return STACK(outs, 1), h0""",
    "exception": """
    h, outs = h0, []
    for t in range(X.shape[0]):              # loops over the batch axis instead of time
        h = step(X[t], h)
        outs.append(h)
    return STACK(outs, 1), h""",
    "arity": """
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = step(X[:, t], h)
        outs.append(h)
    return STACK(outs, 1)""",
    "type": """
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = step(X[:, t], h)
        outs.append(h)
    return outs, h""",
}
for _reason, _body in _FWD_WRONG.items():
    for _fw, _stack in (("torch", "torch.stack(outs, dim={})"), ("tensorflow", "tf.stack(outs, axis={})")):
        body = _body
        for axis in (0, 1):
            body = body.replace(f"STACK(outs, {axis})", _stack.format(axis))
        CATALOGUE.append(("rnn_forward", _fw, _reason, f"def rnn_forward(X, h0, step):{body}\n"))

_COUNT_WRONG = {
    "torch": {"bias-count": "D * H + H * H + H", "no-bias": "D * H + H * H", "no-recurrent": "D * H + 2 * H",
              "recurrent-shape": "2 * D * H + 2 * H", "input-shape": "2 * H * H + 2 * H",
              "bias-size": "D * H + H * H + 2 * D"},
    "tensorflow": {"bias-count": "D * H + H * H + 2 * H", "no-bias": "D * H + H * H", "no-recurrent": "D * H + H",
                   "recurrent-shape": "2 * D * H + H", "input-shape": "2 * H * H + H",
                   "bias-size": "D * H + H * H + D"},
}
CATALOGUE += catalogue_rows("rnn_param_count", _COUNT_WRONG, "def rnn_param_count(D, H):\n    return {}\n")
