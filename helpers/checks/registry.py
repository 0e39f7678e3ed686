"""The exercises by id, and their hints and solutions as text."""
from __future__ import annotations

import difflib
from typing import Any

from .model import Exercise, normalise_framework


def _registry() -> dict[str, Exercise]:
    from helpers.exercises import EXERCISES
    return EXERCISES


def _unknown_id(exercise_id: Any) -> str | None:
    """None for a known exercise id, else one friendly line (with the closest known id)."""
    reg = _registry()
    if isinstance(exercise_id, str) and exercise_id in reg:
        return None
    close = difflib.get_close_matches(str(exercise_id), list(reg), n=1, cutoff=0.6) \
        if isinstance(exercise_id, str) else []
    if close:
        return f"There is no exercise called {exercise_id!r}: did you mean {close[0]!r}?"
    return f"There is no exercise called {exercise_id!r}; the exercises are: {', '.join(sorted(reg))}."


def _get(exercise_id: str) -> Exercise:
    problem = _unknown_id(exercise_id)
    if problem:
        raise KeyError(problem)
    return _registry()[exercise_id]



def hint(exercise_id: str, n: int = 1, framework: str = "numpy") -> str:
    """The n-th hint (1-based) as text, for use without widgets: ``print(hint("rnn_step", 2, "torch"))``."""
    problem = _unknown_id(exercise_id)
    if problem:
        return problem
    ex = _get(exercise_id)
    n = max(1, min(n, len(ex.hints)))
    return f"Hint {n} of {len(ex.hints)}: {ex.hint(n - 1, normalise_framework(framework) or 'numpy')}"


def solution(exercise_id: str, framework: str = "numpy") -> str:
    """The reference solution's source code for ``framework``."""
    problem = _unknown_id(exercise_id)
    if problem:
        return problem
    sols = _get(exercise_id).solutions
    return sols.get(normalise_framework(framework) or "") or next(iter(sols.values()))

