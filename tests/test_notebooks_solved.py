"""Every notebook, with each exercise cell replaced by the reference solution, reports every check correct
and writes nothing to stderr (framework log noise, warnings)."""
import os

import nbformat
import pytest
from nbclient import NotebookClient

from helpers.checks import solution
from notebook_support import NOTEBOOKS, ROOT, check_calls, exercise_cells, framework_of, read


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_reference_solutions_make_every_check_correct(path):
    nb, fw = read(path), framework_of(path)
    exercises = exercise_cells(nb)
    for i, eid in exercises:
        first_line = nb.cells[i].source.splitlines()[0]
        nb.cells[i].source = first_line + "\n" + solution(eid, fw)
    os.environ.setdefault("MPLBACKEND", "Agg")
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    noise = [o.text[:200] for c in nb.cells if c.cell_type == "code" for o in c.outputs
             if o.output_type == "stream" and o.name == "stderr"]
    assert not noise, f"log noise or warnings on stderr: {noise}"
    verdicts = []
    for i, _, _ in check_calls(nb):
        text = "".join(o.get("text", "") for o in nb.cells[i].outputs if o.output_type == "stream")
        verdicts += [line for line in text.splitlines() if line[:1] in "✅❌⏳"]
    assert len(verdicts) == len(check_calls(nb)) == len(exercises)
    assert all(v.startswith("✅ Correct!") for v in verdicts), verdicts
