"""The audit: its data switches change exactly what they claim to, and one rule decides every claim."""

import numpy as np
import pytest

from fmnist_lib import training
from fmnist_lib.audit import claim_rules, claims, stats
from fmnist_lib.audit.verdicts import Caveat, Estimate, Outcome, decide
from fmnist_lib.data import augment, duplicates, leakage


def test_binary_accuracy_is_the_mean_per_output_agreement():
    probs = np.array([[0.7, 0.2, 0.1], [0.4, 0.35, 0.25]])
    labels = np.array([0, 1])
    # row 1: outputs (1,0,0) vs one-hot (1,0,0): 3/3; row 2: (0,0,0) vs (0,1,0): 2/3
    assert training.binary_accuracy_onehot(probs, labels) == pytest.approx(5 / 6)
    # a model that is always wrong on 10 classes still scores 80 %
    wrong = np.full((4, 10), 0.0)
    wrong[:, 0] = 1.0
    assert training.binary_accuracy_onehot(wrong, np.array([1, 2, 3, 4])) == pytest.approx(0.8)


def test_mean_interval_matches_the_t_distribution():
    s = stats.mean_interval([0.90, 0.92])
    assert s["mean"] == pytest.approx(0.91)
    assert s["sd"] == pytest.approx(0.0141421, abs=1e-6)
    assert s["high"] - s["mean"] == pytest.approx(12.7062 * 0.0141421 / np.sqrt(2), rel=1e-4)
    five = stats.mean_interval([1, 2, 3, 4, 5])
    assert (five["low"], five["high"]) == pytest.approx((1.0367, 4.9633), abs=1e-4)
    assert np.isnan(stats.mean_interval([0.9])["sd"])


def _toy_images(n, seed):
    rng = np.random.default_rng(seed)
    return rng.random((n, 28, 28, 1)).astype(np.float32), rng.integers(0, 10, n)


def test_pooled_split_really_leaks_test_images_into_training():
    x_tr, y_tr = _toy_images(70, 0)
    x_te, y_te = _toy_images(30, 1)
    split = leakage.pooled_augmented_split(x_tr, y_tr, x_te, y_te, copies=2, rotation_degrees=7.5, seed=0)
    assert len(split.y_train) + len(split.y_eval) == 100 * 3
    assert len(split.y_eval) == round(300 / 7)
    summary = leakage.leak_summary(split)
    # official test images (or their augmented copies) are trained on ...
    assert summary["official_test_images_in_train"] > 0
    # ... and most evaluation images have a twin the model trained on
    assert summary["eval_with_twin_in_train"] > 0.5 * summary["eval_images"]
    # labels follow their images through augmentation and shuffling
    pool_y = np.concatenate([y_tr, y_te])
    assert np.array_equal(split.y_train, pool_y[split.origin_train])
    # augmented copies differ from their originals, originals are kept unchanged
    pool_x = np.concatenate([x_tr, x_te])
    same = [np.array_equal(x, pool_x[o]) for x, o in zip(split.x_train, split.origin_train)]
    assert 0 < sum(same) < len(same)


def test_honest_augmentation_never_touches_the_test_images():
    import keras

    base = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    model = augment.with_augmentation(base)
    x, _ = _toy_images(4, 2)
    # inference (scoring the official test set) passes images through unchanged
    np.testing.assert_allclose(np.asarray(model(x, training=False)), np.asarray(base(x, training=False)), rtol=1e-5)
    aug = augment.augmenter()
    assert not np.allclose(np.asarray(aug(x, training=True)), x)


def test_exact_and_near_duplicates_are_found():
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, (50, 28, 28), dtype=np.uint8)
    test = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    test[1] = train[7]  # exact twin
    test[3] = np.clip(train[20].astype(int) + 3, 0, 255)  # near twin
    exact = duplicates.exact_duplicates(train, test)
    assert exact.tolist() == [False, True, False, False, False]
    dist, nearest = duplicates.nearest_train_rms(train, test, chunk=2)
    assert nearest[1] == 7 and dist[1] == pytest.approx(0.0, abs=1e-6)
    assert nearest[3] == 20 and dist[3] < 0.02
    assert dist[0] > 0.3
    acc, kept = duplicates.accuracy_without(np.array([1, 1, 0, 0]), np.array([1, 0, 0, 1]), np.array([0, 1, 0, 0]))
    assert (acc, kept) == (pytest.approx(2 / 3), 3)


def test_the_augmenter_samples_like_keras_image_ops():
    """The vectorised sampler reads the same pixels as keras.ops.image.affine_transform (bilinear, nearest fill)."""
    import keras

    x, _ = _toy_images(8, 2)
    x = x.astype("float32")
    transforms = keras.ops.convert_to_numpy(augment.augmenter(7.5, seed=3).transforms(len(x), 28, 28))
    ours = keras.ops.convert_to_numpy(augment.affine_sample(x, transforms))
    reference = keras.ops.convert_to_numpy(
        keras.ops.image.affine_transform(
            x,
            np.concatenate([transforms, np.zeros((len(x), 2), "float32")], axis=1),
            interpolation="bilinear",
            fill_mode="nearest",
            data_format="channels_last",
        )
    )
    np.testing.assert_allclose(ours, reference, atol=1e-5)
    assert np.abs(ours - x).mean() > 0.01  # it did move the pixels


def test_a_model_with_the_augmenter_saves_and_loads(tmp_path):
    """Checkpoints of the honest-augmentation run must reload, or an interrupted run could not resume."""
    import keras

    base = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    model = augment.with_augmentation(base, seed=1)
    x, _ = _toy_images(4, 2)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(np.asarray(loaded(x, training=False)), np.asarray(model(x, training=False)), rtol=1e-5)
    assert loaded.get_layer("augmenter").get_config()["rotation_degrees"] == 7.5


def _claims(stored):
    return claim_rules.by_name(claim_rules.judge_claims(stored))


def test_the_one_rule_one_run_inside_its_interval_several_seeds_by_the_t_interval():
    one = decide([Estimate.accuracy(0.915, 10_000)], 0.92)
    assert one.outcome is Outcome.CONSISTENT and Caveat.ONE_SEED in one.caveats
    assert decide([Estimate.accuracy(0.92, 10_000)], 0.9967).outcome is Outcome.BELOW
    assert decide([Estimate.accuracy(0.9995, 60_000)], 0.9967).outcome is Outcome.ABOVE
    # near 100 %: 99.31 % on 60,000 images is within a point of 99.67 % but has twice its error
    assert decide([Estimate.accuracy(0.9931, 60_000)], 0.9967).outcome is Outcome.BELOW
    assert decide([Estimate.accuracy(0.9962, 10_000)], 0.9967).outcome is Outcome.CONSISTENT
    # seeds: the claim inside the t-interval of the mean, and inside at least one seed's own interval
    spread = decide([Estimate.accuracy(a, 10_000) for a in (0.80, 0.86, 0.90)], 0.86)
    assert spread.outcome is Outcome.CONSISTENT and spread.interval[0] < 0.86 < spread.interval[1]
    assert decide([Estimate.accuracy(a, 10_000) for a in (0.873, 0.805, 0.872, 0.892)], 0.9898).outcome is Outcome.BELOW
    # a deterministic model: the seeds agree, the run's own interval decides
    same = decide([Estimate.accuracy(0.895, 10_000)] * 3, 0.895)
    assert same.outcome is Outcome.CONSISTENT and Caveat.DETERMINISTIC in same.caveats


def test_a_claim_only_the_seeds_spread_keeps_inside_is_inconclusive():
    """(a) at 62 epochs: four seeds on their 60,000 training images, each alone excluding 99.67 %."""
    seeds = [Estimate.accuracy(a, 60_000) for a in (0.9931, 0.9948, 0.9956, 0.9957)]
    verdict = decide(seeds, 0.9967)
    low, high = verdict.interval
    assert low < 0.9967 < high  # the t-interval of the mean holds the claim ...
    assert not any(e.low <= 0.9967 <= e.high for e in seeds)  # ... no seed's own interval does
    assert verdict.outcome is Outcome.INCONCLUSIVE and Caveat.ONLY_BY_SPREAD in verdict.caveats


def test_the_drop_is_inconclusive_when_every_seed_excludes_it_though_their_mean_interval_holds_it():
    from factories import run, stored

    cnn = [run("cnn_3_128", s, [0.92], [62]) for s in range(4)]
    light = [run("dsc_gap", s, [0.92 - d], [32]) for s, d in enumerate((0.0281, 0.1187, 0.0499, 0.0330))]
    drop = _claims(stored(cnn, light))["accuracy drop, baseline to light"]
    assert drop.outcome is Outcome.INCONCLUSIVE and drop.unit == "pp"
    assert drop.interval[0] < 0.0069 < drop.interval[1] and "per seed 2.81, 11.87, 4.99, 3.30 pp" in drop.note
    close = [run("dsc_gap", s, [0.92 - d], [32]) for s, d in enumerate((0.004, 0.009, 0.006, 0.008))]
    assert _claims(stored(cnn, close))["accuracy drop, baseline to light"].outcome is Outcome.CONSISTENT


def test_claims_are_judged_at_the_papers_epoch_by_name_and_a_subsample_is_not_tested():
    from factories import record, run, stored

    cnn = run("cnn_3_128", 0, [0.90, 0.93, 0.94], [2, 62, 126])  # a schedule longer than the paper's
    light = run("dsc_gap", 0, [0.92], [32], history=[{"epoch": e, "val_accuracy": 0.9} for e in range(1, 33)])
    found = _claims(stored([cnn], [light]))
    at62 = found["CNN-3-128 accuracy after 62 epochs"]
    assert at62.outcome is Outcome.BELOW and at62.value == 0.93  # epoch 62, not the last stage (126)
    assert found["CNN-3-128 parameters"].outcome is Outcome.EXCLUDED  # 1,000 is not 2,067,850
    assert found["CNN-3-128 training time, 62 epochs"].outcome is Outcome.NOT_TESTED
    assert found["MLP accuracy"].note == "not run"
    sub = record("cnn_3_128", [{"epochs": 2, "test_accuracy": 0.99}], data={"train_size": 1000, "test_size": None})
    verdict = _claims(stored([sub]))["CNN-3-128 accuracy after 2 epochs"]
    assert verdict.outcome is Outcome.NOT_TESTED and Caveat.SUBSAMPLE in verdict.caveats
    short = _claims(stored([run("cnn_3_128", 0, [0.9], [2])]))["CNN-3-128 accuracy after 62 epochs"]
    assert short.outcome is Outcome.NOT_TESTED and Caveat.SHORTER_RUN in short.caveats


def test_whole_percent_claims_are_judged_by_rounding_not_by_a_point():
    from factories import record

    def baseline(model, accuracy):
        rec = record(model, [], n=0)
        from dataclasses import replace

        return replace(
            rec,
            config={"train_size": None, "test_size": None},
            stages=(),
            result={"model": model, "accuracy": accuracy, "n_test": 10_000, "n_train": 60_000},
        )

    def verdict(accuracy):
        return _claims({"baselines": [baseline("MLP", accuracy)]})["MLP accuracy"].outcome

    assert verdict(0.876) is Outcome.CONSISTENT  # [86.95 %, 88.23 %] overlaps [87.5 %, 88.5 %)
    assert verdict(0.8449) is Outcome.BELOW  # within 4 points, but the interval stops below 87.5 %
    assert verdict(0.865) is Outcome.BELOW  # a 1-point tolerance would have accepted it; rounding does not
    close = [baseline(m, v + 0.012) for m, v in claims.TABLE_I_ACCURACY.items()]
    table_i = _claims({"baselines": close})["Table I: every model within one point of Mukhamediev (2024)"]
    assert table_i.outcome is Outcome.CONSISTENT  # 1.2 pp rounds within the claimed point
    far = _claims({"baselines": [*close[1:], baseline("MLP", 0.8449)]})[
        "Table I: every model within one point of Mukhamediev (2024)"
    ]
    assert far.outcome is Outcome.EXCLUDED and far.shown == "largest: MLP, 3.5 pp"


def test_shape_claims_are_judged_on_the_seeds_mean_curve_and_stability_in_every_seed():
    from factories import run, stored

    epochs = [2, 6, 14, 30, 62]
    rising = run("cnn_3_128", 1, [0.88, 0.90, 0.91, 0.92, 0.925], epochs)
    dipping = run("cnn_3_128", 0, [0.88, 0.90, 0.91, 0.924, 0.923], epochs)  # a 10-image dip at the end
    found = _claims(stored([dipping, rising]))
    rises = found["accuracy continues to increase, 2 to 62 epochs"]
    assert rises.outcome is Outcome.CONSISTENT  # the seeds' mean rises at every stage
    assert "92.40% → 92.30% from 30 to 62" in rises.note
    falling = run("cnn_3_128", 2, [0.88, 0.90, 0.91, 0.93, 0.90], epochs)
    assert _claims(stored([dipping, falling]))["accuracy continues to increase, 2 to 62 epochs"].outcome.excluded
    curve = [0.1, 0.5, 0.7, 0.8, 0.82] + [0.85 - (0.06 if e == 20 else 0) for e in range(6, 33)]
    smooth = [0.1, 0.5, 0.7, 0.8, 0.82] + [0.85] * 27
    light = [
        run("dsc_gap", s, [0.85], [32], history=[{"epoch": e, "val_accuracy": v} for e, v in enumerate(c, 1)])
        for s, c in enumerate((curve, smooth))
    ]
    found = _claims(stored([rising], light))
    stable = found["light model: no collapses or large oscillations"]
    assert stable.outcome is Outcome.EXCLUDED and "seed 0: largest drop 6.0 pp" in stable.shown
    assert found["light model: plateau close to 99 %"].outcome is Outcome.EXCLUDED


def test_coat_and_pullover_are_judged_as_the_example_they_are():
    from factories import run, stored, with_predictions

    from fmnist_lib.data.fashion import CLASS_NAMES

    coat, pullover, shirt, tee, bag = (
        CLASS_NAMES.index(c) for c in ("Coat", "Pullover", "Shirt", "T-shirt/top", "Bag")
    )
    labels = [coat] * 3 + [pullover] * 3 + [shirt] * 5 + [bag] * 4
    among = [pullover] * 3 + [coat] * 3 + [tee] * 5 + [bag] * 4  # 11 errors, all among upper-body garments
    cnn = with_predictions(run("cnn_3_128", 0, [0.5], [62]), among)
    verdict = _claims(stored([cnn], labels=labels))["most errors are coat vs pullover"]
    assert verdict.outcome is Outcome.CONSISTENT and Caveat.EXAMPLE in verdict.caveats
    assert verdict.shown.startswith("100% of errors among upper-body garments") and "per seed: 6" in verdict.note
    elsewhere = [bag] * 11 + [bag] * 4
    cnn = with_predictions(run("cnn_3_128", 0, [0.5], [62]), elsewhere)
    assert _claims(stored([cnn], labels=labels))["most errors are coat vs pullover"].outcome is Outcome.EXCLUDED


def test_every_claim_has_a_judge_and_the_groups_count_apart():
    assert {c.measure for c in claims.CLAIMS} <= set(claim_rules.JUDGES)
    judged = claim_rules.judge_claims({"baselines": []})
    assert len(judged) == len(claims.CLAIMS)
    assert sum(claim_rules.counts(judged, claims.HEADLINE).values()) == 5
    assert sum(claim_rules.counts(judged, claims.BASELINE).values()) == len(claims.TABLE_I_ACCURACY) + 1


def test_the_lowest_light_seed_is_explained_by_what_fit_and_inference_mode_say():
    from factories import record

    from fmnist_lib.report import prose

    def light(seed, test, fit, inference):
        return record(
            "dsc_gap",
            [{"epochs": 32, "test_accuracy": test, "train_set_accuracy": inference}],
            history=[{"epoch": 32, "accuracy": fit}],
            seed=seed,
        )

    text = prose.lowest_seed_text([light(0, 0.873, 0.890, 0.900), light(1, 0.805, 0.8865, 0.8237)])
    assert "seed 1, at 80.50%" in text and "88.65%" in text and "82.37%" in text and "BatchNorm lag" in text
    assert prose.lowest_seed_text([light(0, 0.873, 0.890, 0.900)]) == ""


def test_a_longer_schedule_leaves_every_comparison_with_the_paper_at_its_epochs():
    """Adding 126 to the schedule is a profile change only; the paper is still read at 2 and 62 epochs."""
    from factories import run, stored

    from fmnist_lib import profiles
    from fmnist_lib.audit import bottom_line, mechanisms
    from fmnist_lib.report import audit_tables, tables

    config = profiles.load_profile("full", {"cnn_3_128.schedule": [2, 6, 14, 30, 62, 126]})
    epochs = config["cnn_3_128"]["schedule"]
    cnn = [run("cnn_3_128", s, [0.88, 0.90, 0.91, 0.92, 0.924 + s / 1000, 0.999], epochs) for s in range(3)]
    light = [run("dsc_gap", s, [0.86], [32]) for s in range(3)]
    judged = claim_rules.judge_claims(stored(cnn, light))
    found = claim_rules.by_name(judged)
    assert found["CNN-3-128 accuracy after 62 epochs"].value == pytest.approx(0.925)  # not the 126-epoch 99.9 %
    assert found["accuracy continues to increase, 2 to 62 epochs"].outcome is Outcome.CONSISTENT
    table = tables.comparison_table(cnn[0], light[0]).set_index("model")
    assert table.loc["CNN-3-128", "epochs"] == 62
    assert table.loc["CNN-3-128", "accuracy, ours (95 % interval)"].startswith("92.40%")
    assert tables.comparison_summary(cnn[0], light[0])["cnn_epochs"] == 62
    reference = mechanisms.Curve(
        (),
        "honest",
        "cnn_3_128",
        tuple(
            mechanisms.Point(e, (Estimate.accuracy(a, 10_000),))
            for e, a in zip(epochs, [0.88, 0.9, 0.91, 0.92, 0.924, 0.999])
        ),
        ("s",),
        role=mechanisms.CurveRole.REFERENCE,
    )
    assert audit_tables.fingerprint_table([reference]).iloc[1]["at 62 epochs"] == "92.40%"
    answer = bottom_line.answer(judged, [reference])
    assert answer.headline[1].claim.epochs == 62 and answer.headline[1].honest.value == pytest.approx(0.925)


def test_the_recheck_rules_agree_and_disagree_where_they_should():
    """Identical ignores times only; a network agrees inside the seeds' 95 % prediction interval, by hand here."""
    import math

    from scipy import stats

    from fmnist_lib.audit import agreement

    committed = {"accuracy": 0.5, "correct": 50, "fit_seconds": 1.0}
    assert agreement.identical("m", committed, {**committed, "fit_seconds": 9.0}, "{0[accuracy]:.2%}").agrees
    differs = agreement.identical("m", committed, {**committed, "correct": 51}, "{0[accuracy]:.2%}")
    assert not differs.agrees and "differ" in differs.note
    seeds = [0.86, 0.88, 0.90]  # mean 0.88, sd 0.02
    half = stats.t.ppf(0.975, 2) * 0.02 * math.sqrt(1 + 1 / 3)  # 0.0993
    low, high = agreement.prediction_interval(seeds)
    assert math.isclose(low, 0.88 - half) and math.isclose(high, 0.88 + half)
    assert agreement.within_seeds("light", seeds, 0.88 + half - 1e-4).agrees
    outside = agreement.within_seeds("light", seeds, 0.88 + half + 1e-4)
    assert not outside.agrees and outside.note.startswith("outside the interval")
    one = agreement.within_seeds("light", [0.88], 0.88)  # one seed has no spread: the rule cannot decide
    assert one.agrees is None and one.note.startswith("cannot judge")


def test_the_mean_of_the_last_epochs_is_shown_only_for_runs_that_reach_the_claimed_epoch():
    """The quick report's light model stops at 7 epochs, three of them at chance (the BatchNorm lag): it showed
    'mean of each seed's last 5 epochs 39.72%' beside a claim at 32 epochs, a number that means nothing there."""
    from factories import run, stored

    def history(epochs, accuracy):
        return [{"epoch": e, "val_accuracy": accuracy(e)} for e in range(1, epochs + 1)]

    short = [run("dsc_gap", 0, [0.1, 0.76], [3, 7], history=history(7, lambda e: 0.1 if e <= 5 else 0.7))]
    judged = _claims(stored(light_runs=short))["light model accuracy"]
    assert judged.note == "the run stops at 7 epochs"
    full = [run("dsc_gap", s, [0.85, 0.86], [16, 32], history=history(32, lambda e: 0.86)) for s in range(2)]
    judged = _claims(stored(light_runs=full))["light model accuracy"]
    assert "mean of each seed's last 5 epochs 86.00%" in judged.note
