"""Exercises of topic 01, "From FFN to RNN": one RNN step, the loop over time, parameter counts.

Conventions (the course's, in both frameworks): batch first, row vectors, weights stored (in, out),
so one step is  h_t = tanh(x_t @ W_xh + h_{t-1} @ W_hh + b_h)  with
x_t: (B, D), h_{t-1}: (B, H), W_xh: (D, H), W_hh: (H, H), b_h: (H,).
"""
import numpy as np

from helpers.checks import Exercise, Mistake, to_framework

_rng = np.random.default_rng(1)


def _weights(D, H, scale=0.5):
    return (_rng.normal(scale=scale, size=(D, H)), _rng.normal(scale=scale, size=(H, H)),
            _rng.normal(scale=scale, size=(H,)))


# --------------------------------------------------------------------------- rnn_step
def rnn_step_reference(x_t, h_prev, W_xh, W_hh, b_h, fw="numpy"):
    """x_t: (B, D), h_prev: (B, H) -> h_t: (B, H)."""
    return np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _step_cases():
    cases = []
    for B, D, H in [(4, 3, 5), (2, 6, 4), (3, 2, 2)]:
        cases.append((_rng.normal(size=(B, D)), _rng.normal(scale=0.8, size=(B, H)), *_weights(D, H)))
    return cases


RNN_STEP = Exercise(
    id="rnn_step",
    title="One step of a vanilla RNN cell",
    cases=_step_cases(),
    reference=rnn_step_reference,
    hints=["The new state is tanh of (input term + recurrent term + bias).",
           "The input term is x_t @ W_xh, shape (B, H); the recurrent term is h_prev @ W_hh, shape (B, H).",
           "Add b_h (shape (H,), it broadcasts over the batch) inside the tanh."],
    solutions={
        "torch": '''\
def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
    return torch.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)   # (B, H)
''',
        "tensorflow": '''\
def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
    return tf.tanh(tf.matmul(x_t, W_xh) + tf.matmul(h_prev, W_hh) + b_h)   # (B, H)
''',
        "numpy": '''\
def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
    return np.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)   # (B, H)
'''},
    mistakes=[
        Mistake("no-tanh", "Apply tanh to the sum: without it the state is unbounded and the cell is linear.",
                lambda x, h, Wx, Wh, b, fw: x @ Wx + h @ Wh + b),
        Mistake("no-bias", "You forgot the bias: add b_h inside the tanh.",
                lambda x, h, Wx, Wh, b, fw: np.tanh(x @ Wx + h @ Wh)),
        Mistake("bias-outside", "The bias belongs inside the tanh: tanh(x_t W_xh + h_prev W_hh + b_h).",
                lambda x, h, Wx, Wh, b, fw: np.tanh(x @ Wx + h @ Wh) + b),
        Mistake("wrong-activation", "The vanilla cell squashes with tanh (outputs in (-1, 1)), not sigmoid.",
                lambda x, h, Wx, Wh, b, fw: _sigmoid(x @ Wx + h @ Wh + b)),
        Mistake("wrong-activation", "The vanilla cell squashes with tanh (outputs in (-1, 1)), not ReLU.",
                lambda x, h, Wx, Wh, b, fw: np.maximum(x @ Wx + h @ Wh + b, 0.0)),
        Mistake("no-recurrence", "The new state must depend on the previous one: add h_prev @ W_hh.",
                lambda x, h, Wx, Wh, b, fw: np.tanh(x @ Wx + b)),
        Mistake("no-input", "The new state must depend on the input: add x_t @ W_xh.",
                lambda x, h, Wx, Wh, b, fw: np.tanh(h @ Wh + b)),
        Mistake("swapped-weights", "W_xh and W_hh are swapped: the input goes through W_xh, the state through W_hh.",
                lambda x, h, Wx, Wh, b, fw: np.tanh(x @ Wh + h @ Wx + b) if x.shape[1] == h.shape[1] else None),
        Mistake("transposed-recurrent", "Use W_hh as stored, (H, H) with rows = previous state: h_prev @ W_hh, not W_hh.T.",
                lambda x, h, Wx, Wh, b, fw: np.tanh(x @ Wx + h @ Wh.T + b)),
    ],
    error_hint="x_t (B, D) multiplies W_xh (D, H) and h_prev (B, H) multiplies W_hh (H, H); "
               "check which matrix goes with which vector, and that you use @ (matrix product).",
)


# --------------------------------------------------------------------------- rnn_forward
def _np_step(Wx, Wh, b):
    return lambda x_t, h: np.tanh(x_t @ Wx + h @ Wh + b)


def _fw_step(Wx, Wh, b, fw):
    """The step function handed to the learner: the reference cell in their framework."""
    Wx, Wh, b = (to_framework(a, fw) for a in (Wx, Wh, b))
    if fw == "torch":
        import torch
        return lambda x_t, h: torch.tanh(x_t @ Wx + h @ Wh + b)
    if fw == "tensorflow":
        import tensorflow as tf
        return lambda x_t, h: tf.tanh(tf.matmul(x_t, Wx) + tf.matmul(h, Wh) + b)
    return _np_step(Wx, Wh, b)


def _run(X, h0, step, order, carry=True):
    h, outs = h0, []
    for t in order:
        h = step(X[:, t], h if carry else h0)
        outs.append(h)
    return outs, h


def rnn_forward_reference(X, h0, Wx, Wh, b, fw="numpy"):
    """X: (B, T, D), h0: (B, H) -> (outputs (B, T, H), h_T (B, H))."""
    outs, h = _run(X, h0, _np_step(Wx, Wh, b), range(X.shape[1]))
    return np.stack(outs, axis=1), h


def _forward_cases():
    cases = []
    for B, T, D, H in [(3, 5, 2, 4), (2, 7, 3, 3), (4, 2, 5, 6)]:
        cases.append((_rng.normal(size=(B, T, D)), _rng.normal(scale=0.5, size=(B, H)), *_weights(D, H, 0.6)))
    return cases


def _forward_mistake(order="forward", carry=True, axis=1, with_h0=False, last="h"):
    def fn(X, h0, Wx, Wh, b, fw):
        T = X.shape[1]
        outs, h = _run(X, h0, _np_step(Wx, Wh, b), range(T) if order == "forward" else range(T - 1, -1, -1), carry)
        if order == "reversed-kept":
            outs = outs[::-1]
        if with_h0:
            outs = [h0] + outs
        H_all = np.stack(outs, axis=axis)
        return H_all, {"h": h, "h0": h0, "first": outs[0]}[last]
    return fn


RNN_FORWARD = Exercise(
    id="rnn_forward",
    title="Unroll a cell over time",
    cases=_forward_cases(),
    reference=rnn_forward_reference,
    to_learner=lambda case, fw: (to_framework(case[0], fw), to_framework(case[1], fw), _fw_step(*case[2:], fw)),
    output_names=("outputs", "h_T"),
    hints=["Start from h = h0 and loop t = 0, 1, ..., T-1; the input at time t is X[:, t] (shape (B, D)).",
           "Inside the loop: h = step(X[:, t], h), then remember h in a list. The same h feeds the next step.",
           {fw: f"After the loop, stack the list along the time axis ({stack}) to get (B, T, H), and return it "
                f"together with the last h."
            for fw, stack in [("torch", "torch.stack(outs, dim=1)"), ("tensorflow", "tf.stack(outs, axis=1)"),
                              ("numpy", "np.stack(outs, axis=1)")]}],
    solutions={
        "torch": '''\
def rnn_forward(X, h0, step):
    h, outs = h0, []
    for t in range(X.shape[1]):        # X: (B, T, D), batch first
        h = step(X[:, t], h)           # (B, H): the state is carried to the next step
        outs.append(h)
    return torch.stack(outs, dim=1), h # (B, T, H), (B, H)
''',
        "tensorflow": '''\
def rnn_forward(X, h0, step):
    h, outs = h0, []
    for t in range(X.shape[1]):        # X: (B, T, D), batch first
        h = step(X[:, t], h)           # (B, H): the state is carried to the next step
        outs.append(h)
    return tf.stack(outs, axis=1), h   # (B, T, H), (B, H)
''',
        "numpy": '''\
def rnn_forward(X, h0, step):
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = step(X[:, t], h)
        outs.append(h)
    return np.stack(outs, axis=1), h
'''},
    mistakes=[
        Mistake("state-not-carried", "Carry the state: each step must receive the h computed by the step "
                                     "before it, not h0 again.", _forward_mistake(carry=False)),
        Mistake("time-reversed", "Walk forward in time, t = 0, 1, ..., T-1: the first input is X[:, 0].",
                _forward_mistake(order="reversed")),
        Mistake("time-reversed", "Walk forward in time, t = 0, 1, ..., T-1: the first input is X[:, 0].",
                _forward_mistake(order="reversed-kept")),
        Mistake("time-major", "Stack along the time axis, dim/axis 1, so the outputs are (B, T, H), batch first.",
                _forward_mistake(axis=0)),
        Mistake("includes-h0", "The outputs are h_1 ... h_T, one per input step: leave h0 out.",
                _forward_mistake(with_h0=True)),
        Mistake("wrong-last-state", "The second value is the state after the last step, h_T (equal to outputs[:, -1]).",
                _forward_mistake(last="h0")),
        Mistake("wrong-last-state", "The second value is the state after the last step, h_T (equal to outputs[:, -1]).",
                _forward_mistake(last="first")),
    ],
    error_hint="X is batch first, (B, T, D): the input at time t is X[:, t], of shape (B, D), "
               "and the state h has shape (B, H).",
)


# --------------------------------------------------------------------------- rnn_param_count
N_BIASES = {"torch": 2, "tensorflow": 1, "numpy": 1}


def rnn_param_count_reference(D, H, fw="numpy"):
    """Trainable parameters of one built-in vanilla RNN layer with input size D and hidden size H."""
    return D * H + H * H + N_BIASES[fw] * H


def _biases_hint(fw):
    if fw == "torch":
        return ("PyTorch's nn.RNN keeps two bias vectors, bias_ih and bias_hh, each of size H "
                "(two Linear layers' worth): count both.")
    return "Keras's SimpleRNN keeps a single bias vector of size H: count it once."


RNN_PARAM_COUNT = Exercise(
    id="rnn_param_count",
    title="Count the parameters of a vanilla RNN layer",
    cases=[(3, 5), (300, 512), (7, 2), (1, 16)],
    reference=rnn_param_count_reference,
    hints=["There are two weight matrices: W_xh maps the input to the hidden state, W_hh maps the hidden state to itself.",
           "W_xh has D x H entries and W_hh has H x H entries; the number of time steps does not matter (weights are shared).",
           "Then add the bias: one vector of size H in Keras, two (bias_ih and bias_hh) in PyTorch."],
    solutions={
        "torch": '''\
def rnn_param_count(D, H):
    return D * H + H * H + 2 * H   # W_ih, W_hh, and two biases (bias_ih, bias_hh)
''',
        "tensorflow": '''\
def rnn_param_count(D, H):
    return D * H + H * H + H       # kernel, recurrent_kernel, one bias
''',
        "numpy": '''\
def rnn_param_count(D, H):
    return D * H + H * H + H
'''},
    mistakes=[
        Mistake("no-recurrent", "You left out the recurrent matrix W_hh (H x H), the part that makes it an RNN.",
                lambda D, H, fw: D * H + N_BIASES[fw] * H),
        Mistake("no-bias", "You forgot the bias vector(s) of size H.",
                lambda D, H, fw: D * H + H * H),
        Mistake("bias-count", {fw: _biases_hint(fw) for fw in N_BIASES},
                lambda D, H, fw: D * H + H * H + (3 - N_BIASES[fw]) * H),
        Mistake("recurrent-shape", "W_hh maps the hidden state to itself, so it is H x H, not D x H.",
                lambda D, H, fw: 2 * D * H + N_BIASES[fw] * H),
        Mistake("input-shape", "W_xh maps a D-dimensional input to H hidden units, so it is D x H, not H x H.",
                lambda D, H, fw: 2 * H * H + N_BIASES[fw] * H),
        Mistake("bias-size", "Each bias vector has one entry per hidden unit (size H), not per input (D).",
                lambda D, H, fw: D * H + H * H + N_BIASES[fw] * D),
    ],
    error_hint="D and H are plain integers here: the answer is a formula in D and H.",
    atol=0.0,
    rtol=0.0,
)

EXERCISES = [RNN_STEP, RNN_FORWARD, RNN_PARAM_COUNT]
