"""check(): what a check cell runs: grade the learner's function, print one verdict, save
it for the progress table and show the hint/solution box."""
from __future__ import annotations

import inspect
import textwrap
from typing import Any

from .grading import grade
from .introspection import _defining_cells, changed_since_run, setup_note
from .model import ICONS, NOT_ATTEMPTED, WRONG, _unknown_framework, normalise_framework
from .registry import _get, _unknown_id
from .widgets import HELP_FALLBACK, HelpBox, show_widget

CHANGED_CELL = "the exercise cell has changed since it last ran without errors: fix it and run it again"
_said: set[str] = set()



def _say(line: str) -> None:
    print(textwrap.fill(line, width=88, subsequent_indent="   ", break_on_hyphens=False))


def _say_once(key: str, line: str) -> None:
    if key not in _said:
        _said.add(key)
        _say(line)



def _record(exercise_id: str, fw: str, status: str) -> None:
    """Save the verdict for the progress table; never breaks a check."""
    try:
        from helpers import progress

        progress.record_exercise(exercise_id, fw, status)
    except Exception as e:
        _say_once("progress", f"(Your progress could not be saved: {type(e).__name__}.)")


def check(exercise_id: str, framework: str = "numpy", answer: Any = None, widgets: bool = True) -> None:
    """Grade the learner's function for an exercise, print the verdict and offer hints and the solution.

    Call it in the cell under the exercise: ``check("rnn_step", "torch")`` grades the function called
    ``rnn_step`` in the notebook. (``check("rnn_step", rnn_step, "torch")`` works too.) The framework
    may be spelled "torch" / "pytorch" / "pt", "tensorflow" / "tf" / "keras", or "numpy".
    The verdict is saved for :func:`helpers.progress.show_progress`.
    """
    frame = inspect.currentframe()
    caller = frame.f_back.f_globals if frame is not None and frame.f_back is not None else {}
    del frame
    if callable(exercise_id) and not isinstance(exercise_id, str):    # check(rnn_step, "torch")
        exercise_id, answer = getattr(exercise_id, "__name__", repr(exercise_id)), exercise_id
    if callable(framework) and not isinstance(framework, str):      # check(id, function, framework)
        framework, answer = (answer if isinstance(answer, str) else "numpy"), framework
    note = setup_note()
    if note:
        _say(note)
    problem = _unknown_id(exercise_id)
    if problem:
        _say(f"{ICONS[WRONG]} {problem}")
        return
    fw = normalise_framework(framework)
    if fw is None:
        _say(f"{ICONS[WRONG]} {_unknown_framework(framework)}")
        return
    if answer is None:
        if exercise_id not in caller:
            if _defining_cells(exercise_id, caller):        # the exercise cell ran, and stopped at an error
                print(f"{ICONS[NOT_ATTEMPTED]} `{exercise_id}` is not defined yet: the exercise cell stopped at "
                      "an error; fix it, run it again, then run this check.")
            else:
                print(f"{ICONS[NOT_ATTEMPTED]} `{exercise_id}` is not defined yet: run the exercise cell above "
                      "(it defines the function), then run this check again.")
            return
        answer = caller[exercise_id]
    try:
        stale = caller.get(exercise_id) is answer and changed_since_run(exercise_id, answer, caller)
    except Exception:
        stale = False
    said = ""
    if stale:
        print(f"⚠️ `{exercise_id}`: {CHANGED_CELL}, then run this check.")    # one line, not graded
    else:
        verdict = grade(_get(exercise_id), answer, fw)
        said = verdict.message
        _say(str(verdict))
        for note in verdict.notes:
            print(note)
        _record(exercise_id, fw, verdict.status)
    if widgets:
        try:
            show_widget(HelpBox(exercise_id, fw, said).widget, HELP_FALLBACK)
        except Exception:  # no ipywidgets: the text helpers below still work
            pass

