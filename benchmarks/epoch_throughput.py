"""Per-epoch time and images/s of CNN-3-128 and the light model at protocol settings.

Prints, for the machine it runs on, the measured seconds per epoch scaled to
the full 60,000 images, next to what the seed's Fig. 3 implies (1,002 s for
62 epochs of CNN-3-128, 64 s for 16 epochs of the light model). ``--fast``
adds an optional mode never used for the replication numbers: bfloat16 mixed
precision and batch 512, with the accuracy after the same number of epochs.
``--augmented`` adds CNN-3-128 with the paper's augmenter on every training
batch (the audit's honest-augmentation run), to show what augmentation costs.

    python benchmarks/epoch_throughput.py [--images 10000] [--epochs 2] [--fast] [--augmented]
"""

from __future__ import annotations

import argparse
import time

import keras  # noqa: E402
import numpy as np  # noqa: E402
from _common import machine_line, print_table

from fmnist_lib import (
    data,
    models,
    training,  # noqa: E402
)
from fmnist_lib.audit import claims
from fmnist_lib.data import augment

SEED_SECONDS_PER_EPOCH = {
    "cnn_3_128": claims.CNN_TRAIN_SECONDS_62_EPOCHS / 62,
    "dsc_gap": claims.LIGHT_TRAIN_SECONDS_16_EPOCHS / claims.LIGHT_EPOCHS_FOR_TIME,
}


def measure(name: str, train, test, epochs: int, batch: int, policy: str, augmented: bool = False) -> dict:
    keras.mixed_precision.set_global_policy(policy)
    keras.utils.set_random_seed(0)
    model = models.build_model(name)
    model = training.compile_for_protocol(augment.with_augmentation(model) if augmented else model, 1e-3)
    model.fit(train[0][: batch * 2], train[1][: batch * 2], batch_size=batch, epochs=1, verbose=0)  # compile: 2 batches
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        model.fit(*train, batch_size=batch, epochs=1, verbose=0)
        times.append(time.perf_counter() - start)
    accuracy = float(np.mean(training.predict_classes(model, test[0]) == test[1]))
    keras.mixed_precision.set_global_policy("float32")
    per_epoch = float(np.median(times))
    n = len(train[1])
    return {
        "model": name + (" + augmenter" if augmented else ""),
        "mode": f"{policy}, batch {batch}",
        "s/epoch": round(per_epoch, 2),
        "images/s": round(n / per_epoch),
        "s per 60k epoch": round(per_epoch * 60_000 / n, 1),
        "seed's s/epoch": round(SEED_SECONDS_PER_EPOCH[name], 1),
        f"test acc after {epochs} ep": f"{accuracy:.2%}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--fast", action="store_true", help="also measure bfloat16 mixed precision at batch 512")
    parser.add_argument("--augmented", action="store_true", help="also measure CNN-3-128 with the paper's augmenter")
    args = parser.parse_args()
    ds = data.load_fashion_mnist()
    tr = data.stratified_subsample(ds.y_train, args.images, 0)
    train = (data.as_cnn_input(ds.x_train[tr]), ds.y_train[tr])
    test = (data.as_cnn_input(ds.x_test), ds.y_test)
    rows = []
    for name in ("cnn_3_128", "dsc_gap"):
        rows.append(measure(name, train, test, args.epochs, 128, "float32"))
        if args.fast:
            rows.append(measure(name, train, test, args.epochs, 512, "mixed_bfloat16"))
    if args.augmented:
        rows.append(measure("cnn_3_128", train, test, args.epochs, 128, "float32", augmented=True))
    print(machine_line())
    print(f"{args.images:,} training images, median of {args.epochs} timed epochs after a warm-up\n")
    print_table(rows)
    for name in ("cnn_3_128", "dsc_gap"):
        ours = next(r for r in rows if r["model"] == name)["s per 60k epoch"]
        print(f"{name}: our 60k epoch / the seed's = {ours / SEED_SECONDS_PER_EPOCH[name]:.2f}")
    cnn, light = (next(r for r in rows if r["model"] == n and "float32" in r["mode"]) for n in ("cnn_3_128", "dsc_gap"))
    print(
        f"light/CNN-3-128 time per epoch here: {light['s/epoch'] / cnn['s/epoch']:.2f} "
        f"(seed: {SEED_SECONDS_PER_EPOCH['dsc_gap'] / SEED_SECONDS_PER_EPOCH['cnn_3_128']:.2f})"
    )


if __name__ == "__main__":
    main()
