"""Hypothesis (e), decided: stratified cross-validation on the 5,000 MNIST digits and on an equal Fashion-MNIST
sample, at several training sizes, each run scored after every epoch.

One 6:1 split scores 710 images, which cannot decide a 0.75 pp question. Here
every one of the 5,000 images of each dataset is tested once per seed (k folds),
each fold's training part is also subsampled to a half, a quarter and an eighth,
and each run is scored after every epoch on its held-out fold and on its own
training images. ``audit.learning_curve`` fits error against training images and
optimizer steps, extrapolates it to the paper's 60,000 images at the paper's
step counts, and checks the same extrapolation on Fashion-MNIST against what the
full-data runs measured: that check decides whether the digits' answer counts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fmnist_lib import data
from fmnist_lib.data import digits
from fmnist_lib.experiments.registry import Experiment, Job, Role, stored_record
from fmnist_lib.experiments.target import Target, train_into
from fmnist_lib.store.records import Record

DATASETS = ("mnist", "fashion")


def _runs(cfg: dict) -> list[tuple[int, tuple]]:
    """(seed, (dataset, network, train share, fold)) of every run, in the order the design lists them.

    Per network, the design's ``runs`` are [train share, folds, seeds]: full folds
    at the largest training size come first, so a run cut short still covers
    every test image once.
    """
    design = cfg["audit"]["digits_cv"]
    return [
        (seed, (dataset, network, share, fold))
        for network in design["networks"]
        for share, folds, seeds in design["runs"]
        for seed in seeds
        for fold in range(folds)
        for dataset in DATASETS
    ]


def cv_config(cfg: dict, arg: tuple) -> dict:
    dataset, network, share, fold = arg
    design = cfg["audit"]["digits_cv"]
    spec = {
        "experiment": "digits_cross_validation",
        "dataset": dataset,
        "model": network,
        "seed": cfg["seed"],
        "sample": design["sample"],
        "sample_seed": design["sample_seed"],
        "folds": design["folds"],
        "fold": fold,
        "train_share": share,
        "max_steps": design["steps"][network],
        "batch_size": cfg[network]["batch_size"],
        "learning_rate": cfg[network]["learning_rate"],
        "model_kwargs": cfg[network]["model_kwargs"],
        "validate_every_epoch": True,
    }
    if dataset == "mnist":
        spec["mnist_sha256"] = digits.MNIST_5K_SHA256
    return spec


def record_name(arg: tuple) -> str:
    dataset, network, share, fold = arg
    return f"digits-cv-{dataset}-{network}-share{share:g}-fold{fold}"


def split(spec: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(images, labels, training indices, test indices) of one run: its fold held out, its share of the rest."""
    images, labels = digits.sample(spec["dataset"], spec["sample"], spec["sample_seed"])
    test_idx = digits.stratified_folds(labels, spec["folds"], spec["seed"])[spec["fold"]]
    rest = np.setdiff1d(np.arange(len(labels)), test_idx)
    size = round(len(rest) * spec["train_share"])
    train_idx = rest[data.stratified_subsample(labels[rest], None if size >= len(rest) else size, spec["seed"])]
    return images, labels, train_idx, test_idx


def compute_cv_run(cfg: dict, arg: tuple, target: Target) -> dict:
    """One fold at one training size: trained up to the design's steps, scored after every epoch.

    After each epoch the model is scored on the held-out fold (``val_accuracy``)
    and, in inference mode, on its own training images (``train_set_accuracy``),
    for the combination of (e) with (a).
    """
    from fmnist_lib.models import build_model

    spec = target.config
    images, labels, train_idx, test_idx = split(spec)
    x_train, y_train = data.as_cnn_input(images[train_idx]), labels[train_idx]
    steps_per_epoch = -(-len(train_idx) // spec["batch_size"])
    epochs = -(-spec["max_steps"] // steps_per_epoch)

    def on_training_images(probabilities) -> dict:
        return {"train_set_accuracy": float(np.mean(np.argmax(probabilities, axis=1) == y_train))}

    result = train_into(
        target,
        lambda: build_model(spec["model"], **spec["model_kwargs"]),
        lambda: (x_train, y_train),
        lambda: (data.as_cnn_input(images[test_idx]), labels[test_idx]),
        epoch_scorer=(x_train, on_training_images),
        schedule=[epochs],
    )
    result.update(
        train_images=len(train_idx), steps_per_epoch=steps_per_epoch, paper_steps_per_epoch=digits.PAPER_STEPS_PER_EPOCH
    )
    return result


def test_labels(cfg: dict, arg: tuple):
    """The held-out fold's labels, rebuilt from the data (to check a record when it is read)."""
    spec = cv_config(cfg, arg)
    _, labels, _, test_idx = split(spec)
    return labels[test_idx]


def _label(seed: int, arg: tuple) -> str:
    dataset, network, share, fold = arg
    return f"digits cv {dataset} {network} share {share:g} fold {fold} seed {seed}"


def _network_jobs(cfg: dict, network: str, needed_only: bool) -> list[Job]:
    """The cross-validation jobs of one network (``needed_only``: those the fit waits for, the design's first seed)."""
    first = cfg["audit"]["digits_cv"]["runs"][0][2][0]
    return [
        Job("digits_cv", seed, arg)
        for seed, arg in _runs(cfg)
        if arg[1] == network and (not needed_only or seed == first)
    ]


def _reference_jobs(cfg: dict, network: str) -> list[Job]:
    """The full-data replication runs whose seeds' mean the Fashion extrapolation must predict."""
    profile_seed = cfg["profile_seed"]
    return [Job("network" if s == profile_seed else "seed_network", s, network) for s in cfg["audit"]["seeds"]]


def training_sizes(cfg: dict) -> int:
    """How many training sizes the design runs: a learning curve can be fitted to two or more, not to one."""
    return len({share for share, _, _ in cfg["audit"]["digits_cv"]["runs"]})


def _fitted_networks(cfg: dict) -> list[tuple[int, str]]:
    """One fit per network, where the design runs several training sizes (one size gives no curve to extrapolate:
    its interval would be a point and mean nothing)."""
    if training_sizes(cfg) < 2:
        return []
    return [(cfg["seed"], network) for network in cfg["audit"]["digits_cv"]["networks"]]


def _stored(cfg: dict, jobs: list[Job]) -> list[Record]:
    return [r for job in jobs if (r := stored_record(cfg, job)) is not None]


def fit_config(cfg: dict, network: str) -> dict:
    """A fit names the records it was made from, so a new run or a retrained one makes a new fit."""
    from fmnist_lib.audit import learning_curve

    return {
        "experiment": "digits_learning_curve",
        "network": network,
        "inputs": sorted(r.file_stem for r in _stored(cfg, _network_jobs(cfg, network, needed_only=False))),
        "reference": sorted(r.file_stem for r in _stored(cfg, _reference_jobs(cfg, network))),
        "bootstrap": learning_curve.BOOTSTRAP,
        "bootstrap_seed": learning_curve.BOOTSTRAP_SEED,
    }


def _fit_name(cfg: dict, network: str) -> str | None:
    """The fit's record name, once every run it waits for is stored (None until then)."""
    needed = _network_jobs(cfg, network, needed_only=True)
    ready = len(_stored(cfg, needed)) == len(needed) and _stored(cfg, _reference_jobs(cfg, network))
    return f"digits-fit-{network}" if ready else None


def compute_fit(cfg: dict, network: str, target: Target) -> dict:
    """The learning curves of both datasets, extrapolated to the paper's data, with the Fashion-MNIST check."""
    from fmnist_lib.audit import learning_curve

    runs = _stored(cfg, _network_jobs(cfg, network, needed_only=False))
    by_dataset = {d: [r for r in runs if r.config["dataset"] == d] for d in DATASETS}
    measured = learning_curve.full_data_reference({network: _stored(cfg, _reference_jobs(cfg, network))})
    return learning_curve.analyse(by_dataset, measured[network], network)


def _curves(cfg: dict, read: Any) -> list:
    from fmnist_lib.audit import learning_curve

    return learning_curve.curves(read.records("digits_fit"))


KINDS = (
    Experiment(
        "digits_cv",
        "hypothesis (e), decided: k-fold cross-validation on the digits and a Fashion sample, at several sizes",
        Role.MECHANISM,
        args=_runs,
        name=lambda cfg, arg: record_name(arg),
        config=cv_config,
        compute=compute_cv_run,
        chapters=("06", "index"),
        accelerated=True,
        label=_label,
        test_labels=test_labels,
        preflight=lambda: digits.load_mnist_5k(),
    ),
    Experiment(
        "digits_fit",
        "hypothesis (e): the learning curves fitted and extrapolated to 60,000 images, checked on Fashion-MNIST",
        Role.MECHANISM,
        args=_fitted_networks,
        name=_fit_name,
        config=fit_config,
        compute=compute_fit,
        chapters=("06", "index"),
        depends_on=lambda cfg, network: _network_jobs(cfg, network, needed_only=True) + _reference_jobs(cfg, network),
        label=lambda seed, network: f"digits fit {network}",
        curves=_curves,
    ),
)
