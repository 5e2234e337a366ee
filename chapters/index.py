# %% [markdown]
# # CNN-3-128 on Fashion-MNIST: an executable reproduction
#
# This report re-runs, with our code and on the machine named below, the experiments of
# the student paper *Extension of the CNN-3-128 model for Fashion-MNIST classification*
# {cite}`anjum2025extension`, which reproduces {cite}`mukhamediev2024` and proposes a
# depthwise-separable model with a Global Average Pooling head. Every number and figure
# comes from a run of this code, recorded with its parameters, seed, hardware, library
# versions and wall time. Where we measure less than the papers claim, we say so.
#
# The seed paper reports {glue:text}`claim_2:.2%` to {glue:text}`claim_62:.2%` test
# accuracy for CNN-3-128. Honest results
# for Fashion-MNIST published elsewhere top out near 96-97 % {cite}`tanveer2020finetuning,zhong2020random`, and simple CNNs usually
# land at 91-94 %: the chapters put the paper's numbers beside ours, with intervals.

# %% tags=["parameters"]
profile = "full"  # the committed records: `jupyter-book build .` renders them without training
overrides = {}
manifest = {"chapters": []}  # the runner passes this build's chapter times

# %% tags=["remove-input"]
from IPython.display import Markdown
from myst_nb import glue

from fmnist_lib import experiments, profiles
from fmnist_lib.audit import bottom_line, claim_rules, claims
from fmnist_lib.report import audit_tables, prose, runcard, tables
from fmnist_lib.store import provenance

config = profiles.load_profile(profile, overrides)
glue("profile_name", profile, display=False)
glue("claim_2", claims.CNN_ACCURACY_BY_EPOCH[2], display=False)
glue("claim_62", claims.CNN_ACCURACY_BY_EPOCH[62], display=False)

# %% [markdown]
# ## The bottom line
#
# ```{glue:md} bottom_line
# :format: myst
# ```
#
# {numref}`tbl-headline` gives each headline claim, our value (the seeds' mean with its
# interval, where there are several seeds), the finding and the evidence in one line. The
# audit ({doc}`06_audit`) states the rule behind every verdict and shows the
# evidence. Profile: {glue:text}`profile_name`. {glue:md}`profile_note`

# %% tags=["remove-input"]
judged = claim_rules.judge_claims(experiments.replication_records(config))
curves, _ = experiments.mechanism_curves(config)
answer = bottom_line.answer(judged, curves)
glue("bottom_line", Markdown(prose.answer_sentences(answer)), display=False)
glue("profile_note", Markdown(profiles.PROFILE_NOTES[profile]), display=False)
glue("coverage", Markdown(prose.coverage_list(experiments.coverage(config))), display=False)
tables.show(
    audit_tables.headline_table(answer),
    "The seed paper's headline accuracy claims against this run: ours with its 95 % interval, the finding, and "
    "the evidence.",
    "tbl-headline",
)

# %% [markdown]
# ## What is not recorded yet
#
# A verdict can only use the records that exist; the ones this profile plans and the
# store does not hold yet are these.
#
# ```{glue:md} coverage
# :format: myst
# ```
#
# ## Re-checked on this machine
#
# {glue:md}`recheck_text`

# %% tags=["remove-input"]
glue("recheck_text", Markdown(prose.recheck_sentence(manifest.get("recheck"))), display=False)
tables.show(
    runcard.recheck_table(manifest.get("recheck")),
    "A sample of the committed records computed again on the machine that built this report: committed, here, "
    "the rule they are compared by, and whether they agree.",
    "tbl-recheck",
)

# %% [markdown]
# ## Run card
#
# Everything needed to rerun this report: the parameters ({numref}`tbl-parameters`, folded:
# the profile after any `--set` overrides), the machine and library versions of this build
# ({numref}`tbl-environment`), and how long each chapter took in this build
# ({numref}`tbl-chapter-times`). A chapter whose experiments were already in the run
# store reads them instead of retraining, so its time here can be seconds; the
# provenance table at the end of each chapter gives every record's own machine, date,
# commit and wall time.

# %% tags=["remove-input"]
tables.show(
    runcard.parameter_table(config),
    "Every parameter of this build, as --set takes them.",
    "tbl-parameters",
    folded=True,
)

# %% tags=["remove-input"]
tables.show(
    runcard.environment_table(provenance.collect()),
    "The machine and library versions that built this report.",
    "tbl-environment",
)

# %% [markdown]
# The records were made with the exact library versions of `requirements.lock`, which
# `make setup` installs. {numref}`tbl-lock` lists every package this build has at another
# version; a difference there can change a re-run's numbers, not the committed records'.

# %% tags=["remove-input"]
tables.show(
    runcard.lock_table(provenance.lock_differences()),
    "Packages installed at other versions than requirements.lock names.",
    "tbl-lock",
)

# %% [markdown]
# The machine above built this report. The records it reads may have been made
# elsewhere, for instance on a GPU whose records were committed. Each row below is one
# machine, backend and commit ({numref}`tbl-record-sources`). Where other jobs shared the device, a record's times are
# longer than a lone run's.

# %% tags=["remove-input"]
tables.show(
    runcard.record_sources(experiments.profile_records(config)),
    "Where the records of this report were made: machine, backend, commit, number of records.",
    "tbl-record-sources",
)

# %% tags=["remove-input"]
tables.show(runcard.chapter_times(manifest), "Wall time of each chapter in this build (s).", "tbl-chapter-times")

# %% [markdown]
# To rerun this report: `python -m fmnist_lib.book run --profile NAME` with the profile
# above ({glue:text}`profile_name`); one chapter: add `--only 03`; another parameter: add
# e.g. `--set seed=1`. The README lists every option.
