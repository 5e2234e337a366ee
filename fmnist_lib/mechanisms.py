"""Every inflation mechanism as an accuracy curve, judged against the paper's four headline claims.

The audit's question is where 99.06 % (2 epochs), 99.67 % (62 epochs), the light
model's 98.98 % and its "98.5 % by epoch 7" come from. Each mechanism the run
store holds a record of becomes a ``Curve``: its accuracy at every epoch (or
stage) it measured, with the number of images behind each value. One rule
(``RULE_TEXT``) then says, for each mechanism and claim, whether it explains
the claim, falls short of it or overshoots it. Near 100 % the rule compares
error rates: 99.31 % is an error 2.1 times the claimed 0.33 %, which "within a
point" would hide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import claims, selection
from .digits import MNIST_5K_IMAGES, PAPER_STEPS_PER_EPOCH
from .records import LIGHT_MODEL_THRESHOLD, Record
from .stats import wilson_interval

TRAIN_IMAGES = 60_000
EPOCH_TOLERANCE = 2  # "by about the seventh epoch": up to two epochs later
RULE_TEXT = (
    "A mechanism **explains** an accuracy claim when the claimed value lies inside the 95 % "
    "Wilson interval of the mechanism's accuracy at the claimed epoch, i.e. when the claimed "
    "error rate lies inside the interval of our error rate; it **falls short** when the whole "
    "interval lies below the claim (the table gives our error as a multiple of the claimed "
    "error) and **overshoots** when it lies above; a run on less data than the paper's that falls "
    "short is only a **lower bound**. The epoch claim is explained when the curve "
    f"first reaches 98.5 % by epoch {claims.LIGHT_EPOCH_ABOVE_985 + EPOCH_TOLERANCE}. A run that "
    "stops before the claimed epoch, or does not measure that quantity, is **not measured**; "
    "one trained on a subsample (the quick profile) is shown but **not comparable**."
)
STRENGTH_TEXT = (
    "How strong is this? A mechanism that explains a claim shows how such a number *can* arise "
    "with this model and protocol; it is evidence, not proof of how the seed paper obtained its "
    "own, which publishes no code. A claim that no mechanism explains stays unexplained by "
    "anything we tried: the paper's numbers are then neither reproduced nor accounted for."
)
EXPLAINS, SHORT, OVER, UNMEASURED = "explains", "falls short", "overshoots", "not measured"
SHORT_LOWER_BOUND = "falls short, but a lower bound"
NOT_COMPARABLE = "not comparable (subsample)"


def _audit_claim(measure: str, arg=None) -> str:
    """The name of the audit's claim (``claims.CLAIMS``) that a headline number restates."""
    return next(c.name for c in claims.CLAIMS if c.measure == measure and c.arg == arg)


@dataclass(frozen=True)
class HeadlineClaim:
    """One of the four numbers the audit tries to explain, and the audit's claim it restates."""

    label: str
    network: str
    epochs: int
    value: float
    audit_claim: str
    reach: bool = False  # "reaches value by about ``epochs``" rather than "value at ``epochs``"


HEADLINE = (
    HeadlineClaim("CNN-3-128: 99.06 % at 2 epochs", "cnn_3_128", 2, claims.CNN_ACCURACY_BY_EPOCH[2],
                  _audit_claim("cnn_stage", 2)),
    HeadlineClaim("CNN-3-128: 99.67 % at 62 epochs", "cnn_3_128", 62, claims.CNN_ACCURACY_BY_EPOCH[62],
                  _audit_claim("cnn_stage", 62)),
    HeadlineClaim("light model: 98.98 % at 32 epochs", "dsc_gap", 32, claims.LIGHT_ACCURACY,
                  _audit_claim("light_final")),
    HeadlineClaim("light model: 98.5 % by epoch ~7", "dsc_gap", claims.LIGHT_EPOCH_ABOVE_985, LIGHT_MODEL_THRESHOLD,
                  _audit_claim("light_epoch"), reach=True),
)  # fmt: skip


@dataclass(frozen=True)
class Curve:
    """A mechanism's accuracy over training: (epochs, accuracy, images scored) points.

    ``epochs`` counts passes over the run's own training data, except for the
    digits runs, where it counts the paper's 60,000-image epochs that the same
    number of optimizer steps makes (``matched_steps``).
    """

    mechanism: str
    network: str
    points: tuple[tuple[float, float, int], ...]
    source: str
    note: str = ""
    per_epoch: bool = False
    matched_steps: bool = False
    reference: bool = False  # the honest measurement the others are set against
    control: bool = False  # not a mechanism: the Fashion control of (e)
    lower_bound: bool = False  # trained on less data than the paper: the full-data value would be higher
    comparable: bool = True  # run on the paper's data (or, for (e), all the digits): a verdict applies

    def at(self, epochs: float) -> tuple[float, int] | None:
        """(accuracy, images) at ``epochs``; matched-step curves take the nearest point within half an epoch."""
        tolerance = 0.5 * self._spacing() if self.matched_steps else 1e-9
        near = [(abs(x - epochs), a, n) for x, a, n in self.points if abs(x - epochs) <= tolerance]
        return None if not near else min(near)[1:]

    def first_reaching(self, threshold: float) -> float | None:
        return next((x for x, a, _ in self.points if a >= threshold), None)

    @property
    def last_epochs(self) -> float:
        return self.points[-1][0]

    def _spacing(self) -> float:
        xs = [x for x, _, _ in self.points]
        return min(np.diff(xs), default=xs[0]) if len(xs) > 1 else xs[0]


def _paper_data(config: dict) -> bool:
    """Whether a run used all the data its protocol names (a quick or smoke profile subsamples)."""
    if "data" in config:
        return config["data"] == {"train_size": None, "test_size": None}
    if "pool_train_size" in config:
        return config["pool_train_size"] is None and config["pool_test_size"] is None
    if "size" in config:
        return config["size"] == MNIST_5K_IMAGES
    return config.get("train_size") is None and config.get("test_size") is None


def _network_of(record: Record) -> str:
    return record.config.get("model", record.name)


def _n_train(record: Record) -> int:
    data = record.config.get("data") or {}
    return data.get("train_size") or TRAIN_IMAGES


def _stage_curve(mechanism, record, field, n, note="", **kw) -> Curve | None:
    points = tuple((s.epochs, v, n) for s in record.stages if (v := s.value(field)) is not None)
    if not points:
        return None
    kw.setdefault("comparable", _paper_data(record.config))
    return Curve(mechanism, _network_of(record), points, record.file_stem, note, **kw)


def _test_curve(mechanism, record, note="", **kw) -> Curve:
    """Test accuracy after every epoch where the run measured it, else after every stage."""
    per_epoch = [(h["epoch"], h["val_accuracy"], record.n_test) for h in record.history if "val_accuracy" in h]
    if per_epoch:
        kw.setdefault("comparable", _paper_data(record.config))
        return Curve(mechanism, _network_of(record), tuple(per_epoch), record.file_stem, note, per_epoch=True, **kw)
    return _stage_curve(mechanism, record, "test_accuracy", record.n_test, note, **kw)


def _fit_log_curve(record: Record) -> Curve | None:
    points = tuple((h["epoch"], h["accuracy"], _n_train(record)) for h in record.history if "accuracy" in h)
    if not points:
        return None
    return Curve(
        "(a′) the training accuracy Keras prints during fit",
        _network_of(record),
        points,
        record.file_stem,
        "running mean over the epoch's batches, dropout on; its interval treats it as a plain proportion",
        per_epoch=True,
        comparable=_paper_data(record.config),
    )


def network_curves(record: Record, chosen: dict | None, seeds: list[Record]) -> list[Curve]:
    """The replication run's own mechanisms: honest, (a), (a′), (c), (f) best epoch, (f) best seed."""
    n_test = record.n_test
    found = [
        _test_curve("honest test accuracy (reference)", record, reference=True),
        _stage_curve(
            "(a) scored on the training images",
            record,
            "train_set_accuracy",
            _n_train(record),
            "the trained model in inference mode on what it trained on",
        ),
        _fit_log_curve(record),
        _stage_curve(
            "(c) Keras-2 binary accuracy on one-hot labels",
            record,
            "test_binary_accuracy",
            n_test,
            "the same predictions, ten yes/no answers per image; interval over images",
        ),
    ]
    if chosen is not None:
        points = tuple((row["epoch"], row["best_accuracy"], n_test) for row in chosen["curve"])
        found.append(
            Curve(
                "(f) best epoch chosen on the test set",
                _network_of(record),
                points,
                chosen["source"],
                f"test set scored {chosen['scored']}; no training",
                per_epoch=chosen["scored"] == "each epoch",
                comparable=_paper_data(record.config),
            )
        )
    if len(seeds) > 1:
        points = tuple(
            (s.epochs, best, n_test) for s in record.stages if (best := selection.best_of_seeds(seeds, s.epochs))
        )
        found.append(
            Curve(
                f"(f) best of {len(seeds)} seeds",
                _network_of(record),
                points,
                ", ".join(r.file_stem for r in seeds),
                "the highest of the seed study's runs at each stage",
                comparable=_paper_data(record.config),
            )
        )
    return [c for c in found if c is not None]


def leak_curves(leaks: list[Record], copies_leaks: list[Record]) -> list[Curve]:
    """(b): the 14-epoch pooled runs by stage, and the long copies runs after every epoch."""
    found = []
    for rec in leaks:
        share = rec.result["leak"]["eval_share_with_twin_in_train"]
        found.append(
            _stage_curve(
                f"(b) pooled augmentation, split afterwards (rotation {rec.config['rotation_degrees']:g}°)",
                rec,
                "test_accuracy",
                rec.n_test,
                f"{share:.0%} of the evaluation images have a twin in training",
            )
        )
    for rec in copies_leaks:
        copies = rec.config["copies"]
        share = rec.result["leak"]["eval_share_with_twin_in_train"]
        points = tuple(
            (e["epoch"], e["groups"]["all"]["accuracy"], e["groups"]["all"]["n"]) for e in rec.result["group_scores"]
        )
        found.append(
            Curve(
                f"(b) pooled augmentation, {copies} cop{'y' if copies == 1 else 'ies'}, split afterwards",
                "cnn_3_128",
                points,
                rec.file_stem,
                f"{share:.0%} of the evaluation images have a twin in training; "
                f"an epoch is {rec.result['steps_per_epoch'] / PAPER_STEPS_PER_EPOCH:.1f} of the paper's in steps",
                per_epoch=True,
                comparable=_paper_data(rec.config),
            )
        )
    return [c for c in found if c is not None]


def augmentation_curves(honest: Record | None, copies_honest: list[Record]) -> list[Curve]:
    """(d): the augmenter on the training batches (images replaced), and as copies added to the training set."""
    found = []
    if honest is not None:
        found.append(
            _stage_curve(
                "(d) honest augmentation, images replaced", honest, "test_accuracy", honest.n_test, "official test set"
            )
        )
    for rec in copies_honest:
        copies = rec.config["copies"]
        found.append(
            _stage_curve(
                f"(d) honest augmentation, {copies} cop{'y' if copies == 1 else 'ies'} added",
                rec,
                "test_accuracy",
                rec.n_test,
                f"an epoch is {rec.result['steps_per_epoch'] / PAPER_STEPS_PER_EPOCH:.1f} of the paper's in steps",
            )
        )
    return [c for c in found if c is not None]


def digits_curves(records: list[Record]) -> list[Curve]:
    """(e): each network on the 5k digits and on the Fashion control, in the paper's epochs by optimizer steps.

    Where a short and a long run of one network exist, the longer one is used.
    """
    longest: dict[tuple[str, str], Record] = {}
    for rec in records:
        key = (rec.config["dataset"], rec.config["model"])
        if key not in longest or rec.config["paper_epochs"][-1] > longest[key].config["paper_epochs"][-1]:
            longest[key] = rec
    found = []
    for (dataset, network), rec in sorted(longest.items()):
        per_paper_epoch = rec.result["steps_per_epoch"] / PAPER_STEPS_PER_EPOCH
        points = tuple((h["epoch"] * per_paper_epoch, h["val_accuracy"], rec.n_test) for h in rec.history)
        train = rec.config["train_images"]
        if dataset == "mnist":
            label, note = (
                "(e) MNIST digits instead of Fashion-MNIST",
                f"{train:,} training digits: a lower bound for full MNIST",
            )
        else:
            label, note = "(e) control: Fashion-MNIST sample of the same size", f"{train:,} training images"
        found.append(
            Curve(
                label,
                network,
                points,
                rec.file_stem,
                note,
                per_epoch=True,
                matched_steps=True,
                control=dataset != "mnist",
                lower_bound=dataset == "mnist",
                comparable=_paper_data(rec.config),
            )
        )
    return found


def judge(curve: Curve, claim: HeadlineClaim) -> dict:
    """One mechanism against one claim under ``RULE_TEXT``; a run on a subsample is shown but not judged."""
    cell = _judge(curve, claim)
    if not curve.comparable and cell["verdict"] != UNMEASURED:
        cell = {**cell, "verdict": NOT_COMPARABLE}
    return cell


def _judge(curve: Curve, claim: HeadlineClaim) -> dict:
    """One mechanism against one claim under ``RULE_TEXT``: the measured value, its interval and the verdict."""
    if claim.reach:
        if not curve.per_epoch:
            return {"verdict": UNMEASURED, "text": "not measured each epoch"}
        reached = curve.first_reaching(claim.value)
        unit = "paper epoch" if curve.matched_steps else "epoch"
        if reached is None:
            verdict = SHORT_LOWER_BOUND if curve.lower_bound else SHORT
            return {"verdict": verdict, "text": f"never, within {curve.last_epochs:.3g} {unit}s"}
        if reached <= claim.epochs + EPOCH_TOLERANCE:
            return {"verdict": EXPLAINS, "text": f"{unit} {reached:.3g}"}
        return {"verdict": SHORT_LOWER_BOUND if curve.lower_bound else SHORT, "text": f"{unit} {reached:.3g}"}
    found = curve.at(claim.epochs)
    if found is None:
        return {"verdict": UNMEASURED, "text": f"run ends at {curve.last_epochs:.3g}"}
    accuracy, n = found
    low, high = wilson_interval(round(accuracy * n), n)
    text = f"{accuracy:.2%} [{low:.2%}, {high:.2%}]"
    if high < claim.value:
        ratio = (1 - accuracy) / (1 - claim.value)
        verdict = SHORT_LOWER_BOUND if curve.lower_bound else SHORT
        return {"verdict": verdict, "text": f"{text}, error {ratio:.1f}× the claimed", "accuracy": accuracy}
    if low > claim.value:
        return {"verdict": OVER, "text": text, "accuracy": accuracy}
    return {"verdict": EXPLAINS, "text": text, "accuracy": accuracy}


def claim_matrix(curves: list[Curve], network: str) -> pd.DataFrame:
    """Mechanism x claim for one network: per claim, the verdict and the measured value with its interval."""
    rows = []
    for curve in curves:
        if curve.network != network:
            continue
        row = {"mechanism": curve.mechanism}
        for claim in HEADLINE:
            if claim.network == network:
                cell = judge(curve, claim)
                short_label = claim.label.split(": ", 1)[1]
                row[f"{short_label}: verdict"] = cell["verdict"]
                row[f"{short_label}: ours"] = cell["text"].replace("the claimed", "claimed")
        rows.append(row)
    return pd.DataFrame(rows)


def judged(curves: list[Curve], claim: HeadlineClaim) -> list[tuple[Curve, dict]]:
    """The mechanisms set against ``claim`` (its network; not the reference, not a control), each judged once."""
    return [(c, judge(c, claim)) for c in curves if c.network == claim.network and not (c.reference or c.control)]


def judged_here(curves: list[Curve], claim: HeadlineClaim) -> list[tuple[Curve, dict]]:
    """The mechanisms that get a verdict on ``claim``: measured at its length, on the paper's data."""
    return [(c, cell) for c, cell in judged(curves, claim) if cell["verdict"] not in (UNMEASURED, NOT_COMPARABLE)]


def explaining(curves: list[Curve]) -> dict[str, list[str]]:
    """For each claim, the mechanisms (not the reference, not a control) that explain it."""
    return {
        claim.label: [c.mechanism for c, cell in judged(curves, claim) if cell["verdict"] in (EXPLAINS, OVER)]
        for claim in HEADLINE
    }


def _network_label(network: str) -> str:
    return {"cnn_3_128": "CNN-3-128", "dsc_gap": "light model"}.get(network, network)


def fingerprint_table(curves: list[Curve]) -> pd.DataFrame:
    """The claims' shape and each CNN-3-128 mechanism's: accuracy at 2 and 62 epochs and the rise between."""
    claimed = claims.CNN_ACCURACY_BY_EPOCH
    rows = [
        {
            "curve": "the seed paper's claims",
            "at 2 epochs": f"{claimed[2]:.2%}",
            "at 62 epochs (or its last)": f"{claimed[62]:.2%}",
            "rise (pp)": f"{100 * (claimed[62] - claimed[2]):+.2f}",
        }
    ]
    for c in curves:
        if c.network != "cnn_3_128":
            continue
        start = c.at(2)
        end = c.at(62)
        last_x, last_a, _ = c.points[-1]
        end_value, end_label = (end[0], "") if end else (last_a, f" ({last_x:.3g} epochs)")
        rows.append(
            {
                "curve": c.mechanism,
                "at 2 epochs": "–" if start is None else f"{start[0]:.2%}",
                "at 62 epochs (or its last)": f"{end_value:.2%}{end_label}",
                "rise (pp)": "–" if start is None or last_x <= 2 else f"{100 * (end_value - start[0]):+.2f}",
            }
        )
    return pd.DataFrame(rows)


def binary_arithmetic(record: Record) -> pd.DataFrame:
    """(c)'s arithmetic: binary accuracy on one-hot labels is about 1 - (1 - A)/5 for class accuracy A."""
    rows = []
    for epochs, claimed in claims.CNN_ACCURACY_BY_EPOCH.items():
        stage = record.stage(epochs)
        rows.append(
            {
                "claim": f"{claimed:.2%} at {epochs} epochs",
                "class accuracy it needs, if it is (c)": f"{1 - 5 * (1 - claimed):.2%}",
                "our class accuracy": "–" if stage is None else f"{stage.test_accuracy:.2%}",
                "1 - (1 - ours)/5": "–" if stage is None else f"{1 - (1 - stage.test_accuracy) / 5:.2%}",
                "our binary accuracy, measured": "–" if stage is None else f"{stage.test_binary_accuracy:.2%}",
            }
        )
    return pd.DataFrame(rows)


def closest(measured: list[Curve], claim: HeadlineClaim) -> Curve | None:
    """The measured mechanism nearest the claim: the highest accuracy, or the earliest to reach the level."""
    if claim.reach:
        reaching = [c for c in measured if c.first_reaching(claim.value) is not None]
        return min(reaching, key=lambda c: c.first_reaching(claim.value), default=None)
    return max(measured, key=lambda c: c.at(claim.epochs)[0], default=None)


def summary_sentences(curves: list[Curve]) -> str:
    """Plain words for the chapter's conclusion and the front page: which claim each mechanism explains, which none."""
    lines = []
    for claim in HEADLINE:
        verdicts = judged_here(curves, claim)
        names = [c.mechanism for c, cell in verdicts if cell["verdict"] in (EXPLAINS, OVER)]
        if names:
            lines.append(f"- **{claim.label}**: explained by {'; '.join(names)}.")
            continue
        if not verdicts:
            lines.append(f"- **{claim.label}**: no mechanism was measured on the paper's data at that length.")
            continue
        line = f"- **{claim.label}**: none of the {len(verdicts)} mechanisms measured at that length explains it"
        nearest = closest([c for c, _ in verdicts], claim)
        cells = {id(c): cell for c, cell in verdicts}
        if nearest is not None:
            line += f"; the closest is {nearest.mechanism} ({cells[id(nearest)]['text']})"
        for c, cell in verdicts:
            if cell["verdict"] == SHORT_LOWER_BOUND:
                what = "this" if c is nearest else f"{c.mechanism} ({cell['text']})"
                line += (
                    f". {what[0].upper() + what[1:]} used {c.note.split(':')[0]}, a lower bound: all of MNIST "
                    "could come closer, which we could not test offline"
                )
        lines.append(line + ".")
    return "\n".join(lines)


def _group_cells(groups: dict) -> dict:
    from .leak_groups import GROUPS

    return {
        name: "–" if groups[name]["accuracy"] is None else f"{groups[name]['accuracy']:.2%} ({groups[name]['n']:,})"
        for name in GROUPS
    }


def subgroup_table(group_records: list[Record], copies_leaks: list[Record]) -> pd.DataFrame:
    """(b)'s evaluation split by subgroup: accuracy (images) of each group, per run and length.

    The 14-epoch runs are scored from their final predictions; the long runs
    after the epoch that matches 2 of the paper's epochs in optimizer steps,
    after 2 epochs of their own data and at their end.
    """
    rows = []
    for rec in group_records:
        leak = rec.config["leak"]
        rows.append(
            {
                "run": f"1 copy, rotation {leak['rotation_degrees']:g}°",
                "after": f"{rec.result['epochs']} epochs",
                **_group_cells(rec.result["groups"]),
            }
        )
    for rec in copies_leaks:
        scores = rec.result["group_scores"]
        copies = rec.config["copies"]
        label = f"{copies} cop{'y' if copies == 1 else 'ies'}, rotation {rec.config['rotation_degrees']:g}°"
        matched = min(scores, key=lambda e: abs(e["paper_epochs"] - 2))
        picks = {
            f"{matched['epoch']} epoch(s) = {matched['paper_epochs']:.2g} paper epochs in steps": matched,
            "2 epochs": next((e for e in scores if e["epoch"] == 2), None),
            f"{scores[-1]['epoch']} epochs (its end)": scores[-1],
        }
        seen = set()
        for after, entry in picks.items():
            if entry is None or entry["epoch"] in seen:
                continue
            seen.add(entry["epoch"])
            rows.append({"run": label, "after": after, **_group_cells(entry["groups"])})
    return pd.DataFrame(rows)


def digits_table(curves: list[Curve]) -> pd.DataFrame:
    """(e) at matched steps: the digits against the Fashion control, per network, at the claims' epochs and the end."""
    rows = []
    for network in ("cnn_3_128", "dsc_gap"):
        pair = {c.control: c for c in curves if c.matched_steps and c.network == network}
        if not pair:
            continue
        ends = [c.last_epochs for c in pair.values()]
        wanted = sorted({e for claim in HEADLINE if claim.network == network for e in [claim.epochs]} | {min(ends)})
        for epochs in wanted:
            cells = {control: c.at(epochs) for control, c in pair.items()}
            if not any(cells.values()) or (rows and rows[-1]["cells"] == cells):
                continue
            rows.append(
                {
                    "network": _network_label(network),
                    "paper epochs (by steps)": f"{epochs:.3g}",
                    "MNIST digits": "–" if not cells.get(False) else _with_interval(*cells[False]),
                    "Fashion-MNIST control": "–" if not cells.get(True) else _with_interval(*cells[True]),
                    "cells": cells,
                }
            )
    return pd.DataFrame(rows).drop(columns="cells", errors="ignore")


def _with_interval(accuracy: float, n: int) -> str:
    low, high = wilson_interval(round(accuracy * n), n)
    return f"{accuracy:.2%} [{low:.2%}, {high:.2%}] (n={n:,})"
