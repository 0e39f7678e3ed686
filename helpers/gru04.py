"""Topic 04's LSTM-vs-GRU sweep, shared by notebook 04 (the stored table and one live run) and
tools/lstm_vs_gru_04.py (every cell, learning rate and seed, stored in data/lstm_vs_gru_04.csv):
its settings, data and models, and reading the stored table.

Framework-free except ``seq_model``, which takes the framework's helpers module
(``helpers.torch_utils`` or ``helpers.tf_utils``) and builds the models exactly as notebook 04's
``SeqModel`` does, so that a seed gives the same initial weights in both places.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from helpers import data

DATA = Path(__file__).resolve().parent.parent / "data"
STORED = DATA / "lstm_vs_gru_04.csv"

# name: (cell, units, LSTM forget-gate bias); the LSTM with 28 units has about the GRU's parameters.
CELLS = {"vanilla RNN, 32": ("rnn", 32, None), "LSTM, 32": ("lstm", 32, 1.0),
         "LSTM, 28": ("lstm", 28, 1.0), "LSTM, 32, b_f=2": ("lstm", 32, 2.0),
         "GRU, 32": ("gru", 32, None)}
SEEDS = (0, 1, 2)                  # each seed: the initial weights AND the order of the batches
LEARNING_RATES = (3e-3, 1e-2, 3e-2)
# Every task: training / validation (chooses the learning rate and the epoch) / test sequences.
TASKS = {
    "adding, T = 50": {"kind": "adding", "seq_len": 50, "n": 4000, "n_train": 3000,
                       "n_val": 500, "data_seed": 0, "task": "regression", "C": 1,
                       "metric": "mse", "threshold": 0.05, "epochs": 20},
    "adding, T = 100": {"kind": "adding", "seq_len": 100, "n": 4000, "n_train": 3000,
                        "n_val": 500, "data_seed": 0, "task": "regression", "C": 1,
                        "metric": "mse", "threshold": 0.05, "epochs": 20},
    "first token, T = 20": {"kind": "first_token", "seq_len": 20, "n": 2500, "n_train": 2000,
                            "n_val": 250, "data_seed": 2, "task": "classification", "C": 4,
                            "metric": "acc", "threshold": 0.9, "epochs": 20},
}
TRAINING = {"batch_size": 50, "clip": 1.0}


def splits(task: str):
    """(X_train, y_train, X_val, y_val, X_test, y_test) of one of TASKS, X (N, T, D)."""
    p = TASKS[task]
    if p["kind"] == "adding":
        X, y = data.adding_problem(p["n"], seq_len=p["seq_len"], seed=p["data_seed"])
    else:
        X, y = data.first_token_task(p["n"], seq_len=p["seq_len"], seed=p["data_seed"])
    a, b = p["n_train"], p["n_train"] + p["n_val"]
    return X[:a], y[:a], X[a:b], y[a:b], X[b:], y[b:]


def seq_model(fw, cell: str, D: int, H: int, C: int = 1, forget_bias: float | None = 1.0):
    """Notebook 04's SeqModel(cell, D, H, C, forget_bias): (B, T, D) -> nn.RNN / nn.LSTM / nn.GRU
    (Keras SimpleRNN / LSTM / GRU) of H units -> last output -> a linear layer -> (B, C);
    with C = 1 a regressor returning (B,)."""
    if fw.__name__.endswith("torch_utils"):
        from torch import nn

        class SeqModel(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](
                    D, H, batch_first=True)
                if cell == "lstm":
                    fw.init_forget_bias(self.rnn, forget_bias)
                self.head = nn.Linear(H, C)

            def forward(self, x):
                out, _ = self.rnn(x)
                y = self.head(out[:, -1])
                return y.squeeze(-1) if y.shape[-1] == 1 else y
    else:
        import keras
        import tensorflow as tf

        class SeqModel(keras.Model):
            def __init__(self):
                super().__init__()
                self.rnn = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
                            "gru": keras.layers.GRU}[cell](H)
                self.head, self.C = keras.layers.Dense(C), C
                self.rnn.build((None, None, D))
                self.head.build((None, H))
                if cell == "lstm":
                    fw.init_forget_bias(self.rnn, forget_bias)

            def call(self, x):
                y = self.head(self.rnn(x))
                return tf.squeeze(y, -1) if self.C == 1 else y
    return SeqModel()


def best_epoch(values, metric: str) -> int:
    """The index of the best epoch of a validation curve: the lowest MSE or highest accuracy."""
    return int(np.argmin(values) if metric == "mse" else np.argmax(values))


def first_reaching(values, metric: str, threshold: float) -> int | None:
    """The first epoch (from 1) whose value is below (mse) / at least (acc) the threshold."""
    ok = (lambda v: v < threshold) if metric == "mse" else (lambda v: v >= threshold)
    return next((e + 1 for e, v in enumerate(values) if ok(v)), None)


def read(framework: str, path: Path = STORED) -> list[dict]:
    """The stored runs of ``framework`` ("torch" or "tensorflow") in ``path`` (this topic's CSV,
    or another sweep stored the same way): one dict per run, {"task", "cell", "params", "lr",
    "seed", "train_loss", "val", "test" (one value per epoch)}, and where stored "ms_per_step",
    "ms_min", "ms_max" (a training step's time: median, min and max of the repeats)."""
    runs = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["framework"] != framework:
                continue
            E = int(r["epochs"])
            runs.append({"task": r["task"], "cell": r["cell"], "params": int(r["params"]),
                         "lr": float(r["lr"]), "seed": int(r["seed"]),
                         **{k: [float(r[f"{k}_{e}"]) for e in range(1, E + 1)]
                            for k in ("train_loss", "val", "test")},
                         **{k: float(r[k]) for k in ("ms_per_step", "ms_min", "ms_max")
                            if r.get(k)}})
    return runs


def summary(runs: list[dict], tasks: dict = TASKS, cells=CELLS) -> dict:
    """Per (task, cell): the learning rate chosen on validation (the best median over the seeds
    of each run's best validation value; on a tie, the rate whose runs get there in fewer
    epochs, the median of their best epochs) and, at that rate, per seed: the test value at the
    best validation epoch, the first epoch reaching the task's threshold (None: never) and the
    last training loss. {(task, cell): {"lr", "params", "seeds", "test", "first",
    "train_loss_last", "val_by_lr": {lr: median best validation value}}}. ``tasks`` and
    ``cells``: another sweep's settings, stored the same way."""
    out = {}
    for task, p in tasks.items():
        m = p["metric"]
        sign = 1 if m == "mse" else -1
        for cell in cells:
            mine = [r for r in runs if r["task"] == task and r["cell"] == cell]
            if not mine:
                continue
            rates = sorted({r["lr"] for r in mine})
            best = {lr: [(r["val"][best_epoch(r["val"], m)], best_epoch(r["val"], m))
                         for r in mine if r["lr"] == lr] for lr in rates}
            by_lr = {lr: float(np.median([v for v, _ in best[lr]])) for lr in rates}
            lr = min(rates, key=lambda lr: (sign * by_lr[lr],
                                            float(np.median([e for _, e in best[lr]]))))
            chosen = sorted((r for r in mine if r["lr"] == lr), key=lambda r: r["seed"])
            out[task, cell] = {
                "lr": lr, "params": chosen[0]["params"], "val_by_lr": by_lr,
                "seeds": [r["seed"] for r in chosen],
                "test": [r["test"][best_epoch(r["val"], m)] for r in chosen],
                "first": [first_reaching(r["val"], m, p["threshold"]) for r in chosen],
                "train_loss_last": [r["train_loss"][-1] for r in chosen],
                **{k: chosen[0][k] for k in ("ms_per_step", "ms_min", "ms_max")
                   if k in chosen[0]}}
    return out
