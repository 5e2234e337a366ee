"""The networks of the report, in backend-neutral Keras 3.

One builder, ``conv_net``, spans the family the scaling chapter trains (1-4
convolution blocks, first width 16-256 doubling per block, dense or GAP head,
standard or depthwise-separable convolutions); the two models the seed paper
compares are members of it. The papers leave dropout rates, padding and
activation unstated; the defaults are the common reconstruction (ReLU, 'valid'
padding, dropout 0.25 after the convolution blocks and 0.5 after the dense layer)
and each is a keyword so a reader can test another reading. The two named
models give the parameter counts the seed prints: 2,067,850 for CNN-3-128 and
178,968 (176,406 trainable) for the depthwise-separable + GAP model.
"""

from __future__ import annotations

import keras
from keras import layers

INPUT_SHAPE = (28, 28, 1)
POOLED_BLOCKS = 2  # max-pooling after the first two blocks only, as in CNN-3-128


def block_widths(depth: int, width: int) -> list[int]:
    """Filters per block: the first width, doubling from block to block."""
    return [width * 2**i for i in range(depth)]


def conv_net(
    depth: int = 3,
    width: int = 128,
    *,
    head: str = "dense",
    separable: bool = False,
    padding: str = "valid",
    activation: str = "relu",
    conv_dropout: float = 0.25,
    dense_dropout: float = 0.5,
    dense_units: int = 128,
    batchnorm_momentum: float = 0.99,
    num_classes: int = 10,
    name: str | None = None,
) -> keras.Model:
    """A member of the family: ``depth`` blocks of 3x3 convolutions, then a dense or GAP head.

    A standard block is Conv2D -> activation. A separable block is the seed's
    recipe: DepthwiseConv2D 3x3 -> BatchNorm -> Conv2D 1x1 -> BatchNorm ->
    activation. Each block ends with max-pooling (blocks 1 and 2 only) and
    dropout. The dense head is Flatten -> Dense(128) -> dropout -> softmax; the
    GAP head is GlobalAveragePooling -> softmax.
    """
    if not 1 <= depth <= 4:
        raise ValueError(f"depth must be 1 to 4 blocks (28x28 inputs leave no room for more), got {depth}")
    if head not in ("dense", "gap"):
        raise ValueError(f"head must be 'dense' or 'gap', got {head!r}")
    inputs = keras.Input(INPUT_SHAPE, name="image")
    x = inputs
    for block, filters in enumerate(block_widths(depth, width), start=1):
        if separable:
            x = layers.DepthwiseConv2D(3, padding=padding, name=f"depthwise{block}")(x)
            x = layers.BatchNormalization(momentum=batchnorm_momentum, name=f"bn_depthwise{block}")(x)
            x = layers.Conv2D(filters, 1, name=f"pointwise{block}")(x)
            x = layers.BatchNormalization(momentum=batchnorm_momentum, name=f"bn_pointwise{block}")(x)
            x = layers.Activation(activation, name=f"act{block}")(x)
        else:
            x = layers.Conv2D(filters, 3, padding=padding, activation=activation, name=f"conv{block}")(x)
        if block <= POOLED_BLOCKS and block < depth:
            x = layers.MaxPooling2D(2, name=f"pool{block}")(x)
        x = layers.Dropout(conv_dropout, name=f"dropout{block}")(x)
    if head == "dense":
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(dense_units, activation=activation, name="dense")(x)
        x = layers.Dropout(dense_dropout, name="dropout_dense")(x)
    else:
        x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="classes")(x)
    default = f"{'dsc' if separable else 'cnn'}_{depth}_{width}_{head}"
    return keras.Model(inputs, outputs, name=name or default)


def cnn_3_128(**kwargs) -> keras.Model:
    """CNN-3-128: blocks of 128, 256 and 512 filters and a Dense(128) head (2,067,850 parameters).

    Keywords: padding ('valid'), activation ('relu'), conv_dropout (0.25),
    dense_dropout (0.5), dense_units (128).
    """
    return conv_net(3, 128, head="dense", separable=False, name="cnn_3_128", **kwargs)


def dsc_gap(*, dropout: float = 0.25, **kwargs) -> keras.Model:
    """The seed's light model: separable blocks of 128, 256, 512 filters and a GAP head (178,968 parameters).

    ``batchnorm_momentum`` is Keras' default (0.99); it is exposed because
    short runs evaluate poorly with it (the moving statistics lag), which the
    book shows rather than hides.
    """
    return conv_net(3, 128, head="gap", separable=True, conv_dropout=dropout, name="dsc_gap", **kwargs)


MODEL_BUILDERS = {"cnn_3_128": cnn_3_128, "dsc_gap": dsc_gap}


def build_model(name: str, **kwargs) -> keras.Model:
    """Build a model by the name a profile uses."""
    try:
        builder = MODEL_BUILDERS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(MODEL_BUILDERS)}") from None
    return builder(**kwargs)


def trainable_count(model: keras.Model) -> int:
    return int(sum(keras.ops.size(w) for w in model.trainable_weights))


def total_count(model: keras.Model) -> int:
    return int(model.count_params())
