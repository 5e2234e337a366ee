"""K models in one program (JAX vmap) train exactly as K lone runs of the stateless loop would.

Each case runs in a fresh interpreter on the JAX backend, as the GPU machines do.
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
    from pathlib import Path
    import numpy as np
    import keras
    from fmnist_lib import data
    from fmnist_lib.training import grouped as g

    ds = data.load_fashion_mnist(allow_download=False)
    tr = data.stratified_subsample(ds.y_train, 256, seed=0)
    te = data.stratified_subsample(ds.y_test, 128, seed=0)
    train = (data.as_cnn_input(ds.x_train[tr]), ds.y_train[tr])
    test = (data.as_cnn_input(ds.x_test[te]), ds.y_test[te])

    def build():  # small, with dropout (its RNG is per model) and BatchNorm (its statistics are per model)
        return keras.Sequential([
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.BatchNormalization(),
            keras.layers.MaxPooling2D(),
            keras.layers.Dropout(0.25),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ])

    out = Path(sys.argv[1])
    protocol = dict(batch_size=32, learning_rate=1e-3)
    singles = [g.train_single(build, train, test, seed=s, schedule=[1, 3], checkpoint_dir=out / f"single{s}",
                              **protocol) for s in (0, 1)]
    group = g.train_group(build, train, test, seeds=[0, 1], schedule=[1, 3], checkpoint_dir=out / "group",
                          **protocol)
    # interrupted after stage 1, then resumed in the same folder
    g.train_group(build, train, test, seeds=[0, 1], schedule=[1], checkpoint_dir=out / "resumed", **protocol)
    resumed = g.train_group(build, train, test, seeds=[0, 1], schedule=[1, 3], checkpoint_dir=out / "resumed",
                            **protocol)
    def gap(left, right):
        return max(float(np.max(np.abs(a - b))) for a, b in zip(left["weights"], right["weights"]))

    report = {
        "weight_diff": [gap(one, member) for one, member in zip(singles, group)],
        "resumed_diff": [gap(member, again) for member, again in zip(group, resumed)],
        "same_init_diff": gap(group[0], group[1]),
    }
    for key in ("stages", "history", "test_predictions", "optimizer_steps", "total_params", "trained_in_group",
                "resumed_at_stage"):
        report[key] = [[r[key] for r in singles], [r[key] for r in group], [r[key] for r in resumed]]
    print("RESULT " + json.dumps(report))
    """
)


def _run(tmp_path: Path) -> dict:
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "FMNIST_DEVICES": "1"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("grouped"))


def test_each_member_of_a_group_ends_with_the_weights_of_its_lone_run(runs):
    assert max(runs["weight_diff"]) < 1e-4, runs["weight_diff"]
    assert runs["same_init_diff"] > 1e-3  # the two seeds really are two different models


def test_a_group_scores_each_stage_as_the_lone_runs_do(runs):
    singles, group, _ = runs["stages"]
    for one, member in zip(singles, group):
        assert [s["epochs"] for s in one] == [s["epochs"] for s in member] == [1, 3]
        for a, b in zip(one, member):
            assert abs(a["test_accuracy"] - b["test_accuracy"]) <= 1 / 128 + 1e-9
            assert abs(a["test_loss"] - b["test_loss"]) < 1e-3
    assert runs["optimizer_steps"][1] == [24, 24]  # 3 epochs of 8 batches of 32, per model
    assert runs["trained_in_group"] == [[1, 1], [2, 2], [2, 2]]
    assert runs["total_params"][0] == runs["total_params"][1]


def test_a_resumed_group_ends_as_an_uninterrupted_one(runs):
    assert max(runs["resumed_diff"]) < 1e-6, runs["resumed_diff"]
    _, group, resumed = runs["test_predictions"]
    assert group == resumed
    assert runs["resumed_at_stage"][2] == [2, 2]
    _, group_history, resumed_history = runs["history"]
    assert [[h["epoch"] for h in m] for m in resumed_history] == [[1, 2, 3]] * 2
    assert [[h["accuracy"] for h in m] for m in group_history] == [[h["accuracy"] for h in m] for m in resumed_history]


def test_the_grouped_trainer_refuses_another_backend_with_what_to_do():
    from fmnist_lib.training import grouped

    with pytest.raises(grouped.NeedsJax, match="KERAS_BACKEND=jax"):
        grouped.train_group(None, None, None, seeds=[0, 1], schedule=[1], batch_size=1, learning_rate=1e-3,
                                     checkpoint_dir=Path("unused"))  # fmt: skip


GROUPED_COMPUTE = textwrap.dedent(
    """
    import dataclasses
    from fmnist_lib import compute
    from fmnist_lib import data

    real = data.load_fashion_mnist(allow_download=False)
    tr = data.stratified_subsample(real.y_train, 300, seed=0)
    te = data.stratified_subsample(real.y_test, 200, seed=0)
    small = dataclasses.replace(real, x_train=real.x_train[tr], y_train=real.y_train[tr], x_test=real.x_test[te],
                          y_test=real.y_test[te])
    data.load_fashion_mnist = lambda *a, **k: small  # "all the data" is 300 images here: a group may form
    # the full profile (all the data, which is small here) with a one-epoch schedule and three seeds; the light
    # model only (its BatchNorm statistics are per member: the harder case), as CNN-3-128 takes the same path
    code = compute.main(["--profile", "full", "--only", "seed 1 dsc_gap", "--only", "seed 2 dsc_gap",
                         "--set", "dsc_gap.schedule=[1]", "--set", "audit.seeds=[0, 1, 2]"])
    print("EXIT", code)
    """
)


def _grouped_compute(results_dir: Path, group: str) -> subprocess.Popen:
    """The compute above, started in its own process (XLA compiles on one core: two of them run side by side)."""
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "FMNIST_DEVICES": "1",
           "FMNIST_GROUP_MODELS": group, "FMNIST_RESULTS_DIR": str(results_dir)}  # fmt: skip
    return subprocess.Popen([sys.executable, "-c", GROUPED_COMPUTE], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip


def _finished(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=900)
    assert process.returncode == 0 and "EXIT 0" in out, (out[-3000:], err[-3000:])
    return out


def test_the_runner_groups_the_seeds_of_one_network_and_writes_ordinary_records(tmp_path):
    from fmnist_lib.store.records import Record

    grouped_run, lone_run = _grouped_compute(tmp_path / "grouped", "1"), _grouped_compute(tmp_path / "lone", "0")
    out = _finished(grouped_run)
    _finished(lone_run)
    assert out.count("trained as a group of 2") == 2, out[-2000:]  # seeds 1 and 2
    grouped = {p.name: json.loads(p.read_text()) for p in (tmp_path / "grouped" / "full").glob("*.json")}
    lone = {p.name: json.loads(p.read_text()) for p in (tmp_path / "lone" / "full").glob("*.json")}
    assert sorted(grouped) == sorted(lone) and len(grouped) == 2  # the same records, by name and config
    for name, record in grouped.items():
        other = lone[name]
        assert record["provenance"]["trained_in_group"] == 2 and record["provenance"]["group_seeds"] == [1, 2]
        assert "trained_in_group" not in other["provenance"]
        assert set(record["result"]) == set(other["result"]) | {"trained_in_group"}, name
        assert set(record["result"]["stages"][0]) == set(other["result"]["stages"][0]), name
        assert set(record["result"]["history"][0]) == set(other["result"]["history"][0]), name
        assert record["code"] == other["code"]
        Record.from_dict(record).check(None)  # its accuracies follow from its own predictions
    models = sorted(p.name for p in (tmp_path / "grouped" / "full").rglob("*.keras"))
    assert len(models) == 2  # each member's model is kept beside its record, as a lone run's is
