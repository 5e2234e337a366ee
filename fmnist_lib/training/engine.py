"""The staged loop: train through a cumulative schedule, score after each stage, checkpoint, resume.

The papers train once and read the test accuracy at 2, 6, 14, 30 and 62
epochs. ``run_stages`` trains each stage after the previous one, scores the test
set (and, when asked, the training set) after it, and checkpoints, so an
interrupted 62-epoch run resumes at its last finished stage instead of starting
over, with the same state and the same random numbers. It is the one
implementation of stages, checkpoints, resume and the result's fields; what a
step is belongs to a ``Learner``: ``keras_fit`` (one model, Keras' ``fit``, any
backend) or ``grouped`` (K models of one architecture in one JAX program).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from fmnist_lib.store.runstore import writing
from fmnist_lib.training.scoring import scores

STATE_FILE = "state.json"

# After each epoch, an extra scoring of the models' outputs on some images (e.g. a leaky split's
# subgroups): (images, a function from one model's class probabilities to a dict kept in its history).
EpochScorer = tuple[np.ndarray, Callable[[np.ndarray], dict]]


class CheckpointError(RuntimeError):
    """A damaged checkpoint; the message names the folder and what to do."""


def damaged(folder: Path, what: str) -> CheckpointError:
    return CheckpointError(f"the checkpoint in {folder} is damaged ({what}): delete that folder, or rerun with --force")


class Learner(Protocol):
    """K models trained side by side (K = 1 for a lone run): what the stage loop asks of a trainer."""

    seeds: list[int]

    def start(self) -> None:
        """Build and initialise the models from their seeds."""

    def restore(self, folder: Path, saved: dict) -> None:
        """Continue from the checkpoint ``save`` wrote in ``folder`` (``saved`` is what it returned)."""

    def fit(self, start_epoch: int, end_epoch: int, stage_index: int) -> tuple[list[list[dict]], float]:
        """Train epochs ``start_epoch + 1`` to ``end_epoch``: each model's per-epoch history and the training time."""

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities of every model, (K, n, classes), in inference mode."""

    def save(self, folder: Path, stage_number: int) -> dict:
        """Write the models' state after a stage; return what ``restore`` needs (kept in the state file)."""

    def summary(self) -> list[dict]:
        """Per model: optimizer steps and parameter counts, for the record."""


def _write_state(folder: Path, state: dict) -> None:
    tmp = folder / f".{STATE_FILE}.{os.getpid()}.tmp"
    with writing(tmp, folder):
        tmp.write_text(json.dumps(state))
        os.replace(tmp, folder / STATE_FILE)


def _read_state(folder: Path, seeds: list[int]) -> dict | None:
    path = folder / STATE_FILE
    if not path.exists():
        return None
    try:
        state = json.loads(path.read_text())
        recorded = state["seeds"]
    except (ValueError, KeyError, TypeError) as exc:
        raise damaged(folder, f"{STATE_FILE}: {type(exc).__name__}") from None
    if recorded != seeds:
        raise damaged(folder, f"it holds seeds {recorded}, not {seeds}")
    return state


def run_stages(
    learner: Learner,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    *,
    schedule: list[int],
    checkpoint_dir: Path,
    score_train_set: bool = False,
    verbose: int = 2,
) -> list[dict]:
    """Train ``learner``'s models through the cumulative ``schedule``; one result per model, in seed order.

    Each result holds the per-stage test scores (and, with ``score_train_set``,
    the same model scored on its own training images, which the audit compares
    with the claims: a forward pass over the whole training set per stage, so
    runs the audit does not read skip it), the per-epoch history, the parameter
    counts and the final model's test predictions. Finished stages found in
    ``checkpoint_dir`` are not trained again.
    """
    folder = Path(checkpoint_dir)
    folder.mkdir(parents=True, exist_ok=True)
    x_train, y_train = train
    x_test, y_test = test
    k = len(learner.seeds)
    state = _read_state(folder, learner.seeds)
    if state is None:
        learner.start()
        state = {
            "seeds": learner.seeds,
            "stages": [[] for _ in range(k)],
            "history": [[] for _ in range(k)],
            "resumed_at_stage": None,
            "learner": {},
        }
    else:
        learner.restore(folder, state["learner"])
        state["resumed_at_stage"] = len(state["stages"][0]) + 1
        if verbose:
            print(f"resuming after stage {len(state['stages'][0])} ({state['stages'][0][-1]['epochs']} epochs)")
    tested = None
    for stage_index in range(len(state["stages"][0]), len(schedule)):
        start_epoch = schedule[stage_index - 1] if stage_index else 0
        end_epoch = schedule[stage_index]
        if verbose:
            print(f"stage {stage_index + 1}/{len(schedule)}: epochs {start_epoch + 1}-{end_epoch}")
        histories, train_seconds = learner.fit(start_epoch, end_epoch, stage_index)
        eval_start = time.perf_counter()
        tested = [scores(p, y_test) for p in learner.probabilities(x_test)]
        eval_seconds = time.perf_counter() - eval_start
        on_train = [scores(p, y_train) for p in learner.probabilities(x_train)] if score_train_set else None
        for i in range(k):
            previous = state["stages"][i][-1]["cumulative_train_seconds"] if state["stages"][i] else 0.0
            state["history"][i].extend(histories[i])
            stage = {
                "stage": stage_index + 1,
                "epochs": end_epoch,
                "test_accuracy": tested[i]["accuracy"],
                "test_loss": tested[i]["loss"],
                "test_binary_accuracy": tested[i]["binary_accuracy"],
                "train_seconds": train_seconds,
                "cumulative_train_seconds": previous + train_seconds,
                "eval_seconds": eval_seconds,
            }
            if on_train is not None:
                stage["train_set_accuracy"] = on_train[i]["accuracy"]
            state["stages"][i].append(stage)
        if verbose:
            accuracies = ", ".join(f"{t['accuracy']:.4f}" for t in tested)
            print(f"  test accuracy after {end_epoch} epochs: {accuracies} ({train_seconds:.1f} s training)")
        state["learner"] = learner.save(folder, stage_index + 1)  # the models first, then the state that names them
        _write_state(folder, state)
    if tested is None:  # every stage was checkpointed already: predict once for the record
        tested = [scores(p, y_test) for p in learner.probabilities(x_test)]
    return [
        {
            "stages": state["stages"][i],
            "history": state["history"][i],
            "resumed_at_stage": state["resumed_at_stage"],
            **summary,
            "test_predictions": tested[i]["predictions"].astype(int).tolist(),
        }
        for i, summary in enumerate(learner.summary())
    ]
