"""The nine classical classifiers of the seed's section III-B, fitted and timed.

Hyper-parameters are exactly those the paper lists and library defaults
otherwise ("without additional tuning"). ``n_jobs`` only changes speed, not
the result, so it is used wherever the estimator has it.
"""

from __future__ import annotations

import time
import warnings
from typing import Callable

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.exceptions import ConvergenceWarning


def _lightgbm(seed: int) -> ClassifierMixin:
    from lightgbm import LGBMClassifier

    return LGBMClassifier(random_state=seed, verbose=-1)


def _factories() -> dict[str, Callable[[int], ClassifierMixin]]:
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    return {
        "MLP": lambda seed: MLPClassifier(random_state=seed),
        "KNN": lambda seed: KNeighborsClassifier(n_neighbors=5, n_jobs=-1),
        "GaussianNB": lambda seed: GaussianNB(),
        "Decision Tree": lambda seed: DecisionTreeClassifier(random_state=seed),
        # a 2 GB kernel cache (default 200 MB) only saves recomputing kernel rows
        "SVM": lambda seed: SVC(kernel="rbf", random_state=seed, cache_size=2000),
        "LightGBM": _lightgbm,
        "Random Forest": lambda seed: RandomForestClassifier(
            n_estimators=200, max_depth=24, random_state=seed, n_jobs=-1
        ),
        "Extra Trees": lambda seed: ExtraTreesClassifier(random_state=seed, n_jobs=-1),
        "Logistic Regression": lambda seed: LogisticRegression(max_iter=200),
    }


def make_classifier(name: str, seed: int) -> ClassifierMixin:
    factories = _factories()
    if name not in factories:
        raise ValueError(f"unknown baseline {name!r}; known: {', '.join(factories)}")
    return factories[name](seed)


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
