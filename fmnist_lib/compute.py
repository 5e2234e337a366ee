"""Run a profile's experiments straight into the run store, without notebooks.

The book's chapters read the same records, so experiments can be computed
where the hardware is (a GPU machine with JAX and no Jupyter, say) and the
report rendered anywhere else from the stored records:

    KERAS_BACKEND=jax python -m fmnist_lib.compute --profile full --results-dir results
    python -m fmnist_lib.book run --profile full        # renders from the stored records

Steps run in the chapters' order; each record is written as soon as it is
finished, so an interrupted run loses at most the stage in progress.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import profiles, results


def _audit(cfg: dict, force: bool) -> None:
    from . import experiments

    for rotation in cfg["audit"]["rotations"]:
        experiments.run_leakage(cfg, rotation, force=force)
    experiments.run_honest_augmentation(cfg, force=force)
    experiments.run_seed_study(cfg, force=force)
    experiments.run_near_duplicates(cfg, force=force)


def _scaling(cfg: dict, force: bool) -> None:
    from . import compression, experiments

    experiments.run_family(cfg, force=force)
    for name in ("cnn_3_128", "dsc_gap"):
        try:
            experiments.run_compression(cfg, name, force=force)
        except compression.CompressionUnavailable as exc:
            print(f"compression of {name} skipped: {exc}", flush=True)


def _steps() -> dict:
    from . import experiments

    return {
        "baselines": lambda cfg, force: experiments.run_baselines(cfg, force=force),
        "cnn_3_128": lambda cfg, force: experiments.run_network(cfg, "cnn_3_128", force=force),
        "dsc_gap": lambda cfg, force: experiments.run_network(cfg, "dsc_gap", force=force),
        "audit": _audit,
        "scaling": _scaling,
    }


STEP_NAMES = ["baselines", "cnn_3_128", "dsc_gap", "audit", "scaling"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fmnist_lib.compute", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default=profiles.DEFAULT_PROFILE, help=", ".join(profiles.profile_names()))
    parser.add_argument("--only", action="append", choices=STEP_NAMES, help="run only this step; repeatable")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="assignments")
    parser.add_argument("--force", action="store_true", help="recompute results even if stored")
    parser.add_argument("--results-dir", type=Path, help="default: results/")
    args = parser.parse_args(argv)
    try:
        overrides = dict(profiles.parse_assignment(a) for a in args.assignments)
        cfg = profiles.load_profile(args.profile, overrides)
    except profiles.ProfileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.results_dir:
        import os

        os.environ[results.ENV_RESULTS_DIR] = str(args.results_dir.resolve())
    steps = _steps()
    timings = []
    for name in args.only or STEP_NAMES:
        start = time.perf_counter()
        print(f"[{name}] ...", flush=True)
        steps[name](cfg, args.force)
        timings.append((name, time.perf_counter() - start))
        print(f"[{name}] done in {timings[-1][1]:.1f} s", flush=True)
    print("records in", results.profile_dir(args.profile))
    for name, seconds in timings:
        print(f"  {name:<10} {seconds:8.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
