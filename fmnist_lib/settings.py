"""The environment variables the library reads, named in one place.

Each is set by a command-line option or a script (the runner, ``compute``,
the GPU script) and read deep inside the library; keeping the names here
means a reader can see every outside influence on a run at once.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

ENV_RESULTS_DIR = "FMNIST_RESULTS_DIR"  # the run store's root (default: the repository's results/)
ENV_DATA_DIR = "FMNIST_DATA_DIR"  # a folder with the four official IDX files
ENV_NO_DOWNLOAD = "FMNIST_NO_DOWNLOAD"  # any value: never let Keras download the dataset
ENV_DEVICES = "FMNIST_DEVICES"  # data-parallel devices per training (--devices)
ENV_CONCURRENT_JOBS = "FMNIST_CONCURRENT_JOBS"  # jobs sharing the device, written into provenance
ENV_GROUP_MODELS = (
    "FMNIST_GROUP_MODELS"  # 1: train compatible jobs as one JAX program; 0: never (default: on a JAX GPU)
)
ENV_SOURCE_COMMIT = "FMNIST_SOURCE_COMMIT"  # the commit of a tree that travelled without its .git
