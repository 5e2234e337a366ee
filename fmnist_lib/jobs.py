"""A profile's experiments as independent jobs, each producing one record.

Why jobs: a batch-128 CNN on 28x28 images leaves most of a large GPU idle,
so the full profile finishes in a short GPU lease only if several trainings
run side by side, in separate processes. Each job is one record in the run
store, so a stop loses only the jobs in flight, and a rerun skips every job
whose record exists.

The replication runs (CNN-3-128 and the light model at the profile's seed)
are *exclusive*: they run alone, so their wall times can be set beside the
paper's. Every other job may share the device; the number of jobs sharing it
is recorded in each record's provenance (``concurrent_jobs``).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from . import results
from .scaling import member_name

ENV_CONCURRENT = "FMNIST_CONCURRENT_JOBS"
KINDS = ("baseline", "network", "leakage", "honest", "seed_classical", "near_duplicates", "family", "compression")
# which kinds need a Keras training backend (the rest run on CPU libraries or TensorFlow's converter)
ACCELERATED_KINDS = ("network", "leakage", "honest", "family")


@dataclass(frozen=True)
class Job:
    name: str
    kind: str
    step: str
    priority: float
    seed: int
    arg: Any = None
    exclusive: bool = False


@dataclass
class Outcome:
    job: Job
    status: str  # done | skipped | failed
    seconds: float = 0.0
    message: str = ""
    accuracy: float | None = None


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


def plan(cfg: dict, steps: list[str], kinds: list[str] | None = None) -> list[Job]:
    """Every job of the chosen steps, most important first.

    Order: the two replication runs; the classical baselines; the audit's
    leakage and augmentation runs; then further seeds interleaved with tens of
    family members, so that a run cut short still has both a seed spread and a
    spread of model sizes.
    """
    seed = cfg["seed"]
    jobs: list[Job] = []
    if "cnn_3_128" in steps:
        jobs.append(Job("cnn_3_128", "network", "cnn_3_128", 0, seed, "cnn_3_128", exclusive=True))
    if "dsc_gap" in steps:
        jobs.append(Job("dsc_gap", "network", "dsc_gap", 0.1, seed, "dsc_gap", exclusive=True))
    if "baselines" in steps:
        jobs += [Job(f"baseline {m}", "baseline", "baselines", 0.5, seed, m) for m in cfg["baselines"]["models"]]
    if "audit" in steps:
        audit = cfg["audit"]
        jobs += [Job(f"leakage rot{r:g}", "leakage", "audit", 1, seed, r) for r in audit["rotations"]]
        jobs.append(Job("honest augmentation", "honest", "audit", 1, seed))
        jobs.append(Job("near duplicates", "near_duplicates", "audit", 1, seed))
        extra_seeds = [s for s in audit["seeds"] if s != seed]
        for k, s in enumerate(extra_seeds, start=1):
            for name in ("cnn_3_128", "dsc_gap"):
                jobs.append(Job(f"seed {s} {name}", "network", "audit", 2 * k, s, name))
        for s in audit["seeds"]:
            jobs.append(Job(f"seed {s} best classical", "seed_classical", "audit", 2 * len(extra_seeds) + 1, s))
    if "scaling" in steps:
        for i, member in enumerate(family_in_spread_order(cfg["scaling"]["members"])):
            jobs.append(Job(f"family {member_name(*member)}", "family", "scaling", 2 * (i // 10) + 3, seed, member))
        for name in ("cnn_3_128", "dsc_gap"):
            jobs.append(Job(f"compression {name}", "compression", "scaling", 1000, seed, name))
    if kinds is not None:
        jobs = [j for j in jobs if j.kind in kinds]
    return sorted(jobs, key=lambda j: j.priority)  # stable: ties keep the order above


def _accuracy(record: Any) -> float | None:
    """The headline accuracy of a job's record, for the progress log."""
    if isinstance(record, list):
        record = record[-1] if record else None
    if not isinstance(record, dict):
        return None
    result = record.get("result", {})
    if "stages" in result:
        return result["stages"][-1]["test_accuracy"]
    return result.get("accuracy")


def execute(cfg: dict, job: Job, force: bool = False) -> Any:
    """Run one job through the run store (a no-op when its record exists)."""
    from . import compression, experiments

    seeded = experiments.with_seed(cfg, job.seed)
    if job.kind == "network":
        return experiments.run_network(seeded, job.arg, force=force)
    if job.kind == "baseline":
        seeded["baselines"]["models"] = [job.arg]
        return experiments.run_baselines(seeded, force=force)
    if job.kind == "leakage":
        return experiments.run_leakage(seeded, job.arg, force=force)
    if job.kind == "honest":
        return experiments.run_honest_augmentation(seeded, force=force)
    if job.kind == "near_duplicates":
        return experiments.run_near_duplicates(seeded, force=force)
    if job.kind == "seed_classical":
        best = experiments.best_classical_model(cfg)
        seeded["baselines"]["models"] = [best]
        return experiments.run_baselines(seeded, force=force)
    if job.kind == "family":
        seeded["scaling"]["members"] = [job.arg]
        return experiments.run_family(seeded, force=force)
    if job.kind == "compression":
        try:
            return experiments.run_compression(seeded, job.arg, force=force)
        except compression.CompressionUnavailable as exc:
            raise JobSkipped(str(exc)) from None
    raise ValueError(f"unknown job kind {job.kind!r}")


def record_of(cfg: dict, job: Job) -> tuple[str, dict] | None:
    """The run-store name and config of a job's record, without computing anything.

    None for the best classical model of a seed while the baselines it is
    chosen from are not stored yet.
    """
    from . import experiments as ex

    seeded = ex.with_seed(cfg, job.seed)
    if job.kind == "network":
        return job.arg, ex.network_config(seeded, job.arg)
    if job.kind == "baseline":
        return ex.baseline_name(job.arg), ex.baseline_config(seeded, job.arg)
    if job.kind == "leakage":
        return ex.leak_name(job.arg), ex.leak_config(seeded, job.arg)
    if job.kind == "honest":
        return ex.HONEST_NAME, ex.honest_augmentation_config(seeded)
    if job.kind == "near_duplicates":
        return ex.NEAR_DUPLICATES_NAME, ex.NEAR_DUPLICATES_CONFIG
    if job.kind == "seed_classical":
        best = ex.best_classical_model(cfg, stored_only=True)
        return None if best is None else (ex.baseline_name(best), ex.baseline_config(seeded, best))
    if job.kind == "family":
        return ex.family_name(job.arg), ex.family_config(seeded, job.arg)
    if job.kind == "compression":
        return ex.compression_name(job.arg), ex.compression_config(seeded, job.arg)
    raise ValueError(f"unknown job kind {job.kind!r}")


def stored_record(cfg: dict, job: Job) -> dict | None:
    """The job's record if the run store has it for today's config, else None."""
    found = record_of(cfg, job)
    return results.load_record(cfg["profile"], *found) if found else None


def is_stored(cfg: dict, job: Job) -> bool:
    return stored_record(cfg, job) is not None


def profile_records(cfg: dict, steps: list[str]) -> list[dict]:
    """The stored records a profile's report reads (each once), without computing anything."""
    unique: dict[str, dict] = {}
    for job in plan(cfg, steps):
        record = stored_record(cfg, job)
        if record is not None:
            unique.setdefault(record["name"] + record["key"], record)
    return list(unique.values())


class JobSkipped(RuntimeError):
    """A job this machine cannot run (e.g. quantisation without TensorFlow)."""


@dataclass
class _Settings:
    cfg: dict
    force: bool
    stop_at: float | None
    log_dir: Path | None
    concurrent: int = 1


def _run_one(settings: _Settings, job: Job) -> Outcome:
    """Run a job, in this process or a worker; its own output goes to a log file when pooled."""
    if settings.stop_at is not None and time.time() > settings.stop_at:
        return Outcome(job, "skipped", message="not started: past the time limit for starting jobs")
    os.environ[ENV_CONCURRENT] = str(settings.concurrent)
    start = time.perf_counter()
    log = None
    if settings.log_dir is not None:
        settings.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(settings.log_dir / (re.sub(r"[^A-Za-z0-9._-]+", "_", job.name) + ".log"), "a")
    try:
        with contextlib.redirect_stdout(log) if log else contextlib.nullcontext(), \
                contextlib.redirect_stderr(log) if log else contextlib.nullcontext():
            record = execute(settings.cfg, job, settings.force)
        return Outcome(job, "done", time.perf_counter() - start, accuracy=_accuracy(record))
    except JobSkipped as exc:
        return Outcome(job, "skipped", time.perf_counter() - start, str(exc))
    except Exception as exc:  # a failed job must not take the others with it
        if log:
            traceback.print_exc(file=log)
        return Outcome(job, "failed", time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
    finally:
        if log:
            log.close()


def _worker_init(env: dict) -> None:
    os.environ.update(env)


def run_jobs(cfg: dict, jobs: list[Job], *, workers: int = 1, force: bool = False,
             stop_starting_after: float | None = None, log_dir: Path | None = None,
             report=print) -> list[Outcome]:
    """Run ``jobs``: in this process when ``workers`` is 1, else exclusive jobs alone, then the rest ``workers`` at a time.

    ``stop_starting_after`` (seconds from now) leaves jobs not yet started
    undone, so a run fits a fixed lease; their records are simply missing and
    a later run computes them.
    """
    stop_at = time.time() + stop_starting_after if stop_starting_after is not None else None
    outcomes: list[Outcome] = []

    def note(outcome: Outcome) -> None:
        outcomes.append(outcome)
        acc = f" accuracy {outcome.accuracy:.4f}" if outcome.accuracy is not None else ""
        extra = f" ({outcome.message})" if outcome.message else ""
        report(f"[{len(outcomes)}/{len(jobs)}] {outcome.status:7} {outcome.job.name} in {outcome.seconds:.1f} s{acc}{extra}")

    if workers == 1:
        for job in jobs:
            note(_run_one(_Settings(cfg, force, stop_at, log_dir), job))
        return outcomes
    # workers get the backend's settings from the environment; the parent never starts a backend itself
    env = {"XLA_PYTHON_CLIENT_PREALLOCATE": "false", "TF_FORCE_GPU_ALLOW_GROWTH": "true"}
    exclusive = [j for j in jobs if j.exclusive]
    shared = [j for j in jobs if not j.exclusive]
    context = get_context("spawn")
    for group, n in ((exclusive, 1), (shared, workers)):
        if not group:
            continue
        settings = _Settings(cfg, force, stop_at, log_dir, concurrent=n)
        with ProcessPoolExecutor(max_workers=n, mp_context=context, initializer=_worker_init,
                                 initargs=(env,)) as pool:
            futures = [pool.submit(_run_one, settings, job) for job in group]  # FIFO: priority order
            for future in as_completed(futures):
                note(future.result())
    return outcomes


def summary(outcomes: list[Outcome]) -> dict[str, int]:
    counts = {"done": 0, "skipped": 0, "failed": 0}
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts
