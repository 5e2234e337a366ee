"""The light model's budget study: within its 178,968 parameters, what does each design factor change?

The seed's claim is that separable blocks and a GAP head keep CNN-3-128's
accuracy at 9 % of its parameters. Its literal design has a weakness by
construction (chapter 4: the first block sees one filtered image), so the
reader's question is how much of the gap a sound choice inside the same budget
closes. Each variant changes factors of the literal model (``models.budget``
lists them and refuses a variant over the budget when the profile loads), trains
under the light model's protocol at the study's seeds, and is compared with the
literal model trained alongside it at the same seeds and schedule.
"""

from __future__ import annotations

from fmnist_lib.experiments.kinds.network import network_config
from fmnist_lib.experiments.registry import Experiment, Role
from fmnist_lib.experiments.splits import network_inputs, test_labels
from fmnist_lib.experiments.target import Target, train_into


def _runs(cfg: dict) -> list[tuple[int, str]]:
    """(seed, variant) of every run: all variants at the first seed before any at the next."""
    study = cfg["studies"]["light_budget"]
    return [(seed, name) for seed in study["seeds"] for name in study["variants"]]


def config(cfg: dict, variant: str) -> dict:
    """The light model's protocol with the study's schedule, and the variant's factors written out in full."""
    from fmnist_lib.models import budget

    study = cfg["studies"]["light_budget"]
    factors = {**budget.LITERAL, **study["variants"][variant]}
    return {
        **network_config(cfg, "dsc_gap"),
        "experiment": "light_budget",
        "schedule": study["schedule"],
        "variant": variant,
        "factors": factors,
        "parameters": budget.parameters(factors),
    }


def compute_variant(cfg: dict, variant: str, target: Target) -> dict:
    """One variant at one seed, trained and scored after every epoch like the light model."""
    from fmnist_lib.models import variants

    spec = target.config
    kept = {k: v for k, v in spec["model_kwargs"].items() if k in ("dropout", "activation")}
    train, test = network_inputs(cfg["data"]["train_size"], cfg["data"]["test_size"], cfg["seed"])
    return train_into(target, lambda: variants.separable_gap(**spec["factors"], **kept), train, test)


KINDS = (
    Experiment(
        "light_budget",
        "the light model's budget study: one design factor at a time, within 178,968 parameters, several seeds",
        Role.STUDY,
        args=_runs,
        name=lambda cfg, variant: f"light-budget-{variant.replace('_', '-')}-seed{cfg['seed']}",
        config=config,
        compute=compute_variant,
        chapters=("04",),
        accelerated=True,
        label=lambda seed, variant: f"light model budget study: {variant}, seed {seed}",
        test_labels=test_labels,
    ),
)
