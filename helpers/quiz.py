"""Quizzes with instant feedback, built from core ipywidgets only.

Question banks are JSON files in ``data/quizzes/`` (one per topic, shared by both notebooks of a
pair). A bank holds named parts ("warmup", "closing"), each a list of questions:

* ``single``:   one correct option; ``options: [{text, correct, explain}]``
* ``multiple``: one or more correct options, the learner ticks all that apply
* ``numeric``:  ``answer`` and ``tolerance``; ``explain`` for a right answer, ``wrong_explain`` for a
  wrong one, and optional ``common_wrong: [{value, explain}]`` for answers we expect people to give

A question may carry ``frameworks: ["torch"]`` to appear only in that framework's notebook.

Options are written in the bank in any order (the bank order is the canonical index: the answer key,
``correct`` flags, ``RadioButtons.value`` and ``Question.boxes`` all use it), but the widget shows
them shuffled: ``display_order(id, n)`` derives a fixed permutation from the question id, the same
on every run, in every process and in both notebooks of a pair. ``Question.order`` lists the bank
indexes in the order the learner sees them. A question may carry ``order_seed`` (a string) to seed
that shuffle instead of its id: questions that share one option set (a family such as 06's
"patterns") share one seed, so the options keep one order across the family; a seed is also how a
part avoids showing its right options in one position (tests/test_quiz.py holds every part to that).
Feedback is written into widget values (``HTMLMath.value``), never into an ``Output`` capture,
so it works with ipywidgets 7.7.1 (Colab) and 8 (JupyterLab 4) and tests can read it in-process.
Changing an answer after a Check greys the verdict out ("press Check again") and takes the question
out of the score until it is checked again. Each Check saves the quiz's score for
:func:`helpers.progress.show_progress`.
"""
from __future__ import annotations

import hashlib
import html
import json
import math
import pathlib
import random
import sys
import time
from typing import Any

import ipywidgets as w

BANKS = pathlib.Path(__file__).resolve().parents[1] / "data" / "quizzes"
TYPES = ("single", "multiple", "numeric")
RIGHT_STYLE = "color:#1b7f3b"
WRONG_STYLE = "color:#b3261e"
NOTE_STYLE = "color:#8a5a00"
STALE_STYLE = "color:#6b6b6b"
CHANGED_NOTE = "Answer changed: press Check again."
QUIZ_FALLBACK = ("Quiz: run this cell to take it (the buttons need a running kernel). "
                 "If the buttons do nothing, run this cell again.")
# Shown when the quiz is not connected to a kernel: under the widget after a page reload (where the
# widget itself cannot be drawn), inside it after a kernel restart (ipywidgets then marks every view
# "jupyter-widgets-disconnected"). While the quiz is live, its own style hides both.
OFFLINE_NOTE = ("⚠️ This quiz is not connected to a running kernel (after a restart or a page reload): "
                "run this cell again (Shift+Enter) to take it. Your earlier answers and verdicts come back "
                "from your progress file.")
RESTORED_NOTE = "Your earlier answers and verdicts are back, from your progress file."
# A changed answer that reaches the kernel this soon after a Check is graded at once: on a busy kernel
# the browser sends the click before the new choice, so that Check graded the choice before it.
REGRADE_WINDOW_S = 1.5


# --------------------------------------------------------------------------- banks
def load_bank(topic: str) -> dict:
    """The bank of ``topic`` (file name without .json), validated."""
    path = BANKS / f"{topic}.json"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in BANKS.glob("*.json")))
        raise FileNotFoundError(f"No quiz bank {topic!r} in data/quizzes (known: {known})")
    bank = json.loads(path.read_text(encoding="utf-8"))
    problems = validate_bank(bank)
    if problems:
        raise ValueError(f"Quiz bank {topic!r} is invalid: " + "; ".join(problems))
    return bank


def validate_bank(bank: dict) -> list[str]:
    """Every problem with a bank, as readable strings (an empty list means valid)."""
    problems, seen, seeded = [], set(), {}
    parts = bank.get("parts")
    if not isinstance(parts, dict) or not parts:
        return ["the bank has no 'parts'"]
    for part_name, part in parts.items():
        questions = part.get("questions", [])
        if not questions:
            problems.append(f"part {part_name!r} has no questions")
        for q in questions:
            qid = q.get("id", "?")
            if qid in seen:
                problems.append(f"duplicate id {qid!r}")
            seen.add(qid)
            if not str(q.get("prompt", "")).strip():
                problems.append(f"{qid}: empty prompt")
            kind = q.get("type")
            if kind not in TYPES:
                problems.append(f"{qid}: type must be one of {TYPES}, not {kind!r}")
                continue
            if kind == "numeric":
                if not isinstance(q.get("answer"), (int, float)):
                    problems.append(f"{qid}: numeric question without a numeric 'answer'")
                if not isinstance(q.get("tolerance", 0), (int, float)) or q.get("tolerance", 0) < 0:
                    problems.append(f"{qid}: 'tolerance' must be a number >= 0")
                for key in ("explain", "wrong_explain"):
                    if not str(q.get(key, "")).strip():
                        problems.append(f"{qid}: numeric question without '{key}'")
                for c in q.get("common_wrong", []):
                    if not isinstance(c.get("value"), (int, float)) or not str(c.get("explain", "")).strip():
                        problems.append(f"{qid}: every common_wrong needs a numeric value and an explanation")
                    elif _close(c["value"], q.get("answer", math.nan), q.get("tolerance", 0)):
                        problems.append(f"{qid}: common_wrong value {c['value']} counts as right")
                continue
            options = q.get("options", [])
            if "order_seed" in q:                 # one seed, one option list (a family)
                seed, texts = q["order_seed"], [o.get("text") for o in options]
                if not isinstance(seed, str) or not seed.strip():
                    problems.append(f"{qid}: 'order_seed' must be a non-empty string")
                elif seeded.setdefault(seed, (qid, texts))[1] != texts:
                    problems.append(f"{qid}: shares order_seed {seed!r} with {seeded[seed][0]} "
                                    "but not its options in the same bank order")
            if len(options) < 2:
                problems.append(f"{qid}: needs at least two options")
            texts = [o.get("text", "") for o in options]
            if len(set(texts)) != len(texts):
                problems.append(f"{qid}: two options have the same text")
            for o in options:
                if not isinstance(o.get("correct"), bool):
                    problems.append(f"{qid}: option {o.get('text', '?')!r} needs correct: true/false")
                if not str(o.get("explain", "")).strip():
                    problems.append(f"{qid}: option {o.get('text', '?')!r} has no explanation")
            n_right = sum(o.get("correct") is True for o in options)
            if kind == "single" and n_right != 1:
                problems.append(f"{qid}: a single-choice question needs exactly one correct option, has {n_right}")
            if kind == "multiple" and not 1 <= n_right < len(options):
                problems.append(f"{qid}: a multiple-choice question needs some but not all options correct")
    return problems


def _close(value: float, answer: float, tol: float) -> bool:
    return abs(value - answer) <= tol + 1e-12 * max(1.0, abs(answer))


def parse_number(text: str) -> float | None:
    """'1,024' -> 1024.0, ' 0.5 ' -> 0.5, '' or 'abc' -> None."""
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def display_order(qid: str, n: int) -> list[int]:
    """The bank indexes 0..n-1 in the order the widget shows the options of question ``qid``.

    A fixed shuffle seeded from a SHA-256 of the id (not the salted built-in ``hash``), so it is the
    same on every run and in every process, and the same in the PyTorch and TensorFlow notebooks.
    """
    order = list(range(n))
    random.Random(int(hashlib.sha256(qid.encode("utf-8")).hexdigest(), 16)).shuffle(order)
    return order


def question_order(q: dict) -> list[int]:
    """The display order of question ``q``'s options: ``display_order`` seeded by its ``order_seed``
    when it has one, else by its id (``[]`` for a numeric question)."""
    return display_order(q.get("order_seed", q["id"]), len(q.get("options", [])))


# --------------------------------------------------------------------------- widgets
def _para(style: str, text: str) -> str:
    return f"<div style='{style}'>{text}</div>"


class Question:
    """One question: prompt, answer input, Check button and a feedback line.

    Options are shown in ``order`` (bank indexes in display order, see ``display_order``); everything
    else is indexed in bank order: ``input.value`` of a single-choice question is the bank index of
    the chosen option, and ``boxes[i]`` is the checkbox of bank option ``i`` wherever it is shown.
    """

    def __init__(self, q: dict, number: int, on_checked=None, on_changed=None):
        self.q = q
        self.kind = q["type"]
        self.correct: bool | None = None          # None until checked with an answer (again after a change)
        self._on_checked = on_checked
        self._on_changed = on_changed
        self._shown = ""                          # what the feedback line holds: "", "nudge", "verdict", "changed"
        self._checked_at = -1e9                   # time.monotonic() of the last Check that gave a verdict
        self.order: list[int] = question_order(q)
        self.prompt = w.HTMLMath(value=f"<b>Q{number}.</b> {q['prompt']}")
        full = w.Layout(width="auto")
        if self.kind == "single":
            self.input = w.RadioButtons(options=[(q["options"][i]["text"], i) for i in self.order],
                                        value=None, layout=full)
        elif self.kind == "multiple":
            self.boxes = [w.Checkbox(value=False, description=o["text"], indent=False, layout=full)
                          for o in q["options"]]
            self.input = w.VBox([w.HTML("<i>Tick every option that applies.</i>"),
                                 *[self.boxes[i] for i in self.order]])
        else:
            self.input = w.Text(value="", placeholder="type a number", layout=w.Layout(width="16em"))
        self.button = w.Button(description="Check", button_style="primary", layout=w.Layout(width="8em"))
        self.button.on_click(lambda _: self.check())
        self.feedback = w.HTMLMath(value="")
        self.widget = w.VBox([self.prompt, self.input, self.button, self.feedback],
                             layout=w.Layout(margin="0 0 12px 0"))
        for source in (self.boxes if self.kind == "multiple" else [self.input]):
            source.observe(self._answer_changed, names="value")

    def _answer_changed(self, change=None) -> None:
        """The learner changed the answer: the verdict shown is for the old one.

        A change that arrives right after a Check (REGRADE_WINDOW_S) is graded at once: the learner
        pressed Check on the answer they see, and the kernel only heard of it after the click."""
        if self._shown == "verdict" and time.monotonic() - self._checked_at < REGRADE_WINDOW_S:
            self.check()
            return
        if self._shown in ("verdict", "changed"):
            self.feedback.value = _para(STALE_STYLE, f"<i>↺ {CHANGED_NOTE}</i>")
            self._shown = "changed"
        elif self._shown == "nudge":
            self.feedback.value = ""                  # "pick an answer first" is done with
            self._shown = ""
        if self.correct is not None:
            self.correct = None
            if self._on_changed:
                self._on_changed()

    # what the learner has entered -------------------------------------------------------
    def answer(self) -> Any:
        if self.kind == "single":
            return self.input.value
        if self.kind == "multiple":
            return {i for i, b in enumerate(self.boxes) if b.value}
        return self.input.value

    def check(self) -> None:
        """Grade the current answer and write the feedback; an empty answer only gets a nudge."""
        verdict = getattr(self, f"_check_{self.kind}")(self.answer())
        if verdict is None:
            return
        self.correct = verdict
        self._checked_at = time.monotonic()
        if self._on_checked:
            self._on_checked()

    def saved_answer(self) -> Any:
        """The current answer as JSON: a bank index, a list of them, or the text typed."""
        answer = self.answer()
        return sorted(answer) if isinstance(answer, set) else answer

    def restore(self, saved: Any) -> bool:
        """Put back an answer saved by saved_answer() and show its verdict, without saving again.
        False (and nothing changed) when it does not fit this question."""
        n = len(self.q.get("options", []))
        if self.kind == "single" and isinstance(saved, int) and not isinstance(saved, bool) and 0 <= saved < n:
            self.input.value = saved
        elif self.kind == "multiple" and isinstance(saved, list) and saved \
                and all(isinstance(i, int) and 0 <= i < n for i in saved):
            for i, box in enumerate(self.boxes):
                box.value = i in saved
        elif self.kind == "numeric" and isinstance(saved, str) and saved.strip():
            self.input.value = saved
        else:
            return False
        verdict = getattr(self, f"_check_{self.kind}")(self.answer())
        self.correct = verdict
        return verdict is not None

    def _nudge(self, text: str) -> None:
        self._shown = "nudge"
        self.feedback.value = _para(NOTE_STYLE, f"✋ {text}")

    def _verdict(self, right: bool, body: str) -> bool:
        head = "✅ Correct." if right else "❌ Not quite."
        self.feedback.value = _para(RIGHT_STYLE if right else WRONG_STYLE, f"<b>{head}</b> {body}")
        self._shown = "verdict"
        return right

    def _check_single(self, choice):
        if choice is None:
            return self._nudge("Pick an answer first, then press Check.")
        option = self.q["options"][choice]
        return self._verdict(option["correct"], option["explain"])

    def _check_multiple(self, chosen: set):
        if not chosen:
            return self._nudge("Tick at least one option first, then press Check.")
        options = self.q["options"]
        right = {i for i, o in enumerate(options) if o["correct"]}
        if chosen == right:                                  # explanations in the order shown
            return self._verdict(True, " ".join(options[i]["explain"] for i in self.order if i in right))
        notes = [f"<br>• <i>{html.escape(options[i]['text'])}</i>: {options[i]['explain']}"
                 for i in self.order if i in chosen - right]
        missing = right - chosen
        if missing:
            notes.append(f"<br>• You left out {len(missing)} right option{'s' if len(missing) > 1 else ''}: "
                         "look again at the ones you did not tick.")
        return self._verdict(False, "".join(notes))

    def _check_numeric(self, text: str):
        if not text.strip():
            return self._nudge("Type a number first, then press Check.")
        value = parse_number(text)
        if value is None:
            return self._nudge(f"“{html.escape(text.strip())}” is not a number: type digits only, "
                               "for example 42 or 0.5.")
        q = self.q
        if _close(value, q["answer"], q.get("tolerance", 0)):
            return self._verdict(True, q["explain"])
        for c in q.get("common_wrong", []):
            if _close(value, c["value"], q.get("tolerance", 0)):
                return self._verdict(False, c["explain"])
        return self._verdict(False, q["wrong_explain"])


class Quiz:
    """The questions of one part of a bank, with a running score line.

    >>> qz = Quiz("01_from_ffn_to_rnn", "warmup", framework="torch")
    >>> qz.questions[0].input.value = 1; qz.questions[0].button.click()
    >>> qz.questions[0].feedback.value, qz.score.value
    """

    def __init__(self, topic: str, part: str, framework: str | None = None):
        self.topic, self.part, self.framework = topic, part, framework
        bank = load_bank(topic)
        if part not in bank["parts"]:
            raise KeyError(f"Quiz bank {topic!r} has no part {part!r} (parts: {', '.join(bank['parts'])})")
        spec = bank["parts"][part]
        qs = [q for q in spec["questions"]
              if framework is None or framework in q.get("frameworks", [framework])]
        self.title = spec.get("title", part)
        self.note = ""                            # one line under the score (progress not saved, ...)
        self.questions = [Question(q, i + 1, self._checked, self._update_score) for i, q in enumerate(qs)]
        self.score = w.HTML(value="")
        self.uid = "rnn-quiz-" + hashlib.sha256(f"{topic}|{part}|{framework}".encode()).hexdigest()[:10]
        self._restore()
        self._update_score()
        header = w.HTML(value=f"<h4 style='margin:4px 0'>📝 {html.escape(self.title)}</h4>" + self._live_style())
        self.widget = w.VBox([header, *[q.widget for q in self.questions], self.score])
        self.widget.add_class("rnn-quiz")

    def _live_style(self) -> str:
        """While this quiz is drawn live: hide its offline note; once its kernel is gone (ipywidgets
        marks the views disconnected): show the note inside it and grey out its answers."""
        return (f"<style>.{self.uid}-offline{{display:none}} .rnn-quiz-lost{{display:none}} "
                ".jupyter-widgets-disconnected .rnn-quiz-lost{display:block} "
                ".rnn-quiz.jupyter-widgets-disconnected .widget-radio-box, "
                ".rnn-quiz.jupyter-widgets-disconnected .widget-checkbox, "
                ".rnn-quiz.jupyter-widgets-disconnected .widget-text, "
                ".rnn-quiz.jupyter-widgets-disconnected .widget-button"
                "{opacity:.45;pointer-events:none}</style>"
                f"<div class='rnn-quiz-lost' style='{NOTE_STYLE}'>{html.escape(OFFLINE_NOTE)}</div>")

    def _restore(self) -> None:
        """Answers checked before (this kernel or an earlier one) come back from the progress file."""
        try:
            from helpers import progress

            saved = progress.quiz_answers(self.topic, self.part, self.framework)
        except Exception:
            return
        restored = [q.restore(saved[q.q["id"]]) for q in self.questions if q.q["id"] in saved]
        if any(restored):
            self.note = RESTORED_NOTE

    def _ipython_display_(self, **kwargs) -> None:
        from helpers.checks import show_widget

        show_widget(self.widget, QUIZ_FALLBACK)

    def results(self) -> dict[str, bool | None]:
        """Question id -> True (checked, right), False (checked, wrong) or None (not checked)."""
        return {q.q["id"]: q.correct for q in self.questions}

    def _checked(self) -> None:
        self._update_score()
        _record(self)

    def _update_score(self) -> None:
        answered = sum(q.correct is not None for q in self.questions)
        right = sum(q.correct is True for q in self.questions)
        note = f"<br><span style='{NOTE_STYLE}'>{html.escape(self.note)}</span>" if self.note else ""
        self.score.value = (f"<b>Score: {right} / {len(self.questions)} correct</b> "
                            f"({answered} checked; you can change an answer and check again){note}")


_said: set[str] = set()


def _record(quiz: Quiz) -> None:
    """Save the quiz's score for the progress table; never breaks the quiz.

    This runs in a button callback, where printed text would not be seen: a problem to report
    goes under the score line instead.
    """
    def say(line: str) -> None:
        quiz.note = line
        quiz._update_score()

    try:
        from helpers import progress

        answers = {q.q["id"]: q.saved_answer() for q in quiz.questions if q.correct is not None}
        progress.record_quiz(quiz.topic, quiz.part, quiz.framework, quiz.results(), say=say, answers=answers)
    except Exception as e:
        if "progress" not in _said:
            _said.add("progress")
            say(f"(Your quiz score could not be saved: {type(e).__name__}.)")


def quiz(topic: str, part: str, framework: str | None = None) -> None:
    """Show one part of a topic's quiz in the notebook.

    Displayed with a readable text fallback (``QUIZ_FALLBACK``) for where the widget cannot run:
    a notebook opened without a kernel, or after a restart.
    """
    from helpers.checks import setup_note, show_widget

    note = setup_note()
    if note:
        print(note)
    qz = Quiz(topic, part, framework)
    show_widget(qz.widget, QUIZ_FALLBACK)
    if "google.colab" not in sys.modules:           # Colab draws each output apart: no style reaches it
        from IPython.display import display

        display({"text/html": f"<div class='{qz.uid}-offline' style='{NOTE_STYLE}'>{html.escape(OFFLINE_NOTE)}</div>",
                 "text/plain": OFFLINE_NOTE}, raw=True)
