"""Cells run out of order: one line that says which section defines the missing name
(helpers/cell_order.py), and constants that several sections use live in the import cell."""
import ast
import json
import pathlib
import re

import pytest

from helpers import cell_order

NOTEBOOKS = sorted(cell_order.NOTEBOOKS.glob("*.ipynb"))
SECTION = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)


def _cells(notebook):
    return json.loads(notebook.read_text(encoding="utf-8"))["cells"]


def _code(notebook):
    return ["".join(c["source"]) for c in _cells(notebook) if c["cell_type"] == "code"]


def test_the_defining_cell_and_its_section_are_found():
    nb = cell_order.NOTEBOOKS / "06_sequence_tasks_tensorflow.ipynb"
    found = cell_order.definitions(nb)
    assert found["np"]["cell"] <= 2                        # the import cell
    code = _code(nb)
    for name in ("tf", "quiz"):
        where = found[name]
        assert name in code[where["cell"] - 1], (name, where)


def test_the_notebook_is_recognised_from_the_cells_the_kernel_ran(monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    nb = cell_order.NOTEBOOKS / "05_bidirectional_and_stacked_pytorch.ipynb"
    ran = ["", *_code(nb)[:3], "x = 1"]
    assert cell_order.current_notebook({"In": ran}) == nb
    assert cell_order.current_notebook({"In": ["print('hi')"]}) is None
    monkeypatch.setenv("JPY_SESSION_NAME", "/somewhere/else/" + nb.name)     # JupyterLab's copy
    assert cell_order.current_notebook({}) == nb


def test_a_name_error_for_a_later_cell_names_its_section(monkeypatch):
    nb = cell_order.NOTEBOOKS / "06_sequence_tasks_pytorch.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(nb))
    found = cell_order.definitions(nb)
    name = next(n for n, w in found.items() if w["cell"] > 5 and not n.startswith("_"))
    message = cell_order.name_error_message(NameError(f"name '{name}' is not defined", name=name))
    assert f"`{name}`" in message and found[name]["section"] in message and "Run All Above" in message
    assert "\n" not in message
    assert cell_order.name_error_message(NameError("name 'no_such_thing' is not defined")) is None


def test_the_handler_prints_one_line_or_falls_back_to_the_traceback(monkeypatch, capsys):
    nb = cell_order.NOTEBOOKS / "06_sequence_tasks_pytorch.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(nb))
    shown = []

    class Shell:
        user_ns = {}

        def showtraceback(self, exc_tuple, tb_offset=None):
            shown.append(exc_tuple)

    cell_order.explain_name_error(Shell(), NameError, NameError("name 'np' is not defined", name="np"), None)
    assert "NameError: `np`" in capsys.readouterr().out and not shown
    cell_order.explain_name_error(Shell(), NameError, NameError("name 'typo' is not defined", name="typo"), None)
    assert shown and capsys.readouterr().out == ""


def _constants(tree):
    """Names a cell assigns a literal value (a number, a string, a tuple of them): constants."""
    out = set()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            try:
                ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                continue
            out.update(t.id for t in node.targets if isinstance(t, ast.Name) and t.id.isupper())
    return out


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_constants_used_in_several_sections_live_in_the_import_cell(notebook):
    """A section must not depend on a later or earlier section through a constant (SEEDS, LENGTHS):
    run out of order, it would fail on a name it never mentions defining."""
    defined, used, section, number = {}, {}, "top", 0
    for cell in _cells(notebook):
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            section = (SECTION.findall(source) or [section])[-1]
            continue
        if cell["cell_type"] != "code":
            continue
        number += 1
        try:
            tree = ast.parse(cell_order._python(source))
        except SyntaxError:
            continue
        for name in _constants(tree):
            defined.setdefault(name, (number, section))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                used.setdefault(node.id, set()).add(section)
    late = {name: where for name, where in defined.items()
            if where[0] > 2 and len(used.get(name, ())) >= 2}     # cells 1-2: setup and imports
    assert not late, f"constants used in several sections but defined later than the import cell: {late}"
