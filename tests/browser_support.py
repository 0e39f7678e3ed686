"""Helpers for tests/test_browser.py: a private JupyterLab server, Chromium, and notebook facts.

Nothing here touches the course's notebooks on disk: the browser opens copies placed in
``_browser_test_tmp/`` (``_browser_test_tmp_gw0/`` ... under pytest-xdist) at the repository root (git-ignored, outside pytest's testpaths),
and that folder is deleted when the server stops.
"""
from __future__ import annotations

import ast
import html
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
# Served copies live in ROOT / TMP_NAME (git-ignored); one folder per pytest-xdist worker, since each
# worker that runs browser tests starts its own JupyterLab and removes its folder when done.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
TMP_NAME = "_browser_test_tmp" + (f"_{WORKER}" if WORKER else "")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Environment variables our conftest or a developer shell may set that a learner's kernel would not
# have: the browser must see the notebooks exactly as a learner's JupyterLab runs them.
_NOT_FOR_THE_KERNEL = ("MPLBACKEND", "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "KERAS_BACKEND",
                       "PYTHONPATH", "PYTHONHASHSEED", "JUPYTER_TOKEN")


def course_notebooks() -> list[pathlib.Path]:
    """00_start_here.ipynb and every topic notebook that exists, in order."""
    return sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb") if p.is_file())


def require_chromium() -> None:
    """Skip when Chromium or Playwright is missing; fail instead under CI (CI never skips silently)."""
    problem = None
    if not os.path.exists(CHROMIUM):
        problem = "Chromium not installed: apt-get install chromium"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "Playwright not installed: pip install playwright"
    if problem:
        if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
            pytest.fail(f"{problem} (CI is set, so the browser suite must run)", pytrace=False)
        pytest.skip(problem)


# --------------------------------------------------------------------------- JupyterLab server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# User settings that keep the test deterministic and offline: no autosave, no news, no update
# check, every cell rendered in the DOM (no virtual scrolling), no extension-manager queries.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
}


class JupyterLab:
    """One JupyterLab server on 127.0.0.1, serving the course root, with a random token."""

    def __init__(self) -> None:
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.scratch = pathlib.Path(tempfile.mkdtemp(prefix="rnn-course-lab-"))
        self.copies = ROOT / TMP_NAME
        self.proc: subprocess.Popen | None = None
        self.log = self.scratch / "server.log"

    # lifecycle -------------------------------------------------------------------------
    def start(self, timeout: float = 120) -> "JupyterLab":
        shutil.rmtree(self.copies, ignore_errors=True)
        self.copies.mkdir()
        settings = self.scratch / "settings"
        for plugin, values in LAB_SETTINGS.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = {k: v for k, v in os.environ.items() if k not in _NOT_FOR_THE_KERNEL}
        env.update(RNN_COURSE_PROGRESS=str(self.scratch / "progress.json"),   # this server's learner only
                   JUPYTER_CONFIG_DIR=str(self.scratch / "config"),
                   JUPYTER_RUNTIME_DIR=str(self.scratch / "runtime"),
                   IPYTHONDIR=str(self.scratch / "ipython"))
        cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
               "--ServerApp.allow_root=True", f"--ServerApp.token={self.token}",
               f"--ServerApp.root_dir={ROOT}", "--ServerApp.ip=127.0.0.1", f"--port={self.port}",
               "--ServerApp.port_retries=0", "--ServerApp.open_browser=False",
               "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly",
               "--LabApp.expose_app_in_browser=True",
               f"--LabApp.user_settings_dir={settings}",
               f"--LabApp.workspaces_dir={self.scratch / 'workspaces'}",
               "--ServerApp.log_level=WARN"]
        self._log_file = open(self.log, "wb")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status")
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Shut every kernel down, then the server; remove the copies and scratch folders."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                for kernel in self.api("GET", "/api/kernels"):
                    self.api("DELETE", f"/api/kernels/{kernel['id']}")
                self.api("POST", "/api/shutdown")
                self.proc.wait(timeout=20)
            except Exception:
                pass
            if self.proc.poll() is None:          # only the server's own process group, by id
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(timeout=10)
        if getattr(self, "_log_file", None):
            self._log_file.close()
        shutil.rmtree(self.copies, ignore_errors=True)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    # REST -------------------------------------------------------------------------------
    def api(self, method: str, path: str):
        req = urllib.request.Request(self.base + path, method=method,
                                     headers={"Authorization": f"token {self.token}"},
                                     data=b"" if method in ("POST",) else None)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def shutdown_kernels_of(self, rel_path: str) -> None:
        """Shut down the session (and kernel) of one notebook, to free memory between notebooks."""
        for s in self.api("GET", "/api/sessions"):
            if s.get("path") == rel_path:
                self.api("DELETE", f"/api/sessions/{s['id']}")

    # notebooks --------------------------------------------------------------------------
    def add_copy(self, notebook: pathlib.Path) -> str:
        """Copy a notebook into the served temp folder with outputs cleared; its path relative to ROOT.

        Clearing outputs and execution counts makes "every cell has a count" prove this run,
        not the outputs stored in the file.
        """
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                cell["outputs"], cell["execution_count"] = [], None
        nb.get("metadata", {}).pop("widgets", None)
        (self.copies / notebook.name).write_text(json.dumps(nb, indent=1), encoding="utf-8")
        return f"{TMP_NAME}/{notebook.name}"

    def notebook_url(self, rel_path: str, workspace: str) -> str:
        return f"{self.base}/lab/workspaces/{workspace}/tree/{rel_path}?reset&token={self.token}"


# --------------------------------------------------------------------------- notebook facts
def code_cells(notebook: pathlib.Path) -> list[tuple[int, str]]:
    """(index among ALL cells, source) of every code cell."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return [(i, "".join(c["source"])) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"]


def _calls(source: str, name: str) -> list[ast.Call]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)
            and (getattr(n.func, "id", None) == name or getattr(n.func, "attr", None) == name)]


def _literal_args(call: ast.Call) -> tuple[list, dict]:
    args = [ast.literal_eval(a) for a in call.args]
    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
    return args, kwargs


def quizzes(notebook: pathlib.Path) -> list[dict]:
    """Every ``quiz(topic, part, framework=...)`` call in order: its cell index and arguments."""
    found = []
    for index, src in code_cells(notebook):
        for call in _calls(src, "quiz"):
            args, kwargs = _literal_args(call)
            spec = dict(zip(("topic", "part", "framework"), args)) | kwargs
            spec.setdefault("framework", None)
            found.append({"cell": index, **spec})
    return found


def first_check(notebook: pathlib.Path) -> dict | None:
    """The first ``check("<exercise id>", fn, framework)`` call: its cell index and exercise id."""
    for index, src in code_cells(notebook):
        for call in _calls(src, "check"):
            if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
                return {"cell": index, "exercise": call.args[0].value}
    return None


def quiz_questions(topic: str, part: str, framework: str | None) -> list[dict]:
    """The questions the widget shows, in order (same filter as helpers.quiz.Quiz)."""
    from helpers.quiz import load_bank

    qs = load_bank(topic)["parts"][part]["questions"]
    return [q for q in qs if framework is None or framework in q.get("frameworks", [framework])]


def shown_options(q: dict) -> list[tuple[int, dict]]:
    """(bank index, option) of a single- or multiple-choice question in the order the widget shows
    them: the widget's own fixed shuffle, helpers.quiz.question_order."""
    from helpers.quiz import question_order

    return [(i, q["options"][i]) for i in question_order(q)]


def plain(text: str) -> str:
    """HTML from a bank as the text a learner reads: tags dropped, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def readable_prefix(text: str, n: int = 50) -> str:
    """The start of ``plain(text)`` up to any LaTeX (MathJax renders it differently), at most n chars."""
    t = plain(text)
    cut = min([i for i in (t.find("$"), t.find("\\(")) if i >= 0], default=len(t))
    return t[:min(cut, n)].strip()


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
