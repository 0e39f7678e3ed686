"""Grade a class's submitted notebooks with the course's own checks.

    python -m helpers.grade SUBMISSION... [--out grades.csv] [--feedback DIR] [--jobs N]
                            [--id-pattern REGEX] [--timeout S] [--cell-timeout S]

A SUBMISSION is a notebook, a folder (searched recursively) or a zip of them, one learner
per file; progress exports (``python -m helpers.progress --export FILE``) may sit beside
the notebooks. The learner id is the file name without its extension, or the first group
of ``--id-pattern`` (the group named ``id`` if there is one) found in the file name.

For each notebook the grader recognises the topic and framework from its content (the ids
of its exercises, its check calls and imports; the file name only breaks a tie), then
builds a notebook of its own (helpers/grade_kernel.py): a preamble, the statements of the
course's notebook that the learner's code uses (from the grader's checkout, never from
the submission), any cell the learner added that defines a name their code uses, the
learner's exercise cells (``# ✏️ EXERCISE <id>``), and one grading cell per exercise. It
runs in a fresh kernel, offline (tests/offline/no_network.py), in an empty folder, with
the grader's checkout first on sys.path, a limit per exercise cell (--cell-timeout) and
per notebook (--timeout, enforced by killing the worker process and its kernel). The
check cells, the stored outputs and every other cell of the submission are never run.

Output: a CSV with one row per learner and exercise (status: correct, not yet, not
attempted, error, timed out; the hint id, how the hint leads, seconds, a note), one
summary row per learner and notebook, one row per self-reported quiz score; with
--feedback, one Markdown file per learner with the verdicts and first hints.
"""
from __future__ import annotations

import argparse
import ast
import builtins
import csv
import dataclasses
import json
import os
import pathlib
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BLOCKER = ROOT / "tests" / "offline" / "no_network.py"
EXERCISE_MARK = re.compile(r"^# ✏️ EXERCISE (\w+)")
CHECK_CALL = re.compile(r"""^check\(\s*["'](\w+)["']\s*(?:,\s*["'](\w+)["'])?\s*\)""",
                        re.MULTILINE)
EXPORT_KIND = "rnn-course-progress-export"
COLUMNS = ["learner", "file", "topic", "framework", "exercise", "status", "hint",
           "hint_kind", "seconds", "note"]
STATUS = {"correct": "correct", "wrong": "not yet", "not attempted": "not attempted"}
SELF_REPORTED = "self-reported (the learner's progress file)"
MAX_FILE = 200 * 2 ** 20                # bytes: a larger notebook or zip member: refused


# ------------------------------------------------------------ the course's notebooks
@dataclasses.dataclass
class CourseNotebook:
    """One notebook of the grader's checkout: exercises [(id, framework)], code cells."""
    name: str
    topic: str
    framework: str                      # "torch", "tensorflow", or "numpy" (00, 09)
    exercises: list
    cells: list


def _code_cells(nb: dict) -> list[str]:
    out = []
    for c in nb.get("cells", []):
        if isinstance(c, dict) and c.get("cell_type") == "code":
            src = c.get("source", "")
            out.append("".join(src) if isinstance(src, list) else str(src))
    return out


def course_notebooks(only: str = "*.ipynb") -> list[CourseNotebook]:
    books = []
    for path in sorted(NOTEBOOKS.glob(only)):
        cells = _code_cells(json.loads(path.read_text(encoding="utf-8")))
        calls = {m.group(1): m.group(2) for c in cells for m in CHECK_CALL.finditer(c)}
        exercises = [(m.group(1), _fw(calls.get(m.group(1)))) for c in cells
                     if (m := EXERCISE_MARK.match(c))]
        fw = ("torch" if path.stem.endswith("_pytorch") else
              "tensorflow" if path.stem.endswith("_tensorflow") else "numpy")
        books.append(CourseNotebook(path.name, path.name[:2], fw, exercises, cells))
    return books


def _fw(name: str | None) -> str:
    name = (name or "numpy").lower()
    aliases = {"pytorch": "torch", "pt": "torch", "tf": "tensorflow",
               "keras": "tensorflow"}
    return aliases.get(name, name)


def _count(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text, re.MULTILINE))


def recognise(cells: list[str], filename: str,
              books: list[CourseNotebook]) -> CourseNotebook | None:
    """The course notebook a submission is a copy of: most exercise ids in common
    (marked cells, check calls, function definitions), then the framework its imports
    and check calls name, then the file name. None when no exercise id is shared."""
    text = "\n".join(cells)
    ids = {m.group(1) for c in cells if (m := EXERCISE_MARK.match(c))}
    ids |= {m.group(1) for m in CHECK_CALL.finditer(text)}
    ids |= set(re.findall(r"^def (\w+)\(", text, re.MULTILINE))
    torch = _count(r"^\s*(?:import torch|from torch)\b", text) \
        + _count(r"""check\([^)]*["'](?:torch|pytorch|pt)["']""", text)
    tf = _count(r"^\s*(?:import tensorflow|from tensorflow|import keras)\b", text) \
        + _count(r"""check\([^)]*["'](?:tensorflow|tf|keras)["']""", text)
    guess = "torch" if torch > tf else "tensorflow" if tf > torch else None

    def score(b: CourseNotebook):
        common = len(ids & {e for e, _ in b.exercises})
        fits = b.framework == guess or (b.framework == "numpy" and torch and tf)
        return common, fits, b.name[:-6] in filename, b.topic == filename[:2]

    best = max(books, key=score)
    return best if score(best)[0] else None


# ------------------------------------------------------------------ what to run
def _defined(src: str) -> set[str]:
    """Names a piece of code binds anywhere (assignments, imports, def, class,
    arguments): the names it does not need from elsewhere."""
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def _used(src: str) -> set[str]:
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _runnable(src: str) -> bool:
    """Not the setup cell, an exercise, a check, a quiz or the progress table."""
    return not (src.startswith("# Setup:") or EXERCISE_MARK.match(src)
                or CHECK_CALL.search(src) or "quiz(" in src or "show_progress" in src)


def _statements(src: str) -> list[str]:
    """A cell's top-level statements, each as its source (the cell if it does not
    parse)."""
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return [src]
    lines = src.splitlines()
    out = []
    for node in tree.body:
        decorators = [d.lineno for d in getattr(node, "decorator_list", [])]
        first = min([node.lineno] + decorators)
        out.append("\n".join(lines[first - 1:node.end_lineno]))
    return out


def plan(cells: list[str], book: CourseNotebook) -> tuple[list, dict, list[str]]:
    """What to run for a submission: [(kind, source)] with kind "course", "learner" or
    "exercise:<id>"; the index of the exercise cell used per id (None when missing);
    notes. The course's statements come from the grader's copy of the notebook."""
    chosen, notes = {}, []
    for eid, _ in book.exercises:
        marked = [i for i, c in enumerate(cells)
                  if (m := EXERCISE_MARK.match(c)) and m.group(1) == eid]
        defining = [i for i, c in enumerate(cells) if not CHECK_CALL.search(c)
                    and re.search(rf"^def {eid}\(", c, re.MULTILINE)]
        chosen[eid] = marked[-1] if marked else defining[-1] if defining else None
        if not marked and defining:
            notes.append(f"{eid}: no cell marked '# ✏️ EXERCISE {eid}'; graded the cell "
                         f"that defines it")
    learner = sorted({i for i in chosen.values() if i is not None})
    need = set().union(*(_used(cells[i]) for i in learner))
    need -= set().union(*(_defined(cells[i]) for i in learner)) | set(dir(builtins))
    course = [u for c in book.cells if _runnable(c) for u in _statements(c)]
    ran_course, ran_learner, todo = set(), set(), set(need)
    while todo:                         # the course's statements first, then learner's
        name = todo.pop()
        where = [i for i, u in enumerate(course) if name in _defined(u)]
        if where:
            if where[-1] not in ran_course:
                ran_course.add(where[-1])
                todo |= _used(course[where[-1]]) - _defined(course[where[-1]])
            continue
        own = [i for i, c in enumerate(cells) if i not in learner and _runnable(c)
               and name in _defined(c) and c not in book.cells]
        if own and own[-1] not in ran_learner:
            ran_learner.add(own[-1])
            todo |= _used(cells[own[-1]]) - _defined(cells[own[-1]])
    for i in sorted(ran_learner):
        notes.append(f"ran the learner's code cell {i + 1} (it defines a name the "
                     f"exercises use)")
    steps = [("course", course[i]) for i in sorted(ran_course)]
    exercise_of = {i: eid for eid, i in chosen.items() if i is not None}
    for i in sorted(ran_learner | set(learner)):
        kind = f"exercise:{exercise_of[i]}" if i in exercise_of else "learner"
        steps.append((kind, cells[i]))
    return steps, chosen, notes


# ------------------------------------------------------------ one notebook, in a worker
def _kernel_code(name: str) -> str:
    """Source that loads helpers/grade_kernel.py afresh as ``_m``, under a private
    module name."""
    path = str(ROOT / "helpers" / "grade_kernel.py")
    return (f"import importlib.util as _u\n"
            f"_s = _u.spec_from_file_location('_course_grader_{name}', {path!r})\n"
            f"_m = _u.module_from_spec(_s)\n_s.loader.exec_module(_m)\n")


def run_notebook(path: pathlib.Path, book: CourseNotebook, cell_timeout: float,
                 pid_file: str) -> dict:
    """Execute a submission's needed cells in a fresh kernel and grade each exercise
    there: {"exercises": {id: result}, "problem": text or None, "notes", "missing"}."""
    import nbformat
    from nbclient import NotebookClient

    cells = _code_cells(json.loads(path.read_text(encoding="utf-8")))
    steps, chosen, notes = plan(cells, book)
    work = pathlib.Path(tempfile.mkdtemp(prefix="rnn-grade-"))
    startup = work / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copy(BLOCKER, startup / "00_no_network.py")
    os.environ.update(IPYTHONDIR=str(work / "ipython"), PYTHONPATH=str(ROOT),
                      MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="3",
                      TF_ENABLE_ONEDNN_OPTS="0", PYTHONDONTWRITEBYTECODE="1")
    run_dir = work / "run"
    run_dir.mkdir()
    snap = "_grader_snapshot_" + secrets.token_hex(4)
    nb = nbformat.v4.new_notebook()

    def add(src: str, kind: str, **meta) -> None:
        nb.cells.append(nbformat.v4.new_code_cell(
            src, metadata={"grader": {"kind": kind, **meta}}))

    progress_file = str(work / "progress.json")
    add(_kernel_code("prepare") + f"_m.prepare({str(ROOT)!r}, {progress_file!r})",
        "grader")
    for kind, src in steps:
        if kind != "course" and not any(c.metadata["grader"]["kind"] == "snapshot"
                                        for c in nb.cells):
            add(_kernel_code("snapshot") + f"{snap} = _m.snapshot()", "snapshot")
        add(src, kind)
    if not any(c.metadata["grader"]["kind"] == "snapshot" for c in nb.cells):
        add(_kernel_code("snapshot") + f"{snap} = _m.snapshot()", "snapshot")
    nonces = {}
    for eid, fw in book.exercises:
        if chosen.get(eid) is None:
            continue
        nonces[eid] = secrets.token_hex(16)
        call = (f"'{nonces[eid]}' + _m.grade_one({eid!r}, {fw!r}, 'ex{book.topic}', "
                f"globals(), globals().get({snap!r}))")
        add(_kernel_code(nonces[eid]) + call, "grading", exercise=eid)

    def limit(cell):                    # grading: each case has the check's own limit
        kind = cell.metadata["grader"]["kind"]
        return int(cell_timeout) if kind.startswith(("exercise", "learner")) else None

    client = NotebookClient(nb, timeout_func=limit, kernel_name="python3",
                            allow_errors=True, interrupt_on_timeout=True,
                            resources={"metadata": {"path": str(run_dir)}})
    problem = None
    try:
        with client.setup_kernel():
            pathlib.Path(pid_file).write_text(str(client.km.provisioner.process.pid))
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
    except Exception as e:              # DeadKernelError; a cell an interrupt can't stop
        problem = _kernel_problem(e)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"exercises": _results(nb, nonces, cell_timeout, notes), "problem": problem,
            "notes": notes, "missing": [eid for eid, i in chosen.items() if i is None]}


def _results(nb, nonces: dict, cell_timeout: float, notes: list) -> dict:
    """Each exercise's result from the executed notebook: its cell's error, or the JSON
    answer of its grading cell; notes gain the errors of the cells the exercises need."""
    results = {}
    for cell in nb.cells:
        meta = cell.metadata["grader"]
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        error = errors[0] if errors else None
        text = _error_text(error, cell_timeout) if error is not None else ""
        if meta["kind"].startswith("exercise:") and error is not None:
            eid = meta["kind"].split(":", 1)[1]
            results[eid] = {"status": "cell-error", "error": text}
        elif meta["kind"] == "course" and error is not None:
            notes.append(f"a course statement the exercises need failed: {text}")
        elif meta["kind"] == "learner" and error is not None:
            notes.append(f"a cell of the learner's the exercises need failed: {text}")
        elif meta["kind"] == "grading" and meta["exercise"] not in results:
            answer = _answer(cell, nonces[meta["exercise"]])
            if answer is not None:
                results[meta["exercise"]] = answer
            elif error is not None:
                results[meta["exercise"]] = {"status": "grading-error", "error": text}
    return results


def _kernel_problem(e: Exception) -> str:
    name = type(e).__name__
    if name == "DeadKernelError":
        return ("the kernel died (the code ended the process: os._exit, a crash, or out "
                "of memory)")
    if "Timeout" in name:
        return "a cell did not stop when interrupted after its time limit"
    return f"{name}: {str(e)[:200]}"


def _error_text(error, cell_timeout: float) -> str:
    if error.ename == "KeyboardInterrupt":
        return f"the cell did not finish in {cell_timeout:g} s (interrupted)"
    return f"{error.ename}: {str(error.evalue)[:200]}"


def _answer(cell, nonce: str) -> dict | None:
    """The grading cell's JSON answer: its execute_result, after the nonce."""
    for o in cell.get("outputs", []):
        if o.output_type != "execute_result":
            continue
        try:
            text = ast.literal_eval(o.data.get("text/plain", ""))
        except (ValueError, SyntaxError):
            return None
        if isinstance(text, str) and text.startswith(nonce):
            try:
                return json.loads(text[len(nonce):])
            except ValueError:
                return None
    return None


def _run_worker(path: pathlib.Path, book: CourseNotebook, timeout: float,
                cell_timeout: float) -> dict:
    """Run one notebook in a worker process (python -m helpers.grade --worker ...) and
    its kernel, both killed after ``timeout`` seconds."""
    with tempfile.TemporaryDirectory(prefix="rnn-grade-worker-") as tmp:
        tmp = pathlib.Path(tmp)
        out, pid_file, log = tmp / "result.json", tmp / "kernel.pid", tmp / "worker.log"
        cmd = [sys.executable, "-m", "helpers.grade", "--worker", str(path.resolve()),
               book.name, str(out), str(cell_timeout), str(pid_file)]
        with open(log, "wb") as err:
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=subprocess.DEVNULL,
                                    stderr=err, start_new_session=True)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill(proc.pid, pid_file)
                proc.wait()
                return {"problem": f"the notebook did not finish in {timeout:g} s"}
        _kill(None, pid_file)           # a kernel left behind by a worker that crashed
        if out.exists():
            return json.loads(out.read_text())
        tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["no output"]
        return {"problem": f"the grader's worker failed ({tail[0][:200]})"}


def _kill(group: int | None, pid_file: pathlib.Path) -> None:
    """Kill the worker's process group and the kernel's (it starts its own session)."""
    for pid in (group, _read_pid(pid_file)):
        if pid is not None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass


def _read_pid(path: pathlib.Path) -> int | None:
    try:
        return int(path.read_text())
    except (OSError, ValueError):
        return None


# ------------------------------------------------------------------ submissions
@dataclasses.dataclass
class Submission:
    learner: str
    file: str                           # the name shown in the CSV
    path: pathlib.Path | None
    kind: str                           # "notebook", "export", or "bad"
    problem: str = ""


def learner_id(filename: str, pattern: str | None) -> str:
    if pattern:
        m = re.search(pattern, filename)
        if m:
            return m.groupdict().get("id") or (m.group(1) if m.groups() else m.group(0))
    return filename.rsplit(".", 1)[0]


def _is_export(path: pathlib.Path) -> bool:
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("kind") == EXPORT_KIND
    except Exception:
        return False


def collect(args: list[str], pattern: str | None,
            unpack: pathlib.Path) -> list[Submission]:
    """Every notebook and progress export in the given files, folders and zips (a zip's
    members are unpacked into ``unpack`` under new names, never their own paths)."""
    found = []

    def add(name: str, path: pathlib.Path | None, size: int) -> None:
        kind, problem = ("notebook" if name.endswith(".ipynb") else "export"), ""
        if size > MAX_FILE:
            kind, problem = "bad", f"could not run: the file is {size / 2 ** 20:.0f} MB"
        found.append(Submission(learner_id(name, pattern), name, path, kind, problem))

    def bad(name: str, problem: str) -> None:
        found.append(Submission(learner_id(name, pattern), name, None, "bad", problem))

    def add_zip(p: pathlib.Path) -> None:
        try:
            with zipfile.ZipFile(p) as z:
                for info in z.infolist():
                    name = pathlib.PurePosixPath(info.filename).name
                    skip = any(s in info.filename
                               for s in ("__MACOSX", ".ipynb_checkpoints"))
                    if info.is_dir() or skip or not name.endswith((".ipynb", ".json")):
                        continue
                    target = unpack / f"{len(found)}_{name}"
                    if info.file_size <= MAX_FILE:
                        target.write_bytes(z.read(info))
                    if name.endswith(".ipynb") or _is_export(target):
                        add(name, target, info.file_size)
        except (zipfile.BadZipFile, OSError) as e:
            bad(p.name, f"could not run: not a readable zip file ({type(e).__name__})")

    for arg in args:
        p = pathlib.Path(arg)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if not f.is_file() or ".ipynb_checkpoints" in f.parts:
                    continue
                if f.suffix == ".zip":
                    add_zip(f)
                elif f.suffix == ".ipynb" or (f.suffix == ".json" and _is_export(f)):
                    add(f.name, f, f.stat().st_size)
        elif p.suffix == ".zip":
            add_zip(p)
        elif p.is_file():
            add(p.name, p, p.stat().st_size)
        else:
            bad(p.name, "could not run: no such file")
    return found


# ------------------------------------------------------------------ rows
def _row(sub: Submission, topic="", fw="", exercise="", status="", hint="", kind="",
         seconds="", note="") -> dict:
    values = [sub.learner, sub.file, topic, fw, exercise, status, hint, kind, seconds,
              note]
    return dict(zip(COLUMNS, values))


def grade_notebook(sub: Submission, books: list, timeout: float,
                   cell_timeout: float) -> tuple[list, list]:
    """(rows, feedback entries) for one notebook submission; never raises."""
    try:
        nb = json.loads(sub.path.read_text(encoding="utf-8"))
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            raise ValueError("no list of cells")
        cells = _code_cells(nb)
    except (ValueError, UnicodeDecodeError) as e:
        return [_row(sub, status="error",
                     note=f"could not run: not a notebook ({str(e)[:80]})")], []
    book = recognise(cells, sub.file, books)
    if book is None:
        note = "could not run: no exercise of the course found in this notebook"
        return [_row(sub, status="error", note=note)], []
    started = time.monotonic()
    result = _run_worker(sub.path, book, timeout, cell_timeout)
    seconds = time.monotonic() - started
    rows, feedback = [], []
    for eid, fw in book.exercises:
        r = result.get("exercises", {}).get(eid)
        status, hint, kind, note, secs = _outcome(eid, r, result)
        rows.append(_row(sub, book.topic, fw, eid, status, hint, kind, secs, note))
        feedback.append((book, eid, fw, status, r or {}, note))
    solved = sum(r["status"] == "correct" for r in rows)
    note = "; ".join([book.name] + list(result.get("notes", [])))
    rows.append(_row(sub, book.topic, book.framework, "(summary)",
                     f"{solved} of {len(rows)} correct", seconds=f"{seconds:.1f}",
                     note=note))
    return rows, feedback


def _outcome(eid: str, r: dict | None, result: dict) -> tuple:
    """(status, hint id, hint kind, note, seconds) for one exercise."""
    if eid in result.get("missing", []):
        missing = f"could not run: no cell marked '# ✏️ EXERCISE {eid}'"
        return "error", "", "", missing, ""
    if r is None:
        problem = result.get("problem") or "no verdict came back from the kernel"
        timed_out = "did not finish" in problem or "time limit" in problem
        status = "timed out" if timed_out else "error"
        return status, "", "", f"could not run: {problem}", ""
    if r["status"] == "cell-error":
        if "did not finish" in r["error"]:
            return "timed out", "", "", "the exercise " + r["error"].split(" ", 1)[1], ""
        return "error", "", "", f"the exercise cell raised {r['error']}", ""
    if r["status"] == "grading-error":
        return "error", "", "", f"could not grade: {r['error']}", ""
    if r["status"] == "undefined":
        return "error", "", "", f"the exercise cell ran but did not define {eid}", ""
    status = "timed out" if r.get("reason") == "timeout" else STATUS[r["status"]]
    hint = r.get("reason", "") if status not in ("correct", "not attempted") else ""
    note = "; ".join(f"tampering: {t}" for t in r.get("tampering", []))
    return status, hint, r.get("hint_kind", ""), note, f"{r.get('seconds', 0):.2f}"


def export_rows(sub: Submission) -> list[dict]:
    """Self-reported quiz scores from a progress export, one row per quiz part."""
    try:
        quizzes = json.loads(sub.path.read_text(encoding="utf-8"))["quizzes"]
        rows = []
        for key in sorted(quizzes):
            q = quizzes[key]
            rows.append(_row(sub, str(q["topic"])[:2], q.get("framework") or "",
                             f"quiz {q['topic']} {q['part']}",
                             f"{int(q['right'])} of {int(q['total'])} right",
                             note=SELF_REPORTED))
        return rows
    except Exception as e:
        return [_row(sub, status="error",
                     note=f"could not read the progress export ({type(e).__name__})")]


def feedback_markdown(learner: str, entries: list) -> str:
    """One learner's feedback: per notebook, each verdict as the check said it, and the
    first hint of each exercise not yet solved."""
    lines = [f"# Feedback for {learner}"]
    current = None
    for book, eid, fw, status, r, note in entries:
        if book.name != current:
            current = book.name
            lines += ["", f"## {book.name}", ""]
        icon = {"correct": "✅", "not yet": "❌", "not attempted": "⏳"}.get(status, "⚠️")
        said = r.get("message") or note or status
        lines.append(f"- {icon} **{eid}** ({status}): {said}")
        lines += [f"  {n.strip()}" for n in r.get("notes", [])[:3]]
        if status == "not yet" and r.get("hint"):
            lines.append(f"  - More help: {r['hint']}")
        if note and r.get("message"):
            lines.append(f"  - Note: {note}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ the command
def grade_all(paths: list[str], out: str | None, feedback: str | None = None,
              jobs: int | None = None, id_pattern: str | None = None,
              timeout: float = 300, cell_timeout: float = 30) -> list[dict]:
    """Grade every submission in ``paths``; write the CSV to ``out`` (if given) and the
    feedback files into ``feedback`` (if given); return the rows."""
    books = course_notebooks()
    with tempfile.TemporaryDirectory(prefix="rnn-grade-zip-") as unpack:
        subs = collect(paths, id_pattern, pathlib.Path(unpack))
        notebooks = [s for s in subs if s.kind == "notebook"]
        workers = max(1, jobs or os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            graded = dict(zip(map(id, notebooks), pool.map(
                lambda s: grade_notebook(s, books, timeout, cell_timeout), notebooks)))
        rows, entries = [], {}
        for s in subs:
            if s.kind == "bad":
                rows.append(_row(s, status="error", note=s.problem))
            elif s.kind == "export":
                rows += export_rows(s)
            else:
                rows += graded[id(s)][0]
                entries.setdefault(s.learner, []).extend(graded[id(s)][1])
    rows.sort(key=lambda r: (r["learner"], r["file"],
                             r["exercise"].startswith(("(", "quiz"))))
    if out:
        with open(out, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    if feedback:
        folder = pathlib.Path(feedback)
        folder.mkdir(parents=True, exist_ok=True)
        for learner, items in entries.items():
            name = re.sub(r"[^\w.-]", "_", learner) + ".md"
            text = feedback_markdown(learner, items)
            (folder / name).write_text(text, encoding="utf-8")
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:        # one notebook, in its own process (_run_worker)
        # nbformat's validator imports jsonschema, whose optional IRI check compiles a
        # grammar for a second at import; the grader validates nothing: do without it.
        sys.modules.setdefault("rfc3987_syntax", None)
        path, name, out, cell_timeout, pid_file = argv[1:6]
        result = run_notebook(pathlib.Path(path), course_notebooks(name)[0],
                              float(cell_timeout), pid_file)
        pathlib.Path(out).write_text(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(prog="python -m helpers.grade",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", nargs="+", help="notebooks, folders or zips")
    parser.add_argument("--out", default="grades.csv", help="default grades.csv")
    parser.add_argument("--feedback", help="a folder for one Markdown file per learner")
    parser.add_argument("--jobs", type=int, default=None,
                        help="notebooks graded at once (default: the number of cores)")
    parser.add_argument("--id-pattern", help="a regular expression for the learner id "
                                             "in a file name (its first group)")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds per notebook (default 300)")
    parser.add_argument("--cell-timeout", type=float, default=30,
                        help="seconds per exercise cell (default 30)")
    a = parser.parse_args(argv)
    start = time.monotonic()
    rows = grade_all(a.submissions, a.out, a.feedback, a.jobs, a.id_pattern, a.timeout,
                     a.cell_timeout)
    notebooks = sum(r["exercise"] == "(summary)" for r in rows)
    learners = len({r["learner"] for r in rows})
    print(f"Graded {notebooks} notebook(s) of {learners} learner(s) in "
          f"{time.monotonic() - start:.0f} s: {a.out}"
          + (f", feedback in {a.feedback}/" if a.feedback else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
