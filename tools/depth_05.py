"""Regenerate topic 05's stored depth sweep: every model at every learning rate, 3 seeds.

    python tools/depth_05.py                       # both frameworks (about 25 minutes on 2 cores)
    python tools/depth_05.py --framework torch     # one framework: replaces only its rows
    python tools/depth_05.py --framework torch --task "sign agreement, T = 30"     # one task
    python tools/depth_05.py --time-only           # the times per step again, on a quiet machine

Writes data/depth_05.csv: for each task of helpers/depth05.TASKS (the adding problem with 50
steps, which one GRU layer already solves, and the sign-agreement count with 30 steps), each
model of depth05.MODELS (GRUs of 1, 2 and 3 layers of 32 units; one-layer GRUs of 55 and 72
units with the parameters of the 2- and 3-layer stacks; the 2-layer stack with dropout 0.2
between its layers), each learning rate of depth05.LEARNING_RATES and each seed (the initial
weights and the order of the mini-batches): the training loss, the validation and the test MSE
after every epoch, and the model's milliseconds per training step on this machine (median, min and
max of 7 interleaved repeats, ``fw.time_train_steps``). Notebook 05 chooses each model's learning rate on
validation (gru04.summary), shows the table and runs one row live. Each framework runs in its
own process, as the notebooks do.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from helpers import depth05  # noqa: E402
from lstm_sweeps_03 import _framework, _write  # noqa: E402
from lstm_vs_gru_04 import train_grid  # noqa: E402


def sweep(framework: str, tasks):
    """Train every model at every learning rate from every seed on each of ``tasks``, time
    every model, and write each task's rows as soon as it is done."""
    fw, seed, _ = _framework(framework)
    for task in tasks:
        p = depth05.TASKS[task]
        split = depth05.splits(task)
        D = split[0].shape[2]
        builders = {name: (lambda H=H, layers=layers, dropout=dropout:
                           depth05.deep_gru(fw, D, H, layers, dropout))
                    for name, (H, layers, dropout) in depth05.MODELS.items()}
        rows = train_grid(fw, seed, framework, task, p, split, builders,
                          depth05.LEARNING_RATES, depth05.SEEDS, depth05.TRAINING)
        _write(depth05.STORED, timed(fw, seed, task, rows), keys=("framework", "task"))


def timed(fw, seed, task: str, rows: list[dict]) -> list[dict]:
    """``rows`` with each model's milliseconds per training step on ``task`` (median, min, max of
    7 interleaved repeats, fresh models from seed 0), measured now: run it on a quiet machine."""
    split = depth05.splits(task)
    fresh = {}
    for name, (H, layers, dropout) in depth05.MODELS.items():
        seed(0)
        fresh[name] = depth05.deep_gru(fw, split[0].shape[2], H, layers, dropout)
    ms = fw.time_train_steps(fresh, split[0], split[1], batch_size=50, repeats=7)
    for r in rows:
        r["ms_per_step"] = f"{np.median(ms[r['cell']]):.3g}"
        r["ms_min"], r["ms_max"] = (f"{f(ms[r['cell']]):.3g}" for f in (min, max))
    return rows


def retime(framework: str, tasks):
    """Measure the times again and keep every stored training run as it is."""
    import csv
    fw, seed, _ = _framework(framework)
    with open(depth05.STORED, newline="", encoding="utf-8") as f:
        stored = list(csv.DictReader(f))
    for task in tasks:
        rows = [r for r in stored if r["framework"] == framework and r["task"] == task]
        _write(depth05.STORED, timed(fw, seed, task, rows), keys=("framework", "task"))
        print(f"{framework}, {task}: timed again", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--framework", choices=("torch", "tensorflow"))
    ap.add_argument("--task", choices=list(depth05.TASKS), action="append",
                    help="only this task (repeatable); default: every task")
    ap.add_argument("--time-only", action="store_true",
                    help="measure the times per step again, keep the stored training runs")
    args = ap.parse_args(argv)
    if args.framework is None:                   # each framework in its own process
        for framework in ("torch", "tensorflow"):
            subprocess.run([sys.executable, __file__, "--framework", framework]
                           + ["--time-only"] * args.time_only, check=True)
        return 0
    (retime if args.time_only else sweep)(args.framework, args.task or list(depth05.TASKS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
