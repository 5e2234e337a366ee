"""The models: the CNN family (CNN-3-128 and the light model are members), the light model's
other readings, the augmenter, the classical classifiers, their cost (parameters, MACs, latency)
and compression. ``from fmnist_lib import models`` gives the networks of ``models.networks``.
"""


def __getattr__(name: str):
    """The networks' API, loaded on first use: the profiles and the chapters that only read records import
    this package for names and constants, and must not pay Keras' import for it."""
    if name not in __all__:  # not the API (say, a probe for __wrapped__): no import of Keras for it
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # one import statement per name, as before this was lazy: store.fingerprint follows them to the definitions
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

    return locals()[name]  # the name the imports above just bound


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
