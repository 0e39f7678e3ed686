"""Topic 08, framework-free: positional encodings, timing, log-log slopes, accuracy by delay, and
the course's ladder table (data/ladder_08.csv, written by tools/ladder_08.py)."""
from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np

LADDER_CSV = Path(__file__).resolve().parent.parent / "data" / "ladder_08.csv"
SPAN_CSV = Path(__file__).resolve().parent.parent / "data" / "memory_span_08.csv"

# The course's architectures, in the order the course met them (names used by ladder_models).
LADDER = ["FFN on the bag", "vanilla RNN", "LSTM", "GRU", "bidirectional LSTM", "2-layer LSTM",
          "attention"]
# The recurrent rungs as (cell, layers, bidirectional): RecurrentClassifier's arguments in both frameworks.
LADDER_RECURRENT = {"vanilla RNN": ("rnn", 1, False), "LSTM": ("lstm", 1, False),
                    "GRU": ("gru", 1, False), "bidirectional LSTM": ("lstm", 1, True),
                    "2-layer LSTM": ("lstm", 2, False)}
# The task both frameworks train them on: data.delayed_recall_task, train / validation / test.
LADDER_TASK = dict(seq_len=32, n_classes=4, dim=8, noise=0.5, n_train=2000, n_val=500,
                   n_test=1000, batch_size=50, lr=1e-2, clip=1.0, epochs=10, data_seed=8)
DELAY_BINS = [(0, 4), (4, 8), (8, 16), (16, 32)]          # delays d with lo <= d < hi
# The stored memory-span run (tools/ladder_08.py): the same task with sequences of 128 steps.
SPAN_TASK = dict(LADDER_TASK, seq_len=128, epochs=20)
SPAN_MODELS = ["vanilla RNN", "LSTM", "GRU", "attention"]
SPAN_BINS = DELAY_BINS + [(32, 64), (64, 128)]


def sinusoidal_positions(T: int, d: int) -> np.ndarray:
    """The Transformer's positional encodings (Vaswani et al., 2017), (T, d) float32, d even.

    Row t holds sin(t / 10000^(2i/d)) in column 2i and cos(t / 10000^(2i/d)) in column 2i + 1:
    a different pattern for every position, added to the inputs so that attention can use order.
    """
    if d % 2:
        raise ValueError(f"d must be even, not {d}")
    t = np.arange(T)[:, None]
    freq = 1.0 / 10000 ** (np.arange(0, d, 2) / d)          # (d / 2,)
    pe = np.zeros((T, d), np.float32)
    pe[:, 0::2], pe[:, 1::2] = np.sin(t * freq), np.cos(t * freq)
    return pe


def median_seconds(fn, repeats: int = 5, warmup: int = 1, sync=None) -> float:
    """The median wall-clock time of fn() over ``repeats`` calls, after ``warmup`` untimed ones.

    ``sync`` (optional) is called before reading the clock, e.g. torch.cuda.synchronize on a GPU,
    whose operations would otherwise still be running when fn returns.
    """
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        if sync:
            sync()
        start = time.perf_counter()
        fn()
        if sync:
            sync()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def loglog_slope(x, y) -> float:
    """The slope of log y against log x, fitted by least squares: y ~ x^slope.

    Slope 1: doubling x doubles y (linear); slope 2: doubling x multiplies y by 4 (quadratic).
    """
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def accuracy_by_delay(pred, y, delay, bins=DELAY_BINS) -> np.ndarray:
    """Accuracy of predictions pred (N,) against labels y (N,) within each delay bin, (len(bins),)."""
    pred, y, delay = map(np.asarray, (pred, y, delay))
    return np.array([float((pred[(delay >= lo) & (delay < hi)] ==
                            y[(delay >= lo) & (delay < hi)]).mean()) for lo, hi in bins])


def breakdown(acc_by_bin, bins=DELAY_BINS, threshold: float = 0.9) -> str:
    """Where a model breaks down: the first delay bin whose accuracy is below ``threshold``."""
    for (lo, hi), acc in zip(bins, acc_by_bin):
        if acc < threshold:
            return f"below {threshold:.0%} from delay {lo}"
    return f"holds to delay {bins[-1][1] - 1}"


def read_csv(path: Path) -> list[dict]:
    """The rows of a CSV written by tools/ladder_08.py, numbers as floats where they parse."""
    def value(v):
        try:
            return float(v)
        except ValueError:
            return v
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: value(v) for k, v in row.items()} for row in csv.DictReader(f)]


def ladder_table(stored: list[dict], live: dict, framework: str) -> str:
    """The ladder as text: the stored full run (3 seeds, both frameworks' rows for ``framework``)
    next to this notebook's live run. ``live`` maps a model's name to its
    {"params", "sec_per_epoch", "test_acc"}."""
    lines = [f"{'model':<20}{'params':>8} | {'stored: s/epoch':>15}{'test accuracy, 3 seeds':>26}"
             f" | {'live: s/epoch':>13}{'test acc':>9}"]
    for row in (r for r in stored if r["framework"] == framework):
        name = row["model"]
        acc = f"{row['acc_mean']:.3f} ({row['acc_min']:.3f}-{row['acc_max']:.3f})"
        got = live.get(name)
        tail = (f" | {got['sec_per_epoch']:>13.3f}{got['test_acc']:>9.3f}" if got
                else f" | {'-':>13}{'-':>9}")
        lines.append(f"{name:<20}{int(row['params']):>8,} | {row['sec_per_epoch']:>15.3f}"
                     f"{acc:>26}" + tail)
    return "\n".join(lines)
