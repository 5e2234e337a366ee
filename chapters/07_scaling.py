# %% [markdown]
# # Accuracy against model size, and compression
#
# Both papers study how accuracy depends on the number of trainable parameters
# ({cite}`mukhamediev2024`; section III-D of {cite}`anjum2025extension`) but give no
# family of models we could check; the seed's conclusion names quantisation and pruning
# as future work. This chapter measures both: where do extra parameters stop paying on
# Fashion-MNIST, and what do int8 weights and pruning cost in accuracy?

# %% tags=["parameters"]
profile = "full"  # the committed records: `jupyter-book build .` renders them without training
overrides = {}

# %%
from IPython.display import Markdown
from myst_nb import glue

from fmnist_lib import experiments
from fmnist_lib import models
from fmnist_lib.models import cost
from fmnist_lib.report import plots
from fmnist_lib import profiles
from fmnist_lib.report import prose
from fmnist_lib.audit import scaling
from fmnist_lib.report import tables
from fmnist_lib.text import counted

config = profiles.load_profile(profile, overrides)
spec = config["scaling"]

# %% [markdown]
# ## The family
#
# Each member has 1 to 4 blocks of 3x3 convolutions whose width doubles from block to
# block (max-pooling after the first two), then either the CNN-3-128 head (Flatten,
# Dense(128), dropout) or a GAP head, with standard or depthwise-separable convolutions
# (the seed's BatchNorm recipe). CNN-3-128 is the member of depth 3, width 128, dense
# head; the seed's light model is depth 3, width 128, GAP head, separable. This profile
# trains {glue:text}`n_planned` members, each for the same {glue:text}`epochs` epochs on
# {glue:text}`train_images` training images, with the replication protocol (Adam 1e-3,
# batch 128), and scores them on {glue:text}`test_images:,` test images;
# {glue:text}`n_members` of them are recorded and shown in {numref}`tbl-family`.

# %% tags=["hide-output"]
family = experiments.load_all(config, "family")
records = family.records
glue("family_missing", Markdown(family.missing_text(config)), display=False)
frame = tables.family_frame(records)
glue("n_members", len(frame), display=False)
glue("n_planned", len(family.records) + len(family.missing), display=False)
glue("epochs", spec["epochs"], display=False)
glue("train_images", "all" if spec["train_size"] is None else f"{spec['train_size']:,}", display=False)
glue("test_images", int(frame["n_test"].iloc[0]), display=False)
glue("all_counts_match", "all match" if frame["analytic = keras"].all() else "do NOT all match", display=False)

# %%
tables.show(
    tables.family_table(frame),
    "The family: size, cost (multiply-accumulates per image), test accuracy and speed of every recorded member "
    "(cnn/dsc: standard or separable convolutions; depth x first width; dense or GAP head). A flag marks a run "
    "that failed; the flagged members' table below gives the numbers.",
    "tbl-family",
)

# %% [markdown]
# {glue:md}`family_missing`
#
# The hand-counted parameters of every member {glue:text}`all_counts_match` Keras'
# count. MACs are multiply-accumulates per image in the convolutions and dense layers
# (CNN-3-128: {glue:text}`cnn_macs:,`). Training times and latencies (after a warm-up
# call) were measured on {glue:text}`family_hardware`.
#
# ## Accuracy against parameters, MACs and training time

# %%
stored = experiments.replication_records(config)
marks = {
    "CNN-3-128": (stored["cnn_3_128"].total_params, stored["cnn_3_128"].accuracy),
    "seed's light model": (stored["dsc_gap"].total_params, stored["dsc_gap"].accuracy),
}
coherent = frame[~frame["flagged"]]
fit = scaling.fit_saturating(coherent["parameters"], coherent["test accuracy"])
fit["range"] = (coherent["parameters"].min(), coherent["parameters"].max())  # drawn only where it was fitted
front = scaling.pareto_front(frame["parameters"], frame["test accuracy"]) & ~frame["flagged"].to_numpy()
glue("cnn_macs", cost.model_macs(models.cnn_3_128()), display=False)
glue("family_hardware", prose.measured_on(records), display=False)
glue("low_members", prose.low_members_text(list(frame["member"]), list(frame["test accuracy"])), display=False)
glue("front", prose.pareto_front_text(frame, front), display=False)
glue(
    "fig_acc_params",
    plots.accuracy_against(
        frame, "parameters", "parameters (log scale)", marks, fit if fit["converged"] else None, front
    ),
    display=False,
)
glue("fig_acc_macs", plots.accuracy_against(frame, "MACs", "multiply-accumulates per image (log scale)"), display=False)
glue(
    "fig_acc_time",
    plots.accuracy_against(frame, "s per epoch", "training seconds per epoch (log scale)"),
    display=False,
)

# %% [markdown]
# {numref}`fig-acc-params` plots accuracy against parameters.
#
# ```{glue:figure} fig_acc_params
# :name: fig-acc-params
# :alt: Scatter of family members' test accuracy against parameters on a log axis, with the Pareto front and the fitted curve.
#
# Test accuracy against parameters for every member (filled: standard convolutions,
# hollow: separable; crossed: flagged as collapsed or not learning, left out of the fit
# and the front), the Pareto front, the curve fitted to the other members, and the two named models from
# the replication chapters (stars; trained there under their own schedules, so they are
# marked, not fitted).
# ```
#
# The Pareto front (members no other member beats with as few parameters) is:
# {glue:text}`front`. {glue:text}`low_members`
#
# The same members against their cost: multiply-accumulates ({numref}`fig-acc-macs`) and
# measured training time ({numref}`fig-acc-time`).
#
# ```{glue:figure} fig_acc_macs
# :name: fig-acc-macs
# :alt: Scatter of family members' test accuracy against multiply-accumulates per image on a log axis.
#
# Test accuracy against multiply-accumulates per image.
# ```
#
# ```{glue:figure} fig_acc_time
# :name: fig-acc-time
# :alt: Scatter of family members' test accuracy against training seconds per epoch on a log axis.
#
# Test accuracy against measured training time per epoch.
# ```
#
# ## A saturating fit
#
# A member that did not learn (under 50 % on ten classes) or whose test accuracy fell
# more than 10 points below the training accuracy its own fit reported (the evaluation
# model's BatchNorm statistics did not follow) measures a failed run, not what its size
# buys. Those members ({numref}`tbl-flagged`) are flagged and left out of the fit and the
# Pareto front.

# %%
flagged = frame.loc[frame["flagged"], ["member", "test accuracy", "training accuracy (fit)", "flag", "flag rule"]]
tables.show(
    flagged.assign(**{c: flagged[c].map(tables.pct) for c in ("test accuracy", "training accuracy (fit)")}),
    "Members flagged as failed runs: test and training accuracy (%), the flag and the rule that set it.",
    "tbl-flagged",
)

# %% [markdown]
# We fit acc = a - b·P^(-c) to the coherent members' accuracies (P: parameters) by
# least squares, then to standard and separable convolutions apart, since a curve
# through two families with different trade-offs fits neither ({numref}`tbl-fits`). {glue:md}`fit_text`

# %%
fit_text = prose.fit_summary(fit, int(frame["n_test"].iloc[0]), int(frame["parameters"].max()))
glue("fit_text", Markdown(fit_text), display=False)
tables.show(
    tables.subfamily_fit_table(scaling.subfamily_fits(frame)),
    "The saturating fit acc = a - b·P^(-c), on all coherent members and per sub-family: ceiling a (%) and RMS error (pp).",
    "tbl-fits",
)

# %% [markdown]
# {numref}`tbl-residuals` gives the residuals of the fit on all coherent members, member by
# member (percentage points; positive: above the curve).

# %%
residuals = coherent.assign(
    **{"residual (pp)": [f"{100 * r:+.1f}" for r in fit.get("residuals", [])] or ["–"] * len(coherent)}
)
tables.show(
    residuals[["member", "parameters", "residual (pp)"]].sort_values("parameters"),
    "Residuals of the fit on all coherent members (pp), by size.",
    "tbl-residuals",
)

# %% [markdown]
# ## Compression: the seed's future work
#
# Post-training int8 quantisation (weights and activations, TensorFlow Lite converter,
# 200 training images for calibration) and global magnitude pruning without
# fine-tuning, applied to the CNN-3-128 and light model trained in chapters 3 and 4,
# all scored on the same test images. Latency is one image per call through the TFLite
# interpreter, averaged over the first {glue:text}`latency_images` test images, on
# {glue:text}`compression_hardware`. {numref}`tbl-compression` gives the numbers when the records exist.

# %% tags=["hide-output"]
found = experiments.load_all(config, "compression")
labels = {"cnn_3_128": "CNN-3-128", "dsc_gap": "light model"}
compressed = {labels[r.config["network"]["model"]]: r for r in found.records}
compression_note = found.missing_text(config) + " The int8 conversion needs the TensorFlow backend."
glue("latency_images", found.records[0].config["latency_images"] if found.records else 0, display=False)
glue(
    "compression_hardware",
    prose.measured_on(list(compressed.values())) if compressed else "(not measured: compression was skipped)",
    display=False,
)

# %%
summary = prose.compression_summary(compressed) if compressed else compression_note
glue("compression_summary", Markdown(summary), display=False)
tables.show(
    tables.compression_table(compressed),
    "Compression: accuracy (%), size and latency of each network after int8 quantisation and pruning.",
    "tbl-compression",
) if compressed else None

# %% [markdown]
# {glue:md}`compression_summary`
#
# ## Pruning as practised: gradually, while fine-tuning
#
# Nobody ships a network pruned in one shot without further training. The usual recipe
# {cite}`zhu2017prune` fine-tunes the trained network while its sparsity rises along a
# cubic schedule, masking each layer's smallest weights at regular steps and keeping the
# masks fixed in between. Here {glue:text}`finetuned_networks` fine-tuned for
# {glue:text}`finetune_epochs` on its training images at a tenth of its
# learning rate, the sparsity reaching its target after three quarters of the steps, then
# converted to int8 as above ({numref}`tbl-pruning`, {numref}`fig-pruning`). The fine-tuning
# trains a network and runs where the GPU is; the conversion needs TensorFlow's converter and
# is a record of its own, made from the kept pruned model on a machine that has it.

# %% tags=["hide-output"]
pruned = experiments.load_all(config, "pruning")
pruned_int8 = experiments.load_all(config, "pruned_int8")  # the int8 conversions, made where TensorFlow is
stored = experiments.replication_records(config)
dense = {name: stored[name].final.test_accuracy for name in labels if stored[name]}
glue("finetune_epochs", counted(spec["finetune_epochs"], "epoch"), display=False)
glue("finetuned_networks", prose.finetuned_networks(spec["finetune_networks"], labels), display=False)
summary = prose.pruning_summary(pruned.records, dense, labels) or pruned.missing_text(config)
if pruned.records and pruned_int8.missing:  # fine-tuned here or on a GPU, not converted yet
    summary += " Of the int8 conversions, " + pruned_int8.missing_text(config, listed=False)
glue("pruning_summary", Markdown(summary), display=False)
glue("fig_pruning", plots.pruning_curves(found.records, pruned.records, dense, labels), display=False)

# %%
tables.show(
    tables.pruning_table(pruned.records, pruned_int8.records, dense, labels, pruned.missing),
    "Gradual pruning with fine-tuning: the dense network's test accuracy, the pruned one's as Keras and as int8 "
    "TFLite (%), both files' sizes after zlib (KiB) and the int8 latency for one image (ms).",
    "tbl-pruning",
)

# %% [markdown]
# {glue:md}`pruning_summary`
#
# ```{glue:figure} fig_pruning
# :name: fig-pruning
# :alt: Two panels of test accuracy against the share of weights pruned, for CNN-3-128 and the light model, one-shot pruning falling away at high sparsity and fine-tuned pruning drawn beside it.
#
# Test accuracy against the share of weights pruned: one-shot magnitude pruning without
# fine-tuning (circles, dashed) and gradual pruning while fine-tuning (squares), with the
# dense network's accuracy dotted.
# ```
#
# The TFLite kernels that run these models are dense: a pruned weight is stored as a zero
# and multiplied like any other. Sparsity can therefore shorten the compressed file but is
# not expected to shorten the time per image; the table's size and latency columns measure
# both.
#
# ## What we found
#
# Every member's parameter count is confirmed by hand. {glue:md}`fit_text` On this
# profile's budget the members on the Pareto front are {glue:text}`front`. These are
# single runs: the audit chapter's seed study gives the spread to read them against.
#
# {numref}`tbl-scaling-provenance` (folded) names the run behind every record of this chapter:
# machine, date, commit, versions and wall time.

# %%
tables.show(
    tables.provenance_table([*records, *compressed.values(), *pruned.records, *pruned_int8.records]),
    "Provenance of the family, compression and pruning records.",
    "tbl-scaling-provenance",
    folded=True,
)
