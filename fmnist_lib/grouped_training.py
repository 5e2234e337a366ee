"""Many small models in one compiled program: K copies of one architecture trained side by side on JAX.

At the protocol's batch of 128 one CNN-3-128 step leaves a large GPU mostly
idle, and the seed study, the audit's mechanisms and the family are many
copies of the same small network with different seeds. This trainer stacks the
variables of K models (each built from its own seed) and maps one training step
over them with ``jax.vmap`` under ``jax.jit``, through Keras 3's stateless API
(``stateless_call`` and the optimizer's ``stateless_apply``). Each model keeps
its own initialisation, dropout RNG (the seed generator's state is one of its
non-trainable variables), data order and optimizer state; they share the
architecture, the optimizer, the batch size and the schedule.

``train_single`` is the same loop for one model, unmapped: the reference the
grouped trainer must match model for model (tests/test_grouped_training.py).
Both evaluate after each stage and checkpoint there, so a resumed run continues
from the last finished stage with the same state and the same data order (an
epoch's order is a function of the model's seed and the epoch number only).
The results have the fields of ``training.train_staged``'s, plus
``trained_in_group`` (K) for the record's provenance.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

STATE_FILE = "group-state.json"
ARRAYS_FILE = "group-state.npz"


class NeedsJax(RuntimeError):
    """The grouped trainer maps over models with jax.vmap: it runs only on the JAX backend."""


def _require_jax() -> None:
    import keras

    if keras.backend.backend() != "jax":
        raise NeedsJax(
            f"grouped training needs KERAS_BACKEND=jax (this process uses {keras.backend.backend()}); "
            "the single-model path (training.train_staged) serves the other backends"
        )


@dataclass
class _Program:
    """The model, optimizer and compiled functions shared by every model of a group."""

    model: object
    optimizer: object
    step: Callable  # (state, x, y) -> (state, loss, correct)
    predict: Callable  # (trainable, non_trainable, x) -> probabilities


def _program(build: Callable, learning_rate: float) -> _Program:
    import jax
    import keras

    model = build()
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(model.trainable_variables)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()

    def loss_and_updates(trainable, non_trainable, x, y):
        probabilities, non_trainable = model.stateless_call(trainable, non_trainable, x, training=True)
        loss = loss_fn(y, probabilities)
        correct = jax.numpy.sum(jax.numpy.argmax(probabilities, axis=-1) == y)
        return loss, (non_trainable, correct)

    gradient = jax.value_and_grad(loss_and_updates, has_aux=True)

    def step(state, x, y):
        trainable, non_trainable, optimizer_vars = state
        (loss, (non_trainable, correct)), grads = gradient(trainable, non_trainable, x, y)
        trainable, optimizer_vars = optimizer.stateless_apply(optimizer_vars, grads, trainable)
        return (trainable, non_trainable, optimizer_vars), loss, correct

    def predict(trainable, non_trainable, x):
        probabilities, _ = model.stateless_call(trainable, non_trainable, x, training=False)
        return probabilities

    return _Program(model, optimizer, step, predict)


def initial_state(build: Callable, learning_rate: float, seed: int) -> tuple[list, list, list]:
    """One model's (trainable, non-trainable, optimizer) variables, initialised from ``seed`` as a lone run is."""
    import keras

    keras.utils.set_random_seed(seed)
    model = build()
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(model.trainable_variables)
    return (
        [np.asarray(v.value) for v in model.trainable_variables],
        [np.asarray(v.value) for v in model.non_trainable_variables],
        [np.asarray(v.value) for v in optimizer.variables],
    )


def epoch_order(seed: int, epoch: int, n: int) -> np.ndarray:
    """The order in which one model sees the training images in one epoch: its seed and the epoch decide it."""
    return np.random.default_rng([seed, epoch]).permutation(n)


def _stack(states: Sequence) -> tuple:
    import jax

    return jax.tree.map(lambda *leaves: jax.numpy.stack(leaves), *states)


def _unstack(state, k: int) -> list:
    import jax

    return [jax.tree.map(lambda leaf, i=i: np.asarray(leaf[i]), state) for i in range(k)]


def _save(folder: Path, states: list, meta: dict) -> None:
    """All models' variables after a stage, then the stage list: a crash leaves the previous pair whole."""
    import jax

    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for k, state in enumerate(states):
        for i, leaf in enumerate(jax.tree.leaves(state)):
            arrays[f"m{k}_{i}"] = np.asarray(leaf)
    tmp = folder / f".{ARRAYS_FILE}.{os.getpid()}.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, folder / ARRAYS_FILE)
    tmp_meta = folder / f".{STATE_FILE}.{os.getpid()}"
    tmp_meta.write_text(json.dumps(meta))
    os.replace(tmp_meta, folder / STATE_FILE)


def _load(folder: Path, template: list) -> tuple[list, dict] | None:
    import jax

    if not (folder / STATE_FILE).exists():
        return None
    meta = json.loads((folder / STATE_FILE).read_text())
    arrays = np.load(folder / ARRAYS_FILE)
    states = []
    for k, state in enumerate(template):
        leaves, tree = jax.tree.flatten(state)
        states.append(jax.tree.unflatten(tree, [arrays[f"m{k}_{i}"] for i in range(len(leaves))]))
    return states, meta


def _evaluate(predict, states, x_test, y_test, batch_size: int, grouped: bool) -> list[dict]:
    """Each model's test accuracy, loss, binary accuracy on one-hot labels, and predictions."""
    from .training import binary_accuracy_onehot

    chunks = []
    for start in range(0, len(x_test), 4 * batch_size):
        x = x_test[start : start + 4 * batch_size]
        if grouped:
            trainable, non_trainable, _ = states
            chunks.append(np.asarray(predict(trainable, non_trainable, x)))
        else:
            chunks.append(np.asarray(predict(states[0], states[1], x))[None])
    probabilities = np.concatenate(chunks, axis=1)  # (K, n, classes)
    out = []
    for p in probabilities:
        picked = np.clip(p[np.arange(len(y_test)), y_test], 1e-7, 1.0)
        predictions = p.argmax(axis=1)
        out.append(
            {
                "accuracy": float(np.mean(predictions == y_test)),
                "loss": float(-np.mean(np.log(picked))),
                "binary_accuracy": binary_accuracy_onehot(p, y_test),
                "predictions": predictions,
            }
        )
    return out


def _train(
    build: Callable,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    *,
    schedule: list[int],
    batch_size: int,
    learning_rate: float,
    seeds: list[int],
    checkpoint_dir: Path,
    grouped: bool,
    validate_every_epoch: bool = False,
    score_train_set: bool = False,
) -> list[dict]:
    import jax

    _require_jax()
    x_train, y_train = train
    x_test, y_test = test
    k = len(seeds)
    program = _program(build, learning_rate)
    step = jax.jit(jax.vmap(program.step) if grouped else program.step)
    predict = jax.jit(jax.vmap(program.predict, in_axes=(0, 0, None)) if grouped else program.predict)
    states = [initial_state(build, learning_rate, seed) for seed in seeds]
    loaded = _load(Path(checkpoint_dir), states)
    if loaded is None:
        meta = {"seeds": seeds, "stages": [[] for _ in seeds], "history": [[] for _ in seeds], "resumed_at_stage": None}
    else:
        states, meta = loaded
        if meta["seeds"] != seeds:
            raise ValueError(f"{checkpoint_dir} holds a group of seeds {meta['seeds']}, not {seeds}")
        meta["resumed_at_stage"] = len(meta["stages"][0]) + 1
    state = _stack(states) if grouped else states[0]
    n = len(x_train)
    steps = int(np.ceil(n / batch_size))
    evaluation = None
    for stage_index in range(len(meta["stages"][0]), len(schedule)):
        start_epoch = schedule[stage_index - 1] if stage_index else 0
        stage_start = time.perf_counter()
        for epoch in range(start_epoch, schedule[stage_index]):
            epoch_start = time.perf_counter()
            orders = np.stack([epoch_order(seed, epoch, n) for seed in seeds])
            losses, correct = np.zeros(k), np.zeros(k)
            for b in range(steps):
                idx = orders[:, b * batch_size : (b + 1) * batch_size]
                x, y = x_train[idx], y_train[idx]  # (K, batch, ...) for the group
                if grouped:
                    state, loss, right = step(state, x, y)
                else:
                    state, loss, right = step(state, x[0], y[0])
                losses += np.asarray(loss) * idx.shape[1]
                correct += np.asarray(right)
            seconds = time.perf_counter() - epoch_start
            validated, validation_seconds = None, 0.0
            if validate_every_epoch:  # for the curves only, timed apart as Keras' fit does
                validation_start = time.perf_counter()
                validated = _evaluate(predict, state, x_test, y_test, batch_size, grouped)
                validation_seconds = time.perf_counter() - validation_start
            for i in range(k):
                entry = {"epoch": epoch + 1, "seconds": seconds, "validation_seconds": validation_seconds,
                         "accuracy": float(correct[i] / n), "loss": float(losses[i] / n)}  # fmt: skip
                if validated is not None:
                    entry.update(val_accuracy=validated[i]["accuracy"], val_loss=validated[i]["loss"])
                meta["history"][i].append(entry)
        train_seconds = time.perf_counter() - stage_start
        eval_start = time.perf_counter()
        evaluation = _evaluate(predict, state, x_test, y_test, batch_size, grouped)
        eval_seconds = time.perf_counter() - eval_start
        on_train = _evaluate(predict, state, x_train, y_train, batch_size, grouped) if score_train_set else None
        for i, scored in enumerate(evaluation):
            previous = meta["stages"][i][-1]["cumulative_train_seconds"] if meta["stages"][i] else 0.0
            meta["stages"][i].append(
                {
                    "stage": stage_index + 1,
                    "epochs": schedule[stage_index],
                    "test_accuracy": scored["accuracy"],
                    "test_loss": scored["loss"],
                    "test_binary_accuracy": scored["binary_accuracy"],
                    "train_seconds": train_seconds,
                    "cumulative_train_seconds": previous + train_seconds,
                    "eval_seconds": eval_seconds,
                    **({"train_set_accuracy": on_train[i]["accuracy"]} if on_train else {}),
                }
            )
        _save(Path(checkpoint_dir), _unstack(state, k) if grouped else [state], meta)
    if evaluation is None:  # every stage was checkpointed already: predict once for the record
        evaluation = _evaluate(predict, state, x_test, y_test, batch_size, grouped)
    from .models import total_count, trainable_count

    final = _unstack(state, k) if grouped else [state]
    return [
        {
            "stages": meta["stages"][i],
            "history": meta["history"][i],
            "resumed_at_stage": meta["resumed_at_stage"],
            "optimizer_steps": int(np.asarray(final[i][2][0])),  # Adam's iteration counter
            "trainable_params": trainable_count(program.model),
            "total_params": total_count(program.model),
            "test_predictions": evaluation[i]["predictions"].astype(int).tolist(),
            "trained_in_group": k if grouped else 1,
            "weights": final[i][0],  # trained variables, for the tests and a saved model; not part of a record
            "non_trainable": final[i][1],
        }
        for i in range(k)
    ]


def train_single(build, train, test, *, seed: int, **protocol) -> dict:
    """One model through the stateless loop: the reference a group's members must match."""
    return _train(build, train, test, seeds=[seed], grouped=False, **protocol)[0]


def train_group(build, train, test, *, seeds: list[int], **protocol) -> list[dict]:
    """K models of one architecture in one compiled program, one result per seed, in the order given."""
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"a group trains each seed once; got {seeds}")
    return _train(build, train, test, seeds=list(seeds), grouped=True, **protocol)
