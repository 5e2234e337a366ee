"""Staged training on a tiny model and real images: behaviour, not accuracy."""

import json

import keras
import numpy as np
import pytest
from keras import layers

from fmnist_lib import data, training
from fmnist_lib.training import engine

SCHEDULE = [1, 3, 4]
BATCH = 32


def tiny_model():
    inputs = keras.Input((28, 28, 1))
    x = layers.Conv2D(4, 3, activation="relu")(inputs)
    x = layers.MaxPooling2D(4)(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.25)(x)
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x))


@pytest.fixture(scope="module")
def small_split(real_data_dir):
    ds = data.load_fashion_mnist(allow_download=False)
    train = data.stratified_subsample(ds.y_train, 320, seed=0)
    test = data.stratified_subsample(ds.y_test, 200, seed=0)
    return (
        (data.as_cnn_input(ds.x_train[train]), ds.y_train[train]),
        (data.as_cnn_input(ds.x_test[test]), ds.y_test[test]),
    )


class EpochCounter(keras.callbacks.Callback):
    def __init__(self, stop_at_epoch=None):
        super().__init__()
        self.epochs, self.stop_at_epoch, self.start_weights = [], stop_at_epoch, None

    def on_train_begin(self, logs=None):
        if self.start_weights is None:
            self.start_weights = [w.copy() for w in self.model.get_weights()]

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch + 1)
        if self.stop_at_epoch is not None and epoch + 1 == self.stop_at_epoch:
            raise KeyboardInterrupt("simulated interruption")


def run(split, folder, **kwargs):
    return training.train_staged(
        tiny_model,
        *split,
        schedule=SCHEDULE,
        batch_size=BATCH,
        learning_rate=1e-3,
        seed=0,
        checkpoint_dir=folder,
        verbose=0,
        **kwargs,
    )


def test_stages_follow_the_cumulative_schedule(small_split, tmp_path):
    result = run(small_split, tmp_path, validate_every_epoch=True)
    assert [s["epochs"] for s in result["stages"]] == SCHEDULE
    assert [h["epoch"] for h in result["history"]] == [1, 2, 3, 4]
    assert all("val_accuracy" in h for h in result["history"])
    assert result["optimizer_steps"] == 4 * (320 // BATCH)
    assert len(result["test_predictions"]) == 200
    cumulative = [s["cumulative_train_seconds"] for s in result["stages"]]
    assert cumulative == sorted(cumulative) and cumulative[0] > 0
    # the stage accuracy is the accuracy of the returned predictions
    y_test = small_split[1][1]
    assert np.mean(np.array(result["test_predictions"]) == y_test) == pytest.approx(
        result["stages"][-1]["test_accuracy"], abs=1e-6
    )
    # by default each stage is also scored on the training images (the audit's hypothesis (a))
    assert all(0 <= s["train_set_accuracy"] <= 1 for s in result["stages"])


def test_training_set_scoring_can_be_skipped(small_split, tmp_path):
    result = run(small_split, tmp_path, score_train_set=False)
    assert [s["epochs"] for s in result["stages"]] == SCHEDULE
    assert not any("train_set_accuracy" in s for s in result["stages"])


def _saved_state(folder):
    """The lone run's checkpoint as the engine wrote it: its stages and the model file that goes with them."""
    state = json.loads((folder / engine.STATE_FILE).read_text())
    return {"stages": state["stages"][0], "model_file": state["learner"]["model_file"]}


def test_interrupted_run_resumes_after_the_last_finished_stage(small_split, tmp_path):
    interrupted = EpochCounter(stop_at_epoch=2)  # inside stage 2 (epochs 2-3)
    with pytest.raises(KeyboardInterrupt):
        run(small_split, tmp_path, callbacks=[interrupted])
    assert interrupted.epochs == [1, 2]
    saved = _saved_state(tmp_path)
    assert [s["epochs"] for s in saved["stages"]] == [1]
    stage_one_weights = keras.models.load_model(tmp_path / saved["model_file"]).get_weights()

    resumed = EpochCounter()
    result = run(small_split, tmp_path, callbacks=[resumed])
    assert resumed.epochs == [2, 3, 4]  # stage 1 is not trained again
    assert result["resumed_at_stage"] == 2
    assert result["stages"][0] == saved["stages"][0]  # its record is reused as it was
    assert [h["epoch"] for h in result["history"]] == [1, 2, 3, 4]
    for got, want in zip(resumed.start_weights, stage_one_weights):
        np.testing.assert_array_equal(got, want)  # continued from the saved weights
    # the optimizer state came back too: its step count runs on from stage 1
    assert result["optimizer_steps"] == 4 * (320 // BATCH)


def test_finished_run_is_not_retrained(small_split, tmp_path):
    run(small_split, tmp_path)
    again = EpochCounter()
    result = run(small_split, tmp_path, callbacks=[again])
    assert again.epochs == []
    assert [s["epochs"] for s in result["stages"]] == SCHEDULE


@pytest.mark.parametrize("damage", ["state", "model"])
def test_a_damaged_checkpoint_is_named_with_the_fix(small_split, tmp_path, damage):
    interrupted = EpochCounter(stop_at_epoch=2)
    with pytest.raises(KeyboardInterrupt):
        run(small_split, tmp_path, callbacks=[interrupted])
    saved = _saved_state(tmp_path)
    target = tmp_path / (engine.STATE_FILE if damage == "state" else saved["model_file"])
    target.write_bytes(target.read_bytes()[:50])  # cut short, as a full disk or a kill leaves it
    with pytest.raises(training.CheckpointError, match=f"checkpoint in {tmp_path} is damaged.*delete that folder"):
        run(small_split, tmp_path)
