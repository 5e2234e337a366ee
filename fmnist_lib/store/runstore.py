"""The run store: one JSON record per experiment, keyed by a hash of its config.

Only this module knows where files live. A record holds the config that made
it, the measured result and the provenance, so a number in the book is never
separated from its parameters. Rerunning with the same config reuses the
record (a chapter can be re-rendered in seconds); changing any parameter, or
the record format, changes the key, so stale numbers are never picked up.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from fmnist_lib.settings import ENV_RESULTS_DIR, REPO_ROOT
from fmnist_lib.store import provenance
from fmnist_lib.store.records import Record

# Bump when the meaning of a record's fields or of an experiment changes, so
# that records made by older code stop matching.
RECORD_VERSION = 2


class RecordError(RuntimeError):
    """A stored record that cannot be read; the message names the file and what to do."""


def results_root() -> Path:
    """``$FMNIST_RESULTS_DIR``, else the repository's ``results/``: one rule for the book and ``compute``."""
    return Path(os.environ.get(ENV_RESULTS_DIR) or REPO_ROOT / "results").resolve()


def profile_dir(profile: str) -> Path:
    return results_root() / profile


def config_key(config: dict) -> str:
    """A short, stable hash of the canonical JSON of a config."""
    canonical = json.dumps({"record_version": RECORD_VERSION, **config}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def record_path(profile: str, name: str, config: dict) -> Path:
    return profile_dir(profile) / f"{name}-{config_key(config)}.json"


def checkpoint_dir(profile: str, name: str, config: dict) -> Path:
    """Scratch space for an unfinished experiment (not kept once it has a record)."""
    return profile_dir(profile) / "checkpoints" / f"{name}-{config_key(config)}"


def model_path(profile: str, name: str, config: dict) -> Path:
    """Where the trained model behind a record is kept (not in git: reproducible from the record's config)."""
    return profile_dir(profile) / "models" / f"{name}-{config_key(config)}.keras"


class DiskFull(OSError):
    """No space left where a run writes; the message names the folder and what to free."""


def _is_disk_full(exc: BaseException) -> bool:
    return getattr(exc, "errno", None) == errno.ENOSPC or "No space left" in str(exc)


@contextmanager
def writing(tmp: Path, folder: Path) -> Iterator[None]:
    """Write ``tmp`` (then move it into ``folder``): a failed write leaves no temporary file behind, and a
    full disk is one line naming the folder and what to free."""
    try:
        yield
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if _is_disk_full(exc):
            raise DiskFull(
                errno.ENOSPC,
                f"no space left on the disk that holds {folder}: free space there (the scratch folders under "
                f"{results_root()}/<profile>/checkpoints and models/ can go) and rerun the same command; "
                "finished stages and records are kept",
            ) from None
        raise


def write_json_atomic(path: Path, payload: Any) -> None:
    """Write to a temporary file beside the target, then rename: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a record is as readable as any file the user writes
    with writing(Path(tmp), path.parent):
        with os.fdopen(fd, "w") as fh:
            json.dump(payload, fh, indent=1, default=_json_default)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    raise TypeError(f"cannot store {type(value).__name__} in a record")


def read_json(path: Path) -> Any:
    with open(path) as fh:
        return json.load(fh)


def load_record(profile: str, name: str, config: dict) -> Record | None:
    """The stored record for exactly this config, or None. Reading never writes."""
    path = record_path(profile, name, config)
    if not path.exists():
        return None
    try:
        raw = read_json(path)
        if raw.get("key") != config_key(config):
            return None
        return Record.from_dict(raw)
    except (ValueError, KeyError, TypeError) as exc:
        raise RecordError(
            f"{path} is not a readable record ({type(exc).__name__}): delete it or rerun with --force"
        ) from None


FORCED_MARKER = ".forced"  # in a checkpoint folder: started by a --force run, so a rerun of it resumes


@contextmanager
def _record_lock(path: Path) -> Iterator[None]:
    """One computation of a record at a time: a second run waits for the first, then reads its record."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.stem}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting: another run is computing {path.name}", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def cached_run(
    profile: str,
    name: str,
    config: dict,
    compute: Callable[[Path], dict],
    *,
    force: bool = False,
    made_since: float | None = None,
    code: dict | None = None,
    inputs: dict | None = None,
    wall_seconds: float | None = None,
    provenance_extra: dict | None = None,
) -> Record:
    """Return the record for ``config``, computing and storing it if needed.

    ``compute`` receives a checkpoint folder it may use to resume an interrupted
    run; it is removed once the record is safely written. ``force`` recomputes
    (a stored record is replaced only when the new one is written), unless the
    record was written at or after ``made_since`` (the start of this run): a
    forced run recomputes each record once, even when two jobs share it. A
    forced run discards checkpoints of earlier runs but not its own, so
    rerunning an interrupted ``--force`` command continues where it stopped.
    Two runs computing the same record take turns (a file lock per record).
    ``code`` (digests of the computing modules) is stored with the record, and
    ``inputs`` (the digests of the records it was made from, by label) in its provenance when it has any.
    A record computed together with others (a group of models trained in one
    program) passes its group's ``wall_seconds`` and says so in ``provenance_extra``.
    """
    scratch = checkpoint_dir(profile, name, config)
    path = record_path(profile, name, config)
    with _record_lock(path):
        fresh = made_since is not None and path.exists() and path.stat().st_mtime >= made_since
        if not force or fresh:
            record = load_record(profile, name, config)
            if record is not None:
                return record
        elif scratch.exists() and not (scratch / FORCED_MARKER).exists():
            shutil.rmtree(scratch)
        scratch.mkdir(parents=True, exist_ok=True)
        if force:
            (scratch / FORCED_MARKER).touch()
        started = time.perf_counter()
        result = compute(scratch)
        record = {
            "name": name,
            "key": config_key(config),
            "profile": profile,
            "config": config,
            "result": result,
            "wall_seconds": time.perf_counter() - started if wall_seconds is None else wall_seconds,
            "provenance": {
                **provenance.collect(),
                **(provenance_extra or {}),
                **({"inputs": inputs} if inputs else {}),
            },
            "code": code,
        }
        write_json_atomic(path, record)
        shutil.rmtree(scratch, ignore_errors=True)
    return Record.from_dict(json.loads(json.dumps(record, default=_json_default)))
