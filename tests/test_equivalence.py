"""The moved and reshaped code computes exactly what the code before it computed.

Before the library moved into subpackages (issue 20), the smoke profile's records
of every kind were made with the old code and kept in ``tests/fixtures/premove_smoke``.
The new code makes the same records in the session's smoke report: same keys, same
predictions, same scores after every stage and epoch (times aside). Derived records
of the full profile are recomputed from the committed records themselves. What
these tests show is what lets a committed record whose code fingerprint changed
with the move read "equivalent, tested" (``store/equivalences.json``).
"""

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "premove_smoke"
REPO = Path(__file__).resolve().parents[1]
TIMES = ("seconds", "fit_seconds", "predict_seconds", "latency", "eval_seconds")


def _without_times(value):
    """A record's result without anything measured in seconds: those differ from run to run by design."""
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if not any(t in k for t in TIMES)}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def _fixtures(kind_experiment: str) -> list[dict]:
    return [r for p in sorted(FIXTURES.glob("*.json")) if (r := json.loads(p.read_text()))["config"].get("experiment")
            == kind_experiment]  # fmt: skip


# the experiments of the old records, by the kind that computes them now
KINDS = {
    "baseline": "classical_baseline",
    "network": "staged_training",
    "honest": "honest_augmentation",
    "copies_honest": "honest_augmentation_copies_added",
    "copies_leak": "pooled_augmentation_leak_subgroups",
    "digits": "matched_steps",
    "family": "family_member",
    "compression": "compression",
    "selection": "test_set_selection",
}


# kinds that compute the same experiment with the same code as a tested one
COVERS = {"baseline": ("baseline_scaled", "seed_classical"), "network": ("seed_network", "light_no_batchnorm")}


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_moved_code_reproduces_the_records_of_the_old_code(kind, smoke_report):
    old = _fixtures(KINDS[kind])
    assert old, f"no fixture of {kind}"
    made = smoke_report / "results" / "smoke"
    for record in old:
        if kind == "selection":  # keyed by its source's date: matched by the network and seed it reads
            network = record["config"]["network"]
            new = next(
                r
                for p in made.glob("selection-*.json")
                if (r := json.loads(p.read_text()))["config"]["network"] == network
            )
        else:
            new = json.loads((made / f"{record['name']}-{record['key']}.json").read_text())
        made_from = ("source_made",)  # a derived record's config names when its source was made
        assert {k: v for k, v in new["config"].items() if k not in made_from} == {
            k: v for k, v in record["config"].items() if k not in made_from
        }
        assert _without_times(new["result"]) == _without_times(record["result"]), record["name"]


@pytest.mark.slow
def test_the_moved_code_reproduces_a_committed_leak_groups_record(monkeypatch):
    """A derived record of the full profile, recomputed from the committed records with the new code."""
    from fmnist_lib import profiles
    from fmnist_lib.experiments import registry
    from fmnist_lib.experiments.kinds import leakage
    from fmnist_lib.store import runstore

    monkeypatch.setenv(runstore.ENV_RESULTS_DIR, str(REPO / "results"))
    cfg = profiles.load_profile("full")
    job = registry.Job("leak_groups", cfg["seed"], 0.75)
    name, config = registry.record_of(cfg, job)
    committed = runstore.load_record("full", name, config)
    assert committed is not None and committed.code is not None
    again = leakage.compute_leak_groups(registry.seeded(cfg, job.seed), 0.75, None)
    assert json.loads(json.dumps(again)) == committed.result


def test_every_equivalence_names_a_test_that_exists_and_covers_its_kind():
    from fmnist_lib.store import equivalence

    covered = {param: {param, *COVERS.get(param, ())} for param in KINDS}
    entries = equivalence.known()
    assert entries
    for entry in entries:
        path, _, name = entry.test.partition("::")
        function, _, param = name.partition("[")
        assert path == "tests/test_equivalence.py", entry.test
        if function == "test_the_moved_code_reproduces_a_committed_leak_groups_record":
            assert entry.kind == "leak_groups"
        else:
            assert function == "test_the_moved_code_reproduces_the_records_of_the_old_code", entry.test
            assert entry.kind in covered[param.rstrip("]")], (entry.kind, entry.test)
