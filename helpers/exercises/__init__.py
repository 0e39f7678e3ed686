"""Every exercise of the course, by id: inputs, NumPy reference, known mistakes, hints, solutions.

Each topic has its own module (``ex00``, ``ex01``, ...) that lists its exercises in ``EXERCISES``;
``check(exercise_id, ...)`` in :mod:`helpers.checks` looks them up here.
"""
from helpers.exercises import ex00, ex01

EXERCISES = {}
for _module in (ex00, ex01):
    for _ex in _module.EXERCISES:
        if _ex.id in EXERCISES:
            raise ValueError(f"duplicate exercise id {_ex.id!r}")
        EXERCISES[_ex.id] = _ex
