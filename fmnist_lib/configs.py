"""What determines each record: its config (hashed into the record's key) and its name in the run store.

A config holds exactly what changes a result (data sizes, seed, schedule,
optimiser, model options), so a record is reused as long as the code would run
the same experiment, and any change makes a new record.
"""

from __future__ import annotations

from typing import Any

from . import augment
from .scaling import member_name

NETWORKS = ("cnn_3_128", "dsc_gap")


def network_config(cfg: dict, name: str) -> dict:
    """What determines a network's record: its protocol section, data and seed."""
    return {"experiment": "staged_training", "model": name, "seed": cfg["seed"], "data": cfg["data"], **cfg[name]}


def baseline_config(cfg: dict, model: str) -> dict:
    return {
        "experiment": "classical_baseline",
        "model": model,
        "seed": cfg["seed"],
        "train_size": cfg["baselines"]["train_size"],
        "test_size": cfg["baselines"]["test_size"],
    }


def _protocol(cfg: dict, name: str = "cnn_3_128") -> dict:
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
        "augmenter": augment.AUGMENTER_VERSION,
        **_protocol(cfg),
    }


def honest_augmentation_config(cfg: dict, _arg: Any = None) -> dict:
    return {
        "experiment": "honest_augmentation",
        "model": "cnn_3_128",
        "seed": cfg["seed"],
        "train_size": cfg["audit"]["augment_train_size"],
        "test_size": cfg["data"]["test_size"],
        "rotation_degrees": augment.PAPER_ROTATION_DEGREES,
        "augmenter": augment.AUGMENTER_VERSION,
        **_protocol(cfg),
    }


NEAR_DUPLICATES_CONFIG = {"experiment": "near_duplicates", "metric": "rms_pixel_distance"}


def family_config(cfg: dict, member: list) -> dict:
    depth, width, head, separable = member
    return {
        "experiment": "family_member",
        "depth": depth,
        "width": width,
        "head": head,
        "separable": separable,
        "seed": cfg["seed"],
        "data": {"train_size": cfg["scaling"]["train_size"], "test_size": cfg["data"]["test_size"]},
        "schedule": [cfg["scaling"]["epochs"]],
        "batch_size": cfg["cnn_3_128"]["batch_size"],
        "learning_rate": cfg["cnn_3_128"]["learning_rate"],
        "validate_every_epoch": False,
    }


LATENCY_IMAGES = 500  # single-image TFLite calls timed per model; accuracy uses every test image


def compression_config(cfg: dict, name: str) -> dict:
    return {
        "experiment": "compression",
        "network": network_config(cfg, name),
        "sparsities": cfg["scaling"]["sparsities"],
        "latency_images": LATENCY_IMAGES,
    }


def baseline_name(model: str) -> str:
    return "baseline-" + model.lower().replace(" ", "_")


def leak_name(rotation: float) -> str:
    return f"leak-rot{rotation:g}"


def family_name(member: list) -> str:
    return "family-" + member_name(*member)


def compression_name(network: str) -> str:
    return f"compression-{network}"


HONEST_NAME = "honest-augmentation"


NEAR_DUPLICATES_NAME = "near-duplicates"
