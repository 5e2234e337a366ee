"""Training recipes that leave the network as it is: label smoothing, knowledge distillation, a cosine schedule.

The budget study asks how close a 179k-parameter separable model can get to
CNN-3-128, and three of the usual answers change only how the network is
trained. They live in a wrapper model here, so the staged training loop that
every record runs through (and whose code fingerprints those records) stays as
it is:

- **label smoothing** trains towards ``(1 - eps)`` on the true class and
  ``eps / 10`` on every class;
- **distillation** (Hinton, Vinyals and Dean, 2015) adds the teacher's softened
  outputs: ``(1 - alpha) * CE(targets, p) + alpha * T^2 * CE(soft(teacher, T),
  soft(p, T))``, where ``soft(p, T)`` renormalises ``p ** (1 / T)``, which is
  exactly ``softmax(logits / T)`` for a softmax output ``p``;
- a **cosine learning-rate schedule** (Loshchilov and Hutter, 2017, without
  restarts) takes the protocol's Adam rate down to zero over the whole run.

The training labels then carry the teacher's outputs beside the class
(``with_teacher``); the test labels stay plain classes and are scored as before.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

NUM_CLASSES = 10
EPSILON = 1e-7


def soften(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(logits / T)`` from softmax outputs: ``p ** (1/T)`` renormalised per row."""
    logp = np.log(np.clip(probabilities, EPSILON, 1.0)) / temperature
    logp -= logp.max(axis=1, keepdims=True)
    soft = np.exp(logp)
    return soft / soft.sum(axis=1, keepdims=True)


def with_teacher(labels: np.ndarray, teacher: np.ndarray) -> np.ndarray:
    """Training labels that carry the teacher's softened outputs: column 0 the class, columns 1-10 the teacher."""
    if teacher.shape != (len(labels), NUM_CLASSES):
        raise ValueError(f"the teacher's outputs have shape {teacher.shape}, expected ({len(labels)}, {NUM_CLASSES})")
    return np.column_stack([labels.astype("float32"), teacher.astype("float32")])


@keras.saving.register_keras_serializable(package="fmnist")
class Recipe(keras.Model):
    """A network trained towards smoothed labels and, where its labels carry them, a teacher's soft outputs,
    at a learning rate that decays along a cosine over ``decay_steps`` (0: the protocol's constant rate).

    It predicts exactly as the network it wraps; only the training differs.
    Labels of one column (the test set) are scored with the compiled loss and
    metrics, as every other model is.
    """

    def __init__(
        self,
        network: keras.Model,
        smoothing: float = 0.0,
        alpha: float = 0.0,
        temperature: float = 1.0,
        decay_steps: int = 0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.network = network
        self.smoothing = float(smoothing)
        self.alpha = float(alpha)
        self.temperature = float(temperature)
        self.decay_steps = int(decay_steps)
        self.build(network.input_shape)  # built from the start, so it counts its parameters like any other model

    def build(self, input_shape) -> None:
        if not self.network.built:
            self.network.build(input_shape)
        self.built = True

    def compile(self, optimizer="rmsprop", **kwargs) -> None:
        """The protocol's optimizer, its constant rate turned into a cosine decay; a reloaded one keeps its schedule."""
        if self.decay_steps and isinstance(optimizer, keras.optimizers.Optimizer):
            settings = optimizer.get_config()
            if not isinstance(settings["learning_rate"], dict):  # a constant rate, not yet a schedule
                schedule = keras.optimizers.schedules.CosineDecay(settings["learning_rate"], self.decay_steps)
                optimizer = type(optimizer)(**{**settings, "learning_rate": schedule})
        super().compile(optimizer=optimizer, **kwargs)

    def compile_from_config(self, config: dict) -> None:
        """Compiled again when a checkpoint loads (Keras skips a model whose compile() is its own)."""
        self.compile(**keras.saving.deserialize_keras_object(config))  # as Keras' own, without its custom guard
        if self.built:
            self.optimizer.build(self.trainable_variables)  # so the checkpoint's optimizer state can load into it

    def call(self, inputs, training=None):
        return self.network(inputs, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if y is None or len(y.shape) == 1:
            return super().compute_loss(x, y, y_pred, sample_weight, training)
        loss = ops.mean(soft_target_loss(y, y_pred, self.smoothing, self.alpha, self.temperature))
        return loss + ops.sum(self.losses) if self.losses else loss

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        if len(y.shape) == 2:
            y = y[:, 0]
        return super().compute_metrics(x, y, y_pred, sample_weight)

    def get_config(self) -> dict:
        return {
            "network": keras.saving.serialize_keras_object(self.network),
            "smoothing": self.smoothing,
            "alpha": self.alpha,
            "temperature": self.temperature,
            "decay_steps": self.decay_steps,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config: dict) -> Recipe:
        network = keras.saving.deserialize_keras_object(config.pop("network"))
        return cls(network, **config)


def soft_target_loss(y, y_pred, smoothing: float, alpha: float, temperature: float):
    """Per image: cross-entropy to the smoothed label, mixed with the teacher's at temperature T (weight T^2)."""
    labels = ops.cast(y[:, 0], "int32")
    smoothed = ops.one_hot(labels, NUM_CLASSES) * (1.0 - smoothing) + smoothing / NUM_CLASSES
    logp = ops.log(ops.clip(y_pred, EPSILON, 1.0))
    hard = -ops.sum(smoothed * logp, axis=-1)
    if alpha == 0.0:
        return hard
    soft_logp = ops.log_softmax(logp / temperature, axis=-1)
    distilled = -ops.sum(y[:, 1:] * soft_logp, axis=-1) * temperature**2
    return (1.0 - alpha) * hard + alpha * distilled
