"""The learner's progress, kept in a small JSON file so that it survives a kernel restart.

``check()`` records every exercise verdict and a quiz records its score at every Check, as the
learner produces them; ``show_progress()`` (in 00_start_here) and ``python -m helpers.progress``
(in a terminal) show one table: for each topic and framework, the exercises solved and the quiz
scores, with links to the notebooks.

The file is ``~/.rnn_course_progress.json`` unless the environment variable ``RNN_COURSE_PROGRESS``
names another. It holds::

    {"version": 1,
     "exercises": {"rnn_step|torch": {"exercise", "framework", "status" (the best so far), "last",
                                      "attempts", "time" (of the last verdict), "solved" (first correct)}},
     "quizzes": {"01_from_ffn_to_rnn|warmup|torch": {"topic", "part", "framework" (null: any), "right",
                                                     "total", "questions": {id: true / false / null}, "time"}}}

A quiz keeps, per question, the best result so far (right beats wrong beats unchecked); ``right`` counts
them. Writes are atomic (a temporary file in the same folder, fsync, ``os.replace``) and made under
an exclusive ``fcntl.flock`` on ``<file>.lock`` (where fcntl exists, i.e. not on Windows), reading,
changing and writing the file while holding it, so that two kernels saving at once lose nothing.
Recording never raises: a corrupt or unreadable file is set aside as ``<file>.corrupt-<time>`` and a
new one started, a folder that cannot be written saves nothing, and each such problem is said once,
in one line.
"""
from __future__ import annotations

import contextlib
import datetime
import html
import importlib
import json
import os
import pathlib
import pkgutil
import sys
import tempfile
from typing import Any, Callable

try:
    import fcntl
except ImportError:                       # Windows: atomic writes, but no lock between kernels
    fcntl = None

ENV = "RNN_COURSE_PROGRESS"
DEFAULT_NAME = ".rnn_course_progress.json"
VERSION = 1
RANK = {"not attempted": 0, "wrong": 1, "correct": 2}
FRAMEWORK_LABELS = {"numpy": "NumPy", "torch": "PyTorch", "tensorflow": "TensorFlow"}
COLAB_NOTE = "On Colab this file lives only as long as the runtime."
_said: set = set()


class _NotSaved(Exception):
    """A problem that stops this record from being saved (said once, never raised to the caller)."""


# --------------------------------------------------------------------------- the file
def progress_path() -> pathlib.Path:
    """Where progress is kept: $RNN_COURSE_PROGRESS, else ~/.rnn_course_progress.json."""
    named = os.environ.get(ENV, "").strip()
    return pathlib.Path(named).expanduser() if named else pathlib.Path.home() / DEFAULT_NAME


def _say_once(key: Any, line: str, say: Callable[[str], None] | None) -> None:
    if key in _said:
        return
    _said.add(key)
    try:
        (say or print)(line)
    except Exception:
        pass


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def _empty() -> dict:
    return {"version": VERSION, "exercises": {}, "quizzes": {}}


@contextlib.contextmanager
def _locked(path: pathlib.Path):
    """Hold an exclusive lock on ``<path>.lock`` (where fcntl exists) for a read-modify-write."""
    if fcntl is None:
        yield
        return
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:                   # a file system without locks: save unlocked rather than not at all
            pass
        yield
    finally:
        os.close(fd)                      # closing releases the lock


def _aside_name(path: pathlib.Path) -> pathlib.Path:
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    target, n = path.with_name(f"{path.name}.corrupt-{stamp}"), 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    return target


def _read(path: pathlib.Path, say=None, set_aside: bool = True) -> dict:
    """The stored progress; a corrupt or unreadable file is set aside (said once) and progress starts afresh."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return _empty()
    except OSError as e:
        return _bad(path, f"cannot be read ({e.strerror or type(e).__name__})", say, set_aside)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _bad(path, "is not valid JSON", say, set_aside)
    if not (isinstance(data, dict) and isinstance(data.get("exercises", {}), dict)
            and isinstance(data.get("quizzes", {}), dict)):
        return _bad(path, "does not hold course progress", say, set_aside)
    data.setdefault("exercises", {})
    data.setdefault("quizzes", {})
    data["version"] = VERSION
    return data


def _bad(path: pathlib.Path, reason: str, say, set_aside: bool) -> dict:
    if not set_aside:
        _say_once(("bad", str(path)), f"⚠️ Your course progress file {path} {reason}: "
                                      f"it will be set aside at the next save.", say)
        return _empty()
    target = _aside_name(path)
    try:
        os.replace(path, target)
    except OSError as e:
        raise _NotSaved(f"{path} {reason} and cannot be set aside ({e.strerror or type(e).__name__})") from None
    _say_once(("bad", str(path)), f"⚠️ Your course progress file {path} {reason}: it was set aside as "
                                  f"{target.name} and a new one was started.", say)
    return _empty()


def _write(path: pathlib.Path, data: dict) -> None:
    """Replace ``path`` with ``data`` atomically: a temporary file in the same folder, fsync, os.replace."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True, ensure_ascii=False)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError, AttributeError):    # the rename itself survives a crash too
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _update(change: Callable[[dict], None], say=None) -> bool:
    """Read, change and write the progress file under the lock. True when saved; never raises."""
    try:
        path = pathlib.Path(os.path.realpath(progress_path()))
    except Exception as e:                # no home folder
        _say_once("no-path", f"⚠️ Your progress is not being saved: there is no home folder ({e}). "
                             f"Set {ENV} to a file you can write to.", say)
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(path):
            data = _read(path, say)
            change(data)
            _write(path, data)
        return True
    except _NotSaved as e:
        _say_once(("not-saved", str(path)), f"⚠️ Your progress is not being saved: {e}.", say)
    except OSError as e:
        _say_once(("write", str(path)), f"⚠️ Your progress is not being saved: cannot write {path} "
                                        f"({e.strerror or type(e).__name__}). Set {ENV} to a file in a "
                                        f"folder you can write to.", say)
    except Exception as e:
        _say_once(("error", str(path)), f"⚠️ Your progress is not being saved ({type(e).__name__}: {e}).", say)
    return False


def load(say=None) -> dict:
    """The stored progress (empty when there is none); never raises."""
    try:
        path = progress_path()
    except Exception:
        return _empty()
    try:
        with _locked(path):
            return _read(path, say)
    except Exception:                     # cannot lock (read-only folder) or set aside: read as it is
        try:
            return _read(path, say, set_aside=False)
        except Exception:
            return _empty()


# --------------------------------------------------------------------------- recording
def record_exercise(exercise_id: str, framework: str, status: str, say=None) -> bool:
    """Save one verdict of ``check()``; the entry keeps the best status so far. Never raises.

    ``status``: "correct", "wrong" or "not attempted". ``say`` shows a problem (default: print).
    """
    if status not in RANK:
        return False
    stamp = _now()

    def change(data: dict) -> None:
        key = f"{exercise_id}|{framework}"
        old = data["exercises"].get(key)
        old = old if isinstance(old, dict) else {}
        best = old.get("status") if RANK.get(old.get("status"), -1) > RANK[status] else status
        attempts = old.get("attempts")
        entry = {"exercise": exercise_id, "framework": framework, "status": best, "last": status,
                 "attempts": (attempts if isinstance(attempts, int) else 0) + 1, "time": stamp}
        solved = old.get("solved") or (stamp if status == "correct" else None)
        if solved:
            entry["solved"] = solved
        data["exercises"][key] = entry

    return _update(change, say)


def _better(a: Any, b: Any) -> bool | None:
    rank = {True: 2, False: 1}
    return a if rank.get(a, 0) >= rank.get(b, 0) else b


def record_quiz(topic: str, part: str, framework: str | None, results: dict, say=None,
                answers: dict | None = None) -> bool:
    """Save a quiz's results ({question id: True / False / None}); keeps each question's best. Never raises.

    ``answers`` ({question id: the answer last checked, JSON-able}) are kept too, the latest of each
    question, so that a quiz run again (after a restart or a reload) shows them back: quiz_answers().
    """
    stamp = _now()
    results = {str(k): (v if isinstance(v, bool) else None) for k, v in dict(results).items()}
    answers = {str(k): v for k, v in dict(answers or {}).items()}

    def change(data: dict) -> None:
        key = f"{topic}|{part}|{framework or 'any'}"
        old = data["quizzes"].get(key)
        old = old.get("questions") if isinstance(old, dict) else None
        old = {k: v for k, v in old.items() if isinstance(v, bool) or v is None} if isinstance(old, dict) else {}
        merged = {qid: _better(old.get(qid), results.get(qid)) for qid in {*old, *results}}
        kept = data["quizzes"].get(key, {}).get("answers") if isinstance(data["quizzes"].get(key), dict) else None
        kept = dict(kept) if isinstance(kept, dict) else {}
        kept.update(answers)
        data["quizzes"][key] = {"topic": topic, "part": part, "framework": framework,
                                "right": sum(merged[qid] is True for qid in results), "total": len(results),
                                "questions": merged, "answers": kept, "time": stamp}

    return _update(change, say)


def quiz_answers(topic: str, part: str, framework: str | None) -> dict:
    """The answers last checked in a quiz ({question id: answer}), from the progress file; {} if none."""
    try:                                   # read only: a damaged file is dealt with when something is saved
        data = _read(progress_path(), lambda line: None, set_aside=False)
    except Exception:
        return {}
    quizzes = data.get("quizzes") if isinstance(data, dict) else None
    entry = quizzes.get(f"{topic}|{part}|{framework or 'any'}") if isinstance(quizzes, dict) else None
    answers = entry.get("answers") if isinstance(entry, dict) else None
    return dict(answers) if isinstance(answers, dict) else {}


# --------------------------------------------------------------------------- the table
def _exercises_by_topic() -> dict[str, list]:
    """Topic number ("01") -> the exercises of helpers/exercises/ex01.py, in their order."""
    import helpers.exercises as package

    topics = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("ex") and info.name[2:].isdigit():
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            topics[info.name[2:].zfill(2)] = [ex for ex in module.EXERCISES if ex.id in package.EXERCISES]
    return topics


def _quiz_parts(number: str, framework: str | None) -> list[tuple[str, str, list[str]]]:
    """(bank, part, question ids) of topic ``number``'s quiz bank, as the notebook of ``framework`` shows it."""
    from helpers.course import DATA

    parts = []
    for bank_path in sorted((DATA / "quizzes").glob(f"{number}_*.json")):
        bank = json.loads(bank_path.read_text(encoding="utf-8"))
        for part, spec in bank.get("parts", {}).items():
            ids = [q["id"] for q in spec.get("questions", [])
                   if framework is None or framework in q.get("frameworks", [framework])]
            parts.append((bank_path.stem, part, ids))
    return parts


def _notebooks() -> list[tuple[str, str, str, str | None, str]]:
    """(topic number, topic title, exercise framework, quiz framework, notebook file) per notebook."""
    from helpers.course import APPENDICES, TOPICS

    rows = [("00", "Start here", "numpy", None, "00_start_here.ipynb")]
    for number, stem, blurb in TOPICS:
        for fw, suffix in (("torch", "pytorch"), ("tensorflow", "tensorflow")):
            rows.append((number, blurb.split(":")[0].strip(), fw, fw, f"{number}_{stem}_{suffix}.ipynb"))
    for number, stem, blurb in APPENDICES:                # one notebook, both frameworks
        rows.append((number, blurb.split(":")[1].split(";")[0].strip().capitalize(), "numpy", None,
                     f"{number}_{stem}.ipynb"))
    return rows


def rows(data: dict | None = None) -> list[dict]:
    """One dict per notebook: topic, title, framework, notebook, solved, total, tried, quizzes.

    ``quizzes`` is a list of {part, right, total, taken}. ``data`` defaults to the stored progress.
    """
    data = load() if data is None else data
    exercises = data.get("exercises", {}) if isinstance(data, dict) else {}
    quizzes = data.get("quizzes", {}) if isinstance(data, dict) else {}
    by_topic = _exercises_by_topic()
    table = []
    for number, title, fw, quiz_fw, notebook in _notebooks():
        mine = [ex for ex in by_topic.get(number, []) if fw in ex.solutions]
        status = [(exercises.get(f"{ex.id}|{fw}") or {}) for ex in mine]
        status = [s.get("status") if isinstance(s, dict) else None for s in status]
        scores = []
        for bank, part, ids in _quiz_parts(number, quiz_fw):
            stored = [quizzes.get(f"{bank}|{part}|{key}") for key in ((quiz_fw, "any") if quiz_fw else ("any",))]
            best: dict = {}
            for entry in stored:
                answers = entry.get("questions") if isinstance(entry, dict) else None
                for qid, value in (answers.items() if isinstance(answers, dict) else ()):
                    best[qid] = _better(best.get(qid), value)
            scores.append({"part": part, "right": sum(best.get(qid) is True for qid in ids), "total": len(ids),
                           "taken": any(best.get(qid) is not None for qid in ids)})
        table.append({"topic": number, "title": title, "framework": fw, "notebook": notebook,
                      "solved": status.count("correct"), "total": len(mine),
                      "tried": sum(s in RANK for s in status), "quizzes": scores})
    return table


def _quiz_text(scores: list[dict]) -> str:
    return ", ".join(f"{s['part']} {s['right'] if s['taken'] else '-'}/{s['total']}" for s in scores) or "no quiz"


def _exercise_text(row: dict) -> str:
    return f"{row['solved']} / {row['total']}" if row["total"] else "none"


def progress_table(fmt: str = "markdown", link_prefix: str | None = None, data: dict | None = None) -> str:
    """The progress table as "markdown", "html" or "text" (plain, for a terminal).

    Links point at the notebooks from ``link_prefix`` (default: "" for markdown and HTML, which
    suit a notebook in notebooks/; "notebooks/" for text); HTML and markdown add a Colab link.
    """
    from helpers.course import colab_url

    if fmt not in ("markdown", "html", "text"):
        raise ValueError(f"fmt must be 'markdown', 'html' or 'text', not {fmt!r}")
    prefix = link_prefix if link_prefix is not None else ("notebooks/" if fmt == "text" else "")
    table = rows(data)
    head = ["#", "topic", "framework", "exercises solved", "quizzes (right / questions)", "notebook"]
    from helpers.course import APPENDICES

    both = {number for number, _, _ in APPENDICES}     # one notebook importing both frameworks

    def label(r):
        if r["topic"] == "00":
            return "any"
        return "both" if r["topic"] in both else FRAMEWORK_LABELS.get(r["framework"], r["framework"])

    body = [[r["topic"], r["title"], label(r), _exercise_text(r), _quiz_text(r["quizzes"]),
             r["notebook"]] for r in table]
    solved, total = sum(r["solved"] for r in table), sum(r["total"] for r in table)
    right = sum(s["right"] for r in table for s in r["quizzes"])
    questions = sum(s["total"] for r in table for s in r["quizzes"])
    summary = f"Exercises solved: {solved} / {total}; quiz questions answered right: {right} / {questions}."
    if fmt == "text":
        cells = [head] + [row[:-1] + [prefix + row[-1]] for row in body]
        widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
        lines = ["  ".join(c[i].ljust(widths[i]) for i in range(len(head))).rstrip() for c in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines + ["", summary])
    if fmt == "markdown":
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in body:
            link = f"[{row[-1]}]({prefix}{row[-1]}) · [Colab]({colab_url('notebooks/' + row[-1])})"
            lines.append("| " + " | ".join(row[:-1] + [link]) + " |")
        return "\n".join(lines + ["", summary])
    cell = "style='text-align:left;padding:2px 10px'"
    out = ["<table>", "<tr>" + "".join(f"<th {cell}>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for row in body:
        name = row[-1]
        link = (f"<a href='{html.escape(prefix + name)}' target='_blank'>{html.escape(name)}</a> · "
                f"<a href='{html.escape(colab_url('notebooks/' + name))}' target='_blank'>Colab</a>")
        out.append("<tr>" + "".join(f"<td {cell}>{html.escape(c)}</td>" for c in row[:-1])
                   + f"<td {cell}>{link}</td></tr>")
    out += ["</table>", f"<p>{html.escape(summary)}</p>"]
    return "\n".join(out)


def _where() -> str:
    try:
        return f"Your progress is saved in {progress_path()} (set {ENV} to keep it elsewhere)."
    except Exception:
        return f"Set {ENV} to the file where your progress should be saved."


def show_progress() -> None:
    """Show the progress table in a notebook (HTML, with a plain-text fallback)."""
    from IPython.display import display

    data = load()
    where = f"{_where()} {COLAB_NOTE}"
    display({"text/html": progress_table("html", data=data) + f"\n<p><i>{html.escape(where)}</i></p>",
             "text/plain": progress_table("text", data=data) + "\n\n" + where}, raw=True)


EXPORT_KIND = "rnn-course-progress-export"


def export(path: str | os.PathLike) -> dict:
    """Write the learner's exercise verdicts and quiz scores (not their answers) to
    ``path``, for a teacher's ``python -m helpers.grade`` (self-reported scores)."""
    data = load()
    fields = ("topic", "part", "framework", "right", "total", "questions")
    quizzes = {key: {k: q.get(k) for k in fields}
               for key, q in data.get("quizzes", {}).items() if isinstance(q, dict)}
    out = {"kind": EXPORT_KIND, "version": VERSION, "exported": _now(),
           "exercises": data.get("exercises", {}), "quizzes": quizzes}
    text = json.dumps(out, indent=1, sort_keys=True) + "\n"
    pathlib.Path(path).write_text(text, encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--export"] and len(argv) == 2:
        out = export(argv[1])
        print(f"Exported {len(out['exercises'])} exercise verdict(s) and "
              f"{len(out['quizzes'])} quiz score(s) to {argv[1]}: hand this file in "
              f"with your notebooks.")
        return 0
    print(progress_table("text"))
    print()
    print(f"{_where()} {COLAB_NOTE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
