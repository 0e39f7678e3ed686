"""Exercise self-checks: run the learner's function on fixed inputs and give one verdict.

A verdict is one of three things, printed on one line:

* ``⏳ not attempted yet``: the stub still raises ``NotImplementedError``;
* ``✅ correct``: every fixed case matches the reference within ``atol``;
* ``❌ not yet``: with a targeted hint, found by comparing the learner's output with the
  outputs of known mistakes (missing tanh, forgotten bias, state not carried, ...).

Whatever the learner's code does (raise, return the wrong type or shape, print), the check
reports it in one friendly line and never lets an exception escape into the notebook.
The exercises themselves (inputs, references, known mistakes, hints and solutions) live in
``helpers/exercises/``; this module is the framework-neutral engine that grades them.
"""
from __future__ import annotations

import html
import inspect
import re
import textwrap
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

NOT_ATTEMPTED, CORRECT, WRONG = "not attempted", "correct", "wrong"
ICONS = {NOT_ATTEMPTED: "⏳", CORRECT: "✅", WRONG: "❌"}
FRAMEWORKS = ("numpy", "torch", "tensorflow")


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer, written in NumPy, and the hint a learner who made it gets.

    ``fn`` takes the same NumPy case as the reference (and ``fw=``) and returns what the
    mistaken code would return; when the learner's output matches it, ``hint`` is shown.
    ``raises`` (a regular expression) is for a mistake that shows up as an exception instead:
    when the learner's code raises one whose message matches, ``hint`` is shown.
    """
    name: str
    hint: str | dict[str, str]     # one text, or one per framework
    fn: Callable[..., Any] | None = None
    raises: str = ""

    def hint_for(self, fw: str) -> str:
        return self.hint if isinstance(self.hint, str) else self.hint[fw]


@dataclass
class Exercise:
    """One exercise: fixed cases, a NumPy reference, known mistakes, hints and solutions.

    cases:      list of tuples of NumPy arrays / numbers (the reference's arguments)
    reference:  reference(*case, fw=framework) -> array, number, or tuple of them
    mistakes:   list of Mistake, tried in order when the output is wrong
    hints:      progressive hints, revealed one at a time
    solutions:  framework -> source code of the reference solution, shown on request
    to_learner: builds the learner's arguments from a NumPy case (default: arrays -> tensors)
    error_hint: shown when the learner's code raises a shape/size error
    """
    id: str
    title: str
    cases: Sequence[tuple]
    reference: Callable[..., Any]
    hints: Sequence[str]
    solutions: dict[str, str]
    mistakes: Sequence[Mistake] = ()
    to_learner: Callable[[tuple, str], tuple] | None = None
    error_hint: str = "Check the shapes of the tensors you combine."
    output_names: Sequence[str] = ()
    atol: float = 1e-5
    rtol: float = 1e-4

    def learner_args(self, case: tuple, fw: str) -> tuple:
        if self.to_learner is not None:
            return self.to_learner(case, fw)
        return tuple(to_framework(a, fw) for a in case)


@dataclass
class Verdict:
    status: str
    message: str
    reason: str = ""          # machine-readable: mistake name, "exception", "shape", ...
    details: list = field(default_factory=list)

    def __str__(self) -> str:
        return f"{ICONS[self.status]} {self.message}"

    @property
    def ok(self) -> bool:
        return self.status == CORRECT


# --------------------------------------------------------------------------- conversions
def to_framework(a: Any, fw: str) -> Any:
    """A NumPy array as a float32 tensor of ``fw`` (int arrays stay integer); scalars unchanged."""
    if not isinstance(a, np.ndarray):
        return a
    if fw == "torch":
        import torch
        return torch.from_numpy(a.astype(np.float32) if a.dtype.kind == "f" else a.copy())
    if fw == "tensorflow":
        import tensorflow as tf
        return tf.constant(a.astype(np.float32) if a.dtype.kind == "f" else a)
    return a.astype(np.float64) if a.dtype.kind == "f" else a.copy()


class NotAnArray(TypeError):
    pass


def to_numpy(x: Any) -> np.ndarray:
    """Learner output as a NumPy array, or NotAnArray with a friendly description."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (int, float, np.number)) and not isinstance(x, bool):
        return np.asarray(x)
    mod = type(x).__module__
    if mod.startswith("torch"):
        return x.detach().cpu().numpy()
    if mod.startswith(("tensorflow", "keras")) and hasattr(x, "numpy"):
        return np.asarray(x.numpy())
    if isinstance(x, (list, tuple)):            # a list of numbers (e.g. one loss per epoch) is fine
        try:
            items = [to_numpy(v) for v in x]
        except NotAnArray:
            items = [np.zeros(1)]
        if all(v.ndim == 0 for v in items):
            return np.array(items, dtype=np.float64) if items else np.zeros(0)
        raise NotAnArray(f"a Python {type(x).__name__} of {len(x)} items")
    raise NotAnArray(f"a {type(x).__name__}")


def _shape(a: np.ndarray) -> str:
    return str(tuple(a.shape)).replace(",)", ")")


def _as_outputs(x: Any, n: int) -> tuple:
    if n == 1:
        return (x,)
    return tuple(x) if isinstance(x, (tuple, list)) and len(x) == n else (x,)


def _same(a: np.ndarray, b: np.ndarray, atol: float, rtol: float) -> bool:
    return a.shape == b.shape and bool(np.allclose(a.astype(np.float64), b.astype(np.float64),
                                                   atol=atol, rtol=rtol, equal_nan=True))


# --------------------------------------------------------------------------- grading
_SHAPE_ERROR = re.compile(r"shape|size|dimension|broadcast|mat1|mat2|incompatible|matmul|rank",
                          re.IGNORECASE)


def _describe_exception(e: BaseException) -> str:
    """`ValueError: ... (line 3 of your code)`: one line, the learner's own frame only."""
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    if len(msg) > 160:
        msg = msg[:157] + "..."
    where = ""
    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        if frame.filename.startswith("<ipython-input") or "ipykernel" in frame.filename \
                or frame.filename.startswith("<"):
            where = f" (line {frame.lineno} of your code)"
            break
    return f"{type(e).__name__}{': ' + msg if msg else ''}{where}"


def grade(ex: Exercise, answer: Any, fw: str) -> Verdict:
    """Run ``answer`` on every case of ``ex`` and return one Verdict. Never raises."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):   # overflow etc. show up in the verdict
            warnings.simplefilter("ignore")
            return _grade(ex, answer, fw)
    except Exception as e:  # a bug in a check must not look like the learner's fault
        return Verdict(WRONG, f"The check itself failed ({_describe_exception(e)}); "
                              f"please report it to the course maintainers.", "check-error")


def _grade(ex: Exercise, answer: Any, fw: str) -> Verdict:
    if fw not in FRAMEWORKS:
        raise ValueError(f"unknown framework {fw!r}")
    if not callable(answer):
        return Verdict(WRONG, f"Expected a function, got {type(answer).__name__}: "
                              f"run the exercise cell above first, then this one.", "not-callable")
    results = []                      # (case, expected outputs, learner outputs), all as NumPy
    for case in ex.cases:
        expected = ex.reference(*case, fw=fw)
        n_out = len(expected) if isinstance(expected, tuple) else 1
        expected = tuple(np.asarray(e) for e in _as_outputs(expected, n_out))
        try:
            got = answer(*ex.learner_args(case, fw))
        except NotImplementedError:
            return Verdict(NOT_ATTEMPTED, "Not attempted yet: replace `raise NotImplementedError` "
                                          "with your code, run that cell, then run this check again.",
                           "not-attempted")
        except Exception as e:
            for m in ex.mistakes:
                if m.raises and re.search(m.raises, str(e), re.IGNORECASE):
                    return Verdict(WRONG, f"Your code raised {_describe_exception(e)}. Hint: {m.hint_for(fw)}", m.name)
            hint = ex.error_hint if _SHAPE_ERROR.search(str(e)) else "Read the message, fix that line and run both cells again."
            return Verdict(WRONG, f"Your code raised {_describe_exception(e)}. Hint: {hint}", "exception")
        if got is None:
            return Verdict(WRONG, "Your function returned None: did you forget the `return` line?", "none")
        if n_out > 1 and not (isinstance(got, (tuple, list)) and len(got) == n_out):
            names = ", ".join(ex.output_names) or f"{n_out} values"
            return Verdict(WRONG, f"Return {n_out} things, in this order: ({names}).", "arity")
        try:
            got_np = tuple(to_numpy(g) for g in _as_outputs(got, n_out))
        except NotAnArray as e:
            if all(x.ndim == 0 for x in expected):
                return Verdict(WRONG, f"Your function returned {e}; return a number.", "type")
            return Verdict(WRONG, f"Your function returned {e}; return one array/tensor "
                                  f"(stack a list of steps with torch.stack / tf.stack).", "type")
        results.append((case, expected, got_np))

    def matches(outs, ref):
        return all(_same(g, np.asarray(x), ex.atol, ex.rtol) for g, x in zip(outs, ref))

    failing = [k for k, (_, expected, got) in enumerate(results) if not matches(got, expected)]
    if not failing:
        return Verdict(CORRECT, f"Correct! `{ex.id}` matches the reference on all {len(ex.cases)} test cases.",
                       "correct")
    # A known mistake explains the answer when it reproduces it on every case where it applies.
    for m in ex.mistakes:
        if m.fn is None:
            continue
        applied = 0
        for case, expected, got in results:
            wrong = m.fn(*case, fw=fw)
            if wrong is None:
                continue
            if not matches(got, _as_outputs(wrong, len(expected))):
                break
            applied += 1
        else:
            if applied:
                return Verdict(WRONG, f"Not yet. Hint: {m.hint_for(fw)}", m.name)
    k = failing[0]
    case, expected, got = results[k]
    for name, g, x in zip(ex.output_names or [""] * len(expected), got, expected):
        label = f"`{name}` " if name else ""
        if g.shape != x.shape:
            return Verdict(WRONG, f"Not yet: {label}has shape {_shape(g)} but should have shape "
                                  f"{_shape(x)}. Hint: {ex.error_hint}", "shape")
        if _same(g, x, ex.atol, ex.rtol):
            continue
        if x.ndim == 0:
            inputs = f" (inputs {case})" if all(isinstance(a, (int, float, np.number)) for a in case) else ""
            return Verdict(WRONG, f"Not yet: your answer {g.item():g} is off on test case {k + 1}"
                                  f"{inputs}. Hint: {ex.hints[0]}", "values")
        diff = np.nanmax(np.abs(g.astype(np.float64) - x.astype(np.float64))) if g.size else 0.0
        return Verdict(WRONG, f"Not yet: {label}has the right shape but its values differ from "
                              f"the reference (largest difference {diff:.3g}) on test case {k + 1}. "
                              f"Hint: {ex.hints[0]}", "values")
    return Verdict(WRONG, "Not yet: the values differ from the reference.", "values")


# --------------------------------------------------------------------------- notebook UI
def _registry() -> dict[str, Exercise]:
    from helpers.exercises import EXERCISES
    return EXERCISES


def _get(exercise_id: str) -> Exercise:
    reg = _registry()
    if exercise_id not in reg:
        raise KeyError(f"No exercise called {exercise_id!r}; known: {', '.join(sorted(reg))}")
    return reg[exercise_id]


def check(exercise_id: str, framework: str = "numpy", answer: Any = None, widgets: bool = True) -> None:
    """Grade the learner's function for an exercise, print the verdict and offer hints and the solution.

    Call it in the cell under the exercise: ``check("rnn_step", "torch")`` grades the function called
    ``rnn_step`` in the notebook. (``check("rnn_step", rnn_step, "torch")`` works too.)
    """
    if callable(framework):                                  # check(id, function, framework)
        framework, answer = (answer if isinstance(answer, str) else "numpy"), framework
    if answer is None:
        caller = inspect.currentframe().f_back.f_globals
        if exercise_id not in caller:
            print(f"{ICONS[NOT_ATTEMPTED]} `{exercise_id}` is not defined yet: run the exercise cell above "
                  "(it defines the function), then run this check again.")
            return
        answer = caller[exercise_id]
    verdict = grade(_get(exercise_id), answer, framework)
    print(textwrap.fill(str(verdict), width=88, subsequent_indent="   ", break_on_hyphens=False))
    if widgets:
        try:
            from IPython.display import display
            display(HelpBox(exercise_id, framework).widget)
        except Exception:  # no ipywidgets: the text helpers below still work
            pass


def hint(exercise_id: str, n: int = 1) -> str:
    """The n-th hint (1-based) as text, for use without widgets: ``print(hint("rnn_step", 2))``."""
    hints = _get(exercise_id).hints
    n = max(1, min(n, len(hints)))
    return f"Hint {n} of {len(hints)}: {hints[n - 1]}"


def solution(exercise_id: str, framework: str = "numpy") -> str:
    """The reference solution's source code for ``framework``."""
    sols = _get(exercise_id).solutions
    return sols.get(framework) or next(iter(sols.values()))


class HelpBox:
    """Two buttons under a check: reveal the next hint, show the full solution.

    Feedback goes into an HTML widget's value (not an Output capture), so it works with
    ipywidgets 7 and 8 and is testable without a browser.
    """

    def __init__(self, exercise_id: str, framework: str = "numpy"):
        import ipywidgets as w

        self.exercise = _get(exercise_id)
        self.framework = framework
        self.shown = 0
        self.hint_button = w.Button(description=self._hint_label(), icon="lightbulb-o",
                                    layout=w.Layout(width="auto"))
        self.solution_button = w.Button(description="Show the solution", icon="eye",
                                        layout=w.Layout(width="auto"))
        self.text = w.HTML(value="")
        self.hint_button.on_click(lambda _: self.next_hint())
        self.solution_button.on_click(lambda _: self.show_solution())
        self.widget = w.VBox([w.HBox([self.hint_button, self.solution_button]), self.text])

    def _hint_label(self) -> str:
        n = len(self.exercise.hints)
        if self.shown >= n:
            return "All hints shown"
        return f"Show hint {self.shown + 1} of {n}"

    def next_hint(self) -> None:
        hints = self.exercise.hints
        self.shown = min(self.shown + 1, len(hints))
        self.text.value = "".join(f"<p><b>Hint {i + 1}.</b> {html.escape(h)}</p>"
                                  for i, h in enumerate(hints[:self.shown]))
        self.hint_button.description = self._hint_label()
        self.hint_button.disabled = self.shown >= len(hints)

    def show_solution(self) -> None:
        code = html.escape(solution(self.exercise.id, self.framework))
        self.text.value = ("<p><b>One solution</b> (try the hints first; copy it into the cell above "
                           "if you want to move on):</p><pre style='background:#f5f5f5;padding:6px'>"
                           f"{code}</pre>")
