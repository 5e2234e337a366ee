"""The experiment registry, the job plan and the runner behind `python -m fmnist_lib.compute`."""

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from fmnist_lib import compute, experiments, profiles
from fmnist_lib.experiments import jobs, registry, target
from fmnist_lib.experiments.kinds import family, network
from fmnist_lib.report import runner
from fmnist_lib.store import runstore

REPO = Path(__file__).resolve().parents[1]


def test_full_plan_is_the_papers_design_with_one_job_per_record_and_the_replication_runs_first_and_alone():
    cfg = profiles.load_profile("full")
    plan = registry.plan(cfg)
    audit, family = cfg["audit"], cfg["scaling"]["members"]
    assert audit["seeds"] == [0, 1, 2, 3, 4] and len(family) == 80
    kinds = Counter(job.kind for job in plan)
    assert kinds["network"] == 2 and kinds["baseline"] == len(cfg["baselines"]["models"])
    assert kinds["seed_network"] == 2 * (len(audit["seeds"]) - 1) and kinds["seed_classical"] == len(audit["seeds"])
    assert kinds["family"] == len(family) and kinds["leakage"] == len(audit["rotations"])
    assert len({job.label for job in plan}) == len(plan)  # one job per record, each named once
    assert [job.label for job in plan[:2]] == ["cnn_3_128", "dsc_gap"]
    assert [job.label for job in plan if job.exclusive] == ["cnn_3_128", "dsc_gap"]
    # by role: what the answer needs before the seeds, the seeds before the family
    role = {job: job.experiment.role for job in plan}
    first_seed = next(i for i, j in enumerate(plan) if role[j] is registry.Role.SEEDS)
    trained_mechanisms = [
        i for i, j in enumerate(plan) if role[j] is registry.Role.MECHANISM and j.experiment.accelerated
    ]
    assert max(trained_mechanisms) < first_seed
    assert all(role[j] is registry.Role.SCALING for j in plan[-len(family) :])
    # a dependency is always planned before the jobs that need it
    for i, job in enumerate(plan):
        for dep in registry.dependencies(cfg, job):
            assert plan.index(dep) < i, (dep.label, job.label)


def test_the_registry_is_the_one_vocabulary():
    _, chapters = runner.toc_chapters(REPO)
    numbers = {runner.chapter_number(c) for c in chapters} | {"index"}
    for kind, experiment in registry.REGISTRY.items():
        assert experiment.kind == kind
        assert set(experiment.chapters) <= numbers, kind
    assert compute.main(["--profile", "smoke", "--plan", "--kind", "baseline"]) == 0


def test_a_kind_is_accelerated_exactly_when_its_computation_trains_a_network():
    """What a GPU machine runs (--accelerated) is what reaches the training engine, judged from the code itself."""
    cfg = profiles.load_profile("smoke")
    gpu = {job.kind for job in compute.select(cfg, None, None, accelerated=True)}
    for job in registry.plan(cfg):
        trains = "training.engine:run_stages" in registry.code_of(cfg, job)
        assert trains == (job.kind in gpu), job.kind
    assert "network" in gpu and not {"baseline", "selection", "compression", "digits_fit"} & gpu


def test_family_spread_order_covers_the_range_early():
    members = profiles.whole_family()
    ordered = family.in_spread_order(members)
    assert sorted(map(tuple, ordered)) == sorted(map(tuple, members))
    first = ordered[:10]
    assert {m[0] for m in first} >= {1, 4} and {m[1] for m in first} >= {16, 256}
    assert {m[2] for m in first} == {"dense", "gap"} and {m[3] for m in first} == {False, True}


def test_no_job_starts_after_the_time_limit(results_dir):
    cfg = profiles.load_profile("smoke")
    todo = compute.select(cfg, None, ["cnn_3_128"], False)
    outcomes = jobs.run_jobs(cfg, todo, stop_starting_after=0, report=lambda _: None)
    assert [o.status for o in outcomes] == ["skipped"]
    assert not list(results_dir.glob("**/*.json"))


def test_a_failing_job_is_reported_and_the_others_still_run(monkeypatch, capsys, results_dir):
    ran = []

    def fake_execute(cfg, job, force=False, made_since=None):
        ran.append(job.label)
        if job.label == "cnn_3_128":
            raise RuntimeError("out of memory, on purpose")
        return None

    monkeypatch.setattr(registry, "execute", fake_execute)
    assert compute.main(["--profile", "smoke", "--only", "cnn_3_128", "--only", "dsc_gap"]) == 1
    assert ran == ["cnn_3_128", "dsc_gap"]
    captured = capsys.readouterr()
    assert "FAILED cnn_3_128: RuntimeError: out of memory, on purpose" in captured.err
    assert "1 done, 0 skipped, 1 failed" in captured.out


def test_compute_rejects_an_unknown_kind_or_job(capsys):
    with pytest.raises(SystemExit):
        compute.main(["--profile", "smoke", "--kind", "gpu"])
    assert "invalid choice: 'gpu'" in capsys.readouterr().err
    assert compute.main(["--profile", "smoke", "--only", "seed 9 cnn_3_128"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--only 'seed 9 cnn_3_128' names no job" in err


def _compute(*args, results_dir):
    return subprocess.run(
        [sys.executable, "-m", "fmnist_lib.compute", "--profile", "smoke", "--results-dir", str(results_dir), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _records(folder: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


@pytest.mark.slow
def test_alone_with_workers_and_on_an_existing_dask_cluster_a_record_is_the_same(tmp_path):
    """A record means one thing whatever the scheduling: alone, --workers 2 and --scheduler give identical results.

    Two family members (networks with dropout, built without explicit seeds)
    train side by side in worker processes whose own threads draw random
    numbers; their predictions and every score are the lone run's. The best
    classical model of each seed waits for the baselines it is chosen from.
    """
    from dask.distributed import LocalCluster

    members = ["--set", "scaling.members=[[1,16,'gap',False],[2,16,'gap',True]]"]
    kinds = ["--kind", "family", "--kind", "baseline", "--kind", "seed_classical"]
    done = _compute("--workers", "2", *kinds, *members, results_dir=tmp_path / "a")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "7 done, 0 skipped, 0 failed" in done.stdout
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        again = _compute("--scheduler", cluster.scheduler_address, *kinds, *members, results_dir=tmp_path / "b")
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]
    alone = _compute(*kinds, *members, results_dir=tmp_path / "c")
    assert alone.returncode == 0, alone.stdout[-2000:] + alone.stderr[-3000:]
    a, b, c = (_records(tmp_path / m / "smoke") for m in "abc")
    # 3 baselines, the best of them again at seed 1, 2 members (seed 0's best classical is a baseline record)
    assert sorted(a) == sorted(b) == sorted(c) and len(a) == 6
    for name in a:
        assert a[name]["config"] == b[name]["config"] == c[name]["config"]
        assert (
            _without_times(a[name]["result"]) == _without_times(b[name]["result"]) == _without_times(c[name]["result"])
        )
        if name.startswith("family"):
            assert a[name]["provenance"]["concurrent_jobs"] == 2 and c[name]["provenance"]["concurrent_jobs"] == 1
    logs = sorted(p.name for p in (tmp_path / "a" / "smoke" / "logs").iterdir())
    assert "family_cnn-1x16-gap.log" in logs and "family_dsc-2x16-gap.log" in logs


@pytest.mark.slow
def test_a_job_whose_worker_is_killed_mid_run_resumes_to_the_same_record(tmp_path):
    """A Dask worker killed after the first stage's checkpoint: the job reruns on the restarted worker and its
    record is the one an uninterrupted run makes (the augmentation draws random numbers every batch)."""
    import signal
    import time

    from dask.distributed import Client, LocalCluster

    longer = ["--kind", "honest", "--set", "audit.schedule=[1,4]"]
    alone = _compute(*longer, results_dir=tmp_path / "alone")
    assert alone.returncode == 0, alone.stdout[-2000:] + alone.stderr[-3000:]
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            command = [sys.executable, "-m", "fmnist_lib.compute", "--profile", "smoke"]
            command += ["--results-dir", str(tmp_path / "killed"), "--scheduler", cluster.scheduler_address, *longer]
            run = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            checkpoints = tmp_path / "killed" / "smoke" / "checkpoints"
            deadline = time.time() + 300
            while not list(checkpoints.glob("*/stage-1.keras")) and run.poll() is None and time.time() < deadline:
                time.sleep(0.05)
            assert run.poll() is None, "the run ended before its first stage's checkpoint was seen"
            (pid,) = client.run(os.getpid).values()
            os.kill(pid, signal.SIGKILL)  # the nanny starts a new worker; the scheduler reruns the job there
            out, err = run.communicate(timeout=600)
    assert run.returncode == 0, out[-2000:] + err[-3000:]
    assert "1 done, 0 skipped, 0 failed" in out
    a, b = _records(tmp_path / "alone" / "smoke"), _records(tmp_path / "killed" / "smoke")
    assert sorted(a) == sorted(b) and len(a) == 1
    for name in a:
        whole, resumed = a[name]["result"], b[name]["result"]
        assert whole.pop("resumed_at_stage") is None and resumed.pop("resumed_at_stage") == 2  # killed mid-run
        assert a[name]["config"] == b[name]["config"] and _without_times(whole) == _without_times(resumed)


def _without_times(value):
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if "seconds" not in k and "latency" not in k}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def test_a_job_draws_its_random_numbers_from_its_config_whatever_other_threads_draw(tmp_path, monkeypatch):
    """Other threads of a process (a Dask worker's heartbeats) draw from Python's random: a record does not change."""
    import random
    import threading

    monkeypatch.setenv("FMNIST_RESULTS_DIR", str(tmp_path))
    cfg = profiles.load_profile("smoke", {"scaling.members": [[2, 16, "gap", True]]})
    job = registry.plan(cfg, ["family"])[0]
    jobs.keep_keras_seeds_private()
    quiet = registry.execute(cfg, job).result
    stop = threading.Event()

    def draw():
        while not stop.is_set():
            random.random()

    threading.Thread(target=draw, daemon=True).start()
    try:
        noisy = registry.execute(cfg, job, force=True).result
    finally:
        stop.set()
    assert _without_times(noisy) == _without_times(quiet)


def test_the_committed_full_run_matches_the_code_and_lists_what_is_missing(monkeypatch):
    """Every committed record of results/full/ is still what the code would compute.

    The full profile is the paper's whole design; what the GPU has not made yet
    is listed (and shown in the book), not a failure. If this fails after a
    change to a profile or an experiment, the committed records no longer
    describe the code: rerun those jobs (gpu/README.md).
    """
    monkeypatch.setenv("FMNIST_RESULTS_DIR", str(REPO / "results"))
    cfg = profiles.load_profile("full")
    plan = registry.plan(cfg)
    missing = [job for job in plan if not registry.is_stored(cfg, job)]
    on_disk = {p.name for p in (REPO / "results" / "full").glob("*.json")}
    used = {r.file_stem + ".json" for r in experiments.profile_records(cfg)}
    assert on_disk == used, f"records the code no longer asks for: {sorted(on_disk - used)}"
    # what is missing trains a network, or waits for a record that does; everything else is recorded
    waiting = {job for job in missing if any(d in missing for d in registry.dependencies(cfg, job))}
    assert all(job.experiment.accelerated or job in waiting for job in missing), [j.label for j in missing]
    print(
        f"{len(plan) - len(missing)} of {len(plan)} full-profile jobs recorded; missing:",
        ", ".join(j.label for j in missing),
    )


def test_timings_from_a_shared_device_say_so():
    from fmnist_lib.report import prose
    from fmnist_lib.store.records import Record

    def rec(prov):
        return Record("x", "k", "full", {}, {}, 1.0, prov)

    alone = rec({"accelerators": ["GPU X"], "concurrent_jobs": 1})
    shared = rec({"accelerators": ["GPU X"], "concurrent_jobs": 6})
    old = rec({"cpu": "CPU Y", "cpu_count": 2, "accelerators": []})  # before the field existed
    assert prose.measured_on([alone]) == "GPU X"
    assert "up to 6 jobs sharing the device" in prose.measured_on([alone, shared])
    assert prose.measured_on([old, alone]) == "CPU Y (2 cores, no GPU) and GPU X"


def test_record_sources_group_records_by_machine_and_commit_and_flag_what_cannot_be_traced():
    from dataclasses import replace

    from fmnist_lib.report import runcard
    from fmnist_lib.store.records import Record

    def rec(gpu, commit, jobs_sharing, experiment, code=None):
        prov = {
            "accelerators": [gpu] if gpu else [],
            "cpu": "CPU Y",
            "cpu_count": 2,
            "keras_backend": "jax" if gpu else "tensorflow",
            "git_commit": commit,
            "concurrent_jobs": jobs_sharing,
            "date": "2026-11-26T14:00:00+00:00",
            "versions": {"keras": "3.15.1", "jax": "0.11.2", "tensorflow": "2.21.0"},
        }
        return replace(Record(experiment, "k", "full", {"experiment": experiment}, {}, 1.0, prov), code=code)

    frame = runcard.record_sources(
        [
            rec("GPU X", "a" * 40, 1, "staged_training"),
            rec("GPU X", "a" * 40, 6, "family_member"),
            rec("GPU X", "a" * 40, 6, "staged_training", code={"x:f": "1"}),
            rec(None, "b" * 40 + "+dirty", 1, "classical_baseline"),
        ]
    )
    assert len(frame) == 2
    gpu = frame[frame["where"].str.startswith("GPU X")].iloc[0]
    assert gpu["where"] == "GPU X; keras 3.15.1, jax 0.11.2; up to 6 jobs sharing it"
    assert gpu["records"] == 3 and gpu["fingerprinted"] == "1 of 3"
    assert gpu["experiments"] == "family member, staged training"
    cpu = frame[frame["where"].str.startswith("CPU Y")].iloc[0]
    assert cpu["commit"] == "b" * 12 + " (dirty tree)" and cpu["fingerprinted"] == "0 of 1"


def test_profile_records_reads_only_what_the_profile_uses(monkeypatch):
    monkeypatch.setenv("FMNIST_RESULTS_DIR", str(REPO / "results"))
    cfg = profiles.load_profile("full")
    records = experiments.profile_records(cfg)
    stored = [job for job in registry.plan(cfg) if registry.is_stored(cfg, job)]
    # the seed-0 best classical model is the LightGBM baseline record itself
    assert len(records) == len(stored) - 1


def test_chapters_only_read_records():
    """No chapter computes: no `force`, no run_* or execute call; the runner computes first."""
    for source in sorted((REPO / "chapters").glob("*.py")):
        text = source.read_text()
        assert not re.search(r"\bforce\b", text), source.name
        assert not re.search(r"\b(run_\w+|execute|cached_run)\(", text), source.name


def test_a_chapter_asking_for_a_missing_record_gets_the_command_that_makes_it(results_dir):
    cfg = profiles.load_profile("smoke")
    with pytest.raises(experiments.MissingRecord) as caught:
        experiments.load(cfg, "network", "cnn_3_128")
    message = str(caught.value)
    assert "python -m fmnist_lib.compute --profile smoke --only 'cnn_3_128'" in message
    assert not list(results_dir.glob("**/*.json"))  # reading never writes


@pytest.mark.parametrize(
    "kind, arg, makes_it",
    [
        ("compression", "cnn_3_128", "--only cnn_3_128 --force"),
        ("pruning", ("cnn_3_128", 0.9), "--only cnn_3_128 --force"),
        ("pruned_int8", ("cnn_3_128", 0.9), "--only 'pruned cnn_3_128 to 90% while fine-tuned'"),
    ],
)
def test_compression_reports_a_missing_model_and_never_retrains_it(kind, arg, makes_it, results_dir):
    """One-shot and gradual pruning start from the network's kept model, the int8 conversion from the pruned one;
    without it each says how to make it."""
    cfg = profiles.load_profile("smoke")
    job = registry.Job(kind, 0, arg)
    name, config = registry.record_of(cfg, job)
    where = target.Target("smoke", name, config, results_dir / "scratch")
    with pytest.raises(target.MissingModel, match=re.escape(makes_it)):
        job.experiment.compute(registry.seeded(cfg, 0), arg, where)
    assert not list(results_dir.glob("**/*"))


@pytest.mark.slow
def test_ctrl_c_cancels_the_queued_jobs_and_says_how_to_continue(tmp_path):
    """SIGINT to `compute --workers 2` stops the workers and the queue: one line, exit 130, no traceback."""
    import signal

    members = [[d, w, "gap", s] for d in (1, 2, 3) for w in (16, 32) for s in (False, True)]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fmnist_lib.compute",
            "--profile",
            "smoke",
            "--kind",
            "family",
            "--workers",
            "2",
            "--results-dir",
            str(tmp_path),
            "--set",
            "scaling.train_size=3000",
            "--set",
            "scaling.epochs=3",
            "--set",
            "scaling.members=" + repr(members).replace(" ", ""),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a run started in the background (as CI may start the tests) inherits an ignored SIGINT
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    first = process.stdout.readline()  # the first finished job: the cluster is up and working
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert "done" in first, first + err[-2000:]
    assert process.returncode == 130, out + err[-2000:]
    assert "Traceback" not in err
    assert re.search(r"interrupted: \d+ of 12 jobs finished .* rerun the same command to continue", err)
    assert len(list((tmp_path / "smoke").glob("family-*.json"))) < len(members)


def test_an_edited_record_is_refused_naming_its_file(tmp_path, monkeypatch, capsys):
    """A record whose accuracy does not follow from its own stored predictions is never shown."""
    monkeypatch.setenv("FMNIST_RESULTS_DIR", str(tmp_path))
    cfg = profiles.load_profile("full")
    key = runstore.config_key(network.network_config(cfg, "cnn_3_128"))
    source = REPO / "results" / "full" / f"cnn_3_128-{key}.json"  # the seed-0 replication run
    (tmp_path / "full").mkdir()
    edited = json.loads(source.read_text())
    edited["result"]["stages"][-1]["test_accuracy"] = 0.9912
    (tmp_path / "full" / source.name).write_text(json.dumps(edited))
    with pytest.raises(runstore.RecordError) as caught:
        experiments.load(cfg, "network", "cnn_3_128")
    message = str(caught.value)
    assert source.name in message and "99.1200%" in message and "92.2900%" in message
    assert compute.main(["--profile", "full", "--plan", "--kind", "network"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is refused" in err and "delete it or rerun with --force" in err


def test_force_replaces_an_edited_record_as_the_refusal_says(tmp_path, monkeypatch):
    """The refusal says 'rerun with --force': the book's planning then treats the record as one to remake."""
    monkeypatch.setenv("FMNIST_RESULTS_DIR", str(tmp_path))
    cfg = profiles.load_profile("smoke", {"baselines.models": ["GaussianNB"]})
    job = registry.plan(cfg, ["baseline"])[0]
    record = registry.execute(cfg, job)
    path = tmp_path / "smoke" / f"{record.file_stem}.json"
    edited = json.loads(path.read_text())
    edited["result"]["accuracy"] = 0.99
    path.write_text(json.dumps(edited))
    computed = []
    monkeypatch.setattr(jobs, "run_jobs", lambda cfg, todo, **kw: computed.extend(todo) or [])
    with pytest.raises(runstore.RecordError):
        runner.compute_records(cfg, ["chapters/02_baselines"], force=False, report=lambda _: None)
    runner.compute_records(cfg, ["chapters/02_baselines"], force=True, report=lambda _: None)
    assert job in computed


def test_compute_refuses_an_edited_record_instead_of_reporting_it_done(results_dir, capsys):
    cfg = profiles.load_profile("smoke", {"baselines.models": ["GaussianNB"]})
    job = registry.plan(cfg, ["baseline"])[0]
    registry.execute(cfg, job)
    path = runstore.record_path("smoke", *registry.record_of(cfg, job))
    edited = json.loads(path.read_text())
    edited["result"]["accuracy"] = 0.9912  # no longer its correct answers over its test images
    path.write_text(json.dumps(edited))
    assert compute.main(["--profile", "smoke", "--set", "baselines.models=['GaussianNB']", "--only", job.label]) == 1
    err = capsys.readouterr().err
    assert f"FAILED {job.label}: RecordError: {path} is refused" in err and "0.9912" in path.read_text()


def test_the_plan_names_the_jobs_that_read_a_kept_model_this_store_lacks_and_how_to_make_it(results_dir, capsys):
    """A record made elsewhere travels without its model: the pruning and the distilled variants would stop at once,
    so the plan says so before a GPU lease is spent on them, with the command that trains the model here."""
    cfg = profiles.load_profile("smoke")
    network = registry.Job("network", 0, "cnn_3_128")
    registry.execute(cfg, network)
    args = ["--profile", "smoke", "--kind", "pruning", "--kind", "light_budget", "--plan"]
    assert compute.main(args) == 0
    assert "read the kept models" not in capsys.readouterr().out  # the model is here
    runstore.model_path("smoke", *registry.record_of(cfg, network)).unlink()  # as after a GPU run's records unpack
    assert compute.main(args) == 0
    out = capsys.readouterr().out
    assert "pruned cnn_3_128 to 90% while fine-tuned  [reads the model of cnn_3_128: not here]" in out
    assert "light model budget study: recipe, seed 0  [reads the model of cnn_3_128: not here]" in out
    assert "budget study: literal, seed 0\n" in out  # reads no model
    assert (
        "2 jobs read the kept models of cnn_3_128, which this store lacks (records travel without them) and would "
        "stop at once; train them here first, which replaces their records: python -m fmnist_lib.compute --profile "
        "smoke --only 'cnn_3_128' --force" in out
    )


def test_a_record_made_from_a_record_whose_code_changed_says_so(results_dir, monkeypatch):
    cfg = profiles.load_profile("smoke", {"baselines.models": ["GaussianNB", "KNN"]})
    for job in registry.plan(cfg, ["baseline", "seed_classical"]):
        registry.execute(cfg, job)
    derived = registry.Job("seed_classical", 1)
    assert not registry.stored_record(cfg, derived).code_status.changed
    real = registry.code_of

    def changed_baselines(cfg, job):
        code = real(cfg, job)
        return {**code, "models.classical:knn": "0" * 12} if job.kind == "baseline" else code

    monkeypatch.setattr(registry, "code_of", changed_baselines)
    status = registry.stored_record(cfg, derived).code_status
    assert status.changed and "made from baseline" in status.text


def test_a_record_made_from_a_record_that_was_replaced_since_says_so(results_dir):
    """A record keeps the digest of each record it was made from, so replacing one of those (a rerun on another
    machine, a --force) marks it, until it is made again from the new one."""
    cfg = profiles.load_profile("smoke", {"baselines.models": ["GaussianNB", "KNN"]})
    for job in registry.plan(cfg, ["baseline", "seed_classical"]):
        registry.execute(cfg, job)
    derived = registry.Job("seed_classical", 1)
    kept = registry.stored_record(cfg, derived).provenance["inputs"]
    assert sorted(kept) == ["baseline GaussianNB", "baseline KNN"]
    assert not registry.stored_record(cfg, derived).code_status.changed
    registry.execute(cfg, registry.Job("baseline", 0, "KNN"), force=True)  # replaced: its timings differ at least
    status = registry.stored_record(cfg, derived).code_status
    assert status.changed and status.text == "CHANGED: made from an earlier record of baseline KNN"
    registry.execute(cfg, derived, force=True)
    assert not registry.stored_record(cfg, derived).code_status.changed


@pytest.mark.parametrize(
    "args, message",
    [
        (["--scheduler", "tcp://127.0.0.1:1"], "no Dask scheduler answers at tcp://127.0.0.1:1 within 5 s"),
        (["--scheduler", "garbage::address"], "--scheduler 'garbage::address' is not a Dask address"),
        (["--scheduler", "http://example"], "Dask speaks tcp://, tls://, ws:// or wss://, not http://"),
        (["--set", "data=5"], "data is a section, not a value; set its entries, e.g. --set data.train_size="),
        (["--set", "cnn_3_128.model_kwargs={'dense_dropout':'x'}"], "dense_dropout takes a number like 0.5, got 'x'"),
        (["--set", "dsc_gap.model_kwargs={'activation':3}"], "activation takes a word like 'relu', got 3"),
        (["--set", "cnn_3_128.model_kwargs={'conv_dropout':1.5}"], "a dropout rate from 0 to below 1"),
        (["--chapter", "99"], "--chapter '99' names no chapter; the chapters are: 01, 02"),
        (["--set", "scaling.finetune_sparsities=[90]"], "scaling.finetune_sparsities must be a list of fractions"),
        (["--set", "scaling.finetune_epochs=0"], "scaling.finetune_epochs must be a positive whole number"),
        (
            ["--set", "studies.light_budget.variants={'wide': {'widths': [256, 512, 1024]}}"],
            "studies.light_budget.variants.wide has 685,592 parameters, 506,624 over the light model's 178,968",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2_before_anything_runs(args, message, capsys, results_dir):
    assert compute.main(["--profile", "smoke", "--only", "cnn_3_128", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err
    assert not list(results_dir.glob("**/*.json"))


def test_an_unreadable_data_folder_names_the_fix(monkeypatch, tmp_path, capsys):
    import os

    monkeypatch.setenv("FMNIST_DATA_DIR", str(tmp_path))
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if str(path) == str(tmp_path) else real(path, mode))
    assert compute.main(["--profile", "smoke", "--plan"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot be read (permission denied)" in err[0] and f"chmod a+rx {tmp_path}" in err[0]


def test_a_data_folder_without_the_files_is_one_line_before_any_job(monkeypatch, tmp_path, capsys, results_dir):
    """FMNIST_DATA_DIR naming an empty folder: one line naming the files and the fix, exit 2, not a failure per job."""
    monkeypatch.setenv("FMNIST_DATA_DIR", str(tmp_path))
    assert compute.main(["--profile", "smoke", "--kind", "baseline"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"FMNIST_DATA_DIR={tmp_path} lacks train-images-idx3-ubyte.gz" in err[0], err
    assert not list(results_dir.glob("**/*.json"))


def test_the_book_names_a_missing_chapter_or_a_build_dir_that_is_a_file_in_one_line(tmp_path, capsys):
    (tmp_path / "afile").write_text("")
    assert runner.main(["run", "--profile", "smoke", "--build-dir", str(tmp_path / "afile")]) == 2
    assert runner.main(["run", "--profile", "smoke", "--only", "99"]) == 2
    assert runner.main(["notebook", "99", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)
    assert "is a file; name a folder" in err[0] and "'99' names no chapter" in err[1] and "'99'" in err[2]
    assert "05, 06, 07" in err[1]  # each chapter named once: 06 is the audit with its appendix pages


def test_progress_says_elapsed_and_what_is_left_at_the_runs_pace():
    from fmnist_lib.experiments.jobs import progress

    assert progress(65, 1, 3) == "elapsed 1:05, about 2 min left"
    assert progress(30, 3, 4) == "elapsed 0:30, about 0:10 left"
    assert progress(125, 4, 4) == "elapsed 2:05"


@pytest.mark.parametrize("command", ["book", "compute"])
def test_ctrl_c_while_a_command_starts_up_is_one_line_and_exit_130(tmp_path, command):
    """Ctrl-C reaches the whole process group, during the seconds of imports too: no import traceback."""
    import os
    import signal
    import time

    args = ["run", "--profile", "smoke", "--build-dir", str(tmp_path / "build")] if command == "book" else []
    process = subprocess.Popen(
        [sys.executable, "-m", f"fmnist_lib.{command}", *args, "--results-dir", str(tmp_path / "results")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own group, as a terminal's foreground job is
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(1.5)  # importing Keras and TensorFlow takes longer than this
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, out + err[-2000:]
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("interrupted:"), err[-2000:]
