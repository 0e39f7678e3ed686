"""A sentence that interprets a result must be true of the numbers stored in its own notebook.

The check that a machine can make: every measured-looking number that a markdown cell quotes
(a decimal such as 0.158 or x4.9, or scientific notation such as 5.6e-18) appears in that same
notebook, either in a stored output (a measurement) or in a code cell (a setting such as
rho = 1.5 or lr 0.1). A number copied from the twin, or left behind after a re-run changed the
outputs, appears in neither and fails here. Numbers inside LaTeX ($...$), inline code and links
are formulas and names, not results, and are not checked.
"""
import json
import re

import pytest

from notebook_support import NOTEBOOKS

NUMBER = re.compile(r"(?<![\d.\-a-wyzA-Z_])(\d+\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?!\w|\.\d)")
NOT_PROSE = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|\]\([^)]*\)|https?://\S+|<[^>]+>", re.DOTALL)


def _text(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _outputs(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            parts.append(_text({"source": out["text"]}))
        for kind in ("text/plain", "text/markdown", "text/html"):
            if kind in out.get("data", {}):
                parts.append(_text({"source": out["data"][kind]}))
    return "\n".join(parts)


def quoted_numbers(markdown: str) -> list[str]:
    """Decimal and scientific numbers in the prose of a markdown cell (not in math, code or links)."""
    return NUMBER.findall(NOT_PROSE.sub(" ", markdown))


def unsupported_numbers(nb: dict) -> list[str]:
    """'cell k: number' for each quoted number that appears nowhere in the notebook's code or outputs."""
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    haystack = "\n".join(_text(c) + "\n" + _outputs(c) for c in code)
    missing = []
    for k, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        for number in quoted_numbers(_text(cell)):
            if not re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", haystack):
                missing.append(f"cell {k}: {number}")
    return missing


def test_the_rule_catches_a_copied_number():
    nb = {"cells": [{"cell_type": "code", "source": "print(mse)", "outputs": [
                        {"output_type": "stream", "name": "stdout", "text": "final MSE 0.0716\n"}]},
                    {"cell_type": "markdown", "source": "It ends at 0.0716, near the RNN's 0.155."},
                    {"cell_type": "markdown", "source": "With $\\sigma(0) = 0.5$ and `lr=0.3`, see [x](a/1.5)."}]}
    assert unsupported_numbers(nb) == ["cell 1: 0.155"]
    assert quoted_numbers("ratio x4.9, then 5.6e-18 and 1e-6; version 2.13.0 is a name") == ["4.9", "5.6e-18", "1e-6"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_numbers_quoted_in_markdown_come_from_the_same_notebook(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    missing = unsupported_numbers(nb)
    assert not missing, (f"{path.name} quotes numbers that none of its own outputs or code contain "
                         f"(copied from the twin, or stale after a re-run?): {missing}")
