"""The light model read literally: "no additional layers", so no BatchNorm (173,844 parameters).

The seed's 178,968 parameters need two BatchNorm layers per separable block;
its text says the blocks add no layers. This reading trains under the light
model's own protocol, so chapter 4 can say what the choice changes.
"""

from __future__ import annotations

from typing import Any

from fmnist_lib.experiments.kinds.network import network_config
from fmnist_lib.experiments.registry import Experiment, Role
from fmnist_lib.experiments.splits import network_inputs, test_labels
from fmnist_lib.experiments.target import Target, train_into


def config(cfg: dict, _arg: Any = None) -> dict:
    return {**network_config(cfg, "dsc_gap"), "variant": "no_batchnorm"}


def compute_without_batchnorm(cfg: dict, _arg: Any, target: Target) -> dict:
    """The light model without BatchNorm, under the light model's protocol, scored on its training images too."""
    from fmnist_lib.models import variants

    spec = target.config
    kept = {k: v for k, v in spec["model_kwargs"].items() if k in ("dropout", "activation")}
    train, test = network_inputs(cfg["data"]["train_size"], cfg["data"]["test_size"], cfg["seed"])
    return train_into(target, lambda: variants.dsc_gap_without_batchnorm(**kept), train, test, score_train_set=True)


KINDS = (
    Experiment(
        "light_no_batchnorm",
        "the light model read literally: no BatchNorm (173,844 parameters), same protocol",
        Role.STUDY,
        args=lambda cfg: [(cfg["seed"], None)] if cfg["studies"]["light_no_batchnorm"] else [],
        name=lambda cfg, _: "dsc_gap-no-batchnorm",
        config=config,
        compute=compute_without_batchnorm,
        chapters=("04",),
        accelerated=True,
        label=lambda seed, _: "light model without BatchNorm",
        test_labels=test_labels,
    ),
)
