"""Exercise self-checks: run the learner's function on fixed inputs and give one verdict.

A verdict is one of three things, printed on one line:

* ``⏳ not attempted yet``: the stub still raises ``NotImplementedError``;
* ``✅ correct``: every fixed case matches the reference within ``atol``;
* ``❌ not yet``: with a targeted hint, found by comparing the learner's output with the
  outputs of known mistakes (missing tanh, forgotten bias, state not carried, ...), or, where no
  known mistake fits, with where the answer goes wrong (which output, time steps, rows, block).

Whatever the learner's code does, the check reports it in one friendly line and never lets an
exception escape into the notebook: it may raise anything (``sys.exit()`` included), return the
wrong type, shape or dtype, NaN or inf, print thousands of lines (they are captured; a few are
shown after the verdict), change its inputs in place (an error unless ``Exercise.must_not_mutate``
is off), or loop forever (each case has ``Exercise.time_limit`` seconds). ``KeyboardInterrupt``
still interrupts. "Please report it" appears only when the check itself is at fault.
The exercises themselves (inputs, references, known mistakes, hints and solutions) live in
``helpers/exercises/``; this package is the framework-neutral engine that grades them, one module
per concern:

==================  ===========================================================================
``model``           Exercise, Mistake, Verdict, the statuses and framework names
``values``          NumPy <-> framework values, descriptions of what the learner returned
``sandbox``         the time limit, output capture, input snapshots, one-line exceptions
``grading``         ``grade()``: run every case, compare, name the mistake or where it differs
``introspection``   has setup run; did the newest cell defining a function run
``registry``        exercises by id, ``hint()`` and ``solution()`` as text
``widgets``         widgets with a readable text fallback, the hint/solution box
``cell``            ``check()``: what a check cell runs
==================  ===========================================================================

In a notebook, ``check()`` grades the function by name, but not when the newest cell defining it
did not run (a SyntaxError, an error above the ``def``): then the function in the namespace is the
learner's previous version, and the check says so in one line instead (``changed_since_run``).
Each verdict is saved for the progress table (:mod:`helpers.progress`), and the hint buttons are
displayed with a readable text fallback for a notebook opened without a running kernel.
"""
from .cell import CHANGED_CELL, check
from .grading import grade
from .introspection import changed_since_run, setup_note
from .model import (CORRECT, FRAMEWORK_ALIASES, FRAMEWORKS, ICONS, NOT_ATTEMPTED, WRONG, Exercise, Mistake,
                    Verdict, _text, normalise_framework)
from .registry import hint, solution
from .values import NotAnArray, _as_outputs, _same, to_framework, to_numpy  # noqa: F401 (tests use the private ones)
from .widgets import HELP_FALLBACK, HelpBox, show_widget, widget_bundle

__all__ = ["check", "grade", "hint", "solution", "Exercise", "Mistake", "Verdict", "CORRECT", "WRONG",
           "NOT_ATTEMPTED", "ICONS", "FRAMEWORKS", "FRAMEWORK_ALIASES", "normalise_framework", "to_framework",
           "to_numpy", "NotAnArray", "HelpBox", "HELP_FALLBACK", "CHANGED_CELL", "show_widget", "widget_bundle",
           "setup_note", "changed_since_run"]
