"""Our staged training loop against a plain ``model.fit`` on the same data, epochs and seed.

The staged loop does more than fit: it evaluates the test and training sets
after each stage and checkpoints model and optimizer. This prints the wall
time of both and their ratio, and the ratio of the time spent in fit alone.
The two loops alternate ``--repeats`` times; both the best and the median
runs are compared, because a shared CPU's speed drifts by tens of percent
between minutes (the best run is the least disturbed one).

    python benchmarks/training_overhead.py [--images 5000] [--schedule 1,2,4] [--repeats 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _common import machine_line, print_table

from fmnist_lib import (
    data,
    models,
    training,  # noqa: E402
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--schedule", default="1,2,4")
    parser.add_argument("--model", default="cnn_3_128")
    args = parser.parse_args()
    schedule = [int(x) for x in args.schedule.split(",")]
    ds = data.load_fashion_mnist()
    tr = data.stratified_subsample(ds.y_train, args.images, 0)
    train = (data.as_cnn_input(ds.x_train[tr]), ds.y_train[tr])
    test = (data.as_cnn_input(ds.x_test), ds.y_test)

    plain_fit, plain_total, staged_fit, staged_total = [], [], [], []
    for _ in range(args.repeats):
        keras.utils.set_random_seed(0)
        model = training.compile_for_protocol(models.build_model(args.model), 1e-3)
        start = time.perf_counter()
        model.fit(*train, batch_size=128, epochs=schedule[-1], verbose=0)
        plain_fit.append(time.perf_counter() - start)
        model.evaluate(*test, batch_size=1024, verbose=0)
        plain_total.append(time.perf_counter() - start)
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            result = training.train_staged(
                lambda: models.build_model(args.model),
                train,
                test,
                schedule=schedule,
                batch_size=128,
                learning_rate=1e-3,
                seed=0,
                checkpoint_dir=tmp,
                verbose=0,
            )
            staged_total.append(time.perf_counter() - start)
        staged_fit.append(result["stages"][-1]["cumulative_train_seconds"])
    runs = {"plain_fit": plain_fit, "plain_total": plain_total, "staged_fit": staged_fit, "staged_total": staged_total}
    best = {k: float(np.min(v)) for k, v in runs.items()}
    median = {k: float(np.median(v)) for k, v in runs.items()}

    print(machine_line())
    print(
        f"{args.model}, {args.images:,} training images, batch 128, schedule {schedule}, "
        f"median of {args.repeats} alternating runs\n"
    )
    print_table(
        [
            {
                "loop": "plain model.fit + one evaluate",
                "fit, best (s)": round(best["plain_fit"], 1),
                "fit, median (s)": round(median["plain_fit"], 1),
                "total, best (s)": round(best["plain_total"], 1),
                "total, median (s)": round(median["plain_total"], 1),
            },
            {
                "loop": "train_staged (stages, evaluations, checkpoints)",
                "fit, best (s)": round(best["staged_fit"], 1),
                "fit, median (s)": round(median["staged_fit"], 1),
                "total, best (s)": round(best["staged_total"], 1),
                "total, median (s)": round(median["staged_total"], 1),
            },
        ]
    )
    print("\nall runs (s):", {k: [round(x, 1) for x in v] for k, v in runs.items()})
    for label, stat in (("best", best), ("median", median)):
        print(
            f"ratio staged/plain ({label}): fit only {stat['staged_fit'] / stat['plain_fit']:.3f}, "
            f"total {stat['staged_total'] / stat['plain_total']:.3f}"
        )


if __name__ == "__main__":
    main()
