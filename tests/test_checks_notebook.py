"""Self-check engine in a notebook (helpers/checks/cell.py, introspection.py, registry.py, widgets.py):
check() by name, ids and frameworks, stale definitions, the setup note, the hint/solution box."""
import pathlib
import sys

import numpy as np
import pytest

from conftest import load_function
from helpers import checks
from helpers.checks import CORRECT, grade
from helpers.exercises import EXERCISES


def test_check_prints_verdict_and_never_raises(capsys):
    checks.check("softmax", lambda z: (_ for _ in ()).throw(RuntimeError("x" * 500)), widgets=False)
    out = capsys.readouterr().out
    assert out.startswith("❌ Your code raised RuntimeError") and "Traceback" not in out and len(out) < 600
    assert all(len(line) <= 88 for line in out.splitlines())   # wrapped at word boundaries, one paragraph


def test_help_box_reveals_hints_one_at_a_time_then_the_solution():
    box = checks.HelpBox("rnn_step", "torch")
    n = len(box.exercise.hints)
    assert box.text.value == "" and box.hint_button.description == f"Show hint 1 of {n}"
    box.hint_button.click()
    assert "Hint 1." in box.text.value and "Hint 2." not in box.text.value
    for _ in range(n + 2):
        box.hint_button.click()
    assert f"Hint {n}." in box.text.value and box.hint_button.disabled
    box.solution_button.click()
    assert "torch.tanh" in box.text.value
    assert checks.hint("rnn_step", 2).startswith("Hint 2 of")
    assert "tf.tanh" in checks.solution("rnn_step", "tensorflow")


def test_check_run_before_the_exercise_cell_says_so(capsys):
    checks.check("rnn_forward", "torch", widgets=False)      # no `rnn_forward` defined in this module
    out = capsys.readouterr().out
    assert out.startswith("⏳ `rnn_forward` is not defined yet: run the exercise cell above")


def test_check_finds_the_learners_function_by_name(capsys):
    def softmax(z):
        raise NotImplementedError

    globals()["softmax"] = softmax
    try:
        checks.check("softmax", widgets=False)
    finally:
        del globals()["softmax"]
    assert capsys.readouterr().out.startswith("⏳ Not attempted yet")


@pytest.mark.parametrize("typo,closest", [("rnn_stepp", "rnn_step"), ("softmx", "softmax"),
                                          ("clip_by_globalnorm", "clip_by_global_norm")])
def test_a_misspelled_exercise_id_suggests_the_closest(capsys, typo, closest):
    checks.check(typo, "torch", widgets=False)
    out = capsys.readouterr().out
    assert out == f"❌ There is no exercise called {typo!r}: did you mean {closest!r}?\n"
    assert closest in checks.hint(typo) and closest in checks.solution(typo, "torch")


def test_an_unknown_id_lists_the_exercises(capsys):
    checks.check("zzz", widgets=False)
    out = capsys.readouterr().out
    assert out.startswith("❌ There is no exercise called 'zzz'; the exercises are:") and "rnn_step" in out


def test_check_accepts_the_function_as_its_first_argument(capsys):
    def rnn_step(x_t, h_prev, W_xh, W_hh, b_h):
        return torch.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)

    import torch
    checks.check(rnn_step, "pytorch", widgets=False)
    assert capsys.readouterr().out.startswith("✅ Correct! `rnn_step`")


@pytest.mark.parametrize("alias,framework", [("tf", "tensorflow"), ("keras", "tensorflow"), ("TensorFlow", "tensorflow"),
                                             ("pt", "torch"), ("pytorch", "torch"), ("PyTorch", "torch"),
                                             ("np", "numpy")])
def test_framework_aliases(alias, framework, capsys):
    ex = EXERCISES["rnn_step"]
    fn = load_function(ex.solutions[framework], framework)
    assert grade(ex, fn, alias).status == CORRECT
    checks.check("rnn_step", fn, alias, widgets=False)
    assert capsys.readouterr().out.startswith("✅ Correct!")
    assert checks.solution("rnn_step", alias) == ex.solutions[framework]


def test_an_unknown_framework_is_one_line_naming_the_accepted_ones(capsys):
    verdict = grade(EXERCISES["rnn_step"], lambda *a: 1, "jax")
    assert verdict.reason == "framework" and "please report" not in verdict.message
    checks.check("rnn_step", lambda *a: 1, "jax", widgets=False)
    out = capsys.readouterr().out
    assert out.startswith("❌ Unknown framework 'jax': use \"torch\", \"tensorflow\" or \"numpy\"")
    assert "Traceback" not in out and "report" not in out


# =========================================================================== notebook UI: hints, stale cells, display
def test_the_solution_is_added_below_the_hints_and_a_second_click_hides_it():
    box = checks.HelpBox("rnn_step", "torch")
    box.hint_button.click()
    box.hint_button.click()
    box.solution_button.click()
    text = box.text.value
    assert "Hint 1." in text and "Hint 2." in text and "torch.tanh" in text
    assert text.index("Hint 2.") < text.index("One solution")              # below the hints
    assert box.solution_button.description == "Hide the solution"
    box.hint_button.click()                                                # a third hint: the solution stays last
    assert "Hint 3." in box.text.value and box.text.value.index("Hint 3.") < box.text.value.index("One solution")
    box.solution_button.click()
    assert "torch.tanh" not in box.text.value and "Hint 3." in box.text.value
    assert box.solution_button.description == "Show the solution"
    box.solution_button.click()
    assert "torch.tanh" in box.text.value


SOFTMAX_V1 = "def softmax(z):\n    raise NotImplementedError"


SOFTMAX_FIXED = ("def softmax(z):\n    e = np.exp(z - z.max(axis=1, keepdims=True))\n"
                 "    return e / e.sum(axis=1, keepdims=True)")


SOFTMAX_UNCLOSED = ("def softmax(z):\n    e = np.exp(z - z.max(axis=1, keepdims=True)\n"
                    "    return e / e.sum(axis=1, keepdims=True)")


def _notebook(cells, ran, filename="/tmp/ipykernel_123/{}.py"):
    """A user namespace like IPython's: ``In``/``_ih`` hold every cell run; ``ran`` are the indexes of
    those that ran without errors (their definitions are in the namespace)."""
    cells = [""] + list(cells)
    ns = {"np": np, "check": checks.check, "In": cells, "_ih": cells}
    for i in ran:
        exec(compile(cells[i], filename.format(1000 + i), "exec"), ns)
    return ns


def _run_check(ns, call="check('softmax', widgets=False)"):
    exec(compile(call, "/tmp/ipykernel_123/9999.py", "exec"), ns)


@pytest.mark.parametrize("cells,ran,stale", [
    ([SOFTMAX_V1, SOFTMAX_UNCLOSED], [1], True),                              # the fix left a ( open
    ([SOFTMAX_V1, "check('softmax')", SOFTMAX_UNCLOSED, "check('softmax')"], [1], True),
    ([SOFTMAX_V1, "import no_such_module\n" + SOFTMAX_FIXED], [1], True),     # failed above the def
    ([SOFTMAX_V1, SOFTMAX_UNCLOSED, SOFTMAX_FIXED], [1, 3], False),            # fixed and run again
    ([SOFTMAX_V1, SOFTMAX_FIXED, SOFTMAX_V1], [1, 2, 3], False),              # back to the stub, on purpose
    ([SOFTMAX_FIXED, "print('def softmax(z):')"], [1, 2], False),             # only a string: not a definition
    ([SOFTMAX_FIXED, "x = 1\n# def softmax(z): an idea"], [1, 2], False),     # a comment
    ([SOFTMAX_FIXED + "\ncheck('softmax')"], [1], False),                      # def and check in one cell
])
def test_a_definition_that_did_not_run_is_not_graded(cells, ran, stale, capsys):
    ns = _notebook(cells, ran)
    assert checks.changed_since_run("softmax", ns["softmax"], ns) is stale
    capsys.readouterr()
    _run_check(ns)
    out = capsys.readouterr().out
    if stale:
        assert checks.CHANGED_CELL in out and len(out.splitlines()) == 1, out
        assert not any(out.startswith(icon) for icon in "✅❌⏳"), out
    else:
        assert out[:1] in "✅⏳" and checks.CHANGED_CELL not in out, out


def test_without_an_input_history_the_function_is_graded(capsys):
    ns = _notebook([SOFTMAX_FIXED], [1])
    del ns["In"], ns["_ih"]
    _run_check(ns)
    assert capsys.readouterr().out.startswith("✅ Correct!")
    ns = _notebook([SOFTMAX_UNCLOSED], [])                         # a function from somewhere else entirely
    ns["softmax"] = load_function(SOFTMAX_FIXED, "numpy")
    ns["softmax"].__code__ = ns["softmax"].__code__.replace(co_firstlineno=40)
    _run_check(ns)
    assert checks.CHANGED_CELL in capsys.readouterr().out   # the newest def never ran
    ns = _notebook([SOFTMAX_V1], [])
    ns["softmax"] = load_function(SOFTMAX_FIXED, "numpy")          # In without a matching cell: graded
    _run_check(ns)
    assert capsys.readouterr().out.startswith("✅ Correct!")
    for junk in (None, "text", [None, 3]):
        ns = _notebook([SOFTMAX_FIXED], [1])
        ns["In"] = ns["_ih"] = junk
        _run_check(ns)
        assert capsys.readouterr().out.startswith("✅ Correct!")


def test_a_check_after_an_exercise_cell_that_never_ran_says_why(capsys):
    _run_check(_notebook([SOFTMAX_UNCLOSED], []))
    assert capsys.readouterr().out.startswith("⏳ `softmax` is not defined yet: the exercise cell stopped at an error")
    _run_check(_notebook([], []))
    assert capsys.readouterr().out.startswith("⏳ `softmax` is not defined yet: run the exercise cell above")


def test_the_function_passed_explicitly_is_checked_for_staleness_too(capsys):
    ns = _notebook([SOFTMAX_V1, SOFTMAX_UNCLOSED], [1])
    _run_check(ns, "check(softmax, 'numpy', widgets=False)")
    assert checks.CHANGED_CELL in capsys.readouterr().out


def test_a_check_before_the_setup_cell_says_so_in_one_line(monkeypatch, capsys):
    import IPython

    from helpers import course

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())       # as in a notebook kernel
    monkeypatch.setattr(course, "SETUP_DONE", False)
    checks.check("softmax", lambda z: z, widgets=False)
    lines = capsys.readouterr().out.splitlines()
    assert "setup cell" in lines[0] and lines[1].startswith("❌")
    monkeypatch.setattr(course, "SETUP_DONE", True)
    checks.check("softmax", lambda z: z, widgets=False)
    assert capsys.readouterr().out.startswith("❌")
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)           # a script or pytest: no note
    monkeypatch.setattr(course, "SETUP_DONE", False)
    checks.check("softmax", lambda z: z, widgets=False)
    assert capsys.readouterr().out.startswith("❌")


def test_setup_sets_the_flag():
    from helpers import course

    before = course.SETUP_DONE
    try:
        course.setup(report=False)
        assert course.SETUP_DONE is True
    finally:
        course.SETUP_DONE = before


def test_the_help_box_is_displayed_live_with_a_readable_text_fallback(monkeypatch, capsys):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.append((objs, kw)))
    checks.check("softmax", lambda z: z)
    [((bundle,), kw)] = shown
    assert kw.get("raw") is True and bundle["text/plain"] == checks.HELP_FALLBACK
    assert "Hints and solution: run this cell" in bundle["text/plain"]
    assert "If the buttons do nothing, run this cell again." in bundle["text/plain"]
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"]


IPYTHON_SCRIPT = r"""
import contextlib, io, json, sys
sys.path.insert(0, sys.argv[1])
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.displaypub import CapturingDisplayPublisher


shell = InteractiveShell.instance()
shell.display_pub = CapturingDisplayPublisher()


out = []
for cell in json.loads(sys.argv[2]):
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        shell.run_cell(cell, store_history=True)
    out.append(printed.getvalue())
    # what a stored notebook shows where the widget cannot run
    out[-1] += "".join("[display] " + o["data"].get("text/plain", "") + "\n" for o in shell.display_pub.outputs)
    shell.display_pub.outputs.clear()
print(json.dumps(out))
"""


def test_in_a_real_ipython_shell_a_broken_fix_is_not_graded_and_widgets_read_well(tmp_path):
    """The whole path in IPython itself: In/_ih, a SyntaxError cell, the display publisher, the setup flag."""
    import json
    import os
    import subprocess

    root = str(pathlib.Path(__file__).resolve().parents[1])
    cells = ["import numpy as np\nfrom helpers.checks import check\nfrom helpers.quiz import quiz",
             SOFTMAX_V1, "check('softmax')", SOFTMAX_UNCLOSED, "check('softmax')", SOFTMAX_FIXED,
             "check('softmax')", "quiz('00_start_here', 'warmup')",
             "from helpers.course import setup\nsetup(report=False)", "check('softmax', widgets=False)"]
    run = subprocess.run([sys.executable, "-c", IPYTHON_SCRIPT, root, json.dumps(cells)], capture_output=True,
                         text=True, timeout=300, env={**os.environ, "RNN_COURSE_PROGRESS": str(tmp_path / "p.json")})
    assert run.returncode == 0, run.stderr[-3000:]
    out = json.loads(run.stdout.splitlines()[-1])
    note = "setup cell at the top has not run"
    assert note in out[2] and "⏳ Not attempted yet" in out[2] and f"[display] {checks.HELP_FALLBACK}" in out[2]
    assert "SyntaxError" in out[3]
    assert checks.CHANGED_CELL in out[4] and "Not attempted" not in out[4]
    assert "✅ Correct!" in out[6] and checks.CHANGED_CELL not in out[6]
    assert "[display] Quiz: run this cell to take it" in out[7] and "VBox" not in out[7]
    assert out[9].startswith("✅ Correct!") and note not in out[9]
    saved = json.loads((tmp_path / "p.json").read_text())["exercises"]["softmax|numpy"]
    assert saved["status"] == "correct" and saved["attempts"] == 3              # the stale check was not counted


def _magic(body, magic="time"):
    """How IPython keeps a %%time cell in its input history."""
    return f"get_ipython().run_cell_magic({magic!r}, '', {body!r})"


@pytest.mark.parametrize("cells,ran,stale", [
    ([SOFTMAX_FIXED, _magic(SOFTMAX_UNCLOSED)], [1], True),               # %%time around a SyntaxError
    ([SOFTMAX_FIXED, "%%capture\n" + SOFTMAX_UNCLOSED], [1], True),       # a raw cell magic
    ([SOFTMAX_UNCLOSED, _magic(SOFTMAX_FIXED)], [], False),                # the %%time cell defined it
    ([SOFTMAX_FIXED, _magic("def softmax(z):\n  pass", "bash")], [1], False),   # bash defines nothing
])
def test_a_cell_magic_around_the_definition_is_read_as_its_python(cells, ran, stale, capsys):
    ns = _notebook(cells, ran)
    if not ran:                                      # what %%time runs: the body, in the namespace
        exec(compile(SOFTMAX_FIXED, "<timed exec>", "exec"), ns)
    assert checks.changed_since_run("softmax", ns["softmax"], ns) is stale
    _run_check(ns)
    out = capsys.readouterr().out
    assert (checks.CHANGED_CELL in out) is stale, out
