"""The light model's budget study: the budget counted without Keras, refused when broken, judged by the one rule."""

from dataclasses import replace

import pytest
from factories import run

from fmnist_lib import profiles
from fmnist_lib.audit import budget_study
from fmnist_lib.audit.verdicts import Outcome
from fmnist_lib.models import budget
from fmnist_lib.report import prose, tables

STANDARD_FIRST = {"first_block": "standard", "widths": [128, 256, 508]}


@pytest.mark.parametrize(
    "factors",
    [
        {},
        STANDARD_FIRST,
        {"batchnorm_momentum": 0.9},
        {"depthwise_activation": True},
        {"widths": [64, 128, 256]},
        {"augmentation": "shift_flip"},
    ],
)
def test_the_budget_is_counted_as_keras_counts_it(factors):
    """The profile's check uses arithmetic; the model Keras builds from the same factors has that many parameters."""
    from fmnist_lib.models import variants

    assert budget.parameters(factors) == variants.separable_gap(**factors).count_params()


def test_the_literal_variant_is_the_light_model():
    from fmnist_lib.models import networks

    assert budget.parameters({}) == budget.PARAMETER_BUDGET == networks.dsc_gap().count_params()
    # a standard first block at the seed's widths is 1,010 over: that is why the study narrows its last block
    assert budget.over_budget({"first_block": "standard"}) == 1_010 and budget.over_budget(STANDARD_FIRST) == 0


@pytest.mark.parametrize(
    "variants, message",
    [
        (
            {"wide": {"widths": [256, 512, 1024]}},
            "variants.wide has 685,592 parameters, 506,624 over the light model's",
        ),
        ({"x": {"first_block": "standard"}}, "has 179,978 parameters, 1,010 over the light model's 178,968; narrow"),
        ({"x": {"depth": 4}}, "variants.x has no factor 'depth'; the factors are first_block, widths"),
        ({"x": {"batchnorm_momentum": 1.5}}, "batchnorm_momentum must lie strictly between 0 and 1"),
        ({"bad name": {}}, "variants must map names (letters, digits, _) to factors"),
    ],
)
def test_a_variant_the_budget_cannot_hold_is_refused_when_the_profile_loads(variants, message):
    with pytest.raises(profiles.ProfileError, match=None) as caught:
        profiles.load_profile("smoke", {"studies.light_budget.variants": variants})
    assert message in str(caught.value) and "\n" not in str(caught.value)


def _variant(name, seed, accuracy, factors):
    rec = run("dsc_gap", seed, [accuracy], [32])
    config = {**rec.config, "variant": name, "factors": {**budget.LITERAL, **factors}}
    return replace(rec, config={**config, "parameters": budget.parameters(factors)})


def test_each_variant_is_judged_over_its_seeds_against_cnn_3_128():
    records = [_variant("literal", s, a, {}) for s, a in enumerate((0.86, 0.87, 0.88))]
    records += [_variant("standard_first", s, a, STANDARD_FIRST) for s, a in enumerate((0.921, 0.923, 0.925))]
    cnn = [run("cnn_3_128", s, [a], [62]) for s, a in enumerate((0.922, 0.924, 0.926))]
    reference = budget_study.reference_accuracy(cnn)
    literal, standard = budget_study.judge_variants(records, reference)
    assert literal.changed == {} and literal.verdict.outcome is Outcome.BELOW and len(literal.verdict.per_seed) == 3
    assert standard.changed == STANDARD_FIRST and standard.verdict.outcome is Outcome.CONSISTENT
    table = tables.light_budget_table([literal, standard], {}, {"literal": 1e6, "standard_first": 2e6})
    assert table["against CNN-3-128"].tolist() == ["falls short", "reaches it"]
    text = prose.light_budget_summary([literal, standard], reference)
    assert (
        text.startswith("The best variant (standard 3×3 first convolution, widths 128/256/508) reaches 92.30%")
        and "holds CNN-3-128's 92.40%" in text
    )


def test_a_study_at_chance_says_it_checks_the_pipeline_only():
    records = [_variant("literal", 0, 0.10, {}), _variant("standard_first", 0, 0.45, STANDARD_FIRST)]
    results = budget_study.judge_variants(records, None)
    assert all(r.verdict.outcome is Outcome.NOT_TESTED for r in results)
    assert "checks the pipeline only" in prose.light_budget_summary(results, None)
    assert (
        tables.light_budget_table(results, {}, {"literal": 0, "standard_first": 0})["against CNN-3-128"].tolist()[0]
        == "at chance: not learnt"
    )


def test_runs_not_recorded_are_rows_of_the_table_and_one_sentence():
    from fmnist_lib.experiments import Found, registry

    variants = {"literal": {}, "standard_first": STANDARD_FIRST}
    missing = [registry.Job("light_budget", s, v) for s in (0, 1) for v in variants]
    table = tables.light_budget_table([], variants, {"literal": 0, "standard_first": 0}, missing)
    assert table["variant"].tolist() == ["the seed's design", "standard 3×3 first convolution, widths 128/256/508"]
    assert table["test accuracy"].tolist() == ["not recorded yet (seeds 0, 1)"] * 2
    text = Found([], missing).missing_text({"profile": "full"}, listed=False)
    assert text.startswith("4 runs are not recorded yet (the table lists them)")
    assert "`python -m fmnist_lib.compute --profile full --kind light_budget` makes them" in text
    assert prose.light_budget_summary([], None) == ""  # nothing recorded: the sentence above says it all


def test_augmentation_moves_training_images_only():
    """The shift-and-flip variant sees moved images while it trains and the images themselves when it predicts."""
    import numpy as np

    from fmnist_lib.models import variants

    model = variants.separable_gap(augmentation="shift_flip")
    images = np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32")
    augment = [model.get_layer("random_shift"), model.get_layer("random_flip")]
    seen = augment[1](augment[0](images, training=True), training=True)
    assert not np.allclose(np.asarray(seen), images)
    assert np.allclose(np.asarray(augment[1](augment[0](images, training=False), training=False)), images)
    assert np.allclose(model.predict(images, verbose=0), model.predict(images, verbose=0))
