"""Notebook introspection: has the setup cell run, and did the newest cell defining a
function run (or stop at a SyntaxError, leaving the previous definition in the namespace)?"""
from __future__ import annotations

import __future__
import ast
import re
import warnings
from typing import Any

def setup_note() -> str | None:
    """One line when this runs in a notebook kernel where the setup cell has not run, else None."""
    try:
        from IPython import get_ipython

        if get_ipython() is None:
            return None
        from helpers import course

        if getattr(course, "SETUP_DONE", True):
            return None
    except Exception:
        return None
    return "⚠️ The setup cell at the top has not run in this kernel yet: run it first."


# ---- a definition that did not run ------------------------------------------------------
_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag
del _feature


def _compile_flags() -> int:
    """The flags a notebook cell is compiled with: top-level await, and the shell's __future__ imports."""
    flags = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)
    try:
        from IPython import get_ipython

        shell = get_ipython()
        flags |= getattr(getattr(shell, "compile", None), "flags", 0) & _FUTURE_FLAGS
    except Exception:
        pass
    return flags


def _functions_named(code: Any, name: str) -> list:
    """Every code object called ``name`` inside a compiled cell (nested ones included)."""
    found, todo = [], [code]
    while todo:
        c = todo.pop()
        for const in c.co_consts:
            if isinstance(const, type(code)):
                if const.co_name == name:
                    found.append(const)
                todo.append(const)
    return found


# Cell magics that run their cell as Python in the notebook's namespace (%%time, %%capture, ...).
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "memit"}


def _python_source(source: str) -> str | None:
    """The Python a history entry ran: the cell itself, or the body of a Python cell magic.

    IPython keeps a ``%%time`` cell in its history as ``get_ipython().run_cell_magic('time', '',
    'body')``: the body, a string there, is what defined the learner's function. Other cell magics
    (``%%bash``, ``%%writefile``) define nothing: None.
    """
    raw = source.lstrip()
    if raw.startswith("%%"):                                 # a raw, untransformed cell
        first, _, body = raw.partition("\n")
        return body if first[2:].split()[0:1] and first[2:].split()[0] in _PYTHON_CELL_MAGICS else None
    if "run_cell_magic" not in source:
        return source
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Call):
        call = tree.body[0].value
        if isinstance(call.func, ast.Attribute) and call.func.attr == "run_cell_magic" and len(call.args) == 3 \
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args):
            magic, body = call.args[0].value, call.args[2].value
            return body if magic in _PYTHON_CELL_MAGICS else None
    return source


def _defining_cells(name: str, namespace: dict) -> list[str]:
    """The Python of IPython's input history (``_ih`` / ``In``) with a ``def name(`` line, newest first
    (the body of a ``%%time`` or ``%%capture`` cell counts as its Python)."""
    cells = namespace.get("_ih", namespace.get("In")) if isinstance(namespace, dict) else None
    if not isinstance(cells, list) or not isinstance(name, str):
        return []
    defines = re.compile(rf"^[ \t]*(?:async[ \t]+)?def[ \t]+{re.escape(name)}[ \t]*\(", re.MULTILINE)
    sources = (_python_source(source) for source in reversed(cells) if isinstance(source, str))
    return [source for source in sources if source is not None and defines.search(source)]


def changed_since_run(name: str, fn: Any, namespace: dict) -> bool:
    """True when the newest notebook cell that defines ``name`` did not produce ``fn``.

    IPython keeps every cell it ran in ``In`` / ``_ih``, including one that stopped at a SyntaxError
    (or at an error above the ``def``): then ``fn`` is the previous definition, and grading it would
    grade the learner's old code. True when that newest defining cell does not compile, or when it
    compiles but ``fn`` is the function of an older cell. Anything else (no ``In`` outside IPython,
    ``fn`` defined elsewhere, code the check cannot match) is False: grade it.
    """
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    flags = _compile_flags()
    newest = True                             # looking at the newest defining cell
    for source in _defining_cells(name, namespace):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compiled = compile(source, "<cell>", "exec", flags, dont_inherit=True)
        except (SyntaxError, ValueError, OverflowError, RecursionError):
            if newest:
                return True                   # the learner's latest version never ran
            continue
        except Exception:
            return False
        functions = _functions_named(compiled, name)
        if not functions:
            continue                          # `def name(` inside a string: not a definition
        if any(f == code for f in functions):     # equal code, whatever file name it was compiled under
            return not newest
        newest = False
    return False


