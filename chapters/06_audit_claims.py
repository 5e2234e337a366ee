# %% [markdown]
# # The claims one by one
#
# Every claim of the seed paper {cite}`anjum2025extension` outside the headline group,
# with its value, ours with its interval, the verdict under the audit's rule
# ({doc}`06_audit`) and the note that says which reading decided.

# %% tags=["parameters"]
profile = "full"
overrides = {}

# %% tags=["remove-input"]
from fmnist_lib import experiments, profiles
from fmnist_lib.audit import claim_rules, claims
from fmnist_lib.report import audit_tables, tables

config = profiles.load_profile(profile, overrides)
parts = audit_tables.claims_by_group(claim_rules.judge_claims(experiments.replication_records(config)))

# %% [markdown]
# ## What the paper says about its curves
#
# Claims in words ({numref}`tbl-claims-shape`): each is read as the rule in its note says,
# on the seeds' mean curve where there are several seeds.

# %% tags=["remove-input"]
tables.show(parts[claims.SHAPE], "Claims in words about the curves: our reading and the verdict.", "tbl-claims-shape")

# %% [markdown]
# ## Table I, parameter arithmetic and times
#
# The copied baselines ({numref}`tbl-claims-table-i`), the layer arithmetic
# ({numref}`tbl-claims-arithmetic`) and the training times ({numref}`tbl-claims-time`),
# which cannot be compared without the paper's hardware.

# %% tags=["remove-input"]
tables.show(
    parts[claims.BASELINE],
    "Table I's classical models: claimed, ours with its 95 % interval, verdict.",
    "tbl-claims-table-i",
)

# %% tags=["remove-input"]
tables.show(parts[claims.ARITHMETIC], "Parameter arithmetic: claimed and counted.", "tbl-claims-arithmetic")

# %% tags=["remove-input"]
tables.show(
    parts[claims.TIME],
    "Training times: claimed and ours, not comparable without the paper's hardware.",
    "tbl-claims-time",
)
