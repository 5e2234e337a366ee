"""Where one record's computation writes, and the staged training every network kind runs into it.

A ``Target`` is the record's name and config in the run store and a scratch
folder that holds its checkpoints until the record is written. ``train_into``
is the one path from a kind to the training engine: staged training into the
target's scratch folder, the trained model kept beside the record (for the
compression chapter), optional measurements of that model added to the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

from fmnist_lib.store import runstore
from fmnist_lib.training.engine import EpochScorer

Loader = Callable[[], tuple[np.ndarray, np.ndarray]]


class Target(NamedTuple):
    """Where one record's computation writes: its name and config in the store, and its scratch folder."""

    profile: str
    name: str
    config: dict
    scratch: Path

    @property
    def model_path(self) -> Path:
        return runstore.model_path(self.profile, self.name, self.config)


class MissingModel(LookupError):
    """A record whose trained model is not in this store (records made elsewhere travel without models)."""


def train_into(
    target: Target,
    build: Callable,
    train: Loader,
    test: Loader,
    *,
    extra: Callable | None = None,
    score_train_set: bool = False,
    epoch_scorer: EpochScorer | None = None,
    schedule: list[int] | None = None,
) -> dict:
    """Staged training of ``build()`` as ``target.config`` says (schedule, batch, learning rate, seed, validation).

    ``train``/``test`` are loaders, called only now, so planning never touches
    the data. ``extra(model)`` may add measurements of the trained model.
    ``schedule`` is for a run whose config implies it rather than stating it.
    """
    import keras

    from fmnist_lib import training

    spec = target.config
    result = training.train_staged(
        build,
        train(),
        test(),
        schedule=schedule or spec["schedule"],
        batch_size=spec["batch_size"],
        learning_rate=spec["learning_rate"],
        seed=spec["seed"],
        checkpoint_dir=target.scratch,
        validate_every_epoch=spec["validate_every_epoch"],
        score_train_set=score_train_set,
        verbose=2,
        epoch_scorer=epoch_scorer,
    )
    model = keras.models.load_model(training.final_model_file(target.scratch))
    training.save_for_inference(model, target.model_path)
    if extra:
        result.update(extra(model))
    return result


def kept_model(profile: str, name: str, config: dict, make_it: str):
    """The model kept beside a record. Never retrains: a missing model is an error that says how to make it."""
    import keras

    path = runstore.model_path(profile, name, config)
    if not path.exists():
        raise MissingModel(
            f"the trained model of record {name}-{runstore.config_key(config)} is not in "
            f"{runstore.profile_dir(profile)}/models (records made elsewhere come without it); "
            f"retrain it with: {make_it}"
        )
    return keras.models.load_model(path)
