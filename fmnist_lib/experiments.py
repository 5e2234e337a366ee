"""The paper's experiments, run through the run store from a profile.

Chapters call these one-liners; each returns records that carry their config
and provenance. The config hashed into a record is exactly what determines the
result (data sizes, seed, schedule, optimiser, model options), so a chapter
rerun with the same profile reads the stored record instead of retraining.
"""

from __future__ import annotations

import copy

import keras
import numpy as np
from tqdm import tqdm

from . import augment, baselines, compression, data, duplicates, leakage, params, results, scaling, training
from .models import build_model, conv_net


def split_indices(cfg: dict, section: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and test images a section of the profile uses."""
    ds = data.load_fashion_mnist()
    sizes = cfg[section]
    return (
        data.stratified_subsample(ds.y_train, sizes["train_size"], cfg["seed"]),
        data.stratified_subsample(ds.y_test, sizes["test_size"], cfg["seed"]),
    )


def test_set(cfg: dict) -> tuple[np.ndarray, np.ndarray]:
    """The raw test images and labels the networks of this profile are scored on."""
    ds = data.load_fashion_mnist()
    _, test_idx = split_indices(cfg)
    return ds.x_test[test_idx], ds.y_test[test_idx]


def _inputs(train_size: int | None, test_size: int | None, seed: int):
    """Lazy (train, test) loaders of CNN inputs for class-balanced subsets: built only if training runs."""
    ds = data.load_fashion_mnist()
    train_idx = data.stratified_subsample(ds.y_train, train_size, seed)
    test_idx = data.stratified_subsample(ds.y_test, test_size, seed)
    return (lambda: (data.as_cnn_input(ds.x_train[train_idx]), ds.y_train[train_idx]),
            lambda: (data.as_cnn_input(ds.x_test[test_idx]), ds.y_test[test_idx]))


def network_config(cfg: dict, name: str) -> dict:
    """What determines a network's record: its protocol section, data and seed."""
    return {"experiment": "staged_training", "model": name, "seed": cfg["seed"], "data": cfg["data"], **cfg[name]}


def run_network(cfg: dict, name: str, *, force: bool = False, verbose: int = 2) -> dict:
    """Staged training of ``name`` (``cnn_3_128`` or ``dsc_gap``) under the profile's protocol."""
    spec = network_config(cfg, name)
    train, test = _inputs(cfg["data"]["train_size"], cfg["data"]["test_size"], cfg["seed"])
    # only CNN-3-128 is scored on its training images: the audit's hypothesis (a) is about the paper's model
    return _train(cfg["profile"], name, spec, lambda: build_model(name, **spec["model_kwargs"]), train, test,
                  force=force, verbose=verbose, score_train_set=name == "cnn_3_128")


def _train(profile, name, spec, build, train, test, *, force, verbose, extra=None, score_train_set=False) -> dict:
    """Staged training through the run store; ``train``/``test`` are called only if training is needed.

    The final model is kept beside the record (for the compression chapter);
    ``extra(model)`` may add measurements of the trained model to the result.
    """

    def compute(checkpoints):
        result = training.train_staged(
            build, train(), test(),
            schedule=spec["schedule"], batch_size=spec["batch_size"], learning_rate=spec["learning_rate"],
            seed=spec["seed"], checkpoint_dir=checkpoints, validate_every_epoch=spec["validate_every_epoch"],
            score_train_set=score_train_set, verbose=verbose,
        )
        model = keras.models.load_model(training.final_model_file(checkpoints))
        training.save_for_inference(model, results.model_path(profile, name, spec))
        if extra:
            result.update(extra(model))
        return result

    return results.cached_run(profile, name, spec, compute, force=force)


def trained_model(cfg: dict, name: str) -> keras.Model:
    """The model behind a network's record; retrained if the record came without it (e.g. from another machine)."""
    spec = network_config(cfg, name)
    path = results.model_path(cfg["profile"], name, spec)
    if not path.exists():
        run_network(cfg, name, force=True)
    return keras.models.load_model(path)


def baseline_config(cfg: dict, model: str) -> dict:
    return {
        "experiment": "classical_baseline",
        "model": model,
        "seed": cfg["seed"],
        "train_size": cfg["baselines"]["train_size"],
        "test_size": cfg["baselines"]["test_size"],
    }


def baseline_name(model: str) -> str:
    return "baseline-" + model.lower().replace(" ", "_")


# record names in the run store, one place for the runs below and for the job plan that looks them up
HONEST_NAME = "honest-augmentation"
NEAR_DUPLICATES_NAME = "near-duplicates"


def leak_name(rotation: float) -> str:
    return f"leak-rot{rotation:g}"


def family_name(member: list) -> str:
    return "family-" + scaling.member_name(*member)


def compression_name(network: str) -> str:
    return f"compression-{network}"


def run_baselines(cfg: dict, *, force: bool = False) -> list[dict]:
    """Fit every classical model the profile names; one record each, so a stop loses one model at most."""
    ds = data.load_fashion_mnist()
    train_idx, test_idx = split_indices(cfg, "baselines")
    train = (data.as_vectors(ds.x_train[train_idx]), ds.y_train[train_idx])
    test = (data.as_vectors(ds.x_test[test_idx]), ds.y_test[test_idx])
    records = []
    progress = tqdm(cfg["baselines"]["models"], desc="classical baselines", unit="model")
    for model in progress:
        progress.set_postfix_str(model)
        spec = baseline_config(cfg, model)
        records.append(
            results.cached_run(
                cfg["profile"],
                baseline_name(model),
                spec,
                lambda _: baselines.fit_and_score(model, train, test, cfg["seed"]),
                force=force,
            )
        )
    return records


def stored_records(cfg: dict) -> dict:
    """The records this profile has already produced, without computing anything missing."""
    profile = cfg["profile"]
    return {
        "cnn_3_128": results.load_record(profile, "cnn_3_128", network_config(cfg, "cnn_3_128")),
        "dsc_gap": results.load_record(profile, "dsc_gap", network_config(cfg, "dsc_gap")),
        "baselines": [
            rec
            for model in cfg["baselines"]["models"]
            if (rec := results.load_record(profile, baseline_name(model), baseline_config(cfg, model)))
        ],
    }


def replication_records(cfg: dict, *, force: bool = False) -> dict:
    """The replication chapters' records (computed only where the store lacks them)."""
    return {
        "baselines": run_baselines(cfg, force=force),
        "cnn_3_128": run_network(cfg, "cnn_3_128", force=force),
        "dsc_gap": run_network(cfg, "dsc_gap", force=force),
    }


# --- the audit: hypothesis experiments, seeds, near-duplicates -------------------


def _protocol(cfg: dict, name: str = "cnn_3_128") -> dict:
    """The replication protocol of ``name`` with the audit's schedule: same optimiser, batch, model."""
    section = cfg[name]
    return {
        "batch_size": section["batch_size"],
        "learning_rate": section["learning_rate"],
        "model_kwargs": section["model_kwargs"],
        "schedule": cfg["audit"]["schedule"],
        "validate_every_epoch": False,
    }


def leak_config(cfg: dict, rotation: float) -> dict:
    audit = cfg["audit"]
    return {
        "experiment": "pooled_augmentation_leak",
        "model": "cnn_3_128",
        "seed": cfg["seed"],
        "pool_train_size": audit["pool_train_size"],
        "pool_test_size": audit["pool_test_size"],
        "copies": audit["copies"],
        "rotation_degrees": rotation,
        "augmenter": augment.AUGMENTER_VERSION,
        **_protocol(cfg),
    }


def leaky_split(cfg: dict, rotation: float) -> leakage.LeakySplit:
    """The pooled, augmented, re-split data of hypothesis (b), rebuilt deterministically."""
    ds = data.load_fashion_mnist()
    audit = cfg["audit"]
    train_idx = data.stratified_subsample(ds.y_train, audit["pool_train_size"], cfg["seed"])
    test_idx = data.stratified_subsample(ds.y_test, audit["pool_test_size"], cfg["seed"])
    return leakage.pooled_augmented_split(
        data.as_cnn_input(ds.x_train[train_idx]), ds.y_train[train_idx],
        data.as_cnn_input(ds.x_test[test_idx]), ds.y_test[test_idx],
        copies=audit["copies"], rotation_degrees=rotation, seed=cfg["seed"],
    )


def run_leakage(cfg: dict, rotation: float, *, force: bool = False, verbose: int = 2) -> dict:
    """Hypothesis (b): CNN-3-128 trained and scored on a split made after pooled augmentation."""
    spec = leak_config(cfg, rotation)
    split: dict = {}

    def get() -> leakage.LeakySplit:
        if not split:  # built once, and only if the record has to be computed
            split["value"] = leaky_split(cfg, rotation)
        return split["value"]

    return _train(
        cfg["profile"], leak_name(rotation), spec, lambda: build_model("cnn_3_128", **spec["model_kwargs"]),
        lambda: (get().x_train, get().y_train), lambda: (get().x_eval, get().y_eval),
        force=force, verbose=verbose, extra=lambda _model: {"leak": leakage.leak_summary(get())},
    )


def honest_augmentation_config(cfg: dict) -> dict:
    return {
        "experiment": "honest_augmentation",
        "model": "cnn_3_128",
        "seed": cfg["seed"],
        "train_size": cfg["audit"]["augment_train_size"],
        "test_size": cfg["data"]["test_size"],
        "rotation_degrees": augment.PAPER_ROTATION_DEGREES,
        "augmenter": augment.AUGMENTER_VERSION,
        **_protocol(cfg),
    }


def run_honest_augmentation(cfg: dict, *, force: bool = False, verbose: int = 2) -> dict:
    """Hypothesis (d): the paper's augmenter on training batches only; the official test set untouched."""
    spec = honest_augmentation_config(cfg)
    train, test = _inputs(spec["train_size"], spec["test_size"], cfg["seed"])
    return _train(
        cfg["profile"], HONEST_NAME, spec,
        lambda: augment.with_augmentation(build_model("cnn_3_128", **spec["model_kwargs"]),
                                          spec["rotation_degrees"], seed=cfg["seed"]),
        train, test, force=force, verbose=verbose,
    )


def with_seed(cfg: dict, seed: int) -> dict:
    seeded = copy.deepcopy(cfg)
    seeded["seed"] = seed
    return seeded


def best_classical_model(cfg: dict, stored_only: bool = False) -> str | None:
    """The classical model with the highest test accuracy at the profile's seed.

    Fitted where not stored, unless ``stored_only``: then None while any of the
    profile's baselines lacks a record.
    """
    if stored_only:
        records = stored_records(cfg)["baselines"]
        if len(records) < len(cfg["baselines"]["models"]):
            return None
    else:
        records = run_baselines(cfg)
    return max(records, key=lambda r: r["result"]["accuracy"])["result"]["model"]


def run_seed_study(cfg: dict, *, force: bool = False, verbose: int = 2) -> dict:
    """The headline numbers over the audit's seeds: both networks and the best classical model.

    On a subsampled profile the seed also draws the subset, so the spread
    includes the choice of training images, not only the initialisation.
    """
    best = best_classical_model(cfg)
    study = {"cnn_3_128": [], "dsc_gap": [], "best_classical": [], "best_classical_model": best}
    for seed in tqdm(cfg["audit"]["seeds"], desc="seeds", unit="seed"):
        seeded = with_seed(cfg, seed)
        for name in ("cnn_3_128", "dsc_gap"):
            study[name].append(run_network(seeded, name, force=force, verbose=verbose))
        seeded["baselines"]["models"] = [best]
        study["best_classical"] += run_baselines(seeded, force=force)
    return study


NEAR_DUPLICATES_CONFIG = {"experiment": "near_duplicates", "metric": "rms_pixel_distance"}


def run_near_duplicates(cfg: dict, *, force: bool = False) -> dict:
    """Nearest training image of every official test image (all 60,000 x 10,000 pairs)."""
    spec = NEAR_DUPLICATES_CONFIG

    def compute(_):
        ds = data.load_fashion_mnist()
        distances, nearest = duplicates.nearest_train_rms(ds.x_train, ds.x_test)
        return {
            "exact": duplicates.exact_duplicates(ds.x_train, ds.x_test).tolist(),
            "rms_distance": distances.round(6).tolist(),
            "nearest_train_index": nearest.tolist(),
        }

    return results.cached_run(cfg["profile"], NEAR_DUPLICATES_NAME, spec, compute, force=force)


# --- parameter-accuracy scaling and compression -------------------------------


def family_config(cfg: dict, member: list) -> dict:
    depth, width, head, separable = member
    return {
        "experiment": "family_member",
        "depth": depth, "width": width, "head": head, "separable": separable,
        "seed": cfg["seed"],
        "data": {"train_size": cfg["scaling"]["train_size"], "test_size": cfg["data"]["test_size"]},
        "schedule": [cfg["scaling"]["epochs"]],
        "batch_size": cfg["cnn_3_128"]["batch_size"],
        "learning_rate": cfg["cnn_3_128"]["learning_rate"],
        "validate_every_epoch": False,
    }


def run_family(cfg: dict, *, force: bool = False, verbose: int = 0) -> list[dict]:
    """Train every family member of the profile with the same schedule; measure size, MACs and latency."""
    records = []
    for member in tqdm(cfg["scaling"]["members"], desc="model family", unit="model"):
        spec = family_config(cfg, member)
        train, test = _inputs(spec["data"]["train_size"], spec["data"]["test_size"], cfg["seed"])
        build = lambda m=member: conv_net(m[0], m[1], head=m[2], separable=m[3])  # noqa: E731

        def measure(model, test=test):
            x = test()[0]
            return {
                "macs": params.model_macs(model),
                "analytic_params": int(sum(sum(params.analytic_count(layer)) for layer in model.layers)),
                "latency_batch1_s": scaling.latency_per_image(model, x, 1, repeats=20),
                "latency_batch1024_s": scaling.latency_per_image(model, x, 1024, repeats=3),
            }

        records.append(_train(
            cfg["profile"], family_name(member), spec, build, train, test,
            force=force, verbose=verbose, extra=measure,
        ))
    return records


LATENCY_IMAGES = 500  # single-image TFLite calls timed per model; accuracy uses every test image


def compression_config(cfg: dict, name: str) -> dict:
    return {"experiment": "compression", "network": network_config(cfg, name),
            "sparsities": cfg["scaling"]["sparsities"], "latency_images": LATENCY_IMAGES}


def run_compression(cfg: dict, name: str, *, force: bool = False) -> dict:
    """int8 quantisation and a magnitude-pruning sweep of a trained network, scored on its test set."""
    spec = compression_config(cfg, name)

    def compute(_):
        model = trained_model(cfg, name)
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
            pruning.append({"sparsity": compression.sparsity_of(pruned),
                            "test_accuracy": training.score(pruned, x_test, y_test)["accuracy"]})
        return {
            "n_test": len(y_test),
            "keras_accuracy": training.score(model, x_test, y_test)["accuracy"],
            "float32": {"bytes": len(float_lite), "test_accuracy": float(np.mean(float_pred == y_test)),
                        "latency_s": float_latency},
            "int8": {"bytes": len(int8_lite), "test_accuracy": float(np.mean(int8_pred == y_test)),
                     "latency_s": int8_latency},
            "pruning": pruning,
        }

    return results.cached_run(cfg["profile"], compression_name(name), spec, compute, force=force)
