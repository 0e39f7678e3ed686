"""Keep every notebook in step with helpers/course.py, and refresh stored outputs.

    python tools/sync_notebooks.py                 # stamp setup cell + Colab badge into every notebook
    python tools/sync_notebooks.py --execute       # ... then run them and store their outputs (for nbval)
    python tools/sync_notebooks.py --execute 01_from_ffn_to_rnn_pytorch.ipynb
    python tools/sync_notebooks.py --time          # run every notebook, print its run time, write nothing

The stored outputs are what nbval compares a fresh run against, so re-execute a notebook after
changing it or a helper it uses, and commit the result.
"""
from __future__ import annotations

import argparse
import pathlib
import re
import sys
import time

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from helpers.course import (NOTEBOOKS, RUN_FIRST, TABLE_END, TABLE_START, colab_badge, notebook_table,  # noqa: E402
                            setup_cell_source)

BADGE_LINE = re.compile(r"^\[!\[Open In Colab\].*$", re.MULTILINE)
SETUP_MARK = "# Setup: the same cell opens every notebook"


def stamp_table(text: str, prefix: str) -> str:
    """Replace the notebook table between its markers with a fresh one (text unchanged if no markers)."""
    if TABLE_START not in text:
        return text
    head, _, rest = text.partition(TABLE_START)
    _, _, tail = rest.partition(TABLE_END)
    return head + notebook_table(prefix) + tail


def stamp(nb: nbformat.NotebookNode, rel_path: str) -> bool:
    """Put the canonical setup cell first among code cells and the badge in the first markdown cell."""
    changed = False
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    badge = colab_badge(rel_path)
    if BADGE_LINE.search(first_md.source):
        new = BADGE_LINE.sub(lambda _: badge, first_md.source)
    else:
        title, _, rest = first_md.source.partition("\n")
        new = f"{title}\n\n{badge}\n{rest}"
    if new != first_md.source:
        first_md.source, changed = new, True
    for cell in nb.cells:
        if cell.cell_type == "markdown" and TABLE_START in cell.source:
            new = stamp_table(cell.source, "")
            if new != cell.source:
                cell.source, changed = new, True
    code = [c for c in nb.cells if c.cell_type == "code"]
    setup = setup_cell_source()
    if code and code[0].source.startswith(SETUP_MARK):
        if code[0].source != setup:
            code[0].source, changed = setup, True
    else:
        cell = nbformat.v4.new_code_cell(setup)
        nb.cells.insert(nb.cells.index(code[0]) if code else len(nb.cells), cell)
        changed = True
    # One line right above the setup cell: a learner who starts lower down gets raw NameErrors.
    at = nb.cells.index(next(c for c in nb.cells if c.cell_type == "code"))
    before = nb.cells[at - 1] if at else None
    if before is not None and before.cell_type == "markdown" and before.source.startswith("▶️"):
        if before.source != RUN_FIRST:
            before.source, changed = RUN_FIRST, True
    else:
        nb.cells.insert(at, nbformat.v4.new_markdown_cell(RUN_FIRST))
        changed = True
    return changed


def execute(nb: nbformat.NotebookNode, timeout: int = 600) -> float:
    import os
    import tempfile

    from nbclient import NotebookClient

    # The kernel records check verdicts and quiz scores (helpers/progress.py): keep a maintainer's
    # runs out of their own progress file.
    os.environ["RNN_COURSE_PROGRESS"] = os.path.join(tempfile.mkdtemp(), "progress.json")
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=True,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    for cell in nb.cells:
        seconds = cell_seconds(cell.metadata.pop("execution", {}))
        cell.metadata.pop(SECONDS_KEY, None)
        if seconds is not None and seconds >= 1.0:      # tests/test_structure.py: slow cells say so early
            cell.metadata[SECONDS_KEY] = round(seconds, 1)
    return time.perf_counter() - start


SECONDS_KEY = "run_seconds"           # a code cell's run time when executed here, if 1 s or more


def cell_seconds(execution: dict) -> float | None:
    """Seconds between nbclient's execute_input and execute_reply timestamps, or None."""
    import datetime

    try:
        start, end = execution["iopub.execute_input"], execution["shell.execute_reply"]
        parse = datetime.datetime.fromisoformat
        return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()
    except (KeyError, TypeError, ValueError):
        return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--execute", action="store_true", help="run the notebooks and store their outputs")
    ap.add_argument("--time", action="store_true", help="run the notebooks and print their run times; write nothing")
    ap.add_argument("names", nargs="*", help="notebook file names (default: all)")
    args = ap.parse_args(argv)
    readme = ROOT / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        if stamp_table(text, "notebooks/") != text:
            readme.write_text(stamp_table(text, "notebooks/"), encoding="utf-8")
            print("README.md: notebook table stamped")
    paths = [NOTEBOOKS / n for n in args.names] if args.names else sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if args.time:
            total = execute(nb)
            slow = sorted(((c.metadata.get(SECONDS_KEY, 0), i) for i, c in enumerate(nb.cells)), reverse=True)[:3]
            print(f"{path.name}: {total:.1f} s (slowest cells: "
                  + ", ".join(f"c{i} {sec:.1f} s" for sec, i in slow if sec) + ")")
            continue
        changed = stamp(nb, path.relative_to(ROOT).as_posix())
        msg = "stamped" if changed else "in sync"
        if args.execute:
            msg += f", executed in {execute(nb):.1f} s"
            changed = True
        if changed:
            nbformat.write(nb, path)
        print(f"{path.name}: {msg}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
