"""The models: the CNN family (CNN-3-128 and the light model are members), the light model's
other readings, the augmenter, the classical classifiers, their cost (parameters, MACs, latency)
and compression. ``from fmnist_lib import models`` gives the networks of ``models.networks``.
"""

from fmnist_lib.models.networks import (
    INPUT_SHAPE,
    MODEL_BUILDERS,
    block_widths,
    build_model,
    cnn_3_128,
    conv_net,
    dsc_gap,
    total_count,
    trainable_count,
)

__all__ = [
    "INPUT_SHAPE",
    "MODEL_BUILDERS",
    "block_widths",
    "build_model",
    "cnn_3_128",
    "conv_net",
    "dsc_gap",
    "total_count",
    "trainable_count",
]
