"""Exercises of topic 02, "Training RNNs": clipping by global norm, spectral radius, last valid state,
one step of BPTT by hand, a masked mean loss over a padded batch, and training with truncated BPTT.

Course conventions: batch first, row vectors, h_t = tanh(x_t W_xh + h_{t-1} W_hh + b) with W_xh (D, H),
W_hh (H, H), b (H,).
"""
import numpy as np

from helpers.checks import Exercise, Mistake, to_framework

_rng = np.random.default_rng(2)


# --------------------------------------------------------------------------- clip_by_global_norm
def clip_reference(grads, max_norm, fw="numpy"):
    """grads: list of arrays -> tuple of arrays scaled by min(1, max_norm / global norm)."""
    total = np.sqrt(sum(float((g ** 2).sum()) for g in grads))
    scale = min(1.0, max_norm / total) if total > 0 else 1.0
    return tuple(g * scale for g in grads)


def _global(grads):
    return np.sqrt(sum(float((g ** 2).sum()) for g in grads))


def _with_norm(grads, norm):
    """The same tensors, scaled together to global norm ``norm``."""
    return [g * (norm / _global(grads)) for g in grads]


def _clip_cases():
    big = [_rng.normal(size=(3, 4)) * 2, _rng.normal(size=(4,)), _rng.normal(size=(4, 4)) * 0.1]
    small = [g * 0.02 for g in big]
    mixed = [_rng.normal(size=(5, 2)) * 10, _rng.normal(size=(2,)) * 0.01]
    cases = [(big, 1.0), (small, 1.0), (mixed, 2.5)]
    # Norms on both sides of 1 and of max_norm, a max_norm other than 1, and the boundaries; each case has
    # several tensors, one of them with a single entry. (Its own generator: the cases above never change.)
    rng = np.random.default_rng(22)

    def grads(*shapes):
        return [rng.normal(size=shape) for shape in shapes]

    cases += [(_with_norm(grads((2, 3), (3,), (1,)), 2.0), 3.0),     # 1 < norm < max_norm: unchanged
              (_with_norm(grads((4, 2), (1,), (2, 2)), 0.5), 2.0),   # norm < 1 < max_norm: unchanged
              (_with_norm(grads((3, 3), (2,), (1,)), 1.5), 3.0),     # sqrt(max_norm) > norm > 1: unchanged
              ([np.array([[0.25, 0.5, 0.0], [0.0, -0.5, 0.0]]), np.array([0.25, -0.25, 0.25, -0.25]),
                np.array([-1.5])], 1.75),                           # norm exactly max_norm (exact in float32)
              (_with_norm(grads((2, 2), (1,), (3,)), 1.5 * 1.02), 1.5)]   # just above max_norm: scaled by 1/1.02
    # A max_norm below 1, with the norm below it and between it and 1.
    rng = np.random.default_rng(23)
    cases += [(_with_norm(grads((3, 2), (1,), (2,)), 0.3), 0.5),     # norm < max_norm < 1: unchanged
              (_with_norm(grads((2, 4), (1,), (3,)), 0.8), 0.5)]     # max_norm < norm < 1: scaled by 0.625
    return cases


def _clip_to_learner(case, fw):
    grads, max_norm = case
    return [to_framework(g, fw) for g in grads], max_norm


CLIP = Exercise(
    id="clip_by_global_norm",
    mutation_hint={"torch": "This function returns new tensors and leaves `grads` as they were (unlike "
                            "nn.utils.clip_grad_norm_, which rescales the .grad of parameters in place).",
                   "tensorflow": "This function returns new tensors and leaves `grads` as they were, "
                                 "as tf.clip_by_global_norm does."},
    title="Clip gradients by their global norm",
    cases=_clip_cases(),
    reference=lambda grads, max_norm, fw="numpy": clip_reference(grads, max_norm),
    to_learner=_clip_to_learner,
    output_names=(),
    hints=["First compute ONE number for all the gradients together: the square root of the sum of the squares of every entry of every tensor.",
           "If that global norm is larger than max_norm, multiply every gradient by the same factor max_norm / global norm; otherwise return them unchanged.",
           {"torch": "Return a NEW list with one new tensor per input tensor (g * scale), in the same order and "
                     "shapes, and leave the tensors you were given unchanged: no g.mul_(scale) or g *= scale. "
                     "(PyTorch's own torch.nn.utils.clip_grad_norm_ is different: it scales the .grad tensors "
                     "in place, as its trailing underscore says.)",
            "tensorflow": "Return a NEW list with one new tensor per input tensor (g * scale), in the same order "
                          "and shapes, and leave the tensors you were given unchanged.",
            "numpy": "Return a NEW list with one new array per input array (g * scale), in the same order and "
                     "shapes, and leave the arrays you were given unchanged."}],
    solutions={
        "torch": '''\
def clip_by_global_norm(grads, max_norm):
    total = torch.sqrt(sum((g ** 2).sum() for g in grads))   # one norm for all tensors together
    scale = min(1.0, max_norm / float(total))                 # only ever shrink
    return [g * scale for g in grads]
''',
        "tensorflow": '''\
def clip_by_global_norm(grads, max_norm):
    total = tf.sqrt(tf.add_n([tf.reduce_sum(g ** 2) for g in grads]))   # one norm for all tensors
    scale = min(1.0, max_norm / float(total))                           # only ever shrink
    return [g * scale for g in grads]
'''},
    mistakes=[
        Mistake("per-tensor", "You clipped each tensor by its own norm; clipping by the GLOBAL norm uses one norm "
                              "over all tensors together, so their relative sizes (the gradient's direction) are kept.",
                lambda grads, m, fw: tuple(g * min(1.0, m / np.sqrt((g ** 2).sum())) for g in grads)),
        Mistake("no-sqrt", "The norm is the square ROOT of the sum of squares.",
                lambda grads, m, fw: tuple(g * min(1.0, m / sum(float((h ** 2).sum()) for h in grads)) for g in grads)),
        Mistake("always-scale", "Only shrink gradients whose global norm is above max_norm; small gradients must pass unchanged "
                                "(use min(1, max_norm / norm)).",
                lambda grads, m, fw: tuple(g * (m / _global(grads)) for g in grads)),
        Mistake("clip-values", "That clips each entry to [-max_norm, max_norm] (clipping by value), which changes the "
                               "gradient's direction; scale the whole gradient by one factor instead.",
                lambda grads, m, fw: tuple(np.clip(g, -m, m) for g in grads)),
        Mistake("inverted", "The factor is max_norm / norm (below 1 when the norm is too large), not norm / max_norm.",
                lambda grads, m, fw: tuple(g * max(1.0, _global(grads) / m) for g in grads)),
        Mistake("unit-norm", "You normalised the gradient to norm 1; scale it so its global norm becomes max_norm.",
                lambda grads, m, fw: tuple(g * min(1.0, 1.0 / _global(grads)) for g in grads)),
        Mistake("threshold-one", "Compare the global norm with max_norm, not with 1: gradients whose norm is at most "
                                 "max_norm pass unchanged, even when their norm is above 1.",
                lambda grads, m, fw: tuple(g * (m / _global(grads) if _global(grads) > 1.0 else 1.0) for g in grads)),
        Mistake("max-with-one", "The factor is min(1, max_norm / norm). max_norm / max(norm, 1) enlarges every gradient "
                                "whose norm is below max_norm (it only clips correctly when max_norm is 1).",
                lambda grads, m, fw: tuple(g * (m / max(_global(grads), 1.0)) for g in grads)),
        Mistake("min-max-with-one", "The factor is min(1, max_norm / norm). Dividing by max(norm, 1) instead of the "
                                    "norm goes wrong whenever the norm is below 1: try max_norm = 0.5 with a norm of 0.3.",
                lambda grads, m, fw: tuple(g * min(1.0, m / max(_global(grads), 1.0)) for g in grads)),
        Mistake("squared-threshold", "You compared the SQUARED norm (the sum of squares) with max_norm: take the square "
                                     "root first, then clip only when norm > max_norm.",
                lambda grads, m, fw: tuple(g * (m / _global(grads) if _global(grads) ** 2 > m else 1.0) for g in grads)),
    ],
    error_hint="grads is a list of tensors of different shapes: reduce each one to a number first "
               "((g ** 2).sum()), then add those numbers up.",
    output_hint={
        "torch": "return a list with one tensor per gradient, in the input order (each with its gradient's shape).",
        "tensorflow": "return a list with one tensor per gradient, in the input order (each with its gradient's "
                      "shape); tf.clip_by_global_norm returns a (list, norm) pair: return only the list.",
        "numpy": "return a list with one array per gradient, in the input order (each with its gradient's shape)."},
)


# --------------------------------------------------------------------------- scale_to_radius
def radius_reference(W, rho, fw="numpy"):
    """W: (H, H) -> W * rho / max |eigenvalue(W)|."""
    return W * (rho / np.max(np.abs(np.linalg.eigvals(W))))


def _radius_cases():
    cases = []
    for H, rho in [(4, 0.9), (6, 1.5), (5, 0.5)]:
        W = _rng.normal(size=(H, H)) + np.triu(_rng.normal(size=(H, H)) * 2, 1)   # non-normal on purpose
        cases.append((W, rho))
    return cases


RADIUS = Exercise(
    id="scale_to_radius",
    title="Rescale a recurrent matrix to a chosen spectral radius",
    cases=_radius_cases(),
    reference=radius_reference,
    hints=["The spectral radius is the largest absolute value among the eigenvalues of W (they may be complex).",
           "Multiplying W by a number c multiplies every eigenvalue by c, so its radius too.",
           {"torch": "torch.linalg.eigvals(W).abs().max() gives the radius; return W * rho / radius.",
            "tensorflow": "tf.reduce_max(tf.abs(tf.linalg.eigvals(W))) gives the radius; return W * rho / radius.",
            "numpy": "np.abs(np.linalg.eigvals(W)).max() gives the radius; return W * rho / radius."}],
    solutions={
        "torch": '''\
def scale_to_radius(W, rho):
    radius = torch.linalg.eigvals(W).abs().max()   # largest |eigenvalue|, eigenvalues may be complex
    return W * (rho / radius)
''',
        "tensorflow": '''\
def scale_to_radius(W, rho):
    radius = tf.reduce_max(tf.abs(tf.linalg.eigvals(W)))   # largest |eigenvalue|, eigenvalues may be complex
    return W * (rho / radius)
'''},
    mistakes=[
        Mistake("spectral-norm", "You divided by the largest SINGULAR value (the spectral norm); the spectral radius "
                                 "is the largest |eigenvalue|, which is smaller for most matrices.",
                lambda W, rho, fw: W * (rho / np.linalg.norm(W, 2))),
        Mistake("frobenius", "That is the Frobenius norm (all entries squared); use the eigenvalues of W.",
                lambda W, rho, fw: W * (rho / np.linalg.norm(W))),
        Mistake("max-entry", "The largest entry of W is not its spectral radius; use the eigenvalues of W.",
                lambda W, rho, fw: W * (rho / np.abs(W).max())),
        Mistake("no-rho", "You normalised W to radius 1; multiply by rho as well.",
                lambda W, rho, fw: W / np.max(np.abs(np.linalg.eigvals(W)))),
        Mistake("inverted", "Divide by the current radius and multiply by rho, not the other way round.",
                lambda W, rho, fw: W * (np.max(np.abs(np.linalg.eigvals(W))) / rho)),
        Mistake("real-part", "Eigenvalues can be complex and negative: take their absolute value (modulus), "
                             "not the largest real part.",
                lambda W, rho, fw: W * (rho / np.max(np.real(np.linalg.eigvals(W))))),
    ],
    error_hint="W is a square (H, H) tensor and rho a number; eigenvalues come back as complex numbers, "
               "so take their absolute value before the max.",
)


# --------------------------------------------------------------------------- last_valid_state
def last_valid_reference(outputs, lengths, fw="numpy"):
    """outputs: (B, T, H), lengths: (B,) ints -> (B, H), the output at step lengths[b] - 1 of each row."""
    return outputs[np.arange(len(lengths)), lengths - 1]


def _last_cases():
    cases = []
    # the last case has a full-length sequence and a length-1 one, the boundaries of lengths - 1
    for B, T, H, lengths in [(4, 6, 3, [3, 5, 1, 4]), (3, 5, 2, [2, 4, 3]), (5, 7, 4, [6, 2, 5, 1, 3]),
                             (3, 4, 2, [4, 1, 2])]:
        cases.append((_rng.normal(size=(B, T, H)), np.array(lengths, dtype=np.int64)))
    return cases


LAST = Exercise(
    id="last_valid_state",
    title="Pick each sequence's last real output from a padded batch",
    cases=_last_cases(),
    reference=last_valid_reference,
    hints=["Sequence b has lengths[b] real steps, at time indexes 0 ... lengths[b] - 1; everything after is padding.",
           "You need one (batch, time) pair per row: batch index b with time index lengths[b] - 1.",
           {"torch": "Index with two tensors at once: outputs[torch.arange(B), lengths - 1].",
            "tensorflow": "tf.gather(outputs, lengths - 1, axis=1, batch_dims=1) takes, for each row b, time index "
                          "lengths[b] - 1.",
            "numpy": "Index with two arrays at once: outputs[np.arange(B), lengths - 1]."}],
    solutions={
        "torch": '''\
def last_valid_state(outputs, lengths):
    batch = torch.arange(outputs.shape[0])      # (B,)
    return outputs[batch, lengths - 1]          # (B, H): row b at time lengths[b] - 1
''',
        "tensorflow": '''\
def last_valid_state(outputs, lengths):
    # for each row b, take time index lengths[b] - 1
    return tf.gather(outputs, lengths - 1, axis=1, batch_dims=1)   # (B, H)
'''},
    mistakes=[
        Mistake("last-step", "outputs[:, -1] is the last PADDED step: for a short sequence it is the state after "
                             "reading padding. Use each row's own length.",
                lambda o, L, fw: o[:, -1]),
        Mistake("off-by-one", "Time indexes start at 0, so a sequence of length L ends at index L - 1.",
                lambda o, L, fw: o[np.arange(len(L)), np.minimum(L, o.shape[1] - 1)]),
        Mistake("off-by-one", "Time indexes start at 0, so a sequence of length L ends at index L - 1 (index L is past "
                              "the end of a full-length sequence).", raises=r"out of bounds|is not in \[0"),
        Mistake("first-step", "outputs[:, 0] is the state after the first step; you need the state after each row's last real step.",
                lambda o, L, fw: o[:, 0]),
        Mistake("max-length", "Every row has its own length: index row b at time lengths[b] - 1, not at the longest length.",
                lambda o, L, fw: o[:, L.max() - 1]),
        Mistake("cross-index", "outputs[:, lengths - 1] picks every listed time step for every row, shape (B, B, H); "
                               "index batch and time together so that row b gets time lengths[b] - 1.",
                lambda o, L, fw: o[:, L - 1]),
        Mistake("mean-over-time", "Averaging over time mixes in the padded steps; pick the single output at lengths[b] - 1.",
                lambda o, L, fw: o.mean(axis=1)),
    ],
    error_hint="outputs is (B, T, H) and lengths is (B,) of integers: index the batch axis and the time axis together.",
)


# =========================================================================== BPTT, masking, TBPTT
# The three exercises below use their own random generator, so the cases above never change.
_rng_b = np.random.default_rng(202)


# --------------------------------------------------------------------------- rnn_step_backward
def step_backward_reference(dh_t, x_t, h_prev, h_t, W_xh, W_hh, fw="numpy"):
    """Backward of h_t = tanh(x_t W_xh + h_prev W_hh + b).

    dh_t, h_t, h_prev: (B, H), x_t: (B, D), W_xh: (D, H), W_hh: (H, H)
    -> dx_t (B, D), dh_prev (B, H), dW_xh (D, H), dW_hh (H, H), db (H,).
    """
    da = dh_t * (1.0 - h_t ** 2)              # through the tanh: d tanh(a) / da = 1 - tanh(a)^2
    return da @ W_xh.T, da @ W_hh.T, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)


def _backward_case(B, D, H):
    """A forward step whose tanh outputs all lie well away from 0 and from +-1."""
    while True:
        x = _rng_b.normal(size=(B, D))
        h_prev = _rng_b.uniform(0.2, 0.8, size=(B, H)) * _rng_b.choice([-1.0, 1.0], size=(B, H))
        W_xh, W_hh = _rng_b.normal(scale=0.6, size=(D, H)), _rng_b.normal(scale=0.5, size=(H, H))
        h_t = np.tanh(x @ W_xh + h_prev @ W_hh + _rng_b.normal(scale=0.3, size=(H,)))
        if np.all((np.abs(h_t) > 0.2) & (np.abs(h_t) < 0.85)):
            return _rng_b.normal(size=(B, H)), x, h_prev, h_t, W_xh, W_hh


def _backward_variant(kind):
    def fn(dh, x, h_prev, h, W_xh, W_hh, fw):
        da = {"no-tanh-derivative": dh, "derivative-at-h_prev": dh * (1 - h_prev ** 2),
              "derivative-not-squared": dh * (1 - h), "sigmoid-derivative": dh * h * (1 - h)}.get(kind, dh * (1 - h ** 2))
        dx, dh_prev, dW_xh, dW_hh, db = da @ W_xh.T, da @ W_hh.T, x.T @ da, h_prev.T @ da, da.sum(axis=0)
        if kind == "recurrent-not-transposed":
            dh_prev = da @ W_hh
        if kind == "dW_hh-from-h_t":
            dW_hh = h.T @ da
        if kind == "db-mean":
            db = da.mean(axis=0)
        if kind == "db-not-summed":
            db = da
        if kind in ("transposed-weight-grads", "transposed-dW_xh"):
            dW_xh = da.T @ x
        if kind == "transposed-weight-grads":
            dW_hh = da.T @ h_prev
        return dx, dh_prev, dW_xh, dW_hh, db
    return fn


_NO_DOT_T = {"tensorflow": "TensorFlow tensors have no .T: transpose with tf.transpose(W), or let the product do it, "
                           "tf.matmul(da, W, transpose_b=True) for da Wᵀ and tf.matmul(x, da, transpose_a=True) for xᵀ da.",
             "torch": "Transpose a 2-D tensor with W.T (or W.t()).", "numpy": "Transpose a 2-D array with W.T."}

STEP_BACKWARD = Exercise(
    id="rnn_step_backward",
    title="Backpropagate through one RNN step by hand",
    cases=[_backward_case(4, 3, 5), _backward_case(3, 5, 2), _backward_case(5, 2, 3)],
    reference=step_backward_reference,
    output_names=("dx_t", "dh_prev", "dW_xh", "dW_hh", "db"),
    hints=["Go backwards through the forward step: first through the tanh, then through the sum a = x_t W_xh + h_prev W_hh + b. "
           "The tanh's derivative can be written with its output: 1 - tanh(a)² = 1 - h_t², so you never need a or b.",
           "da = dh_t * (1 - h_t**2), shape (B, H). For a product y = x W, the gradient for x is da Wᵀ and the gradient for W "
           "is xᵀ da (it sums over the batch by itself).",
           "dx_t = da W_xhᵀ (B, D), dh_prev = da W_hhᵀ (B, H), dW_xh = x_tᵀ da (D, H), dW_hh = h_prevᵀ da (H, H), and "
           "db = da summed over the batch axis (axis 0), (H,): the bias was added to every row."],
    solutions={
        "torch": '''\
def rnn_step_backward(dh_t, x_t, h_prev, h_t, W_xh, W_hh):
    da = dh_t * (1 - h_t ** 2)        # (B, H): through the tanh, 1 - tanh(a)^2 = 1 - h_t^2
    dx_t = da @ W_xh.T                # (B, D)
    dh_prev = da @ W_hh.T             # (B, H): flows on to the previous step
    dW_xh = x_t.T @ da                # (D, H): sums over the batch
    dW_hh = h_prev.T @ da             # (H, H)
    db = da.sum(dim=0)                # (H,): b was added to every row
    return dx_t, dh_prev, dW_xh, dW_hh, db
''',
        "tensorflow": '''\
def rnn_step_backward(dh_t, x_t, h_prev, h_t, W_xh, W_hh):
    da = dh_t * (1 - h_t ** 2)                          # (B, H): through the tanh, 1 - tanh(a)^2 = 1 - h_t^2
    dx_t = tf.matmul(da, W_xh, transpose_b=True)        # (B, D)
    dh_prev = tf.matmul(da, W_hh, transpose_b=True)     # (B, H): flows on to the previous step
    dW_xh = tf.matmul(x_t, da, transpose_a=True)        # (D, H): sums over the batch
    dW_hh = tf.matmul(h_prev, da, transpose_a=True)     # (H, H)
    db = tf.reduce_sum(da, axis=0)                      # (H,): b was added to every row
    return dx_t, dh_prev, dW_xh, dW_hh, db
'''},
    mistakes=[
        Mistake("no-tanh-derivative", "Backpropagate through the tanh first: da = dh_t * (1 - h_t**2), and use da "
                                      "(not dh_t) for all five gradients.", _backward_variant("no-tanh-derivative")),
        Mistake("derivative-at-h_prev", "The tanh being differentiated is the one that produced h_t, so its derivative "
                                        "is 1 - h_t**2, not 1 - h_prev**2.", _backward_variant("derivative-at-h_prev")),
        Mistake("derivative-not-squared", "The derivative of tanh is 1 - tanh(a)² = 1 - h_t**2: square h_t.",
                _backward_variant("derivative-not-squared")),
        Mistake("sigmoid-derivative", "h_t * (1 - h_t) is the SIGMOID's derivative; the cell uses tanh, whose "
                                      "derivative is 1 - h_t**2.", _backward_variant("sigmoid-derivative")),
        Mistake("recurrent-not-transposed",
                {"torch": "dh_prev = da @ W_hh.T: the forward multiplied h_prev by W_hh, so the backward multiplies by "
                          "its transpose (W_hh is square, so the shapes alone do not catch this).",
                 "tensorflow": "dh_prev = tf.matmul(da, W_hh, transpose_b=True): the forward multiplied h_prev by W_hh, "
                               "so the backward multiplies by its transpose (W_hh is square, so the shapes alone do not "
                               "catch this).",
                 "numpy": "dh_prev = da @ W_hh.T: the backward multiplies by the transpose of W_hh."},
                _backward_variant("recurrent-not-transposed")),
        Mistake("dW_hh-from-h_t", "W_hh multiplied h_prev in the forward step, so dW_hh = h_prevᵀ da, not h_tᵀ da.",
                _backward_variant("dW_hh-from-h_t")),
        Mistake("db-mean", "Sum db over the batch, don't average it: the same b was added to every row, so every row's "
                           "da counts in full (just as xᵀ da adds up the rows for the weights).", _backward_variant("db-mean")),
        Mistake("db-not-summed", "db must have the bias's shape (H,): the same b was added to every row, so add up da "
                                 "over the batch axis (axis 0).", _backward_variant("db-not-summed")),
        Mistake("transposed-weight-grads", "A weight's gradient has the weight's shape: dW_xh = x_tᵀ da is (D, H) and "
                                           "dW_hh = h_prevᵀ da is (H, H), not daᵀ x.",
                _backward_variant("transposed-weight-grads")),
        Mistake("transposed-weight-grads", "A weight's gradient has the weight's shape: dW_xh = x_tᵀ da is (D, H), not daᵀ x_t.",
                _backward_variant("transposed-dW_xh")),
        Mistake("no-dot-T", _NO_DOT_T, raises=r"no attribute 'T'"),
    ],
    error_hint="Each gradient has the shape of its variable: dx_t (B, D), dh_prev (B, H), dW_xh (D, H), dW_hh (H, H), "
               "db (H,). Through a product x W, the gradient for x is da Wᵀ and the gradient for W is xᵀ da.",
)


# --------------------------------------------------------------------------- masked_mean_loss
def _mask(lengths, T, shift=0):
    return (np.arange(T)[None, :] < lengths[:, None] + shift).astype(np.float64)


def masked_mean_reference(step_losses, lengths, fw="numpy"):
    """step_losses: (B, T), lengths: (B,) ints -> the mean loss over the real steps only (a scalar)."""
    mask = _mask(lengths, step_losses.shape[1])           # mask[b, t] = t < lengths[b]
    return (step_losses * mask).sum() / mask.sum()


def _masked_case(rng, T, lengths):
    lengths = np.array(lengths, dtype=np.int64)
    real = rng.uniform(0.1, 2.0, size=(len(lengths), T))
    garbage = rng.uniform(3.0, 6.0, size=(len(lengths), T))       # padded steps: positive, non-zero, large
    return np.where(_mask(lengths, T) > 0, real, garbage), lengths


def _masked_cases():
    cases = [_masked_case(_rng_b, T, lengths)
             for T, lengths in [(6, [6, 1, 3, 4]), (5, [2, 5, 4]), (3, [1, 3, 2, 2, 1]), (7, [7, 3])]]
    # No row fills the padded length, so a mask as long as the longest row is too short. (Its own
    # generator: the cases of train_tbptt below stay as they were.)
    cases.append(_masked_case(np.random.default_rng(205), 6, [3, 1, 4]))
    return cases


# A mask with fewer time steps than the padded length (built from lengths alone, as long as the longest
# row) meets the (B, T) scores or losses: each framework's words for the two 2-D shapes that differ.
MASK_SHAPE_ERROR = (r"must match the size of tensor b \(\d+\) at non-singleton dimension 1\b|"
                    r"shape of the mask \[\d+, \d+\]|"
                    r"Incompatible shapes: \[\d+,\d+\] vs\. \[\d+,\d+\]|"
                    r"condition \[\d+,\d+\], then \[\d+,\d+\]|"
                    r"Shapes \(\d+, \d+\) and \(\d+, \d+\) are incompatible")


def _masked_variant(kind):
    def fn(L, lengths, fw):
        B, T = L.shape
        mask = _mask(lengths, T, {"mask-off-by-one": 1, "mask-drops-last": -1}.get(kind, 0))
        total = (L * mask).sum()
        if kind == "plain-mean":
            return L.mean()
        if kind == "plain-mean-longest":                  # the steps up to the longest length
            return L[:, :lengths.max()].mean()
        if kind == "divide-by-BT":
            return total / (B * T)
        if kind == "divide-by-B":
            return total / B
        if kind == "no-divide":
            return total
        if kind == "per-sequence-mean":
            return np.mean((L * mask).sum(axis=1) / lengths)
        return total / mask.sum()
    return fn


MASKED_MEAN = Exercise(
    id="masked_mean_loss",
    title="Average a padded batch's loss over the real steps only",
    cases=_masked_cases(),
    reference=masked_mean_reference,
    hints=["Build a (B, T) mask that is 1 at the real steps (t < lengths[b]) and 0 at the padding: compare a row of time "
           "indexes 0 ... T-1, shape (1, T), with lengths as a column, shape (B, 1), and they broadcast.",
           "Multiply the losses by the mask, so that the padded steps contribute nothing, and add everything up.",
           "Divide that total by the number of real steps, the sum of the mask (= the sum of lengths), not by B*T or by B."],
    solutions={
        "torch": '''\
def masked_mean_loss(step_losses, lengths):
    T = step_losses.shape[1]
    mask = (torch.arange(T)[None, :] < lengths[:, None]).to(step_losses.dtype)   # (B, T): 1 = real step
    return (step_losses * mask).sum() / mask.sum()       # mean over the real steps only
''',
        "tensorflow": '''\
def masked_mean_loss(step_losses, lengths):
    T = step_losses.shape[1]
    mask = tf.sequence_mask(lengths, T, dtype=step_losses.dtype)   # (B, T): 1 = real step
    return tf.reduce_sum(step_losses * mask) / tf.reduce_sum(mask)  # mean over the real steps only
'''},
    mistakes=[
        Mistake("plain-mean", "A plain mean also averages the padded steps, whose losses are garbage: mask them out "
                              "and divide by the number of real steps.", _masked_variant("plain-mean")),
        Mistake("plain-mean", "A plain mean also averages the padded steps, whose losses are garbage (the "
                              "longest length leaves out only the steps that are padding in every row): mask "
                              "them out and divide by the number of real steps.",
                _masked_variant("plain-mean-longest")),
        Mistake("divide-by-BT", "You masked the padding out of the sum but still divided by B*T, which counts the padded "
                                "steps: divide by the number of real steps, the sum of the mask.", _masked_variant("divide-by-BT")),
        Mistake("divide-by-B", "Dividing by B gives the loss per sequence, which grows with the lengths; divide by the "
                               "number of real steps (the sum of the mask) for a mean per step.", _masked_variant("divide-by-B")),
        Mistake("per-sequence-mean", "Averaging each sequence first gives every sequence the same weight, so a step of a "
                                     "short sequence counts more than a step of a long one. The loss of the unpadded "
                                     "sequences (concatenated) weighs every real step equally: divide the masked total by "
                                     "the total number of real steps.", _masked_variant("per-sequence-mean")),
        Mistake("mask-off-by-one", "Time indexes start at 0: sequence b's real steps are t = 0 ... lengths[b] - 1, so the "
                                   "mask is t < lengths[b] (yours also counts the first padded step).",
                _masked_variant("mask-off-by-one")),
        Mistake("mask-drops-last", "Your mask leaves out each sequence's last real step: the real steps are "
                                   "t < lengths[b], not t < lengths[b] - 1.", _masked_variant("mask-drops-last")),
        Mistake("no-divide", "That is the masked total; divide it by the number of real steps (the sum of the mask) "
                             "to get the mean.", _masked_variant("no-divide")),
        Mistake("dtype", {"tensorflow": "TensorFlow never mixes dtypes: compare lengths with tf.range(T, dtype=lengths.dtype) "
                                        "(or use tf.sequence_mask), and tf.cast the boolean mask to step_losses.dtype "
                                        "before multiplying.",
                          "torch": "Convert the boolean mask to the losses' dtype (mask.float()) before multiplying or summing.",
                          "numpy": "Convert the boolean mask to floats (mask.astype(float)) before multiplying."},
                raises=r"expected to be a \w+ tensor but is a \w+ tensor|of bool is not in the list of allowed values|"
                       r"expected scalar type|can't be cast"),
        Mistake("mask-shape", {
            "torch": "Your mask and step_losses have different shapes: the mask must be (B, T) like step_losses, "
                     "a column for every time step (T = step_losses.shape[1]), the padded ones included. Built "
                     "from lengths alone, torch.arange(lengths.max()) gives only as many columns as the longest "
                     "row.",
            "tensorflow": "Your mask and step_losses have different shapes: the mask must be (B, T) like "
                          "step_losses, a column for every time step (T = step_losses.shape[1]), the padded ones "
                          "included. tf.sequence_mask(lengths) without its maxlen argument gives only as many "
                          "columns as the longest row: pass T.",
            "numpy": "Your mask and step_losses have different shapes: the mask must be (B, T) like step_losses, "
                     "a column for every time step, the padded ones included."},
                raises=MASK_SHAPE_ERROR),
    ],
    error_hint="step_losses is (B, T) and lengths is (B,): compare the time indexes 0 ... T-1, shape (1, T), with lengths "
               "as a column, shape (B, 1), to get a (B, T) mask.",
)


# --------------------------------------------------------------------------- train_tbptt
def _tbptt(W_xh, W_hh, b, W_out, b_out, x, y, k, lr, fw, carry=True, update=True, last_only=False, reduce="mean",
           size=None, drop_last=False, accumulate=False, truncate="chunk", squeeze=True, sign=1.0):
    """Truncated BPTT with plain SGD, by hand in float64; the keywords switch on the known mistakes.

    Returns the chunk losses, each computed before that chunk's update. With PyTorch's nn.RNNCell the
    bias is bias_ih + bias_hh: both get the gradient db, so their sum moves by 2 lr db per update.
    """
    P = {"W_xh": W_xh, "W_hh": W_hh, "b": b, "W_out": W_out, "b_out": b_out}
    n_bias = 2 if fw == "torch" else 1
    B, T, _ = x.shape
    size = size or k
    h, history, acc, losses = np.zeros((B, W_hh.shape[0])), [], None, []
    for start in range(0, T - size + 1 if drop_last else T, size):
        stop = min(start + size, T)
        if not carry:
            h = np.zeros_like(h)
        if truncate != "none":
            history = []                              # the graph starts afresh at the chunk boundary
        first = len(history)
        for t in range(start, stop):
            h_new = np.tanh(x[:, t] @ P["W_xh"] + h @ P["W_hh"] + P["b"])
            history.append((x[:, t], h, h_new, P["W_xh"], P["W_hh"], t))
            h = h_new
        steps = history[first:][-1:] if last_only else history[first:]
        g = {name: np.zeros_like(v) for name, v in P.items()}
        dh_read, loss = {}, 0.0
        for x_t, _, h_t, _, _, t in steps:            # read-out and squared error
            pred = h_t @ P["W_out"] + P["b_out"]      # (B, 1)
            err = pred[:, 0] - y[:, t] if squeeze else pred - y[None, :, t]   # (B,) or, broadcast, (B, B)
            c = {"mean": 1.0 / (err.size * len(steps)), "sum-steps": 1.0 / err.size, "sum-all": 1.0}[reduce]
            loss += c * (err ** 2).sum()
            dpred = 2 * c * (err[:, None] if squeeze else err.sum(axis=1, keepdims=True))   # (B, 1)
            g["W_out"] += h_t.T @ dpred
            g["b_out"] += dpred.sum(axis=0)
            dh_read[t] = dpred @ P["W_out"].T
        dh_next = np.zeros_like(h)
        for x_t, h_prev, h_t, W_xh_t, W_hh_t, t in reversed(history):   # backward, within the graph only
            dh = dh_read.get(t, 0.0) + (0.0 if truncate == "step" else dh_next)
            if truncate == "none" and fw == "torch":  # PyTorch's saved weights are the (updated) parameters
                W_xh_t, W_hh_t = P["W_xh"], P["W_hh"]
            _, dh_next, dW_xh, dW_hh, db = step_backward_reference(dh, x_t, h_prev, h_t, W_xh_t, W_hh_t)
            g["W_xh"] += dW_xh
            g["W_hh"] += dW_hh
            g["b"] += db
        if accumulate:
            acc = g if acc is None else {name: acc[name] + g[name] for name in g}
            g = acc
        if update:
            P = {name: v - sign * lr * (n_bias if name == "b" else 1) * g[name] for name, v in P.items()}
        losses.append(loss)
    return np.array(losses)


def tbptt_reference(W_xh, W_hh, b, W_out, b_out, x, y, k, lr, fw="numpy"):
    """W_xh (D, H), W_hh (H, H), b (H,), W_out (H, 1), b_out (1,), x (B, T, D), y (B, T), k, lr -> chunk losses."""
    return _tbptt(W_xh, W_hh, b, W_out, b_out, x, y, k, lr, fw)


def _tbptt_cases():
    cases = []
    for B, D, H, T, k, lr in [(3, 2, 4, 7, 3, 0.5), (2, 3, 5, 5, 1, 0.3), (4, 2, 3, 4, 6, 0.5), (2, 4, 3, 10, 4, 0.4)]:
        x = _rng_b.normal(size=(B, T, D))
        y = 0.8 * np.tanh(np.concatenate([np.zeros((B, 1)), x[:, :-1, 0]], axis=1) + 0.5 * x[:, :, -1])
        cases.append((_rng_b.normal(scale=0.5, size=(D, H)), _rng_b.normal(scale=0.4, size=(H, H)),
                      _rng_b.normal(scale=0.2, size=(H,)), _rng_b.normal(scale=0.5, size=(H, 1)),
                      _rng_b.normal(scale=0.1, size=(1,)), x, y, k, lr))
    return cases


def _tbptt_to_learner(case, fw):
    """The learner's arguments: a framework cell and read-out holding the case's weights, x, y, k, lr."""
    W_xh, W_hh, b, W_out, b_out, x, y, k, lr = case
    D, H = W_xh.shape
    if fw == "torch":
        import torch
        from torch import nn
        cell = nn.utils.skip_init(nn.RNNCell, D, H)          # no random init: the notebook's RNG is untouched
        head = nn.utils.skip_init(nn.Linear, H, 1)
        with torch.no_grad():
            # the cell adds two biases: b split into two non-zero parts, so that neither can be left out
            b_hh = 0.5 * np.roll(b, 1)
            for param, value in [(cell.weight_ih, W_xh.T), (cell.weight_hh, W_hh.T), (cell.bias_ih, b - b_hh),
                                 (cell.bias_hh, b_hh), (head.weight, W_out.T), (head.bias, b_out)]:
                param.copy_(torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)))
    elif fw == "tensorflow":
        import keras
        # zero initialisers, a fixed (dropout) seed and fixed names: building these layers draws no random
        # numbers and uses no layer-name counters, so the notebook's later results do not depend on the check
        cell = keras.layers.SimpleRNNCell(H, kernel_initializer="zeros", recurrent_initializer="zeros",
                                          bias_initializer="zeros", seed=0, name="checked_rnn_cell")
        head = keras.layers.Dense(1, kernel_initializer="zeros", bias_initializer="zeros", name="checked_head")
        cell.build((None, D))
        head.build((None, H))
        for var, value in [(cell.kernel, W_xh), (cell.recurrent_kernel, W_hh), (cell.bias, b),
                           (head.kernel, W_out), (head.bias, b_out)]:
            var.assign(value.astype(np.float32))
    else:
        return case
    return cell, head, to_framework(x, fw), to_framework(y, fw), k, lr


def _tbptt_variant(**kw):
    return lambda *case, fw: _tbptt(*case, fw=fw, **kw)


def _fw_hint(torch_text, tf_text):
    return {"torch": torch_text, "tensorflow": tf_text, "numpy": torch_text}


TBPTT = Exercise(
    id="train_tbptt",
    title="Train with truncated backpropagation through time",
    cases=_tbptt_cases(),
    reference=tbptt_reference,
    to_learner=_tbptt_to_learner,
    output_names=("losses",),
    hints=["Start from h = zeros (B, H) once, then loop over the chunk starts 0, k, 2k, ... (the last chunk may be "
           "shorter). The state's VALUE is carried into the next chunk, but its history is cut at the boundary, so "
           "backpropagation stops there.",
           "Inside a chunk, step the cell through its steps t, feed each new state to the read-out and collect the "
           "squared errors (prediction with its last axis squeezed, minus y[:, t]); the chunk's loss is their mean "
           "over all B x k values.",
           "At the end of each chunk, inside the chunk loop: the gradients of that chunk's loss only (fresh ones, not "
           "added to the previous chunk's), one SGD step on the parameters of both cell and head (p ← p - lr * grad), "
           "and the loss appended as a Python float. Cut h at the start of the next chunk, not inside it."],
    solutions={
        "torch": """\
def train_tbptt(cell, head, x, y, k, lr):
    opt = torch.optim.SGD(list(cell.parameters()) + list(head.parameters()), lr=lr)
    B, T, _ = x.shape
    h = torch.zeros(B, cell.hidden_size)           # the state, carried from chunk to chunk
    losses = []
    for start in range(0, T, k):                   # chunks of k steps; the last one may be shorter
        h = h.detach()                             # keep the value, cut the graph: backprop stops here
        errors = []
        for t in range(start, min(start + k, T)):
            h = cell(x[:, t], h)                   # (B, H)
            errors.append((head(h).squeeze(-1) - y[:, t]) ** 2)   # (B,)
        loss = torch.stack(errors).mean()          # mean over the chunk's B x k values
        opt.zero_grad()
        loss.backward()                            # through this chunk only
        opt.step()                                 # one update per chunk
        losses.append(loss.item())
    return losses
""",
        "tensorflow": """\
def train_tbptt(cell, head, x, y, k, lr):
    variables = cell.trainable_variables + head.trainable_variables
    B, T = x.shape[0], x.shape[1]
    h = tf.zeros((B, cell.units))                  # the state, carried from chunk to chunk
    losses = []
    for start in range(0, T, k):                   # chunks of k steps; the last one may be shorter
        h = tf.stop_gradient(h)                    # keep the value, cut the graph: backprop stops here
        with tf.GradientTape() as tape:            # a fresh tape per chunk records this chunk only
            errors = []
            for t in range(start, min(start + k, T)):
                _, [h] = cell(x[:, t], [h])        # (B, H)
                errors.append((tf.squeeze(head(h), -1) - y[:, t]) ** 2)   # (B,)
            loss = tf.reduce_mean(tf.stack(errors))   # mean over the chunk's B x k values
        grads = tape.gradient(loss, variables)
        for v, g in zip(variables, grads):
            v.assign_sub(lr * g)                   # one SGD update per chunk
        losses.append(float(loss))
    return losses
"""},
    mistakes=[
        Mistake("state-not-carried", _fw_hint(
            "Carry the state across chunks: create h = zeros once, before the chunk loop. h = h.detach() at a "
            "boundary keeps its value and only cuts the graph.",
            "Carry the state across chunks: create h = zeros once, before the chunk loop. tf.stop_gradient(h) at a "
            "boundary keeps its value and only cuts the graph."), _tbptt_variant(carry=False)),
        Mistake("one-update", _fw_hint(
            "Update after EVERY chunk: opt.zero_grad(), loss.backward() and opt.step() go inside the chunk loop, so "
            "each later chunk runs with the updated weights (your losses all come from the initial weights).",
            "Update after EVERY chunk: open a GradientTape per chunk and apply its gradients at the end of the chunk, "
            "inside the chunk loop, so each later chunk runs with the updated weights (your losses all come from the "
            "initial weights)."), _tbptt_variant(update=False)),
        Mistake("last-step-only", "The chunk's loss covers every step in it: average the squared errors of all its "
                                  "steps (B x k values), not just the last step's.", _tbptt_variant(last_only=True)),
        Mistake("summed", "Average the chunk's squared errors over all its B x k values instead of adding them up: a "
                          "sum makes the step size depend on the chunk length.", _tbptt_variant(reduce="sum-steps")),
        Mistake("summed", "Average the chunk's squared errors over all its B x k values instead of adding them up: a "
                          "sum makes the step size depend on the batch size and the chunk length.",
                _tbptt_variant(reduce="sum-all")),
        Mistake("chunk-size", "A chunk is k steps: t = start, ..., start + k - 1 (stop at min(start + k, T)), and the "
                              "next chunk starts at start + k.", lambda *case, fw: _tbptt(*case, fw=fw, size=case[7] + 1)),
        Mistake("last-chunk-dropped", "Keep the last, shorter chunk when k does not divide T: loop over the starts "
                                      "range(0, T, k) and end each chunk at min(start + k, T).",
                _tbptt_variant(drop_last=True)),
        Mistake("grads-accumulated", _fw_hint(
            "Gradients add up in .grad until you reset them: call opt.zero_grad() before each chunk's backward, or "
            "every update also re-applies the gradients of all earlier chunks.",
            "Apply only the current chunk's gradients: your update also re-applies the gradients of all earlier "
            "chunks."), _tbptt_variant(accumulate=True)),
        Mistake("no-truncation", _fw_hint(
            "Cut the graph at each chunk boundary with h = h.detach(): backpropagating into earlier chunks is full "
            "BPTT through a graph whose weights have changed since, not truncated BPTT.",
            "Use a fresh tf.GradientTape per chunk and cut the state at the boundary with tf.stop_gradient(h): "
            "backpropagating into earlier chunks is full BPTT through stale values, not truncated BPTT."),
                _tbptt_variant(truncate="none")),
        Mistake("no-truncation", _fw_hint(
            "Cut the graph at each chunk boundary: h = h.detach() at the start of every chunk (and start each chunk's "
            "loss from zero). Without it this chunk's backward reaches into the previous chunk's graph, which was "
            "freed by its backward and whose weights the update has changed.",
            "Open a fresh tf.GradientTape for each chunk and cut the state at the boundary with tf.stop_gradient(h)."),
                raises=r"backward through the graph a second time|modified by an inplace operation"),
        Mistake("cut-every-step", _fw_hint(
            "Detach h only at chunk boundaries: detaching it at every step stops the gradient from flowing back "
            "through time inside the chunk, which is the point of BPTT.",
            "Cut the state only at chunk boundaries: tf.stop_gradient(h) at every step stops the gradient from "
            "flowing back through time inside the chunk, which is the point of BPTT."),
                _tbptt_variant(truncate="step")),
        Mistake("no-squeeze", _fw_hint(
            "head(h) is (B, 1) and y[:, t] is (B,): their difference broadcasts to (B, B). Compare "
            "head(h).squeeze(-1) with y[:, t].",
            "head(h) is (B, 1) and y[:, t] is (B,): their difference broadcasts to (B, B). Compare "
            "tf.squeeze(head(h), -1) with y[:, t]."), _tbptt_variant(squeeze=False)),
        Mistake("ascent", "SGD steps against the gradient, p ← p - lr * grad: your updates make the loss go up.",
                _tbptt_variant(sign=-1.0)),
        Mistake("tape-per-chunk", _fw_hint(
            "Compute each chunk's gradients from a graph of that chunk only.",
            "A GradientTape gives its gradients once: open a new tf.GradientTape inside the chunk loop, one per chunk."),
                raises=r"non-persistent GradientTape"),
        Mistake("no-gradient", _fw_hint(
            "A .grad is None: call loss.backward() before the update, and update the parameters of both cell and head "
            "(list(cell.parameters()) + list(head.parameters())).",
            "A gradient came back as None: run the chunk's forward pass (cell, head and loss) inside the "
            "`with tf.GradientTape() as tape:` block, and ask for the gradients of cell.trainable_variables + "
            "head.trainable_variables."), raises=r"'NoneType'|No gradients provided"),
    ],
    error_hint="x is (B, T, D) and y is (B, T): the input at step t is x[:, t] (B, D), the state h is (B, H) with H the "
               "cell's size, and head(h) is (B, 1). Return one loss per chunk: T / k of them, rounded up.",
    output_hint={"torch": "return a list with one Python number per chunk, the chunk's loss (loss.item()).",
                 "tensorflow": "return a list with one Python number per chunk, the chunk's loss (float(loss)).",
                 "numpy": "return a list with one Python number per chunk, the chunk's loss."},
    time_limit=30.0,      # the reference takes about 1 s per case; a learner's tf.function may retrace
)

EXERCISES = [CLIP, RADIUS, LAST, STEP_BACKWARD, MASKED_MEAN, TBPTT]
