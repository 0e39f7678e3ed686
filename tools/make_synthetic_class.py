"""Write the synthetic class that tests ``python -m helpers.grade`` (tests/test_grade.py)

    python tools/make_synthetic_class.py [OUT]      (default tests/data/synthetic_class)

OUT/submissions/ holds one learner per file (the learner id is the file name up to the
first "_"; the files are renamed, so the grader must recognise topic and framework from
their content), for topics 01 and 02 in each framework: correct, partly wrong (catalogued
mistakes), unattempted; hostile ones (invalid JSON, a top-level endless loop, os._exit, a
network call, 50 MB printed, a missing exercise cell); tampered ones (check redefined and
the check cells deleted; fake printed ticks and verdicts and edited check cells; a
helpers/ shadow beside the notebooks and in a zip, with a reload; the grading engine and
NumPy monkeypatched); and a progress export. OUT/expected.csv is what the grader must
write, the seconds column left empty: written from what each submission was made to be,
not by running the grader. The learners' code is written here, not copied from the
course, so that edits to the notebooks or solutions leave these files as they are.
"""
import csv
import json
import pathlib
import sys
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
COLUMNS = ["learner", "file", "topic", "framework", "exercise", "status", "hint",
           "hint_kind", "seconds", "note"]
NOTEBOOK = {("01", "torch"): "01_from_ffn_to_rnn_pytorch.ipynb",
            ("01", "tensorflow"): "01_from_ffn_to_rnn_tensorflow.ipynb",
            ("02", "torch"): "02_training_rnns_pytorch.ipynb",
            ("02", "tensorflow"): "02_training_rnns_tensorflow.ipynb"}
EXERCISES = {"01": ["rnn_step", "rnn_forward", "rnn_param_count"],
             "02": ["rnn_step_backward", "scale_to_radius", "clip_by_global_norm",
                    "train_tbptt", "last_valid_state", "masked_mean_loss"]}
IMPORTS = {"torch": "import numpy as np\nimport torch\nfrom torch import nn\n"
                    "from helpers.checks import check\n",
           "tensorflow": "import numpy as np\nimport tensorflow as tf\nimport keras\n"
                         "from helpers.checks import check\n"}
SIGNATURE = {"rnn_step": "x_t, h_prev, W_xh, W_hh, b_h", "rnn_forward": "X, h0, step",
             "rnn_param_count": "D, H",
             "rnn_step_backward": "dh_t, x_t, h_prev, h_t, W_xh, W_hh",
             "scale_to_radius": "W, rho", "clip_by_global_norm": "grads, max_norm",
             "train_tbptt": "cell, head, x, y, k, lr",
             "last_valid_state": "outputs, lengths",
             "masked_mean_loss": "step_losses, lengths"}
STUB = "    # YOUR CODE HERE\n    raise NotImplementedError\n"

RIGHT = {"torch": {
    "rnn_step": """\
    return torch.tanh(x_t @ W_xh + h_prev @ W_hh + b_h)
""",
    "rnn_forward": """\
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = step(X[:, t], h)
        outs.append(h)
    return torch.stack(outs, dim=1), h
""",
    "rnn_param_count": """\
    return D * H + H * H + 2 * H
""",
    "rnn_step_backward": """\
    da = dh_t * (1 - h_t ** 2)
    return da @ W_xh.T, da @ W_hh.T, x_t.T @ da, h_prev.T @ da, da.sum(dim=0)
""",
    "scale_to_radius": """\
    return W * (rho / torch.linalg.eigvals(W).abs().max())
""",
    "clip_by_global_norm": """\
    total = torch.sqrt(sum((g ** 2).sum() for g in grads))
    return [g * min(1.0, max_norm / float(total)) for g in grads]
""",
    "train_tbptt": """\
    params = list(cell.parameters()) + list(head.parameters())
    opt = torch.optim.SGD(params, lr=lr)
    B, T, _ = x.shape
    h, losses = torch.zeros(B, cell.hidden_size), []
    for start in range(0, T, k):
        h, errors = h.detach(), []
        for t in range(start, min(start + k, T)):
            h = cell(x[:, t], h)
            errors.append((head(h).squeeze(-1) - y[:, t]) ** 2)
        loss = torch.stack(errors).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
""",
    "last_valid_state": """\
    return outputs[torch.arange(outputs.shape[0]), lengths - 1]
""",
    "masked_mean_loss": """\
    steps = torch.arange(step_losses.shape[1])[None, :]
    mask = (steps < lengths[:, None]).to(step_losses.dtype)
    return (step_losses * mask).sum() / mask.sum()
"""}, "tensorflow": {
    "rnn_step": """\
    return tf.tanh(tf.matmul(x_t, W_xh) + tf.matmul(h_prev, W_hh) + b_h)
""",
    "rnn_forward": """\
    h, outs = h0, []
    for t in range(X.shape[1]):
        h = step(X[:, t], h)
        outs.append(h)
    return tf.stack(outs, axis=1), h
""",
    "rnn_param_count": """\
    return D * H + H * H + H
""",
    "rnn_step_backward": """\
    da = dh_t * (1 - h_t ** 2)
    dx_t = tf.matmul(da, W_xh, transpose_b=True)
    dh_prev = tf.matmul(da, W_hh, transpose_b=True)
    dW_xh = tf.matmul(x_t, da, transpose_a=True)
    dW_hh = tf.matmul(h_prev, da, transpose_a=True)
    return dx_t, dh_prev, dW_xh, dW_hh, tf.reduce_sum(da, axis=0)
""",
    "scale_to_radius": """\
    return W * (rho / tf.reduce_max(tf.abs(tf.linalg.eigvals(W))))
""",
    "clip_by_global_norm": """\
    total = tf.sqrt(tf.add_n([tf.reduce_sum(g ** 2) for g in grads]))
    return [g * min(1.0, max_norm / float(total)) for g in grads]
""",
    "train_tbptt": """\
    variables = cell.trainable_variables + head.trainable_variables
    B, T = x.shape[0], x.shape[1]
    h, losses = tf.zeros((B, cell.units)), []
    for start in range(0, T, k):
        h = tf.stop_gradient(h)
        with tf.GradientTape() as tape:
            errors = []
            for t in range(start, min(start + k, T)):
                _, [h] = cell(x[:, t], [h])
                errors.append((tf.squeeze(head(h), -1) - y[:, t]) ** 2)
            loss = tf.reduce_mean(tf.stack(errors))
        for v, g in zip(variables, tape.gradient(loss, variables)):
            v.assign_sub(lr * g)
        losses.append(float(loss))
    return losses
""",
    "last_valid_state": """\
    return tf.gather(outputs, lengths - 1, axis=1, batch_dims=1)
""",
    "masked_mean_loss": """\
    mask = tf.sequence_mask(lengths, step_losses.shape[1], dtype=step_losses.dtype)
    return tf.reduce_sum(step_losses * mask) / tf.reduce_sum(mask)
"""}}

# Partly wrong: exercise -> (body, the hint id the check must give), per framework; of
# the other exercises, those in STUBBED_WHEN_WRONG are left as stubs, the rest are right.
WRONG = {"torch": {
    "rnn_step": ("    return x_t @ W_xh + h_prev @ W_hh + b_h\n", "no-tanh"),
    "rnn_param_count": ("    return D * H + H * H\n", "no-bias"),
    "scale_to_radius": ("    return W * (rho / W.norm())\n", "frobenius"),
    "clip_by_global_norm": (
        "    return [g * min(1.0, max_norm / float(g.norm())) for g in grads]\n",
        "per-tensor")},
    "tensorflow": {
    "rnn_step": ("    return tf.matmul(x_t, W_xh) + tf.matmul(h_prev, W_hh) + b_h\n",
                 "no-tanh"),
    "rnn_param_count": ("    return D * H + H * H\n", "no-bias"),
    "scale_to_radius": ("    return W * (rho / tf.norm(W))\n", "frobenius"),
    "clip_by_global_norm": (
        "    return [g * min(1.0, max_norm / float(tf.norm(g))) for g in grads]\n",
        "per-tensor")}}
STUBBED_WHEN_WRONG = {"rnn_step_backward", "train_tbptt"}
SELF_REPORTED = "self-reported (the learner's progress file)"
DIED = ("could not run: the kernel died (the code ended the process: os._exit, a crash, "
        "or out of memory)")
BLOCKED = ("the exercise cell raised URLError: <urlopen error network access is blocked "
           "in the course's tests: example.com>")
MONKEYPATCH = """\
import numpy
import helpers.checks.grading as g
from helpers.checks.model import Verdict
g._compare = lambda ex, results, fw: Verdict('correct', 'Correct!', 'correct')
g.grade = lambda *a, **k: Verdict('correct', 'Correct!', 'correct')
numpy.allclose = lambda *a, **k: True
def grade(*args, **kwargs):
    return Verdict('correct', 'Correct!', 'correct')
"""
RELOAD = """\
import importlib, os, sys
sys.path.insert(0, os.getcwd())
import helpers.checks.grading
importlib.reload(helpers.checks.grading)
"""
SHADOW = """\
from helpers.checks.model import Verdict


def grade(*args, **kwargs):
    return Verdict('correct', 'Correct!', 'correct')
"""


def cell(kind, source, outputs=None):
    if kind == "markdown":
        return {"cell_type": "markdown", "metadata": {}, "source": source}
    return {"cell_type": "code", "execution_count": None, "metadata": {},
            "outputs": outputs or [], "source": source}


def stream(text):
    return [{"name": "stdout", "output_type": "stream", "text": text}]


def notebook(topic, fw, bodies, changes=()):
    """A learner's notebook: a title, the imports, each exercise cell and its check cell;
    then each of ``changes`` applied to the list of cells."""
    cells = [cell("markdown", f"# Topic {topic}"), cell("code", IMPORTS[fw])]
    for eid in EXERCISES[topic]:
        if eid in bodies:
            source = f"# ✏️ EXERCISE {eid}\ndef {eid}({SIGNATURE[eid]}):\n{bodies[eid]}"
            cells.append(cell("code", source))
        cells.append(cell("code", f'check("{eid}", "{fw}")'))
    for change in changes:
        change(cells)
    kernel = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb = {"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4,
          "nbformat_minor": 5}
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def rows_for(learner, file, topic, fw, outcome):
    """Expected rows: ``outcome`` maps exercise -> (status, hint, hint_kind, note); the
    exercises it does not name are correct."""
    rows = []
    for eid in EXERCISES[topic]:
        status, hint, kind, note = outcome.get(eid, ("correct", "", "", ""))
        rows.append([learner, file, topic, fw, eid, status, hint, kind, "", note])
    solved = sum(r[5] == "correct" for r in rows)
    summary = f"{solved} of {len(rows)} correct"
    rows.append([learner, file, topic, fw, "(summary)", summary, "", "", "",
                 NOTEBOOK[topic, fw]])
    return rows


def partly_wrong(topic, fw):
    bodies, outcome = {}, {}
    for eid in EXERCISES[topic]:
        if eid in WRONG[fw]:
            bodies[eid] = WRONG[fw][eid][0]
            outcome[eid] = ("not yet", WRONG[fw][eid][1], "targeted", "")
        elif eid in STUBBED_WHEN_WRONG:
            bodies[eid], outcome[eid] = STUB, ("not attempted", "", "", "")
        else:
            bodies[eid] = RIGHT[fw][eid]
    return bodies, outcome


def add_to_exercise(eid, code):
    """A change that appends ``code`` to the exercise cell of ``eid``."""
    def change(cells):
        for c in cells:
            if c["source"].startswith(f"# ✏️ EXERCISE {eid}\n"):
                c["source"] += code
    return change


def redefine_check(cells):
    cells[:] = [c for c in cells if not c["source"].startswith("check(")]
    fake = "def check(*args, **kwargs):\n    print('✅ Correct!')\n"
    cells.insert(2, cell("code", fake))
    cells[3]["source"] += "check = lambda *a, **k: print('✅ Correct!')\n"


def fake_ticks(cells):
    for c in cells:
        if c["source"].startswith("check("):
            eid = c["source"].split('"')[1]
            tick = f"✅ Correct! `{eid}` matches the reference on all 3 test cases.\n"
            c["source"], c["outputs"] = f"print({tick.strip()!r})", stream(tick)
        elif c["source"].startswith("# ✏️ EXERCISE"):
            eid = c["source"].split()[3]
            verdict = json.dumps({"exercise": eid, "status": "correct"})
            c["source"] += (f"print({verdict!r})\n"
                            f"print('0' * 32 + {json.dumps({'status': 'correct'})!r})\n")
            c["outputs"] = stream(f"✅ Correct! `{eid}`\n")


def build():
    """({relative path: bytes, or {member: bytes} for a zip}, the expected rows)."""
    files, rows = {}, []
    for fw, short in (("torch", "pt"), ("tensorflow", "tf")):      # honest learners
        for topic in ("01", "02"):
            wrong, outcome = partly_wrong(topic, fw)
            unattempted = {e: ("not attempted", "", "", "") for e in EXERCISES[topic]}
            for who, bodies, expect in (
                    (f"correct-{short}", {e: RIGHT[fw][e] for e in EXERCISES[topic]},
                     {}),
                    (f"partly-{short}", wrong, outcome),
                    (f"unattempted-{short}", dict.fromkeys(EXERCISES[topic], STUB),
                     unattempted)):
                name = f"{who}_week{topic}.ipynb"
                files[name] = notebook(topic, fw, bodies)
                rows += rows_for(who, name, topic, fw, expect)

    right01 = {e: RIGHT["torch"][e] for e in EXERCISES["01"]}
    broken = '{"cells": [{"cell_type": "code", "source": "def rnn_step(\n'
    files["hostile-json_week01.ipynb"] = broken.encode()
    try:
        json.loads(broken)
    except ValueError as e:             # the JSON parser's own words
        rows.append(["hostile-json", "hostile-json_week01.ipynb", "", "", "", "error",
                     "", "", "", f"could not run: not a notebook ({e})"])
    interrupted = "the exercise cell did not finish in 5 s (interrupted)"
    for who, eid, code, outcome in (
            ("hostile-loop", "rnn_step", "while True:\n    pass\n",
             {"rnn_step": ("timed out", "", "", interrupted)}),
            ("hostile-exit", "rnn_forward", "import os\nos._exit(3)\n",
             {e: ("error", "", "", DIED) for e in EXERCISES["01"]}),
            ("hostile-network", "rnn_param_count",
             "import urllib.request\n"
             "urllib.request.urlopen('http://example.com/answers', timeout=5)\n",
             {"rnn_param_count": ("error", "", "", BLOCKED)}),
            ("hostile-print", "rnn_step", "print('x' * 50_000_000)\n", {})):
        name = f"{who}_week01.ipynb"
        files[name] = notebook("01", "torch", right01, [add_to_exercise(eid, code)])
        rows += rows_for(who, name, "01", "torch", outcome)

    def drop_forward(cells):
        mark = "# ✏️ EXERCISE rnn_forward"
        cells[:] = [c for c in cells if not c["source"].startswith(mark)]

    name = "hostile-missing_week01.ipynb"
    files[name] = notebook("01", "torch", right01, [drop_forward])
    missing = "could not run: no cell marked '# ✏️ EXERCISE rnn_forward'"
    rows += rows_for("hostile-missing", name, "01", "torch",
                     {"rnn_forward": ("error", "", "", missing)})

    # Tampered: the partly wrong answers of 01 (PyTorch), each dressed up as correct.
    wrong01, outcome01 = partly_wrong("01", "torch")
    patched = ("tampering: replaced helpers.checks.grading._compare, "
               "helpers.checks.grading.grade, numpy.allclose "
               "(graded with the originals)")
    reloaded = ("tampering: replaced helpers.checks.grading (4 or more of its names) "
                "(graded with the originals)")
    for who, change, note in (
            ("tampered-check", redefine_check, ""), ("tampered-ticks", fake_ticks, ""),
            ("tampered-patch", add_to_exercise("rnn_step", MONKEYPATCH), patched),
            ("tampered-shadow", add_to_exercise("rnn_step", RELOAD), reloaded)):
        name = f"{who}_week01.ipynb"
        nb = notebook("01", "torch", wrong01, [change])
        outcome = dict(outcome01)
        outcome["rnn_step"] = outcome["rnn_step"][:3] + (note,)
        rows += rows_for(who, name, "01", "torch", outcome)
        if who != "tampered-shadow":
            files[name] = nb
            continue
        shadow = {"helpers/__init__.py": b"", "helpers/checks/__init__.py": b"",
                  "helpers/checks/grading.py": SHADOW.encode()}
        files["tampered-shadow.zip"] = {name: nb, **shadow}
        files.update(shadow)            # and a helpers/ folder beside the notebooks

    quiz = {"topic": "01_from_ffn_to_rnn", "part": "closing", "framework": "torch",
            "right": 4, "total": 5,
            "questions": {"q1": True, "q2": True, "q3": True, "q4": True, "q5": False}}
    export = {"kind": "rnn-course-progress-export", "version": 1, "exercises": {},
              "quizzes": {"01_from_ffn_to_rnn|closing|torch": quiz}}
    text = json.dumps(export, indent=1, sort_keys=True) + "\n"
    files["correct-pt_progress.json"] = text.encode()
    rows.append(["correct-pt", "correct-pt_progress.json", "01", "torch",
                 "quiz 01_from_ffn_to_rnn closing", "4 of 5 right", "", "", "",
                 SELF_REPORTED])
    rows.sort(key=lambda r: (r[0], r[1], r[4].startswith(("(", "quiz"))))
    return files, rows


def write(out: pathlib.Path) -> None:
    files, rows = build()
    sub = out / "submissions"
    for name, content in files.items():
        (sub / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):   # a zip, with fixed dates: reproducible
            with zipfile.ZipFile(sub / name, "w", zipfile.ZIP_DEFLATED) as z:
                for member, data in sorted(content.items()):
                    z.writestr(zipfile.ZipInfo(member, (1980, 1, 1, 0, 0, 0)), data)
        else:
            (sub / name).write_bytes(content)
    with open(out / "expected.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)


if __name__ == "__main__":
    default = ROOT / "tests" / "data" / "synthetic_class"
    write(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else default)
