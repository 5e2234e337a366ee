"""Read the built report in a real browser (Chromium through selenium) and list what a reader would trip on.

A page can build without a Sphinx warning and still show raw TeX, an unresolved
``{glue`` role, a machine's folder, a console error or a table cut off at the
column's edge. Those only show once a browser lays the page out, so this serves
the HTML on 127.0.0.1, as a reader's browser would get it, opens every page and
checks each. It also saves screenshots for a person to look at.

    python -m fmnist_lib.browser_check _build/full/html --screenshots _build/browser-check
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fmnist_lib.text import counted

WIDE, PHONE = 1400, 420
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\times|\\frac|\$\$")
SCREENSHOT_PAGES = ("index", "02_baselines", "06_audit", "06_audit_claims", "07_scaling")
# what a template leaves when its words were not fitted to the numbers, or a citation to its source
LEFTOVERS = (
    (re.compile(r"\w\(s\)"), "a template plural '(s)'"),
    (re.compile(r"(?<![\w=\[,(])\[\d+\](?![\w(,])"), "a bare numbered citation such as '[1]'"),
    (re.compile(r"(?<![\w.])[-+\u2212]0(?:\.0+)?(?![\d.])"), "a signed zero"),
)
# pages a reader is promised to read in minutes, and how tall they may be at the desktop width (px)
TALLEST = {"06_audit": 6000}
REPEATED_WORDS = 20  # a paragraph this long says one thing once in the book: on one page, linked from the others

# Tables that do not fit: at the desktop width every visible table must fit the column (a scroll box
# hides exactly the columns a reader came for); on a phone its first three columns (claim, ours, verdict)
# must show without scrolling, the rest may scroll in its box.
_CUT_TABLES = """
const wide = arguments[0];
const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
const column = article.getBoundingClientRect();
const cut = [];
for (const table of article.querySelectorAll('table')) {
  if (table.offsetParent === null) continue;  // folded away: measured when a reader opens it
  const name = table.id || (table.caption && table.caption.innerText.slice(0, 40)) || 'a table without id';
  if (wide) {
    if (table.getBoundingClientRect().width > column.width + 1) cut.push(name);
  } else {
    const first = table.querySelector('tr');
    const cells = first ? first.children : [];
    const key = cells[Math.min(2, cells.length - 1)];
    const shown = key ? key.getBoundingClientRect().right - table.getBoundingClientRect().left : 0;
    if (shown > column.width + 1) cut.push(name);
  }
}
return cut;
"""
_MATH_PENDING = """
const math = document.querySelectorAll('.math').length;
return math > 0 && document.querySelectorAll('mjx-container').length < math;
"""


class NoBrowser(RuntimeError):
    """Chromium, its driver or selenium is missing; the message says how to install them."""


@dataclass(frozen=True)
class Problem:
    page: str
    what: str

    def __str__(self) -> str:
        return f"{self.page}: {self.what}"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test output is the list of problems, not an access log
        pass


@contextlib.contextmanager
def serve(html_dir: Path) -> Iterator[str]:
    """The built site on http://127.0.0.1:<free port>/, for as long as the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def browser(width: int = WIDE):
    """Headless Chromium with its console log kept; NoBrowser says what to install when it cannot start."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver_path = shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        raise NoBrowser("selenium is not installed: pip install -e '.[dev]' (make setup does it)") from exc
    if not chromium or not driver_path:
        raise NoBrowser(
            "no Chromium and chromedriver on PATH: apt-get install chromium chromium-driver "
            "(make setup does it as root)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},1000")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        return webdriver.Chrome(options=options, service=Service(driver_path))
    except Exception as exc:  # selenium's own errors: a driver that does not match the browser, no display, ...
        raise NoBrowser(f"Chromium did not start through chromedriver: {str(exc).splitlines()[0]}") from exc


def _wait_for_math(driver, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and driver.execute_script(_MATH_PENDING):
        time.sleep(0.2)


def page_problems(driver, url: str, name: str, forbidden: tuple[str, ...] = ()) -> list[Problem]:
    """Everything wrong with one page as the browser shows it."""
    driver.get(url)
    _wait_for_math(driver)
    found = [
        Problem(name, f"console {entry['level']}: {entry['message']}")
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE"
    ]
    text = driver.execute_script("return (document.querySelector('main') || document.body).innerText")
    if "{glue" in text:
        found.append(Problem(name, "an unresolved {glue} role"))
    tex = RAW_TEX.search(text)
    if tex:
        found.append(Problem(name, f"raw TeX on the page: ...{text[max(0, tex.start() - 30) : tex.end() + 30]!r}"))
    found += [Problem(name, f"shows the folder {path}") for path in forbidden if path and path in text]
    for pattern, what in LEFTOVERS:
        hit = pattern.search(text)
        if hit:
            found.append(Problem(name, f"{what}: ...{text[max(0, hit.start() - 30) : hit.end() + 30]!r}"))
    wide = driver.execute_script("return window.innerWidth") >= WIDE - 100
    height = driver.execute_script("return document.documentElement.scrollHeight")
    if wide and name in TALLEST and height > TALLEST[name]:
        found.append(Problem(name, f"{height:,} px tall at {WIDE} px, more than its {TALLEST[name]:,}"))
    found += [
        Problem(
            name,
            f"table {table} is wider than the column"
            if wide
            else f"table {table}: its first three columns do not fit a phone's width",
        )
        for table in driver.execute_script(_CUT_TABLES, wide)
    ]
    return found


def paragraphs(driver) -> list[str]:
    """The page's paragraphs as a reader sees them, whitespace collapsed, long enough to count as saying something."""
    texts = driver.execute_script(
        "return [...(document.querySelector('main') || document.body).querySelectorAll('p')].map(p => p.innerText)"
    )
    collapsed = (" ".join(t.split()) for t in texts)
    return [t for t in collapsed if len(t.split()) > REPEATED_WORDS]


def repeated_paragraphs(seen: dict[str, list[str]]) -> list[Problem]:
    """Each long paragraph that stands on more than one page (``seen``: page -> its paragraphs)."""
    pages_of: dict[str, list[str]] = {}
    for page, texts in seen.items():
        for text in dict.fromkeys(texts):
            pages_of.setdefault(text, []).append(page)
    return [
        Problem(pages[0], f"a paragraph also on {', '.join(pages[1:])}: {text[:60]!r}...")
        for text, pages in pages_of.items()
        if len(pages) > 1
    ]


def screenshot(driver, url: str, target: Path, width: int, max_height: int = 9000) -> Path:
    """The whole page (up to ``max_height`` px) at ``width`` px, saved as PNG."""
    driver.set_window_size(width, 1000)
    driver.get(url)
    _wait_for_math(driver)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(int(height) + 100, max_height))
    time.sleep(0.3)
    target.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(target))
    return target


def check_site(html_dir: Path, screenshots: Path | None = None, forbidden: tuple[str, ...] = ()) -> list[Problem]:
    """Open every chapter page of a built report; return the problems, and save screenshots if asked."""
    pages = sorted((html_dir / "chapters").glob("*.html"))
    if not pages:
        raise FileNotFoundError(f"{html_dir} holds no chapters/*.html: build the report first (make report)")
    problems: list[Problem] = []
    seen: dict[str, list[str]] = {}
    with serve(html_dir) as base:
        driver = browser(WIDE)
        try:
            for width in (WIDE, PHONE):
                driver.set_window_size(width, 1000)
                for path in pages:
                    found = page_problems(driver, f"{base}chapters/{path.name}", path.stem, forbidden)
                    problems += [p for p in found if p not in problems]
                    if width == WIDE:
                        seen[path.stem] = paragraphs(driver)
            problems += repeated_paragraphs(seen)
            if screenshots is not None:
                for stem in SCREENSHOT_PAGES:
                    if (html_dir / "chapters" / f"{stem}.html").exists():
                        url = f"{base}chapters/{stem}.html"
                        screenshot(driver, url, screenshots / f"{stem}-{WIDE}px.png", WIDE)
                        screenshot(driver, url, screenshots / f"{stem}-{PHONE}px.png", PHONE)
        finally:
            driver.quit()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fmnist_lib.report.browser_check", description=__doc__.splitlines()[0]
    )
    parser.add_argument("html_dir", type=Path, help="a built report, e.g. _build/quick/html")
    parser.add_argument("--screenshots", type=Path, help="save screenshots of the main pages here")
    args = parser.parse_args(argv)
    try:
        problems = check_site(args.html_dir, args.screenshots)
    except (NoBrowser, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    print(f"{counted(len(problems), 'problem')} in {args.html_dir}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
