"""Exercise self-checks: run the learner's function on fixed inputs and give one verdict.

A verdict is one of three things, printed on one line:

* ``⏳ not attempted yet``: the stub still raises ``NotImplementedError``;
* ``✅ correct``: every fixed case matches the reference within ``atol``;
* ``❌ not yet``: with a targeted hint, found by comparing the learner's output with the
  outputs of known mistakes (missing tanh, forgotten bias, state not carried, ...).

Whatever the learner's code does, the check reports it in one friendly line and never lets an
exception escape into the notebook: it may raise anything (``sys.exit()`` included), return the
wrong type, shape or dtype, NaN or inf, print thousands of lines (they are captured; a few are
shown after the verdict), change its inputs in place (an error unless ``Exercise.must_not_mutate``
is off), or loop forever (each case has ``Exercise.time_limit`` seconds). ``KeyboardInterrupt``
still interrupts. "Please report it" appears only when the check itself is at fault.
The exercises themselves (inputs, references, known mistakes, hints and solutions) live in
``helpers/exercises/``; this module is the framework-neutral engine that grades them.

In a notebook, ``check()`` grades the function by name, but not when the newest cell defining it
did not run (a SyntaxError, an error above the ``def``): then the function in the namespace is the
learner's previous version, and the check says so in one line instead (``changed_since_run``).
Each verdict is saved for the progress table (:mod:`helpers.progress`), and the hint buttons are
displayed with a readable text fallback for a notebook opened without a running kernel.
"""
from __future__ import annotations

import __future__
import ast
import contextlib
import difflib
import html
import inspect
import io
import re
import signal
import sys
import textwrap
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

NOT_ATTEMPTED, CORRECT, WRONG = "not attempted", "correct", "wrong"
ICONS = {NOT_ATTEMPTED: "⏳", CORRECT: "✅", WRONG: "❌"}
FRAMEWORKS = ("numpy", "torch", "tensorflow")
FRAMEWORK_ALIASES = {"numpy": "numpy", "np": "numpy",
                     "torch": "torch", "pytorch": "torch", "pt": "torch",
                     "tensorflow": "tensorflow", "tf": "tensorflow", "keras": "tensorflow"}


def normalise_framework(framework: Any) -> str | None:
    """"tf" / "keras" -> "tensorflow", "pt" / "pytorch" -> "torch", ...; None when unknown."""
    return FRAMEWORK_ALIASES.get(framework.strip().lower()) if isinstance(framework, str) else None


def _unknown_framework(framework: Any) -> str:
    return (f"Unknown framework {framework!r}: use \"torch\", \"tensorflow\" or \"numpy\" (\"pytorch\", \"pt\", "
            f"\"tf\" and \"keras\" work too).")


def _text(t: Any, fw: str) -> str:
    """A text stored once, or per framework ({"torch": ..., "tensorflow": ...})."""
    if isinstance(t, str):
        return t
    return t.get(fw) or next(iter(t.values()))


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer, written in NumPy, and the hint a learner who made it gets.

    ``fn`` takes the same NumPy case as the reference (and ``fw=``) and returns what the
    mistaken code would return (or None where the mistake does not apply to that case); when the
    learner's output matches it, ``hint`` is shown.
    ``raises`` (a regular expression) is for a mistake that shows up as an exception instead:
    when the learner's code raises one whose message matches, ``hint`` is shown.
    """
    name: str
    hint: str | dict[str, str]     # one text, or one per framework
    fn: Callable[..., Any] | None = None
    raises: str = ""

    def hint_for(self, fw: str) -> str:
        return _text(self.hint, fw)


@dataclass
class Exercise:
    """One exercise: fixed cases, a NumPy reference, known mistakes, hints and solutions.

    cases:      list of tuples of NumPy arrays / numbers (the reference's arguments)
    reference:  reference(*case, fw=framework) -> array, number, or tuple of them
    mistakes:   list of Mistake, tried in order when the output is wrong
    hints:      progressive hints, revealed one at a time (each one text, or one per framework)
    solutions:  framework -> source code of the reference solution, shown on request
    to_learner: builds the learner's arguments from a NumPy case (default: arrays -> tensors)
    error_hint: shown when the learner's code raises a shape/size error
    output_names: names of the outputs, when the reference returns a fixed tuple of them
    output_hint: what to return, said instead of the generic "return N things" when the answer has
                the wrong structure (e.g. one tensor per input tensor); one text or one per framework
    must_not_mutate: the learner's function must leave its array/tensor inputs (and lists of them)
                as they were; one that changes them in place is wrong ("mutated-input"). When off,
                a change is only noted under the verdict.
    time_limit: seconds the learner's function may run on one case before the check stops it
                (a SIGALRM timer, so only where ``signal.setitimer`` exists, i.e. not on Windows,
                and only in the main thread, where Jupyter and Colab run cells; elsewhere the
                function runs without a limit). None or 0: no limit.
    """
    id: str
    title: str
    cases: Sequence[tuple]
    reference: Callable[..., Any]
    hints: Sequence[str | dict[str, str]]
    solutions: dict[str, str]
    mistakes: Sequence[Mistake] = ()
    to_learner: Callable[[tuple, str], tuple] | None = None
    error_hint: str | dict[str, str] = "Check the shapes of the tensors you combine."
    output_names: Sequence[str] = ()
    output_hint: str | dict[str, str] = ""
    must_not_mutate: bool = True
    time_limit: float | None = 10.0
    atol: float = 1e-5
    rtol: float = 1e-4

    def learner_args(self, case: tuple, fw: str) -> tuple:
        if self.to_learner is not None:
            return self.to_learner(case, fw)
        return tuple(to_framework(a, fw) for a in case)

    def hint(self, i: int, fw: str) -> str:
        """The i-th progressive hint (0-based) in ``fw``'s words."""
        return _text(self.hints[i], fw)


@dataclass
class Verdict:
    status: str
    message: str
    reason: str = ""          # machine-readable: mistake name, "exception", "shape", ...
    details: list = field(default_factory=list)
    notes: list = field(default_factory=list)   # extra lines shown under the verdict (what the code printed, ...)

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


def _is_torch_tensor(x: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def _is_tf_tensor(x: Any) -> bool:
    tf = sys.modules.get("tensorflow")
    if tf is not None and isinstance(x, (tf.Tensor, tf.Variable)):
        return True
    return type(x).__module__.startswith("keras") and hasattr(x, "numpy") and hasattr(x, "dtype")


def _is_array(x: Any) -> bool:
    return isinstance(x, np.ndarray) or _is_torch_tensor(x) or _is_tf_tensor(x)


def _a(name: str) -> str:
    """'a tensor', 'an object'."""
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _numeric(a: np.ndarray, what: str) -> np.ndarray:
    """``a`` if its values are numbers (bool, int, float, complex), else NotAnArray."""
    if a.dtype.kind in "biufc":
        return a
    if a.dtype.kind in "USa":
        raise NotAnArray(f"{what} of strings")
    try:                                     # bfloat16 (ml_dtypes), Python ints too large for int64, ...
        return a.astype(np.float64)
    except Exception:
        raise NotAnArray(f"{what} of {a.dtype} values") from None


def to_numpy(x: Any) -> np.ndarray:
    """Learner output as a NumPy array, or NotAnArray with a friendly description."""
    if isinstance(x, np.ndarray):
        return _numeric(x, "an array")
    if isinstance(x, (bool, np.bool_)):
        raise NotAnArray(f"a bool ({x})")
    if isinstance(x, (int, float, np.number)):
        try:
            return _numeric(np.asarray(x), "a number")
        except NotAnArray:
            raise NotAnArray("a number too large to compare (more than 10^308)") from None
    if _is_torch_tensor(x):
        try:
            t = x.detach().cpu()
            if str(t.dtype) == "torch.bfloat16":          # NumPy has no bfloat16
                t = t.float()
            return _numeric(np.asarray(t.numpy()), "a tensor")
        except NotAnArray:
            raise
        except Exception:
            raise NotAnArray(f"a tensor that cannot be read back ({type(x).__name__}, dtype {x.dtype})") from None
    if _is_tf_tensor(x):
        try:
            return _numeric(np.asarray(x.numpy()), "a tensor")
        except NotAnArray:
            raise
        except Exception:
            raise NotAnArray(f"{_a(type(x).__name__)} that has no values to read") from None
    if isinstance(x, (list, tuple)):            # a list of numbers (e.g. one loss per epoch) is fine
        kind = "list" if isinstance(x, list) else "tuple"
        try:
            items = [to_numpy(v) for v in x]
        except NotAnArray:
            items = [np.zeros(1)]
        if all(v.ndim == 0 for v in items):
            return np.array(items, dtype=np.float64) if items else np.zeros(0)
        raise NotAnArray(f"a Python {kind} of {len(x)} items")
    raise NotAnArray(_a(type(x).__name__))


def _shape(a: np.ndarray) -> str:
    return str(tuple(a.shape)).replace(",)", ")")


def _as_outputs(x: Any, n: int) -> tuple:
    if n == 1:
        return (x,)
    return tuple(x) if isinstance(x, (tuple, list)) and len(x) == n else (x,)


def _same(a: np.ndarray, b: np.ndarray, atol: float, rtol: float) -> bool:
    return a.shape == b.shape and bool(np.allclose(a.astype(np.float64), b.astype(np.float64),
                                                   atol=atol, rtol=rtol, equal_nan=True))


def _describe(x: Any, inner: bool = False) -> str:
    """What the learner returned, in a few words: 'a tuple of 2 items (a list of 3 items, a number)'."""
    if x is None:
        return "None"
    if isinstance(x, (list, tuple)):
        kind = "list" if isinstance(x, list) else "tuple"
        text = f"a {kind} of {len(x)} item{'s' if len(x) != 1 else ''}"
        if inner or not x:
            return text
        return text + f" ({', '.join(_describe(v, True) for v in list(x)[:3])}{', ...' if len(x) > 3 else ''})"
    if _is_array(x):
        try:
            shape = tuple(int(d) for d in x.shape)
        except Exception:
            shape = None
        word = "array" if isinstance(x, np.ndarray) else "tensor"
        if shape == ():
            return "a number" if inner else f"a single number (a 0-d {word})"
        return f"one {word}" + (f" of shape {str(shape).replace(',)', ')')}" if shape is not None else "")
    if isinstance(x, (int, float, np.number)) and not isinstance(x, bool):
        return "a number" if inner else "a single number"
    return _a(type(x).__name__)


def _precision(x: Any) -> str | None:
    """"float16" / "bfloat16" when ``x`` is a half-precision array or tensor."""
    if not (_is_array(x) or isinstance(x, np.number)):
        return None
    name = str(x.dtype)
    if "bfloat16" in name:
        return "bfloat16"
    if "float16" in name or name == "torch.half":
        return "float16"
    return None


_TO_FLOAT32 = {"torch": "x.float()", "tensorflow": "tf.cast(x, tf.float32)", "numpy": "x.astype(np.float32)"}
_ONE = {"numpy": "return one array", "torch": "return one tensor", "tensorflow": "return one tensor"}
_STACK = {"numpy": "stack a list of arrays with np.stack", "torch": "stack a list of tensors with torch.stack",
          "tensorflow": "stack a list of tensors with tf.stack"}
_COPY = {"numpy": "work on a copy ({name} = {name}.copy()) and return that, so that the caller's array keeps its values",
         "torch": "work on a copy ({name} = {name}.clone()) and return that, so that the caller's tensor keeps "
                  "its values",
         "tensorflow": "build a new tensor (tf.concat, tf.where, ...) and return it instead of assigning into "
                       "the variable you were given, so that the caller's values stay as they were"}


# --------------------------------------------------------------------------- guards around the learner's call
class _TimeUp(BaseException):
    """Raised inside the learner's code by the check's timer. A BaseException, so that the
    learner's own ``except Exception`` does not swallow it (nor would it for long: it repeats)."""


class _time_limit:
    """``with _time_limit(seconds):`` raises _TimeUp in the body after ``seconds``, then every 0.25 s until it ends.

    Uses SIGALRM (``signal.setitimer``), so it works only where that exists (Linux, macOS; not
    Windows) and only in the main thread, where Jupyter and Colab kernels run cells. Elsewhere
    the body runs without a limit. The alarm raises only while code outside this module runs
    (the learner's, or a library's it calls), never in the check's own bookkeeping, so the previous
    SIGALRM handler and any timer already running are always restored afterwards, whatever happens
    (KeyboardInterrupt included).
    """

    def __init__(self, seconds: float | None):
        self.seconds, self.active, self.armed = seconds, False, False

    def __enter__(self) -> "_time_limit":
        if not self.seconds or self.seconds <= 0 or not hasattr(signal, "setitimer") \
                or threading.current_thread() is not threading.main_thread():
            return self
        try:
            self.previous = signal.signal(signal.SIGALRM, self._on_alarm)
        except (ValueError, OSError, RuntimeError):      # not the main thread of the main interpreter
            return self
        self.active = self.armed = True
        self.start = time.monotonic()
        self.old_delay, self.old_interval = signal.setitimer(signal.ITIMER_REAL, self.seconds, 0.25)
        return self

    def _on_alarm(self, signum, frame) -> None:
        if self.armed and frame is not None and frame.f_code.co_filename != _THIS_FILE:
            raise _TimeUp()

    def __exit__(self, *exc) -> bool:
        if self.active:
            self.armed = self.active = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous if self.previous is not None else signal.SIG_DFL)
            if self.old_delay > 0:                       # someone else's timer was running: give back what is left
                left = self.old_delay - (time.monotonic() - self.start)
                signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), self.old_interval)
        return False


_THIS_FILE = _time_limit.__init__.__code__.co_filename


class _Capture(io.TextIOBase):
    """Stands in for stdout/stderr during a check: keeps the start of what is printed, counts the lines."""
    encoding = "utf-8"
    KEEP = 4000                                      # characters kept; the rest is only counted

    def __init__(self):
        super().__init__()
        self._head, self._kept, self._newlines, self._last = [], 0, 0, ""

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, s) -> int:
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        if self._kept < self.KEEP:
            piece = s[:self.KEEP - self._kept]
            self._head.append(piece)
            self._kept += len(piece)
        self._newlines += s.count("\n")
        if s:
            self._last = s[-1]
        return len(s)

    def summary(self, show: int = 5, width: int = 100) -> list[str]:
        """Nothing if nothing was printed, else a header, at most ``show`` lines and a count of the rest."""
        total = self._newlines + (1 if self._last not in ("", "\n") else 0)
        if not total:
            return []
        lines = "".join(self._head).split("\n")[:min(show, total)]
        shown = []
        for line in lines:
            line = re.sub(r"[\r\t\x00-\x08\x0b-\x1f\x7f]", " ", line).rstrip()
            shown.append("   | " + (line if len(line) <= width else line[:width - 3] + "..."))
        out = [f"   Your function printed {total} line{'s' if total != 1 else ''} during the check"
               + (":" if total <= show else f"; the first {len(shown)}:")] + shown
        if total > len(shown):
            out.append(f"   ... ({total - len(shown)} more lines hidden)")
        return out


def _param_names(fn: Callable) -> list[str]:
    try:
        return [p.name for p in inspect.signature(fn).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except Exception:
        return []


def _values(x: Any) -> np.ndarray | None:
    """A private copy of an array's/tensor's values (None if they cannot be read)."""
    try:
        return np.array(to_numpy(x), copy=True)
    except Exception:
        return None


def _snapshot(args: tuple, names: list[str]) -> list[tuple]:
    """What the learner's function receives: each array/tensor, each list (of them), with a copy.

    Items are (label, object, kind, copy); the label says which input it is: "`b`", "`grads[0]`",
    or "number 2" where the function's signature gives no name.
    """
    items = []
    for i, a in enumerate(args):
        named = i < len(names)
        label = f"`{names[i]}`" if named else f"number {i + 1}"
        if isinstance(a, (list, tuple)):
            if isinstance(a, list):
                items.append((label, a, "list", list(a)))
            for j, v in enumerate(a):
                if _is_array(v):
                    items.append((f"`{names[i]}[{j}]`" if named else label, v, "array", _values(v)))
        elif _is_array(a):
            items.append((label, a, "array", _values(a)))
    return items


def _changed(items: list[tuple]) -> list[tuple[str, str]]:
    """(label, kind) of every snapshotted input whose contents differ now."""
    changed = []
    for label, obj, kind, before in items:
        if kind == "list":
            if len(obj) != len(before) or any(a is not b for a, b in zip(obj, before)):
                changed.append((label, kind))
            continue
        if before is None:
            continue
        now = _values(obj)
        try:
            same = now is not None and now.shape == before.shape and bool(
                np.array_equal(now, before, equal_nan=before.dtype.kind in "fc"))
        except Exception:
            same = True
        if not same:
            changed.append((label, "ndarray" if isinstance(obj, np.ndarray) else kind))
    return changed


def _mutation_text(changed: list[tuple[str, str]], fw: str) -> str:
    label, kind = changed[0]
    more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
    if kind == "list":
        which = f"the list {label} it was given" if label.startswith("`") else f"the list it was given as input {label}"
        return (f"your function changed {which}{more} (items replaced, added or removed); build a new list and "
                f"return it, so that the caller's list stays as it was.")
    name = label.strip("`") if label.startswith("`") and "[" not in label else "x"
    advice = _COPY["numpy" if kind == "ndarray" else fw]        # what the input is, not the notebook
    return f"your function changed its input {label} in place{more}; {advice.format(name=name)}."


def _safe_str(e: BaseException) -> str:
    try:
        return str(e)
    except Exception:
        return ""


# --------------------------------------------------------------------------- grading
_SHAPE_ERROR = re.compile(r"shape|size|dimension|broadcast|mat1|mat2|incompatible|matmul|rank",
                          re.IGNORECASE)


def _describe_exception(e: BaseException) -> str:
    """`ValueError: ... (line 3 of your code)`: one line, the learner's own frame only."""
    text = _safe_str(e).strip()
    msg = text.splitlines()[0] if text else ""
    if len(msg) > 160:
        msg = msg[:157] + "..."
    where = ""
    try:
        frames = traceback.extract_tb(e.__traceback__)
    except Exception:
        frames = []
    for frame in reversed(frames):
        if frame.filename.startswith("<ipython-input") or "ipykernel" in frame.filename \
                or frame.filename.startswith("<"):
            where = f" (line {frame.lineno} of your code)"
            break
    return f"{type(e).__name__}{': ' + msg if msg else ''}{where}"


def grade(ex: Exercise, answer: Any, fw: str) -> Verdict:
    """Run ``answer`` on every case of ``ex`` and return one Verdict. Never raises (but lets
    KeyboardInterrupt through). What the answer prints is captured: Verdict.notes shows a few lines."""
    framework = normalise_framework(fw)
    if framework is None:
        return Verdict(WRONG, _unknown_framework(fw), "framework")
    printed = _Capture()
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"), \
                contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            warnings.simplefilter("ignore")          # overflow etc. show up in the verdict
            verdict = _grade(ex, answer, framework)
    except Exception as e:  # a bug in a check must not look like the learner's fault
        verdict = Verdict(WRONG, f"The check itself failed ({_describe_exception(e)}); "
                                 f"please report it to the course maintainers.", "check-error")
    verdict.notes = verdict.notes + printed.summary()
    return verdict


def _grade(ex: Exercise, answer: Any, fw: str) -> Verdict:
    if not callable(answer):
        return Verdict(WRONG, f"Expected a function, got {type(answer).__name__}: "
                              f"run the exercise cell above first, then this one.", "not-callable")
    names = _param_names(answer)
    notes = []
    results = []                      # (case, expected outputs, learner outputs), all as NumPy
    for case in ex.cases:
        expected = ex.reference(*case, fw=fw)
        n_out = len(expected) if isinstance(expected, tuple) else 1
        expected = tuple(np.asarray(e) for e in _as_outputs(expected, n_out))
        args = ex.learner_args(case, fw)
        before = _snapshot(args, names)
        try:
            with _time_limit(ex.time_limit):
                got = answer(*args)
        except NotImplementedError:
            return Verdict(NOT_ATTEMPTED, "Not attempted yet: replace `raise NotImplementedError` "
                                          "with your code, run that cell, then run this check again.",
                           "not-attempted")
        except _TimeUp:
            return Verdict(WRONG, f"Not yet: your function did not finish in {ex.time_limit:g} s on a small "
                                  f"test case: is there an endless loop?", "timeout")
        except KeyboardInterrupt:
            raise
        except SystemExit:
            return Verdict(WRONG, "Your function called sys.exit() (or exit() / quit()), which would stop the "
                                  "notebook's kernel: end it with `return` and a value instead.", "exit")
        except Exception as e:
            text = _safe_str(e)
            for m in ex.mistakes:
                if m.raises and re.search(m.raises, text, re.IGNORECASE):
                    return Verdict(WRONG, f"Your code raised {_describe_exception(e)}. Hint: {m.hint_for(fw)}", m.name)
            hint = _text(ex.error_hint, fw) if _SHAPE_ERROR.search(text) \
                else "Read the message, fix that line and run both cells again."
            return Verdict(WRONG, f"Your code raised {_describe_exception(e)}. Hint: {hint}", "exception")
        except BaseException as e:    # GeneratorExit, a home-made BaseException, ...
            return Verdict(WRONG, f"Your code raised {_describe_exception(e)}. Hint: Read the message, fix that "
                                  f"line and run both cells again.", "exception")
        changed = _changed(before)
        if changed and ex.must_not_mutate:
            return Verdict(WRONG, "Not yet: " + _mutation_text(changed, fw), "mutated-input")
        if changed and not notes:
            notes.append("   Note: " + _mutation_text(changed, fw))
        if got is None:
            return Verdict(WRONG, "Your function returned None: did you forget the `return` line?", "none", notes=notes)
        try:
            got_np = _read_outputs(ex, got, expected, fw)
        except Exception as e:        # an object that breaks when looked at (len, dtype, ... raise)
            try:
                kind = type(got).__name__
            except Exception:
                kind = "object"
            return Verdict(WRONG, f"Your function returned {_a(kind)} that the check cannot read (looking at it "
                                  f"raised {type(e).__name__}); return tensors or numbers.", "type", notes=notes)
        if isinstance(got_np, Verdict):
            got_np.notes = notes + got_np.notes
            return got_np
        results.append((case, expected, got_np))
    verdict = _compare(ex, results, fw)
    verdict.notes = notes + verdict.notes
    return verdict


def _read_outputs(ex: Exercise, got: Any, expected: tuple, fw: str) -> tuple | Verdict:
    """The learner's outputs as NumPy arrays, or the Verdict that says why they cannot be compared."""
    n_out = len(expected)
    output_hint = _text(ex.output_hint, fw) if ex.output_hint else ""
    if n_out > 1 and not (isinstance(got, (tuple, list)) and len(got) == n_out):
        if output_hint:
            return Verdict(WRONG, f"Not yet: your function returned {_describe(got)}; {output_hint}", "arity")
        names_out = ", ".join(ex.output_names) or f"{n_out} values"
        return Verdict(WRONG, f"Return {n_out} things, in this order: ({names_out}); your function returned "
                              f"{_describe(got)}.", "arity")
    outs = _as_outputs(got, n_out)
    for g in outs:
        half = _precision(g)
        if half:
            return Verdict(WRONG, f"Not yet: your result is {half} (half precision), too coarse to compare with "
                                  f"the reference: return float32 ({_TO_FLOAT32[fw]}).", "half-precision")
    try:
        got_np = tuple(to_numpy(g) for g in outs)
    except NotAnArray as e:
        if output_hint:
            return Verdict(WRONG, f"Not yet: your function returned {_describe(got)}; {output_hint}", "type")
        if all(x.ndim == 0 for x in expected):
            return Verdict(WRONG, f"Your function returned {e}; return a number.", "type")
        stack = f" ({_STACK[fw]})" if isinstance(got, (list, tuple)) else ""
        return Verdict(WRONG, f"Your function returned {e}; {_ONE[fw]}{stack}.", "type")
    for i, (g, x) in enumerate(zip(got_np, expected)):
        if g.dtype.kind == "c" and x.dtype.kind != "c":
            return Verdict(WRONG, f"Not yet: {_label(ex, i, n_out)} has complex values (dtype {g.dtype}) where the "
                                  f"reference is real: take the absolute value (or the real part) where you meant "
                                  f"to.", "complex")
    return got_np


def _label(ex: Exercise, i: int, n: int) -> str:
    if len(ex.output_names) == n and n:
        return f"`{ex.output_names[i]}`"
    return "your result" if n == 1 else f"item {i + 1} of your result"


def _nonfinite(label: str, g: np.ndarray, x: np.ndarray, k: int) -> str | None:
    """The message for NaN or inf in ``g`` where the reference ``x`` is finite, or None."""
    g, x = g.astype(np.float64), x.astype(np.float64)
    for kind, bad, cause in [
        ("NaN", np.isnan(g) & ~np.isnan(x),
         "look for 0/0 (a sum or norm that is 0 in a denominator), inf - inf, exp() of a large number, "
         "or a log or square root of a negative number"),
        ("inf", np.isinf(g) & np.isfinite(x), "look for exp() of a large number or a division by zero")]:
        if not bad.any():
            continue
        if g.ndim == 0:
            return f"Not yet: {label} is {kind} on test case {k + 1}, where the reference is finite: {cause}."
        first = ", ".join(str(int(i)) for i in np.argwhere(bad)[0])
        return (f"Not yet: {label} contains {kind} in {int(bad.sum())} of {g.size} entries (the first at index "
                f"[{first}]) on test case {k + 1}, where the reference is finite: {cause}.")
    return None


def _compare(ex: Exercise, results: list, fw: str) -> Verdict:
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
    n = len(expected)
    for i, (g, x) in enumerate(zip(got, expected)):
        if g.shape != x.shape:
            label = f"{_label(ex, i, n)} "
            return Verdict(WRONG, f"Not yet: {label}has shape {_shape(g)} but should have shape "
                                  f"{_shape(x)}. Hint: {_text(ex.error_hint, fw)}", "shape")
    for kk in failing:                                # NaN / inf where the reference is finite
        for i, (g, x) in enumerate(zip(results[kk][2], results[kk][1])):
            if g.shape == x.shape:
                message = _nonfinite(_label(ex, i, n), g, x, kk)
                if message:
                    return Verdict(WRONG, message, "not-finite")
    # Some outputs right, others not: name the ones that differ.
    if n > 1 and len(ex.output_names) == n:
        right = [all(_same(r[2][i], r[1][i], ex.atol, ex.rtol) for r in results) for i in range(n)]
        if any(right) and not all(right):
            good = [f"`{ex.output_names[i]}`" for i in range(n) if right[i]]
            bad = [ex.output_names[i] for i in range(n) if not right[i]]
            j = right.index(False)
            kk = next(kk for kk, r in enumerate(results) if not _same(r[2][j], r[1][j], ex.atol, ex.rtol))
            g, x = results[kk][2][j], results[kk][1][j]
            diff = np.nanmax(np.abs(g.astype(np.float64) - x.astype(np.float64))) if g.size else 0.0
            return Verdict(WRONG, f"Not yet: {_join(good)} {'is' if len(good) == 1 else 'are'} right but "
                                  f"{_join([f'`{b}`' for b in bad])} "
                                  f"{'differs' if len(bad) == 1 else 'differ'} from the reference (largest "
                                  f"difference {diff:.3g}{f' in `{bad[0]}`' if len(bad) > 1 else ''} on test "
                                  f"case {kk + 1}): look at the "
                                  f"line{'s' if len(bad) > 1 else ''} that compute{'s' if len(bad) == 1 else ''} "
                                  f"{_join(bad)}.", "values")
    for i, (g, x) in enumerate(zip(got, expected)):
        if _same(g, x, ex.atol, ex.rtol):
            continue
        label = f"{_label(ex, i, n)} "
        if x.ndim == 0:
            inputs = f" (inputs {case})" if all(isinstance(a, (int, float, np.number)) for a in case) else ""
            return Verdict(WRONG, f"Not yet: your answer {g.item():g} is off on test case {k + 1}"
                                  f"{inputs}. Hint: {ex.hint(0, fw)}", "values")
        diff = np.nanmax(np.abs(g.astype(np.float64) - x.astype(np.float64))) if g.size else 0.0
        return Verdict(WRONG, f"Not yet: {label}has the right shape but its values differ from "
                              f"the reference (largest difference {diff:.3g}) on test case {k + 1}. "
                              f"Hint: {ex.hint(0, fw)}", "values")
    return Verdict(WRONG, "Not yet: the values differ from the reference.", "values")


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# --------------------------------------------------------------------------- notebook UI
HELP_FALLBACK = ("Hints and solution: run this cell to use the buttons. "
                 "If the buttons do nothing, run this cell again.")
CHANGED_CELL = "the exercise cell has changed since it last ran without errors: fix it and run it again"
_said: set[str] = set()


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


def _say(line: str) -> None:
    print(textwrap.fill(line, width=88, subsequent_indent="   ", break_on_hyphens=False))


def _say_once(key: str, line: str) -> None:
    if key not in _said:
        _said.add(key)
        _say(line)


# ---- widgets that read well before they run ------------------------------------------
def widget_bundle(widget: Any, text: str) -> dict:
    """The display bundle of an ipywidget with ``text`` as its text/plain fallback.

    A notebook stored without widget state (or reopened after a kernel restart) shows a widget's
    text/plain instead of the widget: ipywidgets' own is ``VBox(children=(HBox(...``. The widget
    view is the same one ipywidgets 7 (``_ipython_display_``) and 8 (``_repr_mimebundle_``) publish.
    """
    bundle = {"text/plain": text}
    if getattr(widget, "_view_name", None) is not None:
        spec = getattr(widget, "get_view_spec", None)
        view = spec() if callable(spec) else {"version_major": 2, "version_minor": 0,
                                              "model_id": widget.model_id}
        bundle["application/vnd.jupyter.widget-view+json"] = view
    return bundle


def show_widget(widget: Any, text: str) -> None:
    """Display ``widget`` live, with the readable ``text`` for places where it cannot run."""
    from IPython.display import display

    display(widget_bundle(widget, text), raw=True)
    displayed = getattr(widget, "_handle_displayed", None)      # ipywidgets 7: on_displayed callbacks
    if callable(displayed):
        displayed()


def setup_note() -> str | None:
    """One line when this runs in a notebook kernel where the setup cell has not run, else None."""
    try:
        from IPython import get_ipython

        if get_ipython() is None:
            return None
        from helpers import course

        if getattr(course, "SETUP_DONE", True):
            return None
    except Exception:
        return None
    return "⚠️ The setup cell at the top has not run in this kernel yet: run it first."


# ---- a definition that did not run ------------------------------------------------------
_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag
del _feature


def _compile_flags() -> int:
    """The flags a notebook cell is compiled with: top-level await, and the shell's __future__ imports."""
    flags = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)
    try:
        from IPython import get_ipython

        shell = get_ipython()
        flags |= getattr(getattr(shell, "compile", None), "flags", 0) & _FUTURE_FLAGS
    except Exception:
        pass
    return flags


def _functions_named(code: Any, name: str) -> list:
    """Every code object called ``name`` inside a compiled cell (nested ones included)."""
    found, todo = [], [code]
    while todo:
        c = todo.pop()
        for const in c.co_consts:
            if isinstance(const, type(code)):
                if const.co_name == name:
                    found.append(const)
                todo.append(const)
    return found


def _defining_cells(name: str, namespace: dict) -> list[str]:
    """The cells of IPython's input history (``_ih`` / ``In``) with a ``def name(`` line, newest first."""
    cells = namespace.get("_ih", namespace.get("In")) if isinstance(namespace, dict) else None
    if not isinstance(cells, list) or not isinstance(name, str):
        return []
    defines = re.compile(rf"^[ \t]*(?:async[ \t]+)?def[ \t]+{re.escape(name)}[ \t]*\(", re.MULTILINE)
    return [source for source in reversed(cells) if isinstance(source, str) and defines.search(source)]


def changed_since_run(name: str, fn: Any, namespace: dict) -> bool:
    """True when the newest notebook cell that defines ``name`` did not produce ``fn``.

    IPython keeps every cell it ran in ``In`` / ``_ih``, including one that stopped at a SyntaxError
    (or at an error above the ``def``): then ``fn`` is the previous definition, and grading it would
    grade the learner's old code. True when that newest defining cell does not compile, or when it
    compiles but ``fn`` is the function of an older cell. Anything else (no ``In`` outside IPython,
    ``fn`` defined elsewhere, code the check cannot match) is False: grade it.
    """
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    flags = _compile_flags()
    newest = True                             # looking at the newest defining cell
    for source in _defining_cells(name, namespace):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compiled = compile(source, "<cell>", "exec", flags, dont_inherit=True)
        except (SyntaxError, ValueError, OverflowError, RecursionError):
            if newest:
                return True                   # the learner's latest version never ran
            continue
        except Exception:
            return False
        functions = _functions_named(compiled, name)
        if not functions:
            continue                          # `def name(` inside a string: not a definition
        if any(f == code for f in functions):     # equal code, whatever file name it was compiled under
            return not newest
        newest = False
    return False


# ---- the check ---------------------------------------------------------------------------
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
    if stale:
        print(f"⚠️ `{exercise_id}`: {CHANGED_CELL}, then run this check.")    # one line, not graded
    else:
        verdict = grade(_get(exercise_id), answer, fw)
        _say(str(verdict))
        for note in verdict.notes:
            print(note)
        _record(exercise_id, fw, verdict.status)
    if widgets:
        try:
            show_widget(HelpBox(exercise_id, fw).widget, HELP_FALLBACK)
        except Exception:  # no ipywidgets: the text helpers below still work
            pass


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


class HelpBox:
    """Two buttons under a check: reveal the next hint, show (or hide again) the full solution.

    The hints revealed so far stay; the solution appears below them. Everything goes into one HTML
    widget's value (``text``, not an Output capture), so it works with ipywidgets 7 and 8 and is
    testable without a browser.
    """

    def __init__(self, exercise_id: str, framework: str = "numpy"):
        import ipywidgets as w

        self.exercise = _get(exercise_id)
        self.framework = normalise_framework(framework) or "numpy"
        self.shown = 0
        self.solution_shown = False
        self.hint_button = w.Button(description=self._hint_label(), icon="lightbulb-o",
                                    layout=w.Layout(width="auto"))
        self.solution_button = w.Button(description="Show the solution", icon="eye",
                                        layout=w.Layout(width="auto"))
        self.text = w.HTML(value="")
        self.hint_button.on_click(lambda _: self.next_hint())
        self.solution_button.on_click(lambda _: self.toggle_solution())
        self.widget = w.VBox([w.HBox([self.hint_button, self.solution_button]), self.text])

    def _ipython_display_(self, **kwargs) -> None:
        show_widget(self.widget, HELP_FALLBACK)

    def _hint_label(self) -> str:
        n = len(self.exercise.hints)
        if self.shown >= n:
            return "All hints shown"
        return f"Show hint {self.shown + 1} of {n}"

    def _render(self) -> None:
        parts = [f"<p><b>Hint {i + 1}.</b> {html.escape(self.exercise.hint(i, self.framework))}</p>"
                 for i in range(self.shown)]
        if self.solution_shown:
            code = html.escape(solution(self.exercise.id, self.framework))
            parts.append("<p><b>One solution</b> (try the hints first; copy it into the cell above "
                         "if you want to move on):</p><pre style='background:#f5f5f5;padding:6px'>"
                         f"{code}</pre>")
        self.text.value = "".join(parts)

    def next_hint(self) -> None:
        n = len(self.exercise.hints)
        self.shown = min(self.shown + 1, n)
        self.hint_button.description = self._hint_label()
        self.hint_button.disabled = self.shown >= n
        self._render()

    def show_solution(self, shown: bool = True) -> None:
        """Show the solution below the hints (``shown=False`` hides it again)."""
        self.solution_shown = bool(shown)
        self.solution_button.description = "Hide the solution" if shown else "Show the solution"
        self.solution_button.icon = "eye-slash" if shown else "eye"
        self._render()

    def hide_solution(self) -> None:
        self.show_solution(False)

    def toggle_solution(self) -> None:
        """What the solution button does: show the solution, or hide it when it is shown."""
        self.show_solution(not self.solution_shown)
