"""The nearest training image of every official test image (all 60,000 x 10,000 pairs), and exact twins."""

from __future__ import annotations

from typing import Any

from fmnist_lib import data
from fmnist_lib.experiments.registry import Experiment, Role
from fmnist_lib.experiments.target import Target

CONFIG = {"experiment": "near_duplicates", "metric": "rms_pixel_distance"}


def compute_near_duplicates(_cfg: dict, _arg: Any, _target: Target) -> dict:
    from fmnist_lib.data import duplicates

    ds = data.load_fashion_mnist()
    distances, nearest = duplicates.nearest_train_rms(ds.x_train, ds.x_test)
    return {
        "exact": duplicates.exact_duplicates(ds.x_train, ds.x_test).tolist(),
        "rms_distance": distances.round(6).tolist(),
        "nearest_train_index": nearest.tolist(),
    }


KINDS = (
    Experiment(
        "near_duplicates",
        "nearest training image of every official test image",
        Role.MECHANISM,
        args=lambda cfg: [(cfg["seed"], None)],
        name=lambda cfg, _: "near-duplicates",
        config=lambda cfg, _: CONFIG,
        compute=compute_near_duplicates,
        chapters=("06",),
        label=lambda seed, _: "near duplicates",
    ),
)
