"""The experiment registry: every kind of experiment, declared once in its own module under ``kinds/``.

A kind says which records a profile asks of it (its jobs), how a record is
named and configured, how it is computed, why it exists (its ``Role``, which
orders the plan), whether it needs an accelerator or must run alone, what it
depends on, which chapters show it and how its records become the audit's
mechanism curves. The planner, the job runner, ``python -m fmnist_lib.compute``,
the book runner and the GPU script all read this one table; chapters only
*read* the records it describes (``experiments.read``), never compute them.

The config hashed into a record is exactly what determines the result (data
sizes, seed, schedule, optimiser, model options), so a record is reused as
long as the code would run the same experiment. What the code is, is the
kind's fingerprint: its compute function and every library definition it
reaches (``store.fingerprint``).
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
import pkgutil
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any, Callable

from fmnist_lib.experiments.target import Target
from fmnist_lib.store import equivalence, fingerprint, runstore
from fmnist_lib.store.records import Record


class Role(IntEnum):
    """Why a kind's records exist; a plan computes them in this order (the answer first, the family last)."""

    REPLICATION = 1  # the paper's own two networks
    BASELINES = 2  # Table I's classical models: cheap, and the seed study's best classical needs them
    MECHANISM = 3  # the audit's hypotheses: what the answer needs
    SEEDS = 4  # the headline numbers again at further seeds
    STUDY = 5  # the light model's design study and compression
    SCALING = 6  # the model family


@dataclass(frozen=True)
class Job:
    """One record a profile asks for: an experiment kind, the seed, and the kind's argument."""

    kind: str
    seed: int
    arg: Any = None

    def __post_init__(self):
        if isinstance(self.arg, list):  # e.g. a family member: hashable, so jobs can key dependencies
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


def _no_dependencies(cfg: dict, arg: Any) -> list[Job]:
    return []


@dataclass(frozen=True)
class Experiment:
    """One kind of experiment: everything the planner, runner, CLI, audit and book need to know about it."""

    kind: str
    description: str
    role: Role
    args: Callable[[dict], list[tuple[int, Any]]]  # (seed, argument) of every record the profile asks for
    name: Callable[[dict, Any], str | None]  # the record's name (None while its dependencies are missing)
    config: Callable[[dict, Any], dict]  # the config hashed into the record, from the seeded profile
    compute: Callable[[dict, Any, Target], dict]  # the result, from the seeded profile (a module-level function)
    chapters: tuple[str, ...]  # chapters (by number) that show its records
    accelerated: bool = False  # trains a network: wants a GPU
    exclusive: bool = False  # runs alone, so its wall time compares with the paper's
    depends_on: Callable[[dict, Any], list[Job]] = _no_dependencies
    label: Callable[[int, Any], str] = field(default=lambda seed, arg: str(arg))
    # the test labels its stored predictions are scored against, to check a record when it is read
    test_labels: Callable[[dict, Any], Any] | None = None
    # code beyond ``compute`` that decides one record (``module:name``), e.g. the one classifier it fits
    code: Callable[[dict, Any], tuple[str, ...]] = field(default=lambda cfg, arg: ())
    # jobs of this kind that differ only in the seed may train side by side in one JAX program
    # (training.grouped): ``group(name, targets, scratch)`` computes their results together
    group: Callable[[Any, list[Target], Any], list[dict]] | None = None
    # reads and verifies the data it needs beyond Fashion-MNIST, so bad input stops a run before any job starts
    preflight: Callable[[], Any] | None = None
    # how its stored records become the audit's mechanism curves: ``curves(cfg, reader)`` (experiments.read)
    curves: Callable[[dict, Any], list] | None = None
    # the jobs whose kept models its computation reads (records travel without them; ``models_missing``)
    models_read: Callable[[dict, Any], list[Job]] = _no_dependencies

    def fingerprint_roots(self, cfg: dict, arg: Any) -> tuple[str, ...]:
        """Where its fingerprint starts: its compute function and the code its argument names."""
        module = self.compute.__module__.removeprefix(fingerprint.PACKAGE + ".")
        return (f"{module}:{self.compute.__name__}", *self.code(cfg, arg))


def _discover() -> dict[str, Experiment]:
    """Every kind declared by a module of ``experiments.kinds`` (its ``KINDS``), in role order."""
    from fmnist_lib.experiments import kinds

    found: list[Experiment] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(kinds.__path__)):
        found += importlib.import_module(f"{kinds.__name__}.{module}").KINDS
    ordered = sorted(found, key=lambda e: e.role)  # stable: within a role, module and declaration order
    registry = {e.kind: e for e in ordered}
    if len(registry) != len(found):
        raise ValueError("two kinds share a name: " + ", ".join(e.kind for e in found))
    return registry


class _Registry(Mapping):
    """The kinds by name, discovered on first use (a kind's module imports this one while it loads)."""

    def __init__(self) -> None:
        self._kinds: dict[str, Experiment] | None = None

    def _all(self) -> dict[str, Experiment]:
        if self._kinds is None:
            self._kinds = _discover()
        return self._kinds

    def __getitem__(self, kind: str) -> Experiment:
        return self._all()[kind]

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


REGISTRY: Mapping[str, Experiment] = _Registry()


def with_seed(cfg: dict, seed: int) -> dict:
    seeded_cfg = copy.deepcopy(cfg)
    seeded_cfg["seed"] = seed
    return seeded_cfg


def seeded(cfg: dict, seed: int) -> dict:
    """The profile at ``seed``, remembering the profile's own seed (some records depend on it)."""
    out = with_seed(cfg, seed)
    out["profile_seed"] = cfg.get("profile_seed", cfg["seed"])
    return out


def dependencies(cfg: dict, job: Job) -> list[Job]:
    return job.experiment.depends_on(seeded(cfg, job.seed), job.arg)


def plan(cfg: dict, kinds: list[str] | None = None, chapters: list[str] | None = None) -> list[Job]:
    """Every job the profile asks for, by role (the answer first), a dependency always before its dependants.

    Within a role, kinds keep their registry order and jobs the order their kind
    lists them in. A job whose dependencies are not planned yet waits for them.
    """
    wanted = []
    for kind, experiment in REGISTRY.items():
        if kinds is not None and kind not in kinds:
            continue
        if chapters is not None and not set(chapters) & set(experiment.chapters):
            continue
        wanted += [Job(kind, seed, arg) for seed, arg in experiment.args(cfg)]
    ordered: list[Job] = []
    placed: set[Job] = set()
    waiting = list(wanted)
    planned = set(wanted)
    while waiting:
        for job in waiting:
            needs = [d for d in dependencies(cfg, job) if d in planned]
            if all(d in placed for d in needs):
                ordered.append(job)
                placed.add(job)
                waiting.remove(job)
                break
        else:
            raise ValueError("the kinds' dependencies form a cycle: " + ", ".join(j.label for j in waiting))
    return ordered


def check_inputs(jobs: list[Job]) -> None:
    """Verify the extra data the jobs' experiments read (raises ``data.DataError`` naming the fix)."""
    for experiment in {job.experiment.kind: job.experiment for job in jobs}.values():
        if experiment.preflight is not None:
            experiment.preflight()


def record_of(cfg: dict, job: Job) -> tuple[str, dict] | None:
    """The run-store name and config of a job's record, without computing anything (None: dependencies missing)."""
    at_seed = seeded(cfg, job.seed)
    name = job.experiment.name(at_seed, job.arg)
    if name is None:
        return None
    return name, job.experiment.config(at_seed, job.arg)


def code_of(cfg: dict, job: Job) -> dict[str, str]:
    """The fingerprint of the code that computes ``job``'s record now."""
    return fingerprint.scope(job.experiment.fingerprint_roots(seeded(cfg, job.seed), job.arg))


def digest(record: Record) -> str:
    """What a record holds (its config's key and its result, timings included), in 12 hex digits.

    A record made from this one keeps the digest (``inputs`` in its provenance), so replacing this one (a rerun,
    ``--force``) shows in the other; re-stamping its code or provenance does not.
    """
    held = json.dumps({"key": record.key, "result": record.result}, sort_keys=True, default=str)
    return hashlib.sha256(held.encode()).hexdigest()[:12]


def inputs_of(cfg: dict, job: Job) -> dict[str, str]:
    """The stored records ``job`` is made from, by label, with the digest of what each holds."""
    return {source: digest(made_from) for source, made_from in _sources(cfg, job).items()}


def _sources(cfg: dict, job: Job) -> dict[str, Record]:
    """The stored records of ``job``'s dependencies, by label (one not recorded yet is not among them)."""
    return {s.label: r for s in dependencies(cfg, job) if (r := stored_record(cfg, s)) is not None}


def code_status(cfg: dict, record: Record, job: Job) -> equivalence.CodeStatus:
    """Whether the code that made ``record`` is the code that would make it now (``equivalence`` says how).

    A record made from other records is as stale as they are: if the code of one
    it was made from has changed, it says so, and from which. It keeps the digest
    of each (``inputs_of``), so if one has been replaced since (a rerun on another
    machine, a ``--force``), it says that too. (A record made from however many
    runs are recorded, such as the cross-validation fit, names them in its config
    instead: a run that lands later asks for a new record.)
    """
    own = equivalence.status(job.kind, record.code, code_of(cfg, job))
    if own.changed:
        return own
    kept = record.provenance.get("inputs", {})
    for source, made_from in _sources(cfg, job).items():
        if made_from.code_status.changed:
            return equivalence.CodeStatus(
                equivalence.CodeState.CHANGED, f"CHANGED: made from {source}, whose code has changed"
            )
        if source in kept and kept[source] != digest(made_from):
            return equivalence.CodeStatus(
                equivalence.CodeState.CHANGED, f"CHANGED: made from an earlier record of {source}"
            )
    return own


def stored_record(cfg: dict, job: Job) -> Record | None:
    """The job's record if the run store has it for today's config, else None. Never computes.

    A record whose numbers do not follow from its own stored predictions is refused, naming the file.
    """
    found = record_of(cfg, job)
    record = runstore.load_record(cfg["profile"], *found) if found else None
    if record is not None:
        path = runstore.record_path(cfg["profile"], *found)
        labels = job.experiment.test_labels
        try:
            record.check(None if labels is None else labels(seeded(cfg, job.seed), job.arg).tolist())
        except ValueError as exc:
            raise runstore.RecordError(f"{path} is refused: {exc}; delete it or rerun with --force") from None
        try:
            record = replace(record, code_status=code_status(cfg, record, job))
        except runstore.RecordError as exc:  # a record it was made from is refused: so is this one
            raise runstore.RecordError(f"{path} is refused: it was made from a refused record ({exc})") from None
    return record


def models_missing(cfg: dict, jobs: list[Job]) -> dict[Job, list[Job]]:
    """For each of ``jobs`` (the ones still to run), the recorded jobs whose kept models it reads and this store
    lacks.

    A record made on another machine travels without its model, so such a job would stop at once; ``--plan``
    says so before a GPU lease is spent on it, with the command that trains those models here.
    """
    lacking: dict[Job, list[Job]] = {}
    for job in jobs:
        for source in job.experiment.models_read(seeded(cfg, job.seed), job.arg):
            made = stored_record(cfg, source)
            if made is not None and not runstore.model_path(cfg["profile"], made.name, made.config).exists():
                lacking.setdefault(job, []).append(source)
    return lacking


def is_stored(cfg: dict, job: Job) -> bool:
    return stored_record(cfg, job) is not None


class WaitingFor(LookupError):
    """A job whose dependencies have no record yet; the message names them."""


def execute(cfg: dict, job: Job, force: bool = False, made_since: float | None = None) -> Record:
    """Compute one job's record through the run store (a no-op when it is stored and not forced).

    With ``force``, a record already written since ``made_since`` (this run) is not made again.
    """
    found = record_of(cfg, job)
    if found is None:
        waiting = ", ".join(d.label for d in dependencies(cfg, job) if not is_stored(cfg, d))
        raise WaitingFor(f"{job.label} needs the records of: {waiting}")
    name, config = found
    if not force:  # a stored record is used only after the same checks as on every read path
        stored = stored_record(cfg, job)
        if stored is not None:
            return stored
    at_seed = seeded(cfg, job.seed)
    profile = cfg["profile"]
    record = runstore.cached_run(
        profile,
        name,
        config,
        lambda scratch: job.experiment.compute(at_seed, job.arg, Target(profile, name, config, scratch)),
        force=force,
        made_since=made_since,
        code=code_of(cfg, job),
        inputs=inputs_of(cfg, job),
    )
    return replace(record, code_status=code_status(cfg, record, job))


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
    return (job.kind, name, runstore.config_key(rest))


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
    targets = [Target(profile, name, config, runstore.checkpoint_dir(profile, name, config)) for name, config in found]
    scratch = runstore.checkpoint_dir(profile, f"group-{found[0][0]}", {"members": [c for _, c in found]})
    started = time.perf_counter()
    computed = experiment.group(found[0][0], targets, scratch)
    wall = time.perf_counter() - started
    extra = {"trained_in_group": len(todo), "group_seeds": [job.seed for job in todo]}
    made = {}
    for job, (name, config), result in zip(todo, found, computed):
        record = runstore.cached_run(
            profile,
            name,
            config,
            lambda _scratch, r=result: r,
            force=force,
            made_since=made_since,
            code=code_of(cfg, job),
            inputs=inputs_of(cfg, job),
            wall_seconds=wall,
            provenance_extra=extra,
        )
        made[job] = replace(record, code_status=code_status(cfg, record, job))
    shutil.rmtree(scratch, ignore_errors=True)
    return [stored[job] or made[job] for job in jobs]
