"""Near-duplicates between the official splits: how many test images have a training twin, and what they add.

The threshold is chosen by looking at the pairs, not at the accuracy: at RMS
0.05 the borderline pairs still look like the same item, at 0.1 many are
different garments of one kind, whose removal would take away easy images
rather than duplicates (chapter 6 shows both).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fmnist_lib.data import CLASS_NAMES
from fmnist_lib.data.duplicates import accuracy_without

THRESHOLDS = (0.0, 0.02, 0.05, 0.1)
TWIN_THRESHOLD = 0.05  # RMS at which the borderline pairs still look like the same item


@dataclass(frozen=True)
class DuplicateEffect:
    """What removing the test images with a near-twin in training does to one model's accuracy."""

    n_test: int
    n_exact: int
    n_twins: int  # test images within TWIN_THRESHOLD of a training image
    effect_pp: float  # accuracy without them minus with them, in percentage points
    loose_share: float  # share of the test set within the loosest threshold
    loose_class: str  # the class most of those belong to


def nearest(record) -> tuple[np.ndarray, np.ndarray]:
    """Each test image's RMS distance to its nearest training image, and that image's index, as arrays."""
    return np.asarray(record.result["rms_distance"]), np.asarray(record.result["nearest_train_index"])


def effect(record, y_true: np.ndarray, y_pred: np.ndarray, test_idx: np.ndarray) -> DuplicateEffect:
    """From the near-duplicates record, the labels and one model's predictions on the test images ``test_idx``."""
    distances = np.asarray(record.result["rms_distance"])[test_idx]
    twins = distances <= TWIN_THRESHOLD
    without, _ = accuracy_without(y_true, y_pred, twins)
    loose = distances <= THRESHOLDS[-1]
    loose_class = (
        CLASS_NAMES[int(np.bincount(np.asarray(y_true)[loose], minlength=10).argmax())] if loose.any() else "–"
    )
    return DuplicateEffect(
        n_test=len(test_idx),
        n_exact=int(np.sum(np.asarray(record.result["exact"], bool)[test_idx])),
        n_twins=int(twins.sum()),
        effect_pp=100 * (without - float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))),
        loose_share=float(loose.mean()),
        loose_class=loose_class,
    )
