"""Uncertainty of an accuracy measured on a finite test set.

A single run's accuracy on 10,000 images is a binomial proportion; the Wilson
interval is the honest error bar to put beside it when we have one seed.
"""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054  # the standard normal quantile of a two-sided 95 % interval


def wilson_interval(correct: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval (default 95 %) for ``correct`` successes out of ``n``."""
    if n <= 0:
        raise ValueError("n must be positive")
    if not 0 <= correct <= n:
        raise ValueError(f"correct must lie in [0, {n}], got {correct}")
    p = correct / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def interval_text(accuracy: float, n: int) -> str:
    """'[90.66%, 91.77%]': the 95 % Wilson interval of an accuracy on n images."""
    low, high = wilson_interval(round(accuracy * n), n)
    return f"[{low:.2%}, {high:.2%}]"


def format_interval(accuracy: float, n: int) -> str:
    """'91.23% [90.66%, 91.77%]' for tables and prose."""
    return f"{accuracy:.2%} {interval_text(accuracy, n)}"


def mean_interval(values: list[float], confidence: float = 0.95) -> dict:
    """Mean, sample standard deviation and the Student-t interval of the mean over seeds.

    With two seeds the interval is wide (t = 12.7): that is the honest price of
    few runs, and the book prints it as it is.
    """
    from scipy import stats as sps

    arr = np.asarray(values, dtype=float)
    n = len(arr)
    mean = float(arr.mean())
    if n < 2:
        return {"n": n, "mean": mean, "sd": float("nan"), "low": float("nan"), "high": float("nan")}
    sd = float(arr.std(ddof=1))
    half = float(sps.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return {"n": n, "mean": mean, "sd": sd, "low": mean - half, "high": mean + half}
