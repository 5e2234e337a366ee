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


def digits_config(cfg: dict, arg: tuple) -> dict:
    """Hypothesis (e): one network on one dataset's 5k sample, trained for the optimizer steps of ``paper_epochs``."""
    from . import digits

    dataset, network, paper_epochs = arg
    section = cfg["audit"]["digits"]
    per_class = section["size"] // 10
    train_images = 10 * (per_class - round(per_class * DIGITS_TEST_SHARE))
    batch_size = cfg[network]["batch_size"]
    config = {
        "experiment": "matched_steps",
        "dataset": dataset,
        "model": network,
        "seed": cfg["seed"],
        "size": section["size"],
        "test_share": DIGITS_TEST_SHARE,
        "train_images": train_images,
        "paper_epochs": list(paper_epochs),
        "schedule": [digits.small_epochs(p, train_images, batch_size) for p in paper_epochs],
        "batch_size": batch_size,
        "learning_rate": cfg[network]["learning_rate"],
        "model_kwargs": cfg[network]["model_kwargs"],
        "validate_every_epoch": True,  # the curve in matched steps, and the light model's "by epoch 7"
    }
    if dataset == "mnist":
        config["mnist_sha256"] = digits.MNIST_5K_SHA256
    return config


DIGITS_TEST_SHARE = 1 / 7  # the 6:1 split of Fashion-MNIST's 60,000/10,000


def digits_name(arg: tuple) -> str:
    dataset, network, paper_epochs = arg
    return f"digits-{dataset}-{network}-to{paper_epochs[-1]:g}"


def copies_leak_config(cfg: dict, copies: int) -> dict:
    """(b) at full length: pooled augmentation with ``copies`` copies, scored per epoch and per subgroup."""
    audit = cfg["audit"]
    return {
        "experiment": "pooled_augmentation_leak_subgroups",
        "model": "cnn_3_128",
        "seed": cfg["seed"],
        "pool_train_size": audit["pool_train_size"],
        "pool_test_size": audit["pool_test_size"],
        "copies": copies,
        "rotation_degrees": augment.PAPER_ROTATION_DEGREES,
        "augmenter": augment.AUGMENTER_VERSION,
        **_protocol(cfg),
        "schedule": audit["long_schedule"],
    }


def copies_honest_config(cfg: dict, copies: int) -> dict:
    """(d) read as "copies added": the training images plus ``copies`` augmented copies; the official test set."""
    return {
        "experiment": "honest_augmentation_copies_added",
        "model": "cnn_3_128",
        "seed": cfg["seed"],
        "train_size": cfg["audit"]["augment_train_size"],
        "test_size": cfg["data"]["test_size"],
        "copies": copies,
        "rotation_degrees": augment.PAPER_ROTATION_DEGREES,
        "augmenter": augment.AUGMENTER_VERSION,
        **_protocol(cfg),
        "schedule": cfg["audit"]["long_schedule"],
    }


def copies_leak_name(copies: int) -> str:
    return f"leak-copies{copies}"


def copies_honest_name(copies: int) -> str:
    return f"honest-copies{copies}"


def light_no_batchnorm_config(cfg: dict, _arg: Any = None) -> dict:
    return {**network_config(cfg, "dsc_gap"), "variant": "no_batchnorm"}


LIGHT_NO_BATCHNORM_NAME = "dsc_gap-no-batchnorm"


def scaled_baseline_config(cfg: dict, model: str) -> dict:
    return {**baseline_config(cfg, model), "pixels": "scaled to [0, 1]"}


def scaled_baseline_name(model: str) -> str:
    return baseline_name(model) + "-scaled"
