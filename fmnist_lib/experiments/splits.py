"""The images a profile's runs use: class-balanced subsets of the official split, drawn from the seed.

Every kind that trains or scores on Fashion-MNIST takes its images here, so a
profile's "train_size" means the same subset everywhere, and the test labels a
record is checked against are rebuilt the same way it was scored.
"""

from __future__ import annotations

import numpy as np

from fmnist_lib import data


def split_indices(cfg: dict, section: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and test images a section of the profile uses."""
    ds = data.load_fashion_mnist()
    sizes = cfg[section]
    return (
        data.stratified_subsample(ds.y_train, sizes["train_size"], cfg["seed"]),
        data.stratified_subsample(ds.y_test, sizes["test_size"], cfg["seed"]),
    )


def test_set(cfg: dict) -> tuple[np.ndarray, np.ndarray]:
    """The raw test images and labels the networks of this profile are scored on."""
    ds = data.load_fashion_mnist()
    _, test_idx = split_indices(cfg)
    return ds.x_test[test_idx], ds.y_test[test_idx]


def test_labels(cfg: dict, _arg=None) -> np.ndarray:
    """The official test labels a network of this profile is scored on (the same split for every run)."""
    return test_set(cfg)[1]


def network_inputs(train_size: int | None, test_size: int | None, seed: int):
    """Lazy (train, test) loaders of CNN inputs for class-balanced subsets: built only if training runs."""
    ds = data.load_fashion_mnist()
    train_idx = data.stratified_subsample(ds.y_train, train_size, seed)
    test_idx = data.stratified_subsample(ds.y_test, test_size, seed)
    return (
        lambda: (data.as_cnn_input(ds.x_train[train_idx]), ds.y_train[train_idx]),
        lambda: (data.as_cnn_input(ds.x_test[test_idx]), ds.y_test[test_idx]),
    )


def pooled_sources(cfg: dict):
    """The official images a leaky split pools (training and test subsets of the audit's pool sizes)."""
    ds = data.load_fashion_mnist()
    audit = cfg["audit"]
    train_idx = data.stratified_subsample(ds.y_train, audit["pool_train_size"], cfg["seed"])
    test_idx = data.stratified_subsample(ds.y_test, audit["pool_test_size"], cfg["seed"])
    return (
        data.as_cnn_input(ds.x_train[train_idx]),
        ds.y_train[train_idx],
        data.as_cnn_input(ds.x_test[test_idx]),
        ds.y_test[test_idx],
    )
