"""Framework-free forecasting baselines, the ones a forecaster tries before a recurrent network:
the seasonal-difference forecast and a least-squares linear autoregression."""
from __future__ import annotations

import numpy as np


def seasonal_difference(series: np.ndarray, t, period: int = 12) -> np.ndarray:
    """Forecast of series[t] from the months before it: last month plus the change seen a
    season ago, series[t-1] + (series[t-period] - series[t-period-1]). No fitting.
    series (N,); t: indexes >= period + 1, (M,) -> (M,)."""
    t = np.asarray(t)
    if np.any(t < period + 1) or np.any(t >= len(series)):
        raise ValueError(f"every t must lie in [{period + 1}, {len(series)})")
    return series[t - 1] + series[t - period] - series[t - period - 1]


def fit_autoregression(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least-squares linear autoregression: y ~ X @ w + b over the training windows.
    X (N, W) past values (oldest first), y (N,) -> coefficients (W + 1,): w, then b."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    A = np.hstack([X, np.ones((len(X), 1))])                      # (N, W + 1)
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    return coef


def predict_autoregression(coef: np.ndarray, X: np.ndarray) -> np.ndarray:
    """One-step forecasts X (M, W) @ w + b -> (M,) for coefficients from fit_autoregression."""
    return np.asarray(X, dtype=float) @ coef[:-1] + coef[-1]


def recursive_autoregression(coef: np.ndarray, history: np.ndarray, steps: int) -> np.ndarray:
    """Multi-step forecasts of the linear autoregression: each forecast becomes the newest input
    of the next. history (>= W,) the values before the first forecast -> (steps,)."""
    W = len(coef) - 1
    window, out = list(np.asarray(history, dtype=float)[-W:]), []
    for _ in range(steps):
        out.append(float(np.dot(window[-W:], coef[:-1]) + coef[-1]))
        window.append(out[-1])
    return np.array(out)
