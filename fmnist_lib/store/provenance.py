"""Where and with what a number was produced: versions, hardware, commit, date.

Stored inside every record so a figure in the book can always be traced back
to the machine and the code that made it.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

from fmnist_lib.settings import ENV_CONCURRENT_JOBS, ENV_DEVICES, ENV_SOURCE_COMMIT, REPO_ROOT

PACKAGES = (
    "keras",
    "tensorflow",
    "tensorflow-cpu",
    "jax",
    "jaxlib",
    "torch",
    "numpy",
    "scikit-learn",
    "lightgbm",
    "pandas",
)


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def accelerators() -> list[str]:
    """GPU names as the active Keras backend sees them (empty on a CPU run).

    Only asks a backend that is already imported, so recording provenance never
    pulls in TensorFlow or JAX by itself.
    """
    names: list[str] = []
    if "tensorflow" in sys.modules:
        tf = sys.modules["tensorflow"]
        for gpu in tf.config.list_physical_devices("GPU"):
            details = tf.config.experimental.get_device_details(gpu)
            names.append(details.get("device_name", gpu.name))
    elif "jax" in sys.modules:
        names = [d.device_kind for d in sys.modules["jax"].devices() if d.platform != "cpu"]
    elif "torch" in sys.modules:
        torch = sys.modules["torch"]
        if torch.cuda.is_available():
            names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return names


def git_commit() -> str:
    """The commit of the code, with '+dirty' when the working tree has changes.

    A tree copied to another machine may carry a stale .git (or none); whoever
    sends it states its commit in FMNIST_SOURCE_COMMIT, which then wins.
    """
    if os.environ.get(ENV_SOURCE_COMMIT):
        return os.environ[ENV_SOURCE_COMMIT]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def keras_backend() -> str:
    if "keras" in sys.modules:
        return sys.modules["keras"].backend.backend()
    return os.environ.get("KERAS_BACKEND", "tensorflow")


def collect() -> dict:
    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "keras_backend": keras_backend(),
        "cpu": cpu_name(),
        "cpu_count": os.cpu_count(),
        "accelerators": accelerators(),
        "devices_requested": os.environ.get(ENV_DEVICES, "1"),
        # other jobs sharing the device while this one ran: its wall times are not a lone run's
        "concurrent_jobs": int(os.environ.get(ENV_CONCURRENT_JOBS, "1")),
        "platform": platform.platform(),
        "versions": package_versions(),
    }


LOCK_FILE = REPO_ROOT / "requirements.lock"


def locked_versions(path: Path = LOCK_FILE) -> dict[str, str]:
    """The exact versions the records were made with (``requirements.lock``), by normalised package name."""
    if not path.exists():
        return {}
    pins = [line.split("==", 1) for line in path.read_text().splitlines() if "==" in line and not line.startswith("#")]
    return {_normal(name): version.strip() for name, version in pins}


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_differences(path: Path = LOCK_FILE) -> list[tuple[str, str, str]]:
    """(package, locked, installed) for every locked package installed at another version, or missing."""
    found = []
    for name, locked in sorted(locked_versions(path).items()):
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != locked:
            found.append((name, locked, installed))
    return found


def hardware_summary(prov: dict) -> str:
    """One line a reader can compare: the GPU if any, else the CPU and its cores."""
    if prov.get("accelerators"):
        return ", ".join(prov["accelerators"])
    return f"{prov.get('cpu', '?')} ({prov.get('cpu_count', '?')} cores, no GPU)"
