"""Optional data parallelism over several devices, the single-device path unchanged.

The global batch (128 in the protocol) is split across the devices, so the
optimisation sees the same batches as on one device. Selected with
``--devices N`` on the runner (environment variable FMNIST_DEVICES); the
number used is recorded with each training result.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

from fmnist_lib.settings import ENV_DEVICES


class DistributionError(RuntimeError):
    """More devices asked for than the backend can see, or a backend without data parallelism."""


def requested_devices() -> int:
    raw = os.environ.get(ENV_DEVICES, "1")
    try:
        n = int(raw)
    except ValueError:
        raise DistributionError(f"{ENV_DEVICES}={raw!r} is not a whole number of devices") from None
    if n < 1:
        raise DistributionError(f"{ENV_DEVICES} must be at least 1, got {n}")
    return n


@contextmanager
def data_parallel(devices: int | None = None) -> Iterator[int]:
    """Build, compile and train inside this context to replicate over ``devices`` devices; yields the count used."""
    n = devices or requested_devices()
    if n == 1:
        yield 1
        return
    import keras  # here, so the runner can read ENV_DEVICES without starting a backend

    backend = keras.backend.backend()
    if backend == "jax":
        available = keras.distribution.list_devices()
        _check(n, available, "JAX (for CPU tests: XLA_FLAGS=--xla_force_host_platform_device_count=N)")
        previous = keras.distribution.distribution()
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=available[:n]))
        try:
            yield n
        finally:
            keras.distribution.set_distribution(previous)
    elif backend == "tensorflow":
        import tensorflow as tf

        available = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        _check(n, available, "TensorFlow (for CPU tests: tf.config.set_logical_device_configuration)")
        with tf.distribute.MirroredStrategy([d.name for d in available[:n]]).scope():
            yield n
    else:
        raise DistributionError(f"data parallel training needs the jax or tensorflow backend, not {backend!r}")


KERAS_BACKENDS = ("tensorflow", "jax", "torch")


def check_backend_name() -> None:
    """A ``KERAS_BACKEND`` this library runs on, checked before Keras is imported (which would fail obscurely)."""
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    if backend not in KERAS_BACKENDS:
        raise DistributionError(
            f"KERAS_BACKEND={backend!r} is not a backend this library runs on; use one of: {', '.join(KERAS_BACKENDS)}"
        )


def check_environment() -> None:
    """Fail before anything runs on a backend or device count this machine cannot give.

    Without this, a bad ``KERAS_BACKEND`` or ``--devices`` shows up only when
    the first training starts, after chapters or other jobs have already run.
    """
    check_backend_name()
    n = requested_devices()
    if n > 1:
        with data_parallel(n):
            pass


def _check(n: int, available: list, where: str) -> None:
    if len(available) < n:
        raise DistributionError(f"{n} devices asked for, but {where} sees only {len(available)}: {available}")
