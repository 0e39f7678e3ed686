"""Exercise of appendix 09, "One model, two frameworks": one LSTM layer's weights from PyTorch's
layout to Keras's, in NumPy (the notebook imports both frameworks; the arithmetic needs neither)."""
import numpy as np

from helpers.checks import Exercise, Mistake

_rng = np.random.default_rng(9)


def _blocks(w, order):
    """Reorder the four H-blocks along axis 0 of a (4H, ...) array."""
    parts = np.split(w, 4, axis=0)
    return np.concatenate([parts[i] for i in order], axis=0)


def _convert(kind=None):
    def fn(weight_ih, weight_hh, bias_ih, bias_hh, fw="numpy"):
        W_ih, W_hh, b_ih, b_hh = weight_ih, weight_hh, bias_ih, bias_hh
        if kind == "gru-swap":                       # the GRU's r/z swap, wrong for an LSTM
            W_ih, W_hh, b_ih, b_hh = (_blocks(a, [1, 0, 2, 3]) for a in (W_ih, W_hh, b_ih, b_hh))
        if kind == "gate-order-icfo":                # TensorFlow's fused BlockLSTM order
            W_ih, W_hh, b_ih, b_hh = (_blocks(a, [0, 2, 1, 3]) for a in (W_ih, W_hh, b_ih, b_hh))
        kernel = {"reshaped": W_ih.reshape(W_ih.shape[1], -1), "matrices-swapped": W_hh.T,
                  "no-transpose": W_ih}.get(kind, W_ih.T)
        recurrent = {"matrices-swapped": W_ih.T, "recurrent-not-transposed": W_hh,
                     "reshaped": W_hh.reshape(W_hh.shape[1], -1)}.get(kind, W_hh.T)
        bias = {"one-bias": b_ih, "bias-averaged": (b_ih + b_hh) / 2,
                "biases-concatenated": np.concatenate([b_ih, b_hh])}.get(kind, b_ih + b_hh)
        return kernel, recurrent, bias
    return fn


def _cases():
    cases = []
    for D, H in [(3, 2), (1, 4), (5, 1), (2, 3), (6, 2)]:
        cases.append((_rng.normal(size=(4 * H, D)), _rng.normal(size=(4 * H, H)),
                      _rng.normal(size=(4 * H,)), _rng.normal(size=(4 * H,))))
    return cases


CONVERT_LSTM_WEIGHTS = Exercise(
    id="convert_lstm_weights",
    blocks={k: ("i", "f", "g", "o") for k in range(3)},   # which gate's block differs
    title="One LSTM layer from PyTorch's layout to Keras's",
    cases=_cases(),
    reference=_convert(),
    output_names=("kernel", "recurrent_kernel", "bias"),
    hints=["The source keeps each weight as (out, in) = (4H, D) and computes x @ W.T; the target "
           "keeps (in, out) = (D, 4H) and computes x @ kernel. A transpose, not a reshape: a reshape "
           "keeps the numbers in memory order and scrambles the matrix.",
           "Both sides stack the LSTM's four blocks in the same order, i, f, g (also called c), o, so "
           "no block moves (unlike the GRU's r, z, n and z, r, h).",
           "The source adds two biases, bias_ih and bias_hh, to the same pre-activation; the target has "
           "one. Their sum gives the same numbers: bias = bias_ih + bias_hh, shape (4H,)."],
    solutions={"numpy": '''\
def convert_lstm_weights(weight_ih, weight_hh, bias_ih, bias_hh):
    kernel = weight_ih.T                  # (4H, D) -> (D, 4H)
    recurrent_kernel = weight_hh.T        # (4H, H) -> (H, 4H)
    bias = bias_ih + bias_hh              # two biases in one pre-activation: (4H,)
    return kernel, recurrent_kernel, bias
'''},
    mistakes=[
        Mistake("no-transpose", "kernel must be (D, 4H), that is (in, out): transpose weight_ih.",
                _convert("no-transpose")),
        Mistake("reshaped", "A reshape keeps the numbers in memory order, so it scrambles the matrix: "
                            "use the transpose, weight_ih.T and weight_hh.T.", _convert("reshaped")),
        Mistake("recurrent-not-transposed", "recurrent_kernel must be (H, 4H): transpose weight_hh too.",
                _convert("recurrent-not-transposed")),
        Mistake("matrices-swapped", "The kernel acts on the input x_t and comes from weight_ih; the "
                                    "recurrent kernel acts on h_{t-1} and comes from weight_hh.",
                _convert("matrices-swapped")),
        Mistake("one-bias", "bias_ih and bias_hh are added to the same pre-activation, so the one bias of "
                            "the target layer is their sum, bias_ih + bias_hh.", _convert("one-bias")),
        Mistake("bias-averaged", "Add the two biases, do not average them: both are added to the same "
                                 "pre-activation.", _convert("bias-averaged")),
        Mistake("biases-concatenated", "The target LSTM has one bias of shape (4H,): add bias_ih and bias_hh "
                                       "instead of putting them one after the other.",
                _convert("biases-concatenated")),
        Mistake("gru-swap", "That swap of the first two blocks is the GRU's (r, z, n vs z, r, h); the "
                            "LSTM's blocks i, f, g, o are in the same order on both sides.",
                _convert("gru-swap")),
        Mistake("gate-order-icfo", "The LSTM layer keeps the block order i, f, g, o on both sides; the order "
                                   "i, g, f, o belongs to a fused kernel op, not to the layer.",
                _convert("gate-order-icfo")),
    ],
    error_hint="weight_ih is (4H, D), weight_hh is (4H, H), the biases (4H,): return kernel (D, 4H), "
               "recurrent_kernel (H, 4H) and bias (4H,).",
    output_hint="Return three arrays: kernel, recurrent_kernel, bias.",
)

EXERCISES = [CONVERT_LSTM_WEIGHTS]
