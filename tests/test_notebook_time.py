"""No silent waits: a code cell that takes more than about 5 s on a 2-core laptop (2.5 s where the
notebooks are executed, about twice as fast) shows a progress line first, a line that starts with
"⏱" (helpers/liveline.py, or a print before the slow work), so a learner never waits in silence.

The run time of each cell is stored in its metadata (``run_seconds``) by
``python tools/sync_notebooks.py --execute``.
"""
import json
import pathlib

import pytest

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
SLOW_S = 2.5                 # here; about 5 s on a 2-core laptop
MARK = "⏱"


def _first_text(cell) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            return "".join(out.get("text", ""))
        if out.get("output_type") in ("display_data", "execute_result"):
            return "".join(out.get("data", {}).get("text/plain", ""))
    return ""


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_slow_cell_shows_a_progress_line_first(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    timed = [c for c in code if "run_seconds" in c.get("metadata", {})]
    assert timed or not code, f"{notebook.name}: no run times stored: run tools/sync_notebooks.py --execute"
    silent = [(i, c["metadata"]["run_seconds"], "".join(c["source"]).splitlines()[0][:60])
              for i, c in enumerate(cells)
              if c["metadata"].get("run_seconds", 0) > SLOW_S and not _first_text(c).lstrip().startswith(MARK)]
    assert not silent, f"{notebook.name}: slow cells without a progress line first (cell, s, first line): {silent}"
