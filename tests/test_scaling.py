import keras
import numpy as np
import pytest

from fmnist_lib import data, models
from fmnist_lib.audit import scaling
from fmnist_lib.models import compression, cost
from fmnist_lib.report import prose


def test_cnn_3_128_macs_match_the_hand_count():
    # 26*26*9*1*128 + 11*11*9*128*256 + 3*3*9*256*512 + 4608*128 + 128*10
    assert cost.model_macs(models.cnn_3_128()) == 47_671_040


@pytest.mark.parametrize(
    "depth,width,head,separable",
    [
        (1, 16, "dense", False),
        (2, 32, "gap", True),
        (3, 128, "dense", False),
        (3, 128, "gap", True),
        (4, 16, "gap", False),
        (4, 64, "dense", True),
    ],
)
def test_family_counts_agree_with_keras_and_hand_formulas(depth, width, head, separable):
    model = models.conv_net(depth, width, head=head, separable=separable)
    table = cost.layer_table(model)
    assert table["match"].all()
    assert table["analytic"].sum() == model.count_params()
    # MACs by hand for the first block: 3x3 over a 26x26 output ('valid' padding)
    first = model.layers[1]
    expected = 26 * 26 * 9 * (1 if separable else width)
    assert cost.layer_macs(first) == expected


def test_named_models_are_family_members():
    assert models.conv_net(3, 128, head="dense").count_params() == models.cnn_3_128().count_params()
    assert models.conv_net(3, 128, head="gap", separable=True).count_params() == 178_968
    with pytest.raises(ValueError, match="depth"):
        models.conv_net(5, 16)


def test_saturating_fit_recovers_known_parameters():
    p = np.logspace(3, 7, 12)
    acc = scaling.saturating(p, 0.93, 2.0, 0.35)
    fit = scaling.fit_saturating(p, acc)
    assert fit["converged"]
    assert (fit["a"], fit["b"], fit["c"]) == pytest.approx((0.93, 2.0, 0.35), rel=1e-3)
    assert fit["rmse"] < 1e-6
    plateau = scaling.plateau_params(fit, 0.0025)
    assert scaling.saturating(plateau, 0.93, 2.0, 0.35) == pytest.approx(0.93 - 0.0025, abs=1e-6)
    assert "parameters" in prose.fit_summary(fit, 10_000, int(p.max()))


def test_fit_reports_failure_instead_of_inventing_a_plateau():
    fit = scaling.fit_saturating([10, 20], [0.5, 0.5])
    text = prose.fit_summary(fit, 10_000, 20)
    assert "no plateau" in text or "bound" in text or "did not converge" in text


def test_pareto_front():
    front = scaling.pareto_front([10, 20, 30, 40], [0.8, 0.7, 0.9, 0.85])
    assert front.tolist() == [True, False, True, False]


def test_pruning_reaches_the_requested_sparsity():
    model = models.conv_net(2, 16, head="gap")
    pruned = compression.magnitude_prune(model, 0.8)
    assert compression.sparsity_of(pruned) == pytest.approx(0.8, abs=0.01)
    assert compression.sparsity_of(model) < 0.01  # the original is untouched


def test_int8_accuracy_is_measured_on_real_test_images(real_data_dir):
    ds = data.load_fashion_mnist(allow_download=False)
    train = data.stratified_subsample(ds.y_train, 2000, seed=0)
    test = data.stratified_subsample(ds.y_test, 300, seed=0)
    x_train, x_test = data.as_cnn_input(ds.x_train[train]), data.as_cnn_input(ds.x_test[test])
    keras.utils.set_random_seed(0)
    model = models.conv_net(2, 16, head="dense")
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x_train, ds.y_train[train], epochs=2, batch_size=64, verbose=0)
    keras_pred = np.argmax(model.predict(x_test, verbose=0), axis=1)
    int8 = compression.to_tflite(model, x_train[:50])
    float32 = compression.to_tflite(model)
    assert len(int8) < len(float32)
    pred, latency = compression.tflite_predict(int8, x_test, latency_images=20, batch=128)
    assert latency > 0
    # batched calls classify each image exactly as one-image calls do
    one_by_one = [compression.tflite_predict(int8, x_test[i : i + 1], latency_images=0)[0][0] for i in range(40)]
    assert list(pred[:40]) == one_by_one
    # int8 predictions are its own (a few may differ), scored against the real labels
    assert np.mean(pred == keras_pred) > 0.9
    keras_accuracy = np.mean(keras_pred == ds.y_test[test])
    assert keras_accuracy > 0.6
    assert np.mean(pred == ds.y_test[test]) == pytest.approx(keras_accuracy, abs=0.05)


def test_low_members_sentence_follows_the_data():
    assert "2 members stayed below 20%" in prose.low_members_text(["a", "b", "c"], [0.1, 0.15, 0.9])
    assert prose.low_members_text(["a"], [0.9]) == "No member stayed below 20% after the short schedule."


def test_collapsed_members_are_flagged_and_left_out_of_the_fits():
    import pandas as pd

    from fmnist_lib.audit import scaling

    assert scaling.member_flag(0.336, 0.733).reason == scaling.FLAG_COLLAPSED  # dsc-2x64-gap
    assert scaling.member_flag(0.337, 0.328).reason == scaling.FLAG_DID_NOT_LEARN  # dsc-1x16-gap
    assert scaling.member_flag(0.70, 0.85) == scaling.MemberFlag(
        scaling.FLAG_COLLAPSED, "test more than 10 pp below training"
    )
    assert scaling.member_flag(0.90, 0.91) is None and scaling.member_flag(0.90, None) is None
    params = [1e4, 3e4, 1e5, 3e5, 1e6, 2e4, 6e4, 2e5, 6e5, 1e5]
    acc = [0.85, 0.87, 0.89, 0.90, 0.905, 0.80, 0.83, 0.85, 0.86, 0.34]
    frame = pd.DataFrame(
        {
            "parameters": params,
            "test accuracy": acc,
            "separable": [False] * 5 + [True] * 5,
            "flagged": [scaling.member_flag(a, a) is not None for a in acc],
        }
    )
    fits = {f["members"]: f for f in scaling.subfamily_fits(frame)}
    assert fits["all coherent members"]["n"] == 9 and fits["separable convolutions"]["n"] == 4
    assert fits["standard convolutions"]["fit"]["converged"]
