"""Framework-free datasets: seeded generators that return NumPy arrays.

Both notebooks of a pair call the same generator with the same seed, so they train on the
very same numbers.
"""
from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------- order task
ORDER_VOCAB = ["<pad>", "the", "a", "big", "small", "grey", "quick", "chased", "saw", "near", "cat", "mouse"]
CAT, MOUSE = ORDER_VOCAB.index("cat"), ORDER_VOCAB.index("mouse")
_FILLERS = np.arange(1, CAT)          # every word except <pad>, cat and mouse


def order_task(n: int, seq_len: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sentences where only word order decides the label.

    Every sentence holds "cat" once and "mouse" once at random places among random filler
    words; the label is 1 when "cat" comes first ("the cat ... chased ... the mouse"), else 0.
    Both classes contain exactly the same words, so any bag-of-words model is at chance.

    Returns X: (n, seq_len) int64 token ids, y: (n,) int64 labels, balanced in expectation.
    """
    rng = np.random.default_rng(seed)
    X = rng.choice(_FILLERS, size=(n, seq_len))
    pos = np.argsort(rng.random((n, seq_len)), axis=1)[:, :2]      # two distinct positions per row
    rows = np.arange(n)
    X[rows, pos[:, 0]] = CAT
    X[rows, pos[:, 1]] = MOUSE
    y = (pos[:, 0] < pos[:, 1]).astype(np.int64)
    return X.astype(np.int64), y


def decode(tokens, vocab=ORDER_VOCAB) -> str:
    """Token ids -> a readable sentence (padding dropped)."""
    return " ".join(vocab[t] for t in tokens if vocab[t] != "<pad>")


def encode(sentence: str, vocab=ORDER_VOCAB) -> np.ndarray:
    """A sentence of known words -> (T,) int64 token ids."""
    return np.array([vocab.index(word) for word in sentence.split()], dtype=np.int64)


def bag_of_words(X: np.ndarray, vocab_size: int) -> np.ndarray:
    """Count vectors: X (n, T) int token ids -> (n, vocab_size) float32; word order is lost."""
    counts = np.zeros((X.shape[0], vocab_size), dtype=np.float32)
    np.add.at(counts, (np.repeat(np.arange(X.shape[0]), X.shape[1]), X.ravel()), 1.0)
    counts[:, 0] = 0.0          # padding is not a word
    return counts


def one_hot(tokens: np.ndarray, vocab_size: int) -> np.ndarray:
    """(..., T) int ids -> (..., T, vocab_size) float32 one-hot vectors."""
    return np.eye(vocab_size, dtype=np.float32)[tokens]


def split(X: np.ndarray, y: np.ndarray, n_test: int):
    """First n - n_test rows for training, the last n_test held out: (X_tr, y_tr, X_te, y_te)."""
    return X[:-n_test], y[:-n_test], X[-n_test:], y[-n_test:]
