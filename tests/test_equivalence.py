"""The moved and reshaped code computes exactly what the code before it computed.

Before the library moved into subpackages (issue 20), the smoke profile's records
of every kind were made with the old code (commit ``c648ac1``) and kept in
``tests/fixtures/premove_smoke``, one folder per machine they were made on. The new
code makes the same records in the session's smoke report: same keys, same
predictions, same scores after every stage and epoch (times aside). Derived records
of the full profile are recomputed from the committed records themselves. What
these tests show is what lets a committed record whose code fingerprint changed
with the move read "equivalent, tested" (``store/equivalences.json``).

Training on a CPU is exact on one machine, not across machines: TensorFlow's and
numpy's kernels pick their vector instructions and blocking from the processor, so
two processors sum in different orders and a loss differs in its eighth digit, a
prediction now and then. A kept folder is therefore a cache of the old code's output
on one machine. Where none matches, the old code runs here, from the repository's
history, and the new code must reproduce that exactly.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "premove_smoke"
MADE_ON = sorted(p for p in FIXTURES.iterdir() if p.is_dir())  # one folder of old records per machine
OLD_COMMIT = "c648ac1"  # the code before the move, which made them
REPO = Path(__file__).resolve().parents[1]
TIMES = ("seconds", "fit_seconds", "predict_seconds", "latency", "eval_seconds")
MADE_FROM = ("source_made",)  # a derived record's config names when its source was made


def _without_times(value):
    """A record's result without anything measured in seconds: those differ from run to run by design."""
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if not any(t in k for t in TIMES)}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def _records(folder: Path, kind_experiment: str) -> list[dict]:
    return [r for p in sorted(folder.glob("*.json")) if (r := json.loads(p.read_text()))["config"].get("experiment")
            == kind_experiment]  # fmt: skip


def _made_anew(made: Path, record: dict) -> dict:
    """The smoke report's record of the same job as an old ``record``."""
    if record["config"]["experiment"] == "test_set_selection":  # keyed by its source's date: matched by network
        network = record["config"]["network"]
        return next(
            r for p in made.glob("selection-*.json") if (r := json.loads(p.read_text()))["config"]["network"] == network
        )
    return json.loads((made / f"{record['name']}-{record['key']}.json").read_text())


def _config(record: dict) -> dict:
    return {k: v for k, v in record["config"].items() if k not in MADE_FROM}


def _same(old: dict, new: dict) -> bool:
    return _config(old) == _config(new) and _without_times(old["result"]) == _without_times(new["result"])


@pytest.fixture(scope="session")
def old_code_here(tmp_path_factory) -> Path:
    """The old code's smoke records computed on this machine (about 2 minutes), from the repository's history."""
    tree = tmp_path_factory.mktemp("old_code")
    archive = subprocess.run(["git", "archive", OLD_COMMIT, "fmnist_lib"], cwd=REPO, capture_output=True)
    if archive.returncode != 0:
        pytest.skip(
            f"this machine computes floating point differently from every machine in {FIXTURES.name}/, and the old "
            f"code ({OLD_COMMIT}) is not in this clone's history to run here: clone with history to decide"
        )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    store = tree / "results"
    env = {k: v for k, v in os.environ.items() if k not in ("FMNIST_RESULTS_DIR", "PYTHONPATH")}
    done = subprocess.run(
        [sys.executable, "-m", "fmnist_lib.compute", "--profile", "smoke", "--results-dir", str(store)],
        cwd=tree, env={**env, "PYTHONPATH": str(tree)}, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return store / "smoke"


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
def test_the_moved_code_reproduces_the_records_of_the_old_code(kind, smoke_report, request):
    made = smoke_report / "results" / "smoke"
    kept = [old for folder in MADE_ON if (old := _records(folder, KINDS[kind]))]
    assert kept, f"no fixture of {kind}"
    if any(all(_same(old, _made_anew(made, old)) for old in records) for records in kept):
        return  # the old code's output on a machine that computes as this one does
    here = _records(request.getfixturevalue("old_code_here"), KINDS[kind])
    assert len(here) == len(kept[0]), [r["name"] for r in here]
    for old in here:
        new = _made_anew(made, old)
        assert _config(new) == _config(old)
        assert _without_times(new["result"]) == _without_times(old["result"]), old["name"]


def test_the_kept_old_records_are_the_same_jobs_on_every_machine():
    """Each folder holds the same jobs (configs): only the machine that computed them differs."""
    jobs = [
        sorted(json.dumps(_config(json.loads(p.read_text())), sort_keys=True) for p in folder.glob("*.json"))
        for folder in MADE_ON
    ]
    assert len(MADE_ON) >= 2 and len(jobs[0]) == 24 and all(j == jobs[0] for j in jobs)


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
