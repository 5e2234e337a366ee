"""Fit and predict time of each classical baseline, with the settings the report uses.

``n_jobs=-1`` where an estimator has it, and a 2 GB kernel cache for SVC,
exactly as the report fits them.

    python benchmarks/baselines_timing.py [--images 60000] [--models "SVM,KNN"]
"""

from __future__ import annotations

import argparse

from _common import machine_line, print_table

from fmnist_lib import data  # noqa: E402
from fmnist_lib.models import classical


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=60_000)
    parser.add_argument("--models", default=",".join(classical.MODEL_NAMES))
    args = parser.parse_args()
    ds = data.load_fashion_mnist()
    tr = data.stratified_subsample(ds.y_train, None if args.images >= 60_000 else args.images, 0)
    train = (data.as_vectors(ds.x_train[tr]), ds.y_train[tr])
    test = (data.as_vectors(ds.x_test), ds.y_test)
    rows = []
    for name in args.models.split(","):
        r = classical.fit_and_score(name, train, test, seed=0)
        rows.append(
            {
                "model": name,
                "fit (s)": round(r["fit_seconds"], 1),
                "predict (s)": round(r["predict_seconds"], 1),
                "accuracy": f"{r['accuracy']:.2%}",
            }
        )
        print(rows[-1], flush=True)
    print(machine_line())
    print(f"{len(tr):,} training images, {len(test[1]):,} test images\n")
    print_table(rows)


if __name__ == "__main__":
    main()
