"""Topic 05's depth sweep, shared by notebook 05 (the stored table and one live run) and
tools/depth_05.py (every model, learning rate and seed, stored in data/depth_05.csv): its
settings, data and models. The stored table is read and summarised as topic 04's is
(``gru04.read(framework, STORED)``, ``gru04.summary(runs, TASKS, MODELS)``).

Framework-free except ``deep_gru``, which takes the framework's helpers module
(``helpers.torch_utils`` or ``helpers.tf_utils``) and builds the models exactly as notebook 05's
``DeepGRU`` does, so that a seed gives the same initial weights in both places.
"""
from __future__ import annotations

from pathlib import Path

from helpers import data

STORED = Path(__file__).resolve().parent.parent / "data" / "depth_05.csv"

# name: (units per layer, layers, dropout between layers). The one-layer GRUs of 55 and 72 units
# have about the parameters of the stacks of 2 and 3 layers of 32: the width-matched controls.
MODELS = {"1 x 32": (32, 1, 0.0), "1 x 55": (55, 1, 0.0), "2 x 32": (32, 2, 0.0),
          "1 x 72": (72, 1, 0.0), "3 x 32": (32, 3, 0.0),
          "2 x 32, dropout 0.2": (32, 2, 0.2)}
SEEDS = (0, 1, 2)                  # each seed: the initial weights AND the order of the batches
LEARNING_RATES = (1e-2, 3e-2, 6e-2)
# Every task: training / validation (chooses the learning rate and the epoch) / test sequences.
TASKS = {
    "adding, T = 50": {"kind": "adding", "seq_len": 50, "n": 4000, "n_train": 3000,
                       "n_val": 500, "data_seed": 0, "task": "regression", "C": 1,
                       "metric": "mse", "threshold": 0.05, "epochs": 5},
    "sign agreement, T = 30": {"kind": "sign_agreement", "seq_len": 30, "n": 4000,
                               "n_train": 3000, "n_val": 500, "data_seed": 0,
                               "task": "regression", "C": 1, "metric": "mse",
                               "threshold": 0.01, "epochs": 30},
}
TRAINING = {"batch_size": 50, "clip": 1.0}


def splits(task: str):
    """(X_train, y_train, X_val, y_val, X_test, y_test) of one of TASKS, X (N, T, 2)."""
    p = TASKS[task]
    make = data.adding_problem if p["kind"] == "adding" else data.sign_agreement_task
    X, y = make(p["n"], seq_len=p["seq_len"], seed=p["data_seed"])
    a, b = p["n_train"], p["n_train"] + p["n_val"]
    return X[:a], y[:a], X[a:b], y[a:b], X[b:], y[b:]


def deep_gru(fw, D: int, H: int, layers: int, dropout: float = 0.0):
    """Notebook 05's DeepGRU(D, H, layers, dropout): (B, T, D) -> ``layers`` stacked GRU layers
    of H units (dropout between them: PyTorch's ``dropout=``, a Keras ``Dropout`` layer) -> the
    last layer's last output -> a linear layer -> (B,)."""
    if fw.__name__.endswith("torch_utils"):
        from torch import nn

        class DeepGRU(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.GRU(D, H, num_layers=layers, batch_first=True, dropout=dropout)
                self.head = nn.Linear(H, 1)

            def forward(self, x):
                out, _ = self.rnn(x)                    # the last layer's outputs
                return self.head(out[:, -1]).squeeze(-1)
    else:
        import keras
        import tensorflow as tf

        class DeepGRU(keras.Model):
            def __init__(self):
                super().__init__()
                stack = []
                for k in range(layers):
                    if k and dropout:
                        stack.append(keras.layers.Dropout(dropout))
                    stack.append(keras.layers.GRU(H, return_sequences=k < layers - 1))
                self.rnn = keras.Sequential(stack)
                self.head = keras.layers.Dense(1)
                self.rnn.build((None, None, D))          # creates the weights
                self.head.build((None, H))

            def call(self, x, training=False):
                return tf.squeeze(self.head(self.rnn(x, training=training)), -1)
    return DeepGRU()
