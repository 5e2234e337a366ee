"""Gradual magnitude pruning with fine-tuning, as practitioners prune (Zhu and Gupta, 2017).

One-shot pruning without fine-tuning (``compression.magnitude_prune``) is what
the seed's future work would measure first, and it collapses both networks at
high sparsity. Practice prunes gradually while training goes on: the sparsity
rises along a polynomial schedule, at each update the smallest-magnitude weights
of each layer are masked, and between updates the masks stay fixed, so the
remaining weights learn to do without the pruned ones.

``tensorflow-model-optimization`` implements this for Keras 2 only; this module
is the same schedule (``PolynomialDecay``: ``(s_i - s_f) (1 - p)^3 + s_f``) and
per-layer masking, written for Keras 3 and any backend.
"""

from __future__ import annotations

import keras
import numpy as np

PRUNED_LAYERS = (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.Dense)


def polynomial_sparsity(step: int, begin: int, end: int, final: float, initial: float = 0.0, power: int = 3) -> float:
    """The target sparsity at ``step``: ``initial`` until ``begin``, rising to ``final`` at ``end`` and after.

    ``s_t = s_f + (s_i - s_f) (1 - p)^power`` with ``p = (t - begin) / (end - begin)``
    clipped to [0, 1]: fast at first, while many redundant weights remain, then
    slower as the network has fewer to spare.
    """
    if not 0.0 <= initial <= final < 1.0:
        raise ValueError(f"sparsities must satisfy 0 <= initial <= final < 1, got {initial} and {final}")
    if end <= begin:
        raise ValueError(f"the schedule must end after it begins, got begin={begin} and end={end}")
    progress = min(1.0, max(0.0, (step - begin) / (end - begin)))
    return final + (initial - final) * (1.0 - progress) ** power


def update_steps(begin: int, end: int, frequency: int) -> list[int]:
    """The steps at which masks are recomputed: every ``frequency`` steps from ``begin``, and ``end`` itself."""
    if frequency < 1:
        raise ValueError(f"the update frequency must be at least one step, got {frequency}")
    return sorted(set(range(begin, end, frequency)) | {end})


def prunable(model: keras.Model) -> list:
    """The kernels that pruning masks: every convolution's and dense layer's (biases and BatchNorm are kept)."""
    return [layer.weights[0] for layer in model.layers if isinstance(layer, PRUNED_LAYERS)]


def layer_mask(kernel: np.ndarray, sparsity: float) -> np.ndarray:
    """A 0/1 mask keeping the ``1 - sparsity`` share of the kernel's weights with the largest magnitude."""
    pruned = int(round(sparsity * kernel.size))
    mask = np.ones(kernel.size, dtype=kernel.dtype)
    if pruned:
        mask[np.argsort(np.abs(kernel), axis=None, kind="stable")[:pruned]] = 0
    return mask.reshape(kernel.shape)


class GradualPruning(keras.callbacks.Callback):
    """Masks each kernel to the schedule's sparsity at each update step and keeps the masks fixed in between.

    The masks are applied after every training batch, so an optimizer step
    never revives a pruned weight; at the end the kernels hold exact zeros.
    """

    def __init__(self, final: float, begin: int, end: int, frequency: int = 100, initial: float = 0.0):
        super().__init__()
        self.final, self.begin, self.end, self.initial = final, begin, end, initial
        self.updates = set(update_steps(begin, end, frequency))
        self.step = 0
        self.masks: list[np.ndarray] | None = None
        self.history: list[tuple[int, float]] = []  # (step, target sparsity) at each update

    def on_train_batch_begin(self, batch, logs=None):
        if self.step in self.updates or (self.masks is None and self.step > self.begin):
            target = polynomial_sparsity(self.step, self.begin, self.end, self.final, self.initial)
            kernels = prunable(self.model)
            self.masks = [layer_mask(keras.ops.convert_to_numpy(k), target) for k in kernels]
            self.history.append((self.step, target))
            self._apply()

    def on_train_batch_end(self, batch, logs=None):
        if self.masks is not None:
            self._apply()
        self.step += 1

    def _apply(self) -> None:
        for kernel, mask in zip(prunable(self.model), self.masks or []):
            kernel.assign(keras.ops.convert_to_numpy(kernel) * mask)
