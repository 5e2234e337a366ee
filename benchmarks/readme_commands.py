"""The README's commands, timed as a new user runs them: a fresh clone, then each command in turn.

For each command the machine's reference workload (20 CNN-3-128 training
steps, ``quick_profile.reference_seconds``) is timed before and after, so a
slow minute of the machine is not read as slow code. The clone is fresh, so
``make test`` includes creating the virtual environment and installing the
locked versions (from pip's cache when it has them).

    python benchmarks/readme_commands.py [--keep DIR] [COMMAND ...]

Default commands: ``make test``, ``make report``, ``make report PROFILE=quick``.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from _common import machine_line, print_table
from quick_profile import reference_seconds

REPO = Path(__file__).resolve().parents[1]
COMMANDS = ("make test", "make report", "make report PROFILE=quick")


def timed(command: str, cwd: Path, log: Path) -> tuple[float, int]:
    """Wall seconds and exit code of one shell command, its output kept in ``log``."""
    start = time.perf_counter()
    with log.open("w") as out:
        code = subprocess.run(command, shell=True, cwd=cwd, stdout=out, stderr=subprocess.STDOUT).returncode
    return time.perf_counter() - start, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("commands", nargs="*", default=list(COMMANDS))
    parser.add_argument("--keep", type=Path, help="clone into this folder and keep it (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clone = args.keep or Path(tmp) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
        rows = []
        for i, command in enumerate(args.commands):
            before = reference_seconds()
            seconds, code = timed(command, clone, clone.parent / f"command-{i}.log")
            after = reference_seconds()
            rows.append(
                {
                    "command": command,
                    "exit": code,
                    "wall (min)": round(seconds / 60, 1),
                    "reference before (s)": round(before, 1),
                    "reference after (s)": round(after, 1),
                }
            )
            print(rows[-1], flush=True)
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=clone, capture_output=True, text=True)
    print(machine_line().rsplit("; commit", 1)[0] + f"; the clone at commit {commit.stdout.strip()}")
    print(
        "fresh clone of the current commit; reference: seconds for 20 CNN-3-128 training steps "
        "(a slower reference means a slower machine)"
    )
    print_table(rows)


if __name__ == "__main__":
    main()
