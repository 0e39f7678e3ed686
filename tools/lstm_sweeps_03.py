"""Regenerate topic 03's stored results: where the LSTM's gradient flows, and the forget-bias sweep.

    python tools/lstm_sweeps_03.py                       # both frameworks (about 3 minutes on 2 cores)
    python tools/lstm_sweeps_03.py --framework torch     # one framework: replaces only its rows

Writes data/gradient_paths_03.csv: for LSTM classifiers (32 units, forget-gate bias b_f = 0, 1, 2,
seeds 0-2) on topic 02's first-token task with 50 steps, the gradient that reaches the first cell
state, split into the direct path along the cell state (the product of the forget gates) and the
total (``fw.lstm_gradient_paths``), at initialisation and after 10 epochs of training, with the
training loss and the test accuracy. data/first_token_03.csv: the running thread, a vanilla RNN
and LSTMs with b_f = 1 and 2 on the first-token task with 20 and 40 steps, seeds 0-2, 8 epochs:
the test accuracy at the epoch chosen on validation. And data/forget_bias_03.csv: the adding problem with 100 steps,
LSTM regressors with b_f = -2, 0, 1, 2, seeds 0-2 (initialisation and order of the mini-batches),
10 epochs: the held-out MSE and training loss per epoch. The settings are in helpers/lstm03.py,
shared with notebook 03, which shows these tables and runs one row of each live. Each framework
runs in its own process, single-threaded like the notebooks.
"""
from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers import lstm03  # noqa: E402

SEEDS = (0, 1, 2)


def _framework(name: str):
    """fw (the framework's helpers), seed(s), and the notebook's Classifier / Regressor builders."""
    if name == "torch":
        import torch
        from helpers import torch_utils as fw
        fw.setup(report=False)
        torch.set_num_threads(1)

        def seed(s):
            torch.manual_seed(s)

        def head(model):
            return fw.to_numpy(model.head.weight.T), fw.to_numpy(model.head.bias)
    else:
        from helpers import tf_utils as fw        # first: sets TensorFlow's environment
        import keras
        fw.setup(report=False)

        def seed(s):
            keras.utils.set_random_seed(s)

        def head(model):
            return np.asarray(model.head.kernel), np.asarray(model.head.bias)
    return fw, seed, head


def gradient_paths(framework: str) -> list[dict]:
    fw, seed, head = _framework(framework)
    p = lstm03.PATHS_TASK
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = lstm03.first_token_splits(p)
    x_probe, y_probe = lstm03.probe(p)
    keys, models = [], []
    for b_f in p["forget_biases"]:
        for s in SEEDS:
            seed(s)
            keys.append((b_f, s))
            models.append(lstm03.classifier(fw, "lstm", forget_bias=b_f, hidden=p["hidden"]))
    at_init = [fw.lstm_gradient_paths(fw.lstm_weights(m.rnn), head(m), x_probe, y_probe)
               for m in models]
    runs = fw.fit_runs(models, X_tr, y_tr, X_va, y_va, X_te, y_te, task="classification",
                       epochs=p["epochs"], lr=p["lr"], batch_size=p["batch_size"], clip=p["clip"],
                       seed=[s for _, s in keys])
    rows = []
    for (b_f, s), m, init, run in zip(keys, models, at_init, runs):
        trained = fw.lstm_gradient_paths(fw.lstm_weights(m.rnn), head(m), x_probe, y_probe)
        best = int(np.argmax(run["val_acc"]))
        for stage, paths in (("init", init), ("trained", trained)):
            rows.append({"framework": framework, "b_f": b_f, "seed": s, "stage": stage,
                         "epochs": 0 if stage == "init" else p["epochs"],
                         **{k: f"{paths[k]:.4e}" for k in ("last", "direct", "total")},
                         "train_loss": f"{run['train_loss'][-1]:.4f}" if stage == "trained" else "",
                         "test_acc": f"{run['test_acc'][best]:.4f}" if stage == "trained" else ""})
            print(rows[-1], flush=True)
    return rows


def first_token(framework: str) -> list[dict]:
    fw, seed, _ = _framework(framework)
    p = lstm03.FIRST_TOKEN_TASK
    rows = []
    for T in p["lengths"]:
        (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = lstm03.first_token_splits(p, seq_len=T)
        keys, models = [], []
        for name, (cell, b_f) in p["cells"].items():
            for s in SEEDS:
                seed(s)
                keys.append((name, s))
                models.append(lstm03.classifier(fw, cell, forget_bias=b_f, hidden=p["hidden"]))
        runs = fw.fit_runs(models, X_tr, y_tr, X_va, y_va, X_te, y_te, task="classification",
                           epochs=p["epochs"], lr=p["lr"], batch_size=p["batch_size"],
                           clip=p["clip"], seed=[s for _, s in keys])
        for (name, s), run in zip(keys, runs):
            best = int(np.argmax(run["val_acc"]))
            rows.append({"framework": framework, "cell": name, "seq_len": T, "seed": s,
                         "epochs": p["epochs"], "best_epoch": best + 1,
                         "test_acc": f"{run['test_acc'][best]:.4f}",
                         "train_loss_last": f"{run['train_loss'][-1]:.4f}"})
            print(rows[-1], flush=True)
    return rows


def forget_bias(framework: str) -> list[dict]:
    fw, seed, _ = _framework(framework)
    p = lstm03.SWEEP_TASK
    X_tr, y_tr, X_va, y_va = lstm03.adding_splits(p)
    keys, models = [], []
    for b_f in p["forget_biases"]:
        for s in SEEDS:
            seed(s)
            keys.append((b_f, s))
            models.append(lstm03.regressor(fw, forget_bias=b_f, hidden=p["hidden"]))
    runs = fw.fit_runs(models, X_tr, y_tr, X_va, y_va, epochs=p["epochs"], lr=p["lr"],
                       batch_size=p["batch_size"], clip=p["clip"], seed=[s for _, s in keys])
    rows = []
    for (b_f, s), run in zip(keys, runs):
        rows.append({"framework": framework, "b_f": b_f, "seed": s, "epochs": p["epochs"],
                     "first_below": lstm03.first_epoch_below(run["val_mse"], p["threshold"]),
                     **{f"val_mse_{e + 1}": f"{m:.4f}" for e, m in enumerate(run["val_mse"])},
                     "train_loss_last": f"{run['train_loss'][-1]:.4f}"})
        print(rows[-1], flush=True)
    return rows


def _write(path: Path, rows: list[dict], keys: tuple = ("framework",)):
    """Replace the rows of the CSV at ``path`` that share ``keys`` with one of ``rows`` by
    ``rows``, keeping the others as written; torch's rows first."""
    done = {tuple(str(r[k]) for k in keys) for r in rows}
    old = []
    if path.exists():
        with open(path, newline="", encoding="utf-8") as f:
            old = [r for r in csv.DictReader(f) if tuple(r[k] for k in keys) not in done]
    rows = sorted(old + rows, key=lambda r: ("torch", "tensorflow").index(r["framework"]))
    keys = list(dict.fromkeys(k for r in rows for k in r))     # rows may differ in epochs

    def column(key):                    # settings, then each series epoch by epoch, then the rest
        series = re.fullmatch(r"(train_loss|val|test)_(\d+)", key)
        if series:
            return (1, ("train_loss", "val", "test").index(series[1]), int(series[2]))
        return (0 if key in rows[0] and not key.startswith("ms_") else 2, keys.index(key), 0)

    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=sorted(keys, key=column), restval="",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--framework", choices=("torch", "tensorflow"))
    args = ap.parse_args(argv)
    if args.framework is None:                   # each framework in its own process
        for framework in ("torch", "tensorflow"):
            subprocess.run([sys.executable, __file__, "--framework", framework], check=True)
        return 0
    _write(ROOT / "data" / "gradient_paths_03.csv", gradient_paths(args.framework))
    _write(ROOT / "data" / "first_token_03.csv", first_token(args.framework))
    _write(ROOT / "data" / "forget_bias_03.csv", forget_bias(args.framework))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
