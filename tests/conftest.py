"""Shared test setup: the course root on sys.path, quiet TensorFlow, helpers for exercise sources."""
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# tests/data holds test inputs (the synthetic class's submitted notebooks, some hostile): never run by nbval.
collect_ignore = ["data"]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")
# Check verdicts and quiz scores are recorded (helpers/progress.py): into a fresh file per test run,
# never the real home, and never one that earlier runs filled.
os.environ.setdefault("RNN_COURSE_PROGRESS",
                      os.path.join(__import__("tempfile").mkdtemp(prefix="rnn-course-tests-"), "progress.json"))



def _offline():
    """No network, here and in every kernel the tests start (tests/offline/no_network.py)."""
    import shutil
    import tempfile

    blocker = pathlib.Path(__file__).parent / "offline" / "no_network.py"
    ipython_dir = pathlib.Path(tempfile.mkdtemp(prefix="rnn-course-ipython-"))
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(blocker, startup / "00_no_network.py")
    os.environ["IPYTHONDIR"] = str(ipython_dir)
    exec(compile(blocker.read_text(), str(blocker), "exec"), {"__name__": "no_network"})


_offline()


@__import__("pytest").fixture(autouse=True)
def _own_progress_file(tmp_path, monkeypatch):
    """Each test saves quiz answers and check verdicts in its own progress file: a quiz restores the
    answers saved in it (helpers.quiz), so one test's answers must not reach the next test's quiz."""
    monkeypatch.setenv("RNN_COURSE_PROGRESS", str(tmp_path / "progress.json"))


def load_function(source: str, framework: str):
    """Execute learner-style source code and return the (last) function it defines."""
    import types

    import numpy as np

    ns = {"np": np}
    if framework == "torch":
        import torch
        ns["torch"] = torch
    if framework == "tensorflow":
        import tensorflow as tf
        ns["tf"] = tf
    before = set(ns)
    exec(compile(source, "<learner cell>", "exec"), ns)
    fns = [v for k, v in ns.items() if k not in before and isinstance(v, types.FunctionType)]
    assert fns, "the source defines no function"
    return fns[-1]


def catalogue_rows(exercise_id: str, table: dict, template: str) -> list[tuple]:
    """Wrong-answer catalogue rows from a table {framework: {reason: snippet}}.

    Each snippet is put into ``template`` at its ``{}`` to give the learner's source; a row is
    (exercise id, framework, reason the check must give, source).
    """
    return [(exercise_id, fw, reason, template.replace("{}", snippet))
            for fw, snippets in table.items() for reason, snippet in snippets.items()]
