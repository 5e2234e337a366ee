"""The seed's future work, measured on the replication networks: int8 quantisation and magnitude pruning.

It never retrains a network: it reads the model kept beside the network's
record, and a store without that model says how to make it.
"""

from __future__ import annotations

import numpy as np

from fmnist_lib import data
from fmnist_lib.experiments.kinds.network import NETWORKS, network_config
from fmnist_lib.experiments.registry import Experiment, Job, Role
from fmnist_lib.experiments.splits import test_set
from fmnist_lib.experiments.target import Target, kept_model

LATENCY_IMAGES = 500  # single-image TFLite calls timed per model; accuracy uses every test image


def _network(cfg: dict, name: str) -> list[Job]:
    """The replication network whose record and kept model are quantised and pruned."""
    return [Job("network", cfg["profile_seed"], name)]


def config(cfg: dict, name: str) -> dict:
    return {
        "experiment": "compression",
        "network": network_config(cfg, name),
        "sparsities": cfg["scaling"]["sparsities"],
        "latency_images": LATENCY_IMAGES,
    }


def compute_compression(cfg: dict, name: str, target: Target) -> dict:
    """int8 quantisation and a magnitude-pruning sweep of a trained network, scored on its test set."""
    from fmnist_lib import training
    from fmnist_lib.models import compression

    spec = target.config
    make_it = f"python -m fmnist_lib.compute --profile {cfg['profile']} --only {name} --force"
    model = kept_model(cfg["profile"], name, network_config(cfg, name), make_it)
    x_test, y_test = test_set(cfg)
    x_test = data.as_cnn_input(x_test)
    ds = data.load_fashion_mnist()
    rep_idx = data.stratified_subsample(ds.y_train, 200, cfg["seed"])
    float_lite = compression.to_tflite(model)
    int8_lite = compression.to_tflite(model, data.as_cnn_input(ds.x_train[rep_idx]))
    float_pred, float_latency = compression.tflite_predict(float_lite, x_test, spec["latency_images"])
    int8_pred, int8_latency = compression.tflite_predict(int8_lite, x_test, spec["latency_images"])
    pruning = []
    for sparsity in spec["sparsities"]:
        pruned = compression.magnitude_prune(model, sparsity)
        pruning.append(
            {
                "sparsity": compression.sparsity_of(pruned),
                "test_accuracy": training.score(pruned, x_test, y_test)["accuracy"],
            }
        )
    return {
        "n_test": len(y_test),
        "keras_accuracy": training.score(model, x_test, y_test)["accuracy"],
        "float32": {
            "bytes": len(float_lite),
            "test_accuracy": float(np.mean(float_pred == y_test)),
            "latency_s": float_latency,
        },
        "int8": {
            "bytes": len(int8_lite),
            "test_accuracy": float(np.mean(int8_pred == y_test)),
            "latency_s": int8_latency,
        },
        "pruning": pruning,
    }


KINDS = (
    Experiment(
        "compression",
        "int8 quantisation and pruning of the replication networks",
        Role.STUDY,
        args=lambda cfg: [(cfg["seed"], network) for network in NETWORKS],
        name=lambda cfg, network: f"compression-{network}",
        config=config,
        compute=compute_compression,
        chapters=("07",),
        depends_on=_network,
        models_read=_network,
        label=lambda seed, network: f"compression {network}",
    ),
)
