"""Cells run out of order: a NameError for a name that another cell of this notebook defines is said
in one line that names that cell's section, instead of a traceback.

After a kernel restart, running a cell halfway down a notebook fails on the first name an earlier
cell defines (``np``, ``SEEDS``, a model). ``setup()`` (helpers/course.py) installs
:func:`explain_name_error` as IPython's handler for NameError. It finds the notebook this kernel
runs, the code cell that defines the missing name and the section heading above that cell, and
prints one line that says what to run. Any other NameError (a typo, a name no cell defines) keeps
Python's own traceback.

Which notebook: the path JupyterLab gives the kernel (``JPY_SESSION_NAME``), VS Code's
``__vsc_ipynb_file__``, or else the course notebook whose code cells match the most of the cells
this kernel has run (``In``).
"""
from __future__ import annotations

import ast
import json
import os
import pathlib
import re
from typing import Any

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
_HEADING = re.compile(r"^#{1,3}\s+(.+?)\s*$", re.MULTILINE)


def _bound_names(tree: ast.Module) -> set[str]:
    """Names a cell binds at its top level: assignments, for/with targets, defs, classes, imports."""
    names: set[str] = set()

    def targets(node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, (ast.Tuple, ast.List)):
            for elt in node.elts:
                targets(elt)
        elif isinstance(node, ast.Starred):
            targets(node.value)

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.Assign):
            for t in node.targets:
                targets(t)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets(node.target)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            targets(node.target)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    targets(item.optional_vars)
    return names


def _python(source: str) -> str:
    """A cell's source without IPython's magics and shell lines, which ast cannot parse."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def definitions(notebook: pathlib.Path) -> dict[str, dict]:
    """{name: {"cell": code cell number (1-based), "first_line": ..., "section": heading}} for the first
    code cell of ``notebook`` that binds each name."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found: dict[str, dict] = {}
    section, number = "the top of the notebook", 0
    for cell in cells:
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            headings = _HEADING.findall(source)
            if headings:
                section = headings[-1].strip()
            continue
        if cell.get("cell_type") != "code":
            continue
        number += 1
        try:
            tree = ast.parse(_python(source))
        except SyntaxError:
            continue
        first = next((line.strip() for line in source.splitlines()
                      if line.strip() and not line.strip().startswith("#")), "")
        for name in _bound_names(tree):
            found.setdefault(name, {"cell": number, "first_line": first, "section": section})
    return found


def _code_sources(notebook: pathlib.Path) -> set[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return {"".join(c.get("source", "")).strip() for c in cells if c.get("cell_type") == "code"}


def current_notebook(namespace: dict | None = None) -> pathlib.Path | None:
    """The course notebook this kernel runs, or None when it cannot tell."""
    for candidate in (os.environ.get("JPY_SESSION_NAME"), (namespace or {}).get("__vsc_ipynb_file__")):
        if candidate and str(candidate).endswith(".ipynb"):
            path = pathlib.Path(candidate)
            local = NOTEBOOKS / path.name
            if path.is_file():
                return path
            if local.is_file():
                return local
    history = (namespace or {}).get("In") or (namespace or {}).get("_ih") or []
    ran = {s.strip() for s in history if isinstance(s, str) and s.strip()}
    if not ran:
        return None
    best, best_hits = None, 0
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        try:
            hits = len(ran & _code_sources(notebook))
        except (OSError, ValueError):
            continue
        if hits > best_hits:
            best, best_hits = notebook, hits
    return best


def _missing_name(error: BaseException) -> str | None:
    name = getattr(error, "name", None)
    if isinstance(name, str):
        return name
    match = re.search(r"name '([^']+)' is not defined", str(error))
    return match.group(1) if match else None


def name_error_message(error: BaseException, namespace: dict | None = None) -> str | None:
    """The one line for a NameError whose name a cell of this notebook defines, else None."""
    name = _missing_name(error)
    notebook = current_notebook(namespace) if name else None
    if notebook is None:
        return None
    try:
        where = definitions(notebook).get(name)
    except (OSError, ValueError, KeyError):
        return None
    if where is None:
        return None
    first = where["first_line"]
    first = first if len(first) <= 50 else first[:47] + "..."
    return (f"⚠️ NameError: `{name}` is defined by a cell that has not run in this kernel yet: code cell "
            f"{where['cell']} of this notebook (it starts `{first}`), in the section “{where['section']}”. "
            f"Run the cells above this one (Run > Run All Above), then run this cell again.")


def explain_name_error(shell: Any, etype: type, evalue: BaseException, tb: Any, tb_offset: Any = None):
    """IPython custom exception handler (``shell.set_custom_exc((NameError,), ...)``)."""
    try:
        message = name_error_message(evalue, getattr(shell, "user_ns", None))
    except Exception:
        message = None
    if message is None:
        return shell.showtraceback((etype, evalue, tb), tb_offset=tb_offset)
    import textwrap

    print(textwrap.fill(message, width=100, break_on_hyphens=False, break_long_words=False))
    return None


def install() -> bool:
    """Use explain_name_error for NameErrors in this IPython kernel; False outside IPython."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None:
            return False
        shell.set_custom_exc((NameError,), explain_name_error)
        return True
    except Exception:
        return False
