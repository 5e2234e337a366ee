"""Run a profile's experiments straight into the run store, without notebooks.

The book's chapters read the same records, so experiments can be computed
where the hardware is (a GPU machine with JAX and no Jupyter, say) and the
report rendered anywhere else from the stored records:

    KERAS_BACKEND=jax python -m fmnist_lib.compute --profile full --workers 4
    python -m fmnist_lib.book run --profile full        # renders from the stored records

Each experiment is a job with its own record, written as soon as it is
finished; a rerun skips every job that has one, so an interrupted run loses
only the jobs in flight (and those resume from their last finished stage).
``--workers N`` runs N jobs side by side (the replication runs still alone).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import jobs, profiles, results


STEP_NAMES = ["baselines", "cnn_3_128", "dsc_gap", "audit", "scaling"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fmnist_lib.compute", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default=profiles.DEFAULT_PROFILE, help=", ".join(profiles.profile_names()))
    parser.add_argument("--only", action="append", choices=STEP_NAMES, help="run only this step; repeatable")
    parser.add_argument("--kind", action="append", choices=jobs.KINDS,
                        help="run only jobs of this kind (e.g. the GPU's: network, leakage, honest, family); repeatable")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="assignments")
    parser.add_argument("--force", action="store_true", help="recompute results even if stored")
    parser.add_argument("--results-dir", type=Path, help="default: results/")
    parser.add_argument("--workers", type=int, default=1,
                        help="jobs run side by side in worker processes (the replication runs always run alone)")
    parser.add_argument("--stop-starting-after", type=float, metavar="SECONDS",
                        help="start no job after this many seconds; what is left is computed by a later run")
    parser.add_argument("--plan", action="store_true",
                        help="list the jobs in order, each marked stored or to run, and exit")
    args = parser.parse_args(argv)
    try:
        overrides = dict(profiles.parse_assignment(a) for a in args.assignments)
        cfg = profiles.load_profile(args.profile, overrides)
    except profiles.ProfileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    if args.results_dir:
        os.environ[results.ENV_RESULTS_DIR] = str(args.results_dir.resolve())
    todo = jobs.plan(cfg, args.only or STEP_NAMES, args.kind)
    if args.plan:
        stored = [jobs.is_stored(cfg, job) for job in todo]
        for job, done in zip(todo, stored):
            print(f"{'stored' if done else 'to run':7} {job.kind:16} {job.name}{'  (alone)' if job.exclusive else ''}")
        print(f"{sum(stored)} of {len(todo)} jobs have a record in {results.profile_dir(args.profile)}")
        return 0
    start = time.perf_counter()
    log_dir = results.profile_dir(args.profile) / "logs" if args.workers > 1 else None
    outcomes = jobs.run_jobs(cfg, todo, workers=args.workers, force=args.force,
                             stop_starting_after=args.stop_starting_after, log_dir=log_dir,
                             report=lambda line: print(line, flush=True))
    counts = jobs.summary(outcomes)
    print(f"{counts['done']} done, {counts['skipped']} skipped, {counts['failed']} failed "
          f"in {time.perf_counter() - start:.1f} s; records in {results.profile_dir(args.profile)}")
    for outcome in outcomes:
        if outcome.status == "failed":
            print(f"FAILED {outcome.job.name}: {outcome.message}", file=sys.stderr)
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
