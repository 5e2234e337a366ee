"""Pooled augmentation before the split: how a leaky evaluation is built.

One documented route to a 99 % Fashion-MNIST claim is to augment the pooled
70,000 images (training and test together) and split afterwards: the
evaluation split then holds augmented twins of images the model trained on.
This module builds such a split on purpose, keeping track of where every image
came from, so the book can measure what the leak is worth and the tests can
prove that the leak is really there (and absent from the honest split).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LeakySplit:
    x_train: np.ndarray
    y_train: np.ndarray
    x_eval: np.ndarray
    y_eval: np.ndarray
    origin_train: np.ndarray  # index into the pool of the image each training image came from
    origin_eval: np.ndarray
    pool_is_test: np.ndarray  # per pool index: was it an official test image?


def pooled_augmented_split(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    *,
    copies: int,
    rotation_degrees: float,
    seed: int,
    eval_fraction: float = 1 / 7,
) -> LeakySplit:
    """Pool train and test, keep the originals plus ``copies`` augmented copies each, shuffle, split 6:1."""
    from fmnist_lib.data import augment  # a Keras layer: imported when a split is made, not with GROUPS

    if copies < 0:
        raise ValueError("copies must be 0 or more")
    pool_x = np.concatenate([x_train, x_test])
    pool_y = np.concatenate([y_train, y_test])
    pool_is_test = np.concatenate([np.zeros(len(x_train), bool), np.ones(len(x_test), bool)])
    images = [pool_x] + [augment.augment_images(pool_x, rotation_degrees, seed=seed + 10 * k) for k in range(copies)]
    all_x = np.concatenate(images)
    origin = np.tile(np.arange(len(pool_x)), copies + 1)
    order = np.random.default_rng(seed).permutation(len(all_x))
    n_eval = int(round(len(all_x) * eval_fraction))
    eval_idx, train_idx = order[:n_eval], order[n_eval:]
    return LeakySplit(
        x_train=all_x[train_idx],
        y_train=pool_y[origin[train_idx]],
        x_eval=all_x[eval_idx],
        y_eval=pool_y[origin[eval_idx]],
        origin_train=origin[train_idx],
        origin_eval=origin[eval_idx],
        pool_is_test=pool_is_test,
    )


def leak_summary(split: LeakySplit) -> dict:
    """How much of the evaluation split the model has, in some form, seen in training."""
    seen = np.isin(split.origin_eval, split.origin_train)
    from_test = split.pool_is_test[split.origin_eval]
    return {
        "train_images": len(split.y_train),
        "eval_images": len(split.y_eval),
        "eval_with_twin_in_train": int(seen.sum()),
        "eval_share_with_twin_in_train": float(seen.mean()),
        "eval_from_official_test": int(from_test.sum()),
        "official_test_images_in_train": int(np.isin(np.flatnonzero(split.pool_is_test), split.origin_train).sum()),
    }


# --- who is who in a leaky evaluation split: subgroups the audit scores apart ---------------------

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
