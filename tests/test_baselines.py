import numpy as np
import pytest

from fmnist_lib import data, experiments, profiles
from fmnist_lib.experiments import registry
from fmnist_lib.models import classical


def test_models_have_the_papers_hyper_parameters():
    assert classical.make_classifier("KNN", 0).n_neighbors == 5
    forest = classical.make_classifier("Random Forest", 0)
    assert (forest.n_estimators, forest.max_depth) == (200, 24)
    assert classical.make_classifier("SVM", 0).kernel == "rbf"
    assert classical.make_classifier("Logistic Regression", 0).max_iter == 200
    for name in profiles.ALL_BASELINES:
        classical.make_classifier(name, 0)  # all nine construct
    with pytest.raises(ValueError, match="unknown baseline"):
        classical.make_classifier("XGBoost", 0)


def test_fit_and_score_on_real_images(real_data_dir):
    ds = data.load_fashion_mnist(allow_download=False)
    train = data.stratified_subsample(ds.y_train, 500, seed=0)
    test = data.stratified_subsample(ds.y_test, 300, seed=0)
    result = classical.fit_and_score(
        "KNN",
        (data.as_vectors(ds.x_train[train]), ds.y_train[train]),
        (data.as_vectors(ds.x_test[test]), ds.y_test[test]),
        seed=0,
    )
    assert result["n_train"] == 500 and result["n_test"] == 300
    assert result["accuracy"] == result["correct"] / 300
    assert 0.5 < result["accuracy"] < 0.95  # far above chance on real clothes, not perfect
    assert result["fit_seconds"] >= 0 and result["predict_seconds"] > 0


def test_baselines_run_through_the_store_once(real_data_dir, results_dir):
    config = profiles.load_profile("smoke", {"baselines.models": ["GaussianNB", "Decision Tree"]})
    jobs = registry.plan(config, ["baseline"])
    first = [registry.execute(config, job) for job in jobs]
    again = [registry.execute(config, job) for job in jobs]
    assert [r.result["model"] for r in first] == ["GaussianNB", "Decision Tree"]
    assert [r.provenance["date"] for r in again] == [r.provenance["date"] for r in first]
    assert all(np.isfinite(r.accuracy) for r in first)
    assert experiments.load_all(config, "baseline").records == first


def test_a_model_without_a_paper_number_is_shown_with_a_dash():
    from fmnist_lib.report import tables
    from fmnist_lib.store.records import Record

    result = {"model": "Nearest Centroid", "accuracy": 0.81, "n_test": 10_000, "n_train": 60_000,
              "fit_seconds": 1.0, "predict_seconds": 0.1, "converged": True}  # fmt: skip
    record = Record("baseline-nearest_centroid", "k", "full", {}, result, 1.0, {})
    row = tables.baseline_table([record]).iloc[0]
    assert row["seed paper"] == "–" and row["difference (pp)"] == "–"
    assert row["ours (95 % interval)"].startswith("81.00% [")
    assert tables.baseline_summary([record])["best_model"] == "Nearest Centroid"
