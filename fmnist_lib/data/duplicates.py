"""Exact and near-duplicate images shared by the official training and test splits.

Fashion-MNIST's test set contains images that are (nearly) identical to
training images; a model can score them by memory. Counting them, and scoring
the model without them, shows how much of an accuracy they can explain.
"""

from __future__ import annotations

import hashlib

import numpy as np


def exact_duplicates(x_train: np.ndarray, x_test: np.ndarray) -> np.ndarray:
    """Boolean mask over the test images that occur byte for byte in the training set."""
    seen = {hashlib.sha1(img.tobytes()).digest() for img in x_train}
    return np.array([hashlib.sha1(img.tobytes()).digest() in seen for img in x_test])


def nearest_train_rms(x_train: np.ndarray, x_test: np.ndarray, chunk: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """For each test image, the RMS pixel distance (pixels in [0, 1]) to its nearest training image, and its index.

    Exhaustive search by matrix products, chunked to bound memory.
    """
    train = x_train.reshape(len(x_train), -1).astype(np.float32) / 255.0
    test = x_test.reshape(len(x_test), -1).astype(np.float32) / 255.0
    train_sq = np.einsum("ij,ij->i", train, train)
    distances = np.empty(len(test), np.float64)
    nearest = np.empty(len(test), np.int64)
    for start in range(0, len(test), chunk):
        block = test[start : start + chunk]
        d2 = train_sq[None, :] - 2.0 * block @ train.T + np.einsum("ij,ij->i", block, block)[:, None]
        idx = np.argmin(d2, axis=1)
        nearest[start : start + chunk] = idx
        # recompute the winner exactly: the expanded form loses precision near zero
        diff = block - train[idx]
        distances[start : start + chunk] = np.sqrt(np.mean(diff.astype(np.float64) ** 2, axis=1))
    return distances, nearest


def accuracy_without(y_true: np.ndarray, y_pred: np.ndarray, drop: np.ndarray) -> tuple[float, int]:
    """Accuracy on the images not in ``drop``, and how many remain."""
    keep = ~np.asarray(drop, bool)
    return float(np.mean(np.asarray(y_true)[keep] == np.asarray(y_pred)[keep])), int(keep.sum())
