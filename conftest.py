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
