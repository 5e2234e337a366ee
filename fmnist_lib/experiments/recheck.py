"""Re-check, on the reader's machine, a sample of the committed records the report is rendered from.

The default report renders the full profile from committed records made
elsewhere (a GPU, another day). Before it does, the runner re-computes the
profile's ``recheck`` sample here, into a store of its own (the committed
records are never replaced), and compares each with its committed record by the
rule the sample names (``audit.agreement``): *identical* for deterministic
computations, *within the committed seeds' prediction interval* for a network
trained here. A disagreement is shown on the front page and fails the run.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from fmnist_lib import profiles
from fmnist_lib.audit import agreement
from fmnist_lib.audit.claims import NETWORK_NAMES
from fmnist_lib.experiments.read import seed_study
from fmnist_lib.experiments.registry import Job, execute, stored_record
from fmnist_lib.settings import ENV_RESULTS_DIR


@contextmanager
def _store_at(root: Path):
    """The run store rooted at ``root`` while the re-check computes (the committed store stays untouched)."""
    before = os.environ.get(ENV_RESULTS_DIR)
    os.environ[ENV_RESULTS_DIR] = str(root)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENV_RESULTS_DIR, None)
        else:
            os.environ[ENV_RESULTS_DIR] = before


def _label(entry: dict, job: Job) -> str:
    """'classical model GaussianNB', 'light model, epoch 1': what a reader recognises from the chapters."""
    if job.kind == "network":
        return f"{NETWORK_NAMES[job.arg]}, epoch {entry['epoch']}"
    return f"classical model {job.arg}" if job.kind == "baseline" else job.label


def run(cfg: dict, root: Path, report=print) -> list[agreement.Agreement]:
    """Re-compute the profile's re-check sample into ``root`` and compare it with the committed records.

    ``root`` is a run store of the re-check's own (the runner's: inside the build folder), never the
    committed store: a re-check cannot replace a committed record.
    """
    found = []
    for entry in cfg.get("recheck", []):
        job = Job(entry["kind"], cfg["seed"], entry.get("arg"))
        committed = stored_record(cfg, job)
        if committed is None:
            report(f"re-check: {job.label} has no committed record; skipped")
            continue
        here_cfg = profiles.load_profile(cfg["profile"], entry.get("set", {}))
        report(f"re-checking {_label(entry, job)} on this machine ...")
        with _store_at(root):
            here = execute(here_cfg, job)
        found.append(_compare(cfg, entry, job, committed, here))
    return found


def _compare(cfg: dict, entry: dict, job: Job, committed, here) -> agreement.Agreement:
    label = _label(entry, job)
    made = here.provenance.get("date", "")[:16].replace("T", " ")
    if entry["rule"] == "identical":
        shown = "{0[accuracy]:.2%}" if "accuracy" in committed.result else "{0}"
        found = agreement.identical(label, committed.result, here.result, shown)
        return replace(found, note="; ".join(x for x in (found.note, f"computed here {made} UTC") if x))
    epoch = entry["epoch"]
    runs = seed_study(cfg)[job.arg] if job.kind == "network" else [committed]
    values = [h["val_accuracy"] for r in runs for h in r.history if h["epoch"] == epoch and "val_accuracy" in h]
    mine = next(h["val_accuracy"] for h in here.history if h["epoch"] == epoch)
    found = agreement.within_seeds(label, values, mine)
    return replace(found, note="; ".join(x for x in (found.note, f"trained here {made} UTC") if x))


def as_rows(found: list[agreement.Agreement]) -> list[dict]:
    """The re-check as plain rows, for the run's manifest and the front page's table."""
    return [a.__dict__ for a in found]
