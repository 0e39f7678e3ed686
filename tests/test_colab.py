"""The setup cell in a simulated Colab, and its behaviour outside the course.

Colab opens a notebook from GitHub in /content, where no other file of the course exists; the setup
cell must then clone the course and import ``helpers`` from the clone. Here a throwaway git repository
built from the course's files stands in for GitHub (``RNN_COURSE_REPO`` points the clone at it), a
fake ``google.colab`` package stands in for Colab, and an empty folder stands in for /content.
Every run happens in a fresh subprocess with this environment's Python.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

from helpers import course
from helpers.quiz import BANKS, load_bank

ROOT = pathlib.Path(__file__).resolve().parents[1]
SETUP = course.setup_cell_source()
NOT_FOUND = "Course files not found: start Jupyter in the course folder or in notebooks/."


def _git(*args: str, cwd: pathlib.Path) -> str:
    return subprocess.run(["git", "-c", "user.name=Course Test", "-c", "user.email=test@example.invalid",
                           "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, check=True, capture_output=True, text=True).stdout


def _clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RNN_COURSE_REPO", "PYTHONSTARTUP")}
    env.update(MPLBACKEND="Agg", **extra)
    return env


def _run(code: str, cwd: pathlib.Path, env: dict, timeout: int = 300) -> subprocess.CompletedProcess:
    """``python -c code``: like a kernel, sys.path[0] is the working directory."""
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def fake_github(tmp_path_factory) -> pathlib.Path:
    """A git repository holding the course's tracked and untracked-but-not-ignored files."""
    listed = _git("ls-files", "-z", cwd=ROOT) + _git("ls-files", "-z", "--others", "--exclude-standard", cwd=ROOT)
    repo = tmp_path_factory.mktemp("github") / "rnn-course"
    repo.mkdir()
    files = sorted({f for f in listed.split("\0") if f})
    for rel in files:
        src = ROOT / rel
        if not src.is_file():              # deleted in the working tree since the last commit
            continue
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, repo / rel, follow_symlinks=False)
    _git("init", "-q", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-q", "-m", "course snapshot", cwd=repo)
    assert (repo / "helpers" / "course.py").is_file()
    return repo


@pytest.fixture(scope="module")
def fake_colab(tmp_path_factory) -> pathlib.Path:
    """A folder for PYTHONPATH that makes ``google.colab`` importable (``google`` stays a namespace)."""
    site = tmp_path_factory.mktemp("fake_colab")
    (site / "google" / "colab").mkdir(parents=True)
    (site / "google" / "colab" / "__init__.py").write_text('"""Stand-in for Colab\'s google.colab package."""\n')
    return site


DRIVER = textwrap.dedent('''
    import json, sys
    SETUP = {setup!r}
    ns = {{"__name__": "__main__"}}
    exec(compile(SETUP, "<setup cell>", "exec"), ns)
    first_root = str(ns["COURSE_ROOT"])
    exec(compile(SETUP, "<setup cell, run again>", "exec"), ns)      # learners re-run cells
    import helpers, helpers.quiz
    from helpers.quiz import Quiz
    Quiz("01_from_ffn_to_rnn", "warmup")
    quizzes = {{}}
    for bank in {banks!r}:
        for part in helpers.quiz.load_bank(bank)["parts"]:
            quizzes[bank + "/" + part] = len(Quiz(bank, part).questions)
    from helpers import data
    X, y = data.order_task(10)
    from helpers.checks import check
    print("RESULT " + json.dumps({{
        "first_root": first_root, "second_root": str(ns["COURSE_ROOT"]),
        "helpers": helpers.__file__, "banks_dir": str(helpers.quiz.BANKS), "check": check.__module__,
        "sys_path_hits": sum(p == first_root for p in sys.path), "quizzes": quizzes,
        "order_task": [list(X.shape), list(y.shape)]}}))
''')


def test_setup_cell_clones_the_course_on_colab(tmp_path, fake_github, fake_colab):
    content = tmp_path / "content"                     # Colab's /content: no course files
    content.mkdir()
    banks = sorted(p.stem for p in BANKS.glob("*.json"))
    env = _clean_env(PYTHONPATH=str(fake_colab), RNN_COURSE_REPO=fake_github.as_uri())
    proc = _run(DRIVER.format(setup=SETUP, banks=banks), content, env)
    assert proc.returncode == 0, f"setup cell failed on simulated Colab:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr
    result = json.loads(proc.stdout.split("RESULT ", 1)[1])

    clone = content / course.CLONE_DIR
    assert (clone / "helpers" / "course.py").is_file(), "the clone did not land in <cwd>/" + course.CLONE_DIR
    assert (clone / ".git" / "shallow").is_file(), "the clone is not shallow (--depth 1)"
    head = _git("rev-parse", "HEAD", cwd=fake_github).strip()
    assert _git("rev-parse", "HEAD", cwd=clone).strip() == head
    assert result["first_root"] == result["second_root"] == str(clone)
    assert result["sys_path_hits"] == 1, "the course root was added to sys.path twice"
    for key in ("helpers", "banks_dir"):           # imported from the clone, not from this checkout
        assert pathlib.Path(result[key]).resolve().is_relative_to(clone.resolve()), (key, result[key])
        assert not pathlib.Path(result[key]).resolve().is_relative_to(ROOT), (key, result[key])
    assert result["check"] == "helpers.checks.cell"
    expected = {f"{b}/{p}": len(s["questions"]) for b in banks for p, s in load_bank(b)["parts"].items()}
    assert result["quizzes"] == expected
    assert all(n > 0 for n in result["quizzes"].values())
    assert result["order_task"][0][0] == 10
    assert proc.stdout.count("Course files found; seed 0") == 2, proc.stdout


def test_setup_cell_outside_the_course_says_so_in_one_line(tmp_path):
    """No google.colab and no course folder above: one friendly line, no traceback wall."""
    env = _clean_env()
    proc = _run("exec(compile(" + repr(SETUP) + ", '<setup cell>', 'exec'))", tmp_path, env)
    assert proc.returncode == 1
    assert proc.stderr.strip() == NOT_FOUND, proc.stderr
    assert proc.stdout == ""


def test_setup_cell_outside_the_course_in_ipython_is_short(tmp_path):
    """What a notebook shows: IPython prints SystemExit as a short message, not a traceback."""
    code = textwrap.dedent(f'''
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance(colors="nocolor")
        result = shell.run_cell({SETUP!r})
        print("RAISED", type(result.error_in_exec).__name__)
    ''')
    proc = _run(code, tmp_path, _clean_env())
    shown = (proc.stdout + proc.stderr).replace("RAISED SystemExit", "").strip()
    assert "RAISED SystemExit" in proc.stdout, proc.stdout + proc.stderr
    assert NOT_FOUND in shown
    assert "Traceback" not in shown and "File \"" not in shown, shown
    assert len([line for line in shown.splitlines() if line.strip()]) <= 4, shown


def test_setup_cell_reports_a_failed_clone_in_one_line(tmp_path, fake_colab):
    env = _clean_env(PYTHONPATH=str(fake_colab), RNN_COURSE_REPO=(tmp_path / "no-such-repo").as_uri())
    content = tmp_path / "content"
    content.mkdir()
    proc = _run("exec(compile(" + repr(SETUP) + ", '<setup cell>', 'exec'))", content, env)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("Could not fetch the course from "), proc.stderr


@pytest.mark.parametrize("where", ["notebooks", "."])
def test_setup_cell_runs_twice_locally(where):
    """In a local checkout (Jupyter started in the course folder or in notebooks/), twice in one kernel."""
    code = textwrap.dedent(f'''
        import sys
        ns = {{"__name__": "__main__"}}
        for _ in range(2):
            exec(compile({SETUP!r}, "<setup cell>", "exec"), ns)
        import helpers
        print("ROOT", ns["COURSE_ROOT"], sys.path.count(str(ns["COURSE_ROOT"])), helpers.__file__)
    ''')
    proc = _run(code, ROOT / where, _clean_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    root, hits, helpers_file = proc.stdout.split("ROOT ", 1)[1].split()
    assert pathlib.Path(root) == ROOT and hits == "1"
    assert pathlib.Path(helpers_file).resolve().is_relative_to(ROOT)
    assert not (ROOT / where / course.CLONE_DIR).exists(), "a local run must never clone"
