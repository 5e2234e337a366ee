"""Fashion-MNIST from the official IDX files, verified, and the paper's preprocessing.

Only this module knows the IDX format and where the files may live. Every
number in the book starts here, so the content of each file is checked against
the SHA-256 of the official, decompressed bytes before it is used: a truncated
download or a different dataset (MNIST digits have the same shapes) fails
loudly instead of producing a plausible accuracy.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from fmnist_lib.settings import ENV_DATA_DIR as ENV_DIR
from fmnist_lib.settings import ENV_NO_DOWNLOAD

CLASS_NAMES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
NUM_CLASSES = len(CLASS_NAMES)

# SHA-256 of the *decompressed* IDX bytes. Debian recompresses the .gz files, so
# the compressed bytes differ between sources while this content does not.
FILES: dict[str, dict] = {
    "train_images": {
        "name": "train-images-idx3-ubyte.gz",
        "sha256": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "magic": 2051,
        "shape": (60000, 28, 28),
    },
    "train_labels": {
        "name": "train-labels-idx1-ubyte.gz",
        "sha256": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "magic": 2049,
        "shape": (60000,),
    },
    "test_images": {
        "name": "t10k-images-idx3-ubyte.gz",
        "sha256": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "magic": 2051,
        "shape": (10000, 28, 28),
    },
    "test_labels": {
        "name": "t10k-labels-idx1-ubyte.gz",
        "sha256": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        "magic": 2049,
        "shape": (10000,),
    },
}

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
KERAS_CACHE_DIR = Path.home() / ".keras" / "datasets" / "fashion-mnist"
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


class DataError(RuntimeError):
    """The dataset is missing, or a file is not the official Fashion-MNIST."""


@dataclass(frozen=True)
class FashionMNIST:
    """The official split as uint8 images (n, 28, 28) and uint8 labels (n,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str


def candidate_dirs() -> list[Path]:
    """Where the IDX files are looked for, in order of preference."""
    dirs = []
    if os.environ.get(ENV_DIR):
        dirs.append(Path(os.environ[ENV_DIR]).expanduser())
    dirs += [KERAS_CACHE_DIR, DEBIAN_DIR]
    return dirs


def missing_data_message(searched: list[Path]) -> str:
    places = "\n".join(f"  - {d}" for d in searched)
    return (
        "Fashion-MNIST IDX files not found. Looked in:\n"
        f"{places}\n"
        "Get them in one of these ways:\n"
        "  - Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist"
        f"  (installs {DEBIAN_DIR})\n"
        f"  - put the four files ({', '.join(f['name'] for f in FILES.values())})"
        f" in a folder and set {ENV_DIR}=/that/folder\n"
        f"  - let Keras download them into {KERAS_CACHE_DIR}:"
        " python -m fmnist_lib.data --download"
        f" (needs the internet; unset {ENV_NO_DOWNLOAD} to allow it during a run)"
    )


def locate_data_dir(allow_download: bool | None = None) -> Path:
    """The first folder holding all four files; download with Keras as a last resort.

    A folder with only some of the files is skipped rather than half-used.
    """
    searched = candidate_dirs()
    for folder in searched:
        if all(file_in(folder, f) for f in FILES.values()):
            return folder
        if os.environ.get(ENV_DIR) and folder == searched[0]:
            # asked for by name: say what is wrong with it rather than quietly use another copy
            missing = [f["name"] for f in FILES.values() if not file_in(folder, f)]
            raise DataError(
                f"{ENV_DIR}={folder} lacks {', '.join(missing)} (gzipped or not); put all four official "
                f"files there, or unset {ENV_DIR} to use {KERAS_CACHE_DIR} or {DEBIAN_DIR}"
            )
    if allow_download is None:
        allow_download = not os.environ.get(ENV_NO_DOWNLOAD)
    if allow_download:
        return download_with_keras()
    raise DataError(missing_data_message(searched))


def check_folder_readable() -> None:
    """A data folder named by FMNIST_DATA_DIR that cannot be listed or read is one error naming the fix.

    Called by the command lines before anything runs (not by the loaders, whose
    code every record's fingerprint covers): without it, an unreadable folder
    looks like a folder without the files.
    """
    folder = os.environ.get(ENV_DIR)
    if folder and Path(folder).expanduser().is_dir() and not os.access(Path(folder).expanduser(), os.R_OK | os.X_OK):
        raise DataError(
            f"{ENV_DIR}={folder} cannot be read (permission denied); make it readable with "
            f"chmod a+rx {folder} (and a+r on its files), or set {ENV_DIR} to a readable copy"
        )


def download_with_keras() -> Path:
    """Fetch the upstream files into Keras' cache (the same place Keras itself uses)."""
    try:
        from keras.utils import get_file

        for f in FILES.values():
            get_file(f["name"], origin=KERAS_ORIGIN + f["name"], cache_subdir="datasets/fashion-mnist")
    except Exception as exc:  # network errors come in many types
        raise DataError(
            f"Downloading Fashion-MNIST with Keras failed ({exc}).\n" + missing_data_message(candidate_dirs())
        ) from exc
    return KERAS_CACHE_DIR


def file_in(folder: Path, spec: dict) -> Path | None:
    """The file for ``spec`` in ``folder``: the official .gz name, or the same name uncompressed."""
    for candidate in (folder / spec["name"], folder / spec["name"].removesuffix(".gz")):
        if candidate.is_file():
            return candidate
    return None


def read_idx(path: Path, spec: dict) -> np.ndarray:
    """Decompress if gzipped, verify the checksum and header, and return the array."""
    try:
        with open(path, "rb") as fh:
            start = fh.read(3)
        gzipped = start[:2] == b"\x1f\x8b"
        if not gzipped and start != b"\x00\x00\x08":  # every IDX file of unsigned bytes starts so
            raise DataError(
                f"{path} is neither a gzip file nor an IDX file (it starts with {start!r}; a failed download "
                f"saves a web page, for instance). Replace it with the official {spec['name']}."
            )
        with (gzip.open if gzipped else open)(path, "rb") as fh:
            raw = fh.read()
    except PermissionError:
        raise DataError(
            f"{path} cannot be read: permission denied. Make it readable (chmod a+r {path}) "
            f"or set {ENV_DIR} to a folder with a readable copy."
        ) from None
    except (OSError, EOFError) as exc:
        raise DataError(
            f"{path} is a damaged gzip file ({exc}), probably cut short. "
            f"Delete it and get the official file {spec['name']} again."
        ) from exc
    digest = hashlib.sha256(raw).hexdigest()
    if digest != spec["sha256"]:
        raise DataError(
            f"{path} does not hold the official Fashion-MNIST content: expected "
            f"{len_bytes(spec)} bytes with SHA-256 {spec['sha256']}, got {len(raw)} bytes "
            f"with SHA-256 {digest}. Replace it with the official {spec['name']}."
        )
    header_len = 4 + 4 * len(spec["shape"])
    header = np.frombuffer(raw[:header_len], dtype=">u4")
    if header[0] != spec["magic"] or tuple(header[1:]) != spec["shape"]:
        raise DataError(f"{path}: unexpected IDX header {header.tolist()}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(spec["shape"])


def len_bytes(spec: dict) -> int:
    return 4 + 4 * len(spec["shape"]) + int(np.prod(spec["shape"]))


@lru_cache(maxsize=4)
def _load_from(folder: str) -> FashionMNIST:
    arrays = {key: read_idx(file_in(Path(folder), spec), spec) for key, spec in FILES.items()}
    return FashionMNIST(
        x_train=arrays["train_images"],
        y_train=arrays["train_labels"],
        x_test=arrays["test_images"],
        y_test=arrays["test_labels"],
        source=folder,
    )


def load_fashion_mnist(allow_download: bool | None = None) -> FashionMNIST:
    """The official 60,000/10,000 split, verified; cached per process."""
    return _load_from(str(locate_data_dir(allow_download)))


def stratified_subsample(labels: np.ndarray, size: int | None, seed: int) -> np.ndarray:
    """Sorted indices of a class-balanced subset, the same for the same seed.

    Small profiles train on a subset; balancing keeps per-class accuracy
    comparable with the full data, and sorting keeps the original order so the
    subset of a larger size does not reshuffle the data.
    """
    n = len(labels)
    if size is None or size == n:
        return np.arange(n)
    if size > n:
        raise ValueError(f"subset size {size} is larger than the {n} images available")
    if size < 10 * NUM_CLASSES:
        raise ValueError(f"subset size {size} is below 10 images per class ({10 * NUM_CLASSES})")
    rng = np.random.default_rng(seed)
    classes, counts = np.unique(labels, return_counts=True)
    quota = np.floor(size * counts / n).astype(int)
    # hand out the remainder to the classes with the largest fractional part
    remainder = size - quota.sum()
    order = np.argsort(-(size * counts / n - quota), kind="stable")
    quota[order[:remainder]] += 1
    picked = [rng.choice(np.flatnonzero(labels == c), q, replace=False) for c, q in zip(classes, quota)]
    return np.sort(np.concatenate(picked))


def as_vectors(images: np.ndarray) -> np.ndarray:
    """The classical models' input: 784 raw pixel values per image, as float64.

    The paper flattens without rescaling. float64 because scikit-learn's MLP is
    several times slower on float32 input (measured on the 2-core development
    machine: per-iteration time jumps after about 14 iterations).
    """
    return images.reshape(len(images), -1).astype(np.float64)


def as_cnn_input(images: np.ndarray) -> np.ndarray:
    """The CNNs' input: (n, 28, 28, 1) float32 in [0, 1], nothing else."""
    return (images.astype(np.float32) / 255.0)[..., None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check (or download) the Fashion-MNIST files.")
    parser.add_argument("--download", action="store_true", help="allow Keras to download if missing")
    args = parser.parse_args(argv)
    try:
        data = load_fashion_mnist(allow_download=args.download)
    except DataError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Fashion-MNIST OK: {len(data.y_train)} train + {len(data.y_test)} test images from {data.source}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
