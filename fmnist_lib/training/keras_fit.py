"""One model, trained by Keras' own ``fit``, stage by stage: the lone run behind every record.

Only backend-neutral Keras 3 is used, so the same code runs on TensorFlow, JAX
and PyTorch. A checkpoint is the model with its optimizer state plus the
random-number states of its seeded layers (dropout, the augmenter), which Keras
does not save: with them, and one seed per stage, a resumed run shuffles and
drops out exactly as an uninterrupted one.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

import keras
import numpy as np

from fmnist_lib.models.networks import total_count, trainable_count
from fmnist_lib.store.runstore import read_json, writing
from fmnist_lib.training.distribute import data_parallel
from fmnist_lib.training.engine import STATE_FILE, EpochScorer, damaged, run_stages


class EpochClock(keras.callbacks.Callback):
    """Per-epoch wall time, with the time spent validating (or scoring extra images) kept apart.

    Validation on the test set each epoch is for the curves only; it must not
    inflate the training time that the paper compares.
    """

    def __init__(self, scorer: EpochScorer | None = None) -> None:
        super().__init__()
        self.epochs: list[dict] = []
        self.scorer = scorer

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()
        self._validation = 0.0

    def on_test_begin(self, logs=None):
        self._test_start = time.perf_counter()

    def on_test_end(self, logs=None):
        self._validation += time.perf_counter() - self._test_start

    def on_epoch_end(self, epoch, logs=None):
        total = time.perf_counter() - self._epoch_start
        entry = {"epoch": epoch + 1, "seconds": total - self._validation, "validation_seconds": self._validation}
        entry.update({k: float(v) for k, v in (logs or {}).items()})
        if self.scorer is not None:
            started = time.perf_counter()
            images, score = self.scorer
            entry.update(score(self.model.predict(images, batch_size=1024, verbose=0)))
            entry["validation_seconds"] += time.perf_counter() - started
        self.epochs.append(entry)


def compile_for_protocol(model: keras.Model, learning_rate: float) -> keras.Model:
    """Adam, sparse categorical cross-entropy and class accuracy, as in Mukhamediev (2024)."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _seed_states(model: keras.Model) -> list:
    """The random-number states of Dropout, the augmenter and every other seeded layer, in model order."""
    return [v for v in model.variables if v.path.endswith("seed_generator_state")]


def _restore_seed_states(model: keras.Model, saved: list[list[int]] | None) -> None:
    """Put the layers' random-number states back as they were when the stage was saved.

    Keras saves weights and optimizer state with a model but not these, so a
    reloaded Dropout (or augmenter) would start a fresh random stream and a
    resumed run would drop other units than an uninterrupted one.
    """
    states = _seed_states(model)
    if saved is None or len(saved) != len(states):
        raise ValueError("the checkpoint's random-number states do not match the model; delete the checkpoint folder")
    for variable, value in zip(states, saved):
        variable.assign(np.asarray(value, dtype=variable.dtype))


class KerasLearner:
    """The ``engine.Learner`` of a lone run: ``model.fit`` per stage, a ``.keras`` checkpoint after it."""

    def __init__(
        self,
        build: Callable[[], keras.Model],
        train: tuple[np.ndarray, np.ndarray],
        test: tuple[np.ndarray, np.ndarray],
        *,
        seed: int,
        batch_size: int,
        learning_rate: float,
        validate_every_epoch: bool,
        verbose: int,
        callbacks: list[keras.callbacks.Callback] | None = None,
        epoch_scorer: EpochScorer | None = None,
    ) -> None:
        self.build, self.train, self.test = build, train, test
        self.seeds = [seed]
        self.batch_size, self.learning_rate = batch_size, learning_rate
        self.validate_every_epoch, self.verbose = validate_every_epoch, verbose
        self.callbacks, self.epoch_scorer = callbacks or [], epoch_scorer
        self.model: keras.Model | None = None

    def start(self) -> None:
        keras.utils.set_random_seed(self.seeds[0])
        self.model = compile_for_protocol(self.build(), self.learning_rate)

    def restore(self, folder: Path, saved: dict) -> None:
        model_file = folder / saved.get("model_file", "")
        try:
            self.model = keras.models.load_model(model_file)
        except Exception as exc:  # a cut-short .keras file fails in zipfile, h5py or json, depending where
            raise damaged(folder, f"{model_file.name}: {type(exc).__name__}") from None
        # A reloaded model builds its loss and metrics on its first fit, drawing one shuffle
        # from the global RNG that an uninterrupted run drew in stage 1: build them here, with
        # an unshuffled evaluate, so the stage's fit shuffles as the uninterrupted one does.
        x, y = self.train
        self.model.evaluate(x[: self.batch_size], y[: self.batch_size], batch_size=self.batch_size, verbose=0)
        _restore_seed_states(self.model, saved.get("seed_generator_states"))

    def fit(self, start_epoch: int, end_epoch: int, stage_index: int) -> tuple[list[list[dict]], float]:
        # one seed per stage: a resumed run shuffles and drops out like an uninterrupted one
        keras.utils.set_random_seed(self.seeds[0] * 1000 + stage_index)
        clock = EpochClock(self.epoch_scorer)
        started = time.perf_counter()
        self.model.fit(
            *self.train,
            batch_size=self.batch_size,
            epochs=end_epoch,
            initial_epoch=start_epoch,
            validation_data=self.test if self.validate_every_epoch else None,
            callbacks=[clock, *self.callbacks],
            verbose=self.verbose,
        )
        seconds = time.perf_counter() - started - sum(e["validation_seconds"] for e in clock.epochs)
        return [clock.epochs], seconds

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        return self.model.predict(images, batch_size=1024, verbose=0)[None]

    def save(self, folder: Path, stage_number: int) -> dict:
        """The model after a stage; the one before it is kept until the state file names this one."""
        model_file = f"stage-{stage_number}.keras"
        tmp = folder / f".{model_file}.{os.getpid()}.tmp.keras"  # per process: two runs never share a temp file
        with writing(tmp, folder):
            self.model.save(tmp)
            tmp.replace(folder / model_file)
        (folder / f"stage-{stage_number - 2}.keras").unlink(missing_ok=True)
        return {
            "model_file": model_file,
            "seed_generator_states": [np.asarray(v).tolist() for v in _seed_states(self.model)],
        }

    def summary(self) -> list[dict]:
        return [
            {
                "optimizer_steps": int(keras.ops.convert_to_numpy(self.model.optimizer.iterations)),
                "trainable_params": trainable_count(self.model),
                "total_params": total_count(self.model),
            }
        ]


def train_staged(
    build: Callable[[], keras.Model],
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    *,
    schedule: list[int],
    batch_size: int,
    learning_rate: float,
    seed: int,
    checkpoint_dir: Path,
    validate_every_epoch: bool = False,
    score_train_set: bool = True,
    verbose: int = 2,
    callbacks: list[keras.callbacks.Callback] | None = None,
    epoch_scorer: EpochScorer | None = None,
) -> dict:
    """One model through the cumulative ``schedule`` (``engine.run_stages``), on the devices asked for.

    The trained model stays in ``checkpoint_dir`` (``final_model_file``) until
    the run store removes that folder.
    """
    with data_parallel() as devices:
        learner = KerasLearner(
            build,
            train,
            test,
            seed=seed,
            batch_size=batch_size,
            learning_rate=learning_rate,
            validate_every_epoch=validate_every_epoch,
            verbose=verbose,
            callbacks=callbacks,
            epoch_scorer=epoch_scorer,
        )
        [result] = run_stages(
            learner,
            train,
            test,
            schedule=schedule,
            checkpoint_dir=checkpoint_dir,
            score_train_set=score_train_set,
            verbose=verbose,
        )
    return {**result, "devices": devices}


def final_model_file(checkpoint_dir: Path) -> Path:
    """The saved model of the last finished stage in a checkpoint folder."""
    state_path = Path(checkpoint_dir) / STATE_FILE
    if not state_path.exists():
        raise FileNotFoundError(f"no finished stage in {checkpoint_dir}")
    return Path(checkpoint_dir) / read_json(state_path)["learner"]["model_file"]


def save_for_inference(model: keras.Model, path: Path) -> None:
    """The weights without the optimizer state: a third of the size, enough to predict, quantise and prune.

    Checkpoints keep Adam's moments so that training can resume; a kept model
    only has to be scored, and a lean file travels back from a GPU machine.
    """
    # from_config, not clone_model: Keras 3 clones a compiled model with its optimizer
    lean = model.__class__.from_config(model.get_config())
    lean.set_weights(model.get_weights())
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.keras")
    with writing(tmp, path.parent):
        lean.save(tmp)
        tmp.replace(path)
