"""Every numeric claim of the seed paper against our records, with a verdict.

A verdict is only given where our run is comparable: accuracies need the
paper's protocol (all images, the claimed number of epochs), times need the
paper's hardware (never stated, so never comparable), parameter counts are
arithmetic and always comparable. The rule is stated once, in TOLERANCE_TEXT,
and applied mechanically.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import claims
from .records import LIGHT_MODEL_THRESHOLD
from .stats import Z95, interval_text, wilson_interval

TOLERANCE_PP = 1.0
EPOCH_TOLERANCE = 2  # "about the seventh epoch": two epochs either way
RATIO_TOLERANCE = 0.0005  # a ratio printed to one decimal of a percent
TOLERANCE_TEXT = (
    "An accuracy claim counts as reproduced when it lies inside our 95 % interval or within "
    f"{TOLERANCE_PP:g} percentage point of our value (the seed's own tolerance for Table I); "
    "a count must match exactly; 'about epoch 7' allows two epochs either way. A claim is "
    "'not comparable' when our run did not follow the paper's protocol for it (a subsample, "
    "fewer epochs) or when it depends on hardware the paper does not name."
)
REPRODUCED, NOT_REPRODUCED, NOT_COMPARABLE = "reproduced", "not reproduced", "not comparable"


def accuracy_verdict(ours: float, n: int, claim: float, comparable: bool) -> str:
    if not comparable:
        return NOT_COMPARABLE
    low, high = wilson_interval(round(ours * n), n)
    inside = low <= claim <= high or abs(ours - claim) * 100 <= TOLERANCE_PP
    return REPRODUCED if inside else NOT_REPRODUCED


def _row(claim: claims.Claim, claimed: str, ours="not run", interval="–", verdict=NOT_COMPARABLE, note=""):
    return {
        "claim": claim.name,
        "where in the paper": claim.section,
        "claimed": claimed,
        "ours": ours,
        "95 % interval": interval,
        "verdict": verdict,
        "note": note,
    }


def _claimed_text(claim: claims.Claim) -> str:
    return {
        "accuracy": f"{claim.value:.0%}" if claim.measure == "baseline" else f"{claim.value:.2%}",
        "count": f"{claim.value:,}",
        "epoch": f"epoch ~{claim.value}",
        "ratio": f"{claim.value:.1%}",
        "drop": f"{claim.value:.2f} pp",
        "seconds": f"{claim.value:,.0f} s",
    }[claim.kind]


def _accuracy_row(claim, claimed, accuracy, n, comparable, note):
    return _row(
        claim,
        claimed,
        f"{accuracy:.2%}",
        interval_text(accuracy, n),
        accuracy_verdict(accuracy, n, claim.value, comparable),
        note,
    )


def _judge(claim: claims.Claim, stored: dict) -> dict:
    """One claim against the stored records: our number, its interval, the verdict under the stated rule."""
    claimed = _claimed_text(claim)
    cnn, light = stored.get("cnn_3_128"), stored.get("dsc_gap")
    if claim.measure == "baseline":
        rec = next((r for r in stored.get("baselines", []) if r.result["model"] == claim.arg), None)
        if rec is None:
            return _row(claim, claimed)
        comparable = rec.config["train_size"] is None and rec.config["test_size"] is None
        return _accuracy_row(
            claim,
            claimed,
            rec.accuracy,
            rec.n_test,
            comparable,
            "" if comparable else f"fitted on {rec.result['n_train']:,} images",
        )
    if claim.measure == "cnn_stage":
        stage = cnn.stage(claim.arg) if cnn else None
        if stage is None:
            return _row(
                claim, claimed, note="not run" if cnn is None else f"this run stops at {cnn.final.epochs} epochs"
            )
        return _accuracy_row(
            claim,
            claimed,
            stage.test_accuracy,
            cnn.n_test,
            cnn.on_full_data,
            "" if cnn.on_full_data else "trained on a subsample",
        )
    if claim.measure == "params":
        rec = stored.get(claim.arg)
        if rec is None:
            return _row(claim, claimed)
        note = "" if rec.trainable_params == rec.total_params else f"total; only {rec.trainable_params:,} are trainable"
        verdict = REPRODUCED if rec.total_params == claim.value else NOT_REPRODUCED
        return _row(claim, claimed, f"{rec.total_params:,}", "exact", verdict, note)
    if claim.measure == "time":
        name, epochs = claim.arg
        rec = stored.get(name)
        if rec is None:
            return _row(claim, claimed)
        stage = rec.stage_or_final(epochs)
        hardware = rec.provenance.get("accelerators") or [rec.provenance["cpu"]]
        return _row(
            claim,
            claimed,
            f"{stage.cumulative_train_seconds:,.0f} s",
            "–",
            NOT_COMPARABLE,
            f"{stage.epochs} epochs on {', '.join(hardware)}; the paper's hardware is not named",
        )
    if light is None:
        return _row(claim, claimed)
    if claim.measure == "light_final":
        last = light.final
        return _accuracy_row(
            claim,
            claimed,
            last.test_accuracy,
            light.n_test,
            light.on_full_data,
            f"after {last.epochs} epochs" + ("" if light.on_full_data else ", on a subsample"),
        )
    if claim.measure == "light_epoch":
        reached = light.first_epoch_reaching(LIGHT_MODEL_THRESHOLD)
        comparable = light.on_full_data and "val_accuracy" in light.history[0]
        close = reached is not None and abs(reached - claim.value) <= EPOCH_TOLERANCE
        verdict = NOT_COMPARABLE if not comparable else (REPRODUCED if close else NOT_REPRODUCED)
        return _row(
            claim,
            claimed,
            "never" if reached is None else f"epoch {reached}",
            "–",
            verdict,
            f"within {light.history[-1]['epoch']} epochs",
        )
    if cnn is None:
        return _row(claim, claimed)
    if claim.measure == "reduction":
        reduction = 1 - light.total_params / cnn.total_params
        verdict = REPRODUCED if abs(reduction - claim.value) < RATIO_TOLERANCE else NOT_REPRODUCED
        return _row(claim, claimed, f"{reduction:.2%}", "exact", verdict)
    if claim.measure == "drop":
        a, b = cnn.final, light.final
        drop = 100 * (a.test_accuracy - b.test_accuracy)
        half = (
            100
            * Z95
            * math.sqrt(sum(s.test_accuracy * (1 - s.test_accuracy) / r.n_test for s, r in ((a, cnn), (b, light))))
        )
        comparable = cnn.on_full_data and light.on_full_data and a.epochs == claims.PAPER_EPOCHS
        inside = abs(drop - claim.value) <= max(half, TOLERANCE_PP)
        return _row(
            claim,
            claimed,
            f"{drop:.2f} pp",
            f"[{drop - half:.2f}, {drop + half:.2f}] pp",
            (REPRODUCED if inside else NOT_REPRODUCED) if comparable else NOT_COMPARABLE,
        )
    raise ValueError(f"no measurement for claim {claim.name!r} ({claim.measure})")


def claims_table(stored: dict) -> pd.DataFrame:
    """One row per numeric claim of ``claims.CLAIMS``. ``stored`` is ``experiments.replication_records(config)``."""
    return pd.DataFrame([_judge(claim, stored) for claim in claims.CLAIMS])


def verdict_counts(table: pd.DataFrame) -> dict:
    counts = table["verdict"].value_counts()
    return {key.replace(" ", "_"): int(counts.get(key, 0)) for key in (REPRODUCED, NOT_REPRODUCED, NOT_COMPARABLE)}


def seed_table(study: dict) -> pd.DataFrame:
    """Mean, sd and t-interval of each headline number over the seeds."""
    from .stats import mean_interval

    rows = []
    groups = (
        ("CNN-3-128", study["cnn_3_128"]),
        ("DSC + GAP", study["dsc_gap"]),
        (f"best classical ({study['best_classical_model']})", study["best_classical"]),
    )
    for label, records in groups:
        if not records:
            continue
        values = [r.accuracy for r in records]
        s = mean_interval(values)
        rows.append(
            {
                "model": label,
                "seeds": ", ".join(str(r.config["seed"]) for r in records),
                "accuracies": ", ".join(f"{v:.2%}" for v in values),
                "mean": f"{s['mean']:.2%}",
                "sd (pp)": "–" if np.isnan(s["sd"]) else f"{100 * s['sd']:.2f}",
                # an accuracy lies in [0, 1]; the t-interval of few seeds can overshoot it
                "95 % interval of the mean": "–"
                if np.isnan(s["low"])
                else f"[{max(s['low'], 0.0):.2%}, {min(s['high'], 1.0):.2%}]",
            }
        )
    return pd.DataFrame(rows)


def duplicate_summary(record, y_true, y_pred, test_idx, thresholds=(0.0, 0.02, 0.05, 0.1)) -> pd.DataFrame:
    """Test images with a training twin at each RMS threshold, and accuracy without them."""
    from .duplicates import accuracy_without

    r = record.result
    exact = np.asarray(r["exact"], bool)[test_idx]
    dist = np.asarray(r["rms_distance"])[test_idx]
    rows = []
    for t in thresholds:
        twins = exact if t == 0 else dist <= t
        acc, kept = accuracy_without(y_true, y_pred, twins)
        rows.append(
            {
                "nearest training image": "identical" if t == 0 else f"RMS distance ≤ {t:g}",
                "test images": int(twins.sum()),
                "share": f"{twins.mean():.2%}",
                "accuracy on them": "–"
                if not twins.any()
                else f"{np.mean(np.asarray(y_true)[twins] == np.asarray(y_pred)[twins]):.2%}",
                "accuracy without them": f"{acc:.2%}",
                "images left": kept,
            }
        )
    return pd.DataFrame(rows)


def duplicate_effect(record, y_true, y_pred, test_idx, threshold: float) -> float:
    """Percentage points the accuracy moves when test images with a near-twin (RMS <= threshold) are dropped."""
    from .duplicates import accuracy_without

    twins = np.asarray(record.result["rms_distance"])[test_idx] <= threshold
    without, _ = accuracy_without(y_true, y_pred, twins)
    return 100 * (without - float(np.mean(np.asarray(y_true) == np.asarray(y_pred))))
