"""Regenerate topic 04's stored LSTM-vs-GRU comparison: every cell at every learning rate, 3 seeds.

    python tools/lstm_vs_gru_04.py                       # both frameworks (about 15 minutes on 2 cores)
    python tools/lstm_vs_gru_04.py --framework torch     # one framework: replaces only its rows
    python tools/lstm_vs_gru_04.py --framework torch --task "adding, T = 50"     # one task

Writes data/lstm_vs_gru_04.csv: for each task of helpers/gru04.TASKS (the adding problem with 50
and 100 steps, the first-token task with 20 steps), each cell of gru04.CELLS (a vanilla RNN, LSTMs
of 32 and 28 units with the forget-gate bias at 1, an LSTM of 32 units with it at 2, a GRU of 32
units), each learning rate of gru04.LEARNING_RATES and each seed (the initial weights and the order
of the mini-batches): the training loss, the validation and the test value (MSE or accuracy) after
every epoch. Notebook 04 chooses each cell's learning rate on validation (gru04.summary), shows
the table and runs one row live. Each framework runs in its own process, as the notebooks do.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from helpers import gru04  # noqa: E402
from lstm_sweeps_03 import _framework, _write  # noqa: E402


def train_grid(fw, seed, framework: str, task: str, p: dict, split, builders: dict,
               rates, seeds, training: dict) -> list[dict]:
    """Train the model of every builder ({name: build() -> a fresh model}) at every learning
    rate of ``rates`` from every seed of ``seeds`` (``seed(s)`` before each build: the initial
    weights; and the order of the batches) on ``split`` (train, val, test) of ``task`` (settings
    ``p``: "task", "epochs", "metric"); the models of one rate train side by side. One CSV row
    per run: its settings and the training loss, validation and test value after every epoch."""
    rows = []
    for lr in rates:
        start = time.perf_counter()
        keys, models = [], []
        for name, build in builders.items():
            for s in seeds:
                seed(s)
                keys.append((name, s))
                models.append(build())
        runs = fw.fit_runs(models, *split, task=p["task"], epochs=p["epochs"], lr=lr,
                           seed=[s for _, s in keys], **training)
        for (name, s), model, run in zip(keys, models, runs):
            rows.append({"framework": framework, "task": task, "cell": name,
                         "params": fw.count_params(model), "lr": lr, "seed": s,
                         "epochs": p["epochs"],
                         **{f"train_loss_{e + 1}": f"{v:.4g}"
                            for e, v in enumerate(run["train_loss"])},
                         **{f"val_{e + 1}": f"{v:.4g}"
                            for e, v in enumerate(run[f"val_{p['metric']}"])},
                         **{f"test_{e + 1}": f"{v:.4g}"
                            for e, v in enumerate(run[f"test_{p['metric']}"])}})
        print(f"{framework}, {task}, lr {lr}: {time.perf_counter() - start:.0f} s", flush=True)
    return rows


def sweep(framework: str, tasks):
    """Train every cell at every learning rate from every seed on each of ``tasks``, writing
    each task's rows as soon as it is done."""
    fw, seed, _ = _framework(framework)
    for task in tasks:
        p = gru04.TASKS[task]
        split = gru04.splits(task)
        D = split[0].shape[2]
        builders = {name: (lambda cell=cell, H=H, b_f=b_f:
                           gru04.seq_model(fw, cell, D, H, p["C"], b_f))
                    for name, (cell, H, b_f) in gru04.CELLS.items()}
        rows = train_grid(fw, seed, framework, task, p, split, builders,
                          gru04.LEARNING_RATES, gru04.SEEDS, gru04.TRAINING)
        _write(gru04.STORED, rows, keys=("framework", "task"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--framework", choices=("torch", "tensorflow"))
    ap.add_argument("--task", choices=list(gru04.TASKS), action="append",
                    help="only this task (repeatable); default: every task")
    args = ap.parse_args(argv)
    if args.framework is None:                   # each framework in its own process
        for framework in ("torch", "tensorflow"):
            subprocess.run([sys.executable, __file__, "--framework", framework], check=True)
        return 0
    sweep(args.framework, args.task or list(gru04.TASKS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
