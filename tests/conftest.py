"""Shared fixtures. Tests never download: the real IDX files must be installed
(`make test` installs the Debian package when it can)."""

import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ["FMNIST_NO_DOWNLOAD"] = "1"


@pytest.fixture(scope="session")
def real_data_dir():
    from fmnist_lib import data

    return data.locate_data_dir(allow_download=False)


@pytest.fixture
def results_dir(tmp_path, monkeypatch):
    """A private run store for one test."""
    from fmnist_lib.store import runstore

    folder = tmp_path / "results"
    monkeypatch.setenv(runstore.ENV_RESULTS_DIR, str(folder))
    return folder
