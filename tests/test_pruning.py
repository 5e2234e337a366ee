"""Gradual magnitude pruning: the published polynomial schedule, per-layer masks, masks fixed between updates."""

import numpy as np
import pytest

from fmnist_lib.models import pruning


def test_the_schedule_is_the_published_polynomial_decay():
    """Zhu and Gupta (2017), eq. 1; TF-MOT's PolynomialDecay: s_t = s_f + (s_i - s_f)(1 - (t - t0)/(n dt))^3."""
    s = lambda t: pruning.polynomial_sparsity(t, begin=100, end=1100, final=0.9, initial=0.1)  # noqa: E731
    assert s(0) == s(100) == pytest.approx(0.1)  # before the schedule begins: the initial sparsity
    assert s(600) == pytest.approx(0.9 + (0.1 - 0.9) * 0.5**3)  # half way: 0.8
    assert s(1100) == s(5000) == pytest.approx(0.9)
    steps = range(100, 1101, 50)
    rises = np.diff([s(t) for t in steps])
    assert (rises > 0).all() and (np.diff(rises) < 0).all()  # rises, fast first, then slower
    assert pruning.update_steps(0, 10, 4) == [0, 4, 8, 10]


@pytest.mark.parametrize("begin, end, final", [(10, 10, 0.5), (0, 10, 1.0), (0, 10, -0.1)])
def test_a_schedule_that_cannot_be_followed_is_refused(begin, end, final):
    with pytest.raises(ValueError):
        pruning.polynomial_sparsity(0, begin, end, final)


def test_a_layer_mask_keeps_the_largest_weights():
    kernel = np.array([[0.1, -0.5], [0.05, 2.0]], dtype="float32")
    assert pruning.layer_mask(kernel, 0.5).tolist() == [[0.0, 1.0], [0.0, 1.0]]
    assert pruning.layer_mask(kernel, 0.0).sum() == 4


def test_fine_tuning_ends_at_the_target_sparsity_per_layer_and_never_revives_a_pruned_weight():
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])  # fmt: skip
    model.compile("adam", "sparse_categorical_crossentropy")
    x = np.random.default_rng(0).normal(size=(64, 8, 8, 1)).astype("float32")
    y = np.arange(64) % 10
    callback = pruning.GradualPruning(final=0.75, begin=0, end=12, frequency=4)
    seen = []

    class Watch(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):  # runs after the pruning callback's masks
            seen.append([keras.ops.convert_to_numpy(k) == 0 for k in pruning.prunable(self.model)])

    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[callback, Watch()])  # 16 steps
    assert [step for step, _ in callback.history] == [0, 4, 8, 12]
    for kernel in pruning.prunable(model):
        values = keras.ops.convert_to_numpy(kernel)
        assert (values == 0).mean() == pytest.approx(0.75, abs=1 / values.size)
    for before, after in zip(seen, seen[1:]):  # zeros only grow: a pruned weight stays pruned
        assert all((a | ~b).all() for b, a in zip(before, after))


def test_the_quick_profile_prunes_while_fine_tuning_only_the_network_one_epoch_brings_back():
    """One quick epoch of fine-tuning left the pruned light model at chance: the quick profile does not show that."""
    from fmnist_lib import profiles
    from fmnist_lib.experiments.kinds import pruning as pruning_kind

    assert {net for _, (net, _) in pruning_kind.runs(profiles.load_profile("quick"))} == {"cnn_3_128"}
    assert {net for _, (net, _) in pruning_kind.runs(profiles.load_profile("full"))} == {"cnn_3_128", "dsc_gap"}
