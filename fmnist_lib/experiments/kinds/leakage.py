"""Hypothesis (b): augmentation before the split. The training and test images are pooled, each kept with
augmented copies made by the original paper's augmenter, shuffled and split 6:1, and the model is scored
on the leaky split; then the same split's subgroups (images with and without a twin in training, the
official test originals) are scored apart.

Three kinds: ``leakage`` (one copy, two readings of the rotation, 14 epochs),
``leak_groups`` (those runs' final predictions by subgroup, no training) and
``copies_leak`` (1 and several copies on the paper's long schedule, every
subgroup scored after every epoch).
"""

from __future__ import annotations

from typing import Any

from fmnist_lib.audit.mechanisms import Curve, Mechanism, Point
from fmnist_lib.audit.verdicts import Caveat, Estimate
from fmnist_lib.data import leakage, paper_augmentation
from fmnist_lib.data.digits import PAPER_STEPS_PER_EPOCH
from fmnist_lib.experiments.registry import Experiment, Job, Role
from fmnist_lib.experiments.splits import pooled_sources
from fmnist_lib.experiments.target import Target, train_into
from fmnist_lib.store.records import Record


def audit_protocol(cfg: dict, name: str = "cnn_3_128") -> dict:
    """The replication protocol of ``name`` with the audit's schedule: same optimiser, batch, model."""
    section = cfg[name]
    return {
        "batch_size": section["batch_size"],
        "learning_rate": section["learning_rate"],
        "model_kwargs": section["model_kwargs"],
        "schedule": cfg["audit"]["schedule"],
        "validate_every_epoch": False,
    }


def leak_config(cfg: dict, rotation: float) -> dict:
    audit = cfg["audit"]
    return {
        "experiment": "pooled_augmentation_leak",
        "model": "cnn_3_128",
        "seed": cfg["seed"],
        "pool_train_size": audit["pool_train_size"],
        "pool_test_size": audit["pool_test_size"],
        "copies": audit["copies"],
        "rotation_degrees": rotation,
        "augmenter": paper_augmentation.AUGMENTER_VERSION,
        **audit_protocol(cfg),
    }


def copies_config(cfg: dict, copies: int) -> dict:
    """(b) at full length: pooled augmentation with ``copies`` copies, scored per epoch and per subgroup."""
    audit = cfg["audit"]
    return {
        "experiment": "pooled_augmentation_leak_subgroups",
        "model": "cnn_3_128",
        "seed": cfg["seed"],
        "pool_train_size": audit["pool_train_size"],
        "pool_test_size": audit["pool_test_size"],
        "copies": copies,
        "rotation_degrees": paper_augmentation.PAPER_ROTATION_DEGREES,
        "augmenter": paper_augmentation.AUGMENTER_VERSION,
        **audit_protocol(cfg),
        "schedule": audit["long_schedule"],
    }


def leaky_split(cfg: dict, copies: int, rotation: float) -> leakage.LeakySplit:
    """The pooled, augmented, re-split data, rebuilt deterministically from the profile and seed."""
    return leakage.pooled_augmented_split(
        *pooled_sources(cfg), copies=copies, rotation_degrees=rotation, seed=cfg["seed"]
    )


def _cnn(spec: dict):
    from fmnist_lib.models import build_model

    return lambda: build_model("cnn_3_128", **spec["model_kwargs"])


def compute_leakage(cfg: dict, rotation: float, target: Target) -> dict:
    """CNN-3-128 trained and scored on a split made after pooled augmentation."""
    split = leaky_split(cfg, cfg["audit"]["copies"], rotation)
    return train_into(
        target,
        _cnn(target.config),
        lambda: (split.x_train, split.y_train),
        lambda: (split.x_eval, split.y_eval),
        extra=lambda _model: {"leak": leakage.leak_summary(split)},
    )


def compute_leak_groups(cfg: dict, rotation: float, target: Target) -> dict:
    """The subgroups of a stored 14-epoch leakage run, from its final predictions (the split rebuilt, no training)."""
    import numpy as np

    from fmnist_lib.store.runstore import load_record

    source = load_record(cfg["profile"], f"leak-rot{rotation:g}", leak_config(cfg, rotation))
    split = leaky_split(cfg, cfg["audit"]["copies"], rotation)
    masks = leakage.group_masks(split, cfg["audit"]["copies"], cfg["seed"])
    predictions = np.asarray(source.test_predictions)
    if len(predictions) != len(split.y_eval):
        raise ValueError(f"{source.file_stem} holds {len(predictions)} predictions for {len(split.y_eval)} images")
    return {
        "source": source.file_stem,
        "epochs": source.final.epochs,
        "groups": leakage.group_accuracies(masks, split.y_eval, predictions),
    }


def compute_copies_leak(cfg: dict, copies: int, target: Target) -> dict:
    """(b) on the long schedule: the leaky split's subgroups scored after every epoch."""
    import numpy as np

    split = leaky_split(cfg, copies, paper_augmentation.PAPER_ROTATION_DEGREES)
    masks = leakage.group_masks(split, copies, cfg["seed"])
    steps_per_epoch = -(-len(split.y_train) // target.config["batch_size"])

    def by_group(probabilities) -> dict:
        return {"groups": leakage.group_accuracies(masks, split.y_eval, np.argmax(probabilities, axis=1))}

    result = train_into(
        target,
        _cnn(target.config),
        lambda: (split.x_train, split.y_train),
        lambda: (split.x_eval, split.y_eval),
        epoch_scorer=(split.x_eval, by_group),
    )
    result["leak"] = leakage.leak_summary(split)
    result["steps_per_epoch"] = steps_per_epoch
    result["group_scores"] = [
        {
            "epoch": entry["epoch"],
            "steps": entry["epoch"] * steps_per_epoch,
            "paper_epochs": entry["epoch"] * steps_per_epoch / PAPER_STEPS_PER_EPOCH,
            "groups": entry.pop("groups"),
        }
        for entry in result["history"]
    ]
    return result


def _comparable(record: Record) -> frozenset[Caveat]:
    full = record.config["pool_train_size"] is None and record.config["pool_test_size"] is None
    return frozenset() if full else frozenset({Caveat.SUBSAMPLE})


def _curves(cfg: dict, read: Any) -> list[Curve]:
    found = []
    for rec in read.records("leakage"):
        share = rec.result["leak"]["eval_share_with_twin_in_train"]
        points = tuple(
            Point(s.epochs, (Estimate.accuracy(s.test_accuracy, rec.n_test),), (rec.config["seed"],))
            for s in rec.stages
        )
        found.append(
            Curve(
                (Mechanism.LEAK,),
                f"1 copy, rotation {rec.config['rotation_degrees']:g}°",
                "cnn_3_128",
                points,
                (rec.file_stem,),
                f"{share:.0%} of the evaluation images have a twin in training",
                caveats=_comparable(rec),
            )
        )
    for rec in read.records("copies_leak"):
        copies = rec.config["copies"]
        share = rec.result["leak"]["eval_share_with_twin_in_train"]
        points = tuple(
            Point(
                e["epoch"],
                (Estimate.accuracy(e["groups"]["all"]["accuracy"], e["groups"]["all"]["n"]),),
                (rec.config["seed"],),
            )
            for e in rec.result["group_scores"]
        )
        steps = rec.result["steps_per_epoch"] / PAPER_STEPS_PER_EPOCH
        found.append(
            Curve(
                (Mechanism.LEAK,),
                f"{copies} cop{'y' if copies == 1 else 'ies'}",
                "cnn_3_128",
                points,
                (rec.file_stem,),
                f"{share:.0%} of the evaluation images have a twin in training; an epoch "
                f"is {steps:.1f} of the paper's in optimizer steps",
                per_epoch=True,
                caveats=_comparable(rec),
            )
        )
    return found


def _leak_source(cfg: dict, rotation: float) -> Record | None:
    from fmnist_lib.experiments.registry import stored_record

    return stored_record(cfg, Job("leakage", cfg["seed"], rotation))


def _groups_config(cfg: dict, rotation: float) -> dict:
    """A record derived from a stored run names that run's making, so a retrained run makes it stale."""
    source = _leak_source(cfg, rotation)
    return {
        "experiment": "leak_subgroups",
        "leak": leak_config(cfg, rotation),
        "source_made": source.provenance["date"] if source else None,
    }


KINDS = (
    Experiment(
        "leakage",
        "hypothesis (b): pooled augmentation before the split",
        Role.MECHANISM,
        args=lambda cfg: [(cfg["seed"], rotation) for rotation in cfg["audit"]["rotations"]],
        name=lambda cfg, rotation: f"leak-rot{rotation:g}",
        config=leak_config,
        compute=compute_leakage,
        chapters=("06",),
        accelerated=True,
        label=lambda seed, rotation: f"leakage rot{rotation:g}",
        curves=_curves,
    ),
    Experiment(
        "leak_groups",
        "hypothesis (b): the 14-epoch leakage runs' evaluation images by subgroup (no training)",
        Role.MECHANISM,
        args=lambda cfg: [(cfg["seed"], rotation) for rotation in cfg["audit"]["rotations"]],
        name=lambda cfg, rotation: f"leak-groups-rot{rotation:g}" if _leak_source(cfg, rotation) else None,
        config=_groups_config,
        compute=compute_leak_groups,
        chapters=("06",),
        depends_on=lambda cfg, rotation: [Job("leakage", cfg["profile_seed"], rotation)],
        label=lambda seed, rotation: f"leak groups rot{rotation:g}",
    ),
    Experiment(
        "copies_leak",
        "hypothesis (b) on the long schedule, with 1 and several augmented copies, by subgroup",
        Role.MECHANISM,
        args=lambda cfg: [(cfg["seed"], copies) for copies in cfg["audit"]["copies_runs"]],
        name=lambda cfg, copies: f"leak-copies{copies}",
        config=copies_config,
        compute=compute_copies_leak,
        chapters=("06", "index"),
        accelerated=True,
        label=lambda seed, copies: f"leakage {copies} cop{'y' if copies == 1 else 'ies'}",
    ),
)
