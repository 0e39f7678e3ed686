"""Guards around the learner's call: a time limit, captured output, and snapshots of the
inputs to detect in-place changes; exceptions described in one line."""
from __future__ import annotations

import inspect
import io
import os
import re
import signal
import threading
import time
import traceback
from typing import Any, Callable

import numpy as np

from .values import _COPY, _is_array, to_numpy

class _TimeUp(BaseException):
    """Raised inside the learner's code by the check's timer. A BaseException, so that the
    learner's own ``except Exception`` does not swallow it (nor would it for long: it repeats)."""


class _time_limit:
    """``with _time_limit(seconds):`` raises _TimeUp in the body after ``seconds``, then every 0.25 s until it ends.

    Uses SIGALRM (``signal.setitimer``), so it works only where that exists (Linux, macOS; not
    Windows) and only in the main thread, where Jupyter and Colab kernels run cells. Elsewhere
    the body runs without a limit. The alarm raises only while code outside this module runs
    (the learner's, or a library's it calls), never in the check's own bookkeeping (this package), so the previous
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
        if self.armed and frame is not None and not frame.f_code.co_filename.startswith(_PACKAGE_DIR):
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


# The check's own files (this package): the alarm never fires inside them.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


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

# First lines of the messages in which TensorFlow and Keras wrap the error that really happened.
_WRAPPER = re.compile(r"^(in user code:|Exception encountered when calling|Graph execution error|"
                      r"Detected at node|Traceback)", re.IGNORECASE)
_TYPED_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit)): (.+)$")
_SKIP_LINE = ("File ", "Arguments received", "Call arguments received", "\u2022", "-", "Stack trace")


def _tidy(line: str) -> str:
    """One message line without terminal colours, TensorFlow's node prefixes and its op suffix."""
    line = re.sub(r"\x1b\[[0-9;]*m", "", line)
    line = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", line)
    line = re.sub(r"\s*name:\s*$", "", line)
    return line.strip()


def innermost_cause(e: BaseException) -> tuple[str, str]:
    """(type name, one message line) of the error that really happened.

    TensorFlow and Keras wrap an error in a message whose first line says only where it was caught
    ("in user code:", "Exception encountered when calling LSTM.call()."): the cause is further down,
    as a line "ValueError: ..." or as the first line that is not a file, an argument list or a
    wrapper. Explicit causes (``raise ... from e``) are followed to the innermost one.
    """
    inner, seen = e, set()
    while inner.__cause__ is not None and id(inner) not in seen:
        seen.add(id(inner))
        inner = inner.__cause__
    name = type(inner).__name__
    lines = [_tidy(line) for line in _safe_str(inner).splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return name, ""
    if not _WRAPPER.match(lines[0]):
        return name, lines[0]
    typed = [m for m in (_TYPED_LINE.match(line) for line in lines[1:]) if m]
    if typed:
        return typed[-1].group(1).rsplit(".", 1)[-1], typed[-1].group(2)
    for line in lines[1:]:
        if not _WRAPPER.match(line) and not line.startswith(_SKIP_LINE):
            return name, line
    return name, lines[0]


def is_wrapped(e: BaseException) -> bool:
    """True for an error whose message is a framework's wrapper around another (see innermost_cause)."""
    lines = [_tidy(line) for line in _safe_str(e).splitlines()]
    first = next((line for line in lines if line), "")
    return e.__cause__ is not None or bool(_WRAPPER.match(first))


def _describe_exception(e: BaseException) -> str:
    """`ValueError: ... (line 3 of your code)`: one line, the innermost cause, the learner's own frame."""
    name, msg = innermost_cause(e)
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
    return f"{name}{': ' + msg if msg else ''}{where}"
