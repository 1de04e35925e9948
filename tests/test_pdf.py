"""planning.pdf and `planning pdf`: every report of a snapshot printed to PDF with headless Chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planning import pdf, store
from planning.cli import app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)


def pages_of(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


def small_copy(sample_snapshot: Path, tmp_path: Path) -> Path:
    """The shared snapshot with only its index and one region's goals report (printing is ~1-2 s a page)."""
    snap = tmp_path / sample_snapshot.name
    shutil.copytree(sample_snapshot, snap)
    keep = {snap / "index.html", *snap.glob("*/02_goals.html")}
    region = sorted(p.parent for p in keep if p.parent != snap)[0]
    for page in store.report_pages(snap):
        if page not in keep or page.parent not in (snap, region):
            page.unlink()
    return snap


def test_report_pages_lists_the_index_first_then_each_regions_steps(sample_snapshot: Path):
    pages = store.report_pages(sample_snapshot)
    assert pages[0] == sample_snapshot / "index.html"
    assert {p.name for p in pages[1:]} >= {"01_market_analysis.html", "05_review.html"}
    assert store.pdf_path(sample_snapshot, pages[1]) == (
        sample_snapshot / "pdf" / pages[1].parent.name / pages[1].with_suffix(".pdf").name
    )


@needs_chromium
def test_pdf_prints_every_page_of_a_snapshot_with_a_page_per_section(sample_snapshot: Path, tmp_path: Path):
    snap = small_copy(sample_snapshot, tmp_path)
    result = CliRunner().invoke(app, ["pdf", str(snap)])
    assert result.exit_code == 0, result.output
    printed = sorted((snap / "pdf").rglob("*.pdf"))
    assert [p.relative_to(snap / "pdf").as_posix() for p in printed][-1] == "index.pdf"
    assert len(printed) == 2
    for p in printed:
        assert p.read_bytes()[:5] == b"%PDF-"
    goals = next(p for p in printed if p.name == "02_goals.pdf")
    assert pages_of(goals) >= 5  # the goals report has more than five sections, each starting a page
    assert not list((snap / "pdf").rglob(".*.tmp"))


def test_pdf_without_chromium_exits_2_naming_what_to_install(sample_snapshot: Path, monkeypatch):
    monkeypatch.setenv("PLANNING_CHROMIUM", "/nonexistent/chromium")
    result = CliRunner().invoke(app, ["pdf", str(sample_snapshot)])
    assert result.exit_code == 2
    assert "PLANNING_CHROMIUM='/nonexistent/chromium': not an executable" in result.output
    assert not (sample_snapshot / "pdf").exists()


def test_run_with_pdf_checks_for_chromium_before_any_kernel(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no browser on PATH
    monkeypatch.delenv("PLANNING_CHROMIUM", raising=False)
    result = CliRunner().invoke(app, ["run", "--pdf", "--region", "east", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no Chromium found to print PDFs" in result.output and "apt-get install chromium" in result.output
    assert not (tmp_path / "out").exists()


def test_pdf_of_a_folder_that_is_no_snapshot_exits_2(tmp_path: Path):
    result = CliRunner().invoke(app, ["pdf", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_a_page_chromium_cannot_print_leaves_no_pdf(tmp_path: Path):
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    page = tmp_path / "page.html"
    page.write_text("<html><body>x</body></html>", encoding="utf-8")
    with pytest.raises(RuntimeError, match="Chromium wrote no PDF"):
        pdf.print_page(page, tmp_path / "pdf" / "page.pdf", str(fake))
    assert not list((tmp_path / "pdf").glob("*"))
