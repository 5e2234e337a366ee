# %% [markdown]
# # Seeds, near-duplicates and provenance
#
# The evidence behind the audit's ({doc}`06_audit`) intervals and its near-duplicate check
# of the official splits {cite}`xiao2017fashion`, and where each of the audit's records was made.

# %% tags=["parameters"]
profile = "full"
overrides = {}

# %% tags=["remove-input"]
from IPython.display import Markdown
from myst_nb import glue

from fmnist_lib import data, experiments, profiles
from fmnist_lib.audit import near_duplicates
from fmnist_lib.report import audit_tables, plots, prose, tables

config = profiles.load_profile(profile, overrides)
stored = experiments.replication_records(config)

# %% [markdown]
# ## Seeds
#
# {numref}`tbl-seeds` gives the headline numbers over the seeds the store holds: mean with
# the Student-t 95 % interval of the mean {cite}`student1908probable`, and the standard deviation. On a subsampled
# profile each seed also draws a different subset of training images.

# %% tags=["remove-input"]
study = experiments.seed_study(config)
glue("seeds_missing", Markdown(experiments.Found([], study["missing"]).missing_text(config)), display=False)
glue("lowest_seed", Markdown(prose.lowest_seed_text(study["dsc_gap"])), display=False)

# %% tags=["remove-input"]
tables.show(
    audit_tables.seed_table(study), "The headline accuracies over seeds (%; standard deviation in pp).", "tbl-seeds"
)

# %% [markdown]
# {glue:md}`lowest_seed`
#
# {glue:md}`seeds_missing`
#
# ## Near-duplicates between the official splits
#
# For every one of the {glue:text}`n_test_all:,` official test images we find the
# nearest of the {glue:text}`n_train_all:,` training images (exhaustive search, RMS
# distance of pixels scaled to [0, 1]). {glue:text}`n_exact` test images occur in the
# training set byte for byte. {numref}`tbl-duplicates` scores the replication CNN-3-128 with
# each group of near-twins removed.

# %% tags=["remove-input"]
dups = experiments.load(config, "near_duplicates")
ds = data.load_fashion_mnist()
_, test_idx = experiments.split_indices(config)
y_true, y_pred = ds.y_test[test_idx], stored["cnn_3_128"].test_predictions
twins = near_duplicates.effect(dups, y_true, y_pred, test_idx)
glue("n_test_all", len(ds.y_test), display=False)
glue("n_train_all", len(ds.y_train), display=False)
glue("n_exact", twins.n_exact, display=False)
glue("share_loose", twins.loose_share, display=False)
glue("class_loose", twins.loose_class, display=False)
glue("duplicate_threshold", near_duplicates.TWIN_THRESHOLD, display=False)
glue("n_near_twins", twins.n_twins, display=False)
glue("dup_effect", twins.effect_pp, display=False)
distances, nearest = near_duplicates.nearest(dups)
glue("fig_dup_hist", plots.nearest_distance_histogram(distances, near_duplicates.THRESHOLDS), display=False)
glue("fig_dup_pairs", plots.duplicate_pairs(ds.x_test, ds.x_train, distances, nearest), display=False)
glue(
    "fig_dup_borderline",
    plots.duplicate_pairs_at(ds.x_test, ds.x_train, distances, nearest, near_duplicates.THRESHOLDS),
    display=False,
)
tables.show(
    audit_tables.duplicate_summary(dups, y_true, y_pred, test_idx, near_duplicates.THRESHOLDS),
    "Near-duplicates between the official splits: test images within each RMS distance of a training image, and "
    "our accuracy without them (%).",
    "tbl-duplicates",
)

# %% [markdown]
# {numref}`fig-dup-hist` shows how far each test image lies from its nearest training image,
# and {numref}`fig-dup-pairs` what pairs at those distances look like.
#
# ```{glue:figure} fig_dup_hist
# :name: fig-dup-hist
# :alt: Histogram of the distance from each test image to its nearest training image, with dashed threshold lines.
#
# Distance from each official test image to its nearest training image; dashed lines
# mark the thresholds of {numref}`tbl-duplicates`.
# ```
#
# ```{glue:figure} fig_dup_pairs
# :name: fig-dup-pairs
# :alt: Pairs of a test image above its nearest training image, from the closest pair to a typical one.
#
# Test images (top) and their nearest training images (bottom), from the closest pair
# to the median distance.
# ```
#
# A threshold is only as good as its borderline cases. {numref}`fig-dup-borderline`
# shows, for each threshold, the pairs it only just calls near-duplicates. At RMS 0.1
# many are different garments of the same kind ({glue:text}`share_loose:.0%` of the test
# set falls under it, most often {glue:text}`class_loose`), so removing them removes
# *easy* images, not duplicates; the effect below uses {glue:text}`duplicate_threshold`,
# where the pairs still look like the same item.
#
# ```{glue:figure} fig_dup_borderline
# :name: fig-dup-borderline
# :alt: Rows of image pairs, one row per distance threshold, each pair a test image and its nearest training image.
#
# The loosest pairs under each threshold: test image, then its nearest training image.
# ```
#
# Dropping the {glue:text}`n_near_twins:,` test images whose nearest training image lies
# within RMS {glue:text}`duplicate_threshold` moves our accuracy by
# {glue:text}`dup_effect:+.2f` percentage points: near-duplicates between the official
# splits do not explain the paper's numbers.
#
# {numref}`tbl-audit-provenance` names the run behind each of the audit's own records:
# machine, date, commit, versions and wall time.

# %% tags=["remove-input"]
audit_kinds = [
    "leakage",
    "leak_groups",
    "copies_leak",
    "honest",
    "copies_honest",
    "digits_cv",
    "digits_fit",
    "selection",
    "near_duplicates",
]
tables.show(
    tables.provenance_table(experiments.profile_records(config, audit_kinds)),
    "Provenance of the audit's own records.",
    "tbl-audit-provenance",
)
