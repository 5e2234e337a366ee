"""Table I: the classical models on raw pixels (as the paper describes), some also on pixels scaled to [0, 1],
and the best of them again at every seed of the seed study.

A record's fingerprint covers only the classifier it fitted (``models.classical``),
so adding a model to that table marks no other record stale.
"""

from __future__ import annotations

from typing import Any

from fmnist_lib import data
from fmnist_lib.experiments.registry import Experiment, Job, Role, plan, stored_record, with_seed
from fmnist_lib.experiments.splits import split_indices
from fmnist_lib.experiments.target import Target
from fmnist_lib.models import classical


def baseline_config(cfg: dict, model: str) -> dict:
    return {
        "experiment": "classical_baseline",
        "model": model,
        "seed": cfg["seed"],
        "train_size": cfg["baselines"]["train_size"],
        "test_size": cfg["baselines"]["test_size"],
    }


def scaled_config(cfg: dict, model: str) -> dict:
    return {**baseline_config(cfg, model), "pixels": "scaled to [0, 1]"}


def baseline_name(model: str) -> str:
    return "baseline-" + model.lower().replace(" ", "_")


def compute_classical(cfg: dict, model: str, target: Target) -> dict:
    """Fit ``model`` on the profile's training images and score it on its test images.

    Raw pixels (0-255) as the paper describes, or scaled to [0, 1] where the
    record's config says so (Table I's other preprocessing).
    """
    ds = data.load_fashion_mnist()
    train_idx, test_idx = split_indices(cfg, "baselines")
    scale = 255.0 if "pixels" in target.config else 1.0
    train = (data.as_vectors(ds.x_train[train_idx]) / scale, ds.y_train[train_idx])
    test = (data.as_vectors(ds.x_test[test_idx]) / scale, ds.y_test[test_idx])
    return classical.fit_and_score(model, train, test, cfg["seed"])


def best_classical_model(cfg: dict) -> str | None:
    """The stored classical model with the highest test accuracy at the profile's seed; None until all are stored."""
    at_profile_seed = with_seed(cfg, cfg.get("profile_seed", cfg["seed"]))
    found = [stored_record(at_profile_seed, job) for job in plan(at_profile_seed, ["baseline"])]
    if not found or None in found:
        return None
    return max(found, key=lambda r: r.accuracy).result["model"]


def _best_name(cfg: dict, _arg: Any) -> str | None:
    best = best_classical_model(cfg)
    return None if best is None else baseline_name(best)


def _best_config(cfg: dict, _arg: Any) -> dict:
    return baseline_config(cfg, best_classical_model(cfg))


def compute_best_classical(cfg: dict, _arg: Any, target: Target) -> dict:
    return compute_classical(cfg, target.config["model"], target)


KINDS = (
    Experiment(
        "baseline",
        "the classical models of Table I",
        Role.BASELINES,
        args=lambda cfg: [(cfg["seed"], model) for model in cfg["baselines"]["models"]],
        name=lambda cfg, model: baseline_name(model),
        config=baseline_config,
        compute=compute_classical,
        chapters=("02", "06", "index"),
        label=lambda seed, model: f"baseline {model}",
        code=lambda cfg, model: (classical.factory_of(model),),
    ),
    Experiment(
        "baseline_scaled",
        "classical models on pixels scaled to [0, 1] (Table I's other preprocessing)",
        Role.BASELINES,
        args=lambda cfg: [(cfg["seed"], model) for model in cfg["baselines"]["scaled_models"]],
        name=lambda cfg, model: baseline_name(model) + "-scaled",
        config=scaled_config,
        compute=compute_classical,
        chapters=("02", "06", "index"),
        label=lambda seed, model: f"baseline {model} scaled",
        code=lambda cfg, model: (classical.factory_of(model),),
    ),
    Experiment(
        "seed_classical",
        "the best classical model at each of the audit's seeds",
        Role.SEEDS,
        args=lambda cfg: [(s, None) for s in cfg["audit"]["seeds"]],
        name=_best_name,
        config=_best_config,
        compute=compute_best_classical,
        chapters=("06",),
        depends_on=lambda cfg, _: [Job("baseline", cfg["profile_seed"], m) for m in cfg["baselines"]["models"]],
        label=lambda seed, _: f"seed {seed} best classical",
        code=lambda cfg, _: (classical.factory_of(best),) if (best := best_classical_model(cfg)) else (),
    ),
)
