"""The light model's budget study: within its 178,968 parameters, what does each design factor change?

The seed's claim is that separable blocks and a GAP head keep CNN-3-128's
accuracy at 9 % of its parameters. Its literal design has a weakness by
construction (chapter 4: the first block sees one filtered image), so the
reader's question is how much of the gap a sound choice inside the same budget
closes. Each variant changes factors of the literal model (``models.budget``
lists them and refuses a variant over the budget when the profile loads), trains
under the light model's protocol at the study's seeds, and is compared with the
literal model trained alongside it at the same seeds and schedule.

Three factors change the training, not the network (``models.recipe``):
label smoothing, distillation from CNN-3-128, and a cosine learning-rate
schedule over the whole run. The teacher is the profile's
recorded CNN-3-128 run: its kept model gives the softened outputs on the
student's training images, and a teacher that is not recorded, whose record's
code has changed since, or whose model is not in this store is refused with the
command that makes it; nothing is retrained behind the reader's back.
"""

from __future__ import annotations

import numpy as np

from fmnist_lib.audit.budget_study import COMBINED  # the best combination of the variants that help
from fmnist_lib.experiments.kinds.network import network_config
from fmnist_lib.experiments.registry import Experiment, Job, Role, seeded, stored_record
from fmnist_lib.experiments.splits import network_inputs, test_labels
from fmnist_lib.experiments.target import Target, kept_model, train_into

TEACHER = "cnn_3_128"
TEMPERATURE = 4.0  # the teacher's and the student's outputs are softened at T = 4 for the distillation term


class TeacherUnusable(LookupError):
    """The distillation teacher is not recorded, is stale, or its model is not in this store; the message says why."""


def _single_factor_runs(cfg: dict) -> list[tuple[int, str]]:
    study = cfg["studies"]["light_budget"]
    return [(seed, name) for seed in study["seeds"] for name in study["variants"]]


def _runs(cfg: dict) -> list[tuple[int, str]]:
    """(seed, variant) of every run: all variants at the first seed before any at the next, then the best
    combination at every seed, unless the recorded variants show that nothing helps."""
    runs = _single_factor_runs(cfg)
    if _planned_combination(cfg)[0]:
        runs += [(seed, COMBINED) for seed in cfg["studies"]["light_budget"]["seeds"]]
    return runs


def _planned_combination(cfg: dict) -> tuple[bool, tuple[dict, list[str]] | None]:
    """Whether the study trains a combination (asked for, and not shown by the records to have nothing to combine),
    and what the records chose so far (None until they are all recorded); reads the store only when asked for."""
    if not cfg["studies"]["light_budget"]["combine"]:
        return False, None
    found = combination(cfg)
    return found is None or bool(found[0]), found


def _chosen_from(cfg: dict) -> list | None:
    """Every one-factor variant's record, the combination's inputs, or None while one is missing."""
    records = [stored_record(cfg, Job("light_budget", seed, name)) for seed, name in _single_factor_runs(cfg)]
    return None if any(r is None for r in records) else records


def combination(cfg: dict, records: list | None = None) -> tuple[dict, list[str]] | None:
    """The best combination's changed factors and the variants it combines, or None until all are recorded."""
    from fmnist_lib.audit import budget_study

    records = records if records is not None else _chosen_from(cfg)
    return None if records is None else budget_study.best_combination(records)


def variants(cfg: dict) -> dict[str, dict | None]:
    """Every variant the study plans, by name, with its changed factors (the combination's: None until known)."""
    planned: dict[str, dict | None] = dict(cfg["studies"]["light_budget"]["variants"])
    combines, found = _planned_combination(cfg)
    if combines:
        planned[COMBINED] = None if found is None else found[0]
    return planned


def _factors(cfg: dict, variant: str, records: list | None = None) -> dict:
    from fmnist_lib.models import budget

    if variant == COMBINED:
        return {**budget.LITERAL, **combination(cfg, records)[0]}
    return {**budget.LITERAL, **cfg["studies"]["light_budget"]["variants"][variant]}


def _name(cfg: dict, variant: str) -> str | None:
    """The record's name; the combination's only once every variant it is chosen from is recorded."""
    if variant == COMBINED and combination(cfg) is None:
        return None
    return f"light-budget-{variant.replace('_', '-')}-seed{cfg['seed']}"


def _teacher_job(cfg: dict) -> Job:
    return Job("network", cfg["profile_seed"], TEACHER)


def config(cfg: dict, variant: str) -> dict:
    """The light model's protocol with the study's schedule, the variant's factors written out in full, and the
    teacher's own config where the variant is distilled (a retrained teacher makes a new student record)."""
    from fmnist_lib.models import budget

    chosen_from = _chosen_from(cfg) if variant == COMBINED else None  # read once for the factors and the names
    factors = _factors(cfg, variant, chosen_from)
    spec = {
        **network_config(cfg, "dsc_gap"),
        "experiment": "light_budget",
        "schedule": cfg["studies"]["light_budget"]["schedule"],
        "variant": variant,
        "factors": factors,
        "parameters": budget.parameters(factors),
    }
    if chosen_from is not None:  # chosen from these records: a new or retrained variant makes a new combination
        spec["chosen_from"] = sorted(r.file_stem for r in chosen_from)
    if factors["distillation"]:
        spec["teacher"] = {**network_config(seeded(cfg, cfg["profile_seed"]), TEACHER), "temperature": TEMPERATURE}
    return spec


def teacher_model(cfg: dict):
    """CNN-3-128's recorded model, the distillation teacher; never retrains, and refuses a teacher it cannot trust."""
    job = _teacher_job(cfg)
    make_it = f"python -m fmnist_lib.compute --profile {cfg['profile']} --only {TEACHER} --force"
    record = stored_record(cfg, job)
    if record is None:
        raise TeacherUnusable(f"the distillation teacher ({job.label}) is not recorded; make it with: {make_it}")
    if record.code_status.changed:
        raise TeacherUnusable(
            f"the distillation teacher ({job.label}) is stale: {record.code_status.text}; retrain it with: {make_it}"
        )
    try:
        return kept_model(cfg["profile"], TEACHER, network_config(seeded(cfg, cfg["profile_seed"]), TEACHER), make_it)
    except LookupError as exc:
        raise TeacherUnusable(f"the distillation teacher cannot be used: {exc}") from None


def teacher_outputs(teacher, images: np.ndarray) -> np.ndarray:
    """The teacher's outputs on ``images``, softened at ``TEMPERATURE``: the distillation targets."""
    from fmnist_lib.models import recipe

    return recipe.soften(teacher.predict(images, batch_size=1024, verbose=0), TEMPERATURE)


def compute_variant(cfg: dict, variant: str, target: Target) -> dict:
    """One variant at one seed, trained and scored after every epoch like the light model."""
    from fmnist_lib.models import budget, recipe, variants

    spec = target.config
    factors = spec["factors"]
    kept = {k: v for k, v in spec["model_kwargs"].items() if k in ("dropout", "activation")}
    network = lambda: variants.separable_gap(**budget.network_factors(factors), **kept)  # noqa: E731
    teacher = teacher_model(cfg) if factors["distillation"] else None  # refused before any data is loaded
    train, test = network_inputs(cfg["data"]["train_size"], cfg["data"]["test_size"], cfg["seed"])
    if teacher is not None:
        train = _with_teacher(train, teacher)
    if all(factors[k] == budget.LITERAL[k] for k in budget.RECIPE):
        return train_into(target, network, train, test)
    images, labels = train()
    steps = spec["schedule"][-1] * -(-len(labels) // spec["batch_size"])  # the whole run's optimizer steps
    build = lambda: recipe.Recipe(  # noqa: E731
        network(),
        smoothing=factors["label_smoothing"],
        alpha=factors["distillation"],
        temperature=spec["teacher"]["temperature"] if teacher is not None else 1.0,
        decay_steps=steps if factors["learning_rate_schedule"] == "cosine" else 0,
    )
    return train_into(target, build, lambda: (images, labels), test)


def _with_teacher(train, teacher):
    """The training loader, its labels carrying the teacher's softened outputs on the same images."""
    from fmnist_lib.models import recipe

    def load():
        x, y = train()
        return x, recipe.with_teacher(y, teacher_outputs(teacher, x))

    return load


def _depends_on(cfg: dict, variant: str) -> list[Job]:
    if variant == COMBINED:
        chosen_from = [Job("light_budget", seed, name) for seed, name in _single_factor_runs(cfg)]
        return chosen_from + _teacher_read(cfg, variant)
    return _teacher_read(cfg, variant)


def _teacher_read(cfg: dict, variant: str) -> list[Job]:
    """The teacher, whose kept model a distilled variant reads (the combination: once it is chosen, if distilled)."""
    if variant == COMBINED:
        found = combination(cfg)
        return [_teacher_job(cfg)] if found is not None and found[0].get("distillation") else []
    return [_teacher_job(cfg)] if _factors(cfg, variant)["distillation"] else []


KINDS = (
    Experiment(
        "light_budget",
        "the light model's budget study: one design factor at a time, within 178,968 parameters, several seeds",
        Role.STUDY,
        args=_runs,
        name=_name,
        config=config,
        compute=compute_variant,
        chapters=("04",),
        accelerated=True,
        depends_on=_depends_on,
        models_read=_teacher_read,
        label=lambda seed, variant: f"light model budget study: {variant}, seed {seed}",
        test_labels=test_labels,
    ),
)
