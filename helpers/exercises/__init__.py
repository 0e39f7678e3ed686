"""Every exercise of the course, by id: inputs, NumPy reference, known mistakes, hints, solutions.

Each topic has its own module here (``ex00.py``, ``ex01.py``, ...) that lists its exercises in a
module-level ``EXERCISES`` list; they are collected automatically. ``check(exercise_id, ...)`` in
:mod:`helpers.checks` looks them up here.
"""
import importlib
import pkgutil

EXERCISES = {}
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _info.name.startswith("ex"):
        continue
    for _ex in importlib.import_module(f"{__name__}.{_info.name}").EXERCISES:
        if _ex.id in EXERCISES:
            raise ValueError(f"duplicate exercise id {_ex.id!r}")
        EXERCISES[_ex.id] = _ex
