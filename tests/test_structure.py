"""Course structure: twins match, every notebook has its badge and setup cell, README and CI agree."""
import pathlib
import re

import pytest

from helpers import course
from helpers.exercises import EXERCISES
from notebook_support import (NOTEBOOKS, ROOT, check_calls, exercise_cells, framework_of, headings, read)

sys_path_tools = str(ROOT / "tools")
TOPIC_NOTEBOOKS = [p for p in NOTEBOOKS if framework_of(p) != "numpy"]
IDS = [p.name for p in NOTEBOOKS]


def test_notebooks_on_disk_are_exactly_the_course_list():
    on_disk = {p.name for p in NOTEBOOKS}
    assert on_disk == {"00_start_here.ipynb", *course.topic_notebooks(), *course.appendix_notebooks()}


@pytest.mark.parametrize("path", [p for p in TOPIC_NOTEBOOKS if framework_of(p) == "torch"], ids=lambda p: p.stem)
def test_twins_have_the_same_sections_in_the_same_order(path):
    twin = path.with_name(path.name.replace("_pytorch", "_tensorflow"))
    assert twin.exists(), f"{path.name} has no TensorFlow twin"
    assert headings(read(path)) == headings(read(twin))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_badge_points_at_the_notebooks_own_path(path):
    nb = read(path)
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    rel = path.relative_to(ROOT).as_posix()
    assert course.colab_badge(rel) in first_md.source
    badges = re.findall(r"colab\.research\.google\.com/github/[^)\s]+", "\n".join(
        c.source for c in nb.cells if c.cell_type == "markdown"))
    own = course.colab_url(rel).split("://", 1)[1]
    others = {course.colab_url("notebooks/" + n).split("://", 1)[1]
              for n in ["00_start_here.ipynb", *course.topic_notebooks(), *course.appendix_notebooks()]}
    assert own in badges and set(badges) <= others | {own}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_first_code_cell_is_the_setup_cell(path):
    first_code = next(c for c in read(path).cells if c.cell_type == "code")
    assert first_code.source == course.setup_cell_source()
    assert f'COURSE_REPO = "{course.REPO_URL}.git"' in first_code.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_a_line_above_the_setup_cell_says_to_run_it_first(path):
    cells = read(path).cells
    at = cells.index(next(c for c in cells if c.cell_type == "code"))
    assert at > 0 and cells[at - 1].cell_type == "markdown" and cells[at - 1].source == course.RUN_FIRST


MAX_CODE_LINE = 89          # JupyterLab shows about 90 characters of code without scrolling


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_code_lines_fit_without_horizontal_scrolling(path):
    too_long = [f"{path.name} cell {i}: {len(line)} chars: {line[:60].strip()}..."
                for i, c in enumerate(read(path).cells) if c.cell_type == "code"
                for line in c.source.splitlines() if len(line) > MAX_CODE_LINE]
    if too_long:
        pytest.fail(f"code lines over {MAX_CODE_LINE} characters (wrap them):\n"
                    + "\n".join(too_long), pytrace=False)


MAX_CODE_CELL = 30          # the design: 3-15 lines a cell, rarely more, never over 30
MAX_OUTPUT_LINE = 100       # wider printed lines wrap mid-word in JupyterLab and Colab


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_code_cell_is_at_most_30_lines(path):
    long = [f"cell {i}: {len(c.source.splitlines())} lines: {c.source.splitlines()[0][:50]}"
            for i, c in enumerate(read(path).cells)
            if c.cell_type == "code" and len(c.source.splitlines()) > MAX_CODE_CELL]
    assert not long, (f"{path.name}: code cells over {MAX_CODE_CELL} lines (split them, one "
                      "thing per cell, or move plumbing into helpers/): " + "; ".join(long))


def _printed_lines(cell):
    """The lines a learner reads in a code cell's stored outputs: printed text and plain-text
    results (a widget's text/plain is only its fallback, hidden while the widget shows)."""
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "text" in out:
            yield from "".join(out["text"]).splitlines()
        elif "text/plain" in data and not {"image/png", "application/vnd.jupyter.widget-view+json",
                                           "text/html"} & set(data):
            yield from "".join(data["text/plain"]).splitlines()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_printed_lines_fit_without_wrapping_mid_word(path):
    wide = [f"cell {i}: {len(line)} chars: {line[:60]}..."
            for i, c in enumerate(read(path).cells) if c.cell_type == "code"
            for line in _printed_lines(c) if len(line) > MAX_OUTPUT_LINE]
    assert not wide, (f"{path.name}: printed lines over {MAX_OUTPUT_LINE} characters (wrap them at "
                      "word boundaries, e.g. textwrap.fill): " + "; ".join(wide))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_notebook_is_executed_without_errors(path):
    for cell in read(path).cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None, "store the notebook executed (tools/sync_notebooks.py --execute)"
            assert all(o.output_type != "error" for o in cell.outputs)
            assert not any(o.get("name") == "stderr" for o in cell.outputs), cell.source[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_exercises_have_stubs_and_checks(path):
    nb, fw = read(path), framework_of(path)
    exercises, checks = exercise_cells(nb), check_calls(nb)
    assert len(exercises) >= (3 if fw != "numpy" else 1)
    for i, eid in exercises:
        assert eid in EXERCISES, eid
        assert "raise NotImplementedError" in nb.cells[i].source, f"{eid}: the notebook must hold a stub"
        following = [c for c in checks if c[0] > i]
        assert following and following[0][1] == eid, f"{eid}: no check cell right after the exercise"
        check_cell = nb.cells[following[0][0]]
        assert "nbval-check-output" in check_cell.metadata.get("tags", []), f"{eid}: tag the check cell"
        assert not check_cell.source.startswith("#"), f"{eid}: the check call is the first line a learner reads"
    for _, eid, call_fw in checks:
        assert (call_fw or "numpy") == fw and fw in EXERCISES[eid].solutions


@pytest.mark.parametrize("name", course.appendix_notebooks())
def test_appendix_notebook_anatomy(name):
    """An appendix is one notebook for both frameworks: the anatomy of a topic, both imported."""
    nb = read(ROOT / "notebooks" / name)
    text = "\n".join(c.source for c in nb.cells)
    heads = headings(nb)
    for required in ("## Warm-up quiz", "## Closing quiz", "## Summary", "## What next", "## Further reading"):
        assert required in heads, required
    assert "import torch" in text and "import tensorflow" in text
    stem = name[:-len(".ipynb")]
    assert f'quiz("{stem}", "warmup")' in text and f'quiz("{stem}", "closing")' in text


@pytest.mark.parametrize("path", TOPIC_NOTEBOOKS, ids=lambda p: p.stem)
def test_topic_notebook_anatomy(path):
    nb = read(path)
    text = "\n".join(c.source for c in nb.cells)
    heads = headings(nb)
    for required in ("## Warm-up quiz", "## Closing quiz", "## Summary", "## What next", "## Further reading"):
        assert required in heads, required
    assert heads.index("## Warm-up quiz") < heads.index("## Closing quiz")
    fw = framework_of(path)
    assert f"**Framework-specific ({'PyTorch' if fw == 'torch' else 'TensorFlow'}):**" in text
    assert f'"warmup", framework="{fw}")' in text and f'"closing", framework="{fw}")' in text


def test_readme_and_start_here_list_every_notebook_with_fresh_links():
    import sys
    sys.path.insert(0, sys_path_tools)
    from sync_notebooks import stamp_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert stamp_table(readme, "notebooks/") == readme and course.TABLE_START in readme
    start = next(c.source for c in read(ROOT / "notebooks/00_start_here.ipynb").cells
                 if c.cell_type == "markdown" and course.TABLE_START in c.source)
    assert stamp_table(start, "") == start
    for name in course.topic_notebooks() + course.appendix_notebooks():
        assert f"(notebooks/{name})" in readme and f"({name})" in start


def test_repository_address_is_written_in_one_place():
    sources = [p for folder in ("helpers", "tests", "tools") for p in (ROOT / folder).rglob("*.py")]
    hits = [p for p in sources if course.REPO in p.read_text(encoding="utf-8", errors="ignore")]
    assert [p.relative_to(ROOT).as_posix() for p in hits] == ["helpers/course.py"]


def _readme_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", readme)


def test_readme_has_the_two_commands_and_ci_runs_the_test_command():
    commands = _readme_commands()
    assert len(commands) == 2, commands
    start, test = commands
    assert "jupyter lab" in start and "00_start_here.ipynb" in start and "requirements.txt" in start
    assert "pytest" in test and "requirements.txt" in test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci


def test_every_requirement_is_pinned():
    # The lock (tools/lock.py): `name==version`, with an environment marker where it holds only
    # somewhere; tests/test_lock.py checks it further.
    lines = [l.split("#")[0].strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    reqs = [l.split(" ; ")[0] for l in lines if l and l != "-c requirements-cuda.txt"]
    assert reqs and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", r) for r in reqs), reqs
    assert "torch==2.13.0" in reqs
