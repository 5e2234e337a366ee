"""Command line: run a profile's experiments straight into the run store, without notebooks.

The book's chapters read the same records, so experiments can be computed
where the hardware is (a GPU machine with JAX and no Jupyter, say) and the
report rendered anywhere else from the stored records:

    KERAS_BACKEND=jax python -m fmnist_lib.compute --profile full --accelerated --workers 4
    python -m fmnist_lib.book run --profile full        # renders from the stored records

Each experiment is a job with its own record, written as soon as it is
finished; a rerun skips every job that has one, so an interrupted run loses
only the jobs in flight (and those resume from their last finished stage).
``--workers N`` runs N jobs side by side on an embedded Dask cluster (the
replication runs still alone); ``--scheduler ADDRESS`` runs them on an
existing Dask cluster whose workers share this run store.
"""

from __future__ import annotations

import signal
import sys

INTERRUPTED = "interrupted: the records finished so far are stored; rerun the same command to continue"


def _interrupted_while_starting(signum, frame) -> None:
    print(INTERRUPTED, file=sys.stderr)
    raise SystemExit(130)


if __name__ == "__main__":  # Ctrl-C during the seconds the imports take: one line, not their traceback
    _SIGINT_BEFORE = signal.signal(signal.SIGINT, _interrupted_while_starting)

import argparse
import os
import time
from pathlib import Path

from fmnist_lib import profiles
from fmnist_lib.data.fashion import DataError, check_folder_readable, locate_data_dir
from fmnist_lib.report.quiet import filtered_stderr, library_chatter_off
from fmnist_lib.settings import ENV_RESULTS_DIR, REPO_ROOT
from fmnist_lib.store import runstore
from fmnist_lib.text import counted
from fmnist_lib.training.distribute import DistributionError, check_backend_name, check_environment

if __name__ == "__main__":  # imported: Ctrl-C raises KeyboardInterrupt again, which main answers with the job count
    signal.signal(signal.SIGINT, _SIGINT_BEFORE)


def select(
    cfg: dict, kinds: list[str] | None, only: list[str] | None, accelerated: bool, chapters: list[str] | None = None
) -> list:
    """The plan's jobs of the chosen kinds, labels and chapters (``--only`` takes a job label or a kind)."""
    from fmnist_lib.experiments import registry
    from fmnist_lib.report.runner import chapter_number, select_chapters, toc_chapters

    if chapters:
        root, listed = toc_chapters(REPO_ROOT)
        picked = select_chapters([*listed, root], chapters, asked_by="--chapter")
        chapters = [chapter_number(c) for c in picked]
    todo = registry.plan(cfg, kinds, chapters)
    if accelerated:
        todo = [j for j in todo if j.experiment.accelerated]
    if only:
        unknown = [o for o in only if not any(o in (j.label, j.kind) for j in todo)]
        if unknown:
            labels = ", ".join(j.label for j in todo)
            raise profiles.ProfileError(f"--only {unknown[0]!r} names no job of this plan; jobs: {labels}")
        todo = [j for j in todo if j.label in only or j.kind in only]
    return todo


def main(argv: list[str] | None = None) -> int:
    try:
        check_backend_name()  # before Keras is imported, which a bad name would break obscurely
    except DistributionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from fmnist_lib.experiments import jobs, registry

    args = _parser(tuple(registry.REGISTRY)).parse_args(argv)
    if args.results_dir:
        os.environ[ENV_RESULTS_DIR] = str(args.results_dir.resolve())
    try:
        if args.workers < 1:
            raise profiles.ProfileError("--workers must be at least 1")
        check_environment()
        check_folder_readable()
        overrides = dict(profiles.parse_assignment(a) for a in args.assignments)
        cfg = profiles.load_profile(args.profile, overrides)
        todo = select(cfg, args.kind, args.only, args.accelerated, args.chapter)
        if not args.plan:
            locate_data_dir()  # the data the jobs read, or one line naming what is missing: not a failure per job
            registry.check_inputs(todo)
        if args.scheduler and not args.plan:
            jobs.check_scheduler(args.scheduler)
    except (profiles.ProfileError, DistributionError, DataError, jobs.SchedulerError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.tested_equivalent:
        return _record_equivalence(cfg, todo, args.tested_equivalent)
    if args.plan:
        return _print_plan(cfg, todo, args.profile)
    return _run(cfg, todo, args)


def _parser(kinds: tuple[str, ...]) -> argparse.ArgumentParser:
    """Every option of the command line; ``kinds`` are the registry's, for ``--kind``."""
    parser = argparse.ArgumentParser(
        prog="python -m fmnist_lib.compute", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profile", default=profiles.DEFAULT_PROFILE, help=", ".join(profiles.profile_names()))
    parser.add_argument(
        "--only", action="append", metavar="JOB", help="run only this job (its label in --plan, or a kind); repeatable"
    )
    parser.add_argument("--kind", action="append", choices=kinds, help="run only jobs of this kind; repeatable")
    parser.add_argument(
        "--accelerated", action="store_true", help="run only the jobs that train a network (what a GPU machine runs)"
    )
    parser.add_argument(
        "--chapter", action="append", metavar="NN", help="run only what this chapter shows (e.g. 03, index); repeatable"
    )
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="assignments")
    parser.add_argument("--force", action="store_true", help="recompute the selected records even if stored")
    parser.add_argument("--results-dir", type=Path, help="default: the repository's results/")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="jobs run side by side on an embedded Dask cluster (the replication runs always run alone)",
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster (e.g. tcp://10.0.0.5:8786)"
    )
    parser.add_argument(
        "--stop-starting-after",
        type=float,
        metavar="SECONDS",
        help="start no job after this many seconds; what is left is computed by a later run",
    )
    parser.add_argument(
        "--plan", action="store_true", help="list the jobs in order, each marked stored or to run, and exit"
    )
    parser.add_argument(
        "--tested-equivalent",
        metavar="TEST",
        help="(maintainers) after TEST showed that today's code reproduces the old code's records exactly, record "
        "that the selected stored records whose code changed were computed by equivalent code, and exit",
    )
    return parser


def _print_plan(cfg: dict, todo: list, profile: str) -> int:
    """``--plan``: every selected job in order, stored or to run, and whose computing code changed since."""
    from fmnist_lib.experiments import registry
    from fmnist_lib.experiments.read import compute_command

    try:
        stored = [registry.is_stored(cfg, job) for job in todo]
    except (runstore.RecordError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    lacking = registry.models_missing(cfg, [job for job, done in zip(todo, stored) if not done])
    for job, done in zip(todo, stored):
        alone = "  (alone)" if job.exclusive else ""
        status = registry.stored_record(cfg, job).code_status if done else None
        changed = f"  [computing code {status.text}]" if status is not None and status.changed else ""
        needs = f"  [reads the model of {', '.join(s.label for s in lacking[job])}: not here]" if job in lacking else ""
        print(f"{'stored' if done else 'to run':7} {job.kind:16} {job.label}{alone}{changed}{needs}")
    print(f"{sum(stored)} of {len(todo)} jobs have a record in {runstore.profile_dir(profile)}")
    if lacking:
        models = list(dict.fromkeys(s for sources in lacking.values() for s in sources))
        print(
            f"{counted(len(lacking), 'job')} read the kept models of {', '.join(s.label for s in models)}, which "
            f"this store lacks (records travel without them) and would stop at once; train them here first, "
            f"which replaces their records: {compute_command(cfg, models)} --force "
            f"(on the GPU machine: RETRAIN, gpu/README.md)"
        )
    return 0


def _run(cfg: dict, todo: list, args: argparse.Namespace) -> int:
    """Run the selected jobs; exit 1 if any failed, 130 on Ctrl-C (what finished is stored)."""
    from fmnist_lib.experiments import jobs

    start = time.perf_counter()
    log_dir = runstore.profile_dir(args.profile) / "logs" if args.workers > 1 or args.scheduler else None
    try:
        outcomes = jobs.run_jobs(
            cfg,
            todo,
            workers=args.workers,
            scheduler=args.scheduler,
            force=args.force,
            stop_starting_after=args.stop_starting_after,
            log_dir=log_dir,
            report=lambda line: print(line, flush=True),
        )
    except jobs.Interrupted as stop:
        done = jobs.summary(stop.outcomes)["done"]
        print(
            f"interrupted: {done} of {len(todo)} jobs finished and are stored, queued jobs were cancelled; "
            "rerun the same command to continue",
            file=sys.stderr,
        )
        return 130
    counts = jobs.summary(outcomes)
    print(
        f"{counts['done']} done, {counts['skipped']} skipped, {counts['failed']} failed "
        f"in {time.perf_counter() - start:.1f} s; records in {runstore.profile_dir(args.profile)}"
    )
    for outcome in outcomes:
        if outcome.status == "failed":
            print(f"FAILED {outcome.job.label}: {outcome.message}", file=sys.stderr)
    return 1 if counts["failed"] else 0


def _record_equivalence(cfg: dict, todo: list, test: str) -> int:
    """Keep an equivalence (old fingerprint, today's, the test) for each selected record whose code changed."""
    from fmnist_lib.experiments import registry
    from fmnist_lib.store import equivalence

    entries = []
    for job in todo:
        record = registry.stored_record(cfg, job)
        if record is not None and record.code_status.changed:
            entries.append(equivalence.Equivalence(job.kind, record.code, registry.code_of(cfg, job), test))
    equivalence.add(entries)
    print(f"{counted(len(entries), 'record')} now read 'equivalent, tested ({test})'")
    return 0


if __name__ == "__main__":
    library_chatter_off()
    try:
        with filtered_stderr():
            code = main()
    except KeyboardInterrupt:  # main answers Ctrl-C while jobs run; this catches it while starting or closing
        print(INTERRUPTED, file=sys.stderr)
        code = 130
    sys.exit(code)
