"""Exercises of topic 03, "LSTM": one LSTM step, the parameter count, the forget-gate bias slice.

Course layout (both frameworks): z = x_t @ W_x + h_prev @ W_h + b with W_x: (D, 4H), W_h: (H, 4H),
b: (4H,), and the four blocks of z in gate order i, f, g, o (input, forget, candidate, output).
"""
import numpy as np

from helpers.checks import Exercise, Mistake
from helpers.checks.values import to_framework

_rng = np.random.default_rng(3)


def _sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def _gates(x, h, W_x, W_h, b):
    z = x @ W_x + h @ W_h + b                     # (B, 4H)
    return np.split(z, 4, axis=1)                 # pre-activations of i, f, g, o


# --------------------------------------------------------------------------- lstm_step
def lstm_step_reference(x, h, c, W_x, W_h, b, fw="numpy"):
    """x: (B, D), h, c: (B, H) -> (h_t, c_t), each (B, H)."""
    zi, zf, zg, zo = _gates(x, h, W_x, W_h, b)
    c_t = _sig(zf) * c + _sig(zi) * np.tanh(zg)
    return _sig(zo) * np.tanh(c_t), c_t


def _variant(kind):
    def fn(x, h, c, W_x, W_h, b, fw):
        zi, zf, zg, zo = _gates(x, h, W_x, W_h, b)
        i, f, g, o = _sig(zi), _sig(zf), np.tanh(zg), _sig(zo)
        if kind == "gates-swapped":
            i, f = f, i
        if kind == "candidate-sigmoid":
            g = _sig(zg)
        if kind == "gate-order":                  # read the blocks as i, f, o, g
            g, o = np.tanh(zo), _sig(zg)
        c_t = (c if kind == "no-forget" else f * c) + i * g
        if kind == "no-tanh-on-c":
            return o * c_t, c_t
        if kind == "tanh-outside":
            return np.tanh(o * c_t), c_t
        if kind == "swapped-returns":
            return c_t, o * np.tanh(c_t)
        return o * np.tanh(c_t), c_t
    return fn


def _step_cases():
    cases = []
    for B, D, H in [(3, 2, 4), (2, 5, 3), (4, 3, 2)]:
        cases.append((_rng.normal(size=(B, D)), _rng.normal(scale=0.5, size=(B, H)), _rng.normal(size=(B, H)),
                      _rng.normal(scale=0.6, size=(D, 4 * H)), _rng.normal(scale=0.6, size=(H, 4 * H)),
                      _rng.normal(scale=0.5, size=(4 * H,))))
    return cases


LSTM_STEP = Exercise(
    id="lstm_step",
    title="One step of an LSTM cell",
    cases=_step_cases(),
    reference=lstm_step_reference,
    output_names=("h_t", "c_t"),
    hints=["Compute all four pre-activations at once, z = x_t @ W_x + h_prev @ W_h + b (shape (B, 4H)), then split z into four (B, H) blocks in the order i, f, g, o.",
           "Gates i, f, o go through the sigmoid; the candidate g goes through tanh.",
           "c_t = f * c_prev + i * g, then h_t = o * tanh(c_t); return (h_t, c_t) in that order."],
    solutions={
        "torch": '''\
def lstm_step(x_t, h_prev, c_prev, W_x, W_h, b):
    z = x_t @ W_x + h_prev @ W_h + b                 # (B, 4H)
    z_i, z_f, z_g, z_o = z.chunk(4, dim=1)          # four (B, H) blocks: i, f, g, o
    i, f, o = torch.sigmoid(z_i), torch.sigmoid(z_f), torch.sigmoid(z_o)
    g = torch.tanh(z_g)                              # the candidate
    c_t = f * c_prev + i * g                         # forget some old memory, write new
    h_t = o * torch.tanh(c_t)                        # expose part of the memory
    return h_t, c_t
''',
        "tensorflow": '''\
def lstm_step(x_t, h_prev, c_prev, W_x, W_h, b):
    z = tf.matmul(x_t, W_x) + tf.matmul(h_prev, W_h) + b   # (B, 4H)
    z_i, z_f, z_g, z_o = tf.split(z, 4, axis=1)             # blocks i, f, g, o
    i, f, o = tf.sigmoid(z_i), tf.sigmoid(z_f), tf.sigmoid(z_o)
    g = tf.tanh(z_g)                                         # the candidate
    c_t = f * c_prev + i * g                                 # forget old, write new
    h_t = o * tf.tanh(c_t)                                   # expose part of the memory
    return h_t, c_t
'''},
    mistakes=[
        Mistake("gates-swapped", "The input and forget gates are swapped: f multiplies the old cell state c_prev, i multiplies the candidate g.",
                _variant("gates-swapped")),
        Mistake("candidate-sigmoid", "The candidate g goes through tanh (values in (-1, 1), so memory can also decrease), not through the sigmoid.",
                _variant("candidate-sigmoid")),
        Mistake("gate-order", "The four blocks of z come in the order i, f, g, o: the third block is the candidate, the fourth the output gate.",
                _variant("gate-order")),
        Mistake("no-forget", "The old cell state must be multiplied by the forget gate: c_t = f * c_prev + i * g.",
                _variant("no-forget")),
        Mistake("no-tanh-on-c", "The hidden state is o * tanh(c_t): squash the cell state before the output gate.",
                _variant("no-tanh-on-c")),
        Mistake("tanh-outside", "Apply tanh to c_t first and multiply by the output gate after: h_t = o * tanh(c_t).",
                _variant("tanh-outside")),
        Mistake("swapped-returns", "Return the hidden state first and the cell state second: (h_t, c_t).",
                _variant("swapped-returns")),
    ],
    error_hint="x_t (B, D) multiplies W_x (D, 4H) and h_prev (B, H) multiplies W_h (H, 4H); "
               "split the (B, 4H) result into four (B, H) blocks along dim/axis 1.",
)


# --------------------------------------------------------------------------- lstm_param_count
N_BIASES = {"torch": 2, "tensorflow": 1, "numpy": 1}


def lstm_param_count_reference(D, H, fw="numpy"):
    """Trainable parameters of one built-in LSTM layer: 4 gates, each with D x H + H x H weights and its biases."""
    return 4 * (D * H + H * H + N_BIASES[fw] * H)


LSTM_PARAM_COUNT = Exercise(
    id="lstm_param_count",
    title="Count the parameters of an LSTM layer",
    cases=[(2, 32), (300, 512), (7, 3), (1, 16)],
    reference=lstm_param_count_reference,
    hints=["An LSTM layer holds four blocks (gates i, f, o and the candidate g), each like a vanilla RNN cell.",
           "Each block has D x H input weights, H x H recurrent weights and its bias(es); multiply one block by 4.",
           "Biases: one vector of size H per block in Keras, two (bias_ih and bias_hh) in PyTorch."],
    solutions={
        "torch": '''\
def lstm_param_count(D, H):
    # 4 blocks (i, f, g, o), each with W_ih, W_hh, bias_ih and bias_hh
    return 4 * (D * H + H * H + 2 * H)
''',
        "tensorflow": '''\
def lstm_param_count(D, H):
    # 4 blocks (i, f, c, o), each with kernel, recurrent kernel and bias
    return 4 * (D * H + H * H + H)
'''},
    mistakes=[
        Mistake("no-four", "That is one vanilla cell; an LSTM has four such blocks (i, f, g, o): multiply by 4.",
                lambda D, H, fw: D * H + H * H + N_BIASES[fw] * H),
        Mistake("three-gates", "Three gates plus the candidate make four blocks, not three.",
                lambda D, H, fw: 3 * (D * H + H * H + N_BIASES[fw] * H)),
        Mistake("bias-count", {"torch": "PyTorch's LSTM keeps two bias vectors per block (bias_ih and bias_hh): 2 x 4H in all.",
                               "tensorflow": "Keras's LSTM keeps a single bias vector of size 4H.",
                               "numpy": "Count one bias vector of size 4H."},
                lambda D, H, fw: 4 * (D * H + H * H + (3 - N_BIASES[fw]) * H)),
        Mistake("no-recurrent", "Every block also reads the previous hidden state: add H x H recurrent weights per block.",
                lambda D, H, fw: 4 * (D * H + N_BIASES[fw] * H)),
        Mistake("no-bias", "You forgot the biases (size H per block and bias vector).",
                lambda D, H, fw: 4 * (D * H + H * H)),
        Mistake("bias-size", "Each bias has one entry per hidden unit (H), not per input (D).",
                lambda D, H, fw: 4 * (D * H + H * H + N_BIASES[fw] * D)),
    ],
    error_hint="D and H are plain integers here: the answer is a formula in D and H.",
    atol=0.0,
    rtol=0.0,
)


# --------------------------------------------------------------------------- set_forget_bias
# PyTorch: nn.LSTM adds two bias vectors, bias_ih and bias_hh, so the learner sets the forget block
# of their sum (value in bias_ih's, 0 in bias_hh's, or any split with that sum); TensorFlow: Keras's
# LSTM has one bias vector. A case is (b_ih, b_hh, H, value); TensorFlow's learner gets (b_ih, H, value).
def forget_bias_reference(b_ih, b_hh, H, value, fw="numpy"):
    """b_ih, b_hh: (4H,) in gate order i, f, g, o. TensorFlow (one bias): a copy of b_ih with the
    forget block [H:2H] set to value. PyTorch: copies (b_ih with that block = value, b_hh with it = 0)."""
    out = b_ih.copy()
    out[H:2 * H] = value
    if fw != "torch":
        return out
    hh = b_hh.copy()
    hh[H:2 * H] = 0.0
    return out, hh


def _forget_to_learner(case, fw):
    b_ih, b_hh, H, value = case
    if fw == "torch":
        return to_framework(b_ih, fw), to_framework(b_hh, fw), H, value
    return to_framework(b_ih, fw), H, value


def _forget_sum(outputs, fw):
    """What nn.LSTM uses of its two biases: their sum (TensorFlow's single bias as it is)."""
    return (outputs[0] + outputs[1],) if fw == "torch" and len(outputs) == 2 else outputs


def _set_block(start, stop, mode="set"):
    """A mistake that changes the wrong slice [start(H):stop(H)] (or adds instead of setting)."""
    def fn(b_ih, b_hh, H, value, fw):
        outs = []
        for b, v in [(b_ih, value)] + ([(b_hh, 0.0)] if fw == "torch" else []):
            out = b.copy()
            if mode == "add":
                out[start(H):stop(H)] += v
            else:
                out[start(H):stop(H)] = v
            outs.append(out)
        return tuple(outs) if fw == "torch" else outs[0]
    return fn


def _torch_only(fn):
    """A mistake that only PyTorch's two biases allow: fn(b_ih, b_hh, H, value) -> (ih, hh)."""
    return lambda b_ih, b_hh, H, value, fw: fn(b_ih.copy(), b_hh.copy(), H, value) if fw == "torch" else None


def _only_ih(b_ih, b_hh, H, value):
    b_ih[H:2 * H] = value
    return b_ih, b_hh


def _only_hh(b_ih, b_hh, H, value):
    b_hh[H:2 * H] = value
    return b_ih, b_hh


def _both(b_ih, b_hh, H, value):
    b_ih[H:2 * H] = value
    b_hh[H:2 * H] = value
    return b_ih, b_hh


def _forget_cases():
    cases = []
    for n_units, value in [(3, 1.0), (4, -2.0), (2, 0.5)]:
        b_ih, b_hh = _rng.normal(scale=0.1, size=(2, 4 * n_units))
        cases.append((b_ih, b_hh, n_units, value))
    return cases


SET_FORGET_BIAS = Exercise(
    id="set_forget_bias",
    blocks={0: ("i", "f", "g", "o")},         # where a wrong answer differs: which gate's block
    title="Set the forget gate's bias",
    cases=_forget_cases(),
    reference=forget_bias_reference,
    to_learner=_forget_to_learner,
    compare_as=_forget_sum,
    output_names=(),
    output_hint={"torch": "return two vectors, (new b_ih, new b_hh).", "tensorflow": ""},
    hints=[{"torch": "Each bias vector has 4H entries, one block of H per gate, in the order i, f, g, o; "
                     "nn.LSTM adds b_ih and b_hh, so the forget gate's bias is b_ih[H:2*H] + b_hh[H:2*H].",
            "tensorflow": "The bias vector has 4H entries, one block of H per gate, in the order i, f, g, o."},
           "The forget gate is the second block: entries H to 2H - 1, the slice [H:2*H].",
           {"torch": "Clone both vectors; set b_ih's forget block to value and b_hh's to 0, so that their "
                     "sum is value; return the pair.",
            "tensorflow": "Return a new vector (tf.concat of three pieces) with that block equal to value."}],
    solutions={
        "torch": '''\
def set_forget_bias(b_ih, b_hh, H, value):
    b_ih, b_hh = b_ih.clone(), b_hh.clone()   # do not change the caller's tensors
    b_ih[H:2 * H] = value                     # blocks i, f, g, o: the forget gate is the second
    b_hh[H:2 * H] = 0.0                       # nn.LSTM adds the two: their sum is value
    return b_ih, b_hh
''',
        "tensorflow": '''\
def set_forget_bias(b, H, value):
    # blocks i, f, g, o: keep i, replace f, keep g and o
    return tf.concat([b[:H], tf.fill([H], tf.cast(value, b.dtype)), b[2 * H:]], axis=0)
'''},
    mistakes=[
        Mistake("input-block", "That is the input gate's block (the first); the forget gate is the second block, [H:2*H].",
                _set_block(lambda H: 0, lambda H: H)),
        Mistake("candidate-block", "That is the candidate's block (the third); the forget gate is the second block, [H:2*H].",
                _set_block(lambda H: 2 * H, lambda H: 3 * H)),
        Mistake("output-block", "That is the output gate's block (the fourth); the forget gate is the second block, [H:2*H].",
                _set_block(lambda H: 3 * H, lambda H: 4 * H)),
        Mistake("added", "Set the block to value; adding value to the existing bias gives a different initialisation.",
                _set_block(lambda H: H, lambda H: 2 * H, mode="add")),
        Mistake("whole-vector", "Only the forget gate's block (H entries) changes; the other gates keep their biases.",
                _set_block(lambda H: 0, lambda H: 4 * H)),
        Mistake("one-entry", "The forget gate has H bias entries, one per unit: set the whole slice [H:2*H], not just b[H].",
                _set_block(lambda H: H, lambda H: H + 1)),
        Mistake("one-bias", {"torch": "nn.LSTM adds its two biases, so with one of them left as it was the forget "
                                      "gate's bias is value plus that one's random forget block: set the other's "
                                      "forget block to 0."},
                _torch_only(_only_ih)),
        Mistake("one-bias", {"torch": "nn.LSTM adds its two biases, so with one of them left as it was the forget "
                                      "gate's bias is value plus that one's random forget block: set the other's "
                                      "forget block to 0."},
                _torch_only(_only_hh)),
        Mistake("both-biases", {"torch": "nn.LSTM adds its two biases: with value in both forget blocks the "
                                         "forget gate's bias is 2 * value. Put value in one and 0 in the other."},
                _torch_only(_both)),
    ],
    error_hint={"torch": "b_ih and b_hh are vectors of 4H numbers and H an integer: slice them with [H:2*H].",
                "tensorflow": "b is a vector of 4H numbers and H an integer: slice it with [H:2*H]."},
)

EXERCISES = [LSTM_STEP, LSTM_PARAM_COUNT, SET_FORGET_BIAS]
