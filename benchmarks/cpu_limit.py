"""How close a CNN-3-128 training step runs to this CPU's limit, on TensorFlow and on JAX (XLA CPU).

A training step costs about 6 FLOPs per multiply-accumulate of the forward pass
(2 per MAC, forward plus a backward twice as heavy), 6 x 47,671,040 = 286
MFLOP per image. Dividing by the measured step time gives the achieved GFLOP/s;
the limit is a measured float32 matrix product of the same machine (the best a
BLAS kernel gets from its cores). Each backend runs in its own process
(Keras picks its backend once per process), alternately TF, JAX, TF, JAX, so
that the machine's drift falls on both.

Equivalence: both backends load the same initial weights and train on the same
batches; the forward pass of the starting weights is compared on 512 test
images (largest absolute difference of the softmax outputs), and the training
loss after the measured steps is printed for each (dropout draws its own masks
per backend, so close, not equal).

    python benchmarks/cpu_limit.py [--steps 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import machine_line, print_table

REPO = Path(__file__).resolve().parents[1]
BATCH = 128
FLOPS_PER_MAC_TRAINING = 6

WORKER = """
import json, sys, time
import numpy as np, keras
from fmnist_lib import models, training, data
from fmnist_lib.models import cost
weights, steps = sys.argv[1], int(sys.argv[2])
model = training.compile_for_protocol(models.cnn_3_128(), 1e-3)
model.load_weights(weights)
ds = data.load_fashion_mnist()
x, y, xt = data.as_cnn_input(ds.x_train[:%(images)d]), ds.y_train[:%(images)d], data.as_cnn_input(ds.x_test[:512])
first = model.predict(xt, batch_size=512, verbose=0)
model.train_on_batch(x[:%(batch)d], y[:%(batch)d])  # compiles the step
times, loss = [], None
for i in range(steps):
    lo = (i * %(batch)d) %% (len(x) - %(batch)d)
    t = time.perf_counter()
    loss = model.train_on_batch(x[lo:lo + %(batch)d], y[lo:lo + %(batch)d])
    times.append(time.perf_counter() - t)
print(json.dumps({"step_seconds": float(np.median(times)), "loss": float(np.ravel(loss)[0]),
                  "macs": cost.model_macs(model), "forward": first.tolist()}))
"""


def matmul_gflops(n: int = 2048, repeats: int = 5) -> dict:
    """The best of ``repeats`` float32 n x n matrix products, in GFLOP/s, by NumPy's BLAS and by TensorFlow."""
    rng = np.random.default_rng(0)
    a, b = rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)
    flops = 2 * n**3
    best = {}
    a @ b
    best["numpy"] = flops / min(_timed(lambda: a @ b) for _ in range(repeats)) / 1e9
    import tensorflow as tf

    ta, tb = tf.constant(a), tf.constant(b)
    tf.linalg.matmul(ta, tb).numpy()
    best["tensorflow"] = flops / min(_timed(lambda: tf.linalg.matmul(ta, tb).numpy()) for _ in range(repeats)) / 1e9
    return best


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_backend(backend: str, weights: Path, steps: int, images: int) -> dict:
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    code = WORKER % {"batch": BATCH, "images": images}
    out = subprocess.run(
        [sys.executable, "-c", code, str(weights), str(steps)], cwd=REPO, env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(f"{backend} worker failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    from fmnist_lib import models

    print(machine_line())
    peak = matmul_gflops()
    print(
        f"matrix product peak (2048 x 2048, float32): numpy {peak['numpy']:.0f} GFLOP/s, "
        f"tensorflow {peak['tensorflow']:.0f} GFLOP/s"
    )
    limit = max(peak.values())
    with tempfile.TemporaryDirectory() as tmp:
        weights = Path(tmp) / "start.weights.h5"
        keras.utils.set_random_seed(0)
        models.cnn_3_128().save_weights(weights)
        results: dict[str, list[dict]] = {"tensorflow": [], "jax": []}
        for _ in range(args.rounds):
            for backend in results:
                results[backend].append(run_backend(backend, weights, args.steps, images=BATCH * (args.steps + 1)))
    rows = []
    for backend, runs in results.items():
        step = float(np.median([r["step_seconds"] for r in runs]))
        flops = FLOPS_PER_MAC_TRAINING * runs[0]["macs"] * BATCH
        rows.append(
            {
                "backend": backend,
                "step (s), median of rounds": round(step, 3),
                "steps per round": args.steps,
                "GFLOP/s": round(flops / step / 1e9, 1),
                "share of matmul peak": f"{flops / step / 1e9 / limit:.0%}",
                "loss after the steps": ", ".join(f"{r['loss']:.4f}" for r in runs),
            }
        )
    print_table(rows)
    tf_out, jax_out = np.array(results["tensorflow"][0]["forward"]), np.array(results["jax"][0]["forward"])
    print(
        "same starting weights, 512 test images: largest |softmax TF - softmax JAX| = "
        f"{np.abs(tf_out - jax_out).max():.2e}"
    )
    ratio = rows[1]["step (s), median of rounds"] / rows[0]["step (s), median of rounds"]
    print(f"JAX step / TensorFlow step: {ratio:.2f}")


if __name__ == "__main__":
    main()
