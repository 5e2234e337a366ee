"""The nine classical classifiers of the seed's section III-B, fitted and timed.

Hyper-parameters are exactly those the paper lists and library defaults
otherwise ("without additional tuning"). ``n_jobs`` only changes speed, not
the result, so it is used wherever the estimator has it.
"""

from __future__ import annotations

import importlib
import time
import warnings
from typing import TYPE_CHECKING, Callable

import numpy as np

if TYPE_CHECKING:
    from sklearn.base import ClassifierMixin


def _make(path: str, **kwargs) -> ClassifierMixin:
    """Import and build ``module.Class`` only when a model is fitted: listing the models stays cheap."""
    module, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)(**kwargs)


# The classical models, declared once: profiles, benchmarks, tables and the audit read this table.
# Each is a function of its own, so a record's fingerprint covers only the classifier it fitted:
# adding a tenth leaves the other nine records as they were.
CLASSIFIERS: dict[str, Callable[[int], ClassifierMixin]] = {}


def classifier(name: str) -> Callable:
    """Register a classifier factory (``seed -> estimator``) under the name the tables use."""

    def register(factory: Callable[[int], ClassifierMixin]) -> Callable[[int], ClassifierMixin]:
        CLASSIFIERS[name] = factory
        return factory

    return register


@classifier("MLP")
def mlp(seed: int) -> ClassifierMixin:
    return _make("sklearn.neural_network.MLPClassifier", random_state=seed)


@classifier("KNN")
def knn(seed: int) -> ClassifierMixin:
    return _make("sklearn.neighbors.KNeighborsClassifier", n_neighbors=5, n_jobs=-1)


@classifier("GaussianNB")
def gaussian_nb(seed: int) -> ClassifierMixin:
    return _make("sklearn.naive_bayes.GaussianNB")


@classifier("Decision Tree")
def decision_tree(seed: int) -> ClassifierMixin:
    return _make("sklearn.tree.DecisionTreeClassifier", random_state=seed)


@classifier("SVM")
def svm(seed: int) -> ClassifierMixin:
    # a 2 GB kernel cache (default 200 MB) only saves recomputing kernel rows
    return _make("sklearn.svm.SVC", kernel="rbf", random_state=seed, cache_size=2000)


@classifier("LightGBM")
def lightgbm(seed: int) -> ClassifierMixin:
    return _make("lightgbm.LGBMClassifier", random_state=seed, verbose=-1)


@classifier("Random Forest")
def random_forest(seed: int) -> ClassifierMixin:
    return _make(
        "sklearn.ensemble.RandomForestClassifier", n_estimators=200, max_depth=24, random_state=seed, n_jobs=-1
    )


@classifier("Extra Trees")
def extra_trees(seed: int) -> ClassifierMixin:
    return _make("sklearn.ensemble.ExtraTreesClassifier", random_state=seed, n_jobs=-1)


@classifier("Logistic Regression")
def logistic_regression(seed: int) -> ClassifierMixin:
    return _make("sklearn.linear_model.LogisticRegression", max_iter=200)


MODEL_NAMES = tuple(CLASSIFIERS)


def factory_of(name: str) -> str:
    """Where a classifier is defined (``models.classical:mlp``): the code its records' fingerprint covers."""
    return f"models.classical:{CLASSIFIERS[name].__name__}"


def make_classifier(name: str, seed: int) -> ClassifierMixin:
    if name not in CLASSIFIERS:
        raise ValueError(f"unknown baseline {name!r}; known: {', '.join(CLASSIFIERS)}")
    return CLASSIFIERS[name](seed)


def fit_and_score(
    name: str,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    seed: int,
) -> dict:
    """Fit on ``train``, predict ``test``; accuracy and both wall times.

    Convergence warnings are counted, not shown: the paper's max_iter=200 for
    logistic regression does not converge on raw pixels, and the reader should
    know that from the table rather than from a wall of warnings.
    """
    from sklearn.exceptions import ConvergenceWarning

    model = make_classifier(name, seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(*train)
        fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    predictions = model.predict(test[0])
    predict_seconds = time.perf_counter() - start
    correct = int(np.sum(predictions == test[1]))
    return {
        "model": name,
        "accuracy": correct / len(test[1]),
        "correct": correct,
        "n_test": len(test[1]),
        "n_train": len(train[1]),
        "fit_seconds": fit_seconds,
        "predict_seconds": predict_seconds,
        "converged": not any(issubclass(w.category, ConvergenceWarning) for w in caught),
        "params": {k: repr(v) for k, v in model.get_params().items()},
    }
