"""Hypothesis (f): the best epoch chosen on the test set, from a run's stored history, without training.

Early stopping or a "best checkpoint" picked by test accuracy reports the
maximum of noisy numbers rather than one honest measurement. What that adds is
computed from records that already exist, for every seed of the seed study.
"""

from __future__ import annotations

from typing import Any

from fmnist_lib.audit.mechanisms import Curve, Mechanism, Point
from fmnist_lib.audit.verdicts import Caveat, Estimate
from fmnist_lib.experiments.kinds.network import NETWORKS, network_config
from fmnist_lib.experiments.registry import Experiment, Job, Role, stored_record
from fmnist_lib.experiments.target import Target
from fmnist_lib.store.records import Record


def test_accuracy_by_epoch(record: Record) -> list[tuple[int, float]]:
    """(epoch, test accuracy) at every epoch the run scored the test set: each epoch, else each stage."""
    per_epoch = [(h["epoch"], h["val_accuracy"]) for h in record.history if "val_accuracy" in h]
    return per_epoch or [(s.epochs, s.test_accuracy) for s in record.stages]


def best_so_far(record: Record) -> dict:
    """For every scored epoch, the best test accuracy seen up to it and where: what selection would report."""
    rows, best_epoch, best = [], None, -1.0
    for epoch, accuracy in test_accuracy_by_epoch(record):
        if accuracy > best:
            best_epoch, best = epoch, accuracy
        rows.append({"epoch": epoch, "best_accuracy": best, "best_epoch": best_epoch, "accuracy": accuracy})
    scored_each_epoch = any("val_accuracy" in h for h in record.history)
    return {"source": record.file_stem, "scored": "each epoch" if scored_each_epoch else "each stage", "curve": rows}


def _source_job(cfg: dict, network: str) -> Job:
    return Job("network" if cfg["seed"] == cfg["profile_seed"] else "seed_network", cfg["seed"], network)


def _source(cfg: dict, network: str) -> Record | None:
    return stored_record(cfg, _source_job(cfg, network))


def config(cfg: dict, network: str) -> dict:
    """A record derived from a stored run names that run's making, so a retrained run makes it stale."""
    source = _source(cfg, network)
    return {
        "experiment": "test_set_selection",
        "network": network_config(cfg, network),
        "source_made": source.provenance["date"] if source else None,
    }


def compute_selection(cfg: dict, network: str, _target: Target) -> dict:
    """The running best of the source run's history (read straight from the store: it was checked when planned)."""
    from fmnist_lib.store.runstore import load_record

    return best_so_far(load_record(cfg["profile"], network, network_config(cfg, network)))


def _curves(cfg: dict, read: Any) -> list[Curve]:
    found = []
    for network in NETWORKS:
        chosen = [
            (r.config["network"]["seed"], r)
            for r in read.records("selection")
            if r.config["network"]["model"] == network
        ]
        if not chosen:
            continue
        n_test = {r.config["seed"]: r.n_test for r in read.seed_runs(network)}
        by_epoch: dict[int, list] = {}
        for seed, rec in sorted(chosen):
            for row in rec.result["curve"]:
                by_epoch.setdefault(row["epoch"], []).append(
                    (seed, Estimate.accuracy(row["best_accuracy"], n_test[seed]))
                )
        points = tuple(
            Point(e, tuple(x for _, x in found_), tuple(s for s, _ in found_))
            for e, found_ in sorted(by_epoch.items())
            if len(found_) == len(chosen)
        )
        full = all(r.config["network"]["data"] == {"train_size": None, "test_size": None} for _, r in chosen)
        each_epoch = all(r.result["scored"] == "each epoch" for _, r in chosen)
        found.append(
            Curve(
                (Mechanism.SELECTION,),
                "best epoch",
                network,
                points,
                tuple(r.file_stem for _, r in chosen),
                f"test set scored {'each epoch' if each_epoch else 'each stage'}; no training",
                per_epoch=each_epoch,
                caveats=frozenset() if full else frozenset({Caveat.SUBSAMPLE}),
            )
        )
    return found


KINDS = (
    Experiment(
        "selection",
        "hypothesis (f): the best epoch chosen on the test set, from each seed's stored history",
        Role.MECHANISM,
        args=lambda cfg: [(s, network) for s in cfg["audit"]["seeds"] for network in NETWORKS],
        name=lambda cfg, network: f"selection-{network}" if _source(cfg, network) else None,
        config=config,
        compute=compute_selection,
        chapters=("06",),
        depends_on=lambda cfg, network: [_source_job(cfg, network)],
        label=lambda seed, network: f"selection {network}" + ("" if seed == 0 else f" seed {seed}"),
        curves=_curves,
    ),
)
