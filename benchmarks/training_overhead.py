"""Our staged training loop against a plain ``model.fit`` on the same data, epochs and seed.

The staged loop does more than fit: it evaluates the test and training sets
after each stage and checkpoints model and optimizer. This prints the wall
time of both and their ratio, and the ratio of the time spent in fit alone.

    python benchmarks/training_overhead.py [--images 10000] [--schedule 1,2,4] [--model cnn_3_128]
"""

from __future__ import annotations

import argparse
import tempfile
import time

from _common import machine_line, print_table

import keras  # noqa: E402

from fmnist_lib import data, models, training  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--schedule", default="1,2,4")
    parser.add_argument("--model", default="cnn_3_128")
    args = parser.parse_args()
    schedule = [int(x) for x in args.schedule.split(",")]
    ds = data.load_fashion_mnist()
    tr = data.stratified_subsample(ds.y_train, args.images, 0)
    train = (data.as_cnn_input(ds.x_train[tr]), ds.y_train[tr])
    test = (data.as_cnn_input(ds.x_test), ds.y_test)

    keras.utils.set_random_seed(0)
    model = training.compile_for_protocol(models.build_model(args.model), 1e-3)
    start = time.perf_counter()
    model.fit(*train, batch_size=128, epochs=schedule[-1], verbose=0)
    plain_fit = time.perf_counter() - start
    model.evaluate(*test, batch_size=1024, verbose=0)
    plain_total = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = training.train_staged(lambda: models.build_model(args.model), train, test, schedule=schedule,
                                       batch_size=128, learning_rate=1e-3, seed=0, checkpoint_dir=tmp, verbose=0)
        staged_total = time.perf_counter() - start
    staged_fit = result["stages"][-1]["cumulative_train_seconds"]

    print(machine_line())
    print(f"{args.model}, {args.images:,} training images, batch 128, schedule {schedule}\n")
    print_table([
        {"loop": "plain model.fit + one evaluate", "fit (s)": round(plain_fit, 1), "total (s)": round(plain_total, 1)},
        {"loop": "train_staged (stages, evaluations, checkpoints)", "fit (s)": round(staged_fit, 1),
         "total (s)": round(staged_total, 1)},
    ])
    print(f"\nratio staged/plain, fit only: {staged_fit / plain_fit:.3f}")
    print(f"ratio staged/plain, total:    {staged_total / plain_total:.3f}")


if __name__ == "__main__":
    main()
