"""Exercises of topic 02, "Training RNNs": clipping by global norm, spectral radius, last valid state."""
import numpy as np

from helpers.checks import Exercise, Mistake, to_framework

_rng = np.random.default_rng(2)


# --------------------------------------------------------------------------- clip_by_global_norm
def clip_reference(grads, max_norm, fw="numpy"):
    """grads: list of arrays -> tuple of arrays scaled by min(1, max_norm / global norm)."""
    total = np.sqrt(sum(float((g ** 2).sum()) for g in grads))
    scale = min(1.0, max_norm / total) if total > 0 else 1.0
    return tuple(g * scale for g in grads)


def _clip_cases():
    big = [_rng.normal(size=(3, 4)) * 2, _rng.normal(size=(4,)), _rng.normal(size=(4, 4)) * 0.1]
    small = [g * 0.02 for g in big]
    mixed = [_rng.normal(size=(5, 2)) * 10, _rng.normal(size=(2,)) * 0.01]
    return [(big, 1.0), (small, 1.0), (mixed, 2.5)]


def _clip_to_learner(case, fw):
    grads, max_norm = case
    return [to_framework(g, fw) for g in grads], max_norm


def _global(grads):
    return np.sqrt(sum(float((g ** 2).sum()) for g in grads))


CLIP = Exercise(
    id="clip_by_global_norm",
    title="Clip gradients by their global norm",
    cases=_clip_cases(),
    reference=lambda grads, max_norm, fw="numpy": clip_reference(grads, max_norm),
    to_learner=_clip_to_learner,
    output_names=(),
    hints=["First compute ONE number for all the gradients together: the square root of the sum of the squares of every entry of every tensor.",
           "If that global norm is larger than max_norm, multiply every gradient by the same factor max_norm / global norm; otherwise return them unchanged.",
           "Return a list with one tensor per input tensor, in the same order and shapes."],
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
    ],
    error_hint="grads is a list of tensors of different shapes: reduce each one to a number first "
               "((g ** 2).sum()), then add those numbers up.",
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
           "torch.linalg.eigvals(W).abs().max() / tf.reduce_max(tf.abs(tf.linalg.eigvals(W))) gives the radius; "
           "return W * rho / radius."],
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
    for B, T, H, lengths in [(4, 6, 3, [3, 5, 1, 4]), (3, 5, 2, [2, 4, 3]), (5, 7, 4, [6, 2, 5, 1, 3])]:
        cases.append((_rng.normal(size=(B, T, H)), np.array(lengths, dtype=np.int64)))
    return cases


LAST = Exercise(
    id="last_valid_state",
    title="Pick each sequence's last real output from a padded batch",
    cases=_last_cases(),
    reference=last_valid_reference,
    hints=["Sequence b has lengths[b] real steps, at time indexes 0 ... lengths[b] - 1; everything after is padding.",
           "You need one (batch, time) pair per row: batch index b with time index lengths[b] - 1.",
           "PyTorch: outputs[torch.arange(B), lengths - 1]. TensorFlow: tf.gather(outputs, lengths - 1, axis=1, batch_dims=1)."],
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

EXERCISES = [CLIP, RADIUS, LAST]
