"""Staged training on a cumulative epoch schedule, resumable after interruption.

The papers train once and read the test accuracy at 2, 6, 14, 30 and 62
epochs. Here each stage continues ``model.fit`` from the previous one, then
evaluates on the test set and saves the model with its optimizer state, so an
interrupted 62-epoch run resumes at the last finished stage instead of
starting over. Only backend-neutral Keras 3 is used, so the same code runs on
TensorFlow, JAX and PyTorch.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

import keras
import numpy as np

from .distribute import data_parallel
from .models import total_count, trainable_count
from .results import read_json, write_json_atomic

STATE_FILE = "state.json"


class EpochClock(keras.callbacks.Callback):
    """Per-epoch wall time, with the time spent validating kept apart.

    Validation on the test set each epoch is for the curves only; it must not
    inflate the training time that the paper compares.
    """

    def __init__(self) -> None:
        super().__init__()
        self.epochs: list[dict] = []

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
        self.epochs.append(entry)


def compile_for_protocol(model: keras.Model, learning_rate: float) -> keras.Model:
    """Adam, sparse categorical cross-entropy and class accuracy, as in Mukhamediev (2024)."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def predict_classes(model: keras.Model, images: np.ndarray) -> np.ndarray:
    return np.argmax(model.predict(images, batch_size=1024, verbose=0), axis=1).astype(int)


def binary_accuracy_onehot(probabilities: np.ndarray, labels: np.ndarray, threshold: float = 0.5) -> float:
    """What standalone Keras 2 reported as 'accuracy' with binary cross-entropy on one-hot labels.

    Each of the ten outputs is scored as its own yes/no question, so a model
    that always says 'no' already scores 90 %. This is one documented way a
    Fashion-MNIST accuracy of 99 % can appear for an ordinary model.
    """
    onehot = np.eye(probabilities.shape[1])[labels]
    return float(np.mean((probabilities > threshold) == onehot))


def score(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> dict:
    """Class accuracy, cross-entropy, the Keras-2 binary accuracy and the predicted classes, from one forward pass."""
    probabilities = np.asarray(model.predict(images, batch_size=1024, verbose=0), dtype=np.float64)
    picked = np.clip(probabilities[np.arange(len(labels)), labels], 1e-7, 1.0)
    predictions = np.argmax(probabilities, axis=1)
    return {
        "predictions": predictions,
        "accuracy": float(np.mean(predictions == labels)),
        "loss": float(-np.mean(np.log(picked))),
        "binary_accuracy": binary_accuracy_onehot(probabilities, labels),
    }


def final_model_file(checkpoint_dir: Path) -> Path:
    """The saved model of the last finished stage in a checkpoint folder."""
    state = _load_state(Path(checkpoint_dir))
    if state is None:
        raise FileNotFoundError(f"no finished stage in {checkpoint_dir}")
    return Path(checkpoint_dir) / state["model_file"]


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
    lean.save(tmp)
    tmp.replace(path)


class CheckpointError(RuntimeError):
    """A damaged checkpoint; the message names the folder and what to do."""


def _damaged(folder: Path, what: str) -> CheckpointError:
    return CheckpointError(f"the checkpoint in {folder} is damaged ({what}): delete that folder, or rerun with --force")


def _load_state(folder: Path) -> dict | None:
    path = folder / STATE_FILE
    if not path.exists():
        return None
    try:
        state = read_json(path)
        model_file = state["model_file"]
    except (ValueError, KeyError, TypeError) as exc:
        raise _damaged(folder, f"{STATE_FILE}: {type(exc).__name__}") from None
    if not (folder / model_file).exists():
        return None
    return state


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


def _save_stage(folder: Path, model: keras.Model, state: dict) -> None:
    """Model file first, then the state that names it: a crash in between loses one stage, not the run."""
    stage_number = len(state["stages"])
    model_file = f"stage-{stage_number}.keras"
    tmp = folder / f".{model_file}.{os.getpid()}.tmp.keras"  # per process: two runs never share a temp file
    model.save(tmp)
    tmp.replace(folder / model_file)
    previous = state.get("model_file")
    state["model_file"] = model_file
    state["seed_generator_states"] = [np.asarray(v).tolist() for v in _seed_states(model)]
    write_json_atomic(folder / STATE_FILE, state)
    if previous and previous != model_file:
        (folder / previous).unlink(missing_ok=True)


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
) -> dict:
    """Train through the cumulative ``schedule``, evaluating after each stage.

    Returns the per-stage test results (and, with ``score_train_set``, the same
    model scored on its own training images, which the audit compares with the
    claims: a forward pass over the whole training set per stage, so runs the
    audit does not read skip it), the per-epoch
    history, the parameter counts and the final model's test predictions. Finished stages found in
    ``checkpoint_dir`` are not retrained.
    """
    with data_parallel() as devices:
        result = _train_stages(
            build,
            train,
            test,
            schedule,
            batch_size,
            learning_rate,
            seed,
            Path(checkpoint_dir),
            validate_every_epoch,
            score_train_set,
            verbose,
            callbacks,
        )
    return {**result, "devices": devices}


def _train_stages(
    build,
    train,
    test,
    schedule,
    batch_size,
    learning_rate,
    seed,
    checkpoint_dir,
    validate_every_epoch,
    score_train_set,
    verbose,
    callbacks,
) -> dict:
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    x_train, y_train = train
    x_test, y_test = test
    state = _load_state(checkpoint_dir)
    if state is None:
        keras.utils.set_random_seed(seed)
        model = compile_for_protocol(build(), learning_rate)
        state = {"stages": [], "history": [], "resumed_at_stage": None}
    else:
        try:
            model = keras.models.load_model(checkpoint_dir / state["model_file"])
        except Exception as exc:  # a cut-short .keras file fails in zipfile, h5py or json, depending where
            raise _damaged(checkpoint_dir, f"{state['model_file']}: {type(exc).__name__}") from None
        # A reloaded model builds its loss and metrics on its first fit, drawing one shuffle
        # from the global RNG that an uninterrupted run drew in stage 1: build them here, with
        # an unshuffled evaluate, so the stage's fit shuffles as the uninterrupted one does.
        model.evaluate(x_train[:batch_size], y_train[:batch_size], batch_size=batch_size, verbose=0)
        _restore_seed_states(model, state.get("seed_generator_states"))
        state["resumed_at_stage"] = len(state["stages"]) + 1
        if verbose:
            print(f"resuming after stage {len(state['stages'])} ({state['stages'][-1]['epochs']} epochs)")
    done = len(state["stages"])
    test = None
    for stage_index in range(done, len(schedule)):
        start_epoch = schedule[stage_index - 1] if stage_index else 0
        end_epoch = schedule[stage_index]
        # one seed per stage: a resumed run shuffles and drops out like an uninterrupted one
        keras.utils.set_random_seed(seed * 1000 + stage_index)
        clock = EpochClock()
        if verbose:
            print(f"stage {stage_index + 1}/{len(schedule)}: epochs {start_epoch + 1}-{end_epoch}")
        fit_start = time.perf_counter()
        model.fit(
            x_train,
            y_train,
            batch_size=batch_size,
            epochs=end_epoch,
            initial_epoch=start_epoch,
            validation_data=(x_test, y_test) if validate_every_epoch else None,
            callbacks=[clock, *(callbacks or [])],
            verbose=verbose,
        )
        fit_seconds = time.perf_counter() - fit_start
        eval_start = time.perf_counter()
        test = score(model, x_test, y_test)
        eval_seconds = time.perf_counter() - eval_start
        train_seconds = fit_seconds - sum(e["validation_seconds"] for e in clock.epochs)
        previous_total = state["stages"][-1]["cumulative_train_seconds"] if state["stages"] else 0.0
        state["history"].extend(clock.epochs)
        stage = {
            "stage": stage_index + 1,
            "epochs": end_epoch,
            "test_accuracy": test["accuracy"],
            "test_loss": test["loss"],
            "test_binary_accuracy": test["binary_accuracy"],
            "train_seconds": train_seconds,
            "cumulative_train_seconds": previous_total + train_seconds,
            "eval_seconds": eval_seconds,
        }
        if score_train_set:
            stage["train_set_accuracy"] = score(model, x_train, y_train)["accuracy"]
        state["stages"].append(stage)
        if verbose:
            print(f"  test accuracy after {end_epoch} epochs: {test['accuracy']:.4f} ({train_seconds:.1f} s training)")
        _save_stage(checkpoint_dir, model, state)
    return {
        "stages": state["stages"],
        "history": state["history"],
        "resumed_at_stage": state["resumed_at_stage"],
        "optimizer_steps": int(keras.ops.convert_to_numpy(model.optimizer.iterations)),
        "trainable_params": trainable_count(model),
        "total_params": total_count(model),
        # the last stage scored the test set already; only a run with nothing left to train predicts again
        "test_predictions": (test["predictions"] if test else predict_classes(model, x_test)).astype(int).tolist(),
    }
