"""Widgets that read well before they run, and the hint/solution box under a check."""
from __future__ import annotations

import html
from typing import Any

from .registry import _get, solution
from .model import normalise_framework

HELP_FALLBACK = ("Hints and solution: run this cell to use the buttons. "
                 "If the buttons do nothing, run this cell again.")


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



class HelpBox:
    """Two buttons under a check: reveal the next hint, show (or hide again) the full solution.

    The hints revealed so far stay; the solution appears below them. A hint the verdict above already
    gave word for word (``verdict``) is skipped: the button reveals the next one. Everything goes into
    one HTML widget's value (``text``, not an Output capture), so it works with ipywidgets 7 and 8 and
    is testable without a browser.
    """

    def __init__(self, exercise_id: str, framework: str = "numpy", verdict: str = ""):
        import ipywidgets as w

        self.exercise = _get(exercise_id)
        self.framework = normalise_framework(framework) or "numpy"
        n = len(self.exercise.hints)
        said = {i for i in range(n) if verdict and self.exercise.hint(i, self.framework) in verdict}
        self.order = [i for i in range(n) if i not in said]     # the hints the button reveals, in order
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
        if self.shown >= len(self.order):
            return "All hints shown"
        return f"Show hint {self.order[self.shown] + 1} of {len(self.exercise.hints)}"

    def _render(self) -> None:
        parts = [f"<p><b>Hint {i + 1}.</b> {html.escape(self.exercise.hint(i, self.framework))}</p>"
                 for i in self.order[:self.shown]]
        if self.solution_shown:
            code = html.escape(solution(self.exercise.id, self.framework))
            parts.append("<p><b>One solution</b> (try the hints first; copy it into the cell above "
                         "if you want to move on):</p><pre style='background:#f5f5f5;padding:6px'>"
                         f"{code}</pre>")
        self.text.value = "".join(parts)

    def next_hint(self) -> None:
        n = len(self.order)
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
