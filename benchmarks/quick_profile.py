"""End-to-end wall time and peak memory of the quick report, and the Jupyter Book build alone.

Runs the real command in a fresh results and build folder (so nothing is
read from an earlier run), samples the resident memory of the runner and all
its kernels every half second, and reads the chapter and build times the
runner records. Compare with the targets: at most 10 minutes, at most 6 GiB.

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

from _common import machine_line, print_table

import psutil  # noqa: E402  (installed with ipykernel)

REPO = Path(__file__).resolve().parents[1]


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="quick")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "fmnist_lib.book", "run", "--profile", args.profile,
                   "--build-dir", f"{tmp}/build", "--results-dir", f"{tmp}/results"]
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
    rows = [{"step": c["chapter"], "seconds": round(c["seconds"], 1)} for c in manifest["chapters"]]
    rows.append({"step": "jupyter-book build", "seconds": round(manifest["build_seconds"], 1)})
    rows.append({"step": "whole command", "seconds": round(wall, 1)})
    print(machine_line())
    print(f"profile {args.profile}, fresh run store\n")
    print_table(rows)
    print(f"\nwall time {wall / 60:.1f} min (target <= 10); peak memory {peak / 2**30:.2f} GiB (target <= 6)")


if __name__ == "__main__":
    main()
