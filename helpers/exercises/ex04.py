"""Exercises of topic 04, "GRU": one GRU step, the parameter count, the update gate as a leaky integrator.

Both PyTorch and Keras (reset_after=True, its default) compute, with update gate z, reset gate r and
candidate n:  r = σ(x W_xr + b_xr + h W_hr + b_hr),  z = σ(x W_xz + b_xz + h W_hz + b_hz),
n = tanh(x W_xn + b_xn + r ⊙ (h W_hn + b_hn)),  h_t = (1 − z) ⊙ n + z ⊙ h_prev.
The cases are stored in PyTorch's layout (W_ih: (3H, D), W_hh: (3H, H), b_ih, b_hh: (3H,), blocks r, z, n
along the first axis); ``_gru_to_learner`` gives TensorFlow learners Keras's layout instead (kernel: (D, 3H),
recurrent_kernel: (H, 3H), bias: (2, 3H), blocks z, r, h along the last axis).
"""
import numpy as np

from helpers.checks import Exercise, Mistake, to_framework

_rng = np.random.default_rng(4)


def _sig(a):
    return 1.0 / (1.0 + np.exp(-a))


# --------------------------------------------------------------------------- gru_step
def _parts(x, h, W_ih, W_hh, b_ih, b_hh):
    """Input and recurrent pre-activations, each split into its blocks r, z, n (each (B, H))."""
    return np.split(x @ W_ih.T + b_ih, 3, axis=1), np.split(h @ W_hh.T + b_hh, 3, axis=1)


def gru_step_reference(x, h, W_ih, W_hh, b_ih, b_hh, fw="numpy"):
    """x: (B, D), h: (B, H), PyTorch's layout -> h_t: (B, H). The same maths for every framework."""
    (i_r, i_z, i_n), (h_r, h_z, h_n) = _parts(x, h, W_ih, W_hh, b_ih, b_hh)
    r, z = _sig(i_r + h_r), _sig(i_z + h_z)
    n = np.tanh(i_n + r * h_n)
    return (1 - z) * n + z * h


def _gru_variant(kind):
    def fn(x, h, W_ih, W_hh, b_ih, b_hh, fw):
        (i_r, i_z, i_n), (h_r, h_z, h_n) = _parts(x, h, W_ih, W_hh, b_ih, b_hh)
        r, z = _sig(i_r + h_r), _sig(i_z + h_z)
        if kind == "rz-order":
            r, z = z, r
        H = h.shape[1]
        W_hn, b_hn = W_hh[2 * H:], b_hh[2 * H:]
        pre = {"reset-on-input": r * i_n + h_n,
               "reset-before": i_n + (r * h) @ W_hn.T + b_hn,
               "biases-summed": i_n + b_hn + r * (h @ W_hn.T),
               "no-reset": i_n + h_n}.get(kind, i_n + r * h_n)
        n = _sig(pre) if kind == "candidate-sigmoid" else np.tanh(pre)
        if kind == "returns-candidate":
            return n
        if kind == "z-swapped":
            return z * n + (1 - z) * h
        return (1 - z) * n + z * h
    return fn


def _keras_blocks(a, axis):
    """PyTorch's block order r, z, n along ``axis`` -> Keras's z, r, h (h = the candidate)."""
    r, z, n = np.split(a, 3, axis=axis)
    return np.concatenate([z, r, n], axis=axis)


def _gru_to_learner(case, fw):
    x, h, W_ih, W_hh, b_ih, b_hh = case
    if fw == "tensorflow":
        kernel, recurrent_kernel = _keras_blocks(W_ih.T, 1), _keras_blocks(W_hh.T, 1)
        bias = np.stack([_keras_blocks(b_ih, 0), _keras_blocks(b_hh, 0)])    # (2, 3H)
        return tuple(to_framework(a, fw) for a in (x, h, kernel, recurrent_kernel, bias))
    return tuple(to_framework(a, fw) for a in case)


def _gru_cases():
    cases = []
    for B, D, H in [(3, 2, 4), (1, 5, 3), (4, 3, 1), (2, 1, 5)]:
        cases.append((_rng.normal(size=(B, D)), _rng.normal(scale=0.8, size=(B, H)),
                      _rng.normal(scale=0.5, size=(3 * H, D)), _rng.normal(scale=0.5, size=(3 * H, H)),
                      _rng.normal(scale=0.8, size=(3 * H,)), _rng.normal(scale=0.8, size=(3 * H,))))
    return cases


GRU_STEP = Exercise(
    id="gru_step",
    title="One step of a GRU cell",
    cases=_gru_cases(),
    reference=gru_step_reference,
    to_learner=_gru_to_learner,
    hints=[{"torch": "Compute the input part x_t @ W_ih.T + b_ih and the recurrent part h_prev @ W_hh.T + b_hh "
                     "(each (B, 3H)), then split each with .chunk(3, dim=1) into three (B, H) blocks, in nn.GRU's "
                     "order r, z, n.",
            "tensorflow": "Compute the input part tf.matmul(x_t, kernel) + bias[0] and the recurrent part "
                          "tf.matmul(h_prev, recurrent_kernel) + bias[1] (each (B, 3H)), then split each with "
                          "tf.split(..., 3, axis=1) into three (B, H) blocks, in Keras's order z, r, h "
                          "(h is the candidate)."},
           {"torch": "r = sigmoid(i_r + h_r) and z = sigmoid(i_z + h_z); the candidate is n = tanh(i_n + r * h_n): "
                     "the reset gate scales the whole recurrent part h_n (b_hh's block included), after the "
                     "matrix product.",
            "tensorflow": "z = sigmoid(x_z + h_z) and r = sigmoid(x_r + h_r); the candidate is "
                          "n = tanh(x_h + r * h_h): the reset gate scales the whole recurrent part h_h (bias[1]'s "
                          "block included), after the matrix product (reset_after=True)."},
           "Mix the old state and the candidate: h_t = (1 - z) * n + z * h_prev. Here z is the share of the "
           "OLD state that is kept."],
    solutions={
        "torch": '''\
def gru_step(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):
    i_r, i_z, i_n = (x_t @ W_ih.T + b_ih).chunk(3, dim=1)      # blocks r, z, n
    h_r, h_z, h_n = (h_prev @ W_hh.T + b_hh).chunk(3, dim=1)   # (B, H) each
    r = torch.sigmoid(i_r + h_r)                  # reset gate
    z = torch.sigmoid(i_z + h_z)                  # update gate: share of old state kept
    n = torch.tanh(i_n + r * h_n)                 # candidate: reset after the product
    return (1 - z) * n + z * h_prev
''',
        "tensorflow": '''\
def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    x_z, x_r, x_h = tf.split(tf.matmul(x_t, kernel) + bias[0], 3, axis=1)   # z, r, h
    h_z, h_r, h_h = tf.split(tf.matmul(h_prev, recurrent_kernel) + bias[1], 3, axis=1)
    z = tf.sigmoid(x_z + h_z)                     # update gate: share of old state kept
    r = tf.sigmoid(x_r + h_r)                     # reset gate
    n = tf.tanh(x_h + r * h_h)                    # candidate: reset after the product
    return (1 - z) * n + z * h_prev
'''},
    mistakes=[
        Mistake("z-swapped", {"torch": "In PyTorch's GRU, z is the share of the OLD state that is kept: "
                                       "h_t = (1 - z) * n + z * h_prev (some papers swap the roles of z and 1 - z).",
                              "tensorflow": "In Keras's GRU, z is the share of the OLD state that is kept: "
                                            "h_t = (1 - z) * n + z * h_prev (some papers swap the roles of z and "
                                            "1 - z)."},
                _gru_variant("z-swapped")),
        Mistake("reset-on-input", "The reset gate multiplies the recurrent part of the candidate (the one from "
                                  "h_prev, its bias included), not the input part: n = tanh(input part + r * "
                                  "recurrent part).",
                _gru_variant("reset-on-input")),
        Mistake("reset-before", {"torch": "nn.GRU applies the reset gate AFTER the recurrent product: "
                                          "r * (h_prev @ W_hn.T + b_hn), not (r * h_prev) @ W_hn.T + b_hn "
                                          "(the older form of Cho et al., 2014).",
                                 "tensorflow": "With reset_after=True (the default) Keras applies the reset gate "
                                               "AFTER the recurrent product: r * h_h with h_h the block of "
                                               "tf.matmul(h_prev, recurrent_kernel) + bias[1], not a product of "
                                               "r * h_prev (the reset_after=False form)."},
                _gru_variant("reset-before")),
        Mistake("candidate-sigmoid", "The candidate n goes through tanh (values in (-1, 1)), not the sigmoid; only "
                                     "the gates r and z use the sigmoid.",
                _gru_variant("candidate-sigmoid")),
        Mistake("rz-order", {"torch": "nn.GRU's blocks come in the order r, z, n: the first block is the reset "
                                      "gate, the second the update gate.",
                             "tensorflow": "Keras stores the blocks z, r, h: the first block is the update gate, "
                                           "the second the reset gate."},
                _gru_variant("rz-order")),
        Mistake("biases-summed", {"torch": "Keep the two biases apart in the candidate: the n block of b_hh sits "
                                           "inside the reset gate's product, n = tanh(i_n + r * (h_prev @ W_hn.T + "
                                           "b_hn)); only for r and z may the two biases be added together.",
                                  "tensorflow": "Keep the two bias rows apart in the candidate: the h block of "
                                                "bias[1] sits inside the reset gate's product, n = tanh(x_h + r * "
                                                "h_h) with h_h including it; only for z and r may the two rows be "
                                                "added together."},
                _gru_variant("biases-summed")),
        Mistake("no-reset", "The candidate uses the reset gate: n = tanh(input part + r * recurrent part).",
                _gru_variant("no-reset")),
        Mistake("returns-candidate", "Return the new state h_t = (1 - z) * n + z * h_prev, not the candidate n.",
                _gru_variant("returns-candidate")),
    ],
    error_hint={"torch": "x_t @ W_ih.T is (B, 3H) and h_prev @ W_hh.T is (B, 3H): split each into three (B, H) "
                         "blocks with .chunk(3, dim=1).",
                "tensorflow": "tf.matmul(x_t, kernel) + bias[0] is (B, 3H), and so is tf.matmul(h_prev, "
                              "recurrent_kernel) + bias[1]: split each into three (B, H) blocks with "
                              "tf.split(..., 3, axis=1)."},
)


# --------------------------------------------------------------------------- gru_param_count
def _n_biases(fw, reset_after):
    """Bias vectors (of size 3H) of a GRU layer: two in PyTorch; in Keras two rows only with reset_after."""
    return 2 if fw == "torch" or reset_after else 1


def gru_param_count_reference(D, H, reset_after, fw="numpy"):
    """Trainable parameters of one built-in GRU layer: 3 blocks, each D x H + H x H weights and its biases."""
    return 3 * (D * H + H * H + _n_biases(fw, reset_after) * H)


def _count_mistake(formula):
    return lambda D, H, reset_after, fw: formula(D, H, _n_biases(fw, reset_after))


def _flag_ignored(rows):
    """Keras's bias rows counted as ``rows`` whatever reset_after says (in PyTorch: the one-bias count)."""
    def fn(D, H, reset_after, fw):
        return 3 * (D * H + H * H + (1 if fw == "torch" else rows) * H)
    return fn


_TORCH_BIASES = "nn.GRU keeps two bias vectors per block (bias_ih and bias_hh): 2 x 3H in all."

GRU_PARAM_COUNT = Exercise(
    id="gru_param_count",
    title="Count the parameters of a GRU layer",
    cases=[(2, 32, True), (300, 512, True), (7, 3, False), (1, 16, False), (5, 1, True), (4, 9, False)],
    reference=gru_param_count_reference,
    to_learner=lambda case, fw: case[:2] if fw == "torch" else tuple(case),
    hints=[{"torch": "A GRU layer holds three blocks (reset gate r, update gate z, candidate n), each like a "
                     "vanilla RNN cell.",
            "tensorflow": "A GRU layer holds three blocks (update gate z, reset gate r, candidate h), each like a "
                          "vanilla RNN cell."},
           "Each block has D x H input weights, H x H recurrent weights and its biases; multiply one block by 3.",
           {"torch": "Biases: " + _TORCH_BIASES,
            "tensorflow": "Biases: with reset_after=True (the default) Keras keeps two bias rows of size 3H (one "
                          "for the input part, one for the recurrent part); with reset_after=False a single row."}],
    solutions={
        "torch": '''\
def gru_param_count(D, H):
    # 3 blocks (r, z, n), each with W_ih, W_hh, bias_ih and bias_hh
    return 3 * (D * H + H * H + 2 * H)
''',
        "tensorflow": '''\
def gru_param_count(D, H, reset_after=True):
    n_bias_rows = 2 if reset_after else 1       # bias has shape (2, 3H) or (3H,)
    # 3 blocks (z, r, h), each with kernel, recurrent kernel and bias
    return 3 * (D * H + H * H + n_bias_rows * H)
'''},
    mistakes=[
        Mistake("no-three", "That is one vanilla cell; a GRU has three such blocks (two gates and the candidate): "
                            "multiply by 3.",
                _count_mistake(lambda D, H, nb: D * H + H * H + nb * H)),
        Mistake("four-blocks", "Four blocks is an LSTM; a GRU has three: the update gate, the reset gate and the "
                               "candidate.",
                _count_mistake(lambda D, H, nb: 4 * (D * H + H * H + nb * H))),
        Mistake("bias-count", {"torch": _TORCH_BIASES,
                               "tensorflow": "Keras's GRU keeps two bias rows of size 3H (input and recurrent) "
                                             "when reset_after=True, and a single one when reset_after=False."},
                lambda D, H, reset_after, fw: 3 * (D * H + H * H + (3 - _n_biases(fw, reset_after)) * H)),
        # Keras only: the bias rows counted without looking at reset_after (in PyTorch, the same as above)
        Mistake("bias-count", {"torch": _TORCH_BIASES,
                               "tensorflow": "The number of bias rows depends on reset_after: with "
                                             "reset_after=False Keras keeps a single bias row (3H), not two."},
                _flag_ignored(2)),
        Mistake("bias-count", {"torch": _TORCH_BIASES,
                               "tensorflow": "The number of bias rows depends on reset_after: with "
                                             "reset_after=True (the default) Keras keeps two bias rows (2 x 3H), "
                                             "not one."},
                _flag_ignored(1)),
        Mistake("no-recurrent", "Every block also reads the previous hidden state: add H x H recurrent weights per "
                                "block.",
                _count_mistake(lambda D, H, nb: 3 * (D * H + nb * H))),
        Mistake("no-bias", "You forgot the biases (H entries per block, for each bias vector).",
                _count_mistake(lambda D, H, nb: 3 * (D * H + H * H))),
        Mistake("bias-size", "Each bias has one entry per hidden unit (H), not per input (D).",
                _count_mistake(lambda D, H, nb: 3 * (D * H + H * H + nb * D))),
    ],
    error_hint={"torch": "D and H are plain integers here: the answer is a formula in D and H.",
                "tensorflow": "D and H are plain integers and reset_after a bool here: the answer is a formula in "
                              "D and H."},
    atol=0.0,
    rtol=0.0,
)


# --------------------------------------------------------------------------- leaky_state
def leaky_state_reference(h0, n, z, k, fw="numpy"):
    """h0, n, z: (B, H), k >= 0 -> h after k steps of h <- z h + (1 - z) n (z and n held fixed)."""
    return n + z ** k * (h0 - n)                  # 0 ** 0 == 1: k = 0 gives h0


def _leaky(formula, k_min=0):
    return lambda h0, n, z, k, fw: formula(h0, n, z, k) if k >= k_min else None


def _leaky_cases():
    def case(B, H, k, low=0.0, high=1.0, exact=()):
        z = _rng.uniform(low, high, size=(B, H))
        for (i, j), v in zip([(0, 0), (B - 1, H - 1), (0, H - 1)], exact):
            z[i, j] = v
        return (_rng.normal(size=(B, H)), _rng.normal(scale=0.8, size=(B, H)), z, k)
    return [case(2, 3, 0, exact=(0.0,)),             # 0 ** 0 = 1: h0 even where z = 0
            case(1, 4, 1),
            case(3, 2, 3, exact=(0.0, 1.0)),
            case(2, 5, 25, 0.85, 1.0, exact=(1.0, 0.0, 0.5)),
            case(4, 3, 2, 0.1, 0.95)]


LEAKY_STATE = Exercise(
    id="leaky_state",
    title="The update gate as a leaky integrator",
    cases=_leaky_cases(),
    reference=leaky_state_reference,
    hints=["Each step keeps the share z of the current state and takes the share 1 - z of the candidate: "
           "h = z * h + (1 - z) * n, starting from h = h0.",
           "Repeat that update exactly k times (a for loop over range(k)); for k = 0 the answer is h0 itself.",
           "Closed form: after k steps h = n + z**k * (h0 - n). The gap to the candidate shrinks by the factor z "
           "at every step, so z near 1 means a long memory."],
    solutions={
        "torch": '''\
def leaky_state(h0, n, z, k):
    h = h0
    for _ in range(k):                    # k = 0: no step, h0 itself
        h = z * h + (1 - z) * n           # z: share of the old state kept
    return h                              # = n + z ** k * (h0 - n)
''',
        "tensorflow": '''\
def leaky_state(h0, n, z, k):
    h = h0
    for _ in range(k):                    # k = 0: no step, h0 itself
        h = z * h + (1 - z) * n           # z: share of the old state kept
    return h                              # = n + z ** k * (h0 - n)
'''},
    mistakes=[
        Mistake("z-relabelled", "z is the share of the OLD state kept at each step: h = z * h + (1 - z) * n, so "
                                "z = 1 keeps h0 for ever and z = 0 jumps to n at once.",
                _leaky(lambda h0, n, z, k: n + (1 - z) ** k * (h0 - n))),
        Mistake("one-step-short", "That is k - 1 steps: apply the update exactly k times (for _ in range(k)).",
                _leaky(lambda h0, n, z, k: n + z ** (k - 1) * (h0 - n), k_min=1)),
        Mistake("one-step-extra", "That is k + 1 steps: apply the update exactly k times (for _ in range(k)); "
                                  "k = 0 returns h0.",
                _leaky(lambda h0, n, z, k: n + z ** (k + 1) * (h0 - n))),
        Mistake("forgot-candidate", "Each step also adds (1 - z) * n: h = z * h + (1 - z) * n. The state moves "
                                    "towards the candidate n, not towards 0.",
                _leaky(lambda h0, n, z, k: z ** k * h0)),
        Mistake("linear", "The steps do not add up linearly: each update shrinks the remaining gap h - n by the "
                          "factor z, so after k steps the gap is z**k * (h0 - n).",
                _leaky(lambda h0, n, z, k: h0 + k * (1 - z) * (n - h0))),
        Mistake("one-step-only", "Apply the update k times, each time to the new h; one update alone does not "
                                 "depend on k.",
                _leaky(lambda h0, n, z, k: z * h0 + (1 - z) * n, k_min=1)),
        Mistake("towards-h0", "The state starts at h0 and moves towards the candidate n: h = n + z**k * (h0 - n), "
                              "so k = 0 gives h0 and a large k gives n (where z < 1).",
                _leaky(lambda h0, n, z, k: h0 + z ** k * (n - h0))),
    ],
    error_hint="h0, n and z all have shape (B, H) and k is a plain integer: combine them entry by entry "
               "(*, +, -), with no matrix product.",
)

EXERCISES = [GRU_STEP, GRU_PARAM_COUNT, LEAKY_STATE]
