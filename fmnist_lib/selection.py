"""Hypothesis (f): choosing on the test set, from a run's stored history, without training.

Early stopping or a "best checkpoint" picked by test accuracy, or the best of
several seeds, reports the maximum of noisy numbers rather than one honest
measurement. What that adds is computed here from records that already exist:
the test accuracy after every epoch (where the run measured it) or every stage.
"""

from __future__ import annotations

from .records import Record


def test_accuracy_by_epoch(record: Record) -> list[tuple[int, float]]:
    """(epoch, test accuracy) at every epoch the run scored the test set: each epoch, else each stage."""
    per_epoch = [(h["epoch"], h["val_accuracy"]) for h in record.history if "val_accuracy" in h]
    return per_epoch or [(s.epochs, s.test_accuracy) for s in record.stages]


def best_so_far(record: Record) -> dict:
    """For every scored epoch, the best test accuracy seen up to it and where: what selection would report."""
    rows, best_epoch, best = [], None, -1.0
    for epoch, accuracy in test_accuracy_by_epoch(record):
        if accuracy > best:
            best_epoch, best = epoch, accuracy
        rows.append({"epoch": epoch, "best_accuracy": best, "best_epoch": best_epoch, "accuracy": accuracy})
    scored_each_epoch = any("val_accuracy" in h for h in record.history)
    return {"source": record.file_stem, "scored": "each epoch" if scored_each_epoch else "each stage", "curve": rows}


def selected_at(selection: dict, epochs: int) -> float | None:
    """The test accuracy a run of ``epochs`` epochs would report with the best epoch chosen on the test set."""
    seen = [row["best_accuracy"] for row in selection["curve"] if row["epoch"] <= epochs]
    return seen[-1] if seen else None


def best_of_seeds(records: list[Record], epochs: int) -> float | None:
    """The highest test accuracy after ``epochs`` epochs over the seeds' runs: what reporting the best seed shows."""
    at = [stage.test_accuracy for r in records if (stage := r.stage(epochs)) is not None]
    return max(at, default=None)
