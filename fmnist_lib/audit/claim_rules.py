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

from fmnist_lib.audit import claims
from fmnist_lib.audit.stats import Z95, interval_text, wilson_interval
from fmnist_lib.store.records import LIGHT_MODEL_THRESHOLD

EPOCH_TOLERANCE = 2  # "about the seventh epoch": up to two epochs either way
RATIO_TOLERANCE = 0.0005  # a ratio printed to one decimal of a percent
ROUNDING_PP = 0.5  # a whole-percent claim stands for [c - 0.5, c + 0.5) pp
LAST_EPOCHS = 5  # the unstable light model is also read as the mean of its last five epochs
STABLE_DROP_PP = 2.0  # "no large oscillations": no epoch after the fifth loses more than this
TOLERANCE_TEXT = (
    "**Accuracies** with two or more decimals are judged on error rates: reproduced when the "
    "claimed value lies inside our 95 % interval, which near 100 % is the same as the claimed "
    "error lying inside the interval of our error rate (the note gives our error as a multiple "
    "of the claimed). Where the audit has several seeds of a run, the Student-t interval of the "
    "seeds' mean decides, because it holds the run-to-run spread that one run's Wilson interval "
    "(shown beside it) leaves out. **Table I's whole percents** are reproduced when our interval "
    "overlaps the claim's rounding interval (within 0.5 pp). **Counts** must match exactly, a "
    "ratio printed to one decimal to within 0.05 pp, a 'roughly' whole percent after rounding; "
    "'about epoch 7' allows two epochs either way. **Shape claims** (the curve rises, the gap "
    "shrinks, no collapses) are judged by the rule stated in their note, over all seeds where "
    "there are several. A claim is **not comparable** when our run did not follow the paper's "
    "protocol for it (a subsample, fewer epochs) or when it depends on hardware the paper does "
    "not name."
)
REPRODUCED, NOT_REPRODUCED, NOT_COMPARABLE = "reproduced", "not reproduced", "not comparable"


def accuracy_verdict(ours: float, n: int, claim: float, comparable: bool) -> str:
    """One run: reproduced when the claim lies inside our 95 % Wilson interval."""
    if not comparable:
        return NOT_COMPARABLE
    low, high = wilson_interval(round(ours * n), n)
    return REPRODUCED if low <= claim <= high else NOT_REPRODUCED


def rounded_verdict(ours: float, n: int, claim: float, comparable: bool) -> str:
    """A whole-percent claim: reproduced when our interval overlaps [claim - 0.5 pp, claim + 0.5 pp)."""
    if not comparable:
        return NOT_COMPARABLE
    low, high = wilson_interval(round(ours * n), n)
    half = ROUNDING_PP / 100
    return REPRODUCED if low < claim + half and high >= claim - half else NOT_REPRODUCED


def seed_verdict(values: list[float], claim: float) -> tuple[str, str]:
    """Several seeds: reproduced when the claim lies inside the t-interval of their mean; the interval's text."""
    from fmnist_lib.audit.stats import mean_interval

    if len(set(values)) == 1:  # a deterministic result: the seed does not change it
        return (REPRODUCED if values[0] == claim else NOT_REPRODUCED), "deterministic"
    m = mean_interval(values)
    inside = m["low"] <= claim <= m["high"]
    return (REPRODUCED if inside else NOT_REPRODUCED), f"[{m['low']:.2%}, {m['high']:.2%}] over {len(values)} seeds"


def _row(claim: claims.Claim, claimed: str, ours="not run", interval="–", verdict=NOT_COMPARABLE, note="", seeds="–"):
    return {
        "claim": claim.name,
        "group": claim.group,
        "where in the paper": claim.section,
        "claimed": claimed,
        "ours": ours,
        "95 % interval (one run)": interval,
        "95 % interval (seeds)": seeds,
        "verdict": verdict,
        "note": note,
    }


def _claimed_text(claim: claims.Claim) -> str:
    return {
        "accuracy": f"{claim.value:.0%}" if claim.measure == "baseline" else f"{claim.value:.2%}",
        "count": f"{claim.value:,}",
        "epoch": f"epoch ~{claim.value}",
        "ratio": f"{claim.value:.1%}",
        "rounded ratio": f"roughly {claim.value:.0%}",
        "share": "most",
        "drop": f"{claim.value:.2f} pp",
        "seconds": f"{claim.value:,.0f} s",
        "shape": "(in words)",
        "deviation": f"within {claim.value:g} pp",
    }[claim.kind]


def _error_note(accuracy: float, claim: float) -> str:
    if accuracy >= claim:
        return ""
    return f"our error is {(1 - accuracy) / (1 - claim):.1f}× the claimed"


def _accuracy_row(claim, claimed, accuracy, n, comparable, note, seed_values=None):
    verdict = accuracy_verdict(accuracy, n, claim.value, comparable)
    seeds = "–"
    if comparable and seed_values and len(seed_values) > 1:
        verdict, seeds = seed_verdict(seed_values, claim.value)
        note = "; ".join(x for x in (note, "the seeds' interval decides") if x)
    note = "; ".join(x for x in (note, _error_note(accuracy, claim.value)) if x)
    return _row(claim, claimed, f"{accuracy:.2%}", interval_text(accuracy, n), verdict, note, seeds)


def _at_stage(records: list, epochs: int) -> list[float]:
    return [stage.test_accuracy for r in records if (stage := r.stage(epochs)) is not None]


def _val_curve(record) -> list[float]:
    return [h["val_accuracy"] for h in record.history if "val_accuracy" in h]


def _judge(claim: claims.Claim, stored: dict) -> dict:
    """One claim against the stored records: our number, its intervals, the verdict under the stated rule."""
    claimed = _claimed_text(claim)
    cnn, light = stored.get("cnn_3_128"), stored.get("dsc_gap")
    seeds = stored.get("seeds", {})
    if claim.measure == "baseline":
        rec = next((r for r in stored.get("baselines", []) if r.result["model"] == claim.arg), None)
        if rec is None:
            return _row(claim, claimed)
        comparable = rec.config["train_size"] is None and rec.config["test_size"] is None
        scaled = next((r for r in stored.get("baselines_scaled", []) if r.result["model"] == claim.arg), None)
        notes = ["" if comparable else f"fitted on {rec.result['n_train']:,} images"]
        if scaled is not None:
            other = rounded_verdict(scaled.accuracy, scaled.n_test, claim.value, comparable)
            notes.append(
                f"raw pixels, as the paper describes; on pixels scaled to [0, 1] {scaled.accuracy:.2%} ({other})"
            )
        return _row(
            claim,
            claimed,
            f"{rec.accuracy:.2%}",
            interval_text(rec.accuracy, rec.n_test),
            rounded_verdict(rec.accuracy, rec.n_test, claim.value, comparable),
            "; ".join(n for n in notes if n),
        )
    if claim.measure == "table_i":
        return _table_i_row(claim, claimed, stored.get("baselines", []))
    if claim.measure in ("layer", "layer_reduction"):
        from fmnist_lib.models import cost

        standard = cost.conv2d(3, 256, 512)
        ours = {
            "standard conv 3x3x256x512": standard,
            "separable block 3x3x256 + 256x512": cost.separable_block(3, 256, 512),
            "dense head 4,608x128": cost.dense(4608, 128, bias=False),
            "GAP head 512x10": cost.dense(512, 10, bias=False),
        }
        if claim.measure == "layer_reduction":
            reduction = 1 - ours["separable block 3x3x256 + 256x512"] / standard
            verdict = REPRODUCED if round(100 * reduction) == round(100 * claim.value) else NOT_REPRODUCED
            return _row(claim, claimed, f"{reduction:.2%}", "exact", verdict, "rounds to the claimed whole percent")
        count = ours[claim.arg]
        notes = {
            "standard conv 3x3x256x512": "with the 512 biases; the printed formula K·K·Cin·Cout gives "
            f"{cost.conv2d(3, 256, 512, bias=False):,}",
            "dense head 4,608x128": "weights only; with its 128 biases the layer has "
            f"{cost.dense(4608, 128):,}",
            "GAP head 512x10": "weights only; the light model's head has 512x10 + 10 = "
            f"{cost.dense(512, 10):,}",
        }
        return _row(claim, claimed, f"{count:,}", "exact", REPRODUCED if count == claim.value else NOT_REPRODUCED,
                    notes.get(claim.arg, ""))  # fmt: skip
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
            _at_stage(seeds.get("cnn_3_128", []), claim.arg),
        )
    if claim.measure == "params":
        rec = stored.get(claim.arg)
        if rec is None:
            return _row(claim, claimed)
        note = "" if rec.trainable_params == rec.total_params else f"total; only {rec.trainable_params:,} are trainable"
        verdict = REPRODUCED if rec.total_params == claim.value else NOT_REPRODUCED
        return _row(claim, claimed, f"{rec.total_params:,}", "exact", verdict, note)
    if claim.measure == "param_share":
        from fmnist_lib.models import cost

        if cnn is None or not cnn.total_params:
            return _row(claim, claimed)
        share = (cost.conv2d(3, 256, 512) + cost.dense(4608, 128)) / cnn.total_params
        verdict = REPRODUCED if share > claim.value else NOT_REPRODUCED
        return _row(claim, claimed, f"{share:.1%}", "exact", verdict, "conv3 and Dense(128), biases included")
    if claim.measure == "time":
        name, epochs = claim.arg
        rec = stored.get(name)
        if rec is None:
            return _row(claim, claimed)
        stage = rec.stage_or_final(epochs)
        hardware = rec.provenance.get("accelerators") or [rec.provenance["cpu"]]
        steady = compile_split(rec, stage.epochs)
        extra = ""
        if steady is not None:
            extra = (
                f"; epoch 1 includes about {steady['compile_seconds']:.1f} s of compilation: at the steady "
                f"{steady['epoch_seconds']:.2f} s per epoch, {stage.epochs} epochs take "
                f"{steady['steady_seconds']:,.0f} s"
            )
        return _row(
            claim,
            claimed,
            f"{stage.cumulative_train_seconds:,.0f} s",
            "–",
            NOT_COMPARABLE,
            f"{stage.epochs} epochs on {', '.join(hardware)}; the paper's hardware is not named" + extra,
        )
    if claim.measure == "cnn_rises":
        return _rises_row(claim, claimed, seeds.get("cnn_3_128") or ([cnn] if cnn else []))
    if claim.measure == "top_confusion":
        return _confusion_row(claim, claimed, cnn, stored.get("test_labels"))
    if light is None:
        return _row(claim, claimed)
    if claim.measure in ("rapid_rise", "plateau", "stable"):
        return _light_shape_row(claim, claimed, seeds.get("dsc_gap") or [light])
    if claim.measure == "light_final":
        last = light.final
        curve = _val_curve(light)
        tail = f"; mean of its last {LAST_EPOCHS} epochs {np.mean(curve[-LAST_EPOCHS:]):.2%}" if curve else ""
        return _accuracy_row(
            claim,
            claimed,
            last.test_accuracy,
            light.n_test,
            light.on_full_data,
            f"after {last.epochs} epochs" + ("" if light.on_full_data else ", on a subsample") + tail,
            _at_stage(seeds.get("dsc_gap", []), last.epochs),
        )
    if claim.measure == "light_epoch":
        reached = light.first_epoch_reaching(LIGHT_MODEL_THRESHOLD)
        comparable = light.on_full_data and "val_accuracy" in light.history[0]
        close = reached is not None and abs(reached - claim.value) <= EPOCH_TOLERANCE
        verdict = NOT_COMPARABLE if not comparable else (REPRODUCED if close else NOT_REPRODUCED)
        best = max(_val_curve(light), default=None)
        return _row(
            claim,
            claimed,
            "never" if reached is None else f"epoch {reached}",
            "–",
            verdict,
            f"within {light.history[-1]['epoch']} epochs" + ("" if best is None else f"; its best epoch {best:.2%}"),
        )
    if cnn is None:
        return _row(claim, claimed)
    if claim.measure == "gap_shrinks":
        return _gap_row(claim, claimed, cnn, light)
    if claim.measure == "cheaper_epoch":
        return _cheaper_row(claim, claimed, cnn, light)
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
        inside = abs(drop - claim.value) <= half
        verdict = (REPRODUCED if inside else NOT_REPRODUCED) if comparable else NOT_COMPARABLE
        seed_text, note = "–", ""
        paired = _paired_drops(seeds, a.epochs, b.epochs)
        if comparable and len(paired) > 1:
            from fmnist_lib.audit.stats import mean_interval

            m = mean_interval(paired)
            verdict = REPRODUCED if m["low"] <= claim.value <= m["high"] else NOT_REPRODUCED
            seed_text = f"[{m['low']:.2f}, {m['high']:.2f}] pp over {len(paired)} seeds"
            note = (
                f"the seeds' interval decides: per seed {', '.join(f'{d:.2f}' for d in paired)} pp, mean "
                f"{m['mean']:.2f} pp; the claim lies inside only because the seeds spread so widely"
                if verdict == REPRODUCED
                else f"the seeds' interval decides: per seed {', '.join(f'{d:.2f}' for d in paired)} pp"
            )
        return _row(claim, claimed, f"{drop:.2f} pp", f"[{drop - half:.2f}, {drop + half:.2f}] pp", verdict, note,
                    seed_text)  # fmt: skip
    raise ValueError(f"no measurement for claim {claim.name!r} ({claim.measure})")


def compile_split(record, epochs: int) -> dict | None:
    """Epoch 1's extra time over a steady epoch (compilation, mostly) and the steady-state time of ``epochs``.

    Estimated from the stored per-epoch times: a steady epoch is the median of
    epochs 2 to ``epochs``; what epoch 1 takes beyond it is counted as compile time.
    """
    times = [h["seconds"] for h in record.history[:epochs] if "seconds" in h]
    if len(times) < 3:
        return None
    epoch = float(np.median(times[1:]))
    return {"epoch_seconds": epoch, "compile_seconds": max(times[0] - epoch, 0.0), "steady_seconds": epoch * epochs}


def _table_i_row(claim, claimed, records: list) -> dict:
    """'Deviations within one point' of [1]: our largest distance from the seed's 'Original' column."""
    rows = [(r.result["model"], r.accuracy) for r in records if r.result["model"] in claims.TABLE_I_ACCURACY]
    if not rows:
        return _row(claim, claimed)
    model, accuracy = max(rows, key=lambda mr: abs(mr[1] - claims.TABLE_I_ACCURACY[mr[0]]))
    worst = 100 * abs(accuracy - claims.TABLE_I_ACCURACY[model])
    comparable = all(r.config["train_size"] is None and r.config["test_size"] is None for r in records)
    verdict = (REPRODUCED if worst <= claim.value + ROUNDING_PP else NOT_REPRODUCED) if comparable else NOT_COMPARABLE
    return _row(
        claim,
        claimed,
        f"largest: {model}, {worst:.1f} pp",
        "–",
        verdict,
        "rule: within the claimed point plus 0.5 pp of rounding, every model; the seed's 'Original' and 'Ours' "
        "columns are the same whole percent in all nine rows, and [1]'s own table is not available offline "
        "to check the 'Original' column against",
    )


def _paired_drops(seeds: dict, cnn_epochs: int, light_epochs: int) -> list[float]:
    """CNN-3-128 minus light model, in pp, for every seed that has both."""
    light_by_seed = {r.config["seed"]: r for r in seeds.get("dsc_gap", [])}
    drops = []
    for r in seeds.get("cnn_3_128", []):
        other = light_by_seed.get(r.config["seed"])
        a, b = r.stage(cnn_epochs), other.stage(light_epochs) if other else None
        if a is not None and b is not None:
            drops.append(100 * (a.test_accuracy - b.test_accuracy))
    return drops


def _rises_row(claim, claimed, records: list) -> dict:
    """'Continues to increase': every stage above the one before, in every seed."""
    if not records:
        return _row(claim, claimed)
    rising = [all(b.test_accuracy > a.test_accuracy for a, b in zip(r.stages, r.stages[1:])) for r in records]
    falls = [
        f"seed {r.config.get('seed', '?')}: {a.test_accuracy:.2%} → {b.test_accuracy:.2%} from {a.epochs} to {b.epochs}"
        for r in records
        for a, b in zip(r.stages, r.stages[1:])
        if b.test_accuracy <= a.test_accuracy
    ]
    comparable = all(r.on_full_data for r in records) and records[0].final.epochs == claims.PAPER_EPOCHS
    verdict = (REPRODUCED if all(rising) else NOT_REPRODUCED) if comparable else NOT_COMPARABLE
    return _row(claim, claimed, f"rises at every stage in {sum(rising)} of {len(records)} seeds", "–", verdict,
                "; ".join(falls) or "rule: every stage above the previous one, in every seed")  # fmt: skip


def _confusion_row(claim, claimed, cnn, labels) -> dict:
    """'Most errors are coat vs pullover': the most frequent confused pair (both directions) of the final model."""
    from fmnist_lib.data.fashion import CLASS_NAMES

    if cnn is None or labels is None:
        return _row(claim, claimed)
    y_true, y_pred = np.asarray(labels), np.asarray(cnn.test_predictions)
    wrong = y_true != y_pred
    pairs: dict[tuple, int] = {}
    for t, p in zip(y_true[wrong], y_pred[wrong]):
        key = tuple(sorted((int(t), int(p))))
        pairs[key] = pairs.get(key, 0) + 1
    if not pairs:
        return _row(claim, claimed, "no errors", "–", NOT_REPRODUCED)
    top = max(pairs, key=pairs.get)
    coat_pullover = tuple(sorted((CLASS_NAMES.index("Coat"), CLASS_NAMES.index("Pullover"))))
    names = " vs ".join(CLASS_NAMES[c] for c in top)
    return _row(
        claim,
        claimed,
        f"{names}: {pairs[top]} of {int(wrong.sum())} errors",
        "–",
        (REPRODUCED if top == coat_pullover else NOT_REPRODUCED) if cnn.on_full_data else NOT_COMPARABLE,
        f"coat vs pullover: {pairs.get(coat_pullover, 0)}; rule: the most frequent confused pair, both directions",
    )


def _gap_row(claim, claimed, cnn, light) -> dict:
    """'The gap shrinks quickly': the gap at the light model's end is under half the gap at epoch 3."""
    a, b = _val_curve(cnn), _val_curve(light)
    n = min(len(a), len(b))
    if n < 4:
        return _row(claim, claimed, note="needs both networks scored after every epoch")
    gaps = [100 * (x - y) for x, y in zip(a[:n], b[:n])]
    later = gaps[2:]
    verdict = REPRODUCED if gaps[-1] < 0.5 * gaps[2] else NOT_REPRODUCED
    return _row(
        claim,
        claimed,
        f"{gaps[2]:.1f} pp at epoch 3, {gaps[-1]:.1f} pp at epoch {n}",
        "–",
        verdict if cnn.on_full_data and light.on_full_data else NOT_COMPARABLE,
        f"between {min(later):.1f} and {max(later):.1f} pp from epoch 3 to {n}; rule: the last gap under half the "
        "gap at epoch 3",
    )


def _cheaper_row(claim, claimed, cnn, light) -> dict:
    """'Smaller is cheaper': the light model's median epoch (after the first, which compiles) is the shorter."""
    times = [
        float(np.median([h["seconds"] for h in r.history[1:] if "seconds" in h] or [np.nan])) for r in (cnn, light)
    ]
    if any(np.isnan(t) for t in times):
        return _row(claim, claimed, note="needs two or more epochs of each network")
    hardware = ", ".join(light.provenance.get("accelerators") or [light.provenance.get("cpu", "?")])
    verdict = REPRODUCED if times[1] < times[0] else NOT_REPRODUCED
    return _row(
        claim,
        claimed,
        f"{times[1]:.2f} s vs {times[0]:.2f} s per epoch",
        "–",
        verdict,
        f"light vs CNN-3-128, median epoch after the first, on {hardware}; the paper's times imply "
        f"{claims.LIGHT_TRAIN_SECONDS_16_EPOCHS / claims.LIGHT_EPOCHS_FOR_TIME:.1f} s vs "
        f"{claims.CNN_TRAIN_SECONDS_62_EPOCHS / claims.PAPER_EPOCHS:.1f} s",
    )


def _light_shape_row(claim, claimed, records: list) -> dict:
    """Fig. 5's words about the light model's curve, checked on every seed's per-epoch test accuracy."""
    curves = [(r.config.get("seed", "?"), _val_curve(r)) for r in records if _val_curve(r)]
    if not curves:
        return _row(claim, claimed, note="needs the light model scored after every epoch")
    comparable = all(r.on_full_data for r in records)
    if claim.measure == "plateau":
        tails = [float(np.mean(c[-LAST_EPOCHS:])) for _, c in curves]
        close = all(abs(t - claim.value) * 100 <= 1.0 for t in tails)
        ours = ", ".join(f"{t:.2%}" for t in tails)
        note = f"mean of the last {LAST_EPOCHS} epochs per seed; rule: within 1 pp of 99 % in every seed"
    elif claim.measure == "rapid_rise":
        rises = [(c[9] - c[4], c[4] - c[0]) for _, c in curves if len(c) >= 10]
        close = bool(rises) and all(after > before for after, before in rises)
        ours = "; ".join(f"{100 * a:+.1f} pp (epochs 5-10) vs {100 * b:+.1f} pp (1-5)" for a, b in rises) or "–"
        note = "rule: the gain over epochs 5-10 exceeds the gain over epochs 1-5, in every seed"
    else:
        drops = [(s, max((100 * (x - y) for x, y in zip(c[4:], c[5:])), default=0.0)) for s, c in curves]
        close = all(d < STABLE_DROP_PP for _, d in drops)
        ours = "; ".join(f"seed {s}: largest drop {d:.1f} pp" for s, d in drops)
        note = f"rule: after epoch 5 no epoch loses {STABLE_DROP_PP:g} pp or more, in every seed"
    verdict = (REPRODUCED if close else NOT_REPRODUCED) if comparable else NOT_COMPARABLE
    return _row(claim, claimed, ours, "–", verdict, note)


def claims_table(stored: dict) -> pd.DataFrame:
    """One row per numeric claim of ``claims.CLAIMS``. ``stored`` is ``registry.replication_records(config)``."""
    return pd.DataFrame([_judge(claim, stored) for claim in claims.CLAIMS])


def verdict_counts(table: pd.DataFrame, group: str | None = None) -> dict:
    """How many claims (of one group, or all) each verdict has."""
    rows = table if group is None else table[table["group"] == group]
    counts = rows["verdict"].value_counts()
    return {key.replace(" ", "_"): int(counts.get(key, 0)) for key in (REPRODUCED, NOT_REPRODUCED, NOT_COMPARABLE)}


GROUP_NAMES = {
    claims.HEADLINE: "headline",
    claims.SHAPE: "shape",
    claims.BASELINE: "table-i",
    claims.ARITHMETIC: "arithmetic",
    claims.TIME: "time",
}


def claims_by_group(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The claims table split by group, each part without the group column or columns it leaves empty.

    One table of 33 rows and nine columns is too wide to read; a group's claims
    share their kind of evidence, so each part keeps only the columns it uses.
    """
    parts = {}
    for group in claims.GROUPS:
        part = table[table["group"] == group].drop(columns=["group"])
        empty = [c for c in part.columns if part[c].isin(["–", "", "exact"]).all() and c != "claim"]
        part = part.drop(columns=empty).reset_index(drop=True)
        first = [c for c in ("claim", "where in the paper", "claimed", "ours", "verdict") if c in part.columns]
        parts[group] = part[first + [c for c in part.columns if c not in first]]  # the verdict before the detail
    return parts


def group_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Verdicts per group of claims, so copied baselines and arithmetic cannot hide the headline accuracies."""
    rows = []
    for group in claims.GROUPS:
        c = verdict_counts(table, group)
        rows.append({"claims": group, "count": sum(c.values()), **{k.replace("_", " "): v for k, v in c.items()}})
    return pd.DataFrame(rows)


def seed_table(study: dict) -> pd.DataFrame:
    """Mean, sd and t-interval of each headline number over the seeds."""
    from fmnist_lib.audit.stats import mean_interval

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
        if len(values) > 1 and len(set(values)) == 1:  # e.g. LightGBM's defaults ignore the seed
            rows.append(
                {
                    "model": label,
                    "seeds": ", ".join(str(r.config["seed"]) for r in records),
                    "accuracies": ", ".join(f"{v:.2%}" for v in values),
                    "mean": f"{s['mean']:.2%}",
                    "sd (pp)": "0",
                    "95 % interval of the mean": "none: deterministic, the seed does not change it",
                }
            )
            continue
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
    from fmnist_lib.data.duplicates import accuracy_without

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
    from fmnist_lib.data.duplicates import accuracy_without

    twins = np.asarray(record.result["rms_distance"])[test_idx] <= threshold
    without, _ = accuracy_without(y_true, y_pred, twins)
    return 100 * (without - float(np.mean(np.asarray(y_true) == np.asarray(y_pred))))
