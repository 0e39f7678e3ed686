"""Course-wide facts and the setup every notebook runs first.

The course repository's address lives here and nowhere else: ``tools/sync_notebooks.py``
stamps it into each notebook's setup cell and "Open in Colab" badge, and
``tests/test_structure.py`` fails when a notebook drifts from what this module says.
"""
from __future__ import annotations

import importlib.metadata
import os
import pathlib
import platform
import random

REPO = "rnn-hands-on/rnn-course"          # GitHub owner/name of the course
BRANCH = "main"                           # the default branch the badges point at
REPO_URL = f"https://github.com/{REPO}"
CLONE_DIR = "rnn-course"                  # folder the Colab bootstrap clones into
SEED = 0
SETUP_DONE = False                       # set by setup(): checks and quizzes say when it has not run

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
DATA = ROOT / "data"


# Every topic of the course that exists, in order: (number, file stem, one-line description).
# Each has notebooks/{number}_{stem}_pytorch.ipynb and ..._tensorflow.ipynb.
TOPICS = [
    ("01", "from_ffn_to_rnn", "From FFN to RNN: why order needs memory; the vanilla RNN cell from scratch"),
    ("02", "training_rnns", "Training RNNs: BPTT, vanishing and exploding gradients, clipping, truncated BPTT, padding and packing"),
    ("03", "lstm", "LSTM: gates and the cell state from scratch; the adding problem; gate heatmaps; forget-gate bias"),
    ("04", "gru", "GRU: the cell from scratch in each framework's layout and convention; the reset gate's place; LSTM vs GRU measured"),
    ("05", "bidirectional_and_stacked", "Bidirectional and stacked RNNs: both directions from scratch; which final state; padding; when the future helps; depth measured"),
    ("06", "sequence_tasks", "Sequence tasks: many-to-one, aligned tagging, generation with a temperature, an encoder-decoder; its bottleneck measured and attention as the fix"),
    ("07", "real_data", "Real data: Mauna Loa CO2 and 20,000 English words, offline; splits, normalisation, padding, early stopping; an RNN against naive, seasonal and n-gram baselines"),
    ("08", "limits_and_beyond", "Limits of RNNs and what came after: sequential cost, memory span and streaming measured; causal masks and positional encodings; every architecture of the course in one table"),
]
# Appendices: one notebook each, notebooks/{number}_{stem}.ipynb, importing both frameworks.
APPENDICES = [
    ("09", "one_model_two_frameworks", "Appendix, one notebook for both frameworks: one model, two frameworks; weights converted PyTorch <-> Keras (recurrent layers and cells, Linear, Embedding, Conv1d, attention; the rest refused), the same function"),
]
TABLE_START, TABLE_END = "<!-- notebook-table:start -->", "<!-- notebook-table:end -->"


def topic_notebooks() -> list[str]:
    """File names of every topic notebook, PyTorch before TensorFlow."""
    return [f"{num}_{stem}_{fw}.ipynb" for num, stem, _ in TOPICS for fw in ("pytorch", "tensorflow")]


def appendix_notebooks() -> list[str]:
    """File names of the appendix notebooks (one per appendix, both frameworks in it)."""
    return [f"{num}_{stem}.ipynb" for num, stem, _ in APPENDICES]


def notebook_table(prefix: str) -> str:
    """Markdown table of every topic with a local link and a Colab link for both frameworks.

    ``prefix`` is the path from the page holding the table to notebooks/ ("" or "notebooks/").
    """
    colab_icon = "[![Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
    start = "00_start_here.ipynb"
    rows = [TABLE_START, "| # | topic | PyTorch | TensorFlow |", "|---|---|---|---|",
            f"| 00 | Start here: how the course works, environment check, warm-up (framework-neutral) | "
            f"[open]({prefix}{start}) · {colab_icon}({colab_url('notebooks/' + start)}) | (same notebook) |"]
    for num, stem, blurb in TOPICS:
        cells = []
        for fw in ("pytorch", "tensorflow"):
            name = f"{num}_{stem}_{fw}.ipynb"
            cells.append(f"[open]({prefix}{name}) · {colab_icon}({colab_url('notebooks/' + name)})")
        rows.append(f"| {num} | {blurb} | {cells[0]} | {cells[1]} |")
    for num, stem, blurb in APPENDICES:
        name = f"{num}_{stem}.ipynb"
        rows.append(f"| {num} | {blurb} | [open]({prefix}{name}) · "
                    f"{colab_icon}({colab_url('notebooks/' + name)}) | (same notebook: it imports both) |")
    rows.append(TABLE_END)
    return "\n".join(rows)


def colab_url(notebook_path: str) -> str:
    """Colab address that opens ``notebook_path`` (relative to the repo root) from GitHub."""
    return f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/{notebook_path}"


def colab_badge(notebook_path: str) -> str:
    """Markdown for the "Open in Colab" badge of one notebook."""
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab_url(notebook_path)})")


# The markdown line right above the setup cell in every notebook (stamped by tools/sync_notebooks.py).
RUN_FIRST = ("▶️ **Run the setup cell below first** (Shift+Enter): it finds the course files and "
             "prepares the notebook; every check, quiz and experiment after it needs it.")

# The first code cell of every notebook, character for character.
# It must work before `helpers/` is importable (on Colab the course is not on disk yet),
# so it carries the clone address itself; the sync tool keeps that copy equal to REPO_URL.
SETUP_CELL = '''\
# Setup: the same cell opens every notebook (helpers/course.py keeps it in sync).
import os, sys, pathlib, subprocess, importlib.util
COURSE_REPO = "{repo_url}.git"
def _find_course():
    """The course folder: here, a parent of it, or (on Colab) a fresh clone in it."""
    here = pathlib.Path.cwd()
    for d in (here, *here.parents, here / "{clone_dir}"):
        if (d / "helpers" / "course.py").is_file():
            return d
    if (importlib.util.find_spec("google") is None
            or importlib.util.find_spec("google.colab") is None):
        raise SystemExit("Course files not found: "
                         "start Jupyter in the course folder or in notebooks/.")
    target = here / "{clone_dir}"
    url = os.environ.get("RNN_COURSE_REPO", COURSE_REPO)
    clone = ["git", "clone", "--quiet", "--depth", "1", url, str(target)]
    if subprocess.run(clone).returncode != 0:
        raise SystemExit(f"Could not fetch the course from {{url}}: "
                         "check the runtime's internet access.")
    return target
COURSE_ROOT = _find_course()
if str(COURSE_ROOT) not in sys.path:
    sys.path.insert(0, str(COURSE_ROOT))
from helpers.course import setup
setup()'''


def setup_cell_source() -> str:
    """The exact source of the setup cell, with the repository address filled in."""
    return SETUP_CELL.format(repo_url=REPO_URL, clone_dir=CLONE_DIR)


def _version(*dists: str) -> str | None:
    for dist in dists:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _gpu_names() -> list[str]:
    """NVIDIA GPUs the driver reports, read without importing a framework."""
    gpus = pathlib.Path("/proc/driver/nvidia/gpus")
    names = []
    if gpus.is_dir():
        for info in sorted(gpus.glob("*/information")):
            for line in info.read_text(errors="ignore").splitlines():
                if line.startswith("Model:"):
                    names.append(line.split(":", 1)[1].strip())
    return names


def quiet_framework_logs() -> None:
    """Keep TensorFlow's C++ log lines (oneDNN notice, CPU feature banner) out of cell outputs.

    Must run before TensorFlow is imported; environment variables are read at import time.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def seed_everything(seed: int = SEED) -> None:
    """Seed Python and NumPy; torch_utils / tf_utils seed their framework when imported."""
    import numpy as np

    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)


def environment_report() -> str:
    """One line per library: what this notebook runs on."""
    rows = [("Python", platform.python_version()),
            ("numpy", _version("numpy")),
            ("matplotlib", _version("matplotlib")),
            ("ipywidgets", _version("ipywidgets")),
            ("torch", _version("torch")),
            ("tensorflow", _version("tensorflow", "tensorflow-cpu")),
            ("keras", _version("keras"))]
    lines = [f"{name:<11} {ver or 'not installed'}" for name, ver in rows]
    gpus = _gpu_names()
    lines.append(f"{'GPU':<11} {', '.join(gpus) + ' (used when the framework sees it)' if gpus else 'none: everything runs on the CPU'}")
    return "\n".join(lines)


def setup(seed: int = SEED, report: bool = True) -> None:
    """Quiet logs, seed, set figure defaults and print the environment. Safe to run twice."""
    global SETUP_DONE
    SETUP_DONE = True
    quiet_framework_logs()
    seed_everything(seed)
    import matplotlib

    matplotlib.rcParams.update({"figure.dpi": 100, "figure.figsize": (6.4, 3.6),
                                "axes.grid": True, "grid.alpha": 0.3})
    from helpers import cell_order

    cell_order.install()             # a NameError from a cell run out of order: one line that says where
    if report:
        print(f"Course files found; seed {seed} for Python, NumPy and the framework.")
        print(environment_report())
