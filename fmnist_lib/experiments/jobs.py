"""Running a plan of jobs: in this process, or on Dask workers (a local cluster or an existing one).

Why jobs: a batch-128 CNN on 28x28 images leaves most of a large GPU idle,
so the full profile finishes in a short GPU lease only if several trainings
run side by side, in separate processes. Each job is one record in the run
store, so a stop loses only the jobs in flight, and a rerun skips every job
whose record exists.

The engine is Dask's distributed scheduler: ``workers > 1`` starts an embedded
``LocalCluster`` of that many single-threaded worker processes, and
``scheduler="tcp://host:8786"`` runs the same plan on an existing cluster
(several GPU machines, the run store on shared storage). Jobs the registry
marks *exclusive* (the replication runs) run alone, one after the other, so
their wall times can be set beside the paper's; the number of jobs sharing a
device is recorded in each record's provenance (``concurrent_jobs``).
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from fmnist_lib.experiments import registry
from fmnist_lib.experiments.registry import Job
from fmnist_lib.settings import ENV_CONCURRENT_JOBS, ENV_GROUP_MODELS, ENV_RESULTS_DIR, ENV_SOURCE_COMMIT
from fmnist_lib.store import runstore


@dataclass
class Outcome:
    job: Job
    status: str  # done | skipped | failed
    seconds: float = 0.0
    message: str = ""
    accuracy: float | None = None


@dataclass(frozen=True)
class Settings:
    """What every job of one run shares; sent to the workers with each job."""

    cfg: dict
    force: bool
    stop_at: float | None
    log_dir: Path | None
    results_root: Path
    started: float  # records written since then were made by this run: --force does not redo them
    concurrent: int = 1
    source_commit: str = ""  # the commit of the code as the run started: what its records were computed by


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a run: queued jobs were cancelled; ``outcomes`` holds what finished."""

    def __init__(self, outcomes: list[Outcome]):
        super().__init__()
        self.outcomes = outcomes


TOO_LATE = "not started: past the time limit for starting jobs"


def keep_keras_seeds_private() -> None:
    """Make a job's random numbers a function of its config alone, whatever else the process runs.

    Keras gives every layer built without a seed (dropout, the initialisers) a
    default one drawn from Python's global ``random``, which
    ``keras.utils.set_random_seed`` seeds. In a Dask worker other threads draw
    from that same global stream (the worker's own heartbeats), so a job's
    default seeds depended on when they ran: the same record key, other
    numbers. Here Keras draws them from a private stream, seeded whenever
    ``set_random_seed`` is called, with the very values a lone run gets.
    """
    import random

    import keras
    from keras.src.random import seed_generator

    if getattr(seed_generator, "_private_stream", False):
        return
    private = random.Random()
    seed_generator.python_random = private
    seed_everything = keras.utils.set_random_seed

    def set_random_seed(seed: int) -> None:
        seed_everything(seed)
        private.seed(seed)

    keras.utils.set_random_seed = set_random_seed
    seed_generator._private_stream = True


def _may_start(settings: Settings) -> bool:
    """False once the run's time for starting jobs is over; else set up this process for a job and say True."""
    if settings.stop_at is not None and time.time() > settings.stop_at:
        return False
    keep_keras_seeds_private()
    os.environ[ENV_CONCURRENT_JOBS] = str(settings.concurrent)
    os.environ[ENV_RESULTS_DIR] = str(settings.results_root)
    return True


@contextlib.contextmanager
def _from_commit(settings: Settings):
    """While a job runs, its records name the commit its run started from; afterwards the process's own again."""
    before = os.environ.get(ENV_SOURCE_COMMIT)
    if settings.source_commit:
        os.environ[ENV_SOURCE_COMMIT] = settings.source_commit
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENV_SOURCE_COMMIT, None)
        else:
            os.environ[ENV_SOURCE_COMMIT] = before


def run_one(settings: Settings, job: Job, *_dependencies: Outcome) -> Outcome:
    """Run a job, in this process or a worker; its own output goes to a log file when pooled.

    ``_dependencies`` are the outcomes of the jobs it depends on: Dask starts
    it only once they are finished, and a failed dependency shows up here as
    a missing record with its name.
    """
    if not _may_start(settings):
        return Outcome(job, "skipped", message=TOO_LATE)
    start = time.perf_counter()
    log = None
    if settings.log_dir is not None:
        settings.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(settings.log_dir / (re.sub(r"[^A-Za-z0-9._-]+", "_", job.label) + ".log"), "a")
    try:
        with (
            contextlib.redirect_stdout(log) if log else contextlib.nullcontext(),
            contextlib.redirect_stderr(log) if log else contextlib.nullcontext(),
        ):
            with _from_commit(settings):
                record = registry.execute(settings.cfg, job, settings.force, settings.started)
        return Outcome(job, "done", time.perf_counter() - start, accuracy=_accuracy(record))
    except Exception as exc:  # a failed job must not take the others with it
        if log:
            traceback.print_exc(file=log)
        return Outcome(job, _status_of(exc), time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
    finally:
        if log:
            log.close()


def grouping_enabled() -> bool:
    """Train compatible jobs as groups (one JAX program) on a JAX accelerator; elsewhere one model at a time.

    ``FMNIST_GROUP_MODELS=1`` forces groups (e.g. to test them on a CPU with JAX), ``=0`` forbids them.
    """
    wanted = os.environ.get(ENV_GROUP_MODELS, "")
    if wanted in ("0", "1"):
        return wanted == "1"
    if os.environ.get("KERAS_BACKEND") != "jax":
        return False
    import jax

    return jax.default_backend() != "cpu"


def run_group(settings: Settings, jobs: tuple[Job, ...], *_dependencies) -> list[Outcome]:
    """Run jobs the registry grouped in one program; each gets its own outcome (a failure fails them all)."""
    if not _may_start(settings):
        return [Outcome(job, "skipped", message=TOO_LATE) for job in jobs]
    start = time.perf_counter()
    try:
        with _from_commit(settings):
            records = registry.execute_group(settings.cfg, jobs, settings.force, settings.started)
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc} (trained as a group of {len(jobs)})"
        return [Outcome(job, _status_of(exc), time.perf_counter() - start, message) for job in jobs]
    seconds = time.perf_counter() - start
    note = f"trained as a group of {len(jobs)}"
    return [Outcome(job, "done", seconds, note, accuracy=_accuracy(r)) for job, r in zip(jobs, records)]


def _units(settings: Settings, jobs: list[Job]) -> list[tuple[Job, ...]]:
    return registry.groups(settings.cfg, jobs) if grouping_enabled() else [(job,) for job in jobs]


def _status_of(exc: Exception) -> str:
    """A job this machine cannot run (quantisation without TensorFlow), or one still waiting for the records it
    is made from, is skipped, not failed."""
    from fmnist_lib.models.compression import CompressionUnavailable

    return "skipped" if isinstance(exc, (CompressionUnavailable, registry.WaitingFor)) else "failed"


def _accuracy(record) -> float | None:
    """The headline accuracy of a job's record, for the progress log."""
    try:
        return record.accuracy
    except (AttributeError, KeyError, IndexError):  # a record without one headline accuracy
        return None


def run_jobs(
    cfg: dict,
    jobs: list[Job],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    force: bool = False,
    stop_starting_after: float | None = None,
    log_dir: Path | None = None,
    report: Callable[[str], None] = print,
) -> list[Outcome]:
    """Run ``jobs`` (in plan order): here when ``workers`` is 1, else on Dask.

    ``stop_starting_after`` (seconds from now) leaves jobs not yet started
    undone, so a run fits a fixed lease; their records are simply missing and
    a later run computes them. Ctrl-C cancels every queued job, stops the
    workers and raises ``Interrupted`` with what finished.
    """
    stop_at = time.time() + stop_starting_after if stop_starting_after is not None else None
    from fmnist_lib.store import provenance

    # the commit as the run starts, not when each record is written: the files may change in between
    settings = Settings(
        cfg, force, stop_at, log_dir, runstore.results_root(), time.time(), source_commit=provenance.git_commit()
    )
    for job in jobs:  # a record's fingerprint is of the code as this run started, even if the files change later
        registry.code_of(cfg, job)
    outcomes: list[Outcome] = []
    started = time.monotonic()

    def note(outcome: Outcome) -> None:
        outcomes.append(outcome)
        acc = f" accuracy {outcome.accuracy:.4f}" if outcome.accuracy is not None else ""
        extra = f" ({outcome.message})" if outcome.message else ""
        report(
            f"[{len(outcomes)}/{len(jobs)}] {outcome.status:7} {outcome.job.label} "
            f"in {outcome.seconds:.1f} s{acc}{extra}; {progress(time.monotonic() - started, len(outcomes), len(jobs))}"
        )

    try:
        if workers == 1 and scheduler is None:
            for unit in _units(settings, jobs):
                for outcome in run_group(settings, unit) if len(unit) > 1 else [run_one(settings, unit[0])]:
                    note(outcome)
        else:
            _run_on_dask(settings, jobs, workers, scheduler, note)
    except KeyboardInterrupt:
        raise Interrupted(outcomes) from None
    return outcomes


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def progress(elapsed: float, done: int, total: int) -> str:
    """'elapsed 3:05, about 6:10 left': the time still to go, at this run's mean time per finished job.

    Jobs differ in cost, so the estimate is rough; it says so by rounding to
    whole minutes once more than one remains.
    """
    if done >= total:
        return f"elapsed {_clock(elapsed)}"
    left = elapsed / done * (total - done)
    shown = _clock(left) if left < 120 else f"{round(left / 60)} min"
    return f"elapsed {_clock(elapsed)}, about {shown} left"


def _run_on_dask(settings: Settings, jobs: list[Job], workers: int, scheduler: str | None, note) -> None:
    """Exclusive jobs one at a time, then the rest side by side, each after the jobs it depends on."""
    from dataclasses import replace

    from dask.distributed import Client, LocalCluster, as_completed

    # workers inherit the backend's settings from this environment; the client never trains
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    memory_limit=0,
                    silence_logs=50,
                )
            )
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(Client(scheduler))
            workers = max(1, len(client.scheduler_info()["workers"]))
        futures: dict[Job, object] = {}
        try:
            exclusive = [j for j in jobs if j.exclusive]
            for job in exclusive:  # alone: each waits for the one before
                future = client.submit(run_one, settings, job, key=_key(job), pure=False)
                futures[job] = future
                note(future.result())
            shared = replace(settings, concurrent=workers)
            pending = []
            for rank, unit in enumerate(_units(settings, [j for j in jobs if not j.exclusive])):
                deps = {f for job in unit for d in registry.dependencies(settings.cfg, job) if (f := futures.get(d))}
                task = run_group if len(unit) > 1 else run_one
                future = client.submit(
                    task,
                    shared,
                    unit if len(unit) > 1 else unit[0],
                    *deps,
                    key=_key(unit[0]),
                    priority=-rank,
                    pure=False,
                )
                futures.update({job: future for job in unit})
                pending.append(future)
            for future in as_completed(pending):
                done = future.result()
                for outcome in done if isinstance(done, list) else [done]:
                    note(outcome)
        except BaseException:
            client.cancel(list(futures.values()), force=True)
            raise


class SchedulerError(RuntimeError):
    """A --scheduler address that is malformed or has no Dask scheduler listening; the message says what to do."""


def check_scheduler(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds, with one line, on an address no Dask scheduler answers at (before any job is queued)."""
    from distributed.comm.addressing import parse_address

    try:
        scheme, _ = parse_address(address)
    except ValueError as exc:
        raise SchedulerError(
            f"--scheduler {address!r} is not a Dask address ({exc}); e.g. tcp://10.0.0.5:8786"
        ) from None
    if scheme not in ("tcp", "tls", "ws", "wss", "inproc"):
        raise SchedulerError(f"--scheduler {address!r}: Dask speaks tcp://, tls://, ws:// or wss://, not {scheme}://")
    from dask.distributed import Client

    try:
        Client(address, timeout=timeout).close()
    except ValueError as exc:
        raise SchedulerError(
            f"--scheduler {address!r} is not a Dask address ({exc}); e.g. tcp://10.0.0.5:8786"
        ) from None
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(
            f"no Dask scheduler answers at {address} within {timeout:g} s ({type(exc).__name__}); start one "
            "(dask scheduler, then dask worker ADDRESS) or leave out --scheduler to run here"
        ) from None


def _key(job: Job) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", f"{job.kind}-{job.seed}-{job.label}") + f"-{time.time_ns()}"


def summary(outcomes: list[Outcome]) -> dict[str, int]:
    counts = {"done": 0, "skipped": 0, "failed": 0}
    for outcome in outcomes:
        counts[outcome.status] += 1
    return counts
