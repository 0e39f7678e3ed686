"""Where a wrong answer goes wrong, said in the exercise's own terms.

When no known mistake explains a learner's output, ``where_it_differs`` compares it with the
reference entry by entry and returns one phrase that leads to the bug without giving the answer:

* a pattern over the whole output: the opposite sign, a constant factor or offset, transposed,
  reversed or shifted by one step along the time axis, rows in another order;
* or where the differences are: which test case rows (``batch`` axis: "only in rows 2 and 3, the
  shorter sequences"), which time steps ("only at the first step", "from step 3 on", "only at the
  padded steps of the shorter rows"), which block of a stacked last axis ("only in the z block",
  "only in the backward half").

Axis names come from ``Exercise.axes`` (per output: a tuple of names such as
``("row", "step", "unit")``) and ``Exercise.blocks`` (per output: the names of the equal blocks
the last axis is made of, such as ``("forward", "backward")``). Where an exercise gives none, they
are inferred from the case: an output whose first axes match a (B, T, ...) input has rows and
steps; a ``lengths`` argument of shape (B,) marks the padded steps.
"""
from __future__ import annotations

import inspect
from typing import Any

import numpy as np

ROW, STEP = "row", "step"


def _close(a: np.ndarray, b: np.ndarray, atol: float, rtol: float) -> np.ndarray:
    """Entry-wise agreement (same shape), NaN equal to NaN."""
    return np.isclose(a.astype(np.float64), b.astype(np.float64), atol=atol, rtol=rtol, equal_nan=True)


def _all_close(a: np.ndarray, b: np.ndarray, atol: float, rtol: float) -> bool:
    return a.shape == b.shape and bool(_close(a, b, atol, rtol).all())


def _arg_names(ex: Any) -> list[str]:
    try:
        return [p for p in inspect.signature(ex.reference).parameters if p != "fw"]
    except (TypeError, ValueError):
        return []


def case_lengths(ex: Any, case: tuple) -> np.ndarray | None:
    """The per-row valid lengths of a case (an integer argument named like ``lengths``), or None."""
    for name, value in zip(_arg_names(ex), case):
        if name.lower() in ("lengths", "lens", "seq_lens", "seq_lengths", "length") \
                and isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "iu":
            return value
    return None


def output_axes(ex: Any, case: tuple, i: int, shape: tuple) -> tuple:
    """Names of output ``i``'s axes: ``Exercise.axes`` if given, else inferred (None = unnamed)."""
    given = (getattr(ex, "axes", None) or {}).get(i)
    if given is not None:
        return tuple(given) + (None,) * (len(shape) - len(given))
    names: list = [None] * len(shape)
    arrays = [a for a in case if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    lengths = case_lengths(ex, case)
    if len(shape) >= 3 and any(a.ndim >= 3 and a.shape[:2] == shape[:2] for a in arrays):
        names[0], names[1] = ROW, STEP                       # (B, T, ...) like a (B, T, D) input
    elif len(shape) >= 2 and lengths is not None and shape[0] == lengths.shape[0] \
            and any(a.ndim >= 2 and a.shape[:2] == shape[:2] for a in arrays):
        names[0], names[1] = ROW, STEP                       # (B, T) losses or weights with lengths
    elif len(shape) >= 1 and shape[0] > 1 and any(a.ndim >= 2 and a.shape[0] == shape[0] for a in arrays):
        names[0] = ROW                                       # (B, ...) like a batch input
    return tuple(names)


def _ordinal(k: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth"}.get(k, f"{k}th")


def _list(ix: list[int], one_based: bool = True) -> str:
    ix = [i + 1 if one_based else i for i in ix]
    if len(ix) > 2 and ix == list(range(ix[0], ix[-1] + 1)):
        return f"{ix[0]} to {ix[-1]}"
    text = ", ".join(str(i) for i in ix[:-1])
    return f"{text} and {ix[-1]}" if text else str(ix[-1])


def _pattern(g: np.ndarray, x: np.ndarray, names: tuple, atol: float, rtol: float) -> str | None:
    """A transformation of the whole reference that reproduces the answer, as a phrase."""
    scale = float(np.max(np.abs(x))) if x.size else 0.0
    if x.size == 0 or scale == 0 or not np.all(np.isfinite(g)):
        return None
    if _all_close(g, -x, atol, rtol):
        return "it has the reference's values with the opposite sign"
    nz = np.abs(x) > 1e-3 * scale
    if nz.any():
        ratio = float(np.median(g[nz] / x[nz]))
        if abs(ratio - 1) > 1e-3 and abs(ratio) > 1e-6 and _all_close(g, ratio * x, atol, rtol):
            return f"every value is the reference's times {ratio:.3g}: look for a missing or extra factor"
    offset = float(np.median(g - x))
    if abs(offset) > atol and x.size > 1 and _all_close(g, x + offset, atol, rtol):
        return f"every value is off by the same {offset:+.3g}: look at a constant term (a bias, a +1, an offset)"
    if g.ndim >= 2 and g.shape[-1] == g.shape[-2] and _all_close(g, np.swapaxes(x, -1, -2), atol, rtol):
        return "it is the reference transposed (its last two axes swapped)"
    for axis, name in enumerate(names):
        if name not in (STEP, ROW) or g.shape[axis] < 2:
            continue
        if _all_close(g, np.flip(x, axis), atol, rtol):
            return f"it is the reference in reverse {name} order"
        if name == STEP:
            head = [slice(None)] * g.ndim
            tail = [slice(None)] * g.ndim
            head[axis], tail[axis] = slice(1, None), slice(None, -1)
            if _all_close(g[tuple(head)], x[tuple(tail)], atol, rtol):
                return "its steps are the reference's shifted one step later (step t holds what belongs at t - 1)"
            if _all_close(g[tuple(tail)], x[tuple(head)], atol, rtol):
                return "its steps are the reference's shifted one step earlier (step t holds what belongs at t + 1)"
    return None


def _padded_phrase(bad: np.ndarray, names: tuple, lengths: np.ndarray | None) -> str | None:
    """Where, relative to the padding, the wrong entries of a (B, T, ...) output are."""
    if lengths is None or names[:2] != (ROW, STEP) or bad.ndim < 2 or bad.shape[0] != lengths.shape[0]:
        return None
    rows_steps = bad.reshape(bad.shape[0], bad.shape[1], -1).any(axis=2)
    T = rows_steps.shape[1]
    padded = np.arange(T)[None, :] >= np.minimum(lengths, T)[:, None]
    short = lengths < T
    if not short.any():
        return None
    if rows_steps[padded].any() and not rows_steps[~padded].any():
        return "it is right at every valid step and wrong only at the padded steps of the shorter rows"
    if not rows_steps[padded].any() and rows_steps.any():
        wrong_rows = rows_steps.any(axis=1)
        if wrong_rows[short].any() and not wrong_rows[~short].any():
            return ("it is right in the full-length rows and wrong in the shorter ones, at their valid steps: "
                    "look at how the padding reaches the steps that count")
    return None


def _block_phrase(bad: np.ndarray, blocks: tuple | None) -> str | None:
    """Which equal block of the last axis holds every wrong entry."""
    if not blocks or bad.ndim < 1 or bad.shape[-1] % len(blocks):
        return None
    size = bad.shape[-1] // len(blocks)
    which = [k for k in range(len(blocks)) if bad[..., k * size:(k + 1) * size].any()]
    if len(which) == len(blocks) or not which:
        return None
    label = " and ".join(f"the {blocks[k]}" for k in which)
    noun = "block" if len(which) == 1 else "blocks"
    where = "" if bad.ndim == 1 else " of the last axis"
    return f"only {label} {noun}{where} differ{'s' if len(which) == 1 else ''} (the others are right)"


def _axis_phrase(bad: np.ndarray, names: tuple) -> str | None:
    """The one named axis along which only some indices are wrong."""
    for axis, name in enumerate(names):
        if name is None or bad.shape[axis] < 2:
            continue
        wrong = [k for k in range(bad.shape[axis]) if np.take(bad, k, axis=axis).any()]
        n = bad.shape[axis]
        if not wrong or len(wrong) == n:
            continue
        if name == STEP:
            if wrong == [0]:
                return "only the first step is wrong (the later steps are right given it)"
            if wrong == [n - 1]:
                return "only the last step is wrong"
            if wrong == list(range(wrong[0], n)):
                return f"the steps are right up to step {wrong[0]} and wrong from step {wrong[0] + 1} on"
            return f"only steps {_list(wrong)} of {n} are wrong"
        plural = "s" if len(wrong) > 1 else ""
        return f"only {name}{plural} {_list(wrong)} of {n} {'is' if not plural else 'are'} wrong"
    return None


def _gathered_steps(ex: Any, case: tuple, g: np.ndarray, x: np.ndarray) -> str | None:
    """For a (B, F) output read from a (B, T, F) input: which step each of the learner's rows holds."""
    if g.ndim != 2:
        return None
    for name, a in zip(_arg_names(ex) or [None] * len(case), case):
        if not (isinstance(a, np.ndarray) and a.ndim == 3 and a.shape[0] == g.shape[0]
                and a.shape[2] == g.shape[1] and a.shape[1] > 1):
            continue
        steps = []
        for b in range(g.shape[0]):
            hits = [t for t in range(a.shape[1]) if _all_close(g[b], a[b, t], ex.atol, ex.rtol)]
            if not hits:
                return None
            steps.append(hits[0])
        mine = ", ".join(str(t) for t in steps)
        label = f"`{name}`" if name else "the sequence input"
        return (f"row by row, yours reads {label} at time indexes {mine}: check which step each row "
                f"should read (and where its padding starts)")
    return None


def where_it_differs(ex: Any, case: tuple, i: int, g: np.ndarray, x: np.ndarray) -> str | None:
    """One phrase saying where (or how) output ``i`` of the learner, ``g``, differs from ``x``; or None."""
    if g.shape != x.shape or g.size == 0:
        return None
    names = output_axes(ex, case, i, x.shape)
    blocks = (getattr(ex, "blocks", None) or {}).get(i)
    found = _pattern(g, x, names, ex.atol, ex.rtol) or _gathered_steps(ex, case, g, x)
    if found:
        return found
    bad = ~_close(g, x, ex.atol, ex.rtol)
    if not bad.any():
        return None
    return (_padded_phrase(bad, names, case_lengths(ex, case)) or _block_phrase(bad, blocks)
            or _axis_phrase(bad, names))
