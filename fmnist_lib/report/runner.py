"""The runner: compute the records, execute the chapters with papermill, render with Jupyter Book.

Only this module knows about papermill and jupyter-book. First every record
the selected chapters show is computed through the experiment registry and
the run store, each exactly once (``--force``: recomputed once). Then the
chapters, which only read records, are converted from jupytext in memory,
executed with the profile's parameters into ``_build/<profile>/book/``, and
the book is built from those executed notebooks (Jupyter Book itself never
executes anything). A chapter that fails stops the run with its name and
cell; it is never kept for a later build, and the previous report is left
untouched rather than replaced by a half-built one.

    python -m fmnist_lib.book run --profile quick
    python -m fmnist_lib.book run --profile quick --only 03 --set seed=1
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator

import yaml

from fmnist_lib import profiles
from fmnist_lib.data.fashion import DataError, check_folder_readable, locate_data_dir
from fmnist_lib.report import INTERRUPTED
from fmnist_lib.report.chapter_format import as_notebook, fold_code
from fmnist_lib.report.quiet import is_noise
from fmnist_lib.settings import ENV_DEVICES, ENV_RESULTS_DIR, REPO_ROOT
from fmnist_lib.store import runstore
from fmnist_lib.text import counted
from fmnist_lib.training.distribute import DistributionError, check_environment

BOOK_FILES = ("_config.yml", "_toc.yml", "references.bib")
SOURCE_SUFFIXES = (".py", ".md")
MANIFEST = "run_manifest.json"


class QuietKernelNoise(logging.Filter):
    """Drop TensorFlow's and Jupyter's start-up chatter from the streamed chapter output."""

    def filter(self, record: logging.LogRecord) -> bool:
        lines = [line for line in record.getMessage().splitlines() if not is_noise(line)]
        if not lines:
            return False
        record.msg, record.args = "\n".join(lines), ()
        return True


class ChapterFailed(RuntimeError):
    """A chapter raised while executing; the message names the chapter and the cell."""


def toc_chapters(book_dir: Path) -> tuple[str, list[str]]:
    """(root, chapters) as paths without suffix, in the order of ``_toc.yml``."""
    toc = yaml.safe_load((book_dir / "_toc.yml").read_text())
    chapters: list[str] = []

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                chapters.append(entry["file"])
            walk(entry.get("sections"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    return toc["root"], chapters


def source_of(book_dir: Path, stem: str) -> Path:
    for suffix in SOURCE_SUFFIXES:
        candidate = book_dir / (stem + suffix)
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"_toc.yml names {stem}, but neither {stem}.py nor {stem}.md exists in {book_dir}")


def write_notebook(source: Path, target: Path) -> Path:
    """A jupytext chapter as an unexecuted .ipynb with a kernelspec: what papermill can run."""
    import jupytext

    target.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(as_notebook(jupytext.read(source)), target, fmt="ipynb")
    return target


def execute_chapter(source: Path, target: Path, parameters: dict, cwd: Path) -> float:
    """Run one jupytext chapter into an executed .ipynb; return its wall time in seconds."""
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    unexecuted = write_notebook(source, target.with_suffix(".input.ipynb"))
    failed = target.with_suffix(".failed.ipynb")  # kept to read, never rendered or kept for the book
    chapter = source.relative_to(source.parents[1])
    started = time.perf_counter()
    try:
        with silent_after_interrupt():
            papermill.execute_notebook(
                str(unexecuted),
                str(target),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(cwd),
                progress_bar=False,
                log_output=False,  # chapters only read records: the terminal shows one line per chapter
                # a chapter only reads: its kernel is stopped, not asked to shut down, so a Ctrl-C mid-cell does
                # not leave it tracing back over its closed sockets in the terminal
                shutdown_kernel="immediate",
            )
        hide_default_parameters(target)
    except (PapermillExecutionError, DeadKernelError) as exc:
        if target.exists():
            target.replace(failed)
        if isinstance(exc, PapermillExecutionError):
            what = f"in cell {exc.cell_index} (execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
        else:
            what = "because its Python kernel died mid-cell (out of memory, or killed); free memory and rerun"
        raise ChapterFailed(
            f"chapter {chapter} failed {what}\nThe partly executed notebook, not part of any report, is {failed}"
        ) from exc
    finally:
        unexecuted.unlink(missing_ok=True)
    return time.perf_counter() - started


@contextlib.contextmanager
def silent_after_interrupt() -> Iterator[None]:
    """From a Ctrl-C on, nothing is logged: the runner's one line is all the user sees.

    Papermill kills the kernel of an interrupted chapter. nbclient's cell task,
    still pending, may then poll the killed kernel, log "Kernel died while
    waiting for execute reply" and leave a never-retrieved ``DeadKernelError``
    that asyncio logs with its traceback when the task is collected (seen in
    CI, where the poll's one-second tick happened to fall inside the teardown).
    Both report the interrupt the user asked for, not a fault, so logging is
    switched off at the interrupt, for the little that is left of the process.
    Signal handlers belong to the main thread; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupted(signum: int, frame: object) -> None:
        logging.disable(logging.CRITICAL)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def hide_default_parameters(notebook_path: Path) -> None:
    """Keep the injected parameters in the report, drop the defaults they replace, fold the code away.

    Readers come for the numbers and the prose; every code cell stays one click
    away ("hide-input": a toggle shows it), and the downloadable notebook keeps it.
    What the kernel wrote to stderr (TensorFlow's start-up lines, warnings,
    progress bars) was streamed to the terminal during the run; the report and
    the downloadable notebook keep only the chapter's own output.
    """
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.setdefault("tags", [])
        if ("parameters" in tags or "injected-parameters" in tags) and "remove-cell" not in tags:
            tags.append("remove-cell")  # the run card lists the parameters; the download keeps the cell
        if cell.cell_type == "code":  # library start-up lines, warnings and progress went to the terminal already
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    fold_code(notebook)
    run = notebook.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):  # the downloadable notebook names no machine's folders
        if run.get(key):
            run[key] = Path(run[key]).name
    nbformat.write(notebook, notebook_path)


def runner_config(config_path: Path) -> None:
    """The book's configuration for building from notebooks papermill executed: Jupyter Book executes nothing.

    The repository's ``_config.yml`` lets a plain ``jupyter-book build .`` execute
    the jupytext chapters; the runner has executed them already, with a profile.
    """
    if not config_path.exists():
        return
    config = yaml.safe_load(config_path.read_text())
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))


def is_notebook(source: Path) -> bool:
    """Percent .py files always are; a .md page is one only with a jupytext kernelspec header."""
    return source.suffix == ".py" or "kernelspec:" in source.read_text().split("\n---", 1)[0]


class NoSuchChapter(profiles.ProfileError):
    """A chapter asked for by a number or name the table of contents does not have; the message lists them."""


def select_chapters(chapters: list[str], only: list[str] | None, asked_by: str = "--only") -> list[str]:
    """Chapters matching ``only`` by file name or its leading number; ``asked_by`` names the option in errors."""
    if not only:
        return list(chapters)
    picked = []
    for wanted in only:
        matches = [c for c in chapters if wanted in (Path(c).name, chapter_number(c), c)]
        if not matches:
            names = ", ".join(dict.fromkeys(chapter_number(c) for c in chapters))  # 06: the audit and its appendices
            raise NoSuchChapter(f"{asked_by} {wanted!r} names no chapter; the chapters are: {names}")
        picked += matches
    return picked


def chapter_number(stem: str) -> str:
    """``chapters/03_cnn_3_128`` -> ``03``; ``chapters/index`` -> ``index``: how the registry names chapters."""
    return Path(stem).name.split("_")[0]


class ComputeFailed(RuntimeError):
    """A record the chapters need could not be computed; the chapters were not executed."""


def compute_records(cfg: dict, chapters: list[str], force: bool, report=print) -> set[str]:
    """Compute every record the chapters show, each once; return the chapters showing a recomputed record.

    Without ``force`` only missing records are computed. A render-only profile
    (the full one, made on a GPU) computes nothing here: its chapters show what
    is stored and name the command for the rest.
    """
    from fmnist_lib.experiments import (
        jobs,  # Keras comes with them: imported once the backend name is checked
        registry,
    )

    numbers = [chapter_number(c) for c in chapters]
    plan = registry.plan(cfg, chapters=numbers)

    def stored_or_refused(job):  # a refused (edited or damaged) record is what --force replaces
        try:
            return registry.stored_record(cfg, job)
        except runstore.RecordError:
            if force:
                return None
            raise

    stored = {job: stored_or_refused(job) for job in plan}
    stale = [job.label for job, rec in stored.items() if rec and rec.code_status.changed]
    if stale and not force:
        report(f"warning: {counted(len(stale), 'record')} were computed by code that has changed since "
               f"({', '.join(stale)}); their provenance tables say which code; --force recomputes them")  # fmt: skip
    todo = [job for job in plan if force or stored[job] is None]
    if not todo:
        return set()
    if cfg["profile"] in profiles.RENDER_ONLY:
        report(
            f"{counted(len(todo), 'record')} of profile {cfg['profile']} are not stored; the chapters list them "
            f"(python -m fmnist_lib.compute --profile {cfg['profile']} --plan shows them)"
        )
        return set()
    registry.check_inputs(todo)
    report(f"computing {counted(len(todo), 'record')} the chapters need ...")
    outcomes = jobs.run_jobs(cfg, todo, force=force, report=report)
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise ComputeFailed("; ".join(f"{o.job.label}: {o.message}" for o in failed))
    kinds = {o.job.kind for o in outcomes if o.status == "done"}
    return {c for c in chapters if kinds & set(_chapter_kinds(chapter_number(c)))}


def _chapter_kinds(number: str) -> list[str]:
    from fmnist_lib.experiments import registry

    return [kind for kind, e in registry.REGISTRY.items() if number in e.chapters]


def build_html(staging: Path, html_dir: Path) -> None:
    """Render the executed notebooks; swap the result in only if the build succeeds."""
    exe = Path(sys.executable).parent / "jupyter-book"
    command = [
        str(exe) if exe.exists() else "jupyter-book",
        "build",
        str(staging),
        "--builder",
        "html",
        "-W",
        "-n",
        "--keep-going",
    ]
    with tempfile.TemporaryDirectory(dir=html_dir.parent) as tmp:
        command += ["--path-output", tmp]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise ChapterFailed(f"jupyter-book build failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
        if html_dir.exists():
            shutil.rmtree(html_dir)
        shutil.move(str(Path(tmp) / "_build" / "html"), html_dir)


def _prepare(profile: str, book_dir: Path, build_dir: Path | None, results_dir: Path | None) -> tuple[Path, Path]:
    """Check the data and the build folder, point the run store at ``results_dir``; return (build, staging) dirs."""
    check_folder_readable()
    locate_data_dir()  # fail on missing data before anything runs
    build_dir = Path(build_dir or book_dir / "_build" / profile).resolve()
    if build_dir.exists() and not build_dir.is_dir():
        raise profiles.ProfileError(f"--build-dir {build_dir} is a file; name a folder (it is made if missing)")
    staging = build_dir / "book"
    staging.mkdir(parents=True, exist_ok=True)
    os.environ[ENV_RESULTS_DIR] = str(Path(results_dir or book_dir / "results").resolve())
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    _stage_book_files(book_dir, staging)
    return build_dir, staging


def _stage_book_files(book_dir: Path, staging: Path) -> None:
    """The book's configuration, bibliography and CSS beside the executed notebooks (Jupyter Book executes nothing)."""
    for name in BOOK_FILES:
        if (book_dir / name).exists():
            shutil.copy(book_dir / name, staging / name)
    runner_config(staging / "_config.yml")
    if (book_dir / "_static").is_dir():  # the report's own CSS
        shutil.copytree(book_dir / "_static", staging / "_static", dirs_exist_ok=True)


def _to_execute(notebooks: list[str], selected: list[str], keepable: set[str], only: list[str] | None) -> list[str]:
    """The chapters asked for, and every other one without a kept run of these parameters (said once)."""
    unkept = [c for c in notebooks if c not in selected and c not in keepable]
    if only and unkept:
        print(
            f"executing {', '.join(unkept)} as well: no successful earlier run of "
            f"{'it' if len(unkept) == 1 else 'them'} with these parameters to keep",
            flush=True,
        )
    return [c for c in notebooks if c in selected or c not in keepable]


def _execute_chapters(
    book_dir: Path, staging: Path, chapters: list[str], to_execute: list[str], parameters: dict, timings: dict
) -> None:
    """Execute (or keep) each chapter in order; a failed or interrupted one is dropped from ``timings`` and disk."""
    manifest_path = staging / MANIFEST
    for stem in chapters:
        source = source_of(book_dir, stem)
        if not is_notebook(source):  # a static page, e.g. the bibliography
            (staging / stem).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, staging / (stem + source.suffix))
            continue
        target = staging / (stem + ".ipynb")
        if stem not in to_execute:
            print(f"[{stem}] kept from the previous run ({timings[stem]['ran_at']})", flush=True)
            continue
        print(f"[{stem}] executing ...", flush=True)
        try:
            seconds = execute_chapter(source, target, parameters, book_dir)
        except BaseException:
            # a failed or interrupted chapter is never kept for a later build
            target.unlink(missing_ok=True)
            timings.pop(stem, None)
            kept = [timings[c] for c in chapters if c in timings]
            runstore.write_json_atomic(manifest_path, {**parameters, "chapters": kept})
            raise
        ran_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        timings[stem] = {"chapter": stem, "seconds": seconds, "ran_at": ran_at}
        print(f"[{stem}] done in {seconds:.1f} s", flush=True)


def _check_recheck(manifest: dict, html_dir: Path) -> None:
    """A re-check that disagrees fails the run, after the report that shows it is built."""
    disagree = [row for row in manifest.get("recheck", []) if row["agrees"] is False]
    if disagree:
        raise RecheckFailed(
            "; ".join(
                f"{row['label']}: committed {row['committed']}, here {row['here']}: {row['note'] or row['rule']}"
                for row in disagree
            )
            + f". The report at {html_dir / 'index.html'} shows it on its front page."
        )


def run(
    profile: str = profiles.DEFAULT_PROFILE,
    overrides: dict | None = None,
    only: list[str] | None = None,
    force: bool = False,
    book_dir: Path = REPO_ROOT,
    build_dir: Path | None = None,
    results_dir: Path | None = None,
    recheck: bool = False,
) -> Path:
    """Execute the chapters and build the report; return the path of its front page.

    With ``recheck``, the profile's re-check sample is first re-computed on this
    machine into a store of its own and compared with the committed records; the
    front page shows the comparison and a disagreement fails the run (``RecheckFailed``).
    """
    overrides = overrides or {}
    cfg = profiles.load_profile(profile, overrides)  # fail on a bad profile before anything runs
    build_dir, staging = _prepare(profile, book_dir, build_dir, results_dir)
    root, chapters = toc_chapters(book_dir)
    manifest_path = staging / MANIFEST
    previous = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    timings = {c["chapter"]: c for c in previous.get("chapters", []) if previous.get("overrides") == overrides}
    parameters = {"profile": profile, "overrides": overrides}
    started = dt.datetime.now(dt.timezone.utc)
    notebooks = [c for c in chapters if is_notebook(source_of(book_dir, c))]
    keepable = {c for c in notebooks if (staging / (c + ".ipynb")).exists() and c in timings}
    to_execute = _to_execute(notebooks, select_chapters(chapters, only), keepable, only)
    # compute, then render: the chapters only read what is stored now. Chapters that show a
    # recomputed record run again, so the book never shows two versions of one record.
    say = lambda line: print(line, flush=True)  # noqa: E731
    shown_again = compute_records(cfg, [*to_execute, root], force, report=say) - set(to_execute) - {root}
    if shown_again:
        compute_records(cfg, sorted(shown_again), False, report=say)
        to_execute += sorted(shown_again)
    _execute_chapters(book_dir, staging, chapters, to_execute, parameters, timings)
    manifest = {
        **parameters,
        "started": started.isoformat(timespec="seconds"),
        "chapters": [timings[c] for c in chapters if c in timings],
    }
    if recheck:
        from fmnist_lib.experiments import recheck as live

        manifest["recheck"] = live.as_rows(live.run(cfg, build_dir / "recheck", report=say))
    runstore.write_json_atomic(manifest_path, manifest)
    print(f"[{root}] executing the run card ...", flush=True)
    # the times themselves go in as a parameter: no machine path in the report
    execute_chapter(
        source_of(book_dir, root), staging / (root + ".ipynb"), {**parameters, "manifest": manifest}, book_dir
    )
    html_dir = build_dir / "html"
    print("building the HTML report ...", flush=True)
    build_start = time.perf_counter()
    build_html(staging, html_dir)
    manifest["build_seconds"] = time.perf_counter() - build_start
    runstore.write_json_atomic(manifest_path, manifest)
    print(f"built in {manifest['build_seconds']:.1f} s", flush=True)
    _check_recheck(manifest, html_dir)
    return html_dir / "index.html"


class RecheckFailed(RuntimeError):
    """A committed record that this machine does not reproduce by its rule; the report was built and shows it."""


def _parser() -> argparse.ArgumentParser:
    """``run`` and ``notebook``, with every option the README names."""
    parser = argparse.ArgumentParser(
        prog="python -m fmnist_lib.book", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="execute the chapters and build the HTML report")
    p_run.add_argument(
        "--profile",
        default=profiles.REPORT_PROFILE,
        help=f"one of {', '.join(profiles.profile_names())} (default: %(default)s)",
    )
    p_run.add_argument(
        "--only",
        action="append",
        metavar="CHAPTER",
        help="execute only this chapter (file name or number, e.g. 03); repeatable",
    )
    p_run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="assignments",
        help="override a profile parameter, e.g. --set cnn_3_128.schedule=[2,6]",
    )
    p_run.add_argument("--force", action="store_true", help="recompute results even if stored")
    p_run.add_argument(
        "--recheck",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="re-compute the profile's re-check sample here first and compare it with the committed records "
        "(default: on for the full profile, whose records were made elsewhere)",
    )
    p_run.add_argument(
        "--devices", type=int, default=1, metavar="N", help="train data-parallel over N devices (GPUs; default 1)"
    )
    p_run.add_argument("--build-dir", type=Path, help="default: _build/<profile>")
    p_run.add_argument("--results-dir", type=Path, help="default: results/")
    p_run.add_argument("--book-dir", type=Path, default=REPO_ROOT, help=argparse.SUPPRESS)
    p_nb = sub.add_parser(
        "notebook",
        help="write chapters as .ipynb files for papermill, e.g. then: "
        "papermill _build/notebooks/03_cnn_3_128.ipynb out.ipynb -p profile smoke",
    )
    p_nb.add_argument("chapters", nargs="+", metavar="CHAPTER", help="file name or number, e.g. 03")
    p_nb.add_argument("--out", type=Path, default=REPO_ROOT / "_build" / "notebooks", help="default: _build/notebooks")
    return parser


def _notebooks(args: argparse.Namespace) -> int:
    """``book notebook``: chapters as unexecuted .ipynb files for papermill; a chapter that does not exist is exit 2."""
    _, chapters = toc_chapters(REPO_ROOT)
    try:
        stems = select_chapters([*chapters, "chapters/index"], args.chapters, asked_by="chapter")
    except NoSuchChapter as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for stem in stems:
        print(write_notebook(source_of(REPO_ROOT, stem), args.out / (Path(stem).name + ".ipynb")))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "notebook":
        return _notebooks(args)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(QuietKernelNoise())
    logging.getLogger("papermill").setLevel(logging.WARNING)  # its notebook paths and kernel name, per chapter
    if args.devices < 1:
        print("error: --devices must be at least 1", file=sys.stderr)
        return 2
    os.environ[ENV_DEVICES] = str(args.devices)
    try:
        check_environment()
        overrides = dict(profiles.parse_assignment(a) for a in args.assignments)
        index = run(
            args.profile,
            overrides,
            args.only,
            args.force,
            args.book_dir.resolve(),
            args.build_dir,
            args.results_dir,
            recheck=args.profile in profiles.RENDER_ONLY if args.recheck is None else args.recheck,
        )
    except (profiles.ProfileError, DataError, runstore.RecordError, DistributionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (ChapterFailed, ComputeFailed, FileNotFoundError) as exc:
        print(f"error: {exc}\nThe report was not updated.", file=sys.stderr)
        return 1
    except RecheckFailed as exc:
        print(f"error: re-check failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
    print(f"report: {index}")
    return 0
