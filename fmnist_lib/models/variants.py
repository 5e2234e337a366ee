"""Other readings of the seed's light model, built apart so the replication models stay untouched.

The seed says its separable blocks introduce "no additional layers", yet its
178,968 parameters are reached only with two BatchNorm layers per block
(``models.dsc_gap``; BatchNorm before the depthwise convolution gives the same
count). Read literally, the model has no BatchNorm at all and 173,844
parameters. That reading is trained here under the same protocol, so the
report can say what the choice changes.
"""

from __future__ import annotations

import keras
from keras import layers

from fmnist_lib.models.networks import INPUT_SHAPE, block_widths

NO_BATCHNORM_PARAMS = 173_844


def dsc_gap_without_batchnorm(*, dropout: float = 0.25, activation: str = "relu") -> keras.Model:
    """DepthwiseConv2D 3x3 -> Conv2D 1x1 -> activation per block (128, 256, 512), pooling after blocks 1-2, GAP head."""
    inputs = keras.Input(INPUT_SHAPE, name="image")
    x = inputs
    for block, filters in enumerate(block_widths(3, 128), start=1):
        x = layers.DepthwiseConv2D(3, name=f"depthwise{block}")(x)
        x = layers.Conv2D(filters, 1, name=f"pointwise{block}")(x)
        x = layers.Activation(activation, name=f"act{block}")(x)
        if block < 3:
            x = layers.MaxPooling2D(2, name=f"pool{block}")(x)
        x = layers.Dropout(dropout, name=f"dropout{block}")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(10, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name="dsc_gap_no_batchnorm")


def separable_gap(
    *,
    first_block: str = "depthwise",
    widths: list[int] | tuple[int, ...] = (128, 256, 512),
    batchnorm_momentum: float = 0.99,
    depthwise_activation: bool = False,
    augmentation: str = "none",
    dropout: float = 0.25,
    activation: str = "relu",
) -> keras.Model:
    """A variant of the light model inside its budget (``models.budget``); with the defaults it is the light model.

    Same layer names and order as ``networks.dsc_gap``, so the literal variant
    has its 178,968 parameters. ``first_block='standard'`` replaces block 1's
    depthwise and 1x1 convolutions, which see one filtered image, by a 3x3
    convolution with ``widths[0]`` filters. ``augmentation='shift_flip'`` moves
    each training image by up to 10 % of its size and mirrors half of them (Keras'
    random layers, which pass images through unchanged when the model predicts).
    """
    inputs = keras.Input(INPUT_SHAPE, name="image")
    x = inputs
    if augmentation == "shift_flip":
        x = layers.RandomTranslation(0.1, 0.1, fill_mode="constant", name="random_shift")(x)
        x = layers.RandomFlip("horizontal", name="random_flip")(x)
    for block, filters in enumerate(widths, start=1):
        if block == 1 and first_block == "standard":
            x = layers.Conv2D(filters, 3, name=f"conv{block}")(x)
        else:
            x = layers.DepthwiseConv2D(3, name=f"depthwise{block}")(x)
            x = layers.BatchNormalization(momentum=batchnorm_momentum, name=f"bn_depthwise{block}")(x)
            if depthwise_activation:
                x = layers.Activation(activation, name=f"act_depthwise{block}")(x)
            x = layers.Conv2D(filters, 1, name=f"pointwise{block}")(x)
        x = layers.BatchNormalization(momentum=batchnorm_momentum, name=f"bn_pointwise{block}")(x)
        x = layers.Activation(activation, name=f"act{block}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{block}")(x) if block < 3 else x  # as in the light model
        x = layers.Dropout(dropout, name=f"dropout{block}")(x)
    outputs = layers.Dense(10, activation="softmax", name="classes")(layers.GlobalAveragePooling2D(name="gap")(x))
    return keras.Model(inputs, outputs, name="dsc_gap_variant")
