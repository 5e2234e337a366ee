"""The seed's future work, measured: int8 post-training quantisation and magnitude pruning.

Quantisation goes through the TensorFlow Lite converter, so it needs the
TensorFlow backend (the JAX-only GPU machine skips it and says so). Keras' own
``Model.quantize("int8")`` would quantise only the Dense layers of these
networks, leaving the convolutions, where the work is, in float32.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import keras
import numpy as np


class CompressionUnavailable(RuntimeError):
    """Quantisation needs TensorFlow's converter, which this backend does not have."""


def _tf():
    if keras.backend.backend() != "tensorflow":
        raise CompressionUnavailable(
            f"int8 quantisation uses the TensorFlow Lite converter; the Keras backend is "
            f"{keras.backend.backend()!r}. Run with KERAS_BACKEND=tensorflow."
        )
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # the converter's 'Assets written' chatter
    return tf


def to_tflite(model: keras.Model, representative: np.ndarray | None = None) -> bytes:
    """A TFLite flatbuffer: float32 when ``representative`` is None, else full-integer int8 weights and activations."""
    tf = _tf()
    with tempfile.TemporaryDirectory() as tmp:
        model.export(str(Path(tmp) / "saved"), format="tf_saved_model", verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(str(Path(tmp) / "saved"))
        if representative is not None:
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
            converter.representative_dataset = lambda: ([representative[i : i + 1]] for i in range(len(representative)))
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        return converter.convert()


def tflite_predict(
    flatbuffer: bytes, images: np.ndarray, latency_images: int = 500, batch: int = 1000
) -> tuple[np.ndarray, float]:
    """Predicted classes of all ``images`` and the mean seconds per image of one-image calls (as on a device).

    Accuracy is read from batched calls, which give the same per-image result;
    latency from single-image calls on the first ``latency_images`` images, so
    that scoring 10,000 test images does not cost 10,000 interpreter calls.
    """
    tf = _tf()
    single = tf.lite.Interpreter(model_content=flatbuffer)
    single.allocate_tensors()
    inp, out = single.get_input_details()[0], single.get_output_details()[0]
    timed = images[:latency_images]
    start = time.perf_counter()
    for i in range(len(timed)):
        single.set_tensor(inp["index"], timed[i : i + 1].astype(inp["dtype"]))
        single.invoke()
        single.get_tensor(out["index"])
    latency = (time.perf_counter() - start) / len(timed) if len(timed) else float("nan")
    batched = tf.lite.Interpreter(model_content=flatbuffer)
    classes = []
    for i in range(0, len(images), batch):
        chunk = images[i : i + batch].astype(inp["dtype"])
        batched.resize_tensor_input(inp["index"], list(chunk.shape))
        batched.allocate_tensors()
        batched.set_tensor(inp["index"], chunk)
        batched.invoke()
        classes.append(np.argmax(batched.get_tensor(out["index"]), axis=1))
    return np.concatenate(classes).astype(int), latency


def magnitude_prune(model: keras.Model, sparsity: float) -> keras.Model:
    """A copy with the smallest ``sparsity`` share of convolution and dense kernel weights set to zero.

    One global threshold over all kernels, as magnitude pruning without fine-tuning is usually done.
    """
    pruned = keras.models.clone_model(model)
    pruned.set_weights(model.get_weights())
    kernels = [
        layer.weights[0]
        for layer in pruned.layers
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.Dense))
    ]
    magnitudes = np.concatenate([np.abs(keras.ops.convert_to_numpy(k)).ravel() for k in kernels])
    threshold = np.quantile(magnitudes, sparsity)
    for k in kernels:
        values = keras.ops.convert_to_numpy(k)
        k.assign(np.where(np.abs(values) <= threshold, 0.0, values).astype(values.dtype))
    return pruned


def sparsity_of(model: keras.Model) -> float:
    kernels = [
        keras.ops.convert_to_numpy(layer.weights[0])
        for layer in model.layers
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.Dense))
    ]
    return float(sum((k == 0).sum() for k in kernels) / sum(k.size for k in kernels))
