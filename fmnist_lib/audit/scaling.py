"""Accuracy against model size: the family's measurements, Pareto front and a saturating fit.

Both papers discuss how accuracy grows with the number of trainable
parameters; here the relation is measured on a family of networks and
summarised by a curve acc = a - b * params^(-c), whose asymptote ``a`` and
decay say where more parameters stop paying.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def saturating(params: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    return a - b * np.power(params, -c)


def fit_saturating(params, accuracy) -> dict:
    """Least-squares fit of acc = a - b * params^(-c); parameters, residuals and their RMS."""
    from scipy.optimize import curve_fit

    p = np.asarray(params, dtype=float)
    acc = np.asarray(accuracy, dtype=float)
    if len(p) < 4:
        return {"converged": False, "reason": f"{len(p)} points cannot determine three parameters and a residual"}
    guess = (min(1.0, acc.max() + 0.01), 1.0, 0.3)
    try:
        (a, b, c), _ = curve_fit(saturating, p, acc, p0=guess, bounds=([0, 0, 1e-3], [1, np.inf, 3]), maxfev=20000)
    except (RuntimeError, ValueError) as exc:  # too few or degenerate points
        return {"converged": False, "reason": str(exc)}
    residuals = acc - saturating(p, a, b, c)
    return {
        "converged": True,
        "a": float(a),
        "b": float(b),
        "c": float(c),
        "residuals": residuals.tolist(),
        "rmse": float(np.sqrt(np.mean(residuals**2))),
    }


def plateau_params(fit: dict, noise: float) -> float:
    """Parameters at which the fitted curve is within ``noise`` of its asymptote: b * P^-c = noise."""
    return float((fit["b"] / noise) ** (1 / fit["c"]))


def pareto_front(params, accuracy) -> np.ndarray:
    """Mask of members that no other member beats with fewer (or as many) parameters."""
    p = np.asarray(params, dtype=float)
    acc = np.asarray(accuracy, dtype=float)
    front = np.ones(len(p), bool)
    for i in range(len(p)):
        dominated = (p <= p[i]) & (acc >= acc[i]) & ((p < p[i]) | (acc > acc[i]))
        front[i] = not dominated.any()
    return front


COLLAPSE_FLOOR = 0.5  # below half right, a ten-class member has failed, not scaled
COLLAPSE_GAP = 0.10  # test this far below the training accuracy fit reported: the evaluation model broke


@dataclass(frozen=True)
class MemberFlag:
    """Why a member cannot stand on a scaling curve: the reason a table prints, and the rule that fired.

    ``reason`` is one of the two ``FLAG_*`` phrases; tables print it, the flagged
    members' table adds ``rule``. Nothing reads either back.
    """

    reason: str
    rule: str


FLAG_COLLAPSED = "collapsed in evaluation"
FLAG_DID_NOT_LEARN = "did not learn"


def member_flag(test_accuracy: float, fit_accuracy: float | None) -> MemberFlag | None:
    """Why a member cannot stand on a scaling curve (None when it can).

    A member that did not learn (test accuracy under 50 %), or whose test accuracy
    falls more than 10 pp below the training accuracy its own fit reported (the
    BatchNorm statistics of the evaluation model did not follow), measures a
    failure of that run, not what its size buys.
    """
    if fit_accuracy is not None and fit_accuracy - test_accuracy > COLLAPSE_GAP:
        return MemberFlag(FLAG_COLLAPSED, f"test more than {100 * COLLAPSE_GAP:.0f} pp below training")
    if test_accuracy < COLLAPSE_FLOOR:
        return MemberFlag(FLAG_DID_NOT_LEARN, f"test under {COLLAPSE_FLOOR:.0%}")
    return None


def subfamily_fits(frame) -> list[dict]:
    """The saturating fit on all coherent members, and on standard and separable convolutions apart."""
    coherent = frame[~frame["flagged"]]
    groups = (
        ("all coherent members", coherent),
        ("standard convolutions", coherent[~coherent["separable"]]),
        ("separable convolutions", coherent[coherent["separable"]]),
    )
    out = []
    for label, part in groups:
        fit = fit_saturating(part["parameters"], part["test accuracy"])
        out.append({"members": label, "n": len(part), "fit": fit})
    return out
