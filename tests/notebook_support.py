"""Reading notebooks for the tests: frameworks, headings, exercise and check cells."""
import pathlib
import re

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXERCISE_MARK = re.compile(r"^# ✏️ EXERCISE (\w+)")
CHECK_CALL = re.compile(r"""^check\(\s*["'](\w+)["']\s*(?:,\s*["'](\w+)["'])?\s*\)""", re.MULTILINE)
FRAMEWORK_WORDS = re.compile(r"\b(PyTorch|TensorFlow|Keras)\b", re.IGNORECASE)


def framework_of(path: pathlib.Path) -> str:
    if path.stem.endswith("_pytorch"):
        return "torch"
    if path.stem.endswith("_tensorflow"):
        return "tensorflow"
    return "numpy"


def read(path: pathlib.Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def headings(nb) -> list[str]:
    """Markdown headings (#, ##, ###) with the framework's name replaced by FW."""
    return [FRAMEWORK_WORDS.sub("FW", line.strip()) for c in nb.cells if c.cell_type == "markdown"
            for line in c.source.splitlines() if re.match(r"^#{1,3} ", line.strip())]


def exercise_cells(nb) -> list[tuple[int, str]]:
    return [(i, m.group(1)) for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and (m := EXERCISE_MARK.match(c.source))]


def check_calls(nb) -> list[tuple[int, str, str | None]]:
    """(cell index, exercise id, framework or None) for every ``check("id", "framework")`` call."""
    return [(i, m.group(1), m.group(2)) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for m in CHECK_CALL.finditer(c.source)]


def cell_output(notebook: str, marker: str) -> str:
    """The stored text output of the one code cell of notebooks/<notebook> whose source has marker."""
    nb = read(ROOT / "notebooks" / notebook)
    cells = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    assert len(cells) == 1, marker
    return "".join(o.get("text", "") for o in cells[0].outputs)


def check_live_row(text: str, stored: list[dict], lr: float, seeds, ratio: float,
                   threshold: float = 0.05) -> None:
    """A notebook's live run of one stored sweep row, printed as 'learning rate {lr}, seed 0'
    then 'live: ...' and 'stored: ...' (validation MSE per epoch), against ``stored`` (the
    sweep's runs of that model at that rate, one per seed, as ``gru04.read`` returns them):
    the notebook read its row; the live run crosses ``threshold`` within an epoch of the stored
    seed 0 and ends within ``ratio`` of the stored seeds' range at the same epoch."""
    import pytest

    from helpers import gru04

    live = [float(v) for v in re.search(r"^live:\s+([\d.e+\- ]+)", text, re.M)[1].split()]
    shown = [float(v) for v in re.search(r"^stored:\s+([\d.e+\- ]+)", text, re.M)[1].split()]
    assert re.search(rf"learning rate {lr:.0e}, seed 0", text), text
    assert sorted(r["seed"] for r in stored) == list(seeds)
    seed0 = next(r for r in stored if r["seed"] == 0)
    E = len(live)
    assert shown == pytest.approx(seed0["val"][:E], rel=1e-2)       # the notebook read its row
    first_live = gru04.first_reaching(live, "mse", threshold)
    first_stored = gru04.first_reaching(seed0["val"][:E], "mse", threshold)
    assert first_live is not None and first_stored is not None
    assert abs(first_live - first_stored) <= 1
    last = [r["val"][E - 1] for r in stored]
    assert min(last) / ratio <= live[-1] <= ratio * max(last)
