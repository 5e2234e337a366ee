"""How each record is computed: the experiments' work, called only by the job runner.

Each ``compute_*`` function takes the profile (at the job's seed), the job's
argument and a ``Target`` (the record's name, config and scratch folder) and
returns the record's result. Training loads its inputs only here, so reading
or planning records never touches a backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from . import augment, data, results
from .configs import network_config


class MissingModel(LookupError):
    """A record whose trained model is not in this store (records made elsewhere travel without models)."""


class Target(NamedTuple):
    """Where one record's computation writes: its name and config in the store, and its scratch folder."""

    profile: str
    name: str
    config: dict
    scratch: Path

    @property
    def model_path(self) -> Path:
        return results.model_path(self.profile, self.name, self.config)


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
    return (
        lambda: (data.as_cnn_input(ds.x_train[train_idx]), ds.y_train[train_idx]),
        lambda: (data.as_cnn_input(ds.x_test[test_idx]), ds.y_test[test_idx]),
    )


def _train(target: Target, build, train, test, *, extra=None, score_train_set=False) -> dict:
    """Staged training into ``target``; ``train``/``test`` are loaders, called only now.

    The final model is kept beside the record (for the compression chapter);
    ``extra(model)`` may add measurements of the trained model to the result.
    """
    import keras

    from . import training

    spec = target.config
    result = training.train_staged(
        build,
        train(),
        test(),
        schedule=spec["schedule"],
        batch_size=spec["batch_size"],
        learning_rate=spec["learning_rate"],
        seed=spec["seed"],
        checkpoint_dir=target.scratch,
        validate_every_epoch=spec["validate_every_epoch"],
        score_train_set=score_train_set,
        verbose=2,
    )
    model = keras.models.load_model(training.final_model_file(target.scratch))
    training.save_for_inference(model, target.model_path)
    if extra:
        result.update(extra(model))
    return result


def compute_network(cfg: dict, name: str, target: Target) -> dict:
    """Staged training of ``name`` (``cnn_3_128`` or ``dsc_gap``) under the profile's protocol."""
    from .models import build_model

    spec = target.config
    train, test = _inputs(cfg["data"]["train_size"], cfg["data"]["test_size"], cfg["seed"])
    # only CNN-3-128 is scored on its training images: the audit's hypothesis (a) is about the paper's model
    return _train(
        target,
        lambda: build_model(name, **spec["model_kwargs"]),
        train,
        test,
        score_train_set=name == "cnn_3_128",
    )


def compute_baseline(cfg: dict, model: str, _target: Target) -> dict:
    from . import baselines

    ds = data.load_fashion_mnist()
    train_idx, test_idx = split_indices(cfg, "baselines")
    train = (data.as_vectors(ds.x_train[train_idx]), ds.y_train[train_idx])
    test = (data.as_vectors(ds.x_test[test_idx]), ds.y_test[test_idx])
    return baselines.fit_and_score(model, train, test, cfg["seed"])


def leaky_split(cfg: dict, rotation: float):
    """The pooled, augmented, re-split data of hypothesis (b), rebuilt deterministically."""
    from . import leakage

    ds = data.load_fashion_mnist()
    audit = cfg["audit"]
    train_idx = data.stratified_subsample(ds.y_train, audit["pool_train_size"], cfg["seed"])
    test_idx = data.stratified_subsample(ds.y_test, audit["pool_test_size"], cfg["seed"])
    return leakage.pooled_augmented_split(
        data.as_cnn_input(ds.x_train[train_idx]),
        ds.y_train[train_idx],
        data.as_cnn_input(ds.x_test[test_idx]),
        ds.y_test[test_idx],
        copies=audit["copies"],
        rotation_degrees=rotation,
        seed=cfg["seed"],
    )


def compute_leakage(cfg: dict, rotation: float, target: Target) -> dict:
    """Hypothesis (b): CNN-3-128 trained and scored on a split made after pooled augmentation."""
    from . import leakage
    from .models import build_model

    split = leaky_split(cfg, rotation)
    return _train(
        target,
        lambda: build_model("cnn_3_128", **target.config["model_kwargs"]),
        lambda: (split.x_train, split.y_train),
        lambda: (split.x_eval, split.y_eval),
        extra=lambda _model: {"leak": leakage.leak_summary(split)},
    )


def compute_honest_augmentation(cfg: dict, _arg: Any, target: Target) -> dict:
    """Hypothesis (d): the paper's augmenter on training batches only; the official test set untouched."""
    from .models import build_model

    spec = target.config
    train, test = _inputs(spec["train_size"], spec["test_size"], cfg["seed"])
    return _train(
        target,
        lambda: augment.with_augmentation(
            build_model("cnn_3_128", **spec["model_kwargs"]), spec["rotation_degrees"], seed=cfg["seed"]
        ),
        train,
        test,
    )


def compute_near_duplicates(_cfg: dict, _arg: Any, _target: Target) -> dict:
    """Nearest training image of every official test image (all 60,000 x 10,000 pairs)."""
    from . import duplicates

    ds = data.load_fashion_mnist()
    distances, nearest = duplicates.nearest_train_rms(ds.x_train, ds.x_test)
    return {
        "exact": duplicates.exact_duplicates(ds.x_train, ds.x_test).tolist(),
        "rms_distance": distances.round(6).tolist(),
        "nearest_train_index": nearest.tolist(),
    }


def compute_family_member(cfg: dict, member: list, target: Target) -> dict:
    """One family member under the shared schedule; its size, MACs and latency measured on the trained model."""
    from . import param_counts, scaling
    from .models import conv_net

    spec = target.config
    train, test = _inputs(spec["data"]["train_size"], spec["data"]["test_size"], cfg["seed"])
    depth, width, head, separable = member

    def measure(model):
        x = test()[0]
        return {
            "macs": param_counts.model_macs(model),
            "analytic_params": int(sum(sum(param_counts.analytic_count(layer)) for layer in model.layers)),
            "latency_batch1_s": scaling.latency_per_image(model, x, 1, repeats=20),
            "latency_batch1024_s": scaling.latency_per_image(model, x, 1024, repeats=3),
        }

    return _train(target, lambda: conv_net(depth, width, head=head, separable=separable), train, test, extra=measure)


def trained_model(cfg: dict, name: str):
    """The model behind a network's record. Never retrains: a missing model is an error that says how to make it."""
    import keras

    spec = network_config(cfg, name)
    path = results.model_path(cfg["profile"], name, spec)
    if not path.exists():
        raise MissingModel(
            f"the trained model of record {name}-{results.config_key(spec)} is not in "
            f"{results.profile_dir(cfg['profile'])}/models (records made elsewhere come without it); "
            f"retrain it with: python -m fmnist_lib.compute --profile {cfg['profile']} --only {name} --force"
        )
    return keras.models.load_model(path)


def compute_compression(cfg: dict, name: str, target: Target) -> dict:
    """int8 quantisation and a magnitude-pruning sweep of a trained network, scored on its test set."""
    from . import compression, training

    spec = target.config
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


def compute_digits(cfg: dict, arg: tuple, target: Target) -> dict:
    """Hypothesis (e): a network on 5k MNIST digits, or on the equal-size Fashion control, at matched steps."""
    from . import digits
    from .models import build_model

    dataset, network, _paper_epochs = arg
    spec = target.config
    images, labels = digits.sample(dataset, spec["size"], cfg["seed"])
    train_idx, test_idx = digits.balanced_split(labels, spec["test_share"], cfg["seed"])
    if len(train_idx) != spec["train_images"]:
        raise ValueError(
            f"the {dataset} split has {len(train_idx)} training images, the config says {spec['train_images']}"
        )
    result = _train(
        target,
        lambda: build_model(network, **spec["model_kwargs"]),
        lambda: (data.as_cnn_input(images[train_idx]), labels[train_idx]),
        lambda: (data.as_cnn_input(images[test_idx]), labels[test_idx]),
    )
    steps_per_epoch = -(-len(train_idx) // spec["batch_size"])
    result["steps_per_epoch"] = steps_per_epoch
    result["paper_steps_per_epoch"] = digits.PAPER_STEPS_PER_EPOCH
    return result


def digits_test_labels(cfg: dict, arg: tuple, size: int):
    """The held-out labels a (e) run is scored on, rebuilt from the data (to check its record when read)."""
    from . import digits
    from .configs import DIGITS_TEST_SHARE

    _, labels = digits.sample(arg[0], size, cfg["seed"])
    return labels[digits.balanced_split(labels, DIGITS_TEST_SHARE, cfg["seed"])[1]]


def _train_with(target: Target, build, train, test, callbacks) -> dict:
    """Staged training into ``target`` with extra callbacks (for runs that score more than the test set)."""
    from . import training

    spec = target.config
    return training.train_staged(
        build,
        train,
        test,
        schedule=spec["schedule"],
        batch_size=spec["batch_size"],
        learning_rate=spec["learning_rate"],
        seed=spec["seed"],
        checkpoint_dir=target.scratch,
        validate_every_epoch=spec["validate_every_epoch"],
        score_train_set=False,
        verbose=2,
        callbacks=callbacks,
    )


def copies_leaky_split(cfg: dict, copies: int):
    """The pooled split of hypothesis (b) with ``copies`` augmented copies of every pooled image."""
    from . import augment, leakage

    ds = data.load_fashion_mnist()
    audit = cfg["audit"]
    train_idx = data.stratified_subsample(ds.y_train, audit["pool_train_size"], cfg["seed"])
    test_idx = data.stratified_subsample(ds.y_test, audit["pool_test_size"], cfg["seed"])
    return leakage.pooled_augmented_split(
        data.as_cnn_input(ds.x_train[train_idx]),
        ds.y_train[train_idx],
        data.as_cnn_input(ds.x_test[test_idx]),
        ds.y_test[test_idx],
        copies=copies,
        rotation_degrees=augment.PAPER_ROTATION_DEGREES,
        seed=cfg["seed"],
    )


def compute_copies_leak(cfg: dict, copies: int, target: Target) -> dict:
    """(b) on the long schedule: the leaky split's subgroups scored after every epoch."""
    from . import leak_groups, leakage
    from .models import build_model

    split = copies_leaky_split(cfg, copies)
    masks = leak_groups.group_masks(split, copies, cfg["seed"])
    steps_per_epoch = -(-len(split.y_train) // target.config["batch_size"])
    scores_file = target.scratch / "group_scores.json"
    callback = leak_groups.make_callback(split.x_eval, split.y_eval, masks, scores_file, steps_per_epoch)
    result = _train_with(
        target,
        lambda: build_model("cnn_3_128", **target.config["model_kwargs"]),
        (split.x_train, split.y_train),
        (split.x_eval, split.y_eval),
        [callback],
    )
    result["leak"] = leakage.leak_summary(split)
    result["steps_per_epoch"] = steps_per_epoch
    result["group_scores"] = leak_groups.read_scores(scores_file)
    return result


def compute_copies_honest(cfg: dict, copies: int, target: Target) -> dict:
    """(d) read as "copies added": originals plus augmented copies, made once; the official test set untouched."""
    from .models import build_model

    spec = target.config
    train, test = _inputs(spec["train_size"], spec["test_size"], cfg["seed"])
    x, y = train()
    images = [x] + [
        augment.augment_images(x, spec["rotation_degrees"], seed=cfg["seed"] + 10 * k) for k in range(copies)
    ]
    result = _train(
        target,
        lambda: build_model("cnn_3_128", **spec["model_kwargs"]),
        lambda: (np.concatenate(images), np.tile(y, copies + 1)),
        test,
    )
    result["steps_per_epoch"] = -(-len(y) * (copies + 1) // spec["batch_size"])
    return result


def compute_leak_groups(cfg: dict, rotation: float, target: Target) -> dict:
    """The subgroups of a stored 14-epoch leakage run, from its final predictions (the split rebuilt, no training)."""
    from . import leak_groups
    from .configs import leak_config, leak_name
    from .results import load_record

    source = load_record(cfg["profile"], leak_name(rotation), leak_config(cfg, rotation))
    split = leaky_split(cfg, rotation)
    masks = leak_groups.group_masks(split, cfg["audit"]["copies"], cfg["seed"])
    predictions = np.asarray(source.test_predictions)
    if len(predictions) != len(split.y_eval):
        raise ValueError(f"{source.file_stem} holds {len(predictions)} predictions for {len(split.y_eval)} images")
    return {
        "source": source.file_stem,
        "epochs": source.final.epochs,
        "groups": leak_groups.group_accuracies(masks, split.y_eval, predictions),
    }


def compute_light_without_batchnorm(cfg: dict, _arg: Any, target: Target) -> dict:
    """The light model read literally ("no additional layers"): no BatchNorm, under the light model's protocol."""
    from . import variants

    spec = target.config
    kept = {k: v for k, v in spec["model_kwargs"].items() if k in ("dropout", "activation")}
    train, test = _inputs(cfg["data"]["train_size"], cfg["data"]["test_size"], cfg["seed"])
    return _train(target, lambda: variants.dsc_gap_without_batchnorm(**kept), train, test, score_train_set=True)


def compute_scaled_baseline(cfg: dict, model: str, _target: Target) -> dict:
    """A classical model on pixels scaled to [0, 1] instead of raw 0-255 (the other preprocessing of Table I)."""
    from . import baselines

    ds = data.load_fashion_mnist()
    train_idx, test_idx = split_indices(cfg, "baselines")
    train = (data.as_vectors(ds.x_train[train_idx]) / 255.0, ds.y_train[train_idx])
    test = (data.as_vectors(ds.x_test[test_idx]) / 255.0, ds.y_test[test_idx])
    return baselines.fit_and_score(model, train, test, cfg["seed"])


def compute_network_group(name: str, targets: list[Target], scratch: Path) -> list[dict]:
    """Staged training of several seeds of ``name`` in one JAX program (``grouped_training``), one result each.

    Called by the runner for jobs the registry grouped: the same network and
    protocol on all the data, differing only in the seed. Each result has the
    fields of ``compute_network``'s (the model kept beside its record too), and
    says it was trained in a group.
    """
    from . import grouped_training, training
    from .models import build_model

    spec = targets[0].config
    train, test = _inputs(None, None, spec["seed"])  # grouped only on all the data: every seed sees the same set

    def build():
        return build_model(name, **spec["model_kwargs"])

    found = grouped_training.train_group(
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
