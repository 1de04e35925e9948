"""Print a snapshot's reports to PDF with headless Chromium (`planning pdf`, `planning run --pdf`).

Reviewers take the plan into meetings where a laptop may not be allowed and the reports are read on paper or as
attachments. The HTML reports already render offline with their charts as SVG; Chromium's print engine keeps
those as vectors, repeats table headers on every page and follows the report's print CSS (a page per section).
The browser is Debian's `chromium` (the one the browser tests use), found on PATH or named by the environment
variable PLANNING_CHROMIUM; nothing is downloaded. PDFs are written beside the snapshot's pages under
`<snapshot>/pdf/` (same relative paths), each atomically, so a failed print never leaves a truncated file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from planning import store
from planning.errors import ParamsError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = [
    "--headless",
    "--no-sandbox",  # as root in containers and CI
    "--disable-gpu",
    "--proxy-server=127.0.0.1:9",  # reports are offline: any network request fails fast instead of hanging
    "--disable-background-networking",
    "--no-pdf-header-footer",
    "--virtual-time-budget=15000",  # let vegaEmbed draw every chart before printing
]
TIMEOUT = 180  # seconds for one page


class ChromiumMissing(ParamsError):
    """No Chromium to print with (exit 2: the machine lacks a prerequisite the user can install)."""


@dataclass(frozen=True)
class Printed:
    page: Path
    pdf: Path
    bytes: int


def find_chromium() -> str:
    """The Chromium executable: $PLANNING_CHROMIUM, else the first of CANDIDATES on PATH; ChromiumMissing if none."""
    named = os.environ.get("PLANNING_CHROMIUM", "")
    if named:
        found = shutil.which(named)
        if not found:
            raise ChromiumMissing(
                f"PLANNING_CHROMIUM={named!r}: not an executable; expected the path of a Chromium or Chrome binary"
            )
        return found
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumMissing(
        "no Chromium found to print PDFs with (looked for " + ", ".join(CANDIDATES) + " on PATH); install it "
        "(Debian/Ubuntu: `apt-get install chromium fonts-noto-cjk`) or set PLANNING_CHROMIUM to its path"
    )


def print_page(page: Path, pdf: Path, chromium: str) -> Printed:
    """Print one HTML page to `pdf` (atomically: a temp file renamed into place once Chromium wrote a PDF)."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="planning-pdf-") as profile:
        tmp = Path(profile) / "out.pdf"
        cmd = [
            chromium,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={tmp}",
            page.resolve().as_uri(),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"{page}: Chromium did not finish printing within {TIMEOUT} s") from None
        if not tmp.is_file() or tmp.read_bytes()[:5] != b"%PDF-":
            last = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"{page}: Chromium wrote no PDF (exit {done.returncode}: {last[0]})")
        staged = pdf.with_name(f".{pdf.name}.tmp")
        shutil.move(tmp, staged)
        os.replace(staged, pdf)
    return Printed(page, pdf, pdf.stat().st_size)


def print_snapshot(
    snapshot: str | os.PathLike, workers: int = 2, chromium: str | None = None
) -> list[Printed]:
    """Print every report of a snapshot (index first) to `<snapshot>/pdf/`; returns what was printed.

    Raises ChromiumMissing before printing anything when there is no browser, FileNotFoundError when the folder
    holds no report."""
    snapshot = Path(snapshot)
    browser = chromium or find_chromium()
    pages = store.report_pages(snapshot)
    if not pages:
        raise FileNotFoundError(
            f"{snapshot}: no HTML report to print; expected a snapshot written by `planning run`"
        )
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda pg: print_page(pg, store.pdf_path(snapshot, pg), browser), pages))
