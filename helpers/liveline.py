"""One status line that training helpers update in place, so a long cell never sits silent.

    line = LiveLine("training", total=20)      # shows "training: epoch 0 of 20 ..." at once
    for epoch in range(20):
        ...
        line.update(epoch + 1, loss=0.123)      # "training: epoch 1 of 20 · loss 0.123 · 0.4 s"
    line.close()                                # the last state stays as the cell's record

In a notebook (JupyterLab, Colab) the line is one display output with a display id, replaced at
every update; in a terminal it is rewritten with a carriage return on stderr. Updates closer than
0.2 s apart are skipped, except the first and the last. nbval ignores the line: its text always
starts with "⏱" and tests/nbval_sanitize.cfg blanks such lines before comparing.
"""
from __future__ import annotations

import sys
import time

MARK = "⏱"


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ != "TerminalInteractiveShell"


class LiveLine:
    """A line "⏱ {label}: epoch k of n · loss x · t s", updated in place."""

    def __init__(self, label: str, total: int, unit: str = "epoch", min_interval: float = 0.2):
        self.label, self.total, self.unit, self.min_interval = label, total, unit, min_interval
        self.start = self._last = time.perf_counter()
        self._handle = None
        self._notebook = _in_notebook()
        self._text = ""
        self.update(0, force=True)

    def text(self, done: int, **metrics) -> str:
        parts = [f"{MARK} {self.label}: {self.unit} {done} of {self.total}"]
        parts += [f"{k.replace('_', ' ')} {v:.4g}" for k, v in metrics.items() if v is not None]
        parts.append(f"{time.perf_counter() - self.start:.1f} s")
        return " · ".join(parts)

    def update(self, done: int, force: bool = False, **metrics) -> None:
        now = time.perf_counter()
        if not force and done < self.total and now - self._last < self.min_interval:
            return
        self._last, self._text = now, self.text(done, **metrics)
        try:
            if self._notebook:
                from IPython.display import display
                bundle = {"text/plain": self._text}
                if self._handle is None:
                    self._handle = display(bundle, raw=True, display_id=True)
                else:
                    self._handle.update(bundle, raw=True)
            else:
                sys.stderr.write("\r" + self._text)
                sys.stderr.flush()
        except Exception:       # a status line must never break training
            pass

    def close(self) -> None:
        if not self._notebook:
            try:
                sys.stderr.write("\n")
            except Exception:
                pass
