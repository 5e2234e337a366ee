"""The library is backend-neutral Keras 3: the same staged training runs on
TensorFlow and JAX, on one device and data-parallel over two (virtual CPU) devices.

Each case runs in a fresh interpreter, because the Keras backend and the
device layout are fixed when a process first imports them.
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
    devices = int(sys.argv[2])
    if sys.argv[1] == "tensorflow" and devices > 1:
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * devices)
    import keras
    from fmnist_lib import data
    from fmnist_lib import models
    from fmnist_lib import training
    ds = data.load_fashion_mnist(allow_download=False)
    tr = data.stratified_subsample(ds.y_train, 256, seed=0)
    te = data.stratified_subsample(ds.y_test, 128, seed=0)
    result = training.train_staged(
        lambda: models.conv_net(2, 16, head="dense"),
        (data.as_cnn_input(ds.x_train[tr]), ds.y_train[tr]),
        (data.as_cnn_input(ds.x_test[te]), ds.y_test[te]),
        schedule=[1, 2], batch_size=32, learning_rate=1e-3, seed=0,
        checkpoint_dir=sys.argv[3], verbose=0,
    )
    print(json.dumps({
        "backend": keras.backend.backend(),
        "devices": result["devices"],
        "epochs": [s["epochs"] for s in result["stages"]],
        "steps": result["optimizer_steps"],
        "cnn_params": models.cnn_3_128().count_params(),
        "dsc_params": models.dsc_gap().count_params(),
    }))
    """
)


@pytest.mark.parametrize("backend,devices", [("tensorflow", 1), ("jax", 1), ("tensorflow", 2), ("jax", 2)])
def test_staged_training_runs_on_each_backend(backend, devices, tmp_path):
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "FMNIST_DEVICES": str(devices),
        "XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}",
        "JAX_PLATFORMS": "cpu",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, backend, str(devices), str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["backend"] == backend
    assert report["devices"] == devices
    assert report["epochs"] == [1, 2]
    assert report["steps"] == 2 * (256 // 32)  # the global batch is split, not multiplied
    assert (report["cnn_params"], report["dsc_params"]) == (2_067_850, 178_968)


def test_asking_for_more_devices_than_exist_is_a_clear_error(tmp_path):
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "FMNIST_DEVICES": "3"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, "tensorflow", "1", str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode != 0
    assert "3 devices asked for" in done.stderr


def test_a_bad_backend_or_device_count_fails_before_anything_runs(tmp_path):
    """One line and exit 2 from both command lines, before a chapter or a job has started."""
    for command in (["fmnist_lib.compute", "--profile", "smoke"], ["fmnist_lib.book", "run", "--profile", "smoke"]):
        done = subprocess.run(
            [sys.executable, "-m", *command, "--results-dir", str(tmp_path)],
            cwd=REPO, env={**os.environ, "KERAS_BACKEND": "tensorlfow"}, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr[-2000:]
        assert done.stderr.strip() == (
            "error: KERAS_BACKEND='tensorlfow' is not a backend this library runs on; "
            "use one of: tensorflow, jax, torch"
        )
    done = subprocess.run(
        [sys.executable, "-m", "fmnist_lib.book", "run", "--profile", "smoke", "--devices", "3",
         "--results-dir", str(tmp_path), "--build-dir", str(tmp_path / "build")],
        cwd=REPO, env={**os.environ, "KERAS_BACKEND": "tensorflow"}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2 and "error: 3 devices asked for" in done.stderr
    assert "executing" not in done.stdout and not (tmp_path / "build").exists()


def test_start_up_chatter_stays_out_of_the_terminal_and_errors_do_not():
    """oneDNN, absl, retracing and tf.lite lines (from C++, Python, children) are dropped; the rest passes."""
    script = textwrap.dedent(
        """
        import subprocess, sys
        import logging, warnings
        from fmnist_lib.report.quiet import filtered_stderr, library_chatter_off
        library_chatter_off()
        with filtered_stderr():
            import tensorflow  # noqa: F401  (prints its oneDNN notice on fd 2)
            logging.getLogger("tensorflow").warning("5 out of the last 5 calls triggered tf.function retracing")
            warnings.warn("    Warning: tf.lite.Interpreter is deprecated and is scheduled for deletion", UserWarning)
            warnings.warn("a warning that matters", UserWarning)
            subprocess.run([sys.executable, "-c", "import sys; sys.stderr.write('Kernel is running over TCP "
                            "without encryption\\\\nkept line from a child\\\\n')"])
            print("an error a user must see", file=sys.stderr)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "kept line from a child" in done.stderr and "an error a user must see" in done.stderr
    assert "oneDNN" not in done.stderr and "absl::InitializeLog" not in done.stderr
    assert "Kernel is running over TCP" not in done.stderr
    assert "retracing" not in done.stderr and "tf.lite" not in done.stderr and "a warning that matters" in done.stderr
    plan = subprocess.run([sys.executable, "-m", "fmnist_lib.compute", "--profile", "smoke", "--plan"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert plan.returncode == 0 and "oneDNN" not in plan.stderr and "jobs have a record" in plan.stdout


WITHOUT_TENSORFLOW = textwrap.dedent(
    """
    import importlib.abc, runpy, sys

    class NoTensorFlow(importlib.abc.MetaPathFinder):  # the GPU machine: JAX, and no TensorFlow to import
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "tensorflow":
                raise ModuleNotFoundError(f"No module named {name!r}")

    sys.meta_path.insert(0, NoTensorFlow())
    sys.argv = ["fmnist_lib.compute", *sys.argv[1:]]
    runpy.run_module("fmnist_lib.compute", run_name="__main__")
    """
)


def test_the_pruning_fine_tunes_where_there_is_no_tensorflow_and_converts_to_int8_where_there_is(tmp_path):
    """The GPU machine has JAX and no TensorFlow: the pruning job fine-tunes there and keeps its model; the int8
    conversion, which needs TensorFlow's converter, is a job of its own that reads that model on this machine."""
    pruned = "pruned cnn_3_128 to 90% while fine-tuned"
    gpu_like = subprocess.run(
        [sys.executable, "-c", WITHOUT_TENSORFLOW, "--profile", "smoke", "--results-dir", str(tmp_path),
         "--set", "cnn_3_128.schedule=[1]", "--only", "cnn_3_128", "--only", pruned],
        cwd=REPO, env={**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert gpu_like.returncode == 0, gpu_like.stderr[-3000:]
    assert f"done    {pruned}" in gpu_like.stdout + gpu_like.stderr, gpu_like.stdout[-3000:]
    assert len(list((tmp_path / "smoke" / "models").glob("pruned-cnn_3_128-90-*.keras"))) == 1
    here = subprocess.run(
        [sys.executable, "-m", "fmnist_lib.compute", "--profile", "smoke", "--results-dir", str(tmp_path),
         "--set", "cnn_3_128.schedule=[1]", "--only", f"int8 of {pruned}"],
        cwd=REPO, env={**os.environ, "KERAS_BACKEND": "tensorflow"}, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert here.returncode == 0, here.stderr[-3000:]
    (record,) = [json.loads(p.read_text()) for p in (tmp_path / "smoke").glob("pruned-int8-cnn_3_128-90-*.json")]
    assert record["result"]["sparsity"] >= 0.89 and record["result"]["int8"]["zlib_bytes"] > 0
    assert list(record["provenance"]["inputs"]) == [pruned]  # made from that pruning record, whose digest it keeps
