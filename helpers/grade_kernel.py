"""What ``python -m helpers.grade`` runs inside the kernel that executes one submission.

The grader (:mod:`helpers.grade`) builds a notebook of its own: a preamble
(:func:`prepare`), the course's statements the learner's code needs, a snapshot cell
(:func:`snapshot`), the learner's exercise cells, then one grading cell per exercise.
Each grading cell loads this file afresh under a private module name and calls
:func:`grade_one`, whose JSON answer comes back as that cell's result, after a secret
prefix. Learners never import this module.

Defences, best effort (code running in the same process can always defeat them, see the
README): a fresh import of the grading engine (``helpers.checks``,
``helpers.exercises``) from the grader's own files, made after the learner's cells ran;
functions and classes the learner's cells replaced in NumPy, the frameworks,
``builtins``, ``json`` or ``importlib`` are put back and named in a note; IPython event
hooks and trace functions the learner installed are removed.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
import time
import types

# Modules whose functions and classes must be the originals while grading.
WATCHED = ("builtins", "json", "importlib", "importlib.util", "numpy", "numpy.linalg",
           "numpy.testing", "torch", "torch.nn.functional", "torch.linalg", "tensorflow",
           "tensorflow.math")
# ipykernel swaps these at every request
KERNEL_OWN = {"builtins.input", "builtins.raw_input"}
_FRESH = "_course_grader_engine"         # attribute of ``sys`` holding the fresh engine
OUTPUT_LIMIT = 100_000                   # characters of printing kept per stream


class _Capped:
    """A stream that passes on the first ``limit`` characters and drops the rest."""

    def __init__(self, stream, limit: int):
        self._stream, self._left = stream, limit

    def write(self, s):
        if self._left > 0:
            piece = s[:self._left]
            self._left -= len(piece)
            cut = "" if self._left > 0 else "\n[... output cut by the grader]\n"
            self._stream.write(piece + cut)
        return len(s)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def prepare(root: str, progress_file: str) -> None:
    """The grader's checkout first on sys.path (never the submission's folder), quiet
    logs, the course's seeds (as the setup cell), progress kept out of the instructor's
    home, the learner's output capped."""
    sys.path[:] = [root] + [p for p in sys.path if p not in ("", ".", os.getcwd(), root)]
    os.environ["RNN_COURSE_PROGRESS"] = progress_file
    os.environ.setdefault("MPLBACKEND", "Agg")
    from helpers.course import quiet_framework_logs, seed_everything

    quiet_framework_logs()
    seed_everything()
    sys.stdout = _Capped(sys.stdout, OUTPUT_LIMIT)
    sys.stderr = _Capped(sys.stderr, OUTPUT_LIMIT)


def _callables(module) -> dict:
    return {k: v for k, v in vars(module).items()
            if callable(v) and not isinstance(v, types.ModuleType)}


def _foreign(name: str, value) -> bool:
    """A replacement made outside the library itself (torch._dynamo wraps
    torch.manual_seed, say, and that is not one)."""
    home = getattr(value, "__module__", None) or ""
    return home.split(".")[0] != name.split(".")[0]


def snapshot() -> dict:
    """{"modules": {name: (module, {attribute: function or class})}, "hooks": IPython's
    event callbacks}, of the watched modules and the helpers package, taken before the
    learner's cells run."""
    # so that changes to it can be named
    importlib.import_module("helpers.checks.grading")
    names = [n for n in sys.modules
             if n in WATCHED or n == "helpers" or n.startswith("helpers.")]
    snap = {n: (sys.modules[n], _callables(sys.modules[n])) for n in names
            if isinstance(sys.modules[n], types.ModuleType)}
    return {"modules": snap, "hooks": {k: list(v) for k, v in _callbacks().items()}}


def _callbacks() -> dict:
    try:
        return get_ipython().events.callbacks  # noqa: F821 (IPython's builtin)
    except NameError:
        return {}


def _restore(snap: dict | None) -> list[str]:
    """Put back watched functions and classes the learner replaced; names of those
    changed."""
    changed = []
    for name, (module, saved) in (snap or {}).get("modules", {}).items():
        # dropped for a fresh import, or replaced
        if sys.modules.get(name) is not module:
            if name not in WATCHED:
                continue
            changed.append(name)
            sys.modules[name] = module
        now = vars(module)
        for attr, value in saved.items():
            if now.get(attr) is not value and f"{name}.{attr}" not in KERNEL_OWN:
                if name in WATCHED:
                    if not _foreign(name, now.get(attr)):
                        continue
                    setattr(module, attr, value)
                changed.append(f"{name}.{attr}")
    return sorted(changed)


def _grouped(names: list[str]) -> list[str]:
    """Dotted names; a module's names said as "module (4 or more of its names)" when
    many."""
    modules = {}
    for n in names:
        modules.setdefault(n.rsplit(".", 1)[0], []).append(n)
    return [n for m, group in sorted(modules.items())
            for n in (group if len(group) < 4 else [f"{m} (4 or more of its names)"])]


def _quiet_hooks(snap: dict | None) -> list[str]:
    """Remove the IPython event callbacks and trace functions the learner's cells
    installed."""
    removed = []
    if sys.gettrace() is not None or sys.getprofile() is not None:
        removed.append("a trace function")
        sys.settrace(None)
        sys.setprofile(None)
    before = (snap or {}).get("hooks", {})
    for event, callbacks in _callbacks().items():
        new = [c for c in callbacks if not any(c is b for b in before.get(event, []))]
        if new:
            removed.append(f"{len(new)} IPython {event} hook(s)")
            callbacks[:] = [c for c in callbacks if not any(c is n for n in new)]
    return removed


def _fresh_engine(module: str) -> tuple:
    """grade, hint_kind, hint and the exercises of ``helpers.exercises.<module>``
    imported afresh from the grader's files: the helpers modules the learner's cells
    saw are dropped from sys.modules first, and only the topic's exercise module is
    loaded (``helpers/exercises/__init__`` would build every topic's cases)."""
    for name in [n for n in sys.modules if n == "helpers" or n.startswith("helpers.")]:
        del sys.modules[name]
    grading = importlib.import_module("helpers.checks.grading")
    registry = importlib.import_module("helpers.checks.registry")
    folder = os.path.join(os.path.dirname(grading.__file__), os.pardir, "exercises")
    spec = importlib.util.spec_from_file_location(
        "helpers.exercises", os.path.join(folder, "__init__.py"),
        submodule_search_locations=[folder])
    package = importlib.util.module_from_spec(spec)
    package.EXERCISES = {}
    sys.modules["helpers.exercises"] = package
    sys.modules["helpers"].exercises = package
    topic = importlib.import_module(f"helpers.exercises.{module}")
    package.EXERCISES.update({ex.id: ex for ex in topic.EXERCISES})
    engine = (grading.grade, grading.hint_kind, registry.hint, dict(package.EXERCISES))
    return engine, snapshot()


def grade_one(exercise_id: str, framework: str, module: str, namespace: dict,
              snap: dict | None) -> str:
    """Grade ``namespace[exercise_id]`` with a fresh engine (exercises of
    ``helpers.exercises.<module>``): a JSON object with the verdict (status, reason,
    message, notes, hint_kind, first hint, seconds) and the tampering notes."""
    notes = [] if snap else ["removed the grader's snapshot (nothing could be put back)"]
    changed = _restore(snap)
    if changed:
        names = ", ".join(_grouped(changed))
        notes.append(f"replaced {names} (graded with the originals)")
    hooks = _quiet_hooks(snap)
    if hooks:
        notes.append("installed " + ", ".join(hooks) + " (removed before grading)")
    fresh = getattr(sys, _FRESH, None)
    if fresh is not None and _restore({"modules": fresh[1]["modules"]}):
        notes.append("changed the grading engine while an earlier exercise was graded "
                     "(imported afresh)")
        fresh = None
    if fresh is None:
        fresh = _fresh_engine(module)
        setattr(sys, _FRESH, fresh)
    (grade, hint_kind, hint, exercises), _ = fresh
    out = {"exercise": exercise_id, "framework": framework, "tampering": notes}
    if exercise_id not in namespace:
        out.update(status="undefined")
        return json.dumps(out)
    start = time.perf_counter()
    verdict = grade(exercises[exercise_id], namespace[exercise_id], framework)
    out.update(status=verdict.status, reason=verdict.reason, message=verdict.message,
               notes=[str(n) for n in verdict.notes], hint_kind=hint_kind(verdict),
               hint=hint(exercise_id, 1, framework),
               seconds=round(time.perf_counter() - start, 3))
    return json.dumps(out)
