"""Static checks that every notebook runs on Colab as it is: nothing to install, nothing to download,
no file found through the working directory (Colab runs notebooks in /content, not in notebooks/).

* every imported top-level module is in the standard library or in what Colab ships and the course
  uses (numpy, torch, tensorflow, keras, matplotlib, ipywidgets, IPython) or is ``helpers``;
* no ``!pip`` / ``%pip`` / ``%conda`` / ``apt`` installs, in any form;
* no file read through a path literal (``open("...")``, ``np.load("...")``, ``Path("data/...")``, ...):
  course files are reached through ``helpers`` or ``COURSE_ROOT``;
* nothing fetched from the network at run time (urllib, requests, ``get_file``, ``load_data``, URLs in calls).

The canonical setup cell (``helpers.course.setup_cell_source()``) is exempt: cloning the course is its job.
``test_scanner_catches_*`` proves each rule fires on a bad cell.
"""
from __future__ import annotations

import ast
import json
import pathlib
import re
import sys

import pytest
from IPython.core.inputtransformer2 import TransformerManager

from helpers.course import setup_cell_source

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# helpers/grade.py, the instructor's grader (python -m helpers.grade), runs from a checkout
# with requirements.txt, never in a notebook: it may use nbclient and nbformat.
HELPERS = sorted(p for p in (ROOT / "helpers").rglob("*.py") if p.name != "grade.py")
SETUP = setup_cell_source()

COLAB_SHIPS = {"numpy", "torch", "tensorflow", "keras", "matplotlib", "ipywidgets", "IPython",
               "triton"}     # with torch's CUDA build; helpers/__init__.py imports it only where installed
ALLOWED = set(sys.stdlib_module_names) | COLAB_SHIPS | {"helpers"}
NETWORK_MODULES = {"urllib.request", "urllib3", "requests", "httpx", "aiohttp", "http.client", "ftplib",
                   "socket", "wget", "smtplib"}
NETWORK_CALLS = {"get_file", "load_data", "urlopen", "urlretrieve", "from_pretrained", "download_url",
                 "hf_hub_download", "snapshot_download"}
READERS = {"open", "load", "loadtxt", "genfromtxt", "fromfile", "imread", "load_model", "load_weights",
           "read_file", "TextLineDataset", "listdir", "scandir", "glob", "iglob", "Path", "PurePath",
           "read_csv", "read_json", "read_parquet", "read_table", "read_excel", "read_pickle"}
INSTALL = re.compile(r"^\s*[!%]{1,2}\s*(pip3?|conda|mamba|micromamba|apt|apt-get|uv)\b"
                     r"|\b(pip3?|conda|mamba|apt-get|apt|uv)\s+(pip\s+)?install\b", re.MULTILINE)
COURSE_PATH = re.compile(r"^(\.{1,2}/)*(data|notebooks|helpers|tests|tools)(/|$)")
URL = re.compile(r"^(https?|ftp)://")
HARMLESS_URL_CALLS = {"print", "display", "Markdown", "HTML", "Image", "IFrame", "FileLink"}


# --------------------------------------------------------------------------- scanning
def code_cells(path: pathlib.Path) -> list[tuple[int, str]]:
    """(cell number, source) of each code cell except the canonical setup cell."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(i, "".join(c["source"])) for i, c in enumerate(nb["cells"])
            if c["cell_type"] == "code" and "".join(c["source"]) != SETUP]


def _python(source: str) -> ast.Module:
    """The cell as Python: IPython magics become get_ipython() calls first."""
    return ast.parse(TransformerManager().transform_cell(source))


def _name(func: ast.AST) -> str:
    """Dotted name of a call target: np.load -> 'np.load', open -> 'open', x.y().z -> 'z'."""
    parts = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


def _literal_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):                       # f"data/{name}.npz"
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, full module name) for every absolute import, including importlib.import_module("x")."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Call) and _name(node.func).split(".")[-1] in ("import_module", "__import__"):
            mod = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
            if isinstance(mod, str) and not mod.startswith("."):
                found.append((node.lineno, mod))
    return found


def problems_in(source: str) -> dict[str, list[str]]:
    """Every rule's findings for one cell (or module) of source code."""
    out = {"import": [], "install": [], "path": [], "network": []}
    try:
        tree = _python(source)
    except SyntaxError as e:
        out["import"].append(f"line {e.lineno}: not valid Python ({e.msg})")
        return out
    for line, mod in imported_modules(tree):
        top = mod.split(".")[0]
        if top not in ALLOWED and not mod.startswith(tuple(f"{m}." for m in ALLOWED)):
            out["import"].append(f"line {line}: imports {mod!r}, which Colab does not ship")
        if mod in NETWORK_MODULES or top in NETWORK_MODULES:
            out["network"].append(f"line {line}: imports {mod!r} (network access)")

    for m in INSTALL.finditer(source):
        out["install"].append(f"line {source[:m.start()].count(chr(10)) + 1}: installs packages: {m.group(0).strip()!r}")
    for node in ast.walk(tree):                     # get_ipython().run_line_magic('pip', ...) and friends
        if isinstance(node, ast.Call) and _name(node.func).endswith(("run_line_magic", "run_cell_magic", "system")):
            arg = _literal_str(node.args[0]) if node.args else None
            if arg and arg.split()[0] in ("pip", "pip3", "conda", "mamba", "apt", "apt-get", "uv"):
                out["install"].append(f"line {node.lineno}: installs packages with {arg.split()[0]}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            last = name.split(".")[-1]
            first = _literal_str(node.args[0]) if node.args else None
            if last in READERS and first is not None and not URL.match(first):
                out["path"].append(f"line {node.lineno}: {name}({first!r}) reads a path relative to the "
                                   "working directory; use helpers or COURSE_ROOT / ...")
            if last in NETWORK_CALLS:
                out["network"].append(f"line {node.lineno}: {name}(...) downloads at run time")
            if any(k.arg == "download" and isinstance(k.value, ast.Constant) and k.value.value is True
                   for k in node.keywords):
                out["network"].append(f"line {node.lineno}: {name}(..., download=True)")
            if last not in HARMLESS_URL_CALLS:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    s = _literal_str(arg)
                    if s and URL.match(s):
                        out["network"].append(f"line {node.lineno}: {name}({s!r}) uses a URL at run time")
        s = _literal_str(node) if isinstance(node, (ast.Constant, ast.JoinedStr)) else None
        if s and COURSE_PATH.match(s) and "/" in s:
            out["path"].append(f"line {getattr(node, 'lineno', '?')}: {s!r} looks like a path inside the course "
                               "taken relative to the working directory; use COURSE_ROOT / ...")
    for key in out:
        out[key] = sorted(set(out[key]))
    return out


def notebook_problems(path: pathlib.Path, rule: str) -> list[str]:
    return [f"cell {i}, {p}" for i, src in code_cells(path) for p in problems_in(src)[rule]]


# --------------------------------------------------------------------------- the notebooks
def test_notebooks_found():
    assert any(p.name == "00_start_here.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
@pytest.mark.parametrize("rule", ["import", "install", "path", "network"])
def test_notebook_is_colab_ready(notebook, rule):
    problems = notebook_problems(notebook, rule)
    assert not problems, f"{notebook.name} would not run on Colab as it is:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("module", HELPERS, ids=[str(p.relative_to(ROOT)) for p in HELPERS])
def test_helpers_import_only_what_colab_ships(module):
    """Notebooks import helpers on Colab too: the same import and no-download rules hold for them."""
    found = problems_in(module.read_text(encoding="utf-8"))
    problems = found["import"] + found["install"] + found["network"]
    assert not problems, f"{module.relative_to(ROOT)}:\n  " + "\n  ".join(problems)


def test_setup_cell_is_the_only_exempt_cell():
    """Every notebook has exactly one canonical setup cell (the only code allowed to clone and use a URL)."""
    for nb in NOTEBOOKS:
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        assert sum("".join(c["source"]) == SETUP for c in cells if c["cell_type"] == "code") == 1, nb.name


# --------------------------------------------------------------------------- the rules are real
@pytest.mark.parametrize("rule, source", [
    ("import", "import pandas as pd"),
    ("import", "from sklearn.model_selection import train_test_split"),
    ("import", "import torchtext"),
    ("import", "import importlib\ntorchvision = importlib.import_module('torchvision')"),
    ("install", "!pip install torchtext"),
    ("install", "%pip install -q datasets"),
    ("install", "import subprocess\nsubprocess.run('pip install x', shell=True)"),
    ("install", "!apt-get install -y graphviz"),
    ("path", "text = open('data/names.txt').read()"),
    ("path", "X = np.load('../data/x.npy')"),
    ("path", "df = pd.read_csv(f'data/{name}.csv')"),
    ("path", "p = Path('data') / 'quizzes'"),
    ("path", "bank = COURSE_ROOT / '../data/quizzes/01.json'"),
    ("network", "import urllib.request\nurllib.request.urlretrieve(u, 'x.zip')"),
    ("network", "import requests"),
    ("network", "(x, y), _ = keras.datasets.imdb.load_data()"),
    ("network", "path = keras.utils.get_file('x.zip', origin)"),
    ("network", "ds = Dataset(root, download=True)"),
    ("network", "raw = fetch('https://example.com/data.csv')"),
])
def test_scanner_catches_bad_cells(rule, source):
    assert problems_in(source)[rule], f"the {rule!r} rule missed: {source}"


@pytest.mark.parametrize("source", [
    "import numpy as np\nimport torch\nfrom torch import nn\nimport os, json, math",
    "from helpers import torch_utils as fw\nfrom helpers import data, plots",
    "import tensorflow as tf\nimport keras\nfrom keras import layers",
    "from IPython.display import display, Markdown\nimport ipywidgets as w\nimport matplotlib.pyplot as plt",
    "bank = COURSE_ROOT / 'data' / 'quizzes'\nfig.savefig(out)",
    "print('More: https://pytorch.org/docs')",
    "%matplotlib inline\nx = 1",
])
def test_scanner_accepts_good_cells(source):
    found = problems_in(source)
    assert not any(found.values()), found
