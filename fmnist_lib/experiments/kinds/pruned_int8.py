"""The gradually pruned networks as practitioners ship them: int8 TFLite, its size and its latency on this CPU.

Fine-tuning while pruning (``kinds.pruning``) trains a network and runs where
the GPU is, on any Keras backend. The conversion to int8 needs TensorFlow's
converter, which the JAX-only GPU machine does not have, so it is this kind of
its own: it reads the pruned model kept beside the pruning record, never
fine-tunes again, and a store without that model says how to make it. It
measures the stored size before and after zlib (zeros save bytes only once
compressed) and the time per image (TFLite's kernels are dense: a zero is
multiplied like any other weight).
"""

from __future__ import annotations

import zlib

import numpy as np

from fmnist_lib import data
from fmnist_lib.experiments.kinds import pruning
from fmnist_lib.experiments.kinds.compression import LATENCY_IMAGES
from fmnist_lib.experiments.read import compute_command
from fmnist_lib.experiments.registry import Experiment, Job, Role
from fmnist_lib.experiments.splits import network_inputs
from fmnist_lib.experiments.target import Target, kept_model

REPRESENTATIVE_IMAGES = 200  # training images that calibrate the int8 activation ranges


def config(cfg: dict, arg: tuple[str, float]) -> dict:
    return {
        "experiment": "pruned_int8",
        "pruned": pruning.config(cfg, arg),
        "representative_images": REPRESENTATIVE_IMAGES,
        "latency_images": LATENCY_IMAGES,
    }


def _source(cfg: dict, arg: tuple[str, float]) -> list[Job]:
    """The pruning run whose record and kept model the conversion reads."""
    return [Job("pruning", cfg["profile_seed"], arg)]


def _sizes(flatbuffer: bytes) -> dict:
    return {"bytes": len(flatbuffer), "zlib_bytes": len(zlib.compress(flatbuffer, 9))}


def compute_pruned_int8(cfg: dict, arg: tuple[str, float], target: Target) -> dict:
    """The kept pruned model as float32 and int8 TFLite: sizes, the int8 model's test accuracy and latency."""
    from fmnist_lib import training
    from fmnist_lib.models import compression

    spec = target.config
    make_it = compute_command(cfg, _source(cfg, arg))
    model = kept_model(cfg["profile"], pruning.name(cfg, arg), spec["pruned"], make_it)
    train, test = network_inputs(cfg["data"]["train_size"], cfg["data"]["test_size"], cfg["seed"])
    x_train, y_train = train()
    x_test, y_test = test()
    representative = x_train[data.stratified_subsample(y_train, spec["representative_images"], cfg["seed"])]
    float_lite = compression.to_tflite(model)
    int8_lite = compression.to_tflite(model, representative)
    int8_pred, int8_latency = compression.tflite_predict(int8_lite, x_test, spec["latency_images"])
    return {
        "n_test": len(y_test),
        "keras_accuracy": training.score(model, x_test, y_test)["accuracy"],
        "sparsity": compression.sparsity_of(model),
        "float32": _sizes(float_lite),
        "int8": {**_sizes(int8_lite), "test_accuracy": float(np.mean(int8_pred == y_test)), "latency_s": int8_latency},
    }


KINDS = (
    Experiment(
        "pruned_int8",
        "the gradually pruned networks converted to int8 TFLite: size and latency on this CPU",
        Role.STUDY,
        args=pruning.runs,
        name=lambda cfg, arg: f"pruned-int8-{arg[0]}-{round(100 * arg[1])}",
        config=config,
        compute=compute_pruned_int8,
        chapters=("07",),
        depends_on=_source,
        models_read=_source,
        label=lambda seed, arg: f"int8 of {pruning.label(seed, arg)}",
    ),
)
