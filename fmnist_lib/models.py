"""The two networks the seed paper compares, in backend-neutral Keras 3.

The papers leave dropout rates, padding and activation unstated; the defaults
here are the common reconstruction (context.md) and each is a keyword so a
reader can test another reading. Both functions give the parameter counts the
seed prints: 2,067,850 for CNN-3-128 and 178,968 (176,406 trainable) for the
depthwise-separable + GAP model.
"""

from __future__ import annotations

import keras
from keras import layers

INPUT_SHAPE = (28, 28, 1)
WIDTHS = (128, 256, 512)


def cnn_3_128(
    *,
    padding: str = "valid",
    activation: str = "relu",
    conv_dropout: float = 0.25,
    dense_dropout: float = 0.5,
    dense_units: int = 128,
    num_classes: int = 10,
) -> keras.Model:
    """CNN-3-128: three 3x3 conv blocks (128, 256, 512 filters) and a Dense(128) head.

    Pooling after blocks 1 and 2 only, so the last feature map is 3x3x512 and the
    flattened head has the seed's 4,608 inputs.
    """
    inputs = keras.Input(INPUT_SHAPE, name="image")
    x = inputs
    for block, width in enumerate(WIDTHS, start=1):
        x = layers.Conv2D(width, 3, padding=padding, activation=activation, name=f"conv{block}")(x)
        if block < len(WIDTHS):
            x = layers.MaxPooling2D(2, name=f"pool{block}")(x)
        x = layers.Dropout(conv_dropout, name=f"dropout{block}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(dense_units, activation=activation, name="dense")(x)
    x = layers.Dropout(dense_dropout, name="dropout_dense")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name="cnn_3_128")


def dsc_gap(
    *,
    padding: str = "valid",
    activation: str = "relu",
    dropout: float = 0.25,
    batchnorm_momentum: float = 0.99,
    num_classes: int = 10,
) -> keras.Model:
    """The seed's light model: depthwise-separable blocks and a GAP head.

    Each block is DepthwiseConv2D 3x3 -> BatchNorm -> Conv2D 1x1 -> BatchNorm ->
    activation -> Dropout, the recipe that reproduces the seed's 178,968
    parameters exactly (context.md). ``batchnorm_momentum`` is Keras' default;
    it is exposed because short runs evaluate poorly with it (the moving
    statistics lag), which the book shows rather than hides.
    """
    inputs = keras.Input(INPUT_SHAPE, name="image")
    x = inputs
    for block, width in enumerate(WIDTHS, start=1):
        x = layers.DepthwiseConv2D(3, padding=padding, name=f"depthwise{block}")(x)
        x = layers.BatchNormalization(momentum=batchnorm_momentum, name=f"bn_depthwise{block}")(x)
        x = layers.Conv2D(width, 1, name=f"pointwise{block}")(x)
        x = layers.BatchNormalization(momentum=batchnorm_momentum, name=f"bn_pointwise{block}")(x)
        x = layers.Activation(activation, name=f"act{block}")(x)
        if block < len(WIDTHS):
            x = layers.MaxPooling2D(2, name=f"pool{block}")(x)
        x = layers.Dropout(dropout, name=f"dropout{block}")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name="dsc_gap")


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
