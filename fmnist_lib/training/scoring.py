"""Scores of a model's outputs: class accuracy, cross-entropy, Keras 2's binary accuracy, predictions.

Every trainer scores from the class probabilities alone, so a lone Keras run and
a group of JAX models give the same fields, computed the same way.
"""

from __future__ import annotations

import numpy as np


def binary_accuracy_onehot(probabilities: np.ndarray, labels: np.ndarray, threshold: float = 0.5) -> float:
    """What standalone Keras 2 reported as 'accuracy' with binary cross-entropy on one-hot labels.

    Each of the ten outputs is scored as its own yes/no question, so a model
    that always says 'no' already scores 90 %. This is one documented way a
    Fashion-MNIST accuracy of 99 % can appear for an ordinary model.
    """
    onehot = np.eye(probabilities.shape[1])[labels]
    return float(np.mean((probabilities > threshold) == onehot))


def scores(probabilities: np.ndarray, labels: np.ndarray) -> dict:
    """Class accuracy, cross-entropy, the Keras-2 binary accuracy and the predicted classes of one model."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    picked = np.clip(probabilities[np.arange(len(labels)), labels], 1e-7, 1.0)
    predictions = np.argmax(probabilities, axis=1)
    return {
        "predictions": predictions,
        "accuracy": float(np.mean(predictions == labels)),
        "loss": float(-np.mean(np.log(picked))),
        "binary_accuracy": binary_accuracy_onehot(probabilities, labels),
    }


def score(model, images: np.ndarray, labels: np.ndarray) -> dict:
    """``scores`` of a Keras model's outputs, from one forward pass."""
    return scores(model.predict(images, batch_size=1024, verbose=0), labels)


def predict_classes(model, images: np.ndarray) -> np.ndarray:
    return np.argmax(model.predict(images, batch_size=1024, verbose=0), axis=1).astype(int)
