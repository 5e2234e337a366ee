"""Hypothesis (e) decided by a learning curve: error against training images and optimizer steps, extrapolated
to the paper's 60,000 images at the paper's step counts, and checked on a control whose answer we know.

The rule, fixed before the cross-validation records came in:

1. For each dataset (the 5,000 MNIST digits; an equal Fashion-MNIST sample) and
   each network, every cross-validation run gives one point per epoch: its
   training images n, the optimizer steps s so far, and its accuracy on the
   held-out fold. Folds of one training size and seed are pooled, so a point
   at the largest size covers all 5,000 images.
2. The error is fitted as ``e0 + A (n/1000)^-alpha + B (s/100)^-beta``
   (weighted least squares, binomial weights): a data term and a step term.
3. The fit is extrapolated to n = 60,000 at the paper's steps for the claimed
   epoch (469 steps per epoch at batch 128). Its 95 % interval comes from a
   bootstrap over the runs (200 resamples).
4. The same fit on the Fashion sample predicts what the full-data Fashion-MNIST
   runs measured at that epoch (the seeds' mean of the replication runs). If
   it misses by more than 1 percentage point, the digits' extrapolation is
   **inconclusive**; otherwise the digits' interval is widened by the miss on
   both sides and judged by the audit's one rule.
5. Added when the first fit came in (2026-12-02), before any verdict was
   published from it: the fitted curve must describe the runs it was fitted
   to, on both datasets. Its weighted residuals' chi-square per degree of
   freedom may be at most 4 (residuals within about twice the binomial noise);
   otherwise the extrapolation is **inconclusive**. The curve's error can only
   fall with more training images, so it cannot follow a quantity that rises
   with them, such as the error on a run's own training images. This item can
   only turn a verdict into "inconclusive".

The same is done for the run's training images ((e) with (a)) and for the best
epoch chosen on the held-out fold ((e) with (f)), each validated against the
same quantity measured on the full Fashion-MNIST runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fmnist_lib.audit.mechanisms import Curve, Mechanism, Point
from fmnist_lib.audit.verdicts import Caveat, Estimate
from fmnist_lib.store.records import Record

PAPER_TRAIN_IMAGES = 60_000
PAPER_STEPS_PER_EPOCH = -(-PAPER_TRAIN_IMAGES // 128)
MAX_MISS = 0.01  # the largest miss on Fashion-MNIST that lets the digits' extrapolation count
MAX_CHI2_DOF = 4.0  # the largest weighted misfit of a curve to its own runs that lets it extrapolate (rule item 5)
BOOTSTRAP = 200
BOOTSTRAP_SEED = 0
# what each variant reads from a run's per-epoch history, and the mechanisms it combines with (e)
VARIANTS = {
    "honest": (),
    "training images": (Mechanism.TRAINING_IMAGES,),
    "best epoch": (Mechanism.SELECTION,),
}
CLAIM_EPOCHS = {"cnn_3_128": (2, 62), "dsc_gap": (7, 9, 32)}


@dataclass(frozen=True)
class CurvePoint:
    """Pooled folds of one training size and seed, after one epoch: images, steps, accuracy, test images."""

    n: float
    s: float
    accuracy: float
    n_test: int


def _series(record, variant: str) -> list[tuple[int, float]]:
    """(epoch, accuracy) of one run for a variant: the held-out fold, the training images, the best so far."""
    history = record.history
    if variant == "training images":
        return [(h["epoch"], h["train_set_accuracy"]) for h in history if "train_set_accuracy" in h]
    values = [(h["epoch"], h["val_accuracy"]) for h in history if "val_accuracy" in h]
    if variant == "best epoch":
        best, out = -1.0, []
        for epoch, value in values:
            best = max(best, value)
            out.append((epoch, best))
        return out
    return values


def pooled_points(runs: list[Record], variant: str) -> list[CurvePoint]:
    """The runs' points for a variant, folds of one (training share, seed) pooled epoch by epoch."""
    groups: dict[tuple, list[Record]] = {}
    for run in runs:
        groups.setdefault((run.config["train_share"], run.config["seed"]), []).append(run)
    points = []
    for members in groups.values():
        n_train = float(np.mean([m.result["train_images"] for m in members]))
        steps = members[0].result["steps_per_epoch"]
        series = [dict(_series(m, variant)) for m in members]
        sizes = [len(m.result["test_predictions"]) for m in members]
        if variant == "training images":
            sizes = [m.result["train_images"] for m in members]
        for epoch in sorted(set.intersection(*(set(s) for s in series))):
            total = sum(sizes)
            accuracy = sum(s[epoch] * k for s, k in zip(series, sizes)) / total
            points.append(CurvePoint(n_train, epoch * steps, accuracy, total))
    return points


def model(params: np.ndarray, n: np.ndarray, s: np.ndarray) -> np.ndarray:
    """The fitted error: a floor, a data term and a step term."""
    e0, a, alpha, b, beta = params
    return e0 + a * (n / 1000.0) ** (-alpha) + b * (s / 100.0) ** (-beta)


GUESS = np.array([0.01, 0.02, 0.5, 0.1, 1.0])
BOUNDS = (np.array([0.0, 0.0, 0.01, 0.0, 0.01]), np.array([0.5, 5.0, 3.0, 50.0, 5.0]))


def fit(points: list[CurvePoint]) -> dict:
    """Weighted least squares of ``model`` on the points' errors: its parameters, convergence, residual RMS and
    chi-square per degree of freedom (how well the curve describes its own points, in units of binomial noise)."""
    from scipy.optimize import least_squares

    if len(points) < 8:
        return {"converged": False, "reason": f"{len(points)} points cannot determine five parameters"}
    n = np.array([p.n for p in points])
    s = np.array([p.s for p in points])
    err = 1.0 - np.array([p.accuracy for p in points])
    k = np.array([p.n_test for p in points])
    sd = np.sqrt(np.clip(err * (1 - err), 1e-4, None) / k)
    solved = least_squares(lambda q: (model(q, n, s) - err) / sd, GUESS, bounds=BOUNDS, max_nfev=20_000)
    residuals = model(solved.x, n, s) - err
    return {
        "converged": bool(solved.success),
        "params": solved.x.tolist(),
        "rmse": float(np.sqrt(np.mean(residuals**2))),
        "chi2_dof": float(np.sum((residuals / sd) ** 2) / (len(points) - len(GUESS))),
        "points": len(points),
    }


def predict(params, n: float, s: float) -> float:
    """The fitted accuracy at ``n`` training images after ``s`` optimizer steps."""
    return float(1.0 - model(np.asarray(params), np.asarray(n, float), np.asarray(s, float)))


def _bootstrap(runs: list[Record], variant: str, targets: list[float]) -> list[tuple[float, float]]:
    """95 % intervals of the prediction at each target step count, over resamples of the runs."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    groups: dict[tuple, list[Record]] = {}
    for run in runs:
        groups.setdefault((run.config["train_share"], run.config["seed"]), []).append(run)
    draws = []
    for _ in range(BOOTSTRAP):
        sample = [m for members in groups.values() for m in rng.choice(members, len(members), replace=True)]
        found = fit(pooled_points(sample, variant))
        if found["converged"]:
            draws.append([predict(found["params"], PAPER_TRAIN_IMAGES, t) for t in targets])
    if len(draws) < BOOTSTRAP // 2:
        return [(math.nan, math.nan) for _ in targets]
    draws_arr = np.array(draws)
    return [
        (float(np.percentile(draws_arr[:, i], 2.5)), float(np.percentile(draws_arr[:, i], 97.5)))
        for i in range(len(targets))
    ]


def analyse(runs: dict[str, list[Record]], measured: dict[str, dict[int, float]], network: str) -> dict:
    """The fit record's result: per variant, both datasets' fits, predictions at the claims' epochs, the check.

    ``runs`` holds each dataset's cross-validation records;
    ``measured`` each variant's full-data Fashion-MNIST value at the claims'
    epochs (the seeds' mean), the answer the Fashion extrapolation must give.
    """
    epochs = CLAIM_EPOCHS[network]
    steps = [e * PAPER_STEPS_PER_EPOCH for e in epochs]
    out: dict = {"network": network, "epochs": list(epochs), "variants": {}}
    for variant in VARIANTS:
        entry: dict = {}
        for dataset in ("mnist", "fashion"):
            found = fit(pooled_points(runs[dataset], variant))
            entry[dataset] = {"fit": found}
            if found["converged"]:
                entry[dataset]["predicted"] = [predict(found["params"], PAPER_TRAIN_IMAGES, t) for t in steps]
                entry[dataset]["interval"] = _bootstrap(runs[dataset], variant, steps)
        entry["measured_fashion"] = [measured.get(variant, {}).get(e) for e in epochs]
        out["variants"][variant] = entry
    return out


def full_data_reference(seed_runs: dict[str, list]) -> dict[str, dict[str, dict[int, float]]]:
    """Per network and variant, the full-data Fashion-MNIST value at the claims' epochs: the seeds' mean.

    honest: the test accuracy after that epoch; training images: the model on
    its own training images (scored per stage); best epoch: the best test
    accuracy of any epoch up to it.
    """
    out: dict[str, dict[str, dict[int, float]]] = {}
    for network, records in seed_runs.items():
        values: dict[str, dict[int, list[float]]] = {v: {} for v in VARIANTS}
        for record in records:
            if not record.on_full_data:
                continue
            curve = [(h["epoch"], h["val_accuracy"]) for h in record.history if "val_accuracy" in h]
            for e in CLAIM_EPOCHS[network]:
                stage = record.stage(e)
                at = dict(curve).get(e, stage.test_accuracy if stage else None)
                if at is not None:
                    values["honest"].setdefault(e, []).append(at)
                if stage is not None and stage.train_set_accuracy is not None:
                    values["training images"].setdefault(e, []).append(stage.train_set_accuracy)
                best = max((a for x, a in curve if x <= e), default=None)
                if best is not None and any(x == e for x, _ in curve):
                    values["best epoch"].setdefault(e, []).append(best)
        out[network] = {v: {e: float(np.mean(a)) for e, a in by_e.items()} for v, by_e in values.items()}
    return out


@dataclass(frozen=True)
class Check:
    """The digits' extrapolation at one claimed epoch after the Fashion-MNIST check: whether it counts, and why."""

    estimate: Estimate | None  # the digits' value with its interval, widened by the miss where it counts
    miss: float | None  # |Fashion extrapolated - Fashion measured|
    reason: str = ""  # why it does not count ('' when it does)
    stopped_by: str = ""  # the rule's check that stopped it: one of STOPS ('' when it counts)

    @property
    def counts(self) -> bool:
        return not self.stopped_by


# the rule's checks, in the order they are applied, as the fit table names them
STOPS = {
    "no fit": "no: no fit",
    "no reference": "no: nothing measured",
    "no bootstrap": "no: no interval",
    "misfit": "no: curve misfit",
    "miss": "no: Fashion miss",
}


def check(entry: dict, i: int) -> Check:
    """The digits' estimate at the i-th claim epoch, widened by the Fashion miss, or why it cannot decide."""
    digits, fashion = entry["mnist"], entry["fashion"]
    measured = entry["measured_fashion"][i]
    if not digits["fit"]["converged"] or not fashion["fit"]["converged"]:
        return Check(None, None, "the learning-curve fit did not converge", "no fit")
    if measured is None:
        reason = "no full-data Fashion-MNIST measurement to check the extrapolation against"
        return Check(None, None, reason, "no reference")
    low, high = digits["interval"][i]
    if math.isnan(low):
        return Check(None, None, "the bootstrap fits did not converge", "no bootstrap")
    miss = abs(fashion["predicted"][i] - measured)
    value = digits["predicted"][i]
    misfit = misfits(entry)
    if misfit:
        reason = f"the fitted curve does not describe its own runs: {misfit}, where the rule allows {MAX_CHI2_DOF:g}"
        return Check(Estimate(value, low, high), miss, reason, "misfit")
    if miss > MAX_MISS:
        reason = (
            f"the same fit on Fashion-MNIST predicts {fashion['predicted'][i]:.2%} where {measured:.2%} was "
            f"measured, a miss of {100 * miss:.2f} pp where the rule allows 1"
        )
        return Check(Estimate(value, low, high), miss, reason, "miss")
    return Check(Estimate(value, max(low - miss, 0.0), min(high + miss, 1.0)), miss)


def misfits(entry: dict) -> str:
    """'chi-square per degree of freedom 16.6 on the digits and 180.1 on Fashion-MNIST': the fits over the limit."""
    over = [
        f"{entry[d]['fit']['chi2_dof']:.1f} on {name}"
        for d, name in (("mnist", "the digits"), ("fashion", "Fashion-MNIST"))
        if entry[d]["fit"]["chi2_dof"] > MAX_CHI2_DOF
    ]
    return f"chi-square per degree of freedom {' and '.join(over)}" if over else ""


def curves(fit_records: list) -> list[Curve]:
    """(e) and its combinations as curves at the claims' epochs, from the fit records (one per network)."""
    found = []
    for record in fit_records:
        result = record.result
        for variant, combined in VARIANTS.items():
            entry = result["variants"][variant]
            points = []
            for i, epochs in enumerate(result["epochs"]):
                checked = check(entry, i)
                if checked.estimate is None:
                    continue
                points.append(Point(epochs, (checked.estimate,), undecidable=checked.reason))
            if not points:
                continue
            found.append(
                Curve(
                    (Mechanism.DIGITS, *combined),
                    "5-fold cross-validation, extrapolated to 60,000 images",
                    result["network"],
                    tuple(points),
                    (record.file_stem,),
                    "fitted on 5,000 digits at four training sizes; interval from a bootstrap over runs, "
                    "widened by the same fit's miss on Fashion-MNIST",
                    caveats=frozenset({Caveat.EXTRAPOLATED}),
                )
            )
    return found
