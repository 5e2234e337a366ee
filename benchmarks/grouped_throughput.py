"""Images/s of K models trained side by side in one program (JAX vmap) against one model's `fit`.

For CNN-3-128 and the light model at the protocol's batch of 128: the grouped
trainer's step (fmnist_lib/grouped_training.py) for each K, and Keras' own
`model.fit` on one model, in the same run. Compilation is excluded (two warm-up
steps). Needs KERAS_BACKEND=jax; meant for a GPU, where one batch-128 model
leaves the device mostly idle. On a CPU use small numbers, e.g.

    KERAS_BACKEND=jax python benchmarks/grouped_throughput.py --groups 1 2 --steps 5
    KERAS_BACKEND=jax python benchmarks/grouped_throughput.py --groups 1 2 4 8 16 --steps 200   # on a GPU
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import machine_line, print_table

from fmnist_lib import data, models, training
from fmnist_lib.training import grouped

BATCH = 128


def grouped_images_per_second(name: str, k: int, x: np.ndarray, y: np.ndarray, steps: int) -> float:
    import jax

    build = lambda: models.build_model(name)  # noqa: E731
    program = grouped._program(build, 1e-3)
    state = grouped._stack([grouped.initial_state(build, 1e-3, seed) for seed in range(k)])
    step = jax.jit(jax.vmap(program.step))
    rng = np.random.default_rng(0)
    batches = [rng.integers(0, len(x), (k, BATCH)) for _ in range(steps + 2)]
    for idx in batches[:2]:  # compile and warm up
        state, loss, _ = step(state, x[idx], y[idx])
    jax.block_until_ready(loss)
    start = time.perf_counter()
    for idx in batches[2:]:
        state, loss, _ = step(state, x[idx], y[idx])
    jax.block_until_ready(loss)
    return k * BATCH * steps / (time.perf_counter() - start)


def fit_images_per_second(name: str, x: np.ndarray, y: np.ndarray, steps: int) -> float:
    model = training.compile_for_protocol(models.build_model(name), 1e-3)
    model.fit(x[: 2 * BATCH], y[: 2 * BATCH], batch_size=BATCH, epochs=1, verbose=0)  # compile
    n = steps * BATCH
    start = time.perf_counter()
    model.fit(x[:n], y[:n], batch_size=BATCH, epochs=1, verbose=0)
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--steps", type=int, default=200, help="timed steps per measurement")
    parser.add_argument("--models", nargs="+", default=["cnn_3_128", "dsc_gap"])
    args = parser.parse_args()
    grouped._require_jax()
    print(machine_line())
    ds = data.load_fashion_mnist()
    n = max(args.steps * BATCH, 2 * BATCH)
    idx = data.stratified_subsample(ds.y_train, min(n, len(ds.y_train)), 0)
    x, y = data.as_cnn_input(ds.x_train[idx]), ds.y_train[idx]
    x = np.resize(x, (n, *x.shape[1:]))
    y = np.resize(y, n)
    rows = []
    for name in args.models:
        lone = fit_images_per_second(name, x, y, args.steps)
        rows.append({"model": name, "trainer": "keras fit, one model", "K": 1, "images/s": round(lone),
                     "ratio to fit": 1.0})  # fmt: skip
        for k in args.groups:
            rate = grouped_images_per_second(name, k, x, y, args.steps)
            rows.append({"model": name, "trainer": "grouped (vmap)", "K": k, "images/s": round(rate),
                         "ratio to fit": round(rate / lone, 2)})  # fmt: skip
    print_table(rows)


if __name__ == "__main__":
    main()
