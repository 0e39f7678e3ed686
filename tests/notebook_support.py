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
