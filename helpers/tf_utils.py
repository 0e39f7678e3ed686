"""TensorFlow / Keras side of the course. ``torch_utils`` has the same names and signatures.

Importing this module quiets TensorFlow's C++ logs (before TensorFlow loads) and seeds it.
"""
from __future__ import annotations

from helpers.course import SEED, quiet_framework_logs

quiet_framework_logs()

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

FRAMEWORK = "tensorflow"


def setup(seed: int = SEED, report: bool = True) -> str:
    """Seed TensorFlow/Keras and return the device the notebook uses (a GPU when there is one)."""
    keras.utils.set_random_seed(seed)
    gpus = tf.config.list_physical_devices("GPU")
    device = "/GPU:0" if gpus else "/CPU:0"
    if report:
        print(f"TensorFlow {tf.__version__} (Keras {keras.__version__}) on "
              f"{'gpu (' + gpus[0].name + ')' if gpus else 'cpu (CPU)'}")
    return device


def count_params(model) -> int:
    """Number of trainable parameters (the model must be built)."""
    return int(sum(np.prod(v.shape) for v in model.trainable_weights))


def to_numpy(t) -> np.ndarray:
    return np.asarray(t)


def rnn_cell_weights(cell) -> dict[str, np.ndarray]:
    """Weights of ``keras.layers.SimpleRNNCell`` / ``SimpleRNN`` in the course's layout (x @ W).

    Keras already stores kernel (D, H) and recurrent_kernel (H, H) for x @ W, with one bias.
    Returns W_xh (D, H), W_hh (H, H), b_h (H,).
    """
    cell = getattr(cell, "cell", cell)
    return {"W_xh": np.asarray(cell.kernel), "W_hh": np.asarray(cell.recurrent_kernel),
            "b_h": np.asarray(cell.bias)}


def accuracy(model, X, y, device=None) -> float:
    """Fraction of rows of X (NumPy) whose arg-max logit equals y.

    ``predict_on_batch`` runs the model as a compiled graph: an eager call would step a
    recurrent layer through time in Python, several times slower.
    """
    logits = model.predict_on_batch(np.asarray(X))
    return float(np.mean(np.argmax(np.asarray(logits), axis=-1) == y))


def fit(model, X_train, y_train, X_val, y_val, epochs: int = 10, lr: float = 1e-2,
        batch_size: int = 64, seed: int = SEED, clip: float | None = None) -> dict:
    """Train a classifier with Adam and cross-entropy; NumPy in, plain history dict out.

    Returns {"train_loss": [...], "train_acc": [...], "val_acc": [...]}, one entry per epoch.
    """
    keras.utils.set_random_seed(seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr, global_clipnorm=clip),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    hist = {"train_loss": [], "train_acc": [], "val_acc": []}
    for _ in range(epochs):
        h = model.fit(X_train, y_train, batch_size=batch_size, epochs=1, shuffle=True, verbose=0)
        hist["train_loss"].append(float(h.history["loss"][0]))
        hist["train_acc"].append(accuracy(model, X_train, y_train))
        hist["val_acc"].append(accuracy(model, X_val, y_val))
    return hist


DEVICE = setup(report=False)


# --------------------------------------------------------------------------- topic 02
def spectral_radius(W) -> float:
    """Largest |eigenvalue| of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(np.asarray(W, dtype=np.float64)))))


def set_spectral_radius(W, rho: float):
    """Rescale the square variable W in place so that its spectral radius is rho; returns W."""
    W.assign(W * (rho / spectral_radius(W)))
    return W


def global_grad_norm(grads) -> float:
    """sqrt of the sum of squares of every gradient in the list (what clipping by norm measures)."""
    return float(tf.linalg.global_norm([g for g in grads if g is not None]))


# --------------------------------------------------------------------------- topic 03
def fit_regression(model, X_train, y_train, X_val, y_val, epochs: int = 10, lr: float = 1e-2,
                   batch_size: int = 100, seed: int = SEED, clip: float | None = 1.0) -> dict:
    """Train a model with one output per sequence on mean squared error; NumPy in, history out.

    Returns {"train_loss": [...], "val_mse": [...]}, one entry per epoch.
    """
    keras.utils.set_random_seed(seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr, global_clipnorm=clip), loss="mse")
    h = model.fit(X_train, y_train, batch_size=batch_size, epochs=epochs, shuffle=True,
                  validation_data=(X_val, y_val), verbose=0)
    return {"train_loss": [float(v) for v in h.history["loss"]],
            "val_mse": [float(v) for v in h.history["val_loss"]]}


def lstm_weights(layer) -> dict[str, np.ndarray]:
    """Weights of ``keras.layers.LSTM`` / ``LSTMCell`` in the course layout, gate order i, f, g, o.

    Keras stores kernel (D, 4H) and recurrent_kernel (H, 4H) with columns in gate order
    i, f, c (the candidate, our g), o, and one bias: already the course layout.
    Returns W_x (D, 4H), W_h (H, 4H), b (4H,), for z = x W_x + h W_h + b.
    """
    cell = getattr(layer, "cell", layer)
    return {"W_x": np.asarray(cell.kernel), "W_h": np.asarray(cell.recurrent_kernel),
            "b": np.asarray(cell.bias)}


def init_forget_bias(layer, value: float):
    """Set the forget gate's bias of a built ``keras.layers.LSTM`` to ``value`` (block f of its single bias)."""
    cell = getattr(layer, "cell", layer)
    H = cell.units
    b = np.asarray(cell.bias).copy()
    b[H:2 * H] = value
    cell.bias.assign(b)
    return layer
