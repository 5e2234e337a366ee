"""The browser check finds what a reader would trip on; it needs Chromium, chromedriver and selenium."""

from pathlib import Path

import pytest

from fmnist_lib.report import browser_check


def _browser_or_skip():
    try:
        driver = browser_check.browser()
    except browser_check.NoBrowser as exc:
        pytest.skip(f"no browser to check pages with: {exc}")
    driver.quit()


PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>x</title>{head}</head>
<body><main><article class="bd-article" style="max-width: 700px">{body}</article></main></body></html>"""


def _site(tmp_path: Path, pages: dict[str, str]) -> Path:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "favicon.ico").write_bytes(b"")
    for name, body in pages.items():
        (tmp_path / "chapters" / f"{name}.html").write_text(PAGE.format(head="", body=body))
    return tmp_path


def test_a_clean_page_passes_and_each_kind_of_fault_is_named(tmp_path):
    _browser_or_skip()
    wide = "<table id='tbl-wide' style='width: 1200px'><tr><td>1</td></tr></table>"
    site = _site(
        tmp_path,
        {
            "clean": "<p>92.29 % [91.75 %, 92.80 %]</p>",
            "faulty": "<p>formula \\(K \\times K\\)</p><p>{glue:text}`x`</p><p>/home/someone/fmnist</p>"
            + wide
            + "<script>undefined_function()</script>",
        },
    )
    problems = [str(p) for p in browser_check.check_site(site, forbidden=("/home/someone",))]
    assert not [p for p in problems if p.startswith("clean:")], problems
    faulty = " | ".join(problems)
    for needle in ("raw TeX", "unresolved {glue}", "shows the folder /home/someone", "table tbl-wide", "console"):
        assert needle in faulty, needle


def test_a_table_that_only_fits_by_scrolling_is_cut_and_a_phone_must_see_its_first_three_columns(tmp_path):
    """A scroll box hides the columns a reader came for: at 1400 px it fails; on a phone the key columns must fit."""
    _browser_or_skip()
    wide = "<table id='tbl-wide' style='width: 1200px'><tr><td>1</td></tr></table>"
    boxed = f"<div style='overflow-x: auto; width: 700px'>{wide.replace('tbl-wide', 'tbl-boxed')}</div>"
    narrow = "<table id='tbl-narrow'><tr><td>claim</td><td>ours</td><td>verdict</td><td>note</td></tr></table>"
    keys_off = (
        "<div style='overflow-x: auto'><table id='tbl-keys-off'><tr><td style='min-width: 300px'>a</td>"
        "<td style='min-width: 300px'>b</td><td>c</td></tr></table></div>"
    )
    site = _site(tmp_path, {"page": boxed + narrow + keys_off})
    problems = " | ".join(str(p) for p in browser_check.check_site(site))
    assert "table tbl-boxed is wider than the column" in problems  # scrolling no longer excuses it
    assert "table tbl-keys-off: its first three columns do not fit a phone's width" in problems
    assert "tbl-narrow" not in problems


def test_no_built_report_is_one_line_and_exit_2(tmp_path, capsys):
    assert browser_check.main([str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "build the report first" in err[0]


def test_a_plain_page_without_the_themes_article_is_checked_not_crashed_on(tmp_path):
    _browser_or_skip()
    (tmp_path / "chapters").mkdir()
    (tmp_path / "favicon.ico").write_bytes(b"")
    (tmp_path / "chapters" / "bare.html").write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body><p>{glue:text}`x`</p>"
        "<table id='tbl-wide' style='width: 3000px'><tr><td>1</td></tr></table></body></html>"
    )
    problems = " | ".join(str(p) for p in browser_check.check_site(tmp_path))
    assert "unresolved {glue}" in problems and "table tbl-wide" in problems


def test_template_leftovers_a_long_paragraph_on_two_pages_and_a_tall_audit_are_named(tmp_path):
    _browser_or_skip()
    said_twice = "<p>" + " ".join(f"word{i}" for i in range(25)) + "</p>"
    site = _site(
        tmp_path,
        {
            "06_audit": said_twice + "<div style='height: 7000px'>tall</div>",
            "index": said_twice + "<p>After 2 epoch(s), see [1]; a change of -0.0 pp.</p>",
            "clean": "<p>After 2 epochs (Mukhamediev, 2024) the change is 0.0 pp, -0.05 pp, schedule=[1].</p>",
        },
    )
    problems = [str(p) for p in browser_check.check_site(site)]
    assert not [p for p in problems if p.startswith("clean:")], problems
    text = " | ".join(problems)
    for needle in ("template plural '(s)'", "bare numbered citation", "a signed zero", "a paragraph also on"):
        assert needle in text, needle
    assert "06_audit: " in text and "more than its 6,000" in text
