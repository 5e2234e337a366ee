"""The audit's tables: verdicts and curves rendered for a reader, never judged again here.

Every cell that carries a verdict comes from a ``verdicts.Verdict`` through
``verdict_text``; every number from a record. Columns a group of rows leaves
empty are dropped, and the verdict comes before the detail.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fmnist_lib.audit import claims, mechanisms
from fmnist_lib.audit.bottom_line import Answer
from fmnist_lib.audit.claim_rules import ClaimVerdict, counts
from fmnist_lib.audit.mechanisms import Curve
from fmnist_lib.audit.stats import mean_interval, wilson_interval
from fmnist_lib.audit.verdicts import Outcome
from fmnist_lib.report import prose
from fmnist_lib.report import verdict_text as vt
from fmnist_lib.report.glossary import network_name

GROUP_NAMES = {
    claims.HEADLINE: "headline",
    claims.SHAPE: "shape",
    claims.BASELINE: "table-i",
    claims.ARITHMETIC: "arithmetic",
    claims.TIME: "time",
}


def claims_table(judged: list[ClaimVerdict]) -> pd.DataFrame:
    """One row per claim: where, claimed, ours with its interval (and seeds), verdict, caveats and note."""
    return pd.DataFrame(
        [
            {
                "claim": f"{cv.claim.name}: {vt.claimed_text(cv.claim)} ({cv.claim.section})",
                "group": cv.claim.group,
                "ours": vt.ours(cv.verdict, against=cv.claim.value),
                "seeds": vt.seeds_text(cv.verdict),
                "verdict": vt.AS_CLAIM[cv.verdict.outcome],
                "note": vt.note_text(cv.verdict),
            }
            for cv in judged
        ]
    )


def claims_by_group(judged: list[ClaimVerdict]) -> dict[str, pd.DataFrame]:
    """The claims table split by group, each part without the group column or columns it leaves empty."""
    table = claims_table(judged)
    parts = {}
    for group in claims.GROUPS:
        part = table[table["group"] == group].drop(columns=["group"])
        empty = [c for c in part.columns if part[c].isin(["–", ""]).all() and c != "claim"]
        part = part.drop(columns=empty).reset_index(drop=True)
        first = [c for c in ("claim", "ours", "verdict") if c in part.columns]
        parts[group] = part[first + [c for c in part.columns if c not in first]]
    return parts


def group_counts(judged: list[ClaimVerdict]) -> pd.DataFrame:
    """Verdicts per group of claims, so copied baselines and arithmetic cannot hide the headline accuracies."""
    rows = []
    for group in claims.GROUPS:
        c = counts(judged, group)
        rows.append(
            {
                "claims": group,
                "count": sum(c.values()),
                "reproduced": c[Outcome.CONSISTENT],
                "not reproduced": c[Outcome.EXCLUDED],
                "inconclusive": c[Outcome.INCONCLUSIVE],
                "not tested": c[Outcome.NOT_TESTED],
            }
        )
    return pd.DataFrame(rows)


def headline_table(answer: Answer) -> pd.DataFrame:
    """The front page's table: per headline claim, claimed, ours (seeds' mean and interval), finding, evidence."""
    rows = []
    for a in answer.headline:
        rows.append(
            {
                "claim": a.claim.label,
                "ours": vt.ours_with_seeds(a.honest, against=a.claim.value),
                "finding": prose.finding_words(a),
                "evidence": prose.evidence(a),
            }
        )
    drop = answer.drop
    rows.append(
        {
            "claim": f"accuracy drop, CNN-3-128 to light model: {drop.claim.value:.2f} pp",
            "ours": vt.ours_with_seeds(drop.verdict),
            "finding": vt.AS_CLAIM[drop.verdict.outcome],
            "evidence": vt.note_text(drop.verdict),
        }
    )
    return pd.DataFrame(rows)


SHOWN_ROLES = {mechanisms.CurveRole.REFERENCE: "reference", mechanisms.CurveRole.SUPERSEDED: "superseded"}


def mechanism_matrix(curves: list[Curve], network: str) -> pd.DataFrame:
    """Mechanism x claim for one network: per claim, the verdict and our value with its interval in one cell."""
    rows = []
    for curve in curves:
        if curve.network != network or curve.role is mechanisms.CurveRole.CONTROL:
            continue
        row = {"mechanism": curve.label}
        for claim in claims.HEADLINE_CLAIMS:
            if claim.network != network:
                continue
            v = mechanisms.judge(curve, claim)
            word = SHOWN_ROLES.get(curve.role) or vt.AS_MECHANISM[v.outcome]
            value = vt.ours(v, against=claim.value)
            seeds = vt.seeds_text(v)
            row[claim.short] = f"{word}: {value}" + (f" ({seeds})" if seeds else "")
        rows.append(row)
    return pd.DataFrame(rows)


def fingerprint_table(curves: list[Curve]) -> pd.DataFrame:
    """The claims' shape and each CNN-3-128 curve's: the seeds' mean at 2 and 62 epochs and the rise between."""
    claimed = claims.CNN_ACCURACY_BY_EPOCH
    rows = [
        {
            "curve": "the seed paper's claims",
            "at 2 epochs": vt.percent(claimed[2]),
            "at 62 epochs": vt.percent(claimed[62]),
            "rise (pp)": f"{100 * (claimed[62] - claimed[2]):+.2f}",
        }
    ]
    for c in curves:
        if c.network != "cnn_3_128":
            continue
        start, end = c.at(2), c.at(62)
        rows.append(
            {
                "curve": c.label,
                "at 2 epochs": "–" if start is None else vt.percent(start.mean),
                "at 62 epochs": "–" if end is None else vt.percent(end.mean),
                "rise (pp)": "–" if start is None or end is None else f"{100 * (end.mean - start.mean):+.2f}",
            }
        )
    return pd.DataFrame(rows)


def binary_arithmetic(records: list) -> pd.DataFrame:
    """(c)'s arithmetic: what class accuracy each claim needs if it is a binary accuracy on one-hot labels.

    A wrong image costs at least one of its ten yes/no answers (the true class's
    probability is at most one half), so binary accuracy is at most 1 - (1 - A)/10
    for class accuracy A, for any outputs; a claim c needs A >= 1 - 10 (1 - c).
    Confident outputs cost two answers per error: then about 1 - (1 - A)/5.
    """
    rows = []
    for epochs, claimed in claims.CNN_ACCURACY_BY_EPOCH.items():
        at = [s for r in records if (s := r.stage(epochs)) is not None]
        ours = float(np.mean([s.test_accuracy for s in at])) if at else None
        binary = float(np.mean([s.test_binary_accuracy for s in at])) if at else None
        rows.append(
            {
                "claim": f"{vt.percent(claimed)} at {epochs} epochs",
                "needs class accuracy of at least": vt.percent(1 - 10 * (1 - claimed)),
                "ours": vt.percent(ours),
                "our binary accuracy": vt.percent(binary),
                "seeds": len(at),
            }
        )
    return pd.DataFrame(rows)


def seed_table(study: dict) -> pd.DataFrame:
    """Mean, sd and t-interval of each headline number over the seeds, in the report's percent format."""
    rows = []
    groups = (
        (network_name("cnn_3_128"), study["cnn_3_128"]),
        (network_name("dsc_gap"), study["dsc_gap"]),
        (f"best classical ({study['best_classical_model']})", study["best_classical"]),
    )
    for label, records in groups:
        if not records:
            continue
        values = [r.accuracy for r in records]
        s = mean_interval(values)
        deterministic = len(values) > 1 and len(set(values)) == 1
        if deterministic:
            interval = "none: the seed does not change it"
        elif np.isnan(s["low"]):
            interval = "–"
        else:
            interval = f"{vt.percent(s['mean'])} [{vt.percent(max(s['low'], 0.0))}, {vt.percent(min(s['high'], 1.0))}]"
        rows.append(
            {
                "model": label,
                "seeds": ", ".join(str(r.config["seed"]) for r in records),
                "accuracies": ", ".join(vt.percent(v) for v in values),
                "mean with 95 % interval": interval
                if not deterministic
                else vt.percent(s["mean"]) + " (" + interval + ")",
                "sd (pp)": "0.00" if deterministic else ("–" if np.isnan(s["sd"]) else f"{100 * s['sd']:.2f}"),
            }
        )
    return pd.DataFrame(rows)


def _group_cells(groups: dict) -> dict:
    from fmnist_lib.data.leakage import GROUPS

    return {
        name: "–"
        if groups[name]["accuracy"] is None
        else f"{vt.percent(groups[name]['accuracy'])} ({groups[name]['n']:,})"
        for name in GROUPS
    }


def subgroup_table(group_records: list, copies_leaks: list) -> pd.DataFrame:
    """(b)'s evaluation split by subgroup: one row per subgroup, one column per run and length: accuracy (images).

    The 14-epoch runs are scored from their final predictions; the long runs
    after the epoch that matches 2 of the paper's epochs in optimizer steps,
    after 2 epochs of their own data and at their end.
    """
    from fmnist_lib.data.leakage import GROUPS

    columns: dict[str, dict] = {}
    for rec in group_records:
        leak = rec.config["leak"]
        columns[f"1 copy, rotation {leak['rotation_degrees']:g}°, {_epochs_words(rec.result['epochs'])}"] = (
            _group_cells(rec.result["groups"])
        )
    for rec in copies_leaks:
        scores = rec.result["group_scores"]
        copies = rec.config["copies"]
        label = f"{copies} cop{'y' if copies == 1 else 'ies'}"
        matched = min(scores, key=lambda e: abs(e["paper_epochs"] - 2))
        picks = {
            f"{label}, {_epochs_words(matched['epoch'])} (2 paper epochs in steps)": matched,
            f"{label}, {_epochs_words(2)}": next((e for e in scores if e["epoch"] == 2), None),
            f"{label}, {_epochs_words(scores[-1]['epoch'])} (its end)": scores[-1],
        }
        seen = set()
        for after, entry in picks.items():
            if entry is None or entry["epoch"] in seen:
                continue
            seen.add(entry["epoch"])
            columns[after] = _group_cells(entry["groups"])
    return pd.DataFrame(
        [{"subgroup": group, **{run: cells[group] for run, cells in columns.items()}} for group in GROUPS]
    )


def _epochs_words(n: int) -> str:
    return f"{n} epoch" + ("" if n == 1 else "s")


def duplicate_summary(record, y_true, y_pred, test_idx, thresholds=(0.0, 0.02, 0.05, 0.1)) -> pd.DataFrame:
    """Test images with a training twin at each RMS threshold, and accuracy without them."""
    from fmnist_lib.data.duplicates import accuracy_without

    r = record.result
    exact = np.asarray(r["exact"], bool)[test_idx]
    dist = np.asarray(r["rms_distance"])[test_idx]
    rows = []
    for t in thresholds:
        twins = exact if t == 0 else dist <= t
        acc, kept = accuracy_without(y_true, y_pred, twins)
        on_twins = np.mean(np.asarray(y_true)[twins] == np.asarray(y_pred)[twins]) if twins.any() else None
        rows.append(
            {
                "nearest training image": "identical" if t == 0 else f"RMS distance ≤ {t:g}",
                "test images": int(twins.sum()),
                "share": vt.percent(float(twins.mean())),
                "accuracy on them": vt.percent(on_twins),
                "accuracy without them": vt.percent(acc),
                "images left": kept,
            }
        )
    return pd.DataFrame(rows)


def with_interval(accuracy: float, n: int) -> str:
    low, high = wilson_interval(round(accuracy * n), n)
    return f"{vt.percent(accuracy)} [{vt.percent(low)}, {vt.percent(high)}]"


def digits_fit_table(fit_records: list, training_sizes: int) -> pd.DataFrame:
    """(e) decided: per network, variant and claimed epoch, the digits' extrapolation and the Fashion-MNIST check.

    Without a fit, one row says why: a design of one training size has no curve to fit, else none is recorded yet.
    """
    from fmnist_lib.audit import learning_curve

    if not fit_records:
        why = (
            f"no fit: the runs have {training_sizes} training size, a curve needs at least 2, as the full profile runs"
            if training_sizes < 2
            else "not recorded yet"
        )
        return pd.DataFrame([{"network": "–", "MNIST, extrapolated": "–", "counts": why}])
    rows = []
    for record in fit_records:
        result = record.result
        for variant, entry in result["variants"].items():
            for i, epochs in enumerate(result["epochs"]):
                digits, fashion = entry["mnist"], entry["fashion"]
                if not digits["fit"]["converged"] or not fashion["fit"]["converged"]:
                    continue
                measured = entry["measured_fashion"][i]
                checked = learning_curve.check(entry, i)
                low, high = digits["interval"][i]
                rows.append(
                    {
                        "network": network_name(result["network"]),
                        "variant": variant,
                        "epochs": epochs,
                        "MNIST, extrapolated": f"{vt.percent(digits['predicted'][i])} [{vt.percent(low)}, "
                        f"{vt.percent(high)}]",
                        "Fashion: fit / measured (miss, pp)": f"{vt.percent(fashion['predicted'][i])} / "
                        f"{vt.percent(measured)}" + ("" if checked.miss is None else f" ({100 * checked.miss:.2f})"),
                        "χ²/dof: MNIST / Fashion": " / ".join(f"{e['fit']['chi2_dof']:.1f}" for e in (digits, fashion)),
                        "counts": learning_curve.STOPS.get(checked.stopped_by, "yes"),
                    }
                )
    return pd.DataFrame(rows)


def digits_cv_table(cv_records: list, steps: int) -> pd.DataFrame:
    """(e) measured, not extrapolated: each dataset's held-out accuracy over all folds at the largest training size,
    after the epoch nearest ``steps`` optimizer steps (or the last epoch of runs that stop short), per network
    and seed."""
    groups: dict[tuple, list] = {}
    for r in cv_records:
        if r.config["train_share"] == 1.0:
            groups.setdefault((r.config["model"], r.config["seed"], r.config["dataset"]), []).append(r)
    rows = []
    for (network, seed, dataset), runs in sorted(groups.items()):
        last = min(max(h["epoch"] for h in r.history) for r in runs)  # a shorter run: its last epoch, labelled
        epoch = min(last, max(1, round(steps / runs[0].result["steps_per_epoch"])))
        correct = sum(round(h["val_accuracy"] * r.n_test) for r in runs for h in r.history if h["epoch"] == epoch)
        n = sum(r.n_test for r in runs)
        rows.append(
            {
                "network": network_name(network),
                "seed": seed,
                "dataset": {"mnist": "MNIST digits", "fashion": "Fashion-MNIST sample"}[dataset],
                "folds": len(runs),
                "training images": int(np.mean([r.result["train_images"] for r in runs])),
                "after": f"{epoch} epochs = {epoch * runs[0].result['steps_per_epoch']:,} steps",
                "held-out accuracy": with_interval(correct / n, n),
                "test images": n,
            }
        )
    return pd.DataFrame(rows)
