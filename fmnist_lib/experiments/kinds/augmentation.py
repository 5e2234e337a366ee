"""Hypothesis (d): honest augmentation, in both readings of the original paper's "augmentation".

The original paper claims 99.65 % *with* augmentation. ``honest`` puts its
augmenter in front of the network, so every batch's images are replaced on the
fly (the same steps per epoch); ``copies_honest`` adds augmented copies to the
training set (more steps per epoch). Both leave the official test set untouched.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fmnist_lib.audit.mechanisms import Curve, Mechanism, Point
from fmnist_lib.audit.verdicts import Caveat, Estimate
from fmnist_lib.data import paper_augmentation
from fmnist_lib.data.digits import PAPER_STEPS_PER_EPOCH
from fmnist_lib.experiments.kinds.leakage import audit_protocol
from fmnist_lib.experiments.registry import Experiment, Role
from fmnist_lib.experiments.splits import network_inputs, test_labels
from fmnist_lib.experiments.target import Target, train_into
from fmnist_lib.store.records import Record


def honest_config(cfg: dict, _arg: Any = None) -> dict:
    return {
        "experiment": "honest_augmentation",
        "model": "cnn_3_128",
        "seed": cfg["seed"],
        "train_size": cfg["audit"]["augment_train_size"],
        "test_size": cfg["data"]["test_size"],
        "rotation_degrees": paper_augmentation.PAPER_ROTATION_DEGREES,
        "augmenter": paper_augmentation.AUGMENTER_VERSION,
        **audit_protocol(cfg),
    }


def copies_config(cfg: dict, copies: int) -> dict:
    """(d) read as "copies added": the training images plus ``copies`` augmented copies; the official test set."""
    return {
        "experiment": "honest_augmentation_copies_added",
        "model": "cnn_3_128",
        "seed": cfg["seed"],
        "train_size": cfg["audit"]["augment_train_size"],
        "test_size": cfg["data"]["test_size"],
        "copies": copies,
        "rotation_degrees": paper_augmentation.PAPER_ROTATION_DEGREES,
        "augmenter": paper_augmentation.AUGMENTER_VERSION,
        **audit_protocol(cfg),
        "schedule": cfg["audit"]["long_schedule"],
    }


def compute_honest(cfg: dict, _arg: Any, target: Target) -> dict:
    """The paper's augmenter on training batches only; the official test set untouched."""
    from fmnist_lib.data import augment  # a Keras layer: imported where a run uses it, not when the registry reads this
    from fmnist_lib.models import build_model

    spec = target.config
    train, test = network_inputs(spec["train_size"], spec["test_size"], cfg["seed"])
    return train_into(
        target,
        lambda: augment.with_augmentation(
            build_model("cnn_3_128", **spec["model_kwargs"]), spec["rotation_degrees"], seed=cfg["seed"]
        ),
        train,
        test,
    )


def compute_copies_honest(cfg: dict, copies: int, target: Target) -> dict:
    """Originals plus augmented copies, made once; the official test set untouched."""
    from fmnist_lib.data import augment  # a Keras layer: imported where a run uses it, not when the registry reads this
    from fmnist_lib.models import build_model

    spec = target.config
    train, test = network_inputs(spec["train_size"], spec["test_size"], cfg["seed"])
    x, y = train()
    images = [x] + [
        augment.augment_images(x, spec["rotation_degrees"], seed=cfg["seed"] + 10 * k) for k in range(copies)
    ]
    result = train_into(
        target,
        lambda: build_model("cnn_3_128", **spec["model_kwargs"]),
        lambda: (np.concatenate(images), np.tile(y, copies + 1)),
        test,
    )
    result["steps_per_epoch"] = -(-len(y) * (copies + 1) // spec["batch_size"])
    return result


def _curve(record: Record, variant: str, note: str) -> Curve:
    points = tuple(
        Point(s.epochs, (Estimate.accuracy(s.test_accuracy, record.n_test),), (record.config["seed"],))
        for s in record.stages
    )
    full = record.config["train_size"] is None and record.config["test_size"] is None
    return Curve(
        (Mechanism.AUGMENTATION,),
        variant,
        "cnn_3_128",
        points,
        (record.file_stem,),
        note,
        caveats=frozenset() if full else frozenset({Caveat.SUBSAMPLE}),
    )


def _curves(cfg: dict, read: Any) -> list[Curve]:
    found = [_curve(rec, "images replaced", "official test set") for rec in read.records("honest")]
    for rec in read.records("copies_honest"):
        copies = rec.config["copies"]
        steps = rec.result["steps_per_epoch"] / PAPER_STEPS_PER_EPOCH
        found.append(
            _curve(
                rec,
                f"{copies} cop{'y' if copies == 1 else 'ies'} added",
                f"an epoch is {steps:.1f} of the paper's in optimizer steps",
            )
        )
    return found


KINDS = (
    Experiment(
        "honest",
        "hypothesis (d): honest augmentation",
        Role.MECHANISM,
        args=lambda cfg: [(cfg["seed"], None)],
        name=lambda cfg, _: "honest-augmentation",
        config=honest_config,
        compute=compute_honest,
        chapters=("06",),
        accelerated=True,
        label=lambda seed, _: "honest augmentation",
        test_labels=test_labels,
        curves=_curves,
    ),
    Experiment(
        "copies_honest",
        "hypothesis (d) read as copies added to the training set, on the long schedule",
        Role.MECHANISM,
        args=lambda cfg: [(cfg["seed"], copies) for copies in cfg["audit"]["copies_runs"]],
        name=lambda cfg, copies: f"honest-copies{copies}",
        config=copies_config,
        compute=compute_copies_honest,
        chapters=("06",),
        accelerated=True,
        label=lambda seed, copies: f"honest {copies} cop{'y' if copies == 1 else 'ies'} added",
        test_labels=test_labels,
    ),
)
