"""Hypothesis (e), first design: each network on one 6:1 split of the 5,000 MNIST digits, against an equal
Fashion-MNIST sample split the same way, trained for the optimizer steps of the paper's epochs.
"""

from __future__ import annotations

from typing import Any

from fmnist_lib import data
from fmnist_lib.audit.mechanisms import Curve, CurveRole, Mechanism, Point
from fmnist_lib.audit.verdicts import Caveat, Estimate
from fmnist_lib.data import digits
from fmnist_lib.experiments.registry import Experiment, Role
from fmnist_lib.experiments.target import Target, train_into

TEST_SHARE = 1 / 7  # the 6:1 split of Fashion-MNIST's 60,000/10,000


def _runs(cfg: dict) -> list[tuple]:
    """(dataset, network, paper epochs) of every run: each schedule on the digits and on the Fashion control."""
    runs = cfg["audit"]["digits"]["runs"]
    return [
        (dataset, network, tuple(schedule))
        for network, schedules in runs.items()
        for schedule in schedules
        for dataset in ("mnist", "fashion")
    ]


def config(cfg: dict, arg: tuple) -> dict:
    """One network on one dataset's sample, trained for the optimizer steps of ``paper_epochs``."""
    dataset, network, paper_epochs = arg
    section = cfg["audit"]["digits"]
    per_class = section["size"] // 10
    train_images = 10 * (per_class - round(per_class * TEST_SHARE))
    batch_size = cfg[network]["batch_size"]
    spec = {
        "experiment": "matched_steps",
        "dataset": dataset,
        "model": network,
        "seed": cfg["seed"],
        "size": section["size"],
        "test_share": TEST_SHARE,
        "train_images": train_images,
        "paper_epochs": list(paper_epochs),
        "schedule": [digits.small_epochs(p, train_images, batch_size) for p in paper_epochs],
        "batch_size": batch_size,
        "learning_rate": cfg[network]["learning_rate"],
        "model_kwargs": cfg[network]["model_kwargs"],
        "validate_every_epoch": True,  # the curve in matched steps, and the light model's "by epoch 7"
    }
    if dataset == "mnist":
        spec["mnist_sha256"] = digits.MNIST_5K_SHA256
    return spec


def record_name(arg: tuple) -> str:
    dataset, network, paper_epochs = arg
    return f"digits-{dataset}-{network}-to{paper_epochs[-1]:g}"


def compute_digits(cfg: dict, arg: tuple, target: Target) -> dict:
    """A network on the digits' sample, or on the equal-size Fashion control, at matched steps."""
    from fmnist_lib.models import build_model

    dataset, network, _paper_epochs = arg
    spec = target.config
    images, labels = digits.sample(dataset, spec["size"], cfg["seed"])
    train_idx, test_idx = digits.balanced_split(labels, spec["test_share"], cfg["seed"])
    if len(train_idx) != spec["train_images"]:
        raise ValueError(
            f"the {dataset} split has {len(train_idx)} training images, the config says {spec['train_images']}"
        )
    result = train_into(
        target,
        lambda: build_model(network, **spec["model_kwargs"]),
        lambda: (data.as_cnn_input(images[train_idx]), labels[train_idx]),
        lambda: (data.as_cnn_input(images[test_idx]), labels[test_idx]),
    )
    result["steps_per_epoch"] = -(-len(train_idx) // spec["batch_size"])
    result["paper_steps_per_epoch"] = digits.PAPER_STEPS_PER_EPOCH
    return result


def test_labels(cfg: dict, arg: tuple):
    """The held-out labels a run is scored on, rebuilt from the data (to check its record when read)."""
    _, labels = digits.sample(arg[0], cfg["audit"]["digits"]["size"], cfg["seed"])
    return labels[digits.balanced_split(labels, TEST_SHARE, cfg["seed"])[1]]


def one_split_undecidable(train_images: int, n_test: int, fitted: bool) -> str:
    """Why one split cannot decide (e): stated with the design (issue 21), before the cross-validation's numbers.

    ``fitted``: whether the network's cross-validation fit is stored, so the sentence never promises a fit
    the records do not hold.
    """
    decides = "decides (e) instead" if fitted else "will decide (e) once its runs are recorded"
    one_split = f"one split of {n_test:,} test images and {train_images:,} training digits"
    return f"{one_split} cannot decide it; the cross-validation's fit {decides}"


def _curves(cfg: dict, read: Any) -> list[Curve]:
    """Each network on the digits and on the Fashion control, in the paper's epochs by optimizer steps.

    Where a short and a long run of one network exist, the longer one is used. The
    design cannot decide (e): its digits curve is inconclusive wherever it is set
    against a claim, and once the cross-validation's fit of the network is stored
    (``digits_cv``) it is shown as superseded and no longer judged.
    """
    fitted = {rec.config["network"] for rec in read.records("digits_fit")}
    longest: dict[tuple[str, str], Any] = {}
    for rec in read.records("digits"):
        key = (rec.config["dataset"], rec.config["model"])
        if key not in longest or rec.config["paper_epochs"][-1] > longest[key].config["paper_epochs"][-1]:
            longest[key] = rec
    found = []
    for (dataset, network), rec in sorted(longest.items()):
        per_paper_epoch = rec.result["steps_per_epoch"] / digits.PAPER_STEPS_PER_EPOCH
        points = tuple(
            Point(
                h["epoch"] * per_paper_epoch, (Estimate.accuracy(h["val_accuracy"], rec.n_test),), (rec.config["seed"],)
            )
            for h in rec.history
        )
        caveats = {Caveat.STEP_EQUIVALENT}
        if rec.config["size"] != digits.MNIST_5K_IMAGES:
            caveats.add(Caveat.SUBSAMPLE)
        train = rec.config["train_images"]
        if dataset == "mnist":
            found.append(
                Curve(
                    (Mechanism.DIGITS,),
                    f"{train:,} training digits, one split",
                    network,
                    points,
                    (rec.file_stem,),
                    "held-out seventh of the 5,000 digits",
                    per_epoch=True,
                    role=CurveRole.SUPERSEDED if network in fitted else CurveRole.MECHANISM,
                    caveats=frozenset(caveats),
                    undecidable=one_split_undecidable(train, rec.n_test, network in fitted),
                )
            )
        else:
            found.append(
                Curve(
                    (),
                    f"Fashion-MNIST control, {train:,} training images",
                    network,
                    points,
                    (rec.file_stem,),
                    "an equal Fashion-MNIST sample split the same way",
                    per_epoch=True,
                    role=CurveRole.CONTROL,
                    caveats=frozenset(caveats),
                )
            )
    return found


KINDS = (
    Experiment(
        "digits",
        "hypothesis (e): MNIST digits against an equal Fashion-MNIST sample, at the paper's optimizer steps",
        Role.MECHANISM,
        args=lambda cfg: [(cfg["seed"], arg) for arg in _runs(cfg)],
        name=lambda cfg, arg: record_name(arg),
        config=config,
        compute=compute_digits,
        chapters=("06", "index"),
        accelerated=True,
        label=lambda seed, arg: f"digits {arg[0]} {arg[1]} to {arg[2][-1]:g}",
        test_labels=test_labels,
        preflight=lambda: digits.load_mnist_5k(),
        curves=_curves,
    ),
)
