"""The regressions the forecast's weights are learnt with, written out with NumPy: importing
scikit-learn alone takes seconds, and the forecast of every council must be quick
(`tests/forecast/test_model.py` checks both against scikit-learn)."""

from __future__ import annotations

import numpy as np

RIDGE_ALPHA = 0.1


def ridge(x: np.ndarray, y: np.ndarray, alpha: float | None = None) -> np.ndarray:
    """Ridge regression without a constant: the weights minimising the squared error plus
    `alpha` times their squared size. The same as scikit-learn's `Ridge(fit_intercept=False)`
    (a test checks), written out because importing scikit-learn alone takes seconds."""
    penalty = RIDGE_ALPHA if alpha is None else alpha
    return np.linalg.solve(x.T @ x + penalty * np.eye(x.shape[1]), x.T @ y)


def median_regression(
    x: np.ndarray, y: np.ndarray, alpha: float | None = None, steps: int = 50
) -> np.ndarray:
    """Weights without a constant that make the absolute errors small (median regression, least
    absolute deviations) plus `alpha` times their squared size, found by iteratively reweighted
    ridge regression (each row weighted 1 / its absolute error, errors below 0.001 counted as
    0.001). The forecast is judged by its absolute percentage error, which this matches better
    than squared error, and a few councils' extreme years pull it less."""
    penalty = RIDGE_ALPHA if alpha is None else alpha
    weights = ridge(x, y, penalty)
    for _ in range(steps):
        scale = 1.0 / np.maximum(np.abs(y - x @ weights), 1e-3)
        weighted = x * scale[:, None]
        weights = np.linalg.solve(weighted.T @ x + penalty * np.eye(x.shape[1]), weighted.T @ y)
    return weights
