# %% [markdown]
# # Reproducibility notes
#
# Reports in the ML Reproducibility Challenge close with a short account: what was easy
# to reproduce, what was hard, and what the paper left for the reproducer to decide. This
# page gives that account for the seed paper {cite}`anjum2025extension` and the protocol
# it reproduces {cite}`mukhamediev2024`. Every value in it is read from the records or the
# code that made them.

# %% tags=["parameters"]
profile = "full"  # the committed records: `jupyter-book build .` renders them without training
overrides = {}

# %% tags=["remove-input"]
from IPython.display import Markdown
from myst_nb import glue

from fmnist_lib import experiments
from fmnist_lib import profiles
from fmnist_lib.audit import claims
from fmnist_lib.report import prose
from fmnist_lib.report import repro_notes
from fmnist_lib.report import tables

config = profiles.load_profile(profile, overrides)
cnn = experiments.load(config, "network", "cnn_3_128")
light = experiments.load(config, "network", "dsc_gap")
baselines = experiments.load_all(config, "baseline").records
glue("counts", Markdown(repro_notes.counts_sentence(cnn, light)), display=False)
glue("baseline_times", Markdown(repro_notes.baseline_times_sentence(baselines)), display=False)
glue("coverage", Markdown(prose.coverage_sentence(experiments.coverage(config))), display=False)  # the list: index
glue("light_epochs", claims.LIGHT_EPOCHS, display=False)
glue("light_epochs_timed", claims.LIGHT_EPOCHS_FOR_TIME, display=False)

# %% [markdown]
# ## What was easy
#
# The architectures. The parameter counts pin down the layers:
# {glue:md}`counts` The arithmetic is in {doc}`03_cnn_3_128` and {doc}`04_light_model`.
# The data: Fashion-MNIST {cite}`xiao2017fashion` is a standard download, and Debian
# ships the same images, checksummed in {doc}`01_dataset`. The classical models of
# Table I are scikit-learn {cite}`pedregosa2011scikit` and LightGBM {cite}`ke2017lightgbm`
# defaults and cheap to run: {glue:md}`baseline_times`
#
# ## What was hard
#
# The compute. The paper's protocol trains CNN-3-128 for 62 epochs on 60,000 images; on
# a two-core CPU one epoch takes minutes, so the full records were made on a GPU with
# Keras {cite}`chollet2015keras` on JAX {cite}`bradbury2018jax`, and the smaller audit runs
# on a CPU with TensorFlow {cite}`abadi2015tensorflow`. {numref}`tbl-where-made` says
# which machine made how many records; the run card names the versions.

# %% tags=["remove-input"]
tables.show(
    repro_notes.where_made(experiments.profile_records(config)),
    "Where this profile's records were made: records per machine and their summed wall time.",
    "tbl-where-made",
)

# %% [markdown]
# Short runs of the light model. After a few hundred steps its BatchNorm moving
# statistics have not settled, and the model scores near chance at test time although it
# trains well; {doc}`04_light_model` measures the lag and a variant without BatchNorm.
# Every profile that trains it briefly says so rather than report the number bare.
#
# The seed paper's own numbers. It gives the light model's accuracy after
# {glue:text}`light_epochs` epochs and its training time for {glue:text}`light_epochs_timed`
# epochs; we compare each at the epochs it names. It calls all of the light model's
# parameters trainable, and its Figs. 4 and 5 are numbered out of order.
#
# ## What the papers do not say
#
# {numref}`tbl-unstated` lists what neither paper states about training CNN-3-128, and
# what our records used; each value is read from the record or the code that made it.

# %% tags=["remove-input"]
tables.show(
    repro_notes.unstated_table(cnn, config),
    "What neither paper states, and what our CNN-3-128 records used.",
    "tbl-unstated",
)

# %% [markdown]
# ## What we could not do
#
# {glue:md}`coverage` The front page ({doc}`index`) lists the missing records by kind, and
# the audit ({doc}`06_audit`) says which verdicts the gaps leave inconclusive. We could not learn from either paper how its 99 % figures were computed:
# neither publishes its code. The mechanisms the audit tests are the ones other 99 %
# claims on Fashion-MNIST were traced to in the dataset maintainers' issue tracker and
# the literature; a mechanism that reaches the claims shows where such numbers can come
# from, not what the authors did.
