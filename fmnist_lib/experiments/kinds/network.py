"""The replication runs: CNN-3-128 and the light model under the paper's protocol, at every seed.

``network`` is the pair at the profile's seed (the replication chapters' runs,
each alone so its wall time compares with the paper's); ``seed_network`` the
same protocol at the audit's further seeds (the seed study), which a JAX
accelerator trains as one grouped program per network. Their records carry the
audit's first mechanisms: the honest test accuracy (the reference), (a) the
same models scored on their training images, (a′) the training accuracy fit
prints, (c) Keras 2's binary accuracy, and (f) the best of the seeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fmnist_lib.audit.mechanisms import Curve, CurveRole, Mechanism, Point
from fmnist_lib.audit.verdicts import Caveat, Estimate
from fmnist_lib.experiments.registry import Experiment, Role
from fmnist_lib.experiments.splits import network_inputs, test_labels
from fmnist_lib.experiments.target import Target, train_into
from fmnist_lib.profiles import NETWORKS
from fmnist_lib.store.records import Record

TRAIN_IMAGES = 60_000


def network_config(cfg: dict, name: str) -> dict:
    """What determines a network's record: its protocol section, data and seed."""
    return {"experiment": "staged_training", "model": name, "seed": cfg["seed"], "data": cfg["data"], **cfg[name]}


def compute_network(cfg: dict, name: str, target: Target) -> dict:
    """Staged training of ``name`` (``cnn_3_128`` or ``dsc_gap``) under the profile's protocol."""
    from fmnist_lib.models import build_model

    spec = target.config
    train, test = network_inputs(cfg["data"]["train_size"], cfg["data"]["test_size"], cfg["seed"])
    # only CNN-3-128 is scored on its training images: the audit's hypothesis (a) is about the paper's model
    return train_into(
        target, lambda: build_model(name, **spec["model_kwargs"]), train, test, score_train_set=name == "cnn_3_128"
    )


def compute_network_group(name: str, targets: list[Target], scratch: Path) -> list[dict]:
    """Staged training of several seeds of ``name`` in one JAX program (``training.grouped``), one result each.

    Called by the runner for jobs the registry grouped: the same network and
    protocol on all the data, differing only in the seed. Each result has the
    fields of ``compute_network``'s (the model kept beside its record too), and
    says it was trained in a group.
    """
    from fmnist_lib import training
    from fmnist_lib.models import build_model
    from fmnist_lib.training import grouped

    spec = targets[0].config
    train, test = network_inputs(None, None, spec["seed"])  # grouped only on all the data: every seed sees it

    def build():
        return build_model(name, **spec["model_kwargs"])

    found = grouped.train_group(
        build,
        train(),
        test(),
        seeds=[t.config["seed"] for t in targets],
        schedule=spec["schedule"],
        batch_size=spec["batch_size"],
        learning_rate=spec["learning_rate"],
        checkpoint_dir=scratch,
        validate_every_epoch=spec["validate_every_epoch"],
        score_train_set=name == "cnn_3_128",  # as compute_network does: hypothesis (a) is about the paper's model
    )
    for target, result in zip(targets, found):
        model = build()
        for variable, value in zip(model.trainable_variables, result.pop("weights")):
            variable.assign(value)
        for variable, value in zip(model.non_trainable_variables, result.pop("non_trainable")):
            variable.assign(value)
        training.save_for_inference(model, target.model_path)
        result["devices"] = 1
    return found


def _caveats(records: list[Record]) -> frozenset[Caveat]:
    return frozenset() if all(r.on_full_data for r in records) else frozenset({Caveat.SUBSAMPLE})


def _n_train(record: Record) -> int:
    return (record.config.get("data") or {}).get("train_size") or TRAIN_IMAGES


def seed_curve(runs: list[Record], value, n, epochs_of) -> tuple[Point, ...]:
    """Points at every epoch (or stage) some seed measured: each seed's ``value`` there, on ``n(record)`` images."""
    by_epoch: dict[float, list[tuple[int, Estimate]]] = {}
    for record in runs:
        for epochs, measured in epochs_of(record):
            v = value(measured)
            if v is not None:
                by_epoch.setdefault(epochs, []).append((record.config["seed"], Estimate.accuracy(v, n(record))))
    return tuple(
        Point(epochs, tuple(e for _, e in found), tuple(s for s, _ in found))
        for epochs, found in sorted(by_epoch.items())
    )


def _stages(record: Record):
    return [(s.epochs, s) for s in record.stages]


def _epochs(record: Record):
    return [(h["epoch"], h) for h in record.history]


def network_curves(network: str, runs: list[Record]) -> list[Curve]:
    """The replication runs' own mechanisms over every seed: reference, (a), (a′), (c) and (f) best of seeds."""
    if not runs:
        return []
    sources = tuple(r.file_stem for r in runs)
    common = dict(network=network, sources=sources, caveats=_caveats(runs))
    n_test = lambda r: r.n_test  # noqa: E731
    per_epoch = any("val_accuracy" in h for r in runs for h in r.history)
    honest = (
        seed_curve(runs, lambda h: h.get("val_accuracy"), n_test, _epochs)
        if per_epoch
        else seed_curve(runs, lambda s: s.test_accuracy, n_test, _stages)
    )
    found = [
        Curve(
            (),
            "honest test accuracy (reference)",
            points=honest,
            per_epoch=per_epoch,
            role=CurveRole.REFERENCE,
            **common,
        ),
        Curve(
            (Mechanism.TRAINING_IMAGES,),
            "",
            points=seed_curve(runs, lambda s: s.train_set_accuracy, _n_train, _stages),
            note="the trained model in inference mode on the images it trained on",
            **common,
        ),
        Curve(
            (Mechanism.FIT_LOG,),
            "",
            points=seed_curve(runs, lambda h: h.get("accuracy"), _n_train, _epochs),
            note="running mean over the epoch's batches, dropout on; its interval treats it as a plain proportion",
            per_epoch=True,
            **common,
        ),
        Curve(
            (Mechanism.BINARY,),
            "",
            points=seed_curve(runs, lambda s: s.test_binary_accuracy, n_test, _stages),
            note="the same predictions, ten yes/no answers per image; interval over images",
            **common,
        ),
    ]
    if len(runs) > 1:
        found.append(_best_of_seeds(runs, common))
    return [c for c in found if c.points]


def _best_of_seeds(runs: list[Record], common: dict) -> Curve:
    """(f): at each stage all seeds reached, the best seed's test accuracy, as a paper reporting its best run would."""
    best = []
    for epochs in sorted({s.epochs for r in runs for s in r.stages}):
        at = [(s.test_accuracy, r) for r in runs if (s := r.stage(epochs)) is not None]
        if len(at) == len(runs):
            accuracy, record = max(at, key=lambda ar: ar[0])
            best.append(Point(epochs, (Estimate.accuracy(accuracy, record.n_test),)))
    return Curve(
        (Mechanism.SELECTION,),
        f"best of {len(runs)} seeds",
        points=tuple(best),
        note="the highest of the seed study's runs at each stage",
        **{**common, "caveats": common["caveats"] | {Caveat.BEST_OF_SEEDS}},
    )


def _curves(cfg: dict, read: Any) -> list[Curve]:
    return [curve for network in NETWORKS for curve in network_curves(network, read.seed_runs(network))]


def _other_seeds(cfg: dict) -> list[int]:
    return [s for s in cfg["audit"]["seeds"] if s != cfg["seed"]]


KINDS = (
    Experiment(
        "network",
        "CNN-3-128 and the light model at the profile's seed (the replication runs)",
        Role.REPLICATION,
        args=lambda cfg: [(cfg["seed"], name) for name in NETWORKS],
        name=lambda cfg, name: name,
        config=network_config,
        compute=compute_network,
        chapters=("03", "04", "05", "06", "07", "index"),
        accelerated=True,
        exclusive=True,
        test_labels=test_labels,
        curves=_curves,
    ),
    Experiment(
        "seed_network",
        "both networks at the audit's further seeds (the seed study)",
        Role.SEEDS,
        args=lambda cfg: [(s, name) for s in _other_seeds(cfg) for name in NETWORKS],
        name=lambda cfg, name: name,
        config=network_config,
        compute=compute_network,
        chapters=("06",),
        accelerated=True,
        label=lambda seed, name: f"seed {seed} {name}",
        test_labels=test_labels,
        group=compute_network_group,
        code=lambda cfg, name: ("experiments.kinds.network:compute_network_group",),
    ),
)
