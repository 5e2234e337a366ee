import keras
import numpy as np
import pytest
from keras import layers

from fmnist_lib import models
from fmnist_lib.models import budget, cost


def test_cnn_3_128_has_the_papers_parameter_count():
    model = models.cnn_3_128()
    assert model.count_params() == 2_067_850
    assert models.trainable_count(model) == 2_067_850
    assert model.get_layer("flatten").output.shape[1:] == (4608,)


def test_light_model_matches_the_seed_total_and_trainable_counts():
    model = models.dsc_gap()
    assert model.count_params() == 178_968
    assert models.trainable_count(model) == 176_406


@pytest.mark.parametrize("name", ["cnn_3_128", "dsc_gap"])
def test_layer_table_agrees_with_keras(name):
    table = cost.layer_table(models.build_model(name))
    assert table["match"].all()
    assert table["keras"].sum() == models.build_model(name).count_params()


def test_model_options_are_keywords():
    model = models.cnn_3_128(padding="same", conv_dropout=0.1)
    assert model.get_layer("dropout1").rate == 0.1
    # 'same' padding without a third pool gives a 7x7x512 map and a far larger head
    assert model.count_params() != 2_067_850
    with pytest.raises(ValueError, match="unknown model"):
        models.build_model("resnet")


def test_seed_arithmetic_is_recomputed():
    table = cost.seed_layer_arithmetic()
    assert table["match"].all()
    assert cost.separable_block(3, 256, 512) == 134_144
    assert cost.conv2d(3, 256, 512) == 1_180_160


@pytest.mark.parametrize("seed", range(6))
def test_analytic_counts_equal_keras_for_random_shapes(seed):
    rng = np.random.default_rng(seed)
    c_in, c_out = (int(v) for v in rng.integers(1, 40, 2))
    k = int(rng.choice([1, 3, 5]))
    bias = bool(rng.integers(2))
    mult = int(rng.integers(1, 4))
    inputs = keras.Input((11, 11, c_in))
    stack = [
        layers.Conv2D(c_out, k, use_bias=bias, padding="same"),
        layers.DepthwiseConv2D(k, depth_multiplier=mult, use_bias=bias, padding="same"),
        layers.BatchNormalization(),
        layers.GlobalAveragePooling2D(),
        layers.Dense(c_out, use_bias=bias),
    ]
    x = inputs
    for layer in stack:
        x = layer(x)
    keras.Model(inputs, x)
    for layer in stack:
        trainable, frozen = cost.analytic_count(layer)
        assert trainable + frozen == layer.count_params(), type(layer).__name__
        assert trainable == sum(int(np.prod(w.shape)) for w in layer.trainable_weights)


def test_the_light_models_first_block_is_one_filter_and_the_seeds_count_points_to_it():
    table = cost.spatial_filter_table({"light": models.dsc_gap(), "cnn": models.cnn_3_128()})
    first = table.groupby("model").first()
    assert first.loc["light", "spatial filters"] == 1 and first.loc["light", "independent responses"] == 1
    assert first.loc["cnn", "spatial filters"] == 128 and first.loc["cnn", "independent responses"] == 9
    assert table["independent responses"].tolist()[1:3] == [128, 256]  # later blocks filter every channel
    standard = budget.parameters({"first_block": "standard"})
    assert standard == 178_968 - (10 + 4 + 256 + 512) + (1_280 + 512) == 179_978
