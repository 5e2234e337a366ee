"""The job plan and runner behind `python -m fmnist_lib.compute` (and the GPU script)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fmnist_lib import compute, jobs, profiles

REPO = Path(__file__).resolve().parents[1]


def test_full_plan_has_one_job_per_record_and_the_replication_runs_first_and_alone():
    cfg = profiles.load_profile("full")
    plan = jobs.plan(cfg, compute.STEP_NAMES)
    audit, family = cfg["audit"], cfg["scaling"]["members"]
    expected = (2 + len(cfg["baselines"]["models"]) + len(audit["rotations"]) + 2
                + 2 * (len(audit["seeds"]) - 1) + len(audit["seeds"]) + len(family) + 2)
    assert len(plan) == expected
    assert len({job.name for job in plan}) == len(plan)
    assert [job.name for job in plan[:2]] == ["cnn_3_128", "dsc_gap"]
    assert [job.name for job in plan if job.exclusive] == ["cnn_3_128", "dsc_gap"]
    # the first further seed comes before most of the family, so a run cut short has a seed spread
    names = [job.name for job in plan]
    assert names.index("seed 1 dsc_gap") < names.index(next(j.name for j in plan if j.kind == "family")) + 10


def test_kind_filter_keeps_only_what_a_gpu_machine_runs():
    cfg = profiles.load_profile("smoke")
    gpu = jobs.plan(cfg, compute.STEP_NAMES, list(jobs.ACCELERATED_KINDS))
    assert gpu and {job.kind for job in gpu} <= set(jobs.ACCELERATED_KINDS)
    assert not any(job.kind in ("baseline", "compression", "near_duplicates") for job in gpu)


def test_family_spread_order_covers_the_range_early():
    members = profiles.whole_family()
    ordered = jobs.family_in_spread_order(members)
    assert sorted(map(tuple, ordered)) == sorted(map(tuple, members))
    first = ordered[:10]
    assert {m[0] for m in first} >= {1, 4} and {m[1] for m in first} >= {16, 256}
    assert {m[2] for m in first} == {"dense", "gap"} and {m[3] for m in first} == {False, True}


def test_no_job_starts_after_the_time_limit(results_dir):
    cfg = profiles.load_profile("smoke")
    outcomes = jobs.run_jobs(cfg, jobs.plan(cfg, ["cnn_3_128"]), stop_starting_after=0, report=lambda _: None)
    assert [o.status for o in outcomes] == ["skipped"]
    assert not list(results_dir.glob("**/*.json"))


def test_a_failing_job_is_reported_and_the_others_still_run(monkeypatch, capsys, results_dir):
    ran = []

    def fake_execute(cfg, job, force=False):
        ran.append(job.name)
        if job.name == "cnn_3_128":
            raise RuntimeError("out of memory, on purpose")
        return {"result": {"accuracy": 0.5}}

    monkeypatch.setattr(jobs, "execute", fake_execute)
    assert compute.main(["--profile", "smoke", "--only", "cnn_3_128", "--only", "dsc_gap"]) == 1
    assert ran == ["cnn_3_128", "dsc_gap"]
    captured = capsys.readouterr()
    assert "FAILED cnn_3_128: RuntimeError: out of memory, on purpose" in captured.err
    assert "1 done, 0 skipped, 1 failed" in captured.out


def test_compute_rejects_an_unknown_kind(capsys):
    with pytest.raises(SystemExit):
        compute.main(["--profile", "smoke", "--kind", "gpu"])
    assert "invalid choice: 'gpu'" in capsys.readouterr().err


def test_workers_run_jobs_side_by_side_and_record_it(tmp_path):
    """Two worker processes train two family members; each record says the device was shared."""
    done = subprocess.run(
        [sys.executable, "-m", "fmnist_lib.compute", "--profile", "smoke", "--only", "scaling",
         "--kind", "family", "--workers", "2", "--results-dir", str(tmp_path),
         "--set", "scaling.members=[[1,16,'gap',False],[2,16,'gap',True]]"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    records = [json.loads(p.read_text()) for p in (tmp_path / "smoke").glob("family-*.json")]
    assert len(records) == 2
    assert {r["provenance"]["concurrent_jobs"] for r in records} == {2}
    logs = sorted(p.name for p in (tmp_path / "smoke" / "logs").iterdir())
    assert logs == ["family_cnn-1x16-gap.log", "family_dsc-2x16-gap.log"]
    assert "2 done, 0 skipped, 0 failed" in done.stdout


def test_the_committed_full_run_is_complete_and_matches_the_code(monkeypatch):
    """`book run --profile full` renders from results/full/ without training anything.

    If this fails after a change to a profile or an experiment, the committed
    records no longer describe the code: rerun the GPU jobs (gpu/README.md).
    """
    monkeypatch.setenv("FMNIST_RESULTS_DIR", str(REPO / "results"))
    cfg = profiles.load_profile("full")
    missing = [job.name for job in jobs.plan(cfg, compute.STEP_NAMES) if not jobs.is_stored(cfg, job)]
    assert not missing


def test_timings_from_a_shared_device_say_so():
    from fmnist_lib import provenance

    alone = {"provenance": {"accelerators": ["GPU X"], "concurrent_jobs": 1}}
    shared = {"provenance": {"accelerators": ["GPU X"], "concurrent_jobs": 6}}
    old = {"provenance": {"cpu": "CPU Y", "cpu_count": 2, "accelerators": []}}  # before the field existed
    assert provenance.measured_on([alone]) == "GPU X"
    assert "up to 6 jobs sharing the device" in provenance.measured_on([alone, shared])
    assert provenance.measured_on([old, alone]) == "CPU Y (2 cores, no GPU) and GPU X"


def test_record_sources_group_records_by_machine_commit_and_sharing():
    from fmnist_lib import tables

    def rec(gpu, commit, jobs_sharing, experiment):
        return {"name": experiment, "config": {"experiment": experiment},
                "provenance": {"accelerators": [gpu] if gpu else [], "cpu": "CPU Y", "cpu_count": 2,
                               "keras_backend": "jax" if gpu else "tensorflow", "git_commit": commit,
                               "concurrent_jobs": jobs_sharing, "date": "2026-11-26T14:00:00+00:00",
                               "versions": {"keras": "3.15.1", "jax": "0.11.2", "tensorflow": "2.21.0"}}}

    frame = tables.record_sources([rec("GPU X", "a" * 40, 1, "staged_training"),
                                   rec("GPU X", "a" * 40, 6, "family_member"),
                                   rec("GPU X", "a" * 40, 6, "staged_training"),
                                   rec(None, "b" * 40, 1, "classical_baseline")])
    assert len(frame) == 3
    shared = frame[frame["jobs sharing the device"] == 6].iloc[0]
    assert shared["records"] == 2 and shared["experiments"] == "family member, staged training"
    assert set(frame["backend"]) == {"keras 3.15.1 / jax 0.11.2", "keras 3.15.1 / tensorflow 2.21.0"}


def test_profile_records_reads_only_what_the_profile_uses(monkeypatch):
    monkeypatch.setenv("FMNIST_RESULTS_DIR", str(REPO / "results"))
    cfg = profiles.load_profile("full")
    records = jobs.profile_records(cfg, compute.STEP_NAMES)
    # 52 jobs; the seed-0 best classical model is the LightGBM baseline record itself
    assert len(records) == len(jobs.plan(cfg, compute.STEP_NAMES)) - 1
