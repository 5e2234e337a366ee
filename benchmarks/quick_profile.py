"""End-to-end wall time and peak memory of the quick report, and the Jupyter Book build alone.

Runs the real command in a fresh results and build folder (so nothing is
read from an earlier run), samples the resident memory of the runner and all
its kernels every half second, and reads the chapter and build times the
runner records. Compare with the targets: at most 10 minutes, at most 6 GiB.

The development machine's speed drifts by tens of percent from minute to
minute, so a fixed reference workload (a CNN-3-128 training step repeated on a
constant batch) is timed before and after the run: when it is slow, the whole
run was slow for reasons that are not the code's.

    python benchmarks/quick_profile.py [--profile quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil  # noqa: E402  (installed with ipykernel)
from _common import machine_line, print_table

REPO = Path(__file__).resolve().parents[1]


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


REFERENCE = """
import time, numpy as np, keras
from fmnist_lib import models
from fmnist_lib import training
m = training.compile_for_protocol(models.cnn_3_128(), 1e-3)
x, y = np.random.default_rng(0).random((1280, 28, 28, 1), dtype=np.float32), np.arange(1280) % 10
m.fit(x[:128], y[:128], batch_size=128, epochs=1, verbose=0)
t = time.perf_counter(); m.fit(x, y, batch_size=128, epochs=2, verbose=0); print(time.perf_counter() - t)
"""


def reference_seconds() -> float:
    """Seconds for 20 CNN-3-128 training steps in a fresh process: the machine's speed right now."""
    out = subprocess.run([sys.executable, "-c", REFERENCE], cwd=REPO, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="quick")
    args = parser.parse_args()
    before = reference_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable,
            "-m",
            "fmnist_lib.book",
            "run",
            "--profile",
            args.profile,
            "--build-dir",
            f"{tmp}/build",
            "--results-dir",
            f"{tmp}/results",
        ]
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        watcher, peak = psutil.Process(proc.pid), 0
        while proc.poll() is None:
            peak = max(peak, tree_rss(watcher))
            time.sleep(0.5)
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(f"the run failed with exit code {proc.returncode}")
        manifest = json.loads((Path(tmp) / "build" / "book" / "run_manifest.json").read_text())
    after = reference_seconds()
    rows = [{"step": c["chapter"], "seconds": round(c["seconds"], 1)} for c in manifest["chapters"]]
    rows.append({"step": "jupyter-book build", "seconds": round(manifest["build_seconds"], 1)})
    rows.append({"step": "whole command", "seconds": round(wall, 1)})
    print(machine_line())
    print(f"profile {args.profile}, fresh run store\n")
    print_table(rows)
    print(f"\nwall time {wall / 60:.1f} min (target <= 10); peak memory {peak / 2**30:.2f} GiB (target <= 6)")
    print(
        f"machine speed: 20 reference training steps took {before:.1f} s before the run and {after:.1f} s "
        "after it (compare across runs: a slower reference means a slower machine, not slower code)"
    )


if __name__ == "__main__":
    main()
