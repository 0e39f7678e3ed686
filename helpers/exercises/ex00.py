"""Exercises of 00_start_here: a NumPy warm-up."""
import numpy as np

from helpers.checks import Exercise, Mistake

_rng = np.random.default_rng(0)


def _exp_norm(e, axis=-1):
    return e / e.sum(axis=axis, keepdims=True)


def softmax_reference(z, fw="numpy"):
    """Row-wise softmax. z: (N, K) -> (N, K), every row sums to 1."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return _exp_norm(e)


def _no_shift(z, fw):
    with np.errstate(over="ignore", invalid="ignore"):
        return _exp_norm(np.exp(z))


SOFTMAX = Exercise(
    id="softmax",
    title="Softmax over the last axis",
    cases=[(_rng.normal(size=(3, 4)),),
           (np.array([[1000.0, 1001.0, 1002.0], [-5.0, 0.0, 5.0]]),),
           (_rng.normal(size=(2, 5)) * 3,)],
    reference=softmax_reference,
    hints=["softmax(z)_k = exp(z_k) / sum_j exp(z_j), computed for each row separately.",
           "Subtract each row's maximum before exp: the result is unchanged and exp no longer overflows.",
           "Use axis=-1 and keepdims=True in both z.max(...) and e.sum(...) so the shapes broadcast."],
    solutions={"numpy": '''\
def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))   # (N, K), largest entry of each row is exp(0) = 1
    return e / e.sum(axis=-1, keepdims=True)         # (N, K), rows sum to 1
'''},
    mistakes=[
        Mistake("no-max-shift", "Large scores overflow exp() and give nan: subtract each row's maximum "
                                "first (softmax(z) = softmax(z - max z)).", _no_shift),
        Mistake("wrong-axis", "You normalised down the columns (axis=0): each row is one example, "
                              "so sum over the last axis (axis=-1).",
                lambda z, fw: (lambda e: e / e.sum(axis=0, keepdims=True))(np.exp(z - z.max(axis=0, keepdims=True)))),
        Mistake("sum-all", "You divided by the sum over the whole array: normalise each row on its own "
                           "(axis=-1, keepdims=True).",
                lambda z, fw: (lambda e: e / e.sum())(np.exp(z - z.max()))),
        Mistake("no-exp", "Softmax exponentiates the scores before normalising: use np.exp.",
                lambda z, fw: _exp_norm(z - z.max(axis=-1, keepdims=True))),
        Mistake("no-exp", "Softmax exponentiates the scores before normalising: use np.exp.",
                lambda z, fw: _exp_norm(z)),
        Mistake("no-normalise", "Divide by the row sum so that every row adds up to 1.",
                lambda z, fw: np.exp(z - z.max(axis=-1, keepdims=True))),
        Mistake("no-normalise", "Divide by the row sum so that every row adds up to 1.",
                lambda z, fw: np.exp(np.minimum(z, 700.0)) if z.max() < 700 else None),
    ],
    error_hint="Keep the row axis when you reduce: z.max(axis=-1, keepdims=True) has shape (N, 1), "
               "which broadcasts against (N, K).",
)

EXERCISES = [SOFTMAX]
