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


# The classical models, declared once: profiles, benchmarks, tables and the audit read this list.
CLASSIFIERS: dict[str, Callable[[int], ClassifierMixin]] = {
    "MLP": lambda seed: _make("sklearn.neural_network.MLPClassifier", random_state=seed),
    "KNN": lambda seed: _make("sklearn.neighbors.KNeighborsClassifier", n_neighbors=5, n_jobs=-1),
    "GaussianNB": lambda seed: _make("sklearn.naive_bayes.GaussianNB"),
    "Decision Tree": lambda seed: _make("sklearn.tree.DecisionTreeClassifier", random_state=seed),
    # a 2 GB kernel cache (default 200 MB) only saves recomputing kernel rows
    "SVM": lambda seed: _make("sklearn.svm.SVC", kernel="rbf", random_state=seed, cache_size=2000),
    "LightGBM": lambda seed: _make("lightgbm.LGBMClassifier", random_state=seed, verbose=-1),
    "Random Forest": lambda seed: _make(
        "sklearn.ensemble.RandomForestClassifier", n_estimators=200, max_depth=24, random_state=seed, n_jobs=-1
    ),
    "Extra Trees": lambda seed: _make("sklearn.ensemble.ExtraTreesClassifier", random_state=seed, n_jobs=-1),
    "Logistic Regression": lambda seed: _make("sklearn.linear_model.LogisticRegression", max_iter=200),
}
MODEL_NAMES = tuple(CLASSIFIERS)


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
