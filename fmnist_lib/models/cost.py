"""What a model costs: parameters worked out by hand, multiply-accumulates, and measured latency.

The seed's headline (a 91.3 % smaller model) is arithmetic on layer shapes; the
formulas here make that arithmetic explicit so the book can print it next to
what Keras counts, layer by layer. MACs and inference latency put the scaling
chapter's family on the axes a practitioner compares.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the functions that take a model import Keras; the audit's parameter arithmetic needs none
    import keras


def conv2d(kernel: int, c_in: int, c_out: int, bias: bool = True) -> int:
    """K x K x C_in x C_out weights, plus one bias per output channel."""
    return kernel * kernel * c_in * c_out + (c_out if bias else 0)


def depthwise_conv2d(kernel: int, c_in: int, depth_multiplier: int = 1, bias: bool = True) -> int:
    """One K x K filter per input channel (times the multiplier), plus biases."""
    c_out = c_in * depth_multiplier
    return kernel * kernel * c_out + (c_out if bias else 0)


def pointwise_conv2d(c_in: int, c_out: int, bias: bool = True) -> int:
    """A 1x1 convolution: the channel-mixing half of a separable convolution."""
    return conv2d(1, c_in, c_out, bias)


def separable_block(kernel: int, c_in: int, c_out: int, bias: bool = True) -> int:
    """Depthwise then pointwise, the seed's (3x3xC_in) + (C_in x C_out) with biases."""
    return depthwise_conv2d(kernel, c_in, 1, bias) + pointwise_conv2d(c_in, c_out, bias)


def dense(n_in: int, n_out: int, bias: bool = True) -> int:
    return n_in * n_out + (n_out if bias else 0)


def batchnorm(channels: int) -> tuple[int, int]:
    """(trainable, non-trainable): gamma and beta learn; moving mean and variance do not."""
    return 2 * channels, 2 * channels


def analytic_count(layer: keras.layers.Layer) -> tuple[int, int]:
    """(trainable, non-trainable) parameters of a built layer, from its config alone."""
    import keras

    counted = (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.Dense, keras.layers.BatchNormalization)
    if not isinstance(layer, counted):
        return 0, 0
    cfg = layer.get_config()
    c_in = layer.input.shape[-1]
    if isinstance(layer, keras.layers.DepthwiseConv2D):
        k = cfg["kernel_size"][0]
        return depthwise_conv2d(k, c_in, cfg["depth_multiplier"], cfg["use_bias"]), 0
    if isinstance(layer, keras.layers.Conv2D):
        k = cfg["kernel_size"][0]
        return conv2d(k, c_in, cfg["filters"], cfg["use_bias"]), 0
    if isinstance(layer, keras.layers.Dense):
        return dense(c_in, cfg["units"], cfg["use_bias"]), 0
    return batchnorm(c_in)


def layer_table(model: keras.Model) -> pd.DataFrame:
    """Every layer with its output shape, the analytic count and Keras' count."""
    import keras

    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        trainable, frozen = analytic_count(layer)
        keras_trainable = sum(int(keras.ops.size(w)) for w in layer.trainable_weights)
        keras_total = int(layer.count_params())
        rows.append(
            {
                "layer": layer.name,
                "type": type(layer).__name__,
                "output shape": str(tuple(layer.output.shape[1:])),
                "analytic": trainable + frozen,
                "keras": keras_total,
                "trainable (keras)": keras_trainable,
                "non-trainable (keras)": keras_total - keras_trainable,
            }
        )
    table = pd.DataFrame(rows)
    table["match"] = table["analytic"] == table["keras"]
    return table


def seed_layer_arithmetic() -> pd.DataFrame:
    """The four numbers of the seed's section V, recomputed from the formulas."""
    rows = [
        ("third block, standard 3x3 conv 256->512 (with bias)", 1_180_160, conv2d(3, 256, 512)),
        ("third block, depthwise 3x3 on 256 channels (with bias)", 2_560, depthwise_conv2d(3, 256)),
        ("third block, pointwise 1x1 256->512 (with bias)", 131_584, pointwise_conv2d(256, 512)),
        ("third block, separable total", 134_144, separable_block(3, 256, 512)),
        ("dense head 4,608->128, weights only", 589_824, dense(4608, 128, bias=False)),
        ("GAP head 512->10, weights only", 5_120, dense(512, 10, bias=False)),
    ]
    table = pd.DataFrame(rows, columns=["quantity", "seed paper", "recomputed"])
    table["match"] = table["seed paper"] == table["recomputed"]
    return table


def layer_macs(layer: keras.layers.Layer) -> int:
    """Multiply-accumulates of one layer for one image (convolutions and dense layers only).

    Pooling, normalisation and activations are left out: they are a rounding
    error next to the convolutions and the usual MAC counts leave them out too.
    """
    import keras

    if not isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.Dense)):
        return 0
    cfg = layer.get_config()
    c_in = layer.input.shape[-1]
    out = layer.output.shape
    if isinstance(layer, keras.layers.DepthwiseConv2D):
        k = cfg["kernel_size"][0]
        return out[1] * out[2] * k * k * c_in * cfg["depth_multiplier"]
    if isinstance(layer, keras.layers.Conv2D):
        k = cfg["kernel_size"][0]
        return out[1] * out[2] * k * k * c_in * cfg["filters"]
    return c_in * cfg["units"]


def model_macs(model: keras.Model) -> int:
    """Multiply-accumulates per image for a whole model (CNN-3-128: 47,671,040)."""
    return sum(layer_macs(layer) for layer in model.layers)


def latency_per_image(model: keras.Model, images: np.ndarray, batch: int, repeats: int = 5) -> float:
    """Median seconds per image of inference at ``batch`` images per call, after one warm-up call."""
    x = images[:batch]
    if len(x) < batch:
        x = np.resize(x, (batch, *images.shape[1:])).astype(images.dtype)
    model.predict_on_batch(x)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.predict_on_batch(x)
        times.append(time.perf_counter() - start)
    return float(np.median(times)) / batch


def spatial_filters(model: keras.Model) -> pd.DataFrame:
    """Per 3x3 layer: its input channels, its spatial filters, and how many independent linear responses it can make.

    A standard K x K convolution on C_in channels makes each output a linear
    function of a K*K*C_in patch, so its outputs span at most min(filters,
    K*K*C_in) directions. A depthwise convolution filters each input channel
    once (times its multiplier), and the 1x1 convolution after it only mixes
    those responses: the block's outputs span at most C_in * multiplier. On the
    one-channel input that is one: the seed's first block is a single 3x3 filter
    whose response the 1x1 convolution copies 128 ways, BatchNorm shifts and
    ReLU thresholds.
    """
    import keras

    rows = []
    for layer in model.layers:
        if not isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D)) or layer.kernel_size == (1, 1):
            continue
        k = layer.kernel_size[0] * layer.kernel_size[1]
        c_in = int(layer.input.shape[-1])
        if isinstance(layer, keras.layers.DepthwiseConv2D):
            filters, span = c_in * layer.depth_multiplier, c_in * layer.depth_multiplier
        else:
            filters, span = layer.filters, min(layer.filters, k * c_in)
        rows.append(
            {"layer": layer.name, "input channels": c_in, "spatial filters": filters, "independent responses": span}
        )
    return pd.DataFrame(rows)


def spatial_filter_table(named: dict[str, keras.Model]) -> pd.DataFrame:
    """``spatial_filters`` of several models in one table, the model's name first."""
    return pd.concat([spatial_filters(m).assign(model=name) for name, m in named.items()])[
        ["model", "layer", "input channels", "spatial filters", "independent responses"]
    ].reset_index(drop=True)
