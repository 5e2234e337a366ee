"""The paper's experiments, run through the run store from a profile.

Chapters call these one-liners; each returns records that carry their config
and provenance. The config hashed into a record is exactly what determines the
result (data sizes, seed, schedule, optimiser, model options), so a chapter
rerun with the same profile reads the stored record instead of retraining.
"""

from __future__ import annotations

import numpy as np
from tqdm import tqdm

from . import baselines, data, results, training
from .models import build_model


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


def network_config(cfg: dict, name: str) -> dict:
    """What determines a network's record: its protocol section, data and seed."""
    return {"experiment": "staged_training", "model": name, "seed": cfg["seed"], "data": cfg["data"], **cfg[name]}


def run_network(cfg: dict, name: str, *, force: bool = False, verbose: int = 2) -> dict:
    """Staged training of ``name`` (``cnn_3_128`` or ``dsc_gap``) under the profile's protocol."""
    spec = network_config(cfg, name)

    def compute(checkpoints):
        ds = data.load_fashion_mnist()
        train_idx, test_idx = split_indices(cfg)
        return training.train_staged(
            lambda: build_model(name, **spec["model_kwargs"]),
            (data.as_cnn_input(ds.x_train[train_idx]), ds.y_train[train_idx]),
            (data.as_cnn_input(ds.x_test[test_idx]), ds.y_test[test_idx]),
            schedule=spec["schedule"],
            batch_size=spec["batch_size"],
            learning_rate=spec["learning_rate"],
            seed=spec["seed"],
            checkpoint_dir=checkpoints,
            validate_every_epoch=spec["validate_every_epoch"],
            verbose=verbose,
        )

    return results.cached_run(cfg["profile"], name, spec, compute, force=force)


def baseline_config(cfg: dict, model: str) -> dict:
    return {
        "experiment": "classical_baseline",
        "model": model,
        "seed": cfg["seed"],
        "train_size": cfg["baselines"]["train_size"],
        "test_size": cfg["baselines"]["test_size"],
    }


def baseline_name(model: str) -> str:
    return "baseline-" + model.lower().replace(" ", "_")


def run_baselines(cfg: dict, *, force: bool = False) -> list[dict]:
    """Fit every classical model the profile names; one record each, so a stop loses one model at most."""
    ds = data.load_fashion_mnist()
    train_idx, test_idx = split_indices(cfg, "baselines")
    train = (data.as_vectors(ds.x_train[train_idx]), ds.y_train[train_idx])
    test = (data.as_vectors(ds.x_test[test_idx]), ds.y_test[test_idx])
    records = []
    progress = tqdm(cfg["baselines"]["models"], desc="classical baselines", unit="model")
    for model in progress:
        progress.set_postfix_str(model)
        spec = baseline_config(cfg, model)
        records.append(
            results.cached_run(
                cfg["profile"],
                baseline_name(model),
                spec,
                lambda _: baselines.fit_and_score(model, train, test, cfg["seed"]),
                force=force,
            )
        )
    return records


def stored_records(cfg: dict) -> dict:
    """The records this profile has already produced, without computing anything missing."""
    profile = cfg["profile"]
    return {
        "cnn_3_128": results.load_record(profile, "cnn_3_128", network_config(cfg, "cnn_3_128")),
        "dsc_gap": results.load_record(profile, "dsc_gap", network_config(cfg, "dsc_gap")),
        "baselines": [
            rec
            for model in cfg["baselines"]["models"]
            if (rec := results.load_record(profile, baseline_name(model), baseline_config(cfg, model)))
        ],
    }
