"""The light model's budget study judged: each variant's seeds against CNN-3-128, by the audit's one rule.

The question is the seed's own: within the light model's parameters, how close to
CNN-3-128 can a separable design with a GAP head get? Each variant's final test
accuracies, one per seed, go through ``verdicts.decide`` with CNN-3-128's
seeds' mean as the value to reach: *below* means the variant's interval lies
under it, *consistent* that it holds it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from fmnist_lib.audit.verdicts import Estimate, Outcome, Verdict, decide
from fmnist_lib.store.records import Record

CHANCE = 0.2  # ten classes: a run at or under this has not learnt (BatchNorm's statistics unsettled, too few steps)


@dataclass(frozen=True)
class VariantResult:
    """One variant over its seeds: what it changes, its size, and its verdict against CNN-3-128."""

    variant: str
    changed: dict[str, Any]  # the factors that differ from the literal light model
    parameters: int
    epochs: int
    verdict: Verdict
    train_seconds: float  # the seeds' mean, on the hardware their provenance names

    @property
    def at_chance(self) -> bool:
        return self.verdict.value is not None and self.verdict.value <= CHANCE


def reference_accuracy(cnn_records: list[Record]) -> float | None:
    """CNN-3-128's seeds' mean final test accuracy (None when none is stored)."""
    return float(np.mean([r.final.test_accuracy for r in cnn_records])) if cnn_records else None


def reference_point(cnn_records: list[Record], macs: int) -> dict[str, float] | None:
    """CNN-3-128 where the budget figure puts it: its seeds' mean accuracy, parameters, MACs, seconds per epoch."""
    if not cnn_records:
        return None
    final = [r.final for r in cnn_records]
    return {
        "accuracy": reference_accuracy(cnn_records),
        "parameters": cnn_records[0].total_params,
        "MACs": macs,
        "s per epoch": float(np.mean([f.cumulative_train_seconds / f.epochs for f in final])),
    }


def judge_variants(records: list[Record], reference: float | None) -> list[VariantResult]:
    """Per variant (in the order first met), its seeds' final accuracies decided against ``reference``."""

    by_variant: dict[str, list[Record]] = {}
    for record in records:
        by_variant.setdefault(record.config["variant"], []).append(record)
    results = []
    for variant, runs in by_variant.items():
        estimates = [Estimate.accuracy(r.final.test_accuracy, r.n_test) for r in runs]
        verdict = decide(estimates, reference if reference is not None else 0.0, seeds=[r.config["seed"] for r in runs])
        if reference is None:
            verdict = dataclasses.replace(verdict, outcome=Outcome.NOT_TESTED, note="CNN-3-128 is not recorded")
        changed = _changed(runs[0].config["factors"])
        seconds = float(np.mean([r.final.cumulative_train_seconds for r in runs]))
        results.append(
            VariantResult(variant, changed, runs[0].config["parameters"], runs[0].final.epochs, verdict, seconds)
        )
    return results


COMBINED = "combined"  # the variant name of the best combination, in the plan, the records and the tables
COMBINATION_RULE = (
    "The best combination is chosen by a rule fixed before any variant was recorded: a variant helps when the "
    "interval of its seeds lies above the seed's design's mean over the same seeds; the helping variants' factors "
    "are combined, the most accurate first, and a variant is left out when a better one already set one of its "
    "factors or when adding it would exceed the budget."
)


def _changed(factors: dict[str, Any]) -> dict[str, Any]:
    """The factors a variant sets differently from the seed's design."""
    from fmnist_lib.models.budget import LITERAL

    return {k: v for k, v in factors.items() if LITERAL.get(k) != v}


def best_combination(records: list[Record]) -> tuple[dict[str, Any], list[str]]:
    """The factors of the best combination (changed from the literal design) and the variants they come from.

    ``records`` are every one-factor variant's runs, the literal design's among
    them; see ``COMBINATION_RULE``. Nothing helps: ``({}, [])``.
    """
    from fmnist_lib.models import budget

    literal = [r for r in records if not _changed(r.config["factors"])]
    if not literal:
        return {}, []
    results = judge_variants(records, reference_accuracy(literal))
    helping = [r for r in results if r.changed and r.verdict.outcome is Outcome.ABOVE]
    combined: dict[str, Any] = {}
    used = []
    for r in sorted(helping, key=lambda r: (r.verdict.value, r.variant), reverse=True):
        if set(r.changed) & set(combined) or budget.over_budget({**combined, **r.changed}):
            continue
        combined.update(r.changed)
        used.append(r.variant)
    return combined, used
