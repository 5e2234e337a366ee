"""The original paper's augmenter, rebuilt from Keras 3 preprocessing layers.

Mukhamediev's Appendix A uses Keras' ``ImageDataGenerator`` with
``rotation_range`` printed as 0.75 (probably 7.5 degrees), width and height
shifts of 0.075 and a zoom of 0.085. ``ImageDataGenerator`` is gone from Keras
3, so the same transformations are composed from random layers, which run on
every backend. One difference is documented rather than hidden: ``RandomZoom``
here zooms both axes by the same factor, where the old generator drew them
independently.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

PAPER_ROTATION_DEGREES = 7.5
LITERAL_ROTATION_DEGREES = 0.75
PAPER_SHIFT = 0.075
PAPER_ZOOM = 0.085


def augmenter(
    rotation_degrees: float = PAPER_ROTATION_DEGREES,
    shift: float = PAPER_SHIFT,
    zoom: float = PAPER_ZOOM,
    seed: int = 0,
) -> keras.Sequential:
    """Random rotation, shift and zoom with 'nearest' fill, active only when training."""
    return keras.Sequential(
        [
            layers.RandomRotation(rotation_degrees / 360.0, fill_mode="nearest", seed=seed),
            layers.RandomTranslation(shift, shift, fill_mode="nearest", seed=seed + 1),
            layers.RandomZoom(zoom, fill_mode="nearest", seed=seed + 2),
        ],
        name="augmenter",
    )


def augment_images(images: np.ndarray, rotation_degrees: float, seed: int, batch_size: int = 2048) -> np.ndarray:
    """One augmented copy of each image (float32, (n, 28, 28, 1), values in [0, 1])."""
    aug = augmenter(rotation_degrees, seed=seed)
    out = [
        keras.ops.convert_to_numpy(aug(images[i : i + batch_size], training=True))
        for i in range(0, len(images), batch_size)
    ]
    return np.clip(np.concatenate(out), 0.0, 1.0).astype(np.float32)


def with_augmentation(model: keras.Model, rotation_degrees: float = PAPER_ROTATION_DEGREES,
                      seed: int = 0) -> keras.Model:
    """``model`` with the augmenter in front: on-the-fly augmentation of training batches only."""
    inputs = keras.Input(model.input_shape[1:], name="image")
    outputs = model(augmenter(rotation_degrees, seed=seed)(inputs))
    return keras.Model(inputs, outputs, name=f"{model.name}_augmented")
