"""The data layer: Fashion-MNIST from the official IDX files (verified), the MNIST digits, and what is
built from them (leaky splits, near-duplicates). Only this package knows file formats and where
files live. ``from fmnist_lib import data`` gives the Fashion-MNIST API of ``data.fashion``.
"""

import importlib.util
import sys

from fmnist_lib.data.fashion import (
    CLASS_NAMES,
    NUM_CLASSES,
    DataError,
    FashionMNIST,
    as_cnn_input,
    as_vectors,
    load_fashion_mnist,
    locate_data_dir,
    stratified_subsample,
)

__all__ = [
    "CLASS_NAMES",
    "NUM_CLASSES",
    "DataError",
    "FashionMNIST",
    "as_cnn_input",
    "as_vectors",
    "load_fashion_mnist",
    "locate_data_dir",
    "stratified_subsample",
]


def _load_on_first_use(*names: str) -> None:
    """Import these submodules as modules whose code runs on first attribute access (``importlib.util.LazyLoader``).

    The augmenter is a Keras layer, so importing ``data.augment`` imports Keras and TensorFlow (5-7 s on a
    2-core CPU). The experiment registry imports every kind to read its declaration, and the kinds that train
    with the augmenter name it at import; chapters read records through the registry, so each paid for Keras
    without ever augmenting an image. Loaded this way the module object exists at once (the kinds' imports and
    the code fingerprints see the same statements) and its code runs when a computation first uses it.
    """
    for name in names:
        qualified = f"{__name__}.{name}"
        if qualified in sys.modules:
            continue
        spec = importlib.util.find_spec(qualified)
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[qualified] = module
        spec.loader.exec_module(module)
        setattr(sys.modules[__name__], name, module)


_load_on_first_use("augment")
