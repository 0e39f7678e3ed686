"""Regenerate topic 08's stored results: the course's ladder and the memory-span run.

    python tools/ladder_08.py                       # both frameworks (about 4 minutes on 2 cores)
    python tools/ladder_08.py --framework torch     # one framework: replaces only its rows

Writes data/ladder_08.csv (every architecture of the course on data.delayed_recall_task with
sequences of 32 steps, 3 seeds: parameters, seconds per training epoch, test accuracy mean / min /
max, and the mean accuracy per delay bin) and data/memory_span_08.csv (vanilla RNN, LSTM, GRU and
attention on the same task with sequences of 128 steps, 3 seeds, 20 epochs: test accuracy per
delay bin and the first epoch with 90% validation accuracy, per seed). The settings are in
helpers/limits.py (LADDER_TASK, SPAN_TASK), shared with the notebooks, whose live run is the
ladder's reduced version (one seed). Timings depend on the machine: run it with the machine
otherwise idle. Each framework runs in its own process, as in its notebook.
"""
from __future__ import annotations

import argparse
import csv
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers import data, limits  # noqa: E402

SEEDS = (0, 1, 2)
LADDER_FIELDS = (["framework", "model", "params", "sec_per_epoch", "acc_mean", "acc_min",
                  "acc_max", "seeds", "epochs", "seq_len"]
                 + [f"acc_{lo}_{hi - 1}" for lo, hi in limits.DELAY_BINS])
SPAN_FIELDS = (["framework", "model", "seed", "epochs", "seq_len", "epochs_to_90"]
               + [f"acc_{lo}_{hi - 1}" for lo, hi in limits.SPAN_BINS])


def _framework(name: str):
    if name == "torch":
        import torch
        from helpers import torch_utils as fw
        fw.setup(report=False)

        def predict(model, X):
            model.eval()
            with torch.no_grad():
                return model(torch.from_numpy(X)).argmax(1).numpy()

        def seed(s):
            torch.manual_seed(s)
    else:
        from helpers import tf_utils as fw        # first: sets TensorFlow's environment
        import keras
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(1)   # as the notebook: one thread
        tf.config.threading.set_inter_op_parallelism_threads(1)   # and one operation at a time
        fw.setup(report=False)

        def predict(model, X):
            return np.asarray(model(X, training=False)).argmax(1)

        def seed(s):
            keras.utils.set_random_seed(s)
    return fw, predict, seed


def _task(p: dict):
    n = p["n_train"] + p["n_val"] + p["n_test"]
    X, y, delay = data.delayed_recall_task(n, p["seq_len"], p["n_classes"], p["dim"], p["noise"],
                                           seed=p["data_seed"])
    a, b = p["n_train"], p["n_train"] + p["n_val"]
    return (X[:a], y[:a]), (X[a:b], y[a:b]), (X[b:], y[b:], delay[b:])


def _train(fw, seed, names, p):
    """Every model of ``names`` for every seed, trained side by side: {(name, seed): (model, run)}."""
    train, val, (X_te, y_te, _) = _task(p)
    keys, models = [], []
    for name in names:
        for s in SEEDS:
            seed(s)
            keys.append((name, s))
            models.append(fw.ladder_model(name, p["dim"], p["n_classes"]))
    runs = fw.fit_runs(models, *train, *val, X_te, y_te, task="classification",
                       epochs=p["epochs"], lr=p["lr"], batch_size=p["batch_size"], clip=p["clip"])
    return dict(zip(keys, zip(models, runs)))


def run(framework: str) -> tuple[list[dict], list[dict]]:
    fw, predict, seed = _framework(framework)
    p = limits.LADDER_TASK
    train, _, (X_te, y_te, d_te) = _task(p)
    trained = _train(fw, seed, limits.LADDER, p)
    ladder = []
    for name in limits.LADDER:
        accs = np.array([run["test_acc"][int(np.argmax(run["val_acc"]))]
                         for (n, _), (_, run) in trained.items() if n == name])
        bins = np.mean([limits.accuracy_by_delay(predict(m, X_te), y_te, d_te)
                        for (n, _), (m, _) in trained.items() if n == name], axis=0)
        seed(0)
        fresh = fw.ladder_model(name, p["dim"], p["n_classes"])
        seconds = float(np.median(fw.time_per_epoch(fresh, *train, task="classification",
                                                    batch_size=p["batch_size"])))
        ladder.append({"framework": framework, "model": name, "params": fw.count_params(fresh),
                       "sec_per_epoch": f"{seconds:.4f}", "acc_mean": f"{accs.mean():.4f}",
                       "acc_min": f"{accs.min():.4f}", "acc_max": f"{accs.max():.4f}",
                       "seeds": len(accs), "epochs": p["epochs"], "seq_len": p["seq_len"],
                       **{f"acc_{lo}_{hi - 1}": f"{acc:.4f}"
                          for (lo, hi), acc in zip(limits.DELAY_BINS, bins)}})
        print(ladder[-1], flush=True)

    p = limits.SPAN_TASK
    _, _, (X_te, y_te, d_te) = _task(p)
    span = []
    for (name, s), (model, run) in _train(fw, seed, limits.SPAN_MODELS, p).items():
        reached = [e + 1 for e, acc in enumerate(run["val_acc"]) if acc >= 0.9]
        bins = limits.accuracy_by_delay(predict(model, X_te), y_te, d_te, limits.SPAN_BINS)
        span.append({"framework": framework, "model": name, "seed": s, "epochs": p["epochs"],
                     "seq_len": p["seq_len"], "epochs_to_90": reached[0] if reached else "never",
                     **{f"acc_{lo}_{hi - 1}": f"{acc:.4f}"
                        for (lo, hi), acc in zip(limits.SPAN_BINS, bins)}})
        print(span[-1], flush=True)
    return ladder, span


def _write(path: Path, fields: list[str], rows: list[dict], framework: str):
    """Replace ``framework``'s rows of the CSV at ``path`` by ``rows``; torch's rows first."""
    old = []
    if path.exists():                            # the other framework's rows, as written
        with open(path, newline="", encoding="utf-8") as f:
            old = [r for r in csv.DictReader(f) if r["framework"] != framework]
    keep = {"torch": 0, "tensorflow": 1}
    rows = sorted(old + rows, key=lambda r: keep[r["framework"]])

    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row[k] for k in fields})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--framework", choices=["torch", "tensorflow", "both"], default="both")
    args = parser.parse_args()
    if args.framework == "both":                 # one process per framework
        for name in ("torch", "tensorflow"):
            subprocess.run([sys.executable, __file__, "--framework", name], check=True)
        return
    ladder, span = run(args.framework)
    _write(limits.LADDER_CSV, LADDER_FIELDS, ladder, args.framework)
    _write(limits.SPAN_CSV, SPAN_FIELDS, span, args.framework)
    print(f"wrote {limits.LADDER_CSV.name} and {limits.SPAN_CSV.name} ({args.framework})")


if __name__ == "__main__":
    main()
