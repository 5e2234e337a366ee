"""The real pipeline, end to end, on the smoke profile: papermill executes the
chapters, Jupyter Book renders them, and the HTML holds what the chapters glue."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import COUNTED

from fmnist_lib import experiments
from fmnist_lib.experiments.kinds import network
from fmnist_lib.report import runner

pytestmark = pytest.mark.slow  # builds the book, trains on several backends or in subprocesses

REPO = Path(__file__).resolve().parents[1]


def visible_text(html: str) -> str:
    main = html[html.find("<main") : html.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def page(report: Path, name: str) -> str:
    return (report / "build" / "html" / "chapters" / f"{name}.html").read_text()


def test_every_chapter_is_rendered_with_figures(smoke_report):
    _, chapters = runner.toc_chapters(REPO)
    figures = {
        "01_dataset": 4,
        "02_baselines": 1,
        "03_cnn_3_128": 4,
        "04_light_model": 2,
        "05_comparison": 3,
        "06_audit_data": 3,
        "06_audit_mechanisms": 2,
        "07_scaling": 4,
    }  # exactly: a figure lost or drawn twice fails
    for stem in chapters:
        html = page(smoke_report, Path(stem).name)
        assert "{glue" not in html, stem  # every glue role was resolved
        expected = figures.get(Path(stem).name, 0)
        assert len(re.findall(r"<img[^>]+\.png", html)) == expected, stem


def test_each_chapter_downloads_as_an_executed_notebook(smoke_report):
    """The page's download menu offers the notebook with its outputs, not only the jupytext source."""
    _, chapters = runner.toc_chapters(REPO)
    for stem in chapters:
        source = REPO / (stem + ".py")
        if not source.exists():
            continue  # a Markdown page (the references) has no notebook
        notebook = smoke_report / "build" / "html" / "_sources" / "chapters" / f"{Path(stem).name}.ipynb"
        cells = json.loads(notebook.read_text())["cells"]
        assert any(cell.get("outputs") for cell in cells), stem
        assert f"_sources/chapters/{Path(stem).name}.ipynb" in page(smoke_report, Path(stem).name), stem


def test_glued_numbers_come_from_the_run(smoke_report):
    dataset = visible_text(page(smoke_report, "01_dataset"))
    assert "72.9404" in dataset and "60,000" in dataset
    assert "2,067,850" in visible_text(page(smoke_report, "03_cnn_3_128"))
    light = visible_text(page(smoke_report, "04_light_model"))
    assert "178,968" in light and "176,406" in light
    # the final accuracy printed in the prose is the one stored in the record
    record_file = next((smoke_report / "results" / "smoke").glob("cnn_3_128-*.json"))
    record = json.loads(record_file.read_text())
    accuracy = record["result"]["stages"][-1]["test_accuracy"]
    assert f"{accuracy:.2%}" in visible_text(page(smoke_report, "03_cnn_3_128"))
    assert record["key"] in visible_text(page(smoke_report, "03_cnn_3_128"))


def test_front_page_is_a_run_card(smoke_report):
    text = visible_text(page(smoke_report, "index"))
    for needle in ("smoke", "cnn_3_128.schedule", "keras", "scikit-learn", "01_dataset", "wall time"):
        assert needle in text, needle


def test_rerunning_one_chapter_reuses_the_others(smoke_report):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fmnist_lib.book",
            "run",
            "--profile",
            "smoke",
            "--only",
            "05",
            "--build-dir",
            str(smoke_report / "build"),
            "--results-dir",
            str(smoke_report / "results"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "[chapters/01_dataset] kept from the previous run" in done.stdout
    assert "[chapters/05_comparison] executing" in done.stdout


def test_failing_chapter_fails_the_run_and_keeps_the_old_report(tmp_path, smoke_report, capsys):
    book_dir = tmp_path / "book"
    (book_dir / "chapters").mkdir(parents=True)
    shutil.copy(REPO / "_config.yml", book_dir)
    (book_dir / "references.bib").write_text("")
    (book_dir / "_toc.yml").write_text(
        "format: jb-book\nroot: chapters/index\nchapters:\n  - file: chapters/01_broken\n"
    )
    (book_dir / "chapters" / "index.py").write_text("# %% [markdown]\n# # Index\n")
    (book_dir / "chapters" / "01_broken.py").write_text(
        '# %% [markdown]\n# # Broken\n\n# %% tags=["parameters"]\nprofile = "quick"\n\n'
        '# %%\nraise ValueError("chapter exploded on purpose")\n'
    )
    html = tmp_path / "build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("previous report")
    shutil.copytree(smoke_report / "results", tmp_path / "results")  # the records exist: only the chapter runs
    code = runner.main(
        [
            "run",
            "--profile",
            "smoke",
            "--book-dir",
            str(book_dir),
            "--build-dir",
            str(tmp_path / "build"),
            "--results-dir",
            str(tmp_path / "results"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "chapters/01_broken" in err and "chapter exploded on purpose" in err
    assert (html / "index.html").read_text() == "previous report"
    # the half-executed chapter is set aside, never kept for a later build
    staged = tmp_path / "build" / "book" / "chapters"
    assert not (staged / "01_broken.ipynb").exists() and (staged / "01_broken.failed.ipynb").exists()
    manifest = json.loads((tmp_path / "build" / "book" / runner.MANIFEST).read_text())
    assert [c["chapter"] for c in manifest["chapters"]] == []


def test_unknown_profile_is_a_clear_error(capsys):
    assert runner.main(["run", "--profile", "fast"]) == 2
    assert "unknown profile 'fast'" in capsys.readouterr().err


def test_bad_override_is_a_clear_error(capsys):
    assert runner.main(["run", "--profile", "smoke", "--set", "cnn_3_128.schedule=[6,2]"]) == 2
    assert "not strictly increasing" in capsys.readouterr().err


def test_compute_fills_the_store_that_the_book_then_reads(tmp_path, monkeypatch):
    """Experiments computed without notebooks (as on a GPU machine) are reused by the book, not retrained."""
    from fmnist_lib import profiles
    from fmnist_lib.store import runstore

    results_dir = tmp_path / "results"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fmnist_lib.compute",
            "--profile",
            "smoke",
            "--only",
            "cnn_3_128",
            "--results-dir",
            str(results_dir),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    record_file = next((results_dir / "smoke").glob("cnn_3_128-*.json"))
    before = record_file.read_text()
    monkeypatch.setenv(runstore.ENV_RESULTS_DIR, str(results_dir))
    record = experiments.load(profiles.load_profile("smoke"), "network", "cnn_3_128")
    assert record_file.read_text() == before  # read, not recomputed
    assert record.key in record_file.name
    # a record whose config no longer matches the code is not used
    monkeypatch.setattr(runstore, "RECORD_VERSION", runstore.RECORD_VERSION + 1)
    assert (
        runstore.load_record("smoke", "cnn_3_128", network.network_config(profiles.load_profile("smoke"), "cnn_3_128"))
        is None
    )


def test_compute_rejects_a_bad_profile():
    done = subprocess.run(
        [sys.executable, "-m", "fmnist_lib.compute", "--profile", "fast"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "unknown profile 'fast'" in done.stderr


def test_book_run_force_computes_each_record_once_and_every_chapter_shows_it(smoke_report):
    """`book run --force` computes each record the chapters show exactly once, before any chapter runs."""
    from fmnist_lib import profiles
    from fmnist_lib.experiments import registry
    from fmnist_lib.store import runstore

    cfg = profiles.load_profile("smoke")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(runstore.ENV_RESULTS_DIR, str(smoke_report / "results"))
        plan = registry.plan(cfg)
        # the best classical model at the profile's seed is a baseline record: fitted once, not twice
        classical = {
            (registry.record_of(cfg, j)[0], j.seed)
            for j in plan
            if j.kind in ("baseline", "baseline_scaled", "seed_classical")
        }
    trained, fitted = COUNTED["trained"], COUNTED["fitted"]
    assert sorted(trained) == sorted(set(trained))
    assert len(trained) == len([job for job in plan if job.experiment.accelerated])
    assert sorted(fitted) == sorted(set(fitted)) and len(fitted) == len(classical)
    # the record is the one every chapter shows
    record = json.loads(next((smoke_report / "results" / "smoke").glob("cnn_3_128-*.json")).read_text())
    accuracy = f"{record['result']['stages'][-1]['test_accuracy']:.2%}"
    for chapter in ("03_cnn_3_128", "05_comparison"):
        assert accuracy in visible_text(page(smoke_report, chapter)), chapter


def test_one_chapter_runs_with_papermill_as_the_readme_says(smoke_report, tmp_path):
    """`book notebook 03` writes the chapter for papermill; papermill runs it against the smoke store."""
    import os

    done = subprocess.run(
        [sys.executable, "-m", "fmnist_lib.book", "notebook", "03", "--out", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    notebook = tmp_path / "03_cnn_3_128.ipynb"
    assert done.stdout.strip() == str(notebook)
    env = {**os.environ, "FMNIST_RESULTS_DIR": str(smoke_report / "results")}
    papermill = Path(sys.executable).parent / "papermill"
    ran = subprocess.run(
        [str(papermill), str(notebook), str(tmp_path / "out.ipynb"), "-p", "profile", "smoke"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert "2,067,850" in (tmp_path / "out.ipynb").read_text()


def test_the_report_and_its_notebooks_name_no_machine_folder(smoke_report):
    """The HTML never shows the repository's absolute path; the downloadable notebooks record only file names."""
    for html in (smoke_report / "build" / "html").rglob("*.html"):
        assert str(REPO) not in html.read_text(), html.name
    notebooks = list((smoke_report / "build" / "book" / "chapters").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        run = json.loads(path.read_text())["metadata"].get("papermill", {})
        assert all("/" not in str(run.get(key, "")) for key in ("input_path", "output_path")), path.name


def test_the_smoke_report_reads_cleanly_in_a_real_browser(smoke_report):
    """Chromium opens every page: no console error, raw TeX, {glue, machine folder or table cut at the column.

    Screenshots of the front page and three chapters land in _build/browser-check/ for a person to look at.
    """
    from fmnist_lib.report import browser_check

    try:
        browser_check.browser().quit()
    except browser_check.NoBrowser as exc:
        pytest.skip(f"no browser to read the report with: {exc}")
    shots = REPO / "_build" / "browser-check"
    problems = browser_check.check_site(
        smoke_report / "build" / "html", screenshots=shots, forbidden=(str(REPO), str(smoke_report))
    )
    assert not problems, "\n".join(map(str, problems))
    assert (shots / "index-1400px.png").stat().st_size > 10_000


def test_the_downloadable_notebooks_hold_no_logs_warnings_or_progress_bars(smoke_report):
    notebooks = list((smoke_report / "build" / "book" / "chapters").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        if path.name.endswith((".input.ipynb", ".failed.ipynb")):
            continue
        for cell in json.loads(path.read_text())["cells"]:
            for output in cell.get("outputs", []):
                assert output.get("name") != "stderr", (path.name, "".join(output.get("text", ""))[:200])
                text = "".join(output.get("text", ""))
                assert not re.search(r"Epoch \d+/\d+|it/s\]|absl::|oneDNN", text), (path.name, text[:200])


def test_make_chapter_runs_one_chapter_with_papermill(smoke_report):
    """The README's one command for one chapter: records (already stored here), notebook, papermill."""
    import os

    env = {**os.environ, "FMNIST_RESULTS_DIR": str(smoke_report / "results")}
    done = subprocess.run(
        ["make", "chapter", "CHAPTER=02", "PROFILE=smoke", f"PYTHON={sys.executable}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-2000:])
    executed = REPO / "_build" / "notebooks" / "02_baselines.executed.ipynb"
    assert f"executed: {executed}" in done.stdout
    assert "tbl-baselines" in executed.read_text()


def test_a_committed_record_this_machine_does_not_reproduce_fails_the_recheck_visibly(smoke_report, tmp_path):
    """The re-check of make report: an edited committed record shows as DISAGREES on the front page, exit 1."""
    store = tmp_path / "results"
    shutil.copytree(smoke_report / "results", store)
    committed = next((store / "smoke").glob("baseline-gaussiannb-*.json"))
    edited = json.loads(committed.read_text())
    edited["result"]["correct"] += 40  # still self-consistent, so it passes the record check ...
    edited["result"]["accuracy"] = edited["result"]["correct"] / edited["result"]["n_test"]
    committed.write_text(json.dumps(edited))
    before = committed.read_bytes()
    build = tmp_path / "build"
    shutil.copytree(smoke_report / "build", build)  # the other chapters' runs are kept: only 01 and the front page run
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "fmnist_lib.book",
            "run",
            "--profile",
            "smoke",
            "--recheck",
            "--only",
            "01",
            "--results-dir",
            str(store),
            "--build-dir",
            str(build),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert "re-check failed: classical model GaussianNB" in done.stderr  # ... but not what the code computes here
    front = visible_text((build / "html" / "chapters" / "index.html").read_text())
    assert "DISAGREES" in front and "1 disagrees with the committed record: classical model GaussianNB" in front
    assert committed.read_bytes() == before  # the re-check has its own store: the committed record is untouched
    assert list((build / "recheck" / "smoke").glob("baseline-gaussiannb-*.json"))


def test_ctrl_c_inside_a_chapter_is_one_line_and_exit_130(smoke_report, tmp_path):
    """Ctrl-C while a chapter's kernel runs: the runner's one line, exit 130, no kernel traceback (issue 25)."""
    import os
    import signal
    import time

    build = tmp_path / "build"
    shutil.copytree(smoke_report / "build", build)  # every chapter kept but 01, which runs and is interrupted
    command = [sys.executable, "-m", "fmnist_lib.book", "run", "--profile", "smoke", "--only", "01",
               "--results-dir", str(smoke_report / "results"), "--build-dir", str(build)]  # fmt: skip
    run = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True)  # fmt: skip
    seen = []
    for line in run.stdout:
        seen.append(line)
        if "[chapters/01_dataset] executing" in line:
            time.sleep(3)  # inside the chapter's cells
            os.killpg(run.pid, signal.SIGINT)
            break
    rest = run.stdout.read()
    assert run.wait(timeout=120) == 130, "".join(seen) + rest
    assert "Traceback" not in rest and "ZMQError" not in rest, rest
    assert rest.strip().splitlines()[-1].startswith("interrupted: the records finished so far are stored"), rest


def test_after_ctrl_c_the_stopped_chapters_teardown_logs_nothing():
    """nbclient's "Kernel died" line and asyncio's unretrieved DeadKernelError stay out of the terminal (CI)."""
    script = """
import asyncio, gc, logging, os, signal, time
from fmnist_lib.report.runner import silent_after_interrupt
try:
    with silent_after_interrupt():
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(10)
except KeyboardInterrupt:
    pass
logging.getLogger("traitlets").error("Kernel died while waiting for execute reply.")
async def cell():
    raise RuntimeError("Kernel died")
loop = asyncio.new_event_loop()
task = loop.create_task(cell())  # what nbclient leaves behind: a task whose exception nobody retrieves
loop.run_until_complete(asyncio.sleep(0.1))
del task
gc.collect()
loop.close()
print("stopped")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "stopped", done.stderr
    assert done.stderr == ""


def test_a_chapter_whose_kernel_dies_fails_by_name(tmp_path):
    """A kernel killed mid-cell (out of memory, say) is a failed chapter, named, not a traceback from nbclient."""
    source = tmp_path / "chapters" / "01_dies.py"
    source.parent.mkdir()
    source.write_text("# %% [markdown]\n# # Dies\n\n# %%\nimport os\nos._exit(9)\n")
    target = tmp_path / "build" / "chapters" / "01_dies.ipynb"
    with pytest.raises(
        runner.ChapterFailed, match=r"chapters/01_dies.py failed because its Python kernel died mid-cell"
    ):
        runner.execute_chapter(source, target, {}, tmp_path)
    assert not target.exists()
