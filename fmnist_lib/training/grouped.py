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

It is an ``engine.Learner``: the stages, scores, checkpoints and resume are the
engine's. ``train_single`` is the same step for one model, unmapped: the
reference the grouped trainer must match model for model
(tests/test_grouped_training.py). An epoch's data order is a function of the
model's seed and the epoch number only, so a resumed run sees the same order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fmnist_lib.models.networks import total_count, trainable_count
from fmnist_lib.store.runstore import writing
from fmnist_lib.training.engine import EpochScorer, damaged, run_stages
from fmnist_lib.training.scoring import scores

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


class GroupLearner:
    """The ``engine.Learner`` of K models in one JAX program (``grouped=False``: one model, unmapped)."""

    def __init__(
        self,
        build: Callable,
        train: tuple[np.ndarray, np.ndarray],
        test: tuple[np.ndarray, np.ndarray],
        *,
        seeds: list[int],
        batch_size: int,
        learning_rate: float,
        grouped: bool,
        validate_every_epoch: bool = False,
        epoch_scorer: EpochScorer | None = None,
    ) -> None:
        import jax

        _require_jax()
        self.build, self.train, self.test, self.seeds = build, train, test, list(seeds)
        self.batch_size, self.learning_rate, self.grouped = batch_size, learning_rate, grouped
        self.validate_every_epoch, self.epoch_scorer = validate_every_epoch, epoch_scorer
        self.program = _program(build, learning_rate)
        self._step = jax.jit(jax.vmap(self.program.step) if grouped else self.program.step)
        self._predict = jax.jit(
            jax.vmap(self.program.predict, in_axes=(0, 0, None)) if grouped else self.program.predict
        )
        self.state = None

    def _initial(self) -> list:
        return [initial_state(self.build, self.learning_rate, seed) for seed in self.seeds]

    def _set(self, states: list) -> None:
        self.state = _stack(states) if self.grouped else states[0]

    def _models(self) -> list:
        return _unstack(self.state, len(self.seeds)) if self.grouped else [self.state]

    def start(self) -> None:
        self._set(self._initial())

    def restore(self, folder: Path, saved: dict) -> None:
        import jax

        try:
            arrays = np.load(folder / ARRAYS_FILE)
            states = []
            for k, template in enumerate(self._initial()):
                leaves, tree = jax.tree.flatten(template)
                states.append(jax.tree.unflatten(tree, [arrays[f"m{k}_{i}"] for i in range(len(leaves))]))
        except (OSError, KeyError, ValueError) as exc:
            raise damaged(folder, f"{ARRAYS_FILE}: {type(exc).__name__}") from None
        self._set(states)

    def fit(self, start_epoch: int, end_epoch: int, stage_index: int) -> tuple[list[list[dict]], float]:
        x_train, y_train = self.train
        k, n = len(self.seeds), len(x_train)
        steps = int(np.ceil(n / self.batch_size))
        histories: list[list[dict]] = [[] for _ in range(k)]
        started, validating = time.perf_counter(), 0.0
        for epoch in range(start_epoch, end_epoch):
            epoch_start = time.perf_counter()
            orders = np.stack([epoch_order(seed, epoch, n) for seed in self.seeds])
            losses, correct = np.zeros(k), np.zeros(k)
            for b in range(steps):
                idx = orders[:, b * self.batch_size : (b + 1) * self.batch_size]
                x, y = x_train[idx], y_train[idx]  # (K, batch, ...) for the group
                if self.grouped:
                    self.state, loss, right = self._step(self.state, x, y)
                else:
                    self.state, loss, right = self._step(self.state, x[0], y[0])
                losses += np.asarray(loss) * idx.shape[1]
                correct += np.asarray(right)
            seconds = time.perf_counter() - epoch_start
            validation_start = time.perf_counter()
            validated = (
                [scores(p, self.test[1]) for p in self.probabilities(self.test[0])]
                if self.validate_every_epoch
                else None
            )
            extra = (
                [self.epoch_scorer[1](p) for p in self.probabilities(self.epoch_scorer[0])]
                if self.epoch_scorer
                else None
            )
            validation_seconds = time.perf_counter() - validation_start  # for the curves only, timed apart as fit does
            validating += validation_seconds
            for i in range(k):
                entry = {
                    "epoch": epoch + 1,
                    "seconds": seconds,
                    "validation_seconds": validation_seconds,
                    "accuracy": float(correct[i] / n),
                    "loss": float(losses[i] / n),
                }
                if validated is not None:
                    entry.update(val_accuracy=validated[i]["accuracy"], val_loss=validated[i]["loss"])
                if extra is not None:
                    entry.update(extra[i])
                histories[i].append(entry)
        return histories, time.perf_counter() - started - validating

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        chunks = []
        for start in range(0, len(images), 4 * self.batch_size):
            x = images[start : start + 4 * self.batch_size]
            if self.grouped:
                trainable, non_trainable, _ = self.state
                chunks.append(np.asarray(self._predict(trainable, non_trainable, x)))
            else:
                chunks.append(np.asarray(self._predict(self.state[0], self.state[1], x))[None])
        return np.concatenate(chunks, axis=1)  # (K, n, classes)

    def save(self, folder: Path, stage_number: int) -> dict:
        import jax

        arrays = {}
        for k, state in enumerate(self._models()):
            for i, leaf in enumerate(jax.tree.leaves(state)):
                arrays[f"m{k}_{i}"] = np.asarray(leaf)
        tmp = folder / f".{ARRAYS_FILE}.{os.getpid()}.npz"
        with writing(tmp, folder):
            np.savez(tmp, **arrays)
            os.replace(tmp, folder / ARRAYS_FILE)
        return {"arrays_file": ARRAYS_FILE, "stage": stage_number}

    def summary(self) -> list[dict]:
        return [
            {
                "optimizer_steps": int(np.asarray(model[2][0])),  # Adam's iteration counter
                "trainable_params": trainable_count(self.program.model),
                "total_params": total_count(self.program.model),
                "trained_in_group": len(self.seeds) if self.grouped else 1,
                "weights": model[0],  # trained variables, for the tests and a saved model; not part of a record
                "non_trainable": model[1],
            }
            for model in self._models()
        ]


def _train(build, train, test, *, seeds, grouped, schedule, checkpoint_dir, score_train_set=False, **protocol):
    learner = GroupLearner(build, train, test, seeds=seeds, grouped=grouped, **protocol)
    return run_stages(
        learner,
        train,
        test,
        schedule=schedule,
        checkpoint_dir=checkpoint_dir,
        score_train_set=score_train_set,
        verbose=0,
    )


def train_single(build, train, test, *, seed: int, **protocol) -> dict:
    """One model through the stateless loop: the reference a group's members must match."""
    return _train(build, train, test, seeds=[seed], grouped=False, **protocol)[0]


def train_group(build, train, test, *, seeds: list[int], **protocol) -> list[dict]:
    """K models of one architecture in one compiled program, one result per seed, in the order given."""
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"a group trains each seed once; got {seeds}")
    return _train(build, train, test, seeds=list(seeds), grouped=True, **protocol)
