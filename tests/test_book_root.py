"""`jupyter-book build .` at the root of a fresh checkout: the whole report from the committed records."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds the book, trains on several backends or in subprocesses

REPO = Path(__file__).resolve().parents[1]


def _checkout(target: Path) -> Path:
    """What a fresh clone of this working tree holds: tracked and new files, no ignored build outputs."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout: nothing to clone")
    for name in filter(None, listed.stdout.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_jupyter_book_build_at_the_root_renders_the_committed_records_without_training(tmp_path):
    root = _checkout(tmp_path / "clone")
    records = sorted(p.name for p in (root / "results").rglob("*.json"))
    exe = Path(sys.executable).parent / "jupyter-book"
    env = {**os.environ, "PYTHONPATH": str(root)}  # the clone's own fmnist_lib, and so its own results/
    env.pop("FMNIST_RESULTS_DIR", None)
    done = subprocess.run(
        [str(exe), "build", ".", "-W", "-n", "--keep-going"], cwd=root, env=env, capture_output=True, text=True,
        timeout=1500,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout[-3000:], done.stderr[-3000:])
    html = root / "_build" / "html" / "chapters"
    for chapter in ("index", "01_dataset", "03_cnn_3_128", "06_audit", "07_scaling", "references"):
        text = (html / f"{chapter}.html").read_text()
        assert "{glue" not in text and "Traceback" not in text, chapter
    page = (html / "index.html").read_text()
    front = re.sub(r"<[^>]+>", " ", page)
    assert "The bottom line" in front and "full" in front and "99.67%" in front
    # the bottom line's findings are a list, one item per claim, not list markup run into the paragraph
    bottom = page[page.index('section id="the-bottom-line"') : page.index('section id="what-is-not-recorded-yet"')]
    items = [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li>(.*?)</li>", bottom, flags=re.S)]
    assert len(items) == 5 and "99.06% at 2 epochs" in items[0], items
    assert sorted(p.name for p in (root / "results").rglob("*.json")) == records  # read, never written
    assert not list((root / "results").rglob("*.keras"))  # nothing was trained


def test_a_root_build_refuses_an_edited_record_with_one_line_and_exit_2(tmp_path):
    """`jupyter-book build .` checks the records before any chapter runs: no page with a traceback is published."""
    import json

    root = _checkout(tmp_path / "clone")
    record = sorted((root / "results" / "full").glob("cnn_3_128-*.json"))[0]
    edited = json.loads(record.read_text())
    edited["result"]["stages"][-1]["test_accuracy"] = 0.9912  # no longer what its predictions score
    record.write_text(json.dumps(edited))
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("FMNIST_RESULTS_DIR", None)
    exe = Path(sys.executable).parent / "jupyter-book"
    done = subprocess.run([str(exe), "build", "."], cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 2
    errors = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and record.name in errors[0] and "rerun with --force" in errors[0]
    assert not (root / "_build" / "html" / "chapters" / "03_cnn_3_128.html").exists()
