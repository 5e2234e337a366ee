"""A run interrupted mid-stage and resumed in a fresh process ends with exactly the predictions of an uninterrupted run.

Dropout and the paper's augmenter draw random numbers while training; a resumed
run must draw the same ones (and see the data in the same order), on
TensorFlow and on JAX. Each part runs in a fresh interpreter, as a real resume does.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds the book, trains on several backends or in subprocesses

REPO = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import keras
    from fmnist_lib.data import augment
    from fmnist_lib import data
    from fmnist_lib import models
    from fmnist_lib import training

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 == 2:  # inside stage 2 (epochs 2-3)
                raise KeyboardInterrupt("simulated Ctrl-C")

    ds = data.load_fashion_mnist(allow_download=False)
    tr = data.stratified_subsample(ds.y_train, 256, seed=0)
    te = data.stratified_subsample(ds.y_test, 200, seed=0)

    def run(folder, callbacks=None):
        return training.train_staged(
            lambda: augment.with_augmentation(models.conv_net(1, 8, head="dense"), 7.5, seed=0),
            (data.as_cnn_input(ds.x_train[tr]), ds.y_train[tr]),
            (data.as_cnn_input(ds.x_test[te]), ds.y_test[te]),
            schedule=[1, 3, 4], batch_size=32, learning_rate=1e-3, seed=0,
            checkpoint_dir=folder, verbose=0, score_train_set=False, callbacks=callbacks,
        )

    if sys.argv[1] == "uninterrupted-and-interrupt":
        whole = run(sys.argv[2])
        try:
            run(sys.argv[3], [Interrupt()])
        except KeyboardInterrupt:
            pass
        print(json.dumps(whole["test_predictions"]))
    else:
        resumed = run(sys.argv[3])
        assert resumed["resumed_at_stage"] == 2, resumed["resumed_at_stage"]
        print(json.dumps(resumed["test_predictions"]))
    """
)


def _run(backend, *args):
    env = {**os.environ, "KERAS_BACKEND": backend, "JAX_PLATFORMS": "cpu"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_a_resumed_run_gives_the_uninterrupted_predictions(backend, tmp_path):
    whole, cut = str(tmp_path / "whole"), str(tmp_path / "cut")
    uninterrupted = _run(backend, "uninterrupted-and-interrupt", whole, cut)
    resumed = _run(backend, "resume", whole, cut)
    assert resumed == uninterrupted
