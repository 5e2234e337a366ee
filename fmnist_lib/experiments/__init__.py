"""The experiments: the registry of kinds (one module per kind under ``kinds/``), the plan, the job runner,
and the read API the chapters use: ``from fmnist_lib import experiments``, then ``experiments.load``.
"""

from fmnist_lib.experiments.read import (
    Coverage,
    Found,
    MissingRecord,
    budget_combination,
    budget_variants,
    coverage,
    digits_training_sizes,
    load,
    load_all,
    mechanism_curves,
    preflight,
    profile_records,
    replication_records,
    seed_study,
)
from fmnist_lib.experiments.splits import split_indices, test_set

__all__ = [
    "Coverage",
    "Found",
    "MissingRecord",
    "budget_combination",
    "budget_variants",
    "digits_training_sizes",
    "coverage",
    "load",
    "load_all",
    "mechanism_curves",
    "preflight",
    "profile_records",
    "replication_records",
    "seed_study",
    "split_indices",
    "test_set",
]
