"""Shared fixtures. Tests never download: the real IDX files must be installed
(`make test` installs the Debian package when it can)."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ["FMNIST_NO_DOWNLOAD"] = "1"


@pytest.fixture(scope="session")
def real_data_dir():
    from fmnist_lib import data

    return data.locate_data_dir(allow_download=False)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which turns the mark into the group
def pytest_collection_modifyitems(items):
    """Under ``pytest -n`` (make test), every test of the smoke report runs in the one process that builds it."""
    for item in items:
        if "smoke_report" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("smoke_report"))


@pytest.fixture(autouse=True)
def environment_kept():
    """Each test starts from the session's environment: the CLIs a test calls in-process (``compute``, the
    runner) point ``$FMNIST_RESULTS_DIR`` at their store for their process, which must not leak into the
    next test (CI's order once let a test read a temporary smoke store as the committed records)."""
    before = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(before)


@pytest.fixture
def results_dir(tmp_path, monkeypatch):
    """A private run store for one test."""
    from fmnist_lib.store import runstore

    folder = tmp_path / "results"
    monkeypatch.setenv(runstore.ENV_RESULTS_DIR, str(folder))
    return folder


COUNTED: dict[str, list] = {"trained": [], "fitted": []}


@pytest.fixture(scope="session")
def smoke_report(tmp_path_factory):
    """The smoke report, built once in this process with --force, counting every training and classical fit.

    Chapters only read, so every training and fit happens in the runner, here,
    where it is counted (see the first test below).
    """
    from fmnist_lib import training
    from fmnist_lib.models import classical
    from fmnist_lib.report import runner
    from fmnist_lib.store import runstore

    out = tmp_path_factory.mktemp("smoke")
    real_train, real_fit = training.train_staged, classical.fit_and_score

    def count_train(*args, **kwargs):
        COUNTED["trained"].append(Path(kwargs["checkpoint_dir"]).name)
        return real_train(*args, **kwargs)

    def count_fit(name, train, test, seed):
        COUNTED["fitted"].append((name, seed, float(train[0].max()) <= 1.0))  # raw or scaled pixels
        return real_fit(name, train, test, seed)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(training, "train_staged", count_train)
        patch.setattr(classical, "fit_and_score", count_fit)
        patch.setenv(runstore.ENV_RESULTS_DIR, str(out / "results"))
        runner.run("smoke", force=True, build_dir=out / "build", results_dir=out / "results")
    return out
