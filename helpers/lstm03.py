"""Topic 03's two sweeps, shared by notebook 03 (one live row each) and tools/lstm_sweeps_03.py
(every seed, stored in data/): their settings, data and models, and reading the stored tables.

Framework-free except ``classifier`` and ``regressor``, which take the framework's helpers module
(``helpers.torch_utils`` or ``helpers.tf_utils``) and build the models exactly as notebook 03's
``Classifier`` and ``Regressor`` do, so that a seed gives the same initial weights in both places.
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from helpers import data

DATA = Path(__file__).resolve().parent.parent / "data"

# The gradient reaching the first cell state, split into paths, at initialisation and after
# training: LSTM classifiers on topic 02's first-token task, 50 steps (fw.lstm_gradient_paths).
PATHS_TASK = {"n": 2500, "seq_len": 50, "data_seed": 2, "n_train": 2000, "n_val": 250,
              "probe_n": 256, "probe_seed": 1, "hidden": 32, "forget_biases": (0.0, 1.0, 2.0),
              "epochs": 10, "lr": 1e-2, "batch_size": 50, "clip": 1.0}
# The running thread: topic 02's first-token task at two lengths, a vanilla RNN and two LSTMs.
FIRST_TOKEN_TASK = {"n": 2500, "data_seed": 2, "n_train": 2000, "n_val": 250,
                    "lengths": (20, 40), "hidden": 32, "epochs": 8, "lr": 1e-2,
                    "batch_size": 50, "clip": 1.0,
                    "cells": {"vanilla RNN": ("rnn", 1.0), "LSTM, b_f = 1": ("lstm", 1.0),
                              "LSTM, b_f = 2": ("lstm", 2.0)}}
# The forget-gate bias on the adding problem with 100 steps: LSTM regressors, held-out MSE.
SWEEP_TASK = {"n": 4000, "seq_len": 100, "data_seed": 0, "n_test": 1000, "hidden": 32,
              "forget_biases": (-2.0, 0.0, 1.0, 2.0), "epochs": 10, "lr": 1e-2,
              "batch_size": 50, "clip": 1.0, "threshold": 0.05}


def first_token_splits(p: dict = PATHS_TASK, seq_len: int | None = None):
    """((X_train, y_train), (X_val, y_val), (X_test, y_test)) of the first-token task with
    ``seq_len`` steps (default: the task's own), X (N, T, 8)."""
    X, y = data.first_token_task(p["n"], seq_len=seq_len or p["seq_len"], seed=p["data_seed"])
    a, b = p["n_train"], p["n_train"] + p["n_val"]
    return (X[:a], y[:a]), (X[a:b], y[a:b]), (X[b:], y[b:])


def probe(p: dict = PATHS_TASK):
    """The sequences the gradient is measured on: x (probe_n, T, 8), y (probe_n,)."""
    return data.first_token_task(p["probe_n"], seq_len=p["seq_len"], seed=p["probe_seed"])


def adding_splits(p: dict = SWEEP_TASK):
    """X_train (N, T, 2), y_train, X_val, y_val of the adding problem."""
    X, y = data.adding_problem(p["n"], seq_len=p["seq_len"], seed=p["data_seed"])
    return data.split(X, y, n_test=p["n_test"])


def first_epoch_below(mse, threshold: float) -> int | str:
    """The first epoch (from 1) whose value is below ``threshold``, or "never"."""
    return next((e + 1 for e, m in enumerate(mse) if m < threshold), "never")


def classifier(fw, cell: str = "lstm", forget_bias: float = 1.0, hidden: int = 32):
    """Notebook 03's Classifier(cell, hidden, forget_bias): (B, T, 8) -> a vanilla RNN ("rnn") or
    an LSTM ("lstm") -> its last output -> 4 class scores."""
    model = fw.RecurrentClassifier(cell, 8, 4, hidden=hidden)   # same draws, same order
    if cell == "lstm":
        fw.init_forget_bias(model.rnn, forget_bias)
    return model


def regressor(fw, forget_bias: float, hidden: int = 32):
    """Notebook 03's Regressor("lstm", hidden, forget_bias): (B, T, 2) -> LSTM -> last output -> (B,)."""
    if fw.__name__.endswith("torch_utils"):
        from torch import nn

        class Regressor(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.LSTM(2, hidden, batch_first=True)
                fw.init_forget_bias(self.rnn, forget_bias)
                self.head = nn.Linear(hidden, 1)

            def forward(self, x):
                out, _ = self.rnn(x)
                return self.head(out[:, -1]).squeeze(-1)
    else:
        import keras
        import tensorflow as tf

        class Regressor(keras.Model):
            def __init__(self):
                super().__init__()
                self.rnn = keras.layers.LSTM(hidden)
                self.head = keras.layers.Dense(1)
                self(np.zeros((1, 1, 2), np.float32))
                fw.init_forget_bias(self.rnn, forget_bias)

            def call(self, x):
                return tf.squeeze(self.head(self.rnn(x)), -1)
    return Regressor()


def read(name: str, framework: str) -> list[dict]:
    """The rows of data/<name>.csv written for ``framework`` ("torch" or "tensorflow")."""
    with open(DATA / f"{name}.csv", newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["framework"] == framework]


def forget_bias_runs(framework: str) -> list[dict]:
    """The stored forget-bias sweep of ``framework``: one dict per run, {"b_f", "seed",
    "first_below" (an epoch or "never"), "val_mse" (one per epoch), "train_loss_last"}."""
    runs = []
    for r in read("forget_bias_03", framework):
        epochs = int(r["epochs"])
        runs.append({"b_f": float(r["b_f"]), "seed": int(r["seed"]),
                     "first_below": r["first_below"] if r["first_below"] == "never"
                     else int(r["first_below"]),
                     "val_mse": [float(r[f"val_mse_{e}"]) for e in range(1, epochs + 1)],
                     "train_loss_last": float(r["train_loss_last"])})
    return runs


def gradient_paths_runs(framework: str) -> list[dict]:
    """The stored gradient paths of ``framework``: one dict per model and stage ("init" or
    "trained"), {"b_f", "seed", "stage", "last", "direct", "total", "train_loss", "test_acc"}
    (the last two None at "init")."""
    return [{"b_f": float(r["b_f"]), "seed": int(r["seed"]), "stage": r["stage"],
             **{k: float(r[k]) for k in ("last", "direct", "total")},
             **{k: float(r[k]) if r[k] else None for k in ("train_loss", "test_acc")}}
            for r in read("gradient_paths_03", framework)]


def first_token_runs(framework: str) -> dict:
    """The stored running-thread runs of ``framework``: {cell name: {T: [test accuracy per seed]}},
    each read at the epoch chosen on validation."""
    runs: dict = {}
    for r in read("first_token_03", framework):
        runs.setdefault(r["cell"], {}).setdefault(int(r["seq_len"]), []).append(float(r["test_acc"]))
    return runs


def span(values, fmt: str = ".1e") -> str:
    """'lo to hi' of some numbers, or the one value when they are all equal when printed."""
    lo, hi = f"{min(values):{fmt}}", f"{max(values):{fmt}}"
    return lo if lo == hi else f"{lo} to {hi}"
