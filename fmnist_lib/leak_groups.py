"""Who is who in a leaky evaluation split: subgroups, scored per epoch.

A pooled, augmented, re-split evaluation set mixes images the model has never
seen with augmented twins of training images. Its headline accuracy is an
average over those groups, so the audit scores each one apart: images with and
without a twin in training, originals against augmented copies, and the
official test images among them. Kept apart from ``leakage`` so the records of
the 14-epoch runs, which that module made, stay attributed to unchanged code.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .digits import PAPER_STEPS_PER_EPOCH
from .leakage import LeakySplit
from .results import read_json, write_json_atomic

GROUPS = (
    "all",
    "with a twin in training",
    "without a twin in training",
    "originals",
    "augmented copies",
    "official test originals",
    "official test originals, no twin",
)


def copy_index(split: LeakySplit, copies: int, seed: int, eval_fraction: float = 1 / 7) -> np.ndarray:
    """For each evaluation image, 0 for an original and k for its k-th augmented copy.

    ``leakage.pooled_augmented_split`` shuffles the pooled originals and copies
    with ``default_rng(seed).permutation``; the same draw gives back each
    evaluation image's position, and so its copy number. The origins must
    agree, or the split was made another way and this raises.
    """
    n_pool = len(split.pool_is_test)
    total = n_pool * (copies + 1)
    order = np.random.default_rng(seed).permutation(total)
    positions = order[: int(round(total * eval_fraction))]
    if len(positions) != len(split.origin_eval) or not np.array_equal(positions % n_pool, split.origin_eval):
        raise ValueError("the leaky split was not made by leakage.pooled_augmented_split with these copies and seed")
    return positions // n_pool


def group_masks(split: LeakySplit, copies: int, seed: int) -> dict[str, np.ndarray]:
    """Boolean masks over the evaluation split, one per name in ``GROUPS``."""
    twin = np.isin(split.origin_eval, split.origin_train)
    original = copy_index(split, copies, seed) == 0
    official = split.pool_is_test[split.origin_eval] & original
    return {
        "all": np.ones(len(twin), bool),
        "with a twin in training": twin,
        "without a twin in training": ~twin,
        "originals": original,
        "augmented copies": ~original,
        "official test originals": official,
        "official test originals, no twin": official & ~twin,
    }


def group_accuracies(masks: dict[str, np.ndarray], y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, dict]:
    """Images and accuracy of every group (accuracy None for an empty group)."""
    right = np.asarray(y_true) == np.asarray(y_pred)
    return {
        name: {"n": int(mask.sum()), "accuracy": float(right[mask].mean()) if mask.any() else None}
        for name, mask in masks.items()
    }


def make_callback(x_eval, y_eval, masks: dict[str, np.ndarray], path: Path, steps_per_epoch: int):
    """A Keras callback that scores every group after each epoch and keeps the scores in ``path``.

    The file is keyed by epoch and rewritten atomically, so an interrupted run
    that resumes at its last saved stage retrains and rescores the same epochs
    and ends with the same list as an uninterrupted one.
    """
    import keras

    class GroupScores(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            predictions = np.argmax(self.model.predict(x_eval, batch_size=1024, verbose=0), axis=1)
            steps = (epoch + 1) * steps_per_epoch
            entry = {
                "epoch": epoch + 1,
                "steps": steps,
                "paper_epochs": steps / PAPER_STEPS_PER_EPOCH,
                "groups": group_accuracies(masks, y_eval, predictions),
            }
            kept = [e for e in read_scores(path) if e["epoch"] < epoch + 1]
            write_json_atomic(path, kept + [entry])

    return GroupScores()


def read_scores(path: Path) -> list[dict]:
    return read_json(path) if os.path.exists(path) else []
