"""pytest's root configuration: how the tests are shared between two workers.

pytest.ini runs the tests on two workers (pytest-xdist, ``-n 2``). Every test may go to either worker,
but the cells of one notebook (nbval items) must run in order in one kernel: the scheduler below
sends each notebook whole to one worker and every other test on its own. Shared test setup lives in
tests/conftest.py.
"""


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class NotebookScheduling(LoadScopeScheduling):
        """LoadScopeScheduling whose unit of work is a whole notebook, or one single test."""

        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path.endswith(".ipynb") else nodeid

    return NotebookScheduling(config, log)


# ---- a benchmark, printed: each notebook's run time in this test run (not a timed test)
_NOTEBOOK_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report):
    """Add up the time of every nbval cell (setup, call and teardown) per notebook."""
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _NOTEBOOK_SECONDS[path] = _NOTEBOOK_SECONDS.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    """After the run, a table of notebook run times (kernel start and every cell)."""
    if not _NOTEBOOK_SECONDS:
        return
    tr = terminalreporter
    tr.section("notebook run times in this test run")
    tr.write_line("nbval, kernel start included; with -n 2 two notebooks share the CPU, so these run "
                  "longer than alone (python tools/sync_notebooks.py --time measures one at a time)")
    for path, seconds in sorted(_NOTEBOOK_SECONDS.items()):
        tr.write_line(f"{seconds:7.1f} s  {path}")
