"""The experiment registry: every kind of experiment, declared once.

Each ``Experiment`` says which records a profile asks of it (its jobs), how a
record is named and configured, how it is computed, whether it needs an
accelerator or must run alone, what it depends on and which chapters show it.
The planner, the job runner, ``python -m fmnist_lib.compute``, the book runner
and the GPU script all read this one table; chapters only *read* the records
it describes (``load``, ``load_all``), never compute them.

The config hashed into a record is exactly what determines the result (data
sizes, seed, schedule, optimiser, model options), so a record is reused as
long as the code would run the same experiment.
"""

from __future__ import annotations

import copy
import math
import shutil
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from . import digits, fingerprint, results, selection
from .computations import (
    Target,
    compute_baseline,
    compute_compression,
    compute_copies_honest,
    compute_copies_leak,
    compute_digits,
    compute_family_member,
    compute_honest_augmentation,
    compute_leak_groups,
    compute_leakage,
    compute_light_without_batchnorm,
    compute_near_duplicates,
    compute_network,
    compute_network_group,
    compute_scaled_baseline,
    digits_test_labels,
    test_set,
)
from .configs import (
    HONEST_NAME,
    LIGHT_NO_BATCHNORM_NAME,
    NEAR_DUPLICATES_CONFIG,
    NEAR_DUPLICATES_NAME,
    NETWORKS,
    baseline_config,
    baseline_name,
    compression_config,
    compression_name,
    copies_honest_config,
    copies_honest_name,
    copies_leak_config,
    copies_leak_name,
    digits_config,
    digits_name,
    family_config,
    family_name,
    honest_augmentation_config,
    leak_config,
    leak_name,
    light_no_batchnorm_config,
    network_config,
    scaled_baseline_config,
    scaled_baseline_name,
)
from .records import Record
from .scaling import member_name


class MissingRecord(LookupError):
    """A chapter asked for a record the store does not hold; the message names the command that makes it."""


def with_seed(cfg: dict, seed: int) -> dict:
    seeded = copy.deepcopy(cfg)
    seeded["seed"] = seed
    return seeded


@dataclass(frozen=True)
class Job:
    """One record a profile asks for: an experiment kind, the seed, and the kind's argument."""

    kind: str
    seed: int
    arg: Any = None

    def __post_init__(self):
        if isinstance(self.arg, list):  # a family member: hashable, so jobs can key dependencies
            object.__setattr__(self, "arg", tuple(self.arg))

    @property
    def experiment(self) -> Experiment:
        return REGISTRY[self.kind]

    @property
    def label(self) -> str:
        """The job's name in plans and logs (``--only`` takes it)."""
        return self.experiment.label(self.seed, self.arg)

    @property
    def exclusive(self) -> bool:
        return self.experiment.exclusive


@dataclass(frozen=True)
class Experiment:
    """One kind of experiment: everything the planner, runner, CLI and book need to know about it."""

    kind: str
    description: str
    args: Callable[[dict], list[tuple[int, Any]]]  # (seed, argument) of every record the profile asks for
    name: Callable[[dict, Any], str | None]  # the record's name (None while its dependencies are missing)
    config: Callable[[dict, Any], dict]  # the config hashed into the record, from the seeded profile
    compute: Callable[[dict, Any, Target], dict]  # the result, from the seeded profile
    chapters: tuple[str, ...]  # chapters (by number) that show its records
    priority: Callable[[dict, int, Any], float] = lambda cfg, i, arg: 1.0  # lower runs first
    accelerated: bool = False  # trains a network: wants a GPU
    exclusive: bool = False  # runs alone, so its wall time compares with the paper's
    depends_on: Callable[[dict, Any], list[Job]] = lambda cfg, arg: []
    label: Callable[[int, Any], str] = field(default=lambda seed, arg: str(arg))
    # the test labels its stored predictions are scored against, to check a record when it is read
    test_labels: Callable[[dict, Any], Any] | None = None
    # the code that computes it (``module`` or ``module:def,def``): a record says when this has changed since
    code: tuple[str, ...] = ()
    # jobs of this kind that differ only in the seed may train side by side in one JAX program
    # (grouped_training): ``group(name, targets, scratch)`` computes their results together
    group: Callable[[Any, list[Target], Any], list[dict]] | None = None
    # reads and verifies the data it needs beyond Fashion-MNIST, so bad input stops a run before any job starts
    preflight: Callable[[], Any] | None = None


def _at_profile_seed(values: Callable[[dict], list]) -> Callable[[dict], list[tuple[int, Any]]]:
    return lambda cfg: [(cfg["seed"], v) for v in values(cfg)]


def _other_seeds(cfg: dict) -> list[int]:
    return [s for s in cfg["audit"]["seeds"] if s != cfg["seed"]]


def best_classical_model(cfg: dict) -> str | None:
    """The stored classical model with the highest test accuracy at the profile's seed; None until all are stored."""
    found = load_all(cfg, "baseline")
    if found.missing or not found.records:
        return None
    return max(found.records, key=lambda r: r.accuracy).result["model"]


def _best_classical_name(cfg: dict, _arg: Any) -> str | None:
    best = best_classical_model(with_seed(cfg, cfg["profile_seed"]))
    return None if best is None else baseline_name(best)


def _best_classical_config(cfg: dict, _arg: Any) -> dict:
    return baseline_config(cfg, best_classical_model(with_seed(cfg, cfg["profile_seed"])))


def _best_classical_compute(cfg: dict, _arg: Any, target: Target) -> dict:
    return compute_baseline(cfg, target.config["model"], target)


_TRAINING = (
    "computations:Target,_train,_inputs,split_indices,test_set",
    "training",
    "models",
    "data",
    "distribute",
)


def _test_labels(cfg: dict, _arg: Any):
    """The official test labels a network of this profile is scored on (the same split for every run)."""
    return test_set(cfg)[1]


def _source(cfg: dict, network: str) -> Record | None:
    return stored_record(cfg, Job("network", cfg["seed"], network))


def _selection_config(cfg: dict, network: str) -> dict:
    """A record derived from a stored run names that run's making, so a retrained run makes it stale."""
    source = _source(cfg, network)
    return {
        "experiment": "test_set_selection",
        "network": network_config(cfg, network),
        "source_made": source.provenance["date"] if source else None,
    }


def _leak_source(cfg: dict, rotation: float) -> Record | None:
    return stored_record(cfg, Job("leakage", cfg["seed"], rotation))


def _leak_groups_config(cfg: dict, rotation: float) -> dict:
    source = _leak_source(cfg, rotation)
    return {
        "experiment": "leak_subgroups",
        "leak": leak_config(cfg, rotation),
        "source_made": source.provenance["date"] if source else None,
    }


def _digits_runs(cfg: dict) -> list[tuple]:
    """(dataset, network, paper epochs) of every (e) run: each schedule on the digits and on the Fashion control."""
    runs = cfg["audit"]["digits"]["runs"]
    return [
        (dataset, network, tuple(schedule))
        for network, schedules in runs.items()
        for schedule in schedules
        for dataset in ("mnist", "fashion")
    ]


def family_in_spread_order(members: list[list]) -> list[list]:
    """Members ordered so that every prefix covers depth, width, head and convolution type evenly.

    Greedy farthest-point order on (depth, log2 width, head, separable), each
    scaled to [0, 1]: a run stopped early still has small, middle and large,
    dense and GAP, standard and separable members, not only the first few.
    """

    def point(m: list) -> tuple[float, ...]:
        depth, width, head, separable = m
        return (depth, math.log2(width), float(head == "gap"), float(separable))

    ordered = sorted(members, key=lambda m: (m[1], m[0], m[2], m[3]))
    if len(ordered) < 3:
        return ordered
    points = [point(m) for m in ordered]
    lows = [min(p[i] for p in points) for i in range(4)]
    spans = [max(p[i] for p in points) - lows[i] or 1.0 for i in range(4)]
    scaled = [tuple((p[i] - lows[i]) / spans[i] for i in range(4)) for p in points]
    chosen = [0]
    nearest = [math.dist(q, scaled[0]) for q in scaled]
    while len(chosen) < len(ordered):
        pick = max((i for i in range(len(ordered)) if i not in chosen), key=lambda i: (nearest[i], -i))
        chosen.append(pick)
        nearest = [min(d, math.dist(q, scaled[pick])) for d, q in zip(nearest, scaled)]
    return [ordered[i] for i in chosen]


_REPLICATION = ("03", "04", "05", "06", "07", "index")

REGISTRY: dict[str, Experiment] = {
    e.kind: e
    for e in (
        Experiment(
            "network",
            "CNN-3-128 and the light model at the profile's seed (the replication runs)",
            args=_at_profile_seed(lambda cfg: list(NETWORKS)),
            name=lambda cfg, name: name,
            config=network_config,
            compute=compute_network,
            chapters=_REPLICATION,
            priority=lambda cfg, i, arg: 0.1 * i,
            accelerated=True,
            exclusive=True,
            test_labels=_test_labels,
            code=(*_TRAINING, "computations:compute_network"),
        ),
        Experiment(
            "baseline",
            "the classical models of Table I",
            args=_at_profile_seed(lambda cfg: cfg["baselines"]["models"]),
            name=lambda cfg, model: baseline_name(model),
            config=baseline_config,
            compute=compute_baseline,
            chapters=("02", "06", "index"),
            priority=lambda cfg, i, arg: 0.5,
            label=lambda seed, model: f"baseline {model}",
            code=("computations:compute_baseline,split_indices", "baselines", "data"),
        ),
        Experiment(
            "baseline_scaled",
            "classical models on pixels scaled to [0, 1] (Table I's other preprocessing)",
            args=_at_profile_seed(lambda cfg: cfg["baselines"]["scaled_models"]),
            name=lambda cfg, model: scaled_baseline_name(model),
            config=scaled_baseline_config,
            compute=compute_scaled_baseline,
            chapters=("02", "06", "index"),
            priority=lambda cfg, i, arg: 0.6,
            label=lambda seed, model: f"baseline {model} scaled",
            code=("computations:compute_scaled_baseline,split_indices", "baselines", "data"),
        ),
        Experiment(
            "light_no_batchnorm",
            "the light model read literally: no BatchNorm (173,844 parameters), same protocol",
            args=_at_profile_seed(lambda cfg: [None]),
            name=lambda cfg, _: LIGHT_NO_BATCHNORM_NAME,
            config=light_no_batchnorm_config,
            compute=compute_light_without_batchnorm,
            chapters=("04",),
            priority=lambda cfg, i, arg: 1.9,
            accelerated=True,
            label=lambda seed, _: "light model without BatchNorm",
            test_labels=_test_labels,
            code=(*_TRAINING, "computations:compute_light_without_batchnorm", "variants"),
        ),
        Experiment(
            "leakage",
            "hypothesis (b): pooled augmentation before the split",
            args=_at_profile_seed(lambda cfg: cfg["audit"]["rotations"]),
            name=lambda cfg, rotation: leak_name(rotation),
            config=leak_config,
            compute=compute_leakage,
            chapters=("06",),
            accelerated=True,
            label=lambda seed, rotation: f"leakage rot{rotation:g}",
            code=(*_TRAINING, "computations:compute_leakage,leaky_split", "augment", "leakage"),
        ),
        Experiment(
            "honest",
            "hypothesis (d): honest augmentation",
            args=_at_profile_seed(lambda cfg: [None]),
            name=lambda cfg, _: HONEST_NAME,
            config=honest_augmentation_config,
            compute=compute_honest_augmentation,
            chapters=("06",),
            accelerated=True,
            label=lambda seed, _: "honest augmentation",
            test_labels=_test_labels,
            code=(*_TRAINING, "computations:compute_honest_augmentation", "augment"),
        ),
        Experiment(
            "near_duplicates",
            "nearest training image of every official test image",
            args=_at_profile_seed(lambda cfg: [None]),
            name=lambda cfg, _: NEAR_DUPLICATES_NAME,
            config=lambda cfg, _: NEAR_DUPLICATES_CONFIG,
            compute=compute_near_duplicates,
            chapters=("06",),
            label=lambda seed, _: "near duplicates",
            code=("computations:compute_near_duplicates", "duplicates", "data"),
        ),
        Experiment(
            "seed_network",
            "both networks at the audit's further seeds (the seed study)",
            args=lambda cfg: [(s, name) for s in _other_seeds(cfg) for name in NETWORKS],
            name=lambda cfg, name: name,
            config=network_config,
            compute=compute_network,
            chapters=("06",),
            priority=lambda cfg, i, arg: 2 * (1 + i // len(NETWORKS)),
            accelerated=True,
            label=lambda seed, name: f"seed {seed} {name}",
            test_labels=_test_labels,
            code=(*_TRAINING, "computations:compute_network,compute_network_group", "grouped_training"),
            group=compute_network_group,
        ),
        Experiment(
            "seed_classical",
            "the best classical model at each of the audit's seeds",
            args=lambda cfg: [(s, None) for s in cfg["audit"]["seeds"]],
            name=_best_classical_name,
            config=_best_classical_config,
            compute=_best_classical_compute,
            chapters=("06",),
            priority=lambda cfg, i, arg: 2 * len(_other_seeds(cfg)) + 1,
            depends_on=lambda cfg, _: [Job("baseline", cfg["profile_seed"], m) for m in cfg["baselines"]["models"]],
            label=lambda seed, _: f"seed {seed} best classical",
            code=("computations:compute_baseline,split_indices", "baselines", "data"),
        ),
        Experiment(
            "family",
            "the model family of the scaling chapter",
            args=_at_profile_seed(lambda cfg: family_in_spread_order(cfg["scaling"]["members"])),
            name=lambda cfg, member: family_name(member),
            config=family_config,
            compute=compute_family_member,
            chapters=("07",),
            priority=lambda cfg, i, arg: 2 * (i // 10) + 3,
            accelerated=True,
            label=lambda seed, member: "family " + member_name(*member),
            test_labels=_test_labels,
            code=(*_TRAINING, "computations:compute_family_member", "param_counts", "scaling"),
        ),
        Experiment(
            "selection",
            "hypothesis (f): the best epoch chosen on the test set, from the stored history",
            args=_at_profile_seed(lambda cfg: list(NETWORKS)),
            name=lambda cfg, network: f"selection-{network}" if _source(cfg, network) else None,
            config=_selection_config,
            compute=lambda cfg, network, target: selection.best_so_far(load(cfg, "network", network)),
            chapters=("06",),
            priority=lambda cfg, i, arg: 999,
            depends_on=lambda cfg, network: [Job("network", cfg["profile_seed"], network)],
            label=lambda seed, network: f"selection {network}",
            code=("selection", "records"),
        ),
        Experiment(
            "leak_groups",
            "hypothesis (b): the 14-epoch leakage runs' evaluation images by subgroup (no training)",
            args=_at_profile_seed(lambda cfg: cfg["audit"]["rotations"]),
            name=lambda cfg, rotation: f"leak-groups-rot{rotation:g}" if _leak_source(cfg, rotation) else None,
            config=_leak_groups_config,
            compute=compute_leak_groups,
            chapters=("06",),
            priority=lambda cfg, i, arg: 998,
            depends_on=lambda cfg, rotation: [Job("leakage", cfg["profile_seed"], rotation)],
            label=lambda seed, rotation: f"leak groups rot{rotation:g}",
            code=("computations:compute_leak_groups,leaky_split", "leak_groups", "leakage", "augment"),
        ),
        Experiment(
            "copies_leak",
            "hypothesis (b) on the long schedule, with 1 and several augmented copies, by subgroup",
            args=_at_profile_seed(lambda cfg: cfg["audit"]["copies_runs"]),
            name=lambda cfg, copies: copies_leak_name(copies),
            config=copies_leak_config,
            compute=compute_copies_leak,
            chapters=("06", "index"),
            priority=lambda cfg, i, arg: 1.5 + 0.1 * i,
            accelerated=True,
            label=lambda seed, copies: f"leakage {copies} cop{'y' if copies == 1 else 'ies'}",
            code=(
                *_TRAINING,
                "computations:compute_copies_leak,copies_leaky_split,_train_with",
                "augment",
                "leakage",
                "leak_groups",
            ),
        ),
        Experiment(
            "copies_honest",
            "hypothesis (d) read as copies added to the training set, on the long schedule",
            args=_at_profile_seed(lambda cfg: cfg["audit"]["copies_runs"]),
            name=lambda cfg, copies: copies_honest_name(copies),
            config=copies_honest_config,
            compute=compute_copies_honest,
            chapters=("06",),
            priority=lambda cfg, i, arg: 1.6 + 0.1 * i,
            accelerated=True,
            label=lambda seed, copies: f"honest {copies} cop{'y' if copies == 1 else 'ies'} added",
            test_labels=_test_labels,
            code=(*_TRAINING, "computations:compute_copies_honest", "augment"),
        ),
        Experiment(
            "digits",
            "hypothesis (e): MNIST digits against an equal Fashion-MNIST sample, at the paper's optimizer steps",
            args=_at_profile_seed(_digits_runs),
            name=lambda cfg, arg: digits_name(arg),
            config=digits_config,
            compute=compute_digits,
            chapters=("06", "index"),
            priority=lambda cfg, i, arg: 1.2 + 0.01 * i + (0.1 if arg[2][-1] > 14 else 0),  # short ones first
            accelerated=True,
            label=lambda seed, arg: f"digits {arg[0]} {arg[1]} to {arg[2][-1]:g}",
            test_labels=lambda cfg, arg: digits_test_labels(cfg, arg, cfg["audit"]["digits"]["size"]),
            code=(*_TRAINING, "computations:compute_digits", "digits"),
            preflight=lambda: digits.load_mnist_5k(),
        ),
        Experiment(
            "compression",
            "int8 quantisation and pruning of the replication networks",
            args=_at_profile_seed(lambda cfg: list(NETWORKS)),
            name=lambda cfg, network: compression_name(network),
            config=compression_config,
            compute=compute_compression,
            chapters=("07",),
            priority=lambda cfg, i, arg: 1000,
            depends_on=lambda cfg, network: [Job("network", cfg["profile_seed"], network)],
            label=lambda seed, network: f"compression {network}",
            code=(
                "computations:compute_compression,trained_model,test_set,split_indices",
                "compression",
                "training",
                "data",
            ),
        ),
    )
}
KINDS = tuple(REGISTRY)


def seeded(cfg: dict, seed: int) -> dict:
    """The profile at ``seed``, remembering the profile's own seed (some records depend on it)."""
    out = with_seed(cfg, seed)
    out["profile_seed"] = cfg.get("profile_seed", cfg["seed"])
    return out


def plan(cfg: dict, kinds: list[str] | None = None, chapters: list[str] | None = None) -> list[Job]:
    """Every job the profile asks for, most important first (a dependency always before its dependants).

    Order: the two replication runs; the classical models; the audit's
    leakage and augmentation runs; then further seeds interleaved with tens of
    family members, so that a run cut short still has both a seed spread and a
    spread of model sizes; compression last.
    """
    ranked = []
    for kind, experiment in REGISTRY.items():
        if kinds is not None and kind not in kinds:
            continue
        if chapters is not None and not set(chapters) & set(experiment.chapters):
            continue
        for i, (seed, arg) in enumerate(experiment.args(cfg)):
            ranked.append((experiment.priority(cfg, i, arg), Job(kind, seed, arg)))
    return [job for _, job in sorted(ranked, key=lambda pair: pair[0])]  # stable: ties keep registry order


def check_inputs(jobs: list[Job]) -> None:
    """Verify the extra data the jobs' experiments read (raises ``data.DataError`` naming the fix)."""
    for experiment in {job.experiment.kind: job.experiment for job in jobs}.values():
        if experiment.preflight is not None:
            experiment.preflight()


def dependencies(cfg: dict, job: Job) -> list[Job]:
    return job.experiment.depends_on(seeded(cfg, job.seed), job.arg)


def record_of(cfg: dict, job: Job) -> tuple[str, dict] | None:
    """The run-store name and config of a job's record, without computing anything (None: dependencies missing)."""
    at_seed = seeded(cfg, job.seed)
    name = job.experiment.name(at_seed, job.arg)
    if name is None:
        return None
    return name, job.experiment.config(at_seed, job.arg)


def stored_record(cfg: dict, job: Job) -> Record | None:
    """The job's record if the run store has it for today's config, else None. Never computes.

    A record whose numbers do not follow from its own stored predictions is refused, naming the file.
    """
    found = record_of(cfg, job)
    record = results.load_record(cfg["profile"], *found) if found else None
    if record is not None:
        record = replace(record, code_status=_code_status(record, job.experiment.code))
        labels = job.experiment.test_labels
        try:
            record.check(None if labels is None else labels(seeded(cfg, job.seed), job.arg).tolist())
        except ValueError as exc:
            path = results.record_path(cfg["profile"], *found)
            raise results.RecordError(f"{path} is refused: {exc}; delete it or rerun with --force") from None
    return record


def _code_status(record: Record, code: tuple[str, ...]) -> str:
    changes = fingerprint.changed(record.code, code)
    if changes is None:
        return "not fingerprinted (made before records kept one)"
    if changes:
        return "CHANGED since: " + ", ".join(changes)
    return "unchanged"


def is_stored(cfg: dict, job: Job) -> bool:
    return stored_record(cfg, job) is not None


def execute(cfg: dict, job: Job, force: bool = False, made_since: float | None = None) -> Record:
    """Compute one job's record through the run store (a no-op when it is stored and not forced).

    With ``force``, a record already written since ``made_since`` (this run) is not made again.
    """
    found = record_of(cfg, job)
    if found is None:
        waiting = ", ".join(d.label for d in dependencies(cfg, job) if not is_stored(cfg, d))
        raise MissingRecord(f"{job.label} needs the records of: {waiting}")
    name, config = found
    at_seed = seeded(cfg, job.seed)
    profile = cfg["profile"]
    record = results.cached_run(
        profile,
        name,
        config,
        lambda scratch: job.experiment.compute(at_seed, job.arg, Target(profile, name, config, scratch)),
        force=force,
        made_since=made_since,
        code=fingerprint.digests(job.experiment.code),
    )
    return replace(record, code_status=_code_status(record, job.experiment.code))


# --- groups: many seeds of one network in one program (JAX) ---------------------------------


def _group_key(cfg: dict, job: Job):
    """Jobs with equal keys can train as one group: same kind and argument, same config but the seed, all data."""
    if job.experiment.group is None:
        return None
    found = record_of(cfg, job)
    if found is None:
        return None
    name, config = found
    data_cfg = config.get("data", {})
    if data_cfg.get("train_size") is not None or data_cfg.get("test_size") is not None:
        return None  # a subsample is drawn per seed: the members would not share their data
    rest = {k: v for k, v in config.items() if k != "seed"}
    return (job.kind, name, results.config_key(rest))


def groups(cfg: dict, jobs: list[Job]) -> list[tuple[Job, ...]]:
    """``jobs`` in plan order as units to run: a group of jobs that can train together, or one job alone.

    A group sits where its first member was in the plan.
    """
    units: list[list[Job]] = []
    open_groups: dict[Any, list[Job]] = {}
    for job in jobs:
        key = _group_key(cfg, job)
        if key is None:
            units.append([job])
        elif key in open_groups:
            open_groups[key].append(job)  # the unit already in ``units``: it fills as members come
        else:
            open_groups[key] = [job]
            units.append(open_groups[key])
    return [tuple(unit) for unit in units]


def execute_group(cfg: dict, jobs: tuple[Job, ...], force: bool = False, made_since: float | None = None) -> list:
    """Compute a group's records in one program; members already stored (and not forced) are read instead.

    Each record is written through the run store as a lone run's is, with the
    group's wall time and ``trained_in_group`` (its size) and ``group_seeds`` in
    its provenance. A group interrupted midway resumes from its last finished
    stage: its checkpoint folder is named by its members' configs.
    """
    profile = cfg["profile"]
    stored = {job: (None if force else stored_record(cfg, job)) for job in jobs}
    todo = [job for job in jobs if stored[job] is None]
    if len(todo) < 2:
        return [stored[job] or execute(cfg, job, force, made_since) for job in jobs]
    found = [record_of(cfg, job) for job in todo]
    experiment = todo[0].experiment
    targets = []
    for job, (name, config) in zip(todo, found):
        targets.append(Target(profile, name, config, results.checkpoint_dir(profile, name, config)))
    scratch = results.checkpoint_dir(profile, f"group-{found[0][0]}", {"members": [c for _, c in found]})
    started = time.perf_counter()
    computed = experiment.group(found[0][0], targets, scratch)
    wall = time.perf_counter() - started
    extra = {"trained_in_group": len(todo), "group_seeds": [job.seed for job in todo]}
    code = fingerprint.digests(experiment.code)
    made = {}
    for job, (name, config), result in zip(todo, found, computed):
        record = results.cached_run(
            profile, name, config, lambda _scratch, r=result: r, force=force, made_since=made_since, code=code,
            wall_seconds=wall, provenance_extra=extra,
        )  # fmt: skip
        made[job] = replace(record, code_status=_code_status(record, experiment.code))
    shutil.rmtree(scratch, ignore_errors=True)
    return [stored[job] or made[job] for job in jobs]


# --- reading, for chapters and tables ------------------------------------------------------


def compute_command(cfg: dict, jobs: list[Job]) -> str:
    """The command that makes the given jobs' records (with the same --set values as this run)."""
    only = " ".join(f"--only '{job.label}'" for job in jobs)
    return f"python -m fmnist_lib.compute --profile {cfg['profile']} {only}"


def load(cfg: dict, kind: str, arg: Any = None, seed: int | None = None) -> Record:
    """The stored record of one job; a missing one stops the chapter with the command that makes it."""
    job = Job(kind, cfg["seed"] if seed is None else seed, arg)
    record = stored_record(cfg, job)
    if record is None:
        raise MissingRecord(
            f"the run store has no record for '{job.label}' ({REGISTRY[kind].description}) in profile "
            f"{cfg['profile']}; make it with: {compute_command(cfg, [job])} (plus this run's --set values), "
            "or run the book with that profile, which computes what its chapters need first"
        )
    return record


@dataclass(frozen=True)
class Found:
    """The stored records of an experiment kind, and the jobs whose records are not made yet."""

    records: list[Record]
    missing: list[Job]

    def missing_text(self, cfg: dict) -> str:
        """One sentence a chapter can show: what is not recorded yet and the command that makes it."""
        if not self.missing:
            return ""
        labels = ", ".join(job.label for job in self.missing)
        kinds = " ".join(f"--kind {kind}" for kind in dict.fromkeys(job.kind for job in self.missing))
        return (
            f"Not recorded yet ({len(self.missing)}): {labels}. "
            f"`python -m fmnist_lib.compute --profile {cfg['profile']} {kinds}` makes them"
            + (" (they train networks: best on a GPU, see gpu/README.md)." if self._train_networks else ".")
        )

    @property
    def _train_networks(self) -> bool:
        return any(job.experiment.accelerated for job in self.missing)


def load_all(cfg: dict, kind: str) -> Found:
    """Every stored record of ``kind`` that the profile asks for, in plan order, and what is missing."""
    records, missing = [], []
    for job in plan(cfg, [kind]):
        record = stored_record(cfg, job)
        (records if record is not None else missing).append(record if record is not None else job)
    return Found(records, missing)


def replication_records(cfg: dict) -> dict:
    """The replication chapters' stored records (None or absent where not stored), their seeds and test labels."""
    networks = {name: stored_record(cfg, Job("network", cfg["seed"], name)) for name in NETWORKS}
    study = seed_study(cfg)
    return {
        **networks,
        "baselines": load_all(cfg, "baseline").records,
        "baselines_scaled": load_all(cfg, "baseline_scaled").records,
        "seeds": {name: study[name] for name in NETWORKS},
        "test_labels": _test_labels(cfg, None).tolist(),
    }


def seed_study(cfg: dict) -> dict:
    """The headline numbers over the audit's seeds, as stored: both networks and the best classical model."""
    study: dict[str, Any] = {"cnn_3_128": [], "dsc_gap": [], "best_classical": [], "missing": []}
    for seed in cfg["audit"]["seeds"]:
        kind = "network" if seed == cfg["seed"] else "seed_network"
        for name in NETWORKS:
            job = Job(kind, seed, name)
            record = stored_record(cfg, job)
            study[name].append(record) if record else study["missing"].append(job)
        job = Job("seed_classical", seed)
        record = stored_record(cfg, job)
        study["best_classical"].append(record) if record else study["missing"].append(job)
    study["best_classical_model"] = best_classical_model(cfg)
    return study


def profile_records(cfg: dict, kinds: list[str] | None = None) -> list[Record]:
    """The stored records a profile's report reads (each once), without computing anything."""
    unique: dict[str, Record] = {}
    for job in plan(cfg, kinds):
        record = stored_record(cfg, job)
        if record is not None:
            unique.setdefault(record.file_stem, record)
    return list(unique.values())


def mechanism_curves(cfg: dict) -> tuple[list, Found]:
    """Every stored mechanism of the audit as a ``mechanisms.Curve``, and the mechanism jobs not recorded yet."""
    from . import mechanisms

    stored = replication_records(cfg)  # holds the seed study already: not read twice
    curves, missing = [], []
    for network in NETWORKS:
        record = stored.get(network)
        if record is None:
            missing.append(Job("network", cfg["seed"], network))
            continue
        chosen = stored_record(cfg, Job("selection", cfg["seed"], network))
        curves += mechanisms.network_curves(record, chosen.result if chosen else None, stored["seeds"][network])
    found = {kind: load_all(cfg, kind) for kind in ("leakage", "copies_leak", "honest", "copies_honest", "digits")}
    for kind_found in found.values():
        missing += kind_found.missing
    curves += mechanisms.leak_curves(found["leakage"].records, found["copies_leak"].records)
    curves += mechanisms.augmentation_curves(next(iter(found["honest"].records), None), found["copies_honest"].records)
    curves += mechanisms.digits_curves(found["digits"].records)
    return curves, Found([], missing)
