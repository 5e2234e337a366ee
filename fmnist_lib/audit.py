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
from .stats import interval_text, wilson_interval
from .tables import n_test

TOLERANCE_PP = 1.0
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


def _stage(record: dict | None, epochs: int) -> dict | None:
    if record is None:
        return None
    return next((s for s in record["result"]["stages"] if s["epochs"] == epochs), None)


def _full_data(record: dict | None) -> bool:
    return record is not None and record["config"]["data"] == {"train_size": None, "test_size": None}


def _row(claim, where, claimed, ours="not run", interval="–", verdict=NOT_COMPARABLE, note=""):
    return {"claim": claim, "where in the paper": where, "claimed": claimed, "ours": ours,
            "95 % interval": interval, "verdict": verdict, "note": note}


def claims_table(stored: dict) -> pd.DataFrame:
    """One row per numeric claim. ``stored`` is ``experiments.stored_records(config)``."""
    rows = []
    by_model = {r["result"]["model"]: r for r in stored.get("baselines", [])}
    for model, claim in claims.TABLE_I_ACCURACY.items():
        rec = by_model.get(model)
        if rec is None:
            rows.append(_row(f"{model} accuracy", "Table I", f"{claim:.0%}"))
            continue
        r = rec["result"]
        comparable = rec["config"]["train_size"] is None and rec["config"]["test_size"] is None
        rows.append(_row(f"{model} accuracy", "Table I", f"{claim:.0%}", f"{r['accuracy']:.2%}",
                         interval_text(r["accuracy"], r["n_test"]),
                         accuracy_verdict(r["accuracy"], r["n_test"], claim, comparable),
                         "" if comparable else f"fitted on {r['n_train']:,} images"))
    cnn, light = stored.get("cnn_3_128"), stored.get("dsc_gap")
    for epochs, claim in claims.CNN_ACCURACY_BY_EPOCH.items():
        stage = _stage(cnn, epochs)
        label = f"CNN-3-128 accuracy after {epochs} epochs"
        if stage is None:
            have = "" if cnn is None else f"this run stops at {cnn['result']['stages'][-1]['epochs']} epochs"
            rows.append(_row(label, "IV-B", f"{claim:.2%}", note=have or "not run"))
            continue
        n = n_test(cnn)
        rows.append(_row(label, "IV-B", f"{claim:.2%}", f"{stage['test_accuracy']:.2%}",
                         interval_text(stage["test_accuracy"], n),
                         accuracy_verdict(stage["test_accuracy"], n, claim, _full_data(cnn)),
                         "" if _full_data(cnn) else "trained on a subsample"))
    for rec, label, claim, where in ((cnn, "CNN-3-128 parameters", claims.CNN_PARAMS, "III-C, Table II"),
                                     (light, "light model parameters (called trainable)", claims.LIGHT_PARAMS,
                                      "Abstract, Table II")):
        if rec is None:
            rows.append(_row(label, where, f"{claim:,}"))
            continue
        total, trainable = rec["result"]["total_params"], rec["result"]["trainable_params"]
        verdict = REPRODUCED if total == claim else NOT_REPRODUCED
        note = "" if trainable == total else f"total; only {trainable:,} are trainable"
        rows.append(_row(label, where, f"{claim:,}", f"{total:,}", "exact", verdict, note))
    if light is not None:
        last, n = light["result"]["stages"][-1], n_test(light)
        rows.append(_row("light model accuracy", "V-C, Table II", f"{claims.LIGHT_ACCURACY:.2%}",
                         f"{last['test_accuracy']:.2%}", interval_text(last["test_accuracy"], n),
                         accuracy_verdict(last["test_accuracy"], n, claims.LIGHT_ACCURACY, _full_data(light)),
                         f"after {last['epochs']} epochs" + ("" if _full_data(light) else ", on a subsample")))
        reached = next((h["epoch"] for h in light["result"]["history"] if h.get("val_accuracy", 0) >= 0.985), None)
        measured = "val_accuracy" in light["result"]["history"][0]
        comparable = _full_data(light) and measured
        verdict = NOT_COMPARABLE if not comparable else (
            REPRODUCED if reached is not None and abs(reached - claims.LIGHT_EPOCH_ABOVE_985) <= 2 else NOT_REPRODUCED)
        rows.append(_row("light model above 98.5 % by about epoch 7", "V-C", "epoch ~7",
                         "never" if reached is None else f"epoch {reached}", "–", verdict,
                         f"within {light['result']['history'][-1]['epoch']} epochs"))
    else:
        rows.append(_row("light model accuracy", "V-C, Table II", f"{claims.LIGHT_ACCURACY:.2%}"))
        rows.append(_row("light model above 98.5 % by about epoch 7", "V-C", "epoch ~7"))
    if cnn is not None and light is not None:
        reduction = 1 - light["result"]["total_params"] / cnn["result"]["total_params"]
        rows.append(_row("parameter reduction", "Abstract, V-D", f"{claims.PARAM_REDUCTION:.1%}", f"{reduction:.2%}",
                         "exact", REPRODUCED if abs(reduction - claims.PARAM_REDUCTION) < 0.0005 else NOT_REPRODUCED))
        a, b = cnn["result"]["stages"][-1], light["result"]["stages"][-1]
        drop = 100 * (a["test_accuracy"] - b["test_accuracy"])
        half = 196 * math.sqrt(sum(s["test_accuracy"] * (1 - s["test_accuracy"]) / n_test(r)
                                   for s, r in ((a, cnn), (b, light))))
        comparable = _full_data(cnn) and _full_data(light) and a["epochs"] == 62
        inside = abs(drop - claims.ACCURACY_DROP_PP) <= max(half, TOLERANCE_PP)
        rows.append(_row("accuracy drop, baseline to light", "V-D", f"{claims.ACCURACY_DROP_PP:.2f} pp",
                         f"{drop:.2f} pp", f"[{drop - half:.2f}, {drop + half:.2f}] pp",
                         (REPRODUCED if inside else NOT_REPRODUCED) if comparable else NOT_COMPARABLE))
    for rec, label, claim, epochs in ((cnn, "CNN-3-128 training time, 62 epochs", claims.CNN_TRAIN_SECONDS_62_EPOCHS, 62),
                                      (light, "light model training time, 16 epochs",
                                       claims.LIGHT_TRAIN_SECONDS_16_EPOCHS, claims.LIGHT_EPOCHS_FOR_TIME)):
        stage = _stage(rec, epochs) or (rec["result"]["stages"][-1] if rec else None)
        if stage is None:
            rows.append(_row(label, "VI, Fig. 3", f"{claim:,.0f} s"))
            continue
        hardware = rec["provenance"].get("accelerators") or [rec["provenance"]["cpu"]]
        rows.append(_row(label, "VI, Fig. 3", f"{claim:,.0f} s", f"{stage['cumulative_train_seconds']:,.0f} s", "–",
                         NOT_COMPARABLE, f"{stage['epochs']} epochs on {', '.join(hardware)}; the paper's hardware is not named"))
    return pd.DataFrame(rows)


def verdict_counts(table: pd.DataFrame) -> dict:
    counts = table["verdict"].value_counts()
    return {key.replace(" ", "_"): int(counts.get(key, 0)) for key in (REPRODUCED, NOT_REPRODUCED, NOT_COMPARABLE)}


def _at(record: dict, epochs: int, field: str) -> float | None:
    stage = _stage(record, epochs)
    return None if stage is None else stage.get(field)


def hypotheses(cnn: dict, leaks: list[dict], honest: dict) -> list[dict]:
    """Each inflation mechanism's number after 2 epochs and at its last stage, and which claim it reaches."""
    entries = [
        ("honest test accuracy (reference)", cnn, "test_accuracy", ""),
        ("(a) scored on the training images", cnn, "train_set_accuracy", "same model, evaluated on what it trained on"),
        ("(c) Keras-2 binary accuracy on one-hot labels", cnn, "test_binary_accuracy", "same model, other metric"),
    ]
    entries += [(f"(b) pooled augmentation, split afterwards (rotation {rec['config']['rotation_degrees']:g}°)",
                 rec, "test_accuracy",
                 f"{rec['result']['leak']['eval_share_with_twin_in_train']:.0%} of the evaluation images have a "
                 "twin in training") for rec in leaks]
    entries.append(("(d) honest augmentation, official test set", honest, "test_accuracy",
                    "augmenter on training batches only"))
    found = []
    for label, rec, field, note in entries:
        last = rec["result"]["stages"][-1]
        reaches = [e for e, c in claims.CNN_ACCURACY_BY_EPOCH.items()
                   if _at(rec, e, field) is not None and abs(100 * (_at(rec, e, field) - c)) <= TOLERANCE_PP]
        found.append({"mechanism": label, "at_2": _at(rec, 2, field), "final": last[field],
                      "final_epochs": last["epochs"], "reaches": reaches, "note": note})
    return found


def hypotheses_table(found: list[dict]) -> pd.DataFrame:
    rows = [{
        "mechanism": h["mechanism"],
        "after 2 epochs": "–" if h["at_2"] is None else f"{h['at_2']:.2%}",
        "last stage": f"{h['final']:.2%} ({h['final_epochs']} epochs)",
        "reaches a claim (±1 pp, same epoch)": ", ".join(f"{e}-epoch claim" for e in h["reaches"]) or "no",
        "above 99 %": "yes" if max(h["final"], h["at_2"] or 0) >= 0.99 else "no",
        "note": h["note"],
    } for h in found]
    return pd.DataFrame(rows)


def seed_table(study: dict) -> pd.DataFrame:
    """Mean, sd and t-interval of each headline number over the seeds."""
    from .stats import mean_interval

    rows = []
    groups = (("CNN-3-128", study["cnn_3_128"], lambda r: r["result"]["stages"][-1]["test_accuracy"]),
              ("DSC + GAP", study["dsc_gap"], lambda r: r["result"]["stages"][-1]["test_accuracy"]),
              (f"best classical ({study['best_classical_model']})", study["best_classical"],
               lambda r: r["result"]["accuracy"]))
    for label, records, value in groups:
        values = [value(r) for r in records]
        s = mean_interval(values)
        rows.append({
            "model": label,
            "seeds": ", ".join(str(r["config"]["seed"]) for r in records),
            "accuracies": ", ".join(f"{v:.2%}" for v in values),
            "mean": f"{s['mean']:.2%}",
            "sd (pp)": "–" if np.isnan(s["sd"]) else f"{100 * s['sd']:.2f}",
            # an accuracy lies in [0, 1]; the t-interval of few seeds can overshoot it
            "95 % interval of the mean": "–" if np.isnan(s["low"]) else
                f"[{max(s['low'], 0.0):.2%}, {min(s['high'], 1.0):.2%}]",
        })
    return pd.DataFrame(rows)


def duplicate_summary(record: dict, y_true, y_pred, test_idx, thresholds=(0.0, 0.02, 0.05, 0.1)) -> pd.DataFrame:
    """Test images with a training twin at each RMS threshold, and accuracy without them."""
    from .duplicates import accuracy_without

    r = record["result"]
    exact = np.asarray(r["exact"], bool)[test_idx]
    dist = np.asarray(r["rms_distance"])[test_idx]
    rows = []
    for t in thresholds:
        twins = exact if t == 0 else dist <= t
        acc, kept = accuracy_without(y_true, y_pred, twins)
        rows.append({
            "nearest training image": "identical" if t == 0 else f"RMS distance ≤ {t:g}",
            "test images": int(twins.sum()),
            "share": f"{twins.mean():.2%}",
            "accuracy on them": "–" if not twins.any() else
                f"{np.mean(np.asarray(y_true)[twins] == np.asarray(y_pred)[twins]):.2%}",
            "accuracy without them": f"{acc:.2%}",
            "images left": kept,
        })
    return pd.DataFrame(rows)


def duplicate_effect(record: dict, y_true, y_pred, test_idx, threshold: float) -> float:
    """Percentage points the accuracy moves when test images with a near-twin (RMS <= threshold) are dropped."""
    from .duplicates import accuracy_without

    twins = np.asarray(record["result"]["rms_distance"])[test_idx] <= threshold
    without, _ = accuracy_without(y_true, y_pred, twins)
    return 100 * (without - float(np.mean(np.asarray(y_true) == np.asarray(y_pred))))
