"""Whether a record re-computed on the reader's machine agrees with the committed one, by a rule stated first.

Two rules. A deterministic computation (a classical model with its seed, a
derived record) must give the *identical* result. A network trained on another
machine is another realisation of the same config (a CPU and a GPU do not
compute bit-identically), so it agrees when it lies inside the 95 % prediction
interval of the committed seeds: where one more independent run of the config
would fall, mean ± t(0.975, n-1) · sd · sqrt(1 + 1/n).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

IDENTICAL, SEEDS = "identical", "within the committed seeds' prediction interval"


@dataclass(frozen=True)
class Agreement:
    """One re-check: what is compared, the committed value, ours, the rule, and whether they agree.

    ``agrees`` is None where the rule cannot decide (fewer than two committed seeds give no
    spread): shown as "cannot judge", neither a pass nor a failure.
    """

    label: str
    committed: str
    here: str
    rule: str
    agrees: bool | None
    note: str = ""


def identical(label: str, committed: dict, here: dict, shown: str) -> Agreement:
    """A deterministic result: every stored field the same (times aside)."""
    same = _without_times(committed) == _without_times(here)
    return Agreement(
        label,
        shown.format(committed),
        shown.format(here),
        IDENTICAL,
        same,
        "" if same else "the results differ: the code or the libraries compute something else",
    )


def _without_times(value):
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if "seconds" not in k and "params" != k}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def prediction_interval(values: list[float]) -> tuple[float, float]:
    """Where one more independent run would fall, at 95 %, from the committed seeds' values."""
    from scipy import stats

    arr = np.asarray(values, dtype=float)
    n = len(arr)
    if n < 2:
        return (math.nan, math.nan)
    half = float(stats.t.ppf(0.975, n - 1)) * float(arr.std(ddof=1)) * math.sqrt(1 + 1 / n)
    return float(arr.mean() - half), float(arr.mean() + half)


def within_seeds(label: str, committed: list[float], here: float) -> Agreement:
    """A network re-trained here: inside the committed seeds' 95 % prediction interval."""
    if len(committed) < 2:
        shown = f"{committed[0]:.2%}, one seed" if committed else "no seed"
        return Agreement(label, shown, f"{here:.2%}", SEEDS, None, "cannot judge: fewer than two committed seeds")
    low, high = prediction_interval(committed)
    agrees = low <= here <= high
    return Agreement(
        label,
        f"{np.mean(committed):.2%} over {len(committed)} seeds, interval [{low:.2%}, {high:.2%}]",
        f"{here:.2%}",
        SEEDS,
        agrees,
        "" if agrees else "outside the interval: this machine's run is not another realisation of the committed ones",
    )
