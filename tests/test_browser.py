"""The course as a learner uses it: JupyterLab in a real browser (headless Chromium via Playwright).

For 00_start_here.ipynb and every topic notebook in notebooks/ (found by glob, so new notebooks are
covered automatically) the test opens a copy in JupyterLab, runs Run > Run All Cells, waits for the
kernel, and asserts that no cell shows an error. Then it uses the first quiz like a learner
(Check with no answer, a wrong answer, the right one, the other question types) and reads the
feedback and the score line, and it reads an exercise check's "Not attempted yet" verdict and
reveals its first hint. Screenshots of the quiz and of the first figure go to test-artifacts/browser/.

Needs /usr/bin/chromium (apt-get install chromium); skipped without it, except under CI (CI=1) where
a missing browser fails the suite. One JupyterLab server and one browser serve the whole module.
"""
from __future__ import annotations

import contextlib
import json
import re
import time
import warnings

import pytest

import browser_support as bs

NOTEBOOKS = bs.course_notebooks()
RUN_TIMEOUT_S = 420          # kernel start + Run All; notebooks take up to ~60 s on 2 busy cores
UI_TIMEOUT_MS = 45_000       # one widget round trip (click -> kernel -> new widget value), on a loaded machine
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|Cell In\[\d+\]|^\s*-{20,}\s*$"
                       r"|^\s*\w*(Error|Exception|SystemExit)\b", re.MULTILINE)
RAW_MARKUP = re.compile(r"</?[a-zA-Z][^>]*>|\$[^$]+\$|\\\(")
TIMINGS: dict[str, float] = {}


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def lab():
    bs.require_chromium()
    server = bs.JupyterLab().start()
    yield server
    server.stop()
    assert not server.copies.exists(), "the browser test's temp folder was not removed"


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    chromium = pw.chromium.launch(executable_path=bs.CHROMIUM, headless=True, args=bs.CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    pw.stop()
    bs.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (bs.ARTIFACTS / f"timings{bs.WORKER and '-' + bs.WORKER}.json").write_text(json.dumps(TIMINGS, indent=1))


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
    pg = context.new_page()
    pg.set_default_timeout(UI_TIMEOUT_MS)
    yield pg
    context.close()            # closes without saving; autosave is off and the file is a temp copy


# --------------------------------------------------------------------------- page helpers
_STATE_JS = """() => {
  const nb = window.jupyterapp.shell.currentWidget;
  const r = {status: nb.sessionContext.session?.kernel?.status ?? null, prompts: [], errors: []};
  nb.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    r.prompts.push(cell.node.querySelector('.jp-InputPrompt')?.textContent ?? '');
    for (let j = 0; j < cell.model.outputs.length; j++) {
      const out = cell.model.outputs.get(j).toJSON();
      if (out.output_type === 'error') r.errors.push({cell: i, ename: out.ename, evalue: out.evalue});
    }
  });
  return r;
}"""


def open_notebook(page, lab, rel_path: str, workspace: str) -> None:
    page.goto(lab.notebook_url(rel_path, workspace))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    # The document model and kernel session are ready (the kernel may still be starting).
    page.evaluate("""async () => { const nb = window.jupyterapp.shell.currentWidget;
                     await nb.context.ready; await nb.sessionContext.ready; }""")


def run_all_cells(page) -> dict:
    """Run > Run All Cells from the menu bar, then wait until the kernel is idle and nothing is queued."""
    page.locator(".lm-MenuBar-item .lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    item = page.locator('li.lm-Menu-item[data-command="runmenu:run-all"]')
    assert item.inner_text().startswith("Run All Cells")
    item.click()
    deadline = time.monotonic() + RUN_TIMEOUT_S
    state = {}
    while time.monotonic() < deadline:
        state = page.evaluate(_STATE_JS)
        queued = any("*" in p for p in state["prompts"])
        started = any(re.search(r"\[\d+\]", p) for p in state["prompts"]) or state["errors"]
        if state["status"] == "idle" and started and not queued:
            return state
        time.sleep(1)
    pytest.fail(f"Run All did not finish within {RUN_TIMEOUT_S} s: kernel {state.get('status')}, "
                f"prompts {state.get('prompts')}")


def cell(page, index: int):
    """The DOM node of the notebook's cell ``index`` (markdown cells count; windowing is off)."""
    return page.locator(".jp-Notebook .jp-Cell").nth(index)


def shown_errors(page) -> tuple[list[str], list[str]]:
    """(error outputs, other stderr outputs) as the learner sees them, text per output."""
    errors, stderr = [], []
    outputs = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    for k in range(outputs.count()):
        text = outputs.nth(k).inner_text()
        (errors if TRACEBACK.search(text) else stderr).append(text)
    return errors, stderr


def save_shot(locator, name: str) -> None:
    bs.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(bs.ARTIFACTS / name))


# --------------------------------------------------------------------------- the quiz, as a learner
class QuizView:
    """The rendered widgets of one quiz (helpers/quiz.py), found from its Check buttons."""

    def __init__(self, cell_node, questions: list[dict]):
        self.node = cell_node.locator(".jp-OutputArea-output").first
        self.questions = questions
        self.buttons = self.node.locator("button.jupyter-button", has_text=re.compile(r"^Check$"))
        self.buttons.first.wait_for()
        assert self.buttons.count() == len(questions), \
            f"{self.buttons.count()} Check buttons for {len(questions)} questions"
        self.score = self.node.locator(".widget-html-content", has_text="Score:")

    def box(self, i: int):
        return self.buttons.nth(i).locator("xpath=..")          # the question's VBox

    def prompt(self, i: int):
        return self.box(i).locator(".widget-htmlmath-content").first

    def feedback(self, i: int):
        return self.box(i).locator(".widget-htmlmath-content").last

    def check(self, i: int, expect_texts: list[str]) -> str:
        from playwright.sync_api import expect

        fb = self.feedback(i)
        self.buttons.nth(i).click()
        for text in expect_texts:
            expect(fb).to_contain_text(text, timeout=UI_TIMEOUT_MS)
        return fb.inner_text()

    def expect_score(self, right: int, checked: int) -> str:
        from playwright.sync_api import expect

        expect(self.score).to_contain_text(f"Score: {right} / {len(self.questions)} correct "
                                           f"({checked} checked", timeout=UI_TIMEOUT_MS)
        return self.score.inner_text()


def use_quiz_like_a_learner(page, notebook, log: list[str]) -> None:
    calls = bs.quizzes(notebook)
    assert calls, f"{notebook.name} shows no quiz"
    # The first quiz with a single-choice question (normally the warm-up).
    spec, questions = next(((c, qs) for c in calls
                            for qs in [bs.quiz_questions(c["topic"], c["part"], c["framework"])]
                            if any(q["type"] == "single" for q in qs)), (None, None))
    assert spec, f"no quiz in {notebook.name} has a single-choice question"
    log.append(f"quiz {spec['topic']}/{spec['part']} in cell {spec['cell']}: {len(questions)} questions")
    view = QuizView(cell(page, spec["cell"]), questions)
    for i, q in enumerate(questions):                       # what the learner reads
        shown = view.prompt(i).inner_text()
        assert shown.startswith(f"Q{i + 1}."), shown
        assert bs.readable_prefix(q["prompt"]) in bs.squash(shown), (q["id"], shown)
    labels = view.node.locator(".widget-radio-box label, .widget-checkbox .widget-label-basic span")
    for k in range(labels.count()):                          # option labels are plain text widgets
        text = labels.nth(k).inner_text()
        assert not RAW_MARKUP.search(text), f"an option label shows raw HTML/LaTeX: {text!r}"
    view.expect_score(0, 0)

    singles = [i for i, q in enumerate(questions) if q["type"] == "single"]
    s = singles[0]
    q = questions[s]
    # Options are shown shuffled (a fixed order per question id): k below is a position on screen.
    shown = [o for _, o in bs.shown_options(q)]
    right = next(k for k, o in enumerate(shown) if o["correct"])
    wrong = next(k for k, o in enumerate(shown) if not o["correct"])
    radios = view.box(s).locator(".widget-radio-box input[type=radio]")
    assert radios.count() == len(shown)
    for k, o in enumerate(shown):
        assert bs.squash(view.box(s).locator(".widget-radio-box label").nth(k).inner_text()) == bs.squash(o["text"])

    text = view.check(s, ["Pick an answer first"])                  # Check with nothing chosen
    log.append(f"{q['id']} unanswered -> {text!r}")
    view.expect_score(0, 0)
    radios.nth(wrong).check()
    text = view.check(s, ["❌ Not quite.", bs.readable_prefix(shown[wrong]["explain"])])
    log.append(f"{q['id']} wrong option shown at {wrong} -> {text!r}")
    view.expect_score(0, 1)
    radios.nth(right).check()
    text = view.check(s, ["✅ Correct.", bs.readable_prefix(shown[right]["explain"])])
    log.append(f"{q['id']} right option shown at {right} -> {text!r}")
    log.append(view.expect_score(1, 1))
    n_right, n_checked = 1, 1

    if len(singles) > 1:                                             # a second single question, wrong
        s2 = singles[1]
        q2 = questions[s2]
        shown2 = [o for _, o in bs.shown_options(q2)]
        wrong2 = next(k for k, o in enumerate(shown2) if not o["correct"])
        view.box(s2).locator(".widget-radio-box input[type=radio]").nth(wrong2).check()
        text = view.check(s2, ["❌ Not quite.", bs.readable_prefix(shown2[wrong2]["explain"])])
        log.append(f"{q2['id']} wrong option shown at {wrong2} -> {text!r}")
        n_checked += 1
        view.expect_score(n_right, n_checked)

    multi = next((i for i, q in enumerate(questions) if q["type"] == "multiple"), None)
    if multi is not None:                                            # tick every right box
        qm = questions[multi]
        shown_m = [o for _, o in bs.shown_options(qm)]
        boxes = view.box(multi).locator(".widget-checkbox input[type=checkbox]")
        assert boxes.count() == len(shown_m)
        box_labels = view.box(multi).locator(".widget-checkbox .widget-label-basic span")
        for k, o in enumerate(shown_m):
            assert bs.squash(box_labels.nth(k).inner_text()) == bs.squash(o["text"])
            if o["correct"]:
                boxes.nth(k).check()
        text = view.check(multi, ["✅ Correct."])
        log.append(f"{qm['id']} all right boxes -> {text[:90]!r}...")
        n_right, n_checked = n_right + 1, n_checked + 1
        view.expect_score(n_right, n_checked)

    num = next((i for i, q in enumerate(questions) if q["type"] == "numeric"), None)
    if num is not None:                # the text box: a typo, the answer, then a common slip (score goes down)
        qn = questions[num]
        field = view.box(num).locator("input[type=text]")
        field.fill("twelve")
        text = view.check(num, ["is not a number"])
        log.append(f"{qn['id']} 'twelve' -> {text!r}")
        field.fill(f"{qn['answer']:g}")
        text = view.check(num, ["✅ Correct.", bs.readable_prefix(qn["explain"])])
        log.append(f"{qn['id']} {qn['answer']:g} -> {text!r}")
        view.expect_score(n_right + 1, n_checked + 1)
        slip = (qn.get("common_wrong") or [{"value": qn["answer"] + 1000, "explain": qn["wrong_explain"]}])[0]
        field.fill(f"{slip['value']:g}")
        text = view.check(num, ["❌ Not quite.", bs.readable_prefix(slip["explain"])])
        log.append(f"{qn['id']} changed to {slip['value']:g} -> {text!r}")
        n_checked += 1
    log.append(view.expect_score(n_right, n_checked))
    save_shot(view.node, f"{notebook.stem}-quiz.png")


def rerun_cell(page, node) -> None:
    """Run one cell again the learner's way (click into it, Ctrl+Enter) and wait until it has run."""
    from playwright.sync_api import expect

    prompt = node.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    node.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Control+Enter")
    expect(prompt).not_to_have_text(before, timeout=UI_TIMEOUT_MS)
    expect(prompt).to_have_text(re.compile(r"\[\d+\]"), timeout=60_000)


def use_exercise_check_like_a_learner(page, notebook, log: list[str]) -> None:
    from playwright.sync_api import expect

    from helpers.exercises import EXERCISES

    spec = bs.first_check(notebook)
    assert spec, f"{notebook.name} has no exercise check"
    exercise = EXERCISES[spec["exercise"]]
    hints = exercise.hints
    framework = "tensorflow" if notebook.stem.endswith("_tensorflow") else \
        "torch" if notebook.stem.endswith("_pytorch") else "numpy"
    node = cell(page, spec["cell"])
    stdout = node.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]').first
    expect(stdout).to_contain_text("⏳ Not attempted yet")          # from Run All
    rerun_cell(page, node)
    stdout = node.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"]').first
    expect(stdout).to_contain_text("⏳ Not attempted yet")
    log.append(f"check {spec['exercise']!r} rerun -> {stdout.inner_text().strip()!r}")

    button = node.locator("button.jupyter-button", has_text=f"Show hint 1 of {len(hints)}")
    button.click()
    text_box = node.locator(".widget-html-content").last
    expect(text_box).to_contain_text("Hint 1.")
    shown = bs.squash(text_box.inner_text())
    first = exercise.hint(0, framework)                  # one text, or one per framework
    assert bs.squash(first) in shown, (first, shown)
    label = f"Show hint 2 of {len(hints)}" if len(hints) > 1 else "All hints shown"
    expect(node.locator("button.jupyter-button").first).to_contain_text(label)
    log.append(f"hint button -> {shown!r}; button now {label!r}")
    save_shot(node.locator(".jp-OutputArea").first, f"{notebook.stem}-check.png")


def use_progress_table_like_a_learner(page, notebook, log: list[str]) -> None:
    """Re-run the "your progress" cell after the quiz and the check: the table shows what was just done."""
    from playwright.sync_api import expect

    cells = [i for i, src in bs.code_cells(notebook) if "show_progress()" in src]
    if not cells:
        return
    node = cell(page, cells[0])
    rerun_cell(page, node)
    table = node.locator(".jp-OutputArea-output table")
    expect(table).to_be_visible()
    text = table.inner_text()
    for topic in ("Start here", "From FFN to RNN", "LSTM"):
        assert topic in text, f"the progress table has no row for {topic!r}: {text[:300]!r}"
    assert "warmup -/3" not in text.split("\n")[1], f"the quiz just answered is not in the table: {text[:300]!r}"
    log.append(f"progress table after the quiz: {text.splitlines()[1]!r}")
    save_shot(node.locator(".jp-OutputArea").first, f"{notebook.stem}-progress.png")


# --------------------------------------------------------------------------- the test
def test_some_notebooks_found():
    assert any(p.name == "00_start_here.ipynb" for p in NOTEBOOKS)
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_in_jupyterlab(lab, page, notebook):
    rel = lab.add_copy(notebook)
    notebook = bs.ROOT / rel              # read cells from the copy: others may edit the original meanwhile
    log: list[str] = []
    with learner_session(page, lab, rel, notebook.stem):
        open_notebook(page, lab, rel, workspace=f"bt-{notebook.stem}")
        n_cells = len(json.loads(notebook.read_text(encoding="utf-8"))["cells"])
        assert page.locator(".jp-Notebook .jp-Cell").count() == n_cells, "not every cell is in the page"
        n_code = len(bs.code_cells(notebook))
        start = time.monotonic()
        state = run_all_cells(page)
        TIMINGS[notebook.name] = round(time.monotonic() - start, 1)

        errors, stderr = shown_errors(page)
        assert not state["errors"] and not errors, (
            f"{notebook.name}: error output after Run All: {state['errors']}\n" + "\n---\n".join(errors)[:3000])
        counts = [p for p in state["prompts"] if re.fullmatch(r"\[\d+\]:", p.strip())]
        assert len(counts) == n_code, f"only {len(counts)} of {n_code} code cells ran: {state['prompts']}"
        for text in stderr:
            warnings.warn(f"{notebook.name} shows stderr output: {text[:300]!r}")
        broken = page.locator(".jp-OutputArea-output", has_text=re.compile("Error displaying widget|Loading widget"))
        assert broken.count() == 0, f"a widget did not render: {broken.first.inner_text()[:200]}"

        use_quiz_like_a_learner(page, notebook, log)
        use_exercise_check_like_a_learner(page, notebook, log)
        use_progress_table_like_a_learner(page, notebook, log)

        figure = page.locator('.jp-OutputArea-output[data-mime-type="image/png"] img')
        if figure.count():
            save_shot(figure.first, f"{notebook.stem}-figure.png")
            box = figure.first.bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100, f"figure rendered at {box}"
            log.append(f"first figure shown at {box['width']:.0f}x{box['height']:.0f} px")
        opened = [s["path"] for s in lab.api("GET", "/api/sessions")]
        assert all(p.startswith(bs.TMP_NAME + "/") for p in opened), f"an original notebook was opened: {opened}"
        print(f"\n{notebook.name}: Run All {TIMINGS[notebook.name]} s\n  " + "\n  ".join(log))


@contextlib.contextmanager
def learner_session(page, lab, rel: str, name: str):
    """Around one learner's visit to the copy ``rel``: a full-page screenshot ``{name}-FAILED.png``
    when it fails, and the notebook's kernel shut down either way (to free memory)."""
    try:
        yield
    except BaseException:
        bs.ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            page.screenshot(path=str(bs.ARTIFACTS / f"{name}-FAILED.png"), full_page=True)
        except Exception:
            pass
        raise
    finally:
        try:
            lab.shutdown_kernels_of(rel)
        except Exception:
            pass


# --------------------------------------------------------------------------- restart, reload, a busy kernel
_KERNEL_RESTART_JS = """async () => { const nb = window.jupyterapp.shell.currentWidget;
  await nb.sessionContext.session.kernel.restart(); }"""
_SAVE_JS = "async () => { await window.jupyterapp.shell.currentWidget.context.save(); }"


def _burn_cpu(n: int = 2) -> list:
    """n processes that keep every core busy, as on a learner's loaded 2-core laptop."""
    import subprocess
    import sys

    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]


def test_a_quiz_survives_a_restart_and_a_reload_and_a_busy_kernel(lab, page):
    """Answer, restart the kernel, reload the page, run the cell again: the learner is told what to do
    at each step, and their answers and verdicts come back. Then, with every core busy, a changed
    choice followed at once by Check is graded as the learner sees it."""
    from playwright.sync_api import expect

    from helpers.quiz import OFFLINE_NOTE, RESTORED_NOTE

    source = bs.NOTEBOOKS / "00_start_here.ipynb"
    rel = lab.add_copy(source)
    notebook = bs.ROOT / rel
    (lab.scratch / "progress.json").unlink(missing_ok=True)        # this learner starts afresh
    spec = bs.quizzes(notebook)[0]
    questions = bs.quiz_questions(spec["topic"], spec["part"], spec["framework"])
    setup_cell = bs.code_cells(notebook)[0][0]
    burners = []
    try:
        with learner_session(page, lab, rel, "quiz-restart"):
            open_notebook(page, lab, rel, workspace="bt-restart")
            run_all_cells(page)
            node = cell(page, spec["cell"])
            view = QuizView(node, questions)
            singles = [i for i, q in enumerate(questions) if q["type"] == "single"]
            s = singles[0]
            shown = [o for _, o in bs.shown_options(questions[s])]
            right = next(k for k, o in enumerate(shown) if o["correct"])
            wrong = next(k for k, o in enumerate(shown) if not o["correct"])
            radios = view.box(s).locator(".widget-radio-box input[type=radio]")
            radios.nth(right).check()
            view.check(s, ["✅ Correct."])
            view.expect_score(1, 1)
            offline = "div[class^='rnn-quiz-'][class$='-offline']"          # the note under the quiz
            expect(node.locator(offline)).to_be_hidden()                  # live: the note is hidden

            page.evaluate(_KERNEL_RESTART_JS)                             # Kernel > Restart
            lost = node.locator(".rnn-quiz-lost")
            expect(lost).to_be_visible(timeout=UI_TIMEOUT_MS)
            expect(lost).to_contain_text("run this cell again")
            save_shot(node, "quiz-after-restart.png")

            page.evaluate(_SAVE_JS)                                       # what the learner saved...
            page.reload()                                                 # ...and opened again
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
            node = cell(page, spec["cell"])
            expect(node.locator(offline)).to_be_visible(timeout=UI_TIMEOUT_MS)
            expect(node.locator(offline)).to_contain_text(OFFLINE_NOTE[:40])
            save_shot(node, "quiz-after-reload.png")

            rerun_cell(page, cell(page, setup_cell))                       # run the setup cell, then the quiz
            rerun_cell(page, node)
            view = QuizView(node, questions)
            expect(view.feedback(s)).to_contain_text("✅ Correct.", timeout=UI_TIMEOUT_MS)
            expect(view.box(s).locator(".widget-radio-box input[type=radio]").nth(right)).to_be_checked()
            expect(view.score).to_contain_text(RESTORED_NOTE)
            view.expect_score(1, 1)
            expect(node.locator(offline)).to_be_hidden()
            save_shot(node, "quiz-rerun-restored.png")

            burners = _burn_cpu()                                          # a busy kernel: choose, then Check at once
            radios = view.box(s).locator(".widget-radio-box input[type=radio]")
            for k in (wrong, right, wrong, right):
                radios.nth(k).check()
                view.buttons.nth(s).click()
                verdict = "✅ Correct." if k == right else "❌ Not quite."
                expect(view.feedback(s)).to_contain_text(verdict, timeout=UI_TIMEOUT_MS)
            view.expect_score(1, 1)
    finally:
        for p in burners:
            p.kill()


def _late_cell_and_missing_name(notebook):
    """(cell index among all cells, name): a code cell halfway down that reads a name an earlier code
    cell (not the setup or import cell) defines."""
    import ast

    from helpers import cell_order

    found = cell_order.definitions(notebook)
    cells = bs.code_cells(notebook)
    for number, (index, source) in enumerate(cells, start=1):
        if number <= len(cells) // 2:
            continue
        try:
            tree = ast.parse(cell_order._python(source))
        except SyntaxError:
            continue
        loads, todo = [], list(tree.body)                      # names read when the cell runs:
        while todo:                                            # not inside the functions it defines
            node = todo.pop(0)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                loads.append(node.id)
            todo.extend(ast.iter_child_nodes(node))
        for name in loads:
            where = found.get(name)
            if where and 2 < where["cell"] < number:
                return index, name, where
    raise AssertionError(f"{notebook.name}: no late cell reads an earlier cell's name")


def test_a_cell_run_out_of_order_says_which_section_to_run(lab, page):
    """After a restart and the setup cell, a cell halfway down fails on a name an earlier cell defines:
    one line names that cell's section and says to run the cells above, no traceback."""
    from playwright.sync_api import expect

    source = bs.NOTEBOOKS / "06_sequence_tasks_tensorflow.ipynb"
    rel = lab.add_copy(source)
    notebook = bs.ROOT / rel
    from helpers import cell_order

    index, _, _ = _late_cell_and_missing_name(notebook)
    with learner_session(page, lab, rel, "out-of-order"):
        open_notebook(page, lab, rel, workspace="bt-order")
        for setup_or_imports, _ in bs.code_cells(notebook)[:2]:          # the setup and import cells only
            rerun_cell(page, cell(page, setup_or_imports))
        node = cell(page, index)
        node.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+Enter")
        out = node.locator(".jp-OutputArea-output", has_text="NameError: `")
        expect(out).to_be_visible(timeout=60_000)
        text = bs.squash(out.inner_text())
        missing = re.search(r"NameError: `(\w+)`", text).group(1)         # the first name the cell reads
        where = cell_order.definitions(notebook)[missing]
        assert where["cell"] > 2 and bs.squash(where["section"]) in text and "Run All Above" in text, text
        assert not TRACEBACK.search(node.locator(".jp-OutputArea").inner_text().replace("NameError: `", "")), \
            "a traceback is shown as well"
        save_shot(node, "out-of-order-name-error.png")
