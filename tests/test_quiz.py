"""Quiz banks are valid and the widgets give the right feedback when driven like a learner would."""
import json
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import pytest

from helpers import quiz as qz

BANKS = sorted(p.stem for p in qz.BANKS.glob("*.json"))
KEY = {k: v for k, v in json.loads((pathlib.Path(__file__).parent / "quiz_answer_key.json").read_text()).items()
       if not k.startswith("_")}
ALL_QUESTIONS = [(topic, part, q) for topic in BANKS
                 for part, spec in qz.load_bank(topic)["parts"].items() for q in spec["questions"]]
ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_every_bank_is_valid_and_ids_are_unique_across_banks():
    ids = []
    for topic in BANKS:
        bank = json.loads((qz.BANKS / f"{topic}.json").read_text(encoding="utf-8"))
        assert qz.validate_bank(bank) == [], topic
        ids += [q["id"] for part in bank["parts"].values() for q in part["questions"]]
    assert len(ids) == len(set(ids))


def test_answer_key_matches_every_bank():
    """The banks' correct flags / numeric answers agree with the separate answer sheet, question by question."""
    seen = set()
    for _, _, q in ALL_QUESTIONS:
        assert q["id"] in KEY, f"{q['id']} missing from tests/quiz_answer_key.json"
        seen.add(q["id"])
        if q["type"] == "numeric":
            assert q["answer"] == KEY[q["id"]], q["id"]
        else:
            assert [i for i, o in enumerate(q["options"]) if o["correct"]] == KEY[q["id"]], q["id"]
    assert seen == set(KEY), f"answer key has unknown ids: {set(KEY) - seen}"


def test_validator_catches_broken_banks():
    good = {"id": "x", "type": "single", "prompt": "p",
            "options": [{"text": "a", "correct": True, "explain": "e"}, {"text": "b", "correct": False, "explain": "e"}]}
    bad_cases = {
        "two correct": {**good, "options": [{**o, "correct": True} for o in good["options"]]},
        "missing explanation": {**good, "options": [good["options"][0], {"text": "b", "correct": False}]},
        "all correct multiple": {**good, "type": "multiple", "options": [{**o, "correct": True} for o in good["options"]]},
        "numeric without answer": {"id": "x", "type": "numeric", "prompt": "p", "explain": "e", "wrong_explain": "w"},
        "unknown type": {**good, "type": "essay"},
    }
    for name, q in bad_cases.items():
        assert qz.validate_bank({"parts": {"p": {"questions": [q]}}}), name
    dup = {"parts": {"a": {"questions": [good]}, "b": {"questions": [good]}}}
    assert any("duplicate" in p for p in qz.validate_bank(dup))


def _right_and_wrong(q):
    if q["type"] == "single":
        right = next(i for i, o in enumerate(q["options"]) if o["correct"])
        wrong = next(i for i, o in enumerate(q["options"]) if not o["correct"])
        return right, wrong
    if q["type"] == "multiple":
        right = {i for i, o in enumerate(q["options"]) if o["correct"]}
        return right, right ^ {next(i for i, o in enumerate(q["options"]) if not o["correct"])}
    return str(q["answer"]), str(q["answer"] + max(1, abs(q["answer"])) * 7 + 0.5)


def _enter(question, answer):
    if question.kind == "single":
        question.input.value = answer
    elif question.kind == "multiple":
        for i, box in enumerate(question.boxes):
            box.value = i in answer
    else:
        question.input.value = answer


@pytest.mark.parametrize("topic,part,q", ALL_QUESTIONS, ids=[q["id"] for _, _, q in ALL_QUESTIONS])
def test_widget_feedback_for_right_wrong_and_empty_answers(topic, part, q):
    frameworks = q.get("frameworks", [None])
    quiz = qz.Quiz(topic, part, framework=frameworks[0])
    question = next(x for x in quiz.questions if x.q["id"] == q["id"])
    n = len(quiz.questions)

    question.button.click()                                   # nothing entered yet
    assert "✋" in question.feedback.value and "first" in question.feedback.value
    assert question.correct is None and f"Score: 0 / {n}" in quiz.score.value

    right, wrong = _right_and_wrong(q)
    _enter(question, wrong)
    question.button.click()
    assert "❌ Not quite." in question.feedback.value and question.correct is False
    if q["type"] == "single":
        assert q["options"][wrong]["explain"] in question.feedback.value
    assert f"Score: 0 / {n} correct</b> (1 checked" in quiz.score.value

    _enter(question, right)
    question.button.click()
    assert "✅ Correct." in question.feedback.value and question.correct is True
    assert f"Score: 1 / {n} correct" in quiz.score.value


FRAMEWORKS = (None, "torch", "tensorflow")


def _rendered(framework):
    """Every question of every part of every bank, as the widget renders it for ``framework``."""
    return [question for topic in BANKS for part in qz.load_bank(topic)["parts"]
            for question in qz.Quiz(topic, part, framework=framework).questions]


def _shown_texts(question):
    """The option texts in the order the learner sees them, read from the widgets themselves."""
    if question.kind == "single":
        return [label for label, _ in question.input.options]
    return [box.description for box in question.input.children[1:]]


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_first_option_shown_is_rarely_the_right_one(framework):
    """Clicking the first option of every single-choice question must not score well."""
    singles = [x for x in _rendered(framework) if x.kind == "single"]
    assert len(singles) >= 10
    first_right = [x.q["id"] for x in singles if x.q["options"][x.input.options[0][1]]["correct"]]
    assert 2 * len(first_right) <= len(singles), \
        f"{len(first_right)} of {len(singles)} single-choice questions show the right option first: {first_right}"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_options_are_shown_in_question_order_and_graded_by_what_was_clicked(framework):
    """The widget shows the options in ``question.order``; picking the k-th shown option (as the browser
    does, by position) grades that option and quotes its own explanation."""
    for question in _rendered(framework):
        q = question.q
        if question.kind == "numeric":
            assert question.order == []
            continue
        assert _shown_texts(question) == [q["options"][i]["text"] for i in question.order], q["id"]
        if question.kind == "single":
            for k, bank_index in enumerate(question.order):
                question.input.index = k                          # what a click on the k-th radio sends
                assert question.input.value == bank_index
                question.button.click()
                option = q["options"][bank_index]
                assert option["explain"] in question.feedback.value, (q["id"], k)
                assert question.correct is option["correct"], (q["id"], k)
        else:
            shown_boxes = question.input.children[1:]
            assert [shown_boxes[k] for k in range(len(shown_boxes))] == [question.boxes[i] for i in question.order]
            for k, bank_index in enumerate(question.order):         # tick exactly the right ones, by position
                shown_boxes[k].value = q["options"][bank_index]["correct"]
            question.button.click()
            assert question.correct is True, q["id"]
            right = [i for i in question.order if q["options"][i]["correct"]]
            expected = " ".join(q["options"][i]["explain"] for i in right)
            assert expected in question.feedback.value, q["id"]   # explanations in the order shown


def test_display_order_is_a_fixed_permutation_of_the_bank_order():
    first = {x.q["id"]: x.order for fw in FRAMEWORKS for x in _rendered(fw)}
    again = {x.q["id"]: x.order for fw in FRAMEWORKS for x in _rendered(fw)}
    assert first == again
    with_options = {qid: order for qid, order in first.items() if order}
    for _, _, q in ALL_QUESTIONS:
        if q["type"] != "numeric":
            order = with_options[q["id"]]
            assert sorted(order) == list(range(len(q["options"]))), q["id"]
            assert order == qz.question_order(q) == qz.display_order(q.get("order_seed", q["id"]),
                                                                     len(q["options"]))
    shuffled = [qid for qid, order in with_options.items() if order != sorted(order)]
    assert 2 * len(shuffled) >= len(with_options), "most questions should not be shown in bank order"
    # The same in a fresh process with another hash seed (the built-in hash() would differ).
    seeds = {q["id"]: q.get("order_seed", q["id"]) for _, _, q in ALL_QUESTIONS}
    code = ("import json; from helpers import quiz as qz; seeds = " + repr(seeds) + "; "
            f"print(json.dumps({{k: qz.display_order(seeds[k], len(v)) for k, v in {with_options!r}.items()}}))")
    for seed in ("1", "2"):
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120)
        assert run.returncode == 0, run.stderr[-2000:]
        assert json.loads(run.stdout) == with_options


def test_the_right_option_is_not_usually_the_longest():
    longest = []
    singles = [q for _, _, q in ALL_QUESTIONS if q["type"] == "single"]
    for q in singles:
        lengths = [len(o["text"]) for o in q["options"]]
        right = next(i for i, o in enumerate(q["options"]) if o["correct"])
        if all(lengths[right] > n for i, n in enumerate(lengths) if i != right):
            longest.append(q["id"])
    assert 2 * len(longest) <= len(singles), f"the right option is the longest in {longest}"



# =========================================================================== where the right option sits
def _single_parts():
    """(topic, part, framework, [rendered single-choice questions]) for every part as each notebook shows it."""
    for topic in BANKS:
        for part in qz.load_bank(topic)["parts"]:
            for framework in ("torch", "tensorflow"):
                singles = [x for x in qz.Quiz(topic, part, framework=framework).questions if x.kind == "single"]
                yield topic, part, framework, singles


def _right_position(question) -> int:
    """Where the learner sees the right option of a single-choice question (0 = first shown)."""
    return next(k for k, i in enumerate(question.order) if question.q["options"][i]["correct"])


def test_no_part_shows_its_right_options_in_one_position_more_than_half_the_time():
    """Clicking the same position in every question of one part must not score more than half."""
    streaks, checked = [], 0
    for topic, part, framework, singles in _single_parts():
        if len(singles) < 2:                  # one question cannot form a streak
            continue
        checked += 1
        positions = [_right_position(x) for x in singles]
        most = max(positions.count(k) for k in set(positions))
        if 2 * most > len(singles):
            streaks.append((topic, part, framework, positions))
    assert checked >= 20 and not streaks, f"right option in one position too often: {streaks}"


def test_a_family_of_questions_sharing_one_option_set_shows_it_in_one_order():
    """Questions of a part whose options are the same texts (06's patterns, 08's complexity) show them
    in the same order, so the learner is not made to hunt for the same four answers again."""
    families = 0
    for topic, part, framework, singles in _single_parts():
        by_set = {}
        for x in singles:
            by_set.setdefault(frozenset(o["text"] for o in x.q["options"]), []).append(x)
        for family in (f for f in by_set.values() if len(f) > 1):
            families += 1
            shown = {tuple(label for label, _ in x.input.options) for x in family}
            assert len(shown) == 1, (topic, part, framework, [x.q["id"] for x in family])
    assert families >= 2


def test_an_order_seed_shared_by_questions_with_other_options_is_refused():
    def q(qid, texts):
        return {"id": qid, "type": "single", "prompt": "p", "order_seed": "family",
                "options": [{"text": t, "correct": i == 0, "explain": "e"} for i, t in enumerate(texts)]}
    same = {"parts": {"p": {"questions": [q("a", ["x", "y"]), q("b", ["x", "y"])]}}}
    other = {"parts": {"p": {"questions": [q("a", ["x", "y"]), q("b", ["y", "x"])]}}}
    assert qz.validate_bank(same) == []
    assert any("order_seed" in p for p in qz.validate_bank(other))
    assert qz.question_order(same["parts"]["p"]["questions"][0]) == qz.display_order("family", 2)


def test_the_right_option_is_rarely_the_longest_in_any_bank():
    """A learner who always picks the longest option must not do well: at most 40% of a bank's
    single-choice questions, and a third of the course's, have the right option strictly longest."""
    per_bank, total, longest = {}, 0, 0
    for topic, _, q in ALL_QUESTIONS:
        if q["type"] != "single":
            continue
        lengths = [len(o["text"]) for o in q["options"]]
        right = next(i for i, o in enumerate(q["options"]) if o["correct"])
        is_longest = all(lengths[right] > n for i, n in enumerate(lengths) if i != right)
        n, k = per_bank.get(topic, (0, 0))
        per_bank[topic] = (n + 1, k + is_longest)
        total, longest = total + 1, longest + is_longest
    too_often = {t: f"{k}/{n}" for t, (n, k) in per_bank.items() if k > 0.4 * n}
    assert not too_often, f"right option the longest too often: {too_often}"
    assert 3 * longest <= total, f"right option the longest in {longest} of {total} questions"

NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")


def _states_number(text: str, answer: float, tolerance: float) -> bool:
    """Does ``text`` contain the number ``answer`` (written 4608, 4,608 or 0.60; signs ignored)?"""
    return any(qz._close(float(m.replace(",", "")), abs(answer), tolerance) for m in NUMBER.findall(text))


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def test_the_giveaway_detectors_catch_giveaways():
    assert _states_number("PyTorch keeps two biases, 20 each: 640.", 640, 0)
    assert _states_number("Keras keeps one: 4,608.", 4608, 0) and _states_number("about 0.60", 0.6, 0.001)
    assert _states_number("Give it as a fraction: 25% is 0.25.", 0.25, 0.02)
    assert not _states_number("one bias per output (4), not per input (3); h_50", 16, 0)
    assert not _states_number("scores (1, 2) give about (0.27, 0.73)", 0.25, 0.01)
    assert _squeeze("(3, 4)") in _squeeze("with y = x @ W the shape is (in, out) = (3,4)")


def test_feedback_on_a_wrong_answer_does_not_give_the_right_one_away():
    """Numeric: no wrong_explain / common_wrong explanation contains the answer. Single choice: no wrong
    option's explanation quotes a short right option (such as "(3, 4)")."""
    leaks, short_checked, numeric_checked = [], 0, 0
    for _, _, q in ALL_QUESTIONS:
        if q["type"] == "numeric":
            numeric_checked += 1
            texts = [q["wrong_explain"], *(c["explain"] for c in q.get("common_wrong", []))]
            leaks += [(q["id"], t) for t in texts if _states_number(t, q["answer"], q.get("tolerance", 0))]
        elif q["type"] == "single":
            right = next(o["text"] for o in q["options"] if o["correct"])
            if len(right) <= 20:
                short_checked += 1
                leaks += [(q["id"], o["explain"]) for o in q["options"]
                          if not o["correct"] and _squeeze(right) in _squeeze(o["explain"])]
    assert not leaks, leaks
    assert numeric_checked >= 10 and short_checked >= 2


def test_numeric_answers_parse_like_a_person_types_them():
    assert qz.parse_number(" 655,360 ") == 655360 and qz.parse_number("1e-3") == 0.001
    assert qz.parse_number("") is None and qz.parse_number("twelve") is None and qz.parse_number("nan") is None
    quiz = qz.Quiz("01_from_ffn_to_rnn", "closing", framework="tensorflow")
    question = next(x for x in quiz.questions if x.q["id"] == "01.params-tf")
    for text, expected in [("six hundred", "is not a number"), ("640", "PyTorch's count"), ("620", "✅ Correct.")]:
        question.input.value = text
        question.button.click()
        assert expected in question.feedback.value, text


def test_framework_specific_questions_are_filtered():
    torch_ids = {q.q["id"] for q in qz.Quiz("01_from_ffn_to_rnn", "closing", "torch").questions}
    tf_ids = {q.q["id"] for q in qz.Quiz("01_from_ffn_to_rnn", "closing", "tensorflow").questions}
    assert "01.params-torch" in torch_ids - tf_ids and "01.params-tf" in tf_ids - torch_ids


def test_unknown_bank_or_part_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="No quiz bank"):
        qz.Quiz("99_nothing", "warmup")
    with pytest.raises(KeyError, match="no part"):
        qz.Quiz("01_from_ffn_to_rnn", "final")


IPYWIDGETS_7_SCRIPT = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    import ipywidgets
    assert ipywidgets.__version__ == "7.7.1", ipywidgets.__version__
    from helpers import quiz as qz, checks
    qz.REGRADE_WINDOW_S = 0.0          # answers change here as a learner changes them, later
    n = 0
    for path in sorted(qz.BANKS.glob("*.json")):
        bank = qz.load_bank(path.stem)
        for part in bank["parts"]:
            for fw in ("torch", "tensorflow"):
                quiz = qz.Quiz(path.stem, part, framework=fw)
                for q in quiz.questions:
                    q.button.click()
                    assert "first" in q.feedback.value, q.feedback.value
                    if q.kind == "single":             # click by displayed position, as the browser does
                        assert [v for _, v in q.input.options] == q.order == qz.question_order(q.q)
                        q.input.index = next(k for k, i in enumerate(q.order) if q.q["options"][i]["correct"])
                    elif q.kind == "multiple":
                        for k, box in enumerate(q.input.children[1:]):
                            assert box.description == q.q["options"][q.order[k]]["text"]
                            box.value = q.q["options"][q.order[k]]["correct"]
                    else:
                        q.input.value = str(q.q["answer"])
                    q.button.click()
                    assert "Correct" in q.feedback.value, (q.q["id"], q.feedback.value)
                    n += 1
                assert f"Score: {len(quiz.questions)} / {len(quiz.questions)}" in quiz.score.value
    box = checks.HelpBox("softmax")
    box.hint_button.click(); box.solution_button.click()
    assert "np.exp" in box.text.value and "Hint 1." in box.text.value
    assert box.solution_button.description == "Hide the solution"
    box.solution_button.click()
    assert "np.exp" not in box.text.value and "Hint 1." in box.text.value
    quiz = qz.Quiz("00_start_here", "warmup")                 # a changed answer greys the verdict out
    q = next(q for q in quiz.questions if q.kind == "single")
    q.input.index = 0; q.button.click(); q.input.index = 1
    assert qz.CHANGED_NOTE in q.feedback.value and q.correct is None and "Score: 0 /" in quiz.score.value
    from IPython.core.interactiveshell import InteractiveShell   # what a notebook receives
    from IPython.core.displaypub import CapturingDisplayPublisher
    shell = InteractiveShell.instance()
    shell.display_pub = CapturingDisplayPublisher()
    import contextlib, io
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        qz.quiz("00_start_here", "warmup")
        checks.check("softmax", lambda z: z)
    assert "setup cell" in printed.getvalue() and "Not yet" in printed.getvalue(), printed.getvalue()
    bundles = [o["data"] for o in shell.display_pub.outputs]
    assert [b["text/plain"] for b in bundles] == [qz.QUIZ_FALLBACK, qz.OFFLINE_NOTE, checks.HELP_FALLBACK], bundles
    for b in bundles:
        if "application/vnd.jupyter.widget-view+json" not in b:
            continue                                     # the offline note under the quiz
        model_id = b["application/vnd.jupyter.widget-view+json"]["model_id"]
        assert model_id in ipywidgets.Widget.widgets, model_id
    print("ok", n)
""")


def test_quizzes_and_hint_buttons_work_with_colab_ipywidgets_7_7_1(tmp_path):
    """A throwaway virtual environment with Colab's ipywidgets 7.7.1 (no torch or TensorFlow needed)."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    pip = subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                          "ipywidgets==7.7.1", "numpy"], capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-2000:]
    script = tmp_path / "drive.py"
    script.write_text(IPYWIDGETS_7_SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([str(py), str(script), str(ROOT)], capture_output=True, text=True, timeout=300,
                         env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("ok ") and int(run.stdout.split()[1]) >= len(ALL_QUESTIONS)


# =========================================================================== a changed answer, the display
@pytest.fixture(autouse=True)
def _answers_change_later(monkeypatch):
    """These tests change an answer as a learner does, seconds after a Check: not a change that the
    browser sent late (the regrade window, tested on its own below)."""
    monkeypatch.setattr(qz, "REGRADE_WINDOW_S", 0.0)


def _first_of_kind(kind):
    topic, part, q = next((t, p, q) for t, p, q in ALL_QUESTIONS if q["type"] == kind)
    quiz = qz.Quiz(topic, part, framework=(q.get("frameworks") or [None])[0])
    return quiz, next(x for x in quiz.questions if x.q["id"] == q["id"])


def _other(question, answer):
    """A different answer of the same kind (a changed radio choice, one more box ticked, other text)."""
    if question.kind == "single":
        return next(i for i in range(len(question.q["options"])) if i != answer)
    if question.kind == "multiple":
        return answer ^ {next(iter(set(range(len(question.q["options"]))) - answer))}
    return answer + "1"


@pytest.mark.parametrize("kind", qz.TYPES)
def test_changing_the_answer_after_a_check_greys_the_verdict_out_and_unscores_it(kind):
    quiz, question = _first_of_kind(kind)
    n = len(quiz.questions)
    right, _ = _right_and_wrong(question.q)
    _enter(question, right)
    question.button.click()
    assert "✅ Correct." in question.feedback.value and f"Score: 1 / {n} correct</b> (1 checked" in quiz.score.value
    _enter(question, _other(question, right))
    assert qz.CHANGED_NOTE in question.feedback.value and "✅" not in question.feedback.value
    assert question.correct is None and f"Score: 0 / {n} correct</b> (0 checked" in quiz.score.value
    _enter(question, right)                                   # back to the right answer: still not re-checked
    assert qz.CHANGED_NOTE in question.feedback.value and f"Score: 0 / {n}" in quiz.score.value
    question.button.click()
    assert "✅ Correct." in question.feedback.value and f"Score: 1 / {n}" in quiz.score.value


def test_a_single_checkbox_or_keystroke_counts_as_a_change_and_a_nudge_is_cleared():
    quiz, question = _first_of_kind("multiple")
    right, wrong = _right_and_wrong(question.q)
    _enter(question, wrong)
    question.button.click()
    assert "❌ Not quite." in question.feedback.value and question.correct is False
    box = question.boxes[next(iter(right))]
    box.value = not box.value                                 # one box toggled
    assert qz.CHANGED_NOTE in question.feedback.value and question.correct is None
    quiz, question = _first_of_kind("numeric")
    question.button.click()
    assert "✋" in question.feedback.value
    question.input.value = "4"                                # typing after a nudge: the nudge goes
    assert question.feedback.value == ""
    question.button.click()
    question.input.value = "42"                               # one more keystroke after a verdict
    assert qz.CHANGED_NOTE in question.feedback.value


def test_a_quiz_is_displayed_live_with_a_readable_text_fallback(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.append((objs, kw)))
    qz.quiz("00_start_here", "warmup")
    [((bundle,), kw), ((offline,), kw2)] = shown
    assert offline["text/plain"] == qz.OFFLINE_NOTE and "-offline" in offline["text/html"] and kw2.get("raw")
    assert kw.get("raw") is True
    assert bundle["text/plain"] == qz.QUIZ_FALLBACK
    assert "run this cell" in bundle["text/plain"] and "If the buttons do nothing, run this cell again." in qz.QUIZ_FALLBACK
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["version_major"] == 2 and isinstance(view["model_id"], str) and view["model_id"]


# =========================================================================== restart, reload, a busy kernel
def test_a_changed_answer_that_arrives_right_after_the_check_is_graded(monkeypatch):
    """On a busy kernel the browser sends the Check click before the new choice: the verdict must be
    about the choice the learner sees, not the one before it."""
    monkeypatch.setattr(qz, "REGRADE_WINDOW_S", 30.0)
    quiz, question = _first_of_kind("single")
    right, wrong = _right_and_wrong(question.q)
    _enter(question, wrong)
    question.button.click()                                   # graded on the old choice...
    assert "❌ Not quite." in question.feedback.value
    _enter(question, right)                                   # ...which the browser changed before
    assert "✅ Correct." in question.feedback.value and question.correct is True
    assert "Score: 1 /" in quiz.score.value


def test_answers_come_back_when_the_quiz_is_run_again(monkeypatch):
    quiz, question = _first_of_kind("single")
    right, wrong = _right_and_wrong(question.q)
    _enter(question, right)
    question.button.click()
    numeric_quiz, numeric = _first_of_kind("numeric")
    numeric.input.value = "abc"                               # a nudge is not an answer: not saved
    numeric.button.click()
    again = qz.Quiz(quiz.topic, quiz.part, quiz.framework)    # the cell run again, in a new kernel
    twin = next(q for q in again.questions if q.q["id"] == question.q["id"])
    assert twin.answer() == right and twin.correct is True and "✅ Correct." in twin.feedback.value
    assert qz.RESTORED_NOTE in again.score.value and "Score: 1 /" in again.score.value
    others = [q for q in again.questions if q is not twin]
    assert all(q.correct is None and q.feedback.value == "" for q in others)
    fresh = qz.Quiz(numeric_quiz.topic, numeric_quiz.part, numeric_quiz.framework)
    nudged = next(q for q in fresh.questions if q.q["id"] == numeric.q["id"])
    assert nudged.correct is None and nudged.input.value == ""


def test_a_saved_answer_that_no_longer_fits_is_ignored():
    quiz, question = _first_of_kind("single")
    assert not question.restore(99) and not question.restore("x") and not question.restore(True)
    assert question.correct is None and question.input.value is None


def test_the_live_quiz_hides_its_offline_note_and_shows_one_when_disconnected():
    quiz = qz.Quiz("00_start_here", "warmup")
    header = quiz.widget.children[0].value
    assert f".{quiz.uid}-offline{{display:none}}" in header
    assert ".jupyter-widgets-disconnected .rnn-quiz-lost{display:block}" in header
    assert "rnn-quiz" in quiz.widget._dom_classes

