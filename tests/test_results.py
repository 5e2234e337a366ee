import json

import pytest

from fmnist_lib.store import runstore
from fmnist_lib.store.records import Record


def test_key_is_stable_and_sensitive_to_every_value():
    config = {"a": 1, "b": {"c": [1, 2]}}
    assert runstore.config_key(config) == runstore.config_key({"b": {"c": [1, 2]}, "a": 1})
    assert runstore.config_key(config) != runstore.config_key({"a": 1, "b": {"c": [1, 3]}})


def test_cached_run_reuses_and_force_recomputes(results_dir):
    calls = []

    def compute(scratch):
        calls.append(scratch)
        return {"value": len(calls)}

    first = runstore.cached_run("smoke", "demo", {"x": 1}, compute)
    second = runstore.cached_run("smoke", "demo", {"x": 1}, compute)
    assert len(calls) == 1 and second == first
    forced = runstore.cached_run("smoke", "demo", {"x": 1}, compute, force=True)
    assert len(calls) == 2 and forced.result == {"value": 2}
    assert not calls[0].exists()  # scratch removed once the record is written


def test_record_carries_config_and_provenance(results_dir):
    record = runstore.cached_run("smoke", "demo", {"x": 1}, lambda _: {"value": 1})
    stored = json.loads(runstore.record_path("smoke", "demo", {"x": 1}).read_text())
    assert Record.from_dict(stored) == record
    assert record.config == {"x": 1}
    prov = record.provenance
    for field in ("date", "git_commit", "keras_backend", "cpu", "versions"):
        assert prov[field]
    assert "numpy" in prov["versions"]
    assert record.wall_seconds >= 0


def test_changed_config_or_format_never_reuses_a_stale_record(results_dir, monkeypatch):
    runstore.cached_run("smoke", "demo", {"x": 1}, lambda _: {"value": "old"})
    assert runstore.load_record("smoke", "demo", {"x": 2}) is None
    monkeypatch.setattr(runstore, "RECORD_VERSION", runstore.RECORD_VERSION + 1)
    assert runstore.load_record("smoke", "demo", {"x": 1}) is None
    fresh = runstore.cached_run("smoke", "demo", {"x": 1}, lambda _: {"value": "new"})
    assert fresh.result == {"value": "new"}


def test_failed_computation_leaves_no_record(results_dir):
    def explode(_):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        runstore.cached_run("smoke", "demo", {"x": 1}, explode)
    assert runstore.load_record("smoke", "demo", {"x": 1}) is None


def test_atomic_write_keeps_the_old_file_when_serialisation_fails(tmp_path):
    path = tmp_path / "r.json"
    runstore.write_json_atomic(path, {"ok": 1})
    with pytest.raises(TypeError):
        runstore.write_json_atomic(path, {"bad": object()})
    assert json.loads(path.read_text()) == {"ok": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_records_are_written_with_the_users_umask(results_dir):
    import os

    previous = os.umask(0o022)
    try:
        runstore.cached_run("smoke", "demo", {"x": 1}, lambda _: {"value": 1})
    finally:
        os.umask(previous)
    mode = runstore.record_path("smoke", "demo", {"x": 1}).stat().st_mode & 0o777
    assert mode == 0o644


def test_two_runs_of_one_record_take_turns_and_compute_it_once(results_dir):
    import threading
    import time

    calls = []

    def slow(_scratch):
        calls.append(1)
        time.sleep(1.0)
        return {"value": len(calls)}

    got = []
    first = threading.Thread(target=lambda: got.append(runstore.cached_run("smoke", "demo", {"x": 1}, slow)))
    first.start()
    time.sleep(0.2)
    second = runstore.cached_run("smoke", "demo", {"x": 1}, slow)  # waits for the first, then reads its record
    first.join()
    assert len(calls) == 1 and second == got[0]


def test_a_forced_run_interrupted_resumes_its_own_checkpoints_but_not_older_ones(results_dir):
    def interrupted(scratch):
        (scratch / "stage-1").write_text("done")
        raise KeyboardInterrupt

    runstore.cached_run("smoke", "demo", {"x": 1}, lambda _: {"value": "old"})
    with pytest.raises(KeyboardInterrupt):
        runstore.cached_run("smoke", "demo", {"x": 1}, interrupted, force=True)
    assert runstore.load_record("smoke", "demo", {"x": 1}).result == {"value": "old"}  # not lost meanwhile
    seen = []
    record = runstore.cached_run(
        "smoke", "demo", {"x": 1}, lambda s: seen.append((s / "stage-1").exists()) or {}, force=True
    )
    assert seen == [True] and record.result == {}  # the rerun of the forced command continued
    # a checkpoint left by an ordinary run is not resumed by --force
    scratch = runstore.checkpoint_dir("smoke", "demo", {"x": 2})
    scratch.mkdir(parents=True)
    (scratch / "stage-1").write_text("from an older run")
    seen.clear()
    runstore.cached_run("smoke", "demo", {"x": 2}, lambda s: seen.append((s / "stage-1").exists()) or {}, force=True)
    assert seen == [False]


def test_a_record_says_when_the_code_that_computed_it_has_changed(real_data_dir, results_dir, monkeypatch):
    from fmnist_lib import profiles
    from fmnist_lib.experiments import registry
    from fmnist_lib.report import tables
    from fmnist_lib.store import equivalence

    cfg = profiles.load_profile("smoke", {"baselines.models": ["GaussianNB"]})
    job = registry.plan(cfg, ["baseline"])[0]
    registry.execute(cfg, job)
    assert registry.stored_record(cfg, job).code_status.state is equivalence.CodeState.UNCHANGED
    code = registry.code_of(cfg, job)
    # its fingerprint covers the one classifier it fitted, not the others, nor plots or tables
    assert "models.classical:gaussian_nb" in code and not any(k.startswith("report.") for k in code)
    assert not {"models.classical:mlp", "models.classical:svm"} & set(code)
    changed = {**code, "models.classical:gaussian_nb": "0" * 12}
    monkeypatch.setattr(registry, "code_of", lambda cfg, job: changed)
    record = registry.stored_record(cfg, job)
    assert record.code_status.changed and record.code_status.text == "CHANGED since: models.classical:gaussian_nb"
    assert tables.provenance_table([record]).iloc[0]["code"] == record.code_status.text


def _package(root, files):
    for name, text in files.items():
        (root / f"{name}.py").write_text(text)


def test_a_fingerprint_follows_what_the_computation_calls_and_ignores_words(tmp_path, monkeypatch):
    from fmnist_lib.store import fingerprint

    monkeypatch.setattr(fingerprint, "LIB", tmp_path)

    def scope():
        fingerprint._module.cache_clear()
        fingerprint.scope.cache_clear()
        return fingerprint.scope(("a:compute",))

    _package(tmp_path, {
        "a": 'from fmnist_lib import b\n\ndef compute(x):\n    """Doc."""\n    return b.helper(x) + 1  # one\n',
        "b": "LIMIT = 3\n\ndef helper(x):\n    if x > LIMIT:\n        raise ValueError('too big')\n    return x\n\n"
        "def other():\n    return 0\n",
    })  # fmt: skip
    first = scope()
    assert set(first) == {"a:compute", "b:helper", "b:LIMIT"}  # what compute reaches, not b.other
    _package(tmp_path, {"b": "LIMIT = 3\n\ndef helper(x):\n    if x > LIMIT:\n        raise ValueError('x is over "
                        "the limit: lower it')\n    return x\n\ndef other():\n    return 1\n\ndef tenth():\n"
                        "    return 10\n"})  # fmt: skip
    assert scope() == first  # a reworded message, a changed and a new definition nobody calls: no change
    _package(tmp_path, {"b": "LIMIT = 4\n\ndef helper(x):\n    return x\n"})
    assert fingerprint.changed(first, scope()) == ["b:LIMIT", "b:helper"]


def test_a_changed_fingerprint_tested_equivalent_reads_so():
    from fmnist_lib.store import equivalence

    old, new = {"x:f": "1" * 12}, {"y:f": "2" * 12}
    assert equivalence.status("k", None, new).state is equivalence.CodeState.NOT_FINGERPRINTED
    assert equivalence.status("k", old, new).changed
    entry = equivalence.Equivalence("k", old, new, "tests/test_equivalence.py::test_x")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(equivalence, "known", lambda: (entry,))
        status = equivalence.status("k", old, new)
        assert status.state is equivalence.CodeState.EQUIVALENT and "test_x" in status.text
        assert equivalence.status("other kind", old, new).changed  # an entry is for its kind only
        assert equivalence.status("k", old, {"y:f": "3" * 12}).changed  # and for exactly that new code


def test_a_full_disk_leaves_no_temporary_file_and_names_the_folder(tmp_path, monkeypatch):
    """The write fails as a full disk does (ENOSPC): nothing half-written stays, the message says where and what."""
    import errno

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    target = tmp_path / "full" / "record.json"
    monkeypatch.setattr(runstore.json, "dump", no_space)
    with pytest.raises(runstore.DiskFull) as caught:
        runstore.write_json_atomic(target, {"a": 1})
    assert str(tmp_path / "full") in str(caught.value) and "free space there" in str(caught.value)
    assert list((tmp_path / "full").iterdir()) == []  # neither the record nor its temporary file
