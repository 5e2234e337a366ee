"""The data layer: Fashion-MNIST from the official IDX files (verified), the MNIST digits, and what is
built from them (leaky splits, near-duplicates). Only this package knows file formats and where
files live. ``from fmnist_lib import data`` gives the Fashion-MNIST API of ``data.fashion``.
"""

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
