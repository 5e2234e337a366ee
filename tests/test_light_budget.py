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
        {"label_smoothing": 0.1, "distillation": 0.5, "learning_rate_schedule": "cosine"},
    ],
)
def test_the_budget_is_counted_as_keras_counts_it(factors):
    """The profile's check uses arithmetic; the model Keras builds from the same factors has that many parameters."""
    from fmnist_lib.models import recipe, variants

    network = variants.separable_gap(**budget.network_factors(factors))
    assert budget.parameters(factors) == network.count_params()
    assert recipe.Recipe(network, 0.1, 0.5, 4.0).count_params() == network.count_params()


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
        ({"x": {"label_smoothing": 1}}, "label_smoothing must be at least 0 and below 1, got 1"),
        ({"x": {"distillation": -0.5}}, "distillation must be at least 0 and at most 1, got -0.5"),
        ({"x": {"distillation": True}}, "distillation must be at least 0 and at most 1, got True"),
        ({"x": {"learning_rate_schedule": "step"}}, "learning_rate_schedule is 'constant' or 'cosine', got 'step'"),
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


def _tensor(a):
    import keras

    return keras.ops.convert_to_tensor(a)


def test_the_soft_target_loss_is_keras_cross_entropy_with_smoothing_and_hintons_distillation():
    """eps = alpha = 0 is the protocol's loss; eps alone is Keras' label smoothing; alpha = 1 is the teacher's term."""
    import keras
    import numpy as np

    from fmnist_lib.models import recipe as st

    rng = np.random.default_rng(0)
    logits = rng.normal(size=(16, 10)).astype("float32")
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    teacher_logits = rng.normal(size=(16, 10))
    teacher = np.exp(teacher_logits) / np.exp(teacher_logits).sum(axis=1, keepdims=True)
    y = rng.integers(0, 10, 16)
    # soften() is softmax(logits / T), computed from the softmax outputs
    t4 = np.exp(teacher_logits / 4) / np.exp(teacher_logits / 4).sum(axis=1, keepdims=True)
    assert np.allclose(st.soften(teacher, 4.0), t4, atol=1e-6)
    labels = _tensor(st.with_teacher(y, st.soften(teacher, 4.0)))

    def loss(eps, alpha, temperature):
        return keras.ops.convert_to_numpy(st.soft_target_loss(labels, _tensor(p), eps, alpha, temperature))

    sparse = keras.ops.convert_to_numpy(keras.losses.sparse_categorical_crossentropy(y, p))
    smoothed = keras.losses.CategoricalCrossentropy(label_smoothing=0.1, reduction=None)(np.eye(10)[y], p)
    assert np.allclose(loss(0.0, 0.0, 1.0), sparse, atol=1e-5)
    assert np.allclose(loss(0.1, 0.0, 1.0), keras.ops.convert_to_numpy(smoothed), atol=1e-5)
    p4 = np.exp(logits / 4) / np.exp(logits / 4).sum(axis=1, keepdims=True)
    expected = -16 * np.sum(t4 * np.log(p4), axis=1)  # T^2 times the cross-entropy at temperature T
    assert np.allclose(loss(0.0, 1.0, 4.0), expected, rtol=1e-4)
    assert np.allclose(loss(0.1, 0.5, 4.0), 0.5 * loss(0.1, 0.0, 4.0) + 0.5 * expected, rtol=1e-4)


def test_a_model_trained_on_soft_targets_survives_a_checkpoint_and_scores_plain_labels(tmp_path):
    """Stages resume from a saved model: the wrapper, its recipe and its weights come back; test labels stay classes."""
    import keras
    import numpy as np

    from fmnist_lib.models import recipe as st
    from fmnist_lib.models import variants
    from fmnist_lib.training.keras_fit import compile_for_protocol

    rng = np.random.default_rng(0)
    x = rng.random((32, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, 32)
    labels = st.with_teacher(y, st.soften(rng.dirichlet(np.ones(10), size=32), 4.0))
    network = variants.separable_gap(widths=[8, 16, 32])
    model = compile_for_protocol(st.Recipe(network, 0.1, 0.5, 4.0, decay_steps=8), 1e-3)
    model.fit(x, labels, validation_data=(x[:8], y[:8]), epochs=1, batch_size=16, verbose=0)
    model.save(tmp_path / "stage.keras")
    again = keras.models.load_model(tmp_path / "stage.keras")
    recipe = (again.smoothing, again.alpha, again.temperature, again.decay_steps)
    assert isinstance(again, st.Recipe) and recipe == (0.1, 0.5, 4.0, 8)
    assert np.allclose(again.predict(x, verbose=0), model.predict(x, verbose=0))
    # the cosine schedule carries on from step 2 of 8 where the first stage left it, not from the start
    assert int(again.optimizer.iterations) == 2
    assert float(again.optimizer.learning_rate) == pytest.approx(1e-3 * 0.5 * (1 + np.cos(np.pi * 2 / 8)), rel=1e-5)
    again.fit(x, labels, epochs=3, batch_size=16, verbose=0)
    assert float(again.optimizer.learning_rate) == pytest.approx(0.0, abs=1e-9)  # step 8 of 8: decayed to zero
    loss, accuracy = again.evaluate(x[:8], y[:8], verbose=0)
    assert np.isfinite(loss) and 0 <= accuracy <= 1
    with pytest.raises(ValueError, match="expected \\(32, 10\\)"):
        st.with_teacher(y, np.ones((31, 10)))


def test_a_distilled_variant_names_its_teacher_and_waits_for_it():
    from fmnist_lib.experiments.kinds import light_budget

    cfg = profiles.load_profile("smoke", {"studies.light_budget.variants": {"distilled": {"distillation": 0.5}}})
    cfg = {**cfg, "profile_seed": cfg["seed"]}
    spec = light_budget.config(cfg, "distilled")
    assert spec["teacher"]["model"] == "cnn_3_128" and spec["teacher"]["temperature"] == light_budget.TEMPERATURE
    assert [(j.kind, j.arg) for j in light_budget._depends_on(cfg, "distilled")] == [("network", "cnn_3_128")]
    assert "teacher" not in light_budget.config(
        {**cfg, "studies": {"light_budget": {**cfg["studies"]["light_budget"], "variants": {"plain": {}}}}}, "plain"
    )


@pytest.mark.parametrize("problem", ["not recorded", "stale", "no model"])
def test_the_distillation_teacher_is_refused_when_missing_stale_or_without_its_model(problem, monkeypatch):
    """The targets come from the recorded teacher only: anything else is one line that says how to make it."""
    from fmnist_lib.experiments.kinds import light_budget
    from fmnist_lib.experiments.target import MissingModel
    from fmnist_lib.store.equivalence import CodeState, CodeStatus

    cfg = {**profiles.load_profile("smoke"), "profile_seed": 0}
    teacher = run("cnn_3_128", 0, [0.9], [1])
    states = {"stale": CodeStatus(CodeState.CHANGED, "CHANGED since: training.engine:run_stages")}
    recorded = (
        None if problem == "not recorded" else replace(teacher, code_status=states.get(problem, teacher.code_status))
    )
    monkeypatch.setattr(light_budget, "stored_record", lambda cfg, job: recorded)

    def no_model(profile, name, config, make_it):
        raise MissingModel(f"the trained model of record {name} is not in results/{profile}/models; retrain: {make_it}")

    monkeypatch.setattr(light_budget, "kept_model", no_model)
    with pytest.raises(light_budget.TeacherUnusable) as caught:
        light_budget.teacher_model(cfg)
    message = str(caught.value)
    assert "\n" not in message and "python -m fmnist_lib.compute --profile smoke --only cnn_3_128 --force" in message
    assert {"not recorded": "is not recorded", "stale": "is stale: CHANGED since", "no model": "is not in"}[
        problem
    ] in message


def test_the_budget_figure_puts_variants_on_the_scaling_axes_and_says_when_none_is_recorded():
    from fmnist_lib.report import plots

    records = [_variant("literal", s, a, {}) for s, a in enumerate((0.86, 0.87, 0.88))]
    records += [_variant("standard_first", s, a, STANDARD_FIRST) for s, a in enumerate((0.921, 0.923, 0.925))]
    results = budget_study.judge_variants(records, 0.924)
    macs = {"literal": 5_400_000, "standard_first": 6_100_000}
    cnn = {"accuracy": 0.924, "parameters": 2_067_850, "MACs": 12_000_000, "s per epoch": 0.9}
    fig = plots.budget_against(results, macs, cnn, 0.9898)
    assert [ax.get_xscale() for ax in fig.axes] == ["log"] * 3
    assert {t.get_text() for t in fig.axes[0].texts} >= {"literal", "standard_first", "CNN-3-128"}
    empty = plots.budget_against([], {}, None, 0.9898)
    assert "no variant recorded yet" in {t.get_text() for t in empty.axes[0].texts}


def test_the_best_combination_takes_the_variants_that_help_best_first_within_the_budget():
    """Stated before any variant was recorded (COMBINATION_RULE), and checked here on made-up records."""
    records = [_variant("literal", s, a, {}) for s, a in enumerate((0.86, 0.87, 0.88))]
    records += [_variant("standard_first", s, a, STANDARD_FIRST) for s, a in enumerate((0.921, 0.923, 0.925))]
    records += [_variant("momentum_090", s, a, {"batchnorm_momentum": 0.9}) for s, a in enumerate((0.90, 0.905, 0.91))]
    # helps less, and sets widths, which the better standard_first already set: left out
    records += [_variant("narrow", s, a, {"widths": [128, 256, 500]}) for s, a in enumerate((0.895, 0.9, 0.905))]
    # no better than the seed's design: left out
    records += [_variant("relu", s, a, {"depthwise_activation": True}) for s, a in enumerate((0.85, 0.87, 0.89))]
    factors, used = budget_study.best_combination(records)
    assert used == ["standard_first", "momentum_090"]
    assert factors == {**STANDARD_FIRST, "batchnorm_momentum": 0.9} and budget.over_budget(factors) == 0
    nothing = [r for r in records if r.config["variant"] in ("literal", "relu")]
    assert budget_study.best_combination(nothing) == ({}, [])
    assert "nothing to combine" in prose.combination_text(True, ({}, []))
    assert prose.combination_text(True, None) == budget_study.COMBINATION_RULE
    assert prose.combination_text(False, None) == ""


def test_the_combination_waits_for_its_variants_then_trains_what_they_chose(monkeypatch):
    from fmnist_lib.experiments.kinds import light_budget

    cfg = profiles.load_profile(
        "smoke",
        {
            "studies.light_budget.combine": True,
            "studies.light_budget.variants": {"literal": {}, "standard_first": STANDARD_FIRST},
        },
    )
    cfg = {**cfg, "profile_seed": cfg["seed"]}
    store = {}
    monkeypatch.setattr(light_budget, "stored_record", lambda cfg, job: store.get((job.seed, job.arg)))
    assert light_budget._name(cfg, light_budget.COMBINED) is None  # waiting for the variants
    assert light_budget.variants(cfg)[light_budget.COMBINED] is None
    assert len(light_budget._depends_on(cfg, light_budget.COMBINED)) == 2
    table = tables.light_budget_table([], light_budget.variants(cfg), {"literal": 0, "standard_first": 0},
                                      [registry_job(0, light_budget.COMBINED)])  # fmt: skip
    assert table["variant"].tolist() == ["best combination of the variants that help (chosen once they are recorded)"]
    store[(0, "literal")] = _variant("literal", 0, 0.87, {})
    store[(0, "standard_first")] = _variant("standard_first", 0, 0.871, STANDARD_FIRST)
    # no variant lies above the seed's design: nothing to combine, and the combination leaves the plan
    assert light_budget.combination(cfg) == ({}, [])
    assert all(arg != light_budget.COMBINED for _, arg in light_budget._runs(cfg))
    store[(0, "standard_first")] = _variant("standard_first", 0, 0.92, STANDARD_FIRST)
    assert light_budget.combination(cfg) == (STANDARD_FIRST, ["standard_first"])
    assert light_budget._name(cfg, light_budget.COMBINED) == "light-budget-combined-seed0"
    spec = light_budget.config(cfg, light_budget.COMBINED)
    assert {k: v for k, v in spec["factors"].items() if budget.LITERAL[k] != v} == STANDARD_FIRST
    assert spec["chosen_from"] == sorted(r.file_stem for r in store.values())


def registry_job(seed, arg):
    from fmnist_lib.experiments import registry

    return registry.Job("light_budget", seed, arg)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"studies.light_budget.combine": "yes"}, "studies.light_budget.combine takes True or False, got 'yes'"),
        ({"studies.light_budget.variants": {"combined": {}}}, "variants.combined: the name is the study's best"),
        (
            {"studies.light_budget.combine": True, "studies.light_budget.variants": {"x": STANDARD_FIRST}},
            "combine needs the seed's design among the variants: add 'literal': {}",
        ),
    ],
)
def test_a_combination_the_study_cannot_make_is_refused_when_the_profile_loads(change, message):
    with pytest.raises(profiles.ProfileError) as caught:
        profiles.load_profile("smoke", change)
    assert message in str(caught.value) and "\n" not in str(caught.value)
