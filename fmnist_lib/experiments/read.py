"""The chapters' read API: the stored records a profile asks for, checked, never computed.

A chapter that needs a record the store lacks stops with one line naming the
record and the command that makes it. Mechanism curves come from walking the
registry: every kind that declares ``curves`` turns its records into them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fmnist_lib.experiments.kinds.network import NETWORKS
from fmnist_lib.experiments.registry import REGISTRY, Job, plan, seeded, stored_record
from fmnist_lib.experiments.splits import test_labels
from fmnist_lib.store.records import Record
from fmnist_lib.text import counted


class MissingRecord(LookupError):
    """A chapter asked for a record the store does not hold; the message names the command that makes it."""


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

    def makes_them(self, cfg: dict) -> str:
        """'`python -m fmnist_lib.compute --profile full --kind X` makes them (...).': the command for the missing."""
        kinds = " ".join(f"--kind {kind}" for kind in dict.fromkeys(job.kind for job in self.missing))
        gpu = any(job.experiment.accelerated for job in self.missing)
        return f"`python -m fmnist_lib.compute --profile {cfg['profile']} {kinds}` makes them" + (
            " (they train networks: best on a GPU, see gpu/README.md)." if gpu else "."
        )

    def missing_text(self, cfg: dict, listed: bool = True) -> str:
        """One sentence a chapter can show: what is not recorded yet and the command that makes it.

        ``listed=False`` counts the missing runs instead of naming them, for a
        chapter whose table already has a row for each.
        """
        if not self.missing:
            return ""
        makes = self.makes_them(cfg)
        if listed:
            return f"Not recorded yet ({len(self.missing)}): {', '.join(job.label for job in self.missing)}. {makes}"
        are = "is" if len(self.missing) == 1 else "are"
        return f"{counted(len(self.missing), 'run')} {are} not recorded yet (the table lists them): {makes}"


def load_all(cfg: dict, kind: str) -> Found:
    """Every stored record of ``kind`` that the profile asks for, in plan order, and what is missing."""
    records, missing = [], []
    for job in plan(cfg, [kind]):
        record = stored_record(cfg, job)
        (records if record is not None else missing).append(record if record is not None else job)
    return Found(records, missing)


def digits_training_sizes(cfg: dict) -> int:
    """How many training sizes (e)'s cross-validation runs: a fit needs two or more."""
    from fmnist_lib.experiments.kinds import digits_cv

    return digits_cv.training_sizes(cfg)


def budget_variants(cfg: dict) -> dict[str, dict | None]:
    """The budget study's variants by name, with the factors each changes (the best combination's: None until the
    variants it is chosen from are recorded)."""
    from fmnist_lib.experiments.kinds import light_budget

    return light_budget.variants(seeded(cfg, cfg["seed"]))


def budget_combination(cfg: dict) -> tuple[dict, list[str]] | None:
    """The budget study's best combination (factors, variants combined); None until its inputs are recorded or
    when the profile does not combine."""
    from fmnist_lib.experiments.kinds import light_budget

    if not cfg["studies"]["light_budget"]["combine"]:
        return None
    return light_budget.combination(seeded(cfg, cfg["seed"]))


def seed_study(cfg: dict) -> dict:
    """The headline numbers over the audit's seeds, as stored: both networks and the best classical model."""
    from fmnist_lib.experiments.kinds.classical import best_classical_model

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


def replication_records(cfg: dict) -> dict:
    """The replication chapters' stored records (None where not stored), their seeds and test labels."""
    networks = {name: stored_record(cfg, Job("network", cfg["seed"], name)) for name in NETWORKS}
    study = seed_study(cfg)
    return {
        **networks,
        "baselines": load_all(cfg, "baseline").records,
        "baselines_scaled": load_all(cfg, "baseline_scaled").records,
        "seeds": {name: study[name] for name in NETWORKS},
        "test_labels": test_labels(cfg).tolist(),
    }


def profile_records(cfg: dict, kinds: list[str] | None = None) -> list[Record]:
    """The stored records a profile's report reads (each once), without computing anything."""
    unique: dict[str, Record] = {}
    for job in plan(cfg, kinds):
        record = stored_record(cfg, job)
        if record is not None:
            unique.setdefault(record.file_stem, record)
    return list(unique.values())


@dataclass(frozen=True)
class Coverage:
    """What a profile plans of one kind of experiment and how much of it the store holds."""

    kind: str
    description: str
    planned: int
    recorded: int
    trains: bool  # its missing records train networks (best made on a GPU)


def coverage(cfg: dict) -> list[Coverage]:
    """Per kind, planned and recorded records of the profile, in plan order: the gaps in plain sight."""
    by_kind: dict[str, list[bool]] = {}
    for job in plan(cfg):
        by_kind.setdefault(job.kind, []).append(stored_record(cfg, job) is not None)
    return [
        Coverage(kind, REGISTRY[kind].description, len(found), sum(found), REGISTRY[kind].accelerated)
        for kind, found in by_kind.items()
    ]


# the records a chapter loads one by one (``load``), and cannot render without
REQUIRED = (("network", "cnn_3_128"), ("network", "dsc_gap"), ("near_duplicates", None))


def preflight(cfg: dict) -> None:
    """Raise on the first record a report of ``cfg`` cannot use: an edited or damaged one, or a required one missing.

    Every stored record of the profile is read and checked (``RecordError``
    names the file); each of ``REQUIRED`` must exist (``MissingRecord`` names the
    command that makes it).
    """
    profile_records(cfg)
    for kind, arg in REQUIRED:
        load(cfg, kind, arg)


class Reader:
    """What a kind's ``curves`` may read: its own and other kinds' stored records, each read once."""

    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        self._found: dict[str, Found] = {}
        self._study: dict | None = None

    def found(self, kind: str) -> Found:
        if kind not in self._found:
            self._found[kind] = load_all(self.cfg, kind)
        return self._found[kind]

    def records(self, kind: str) -> list[Record]:
        return self.found(kind).records

    def seed_runs(self, network: str) -> list[Record]:
        """``network``'s replication runs at every seed of the seed study that has one."""
        if self._study is None:
            self._study = seed_study(self.cfg)
        return self._study[network]

    def missing(self) -> list[Job]:
        """The jobs whose records the reads so far looked for and did not find."""
        jobs = [job for found in self._found.values() for job in found.missing]
        jobs += [job for job in (self._study or {}).get("missing", []) if job.kind != "seed_classical"]
        return list(dict.fromkeys(jobs))


def mechanism_curves(cfg: dict) -> tuple[list, Found]:
    """Every stored mechanism of the audit as a ``mechanisms.Curve``, and the mechanism jobs not recorded yet."""
    reader = Reader(cfg)
    curves = []
    for experiment in REGISTRY.values():
        if experiment.curves is not None:
            curves += experiment.curves(cfg, reader)
    return curves, Found([], reader.missing())
