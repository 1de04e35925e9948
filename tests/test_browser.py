"""Reports in headless Chromium with the network disabled: every chart draws, no request leaves the machine.

Skipped where Debian's `chromium` is absent (CI installs it, with fonts-noto-cjk for the Chinese pages).
Set PLANNING_SCREENSHOTS=<dir> to also write a PNG of each page (see docs/reports.md).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_report import META, N_CHARTS, _manifest, fixture_notebook

from planning import report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Network off: every http(s) request goes to a closed local port and fails.
    "--proxy-server=127.0.0.1:9",
    "--window-size=1280,1400",
    "--virtual-time-budget=5000",  # let vegaEmbed's promises settle before the DOM is dumped
]


def _chromium(page: Path, tmp: Path, *extra: str) -> tuple[str, list[str]]:
    """Load `page`; returns (stdout, URLs the page itself requested that are not local files)."""
    netlog = tmp / f"{page.stem}-netlog.json"
    profile = tmp / f"{page.stem}-profile"
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--log-net-log={netlog}", *extra, page.as_uri()]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout
    # Requests of the page carry a file:// network isolation key; Chromium's own (updates, accounts) do not.
    requested = []
    for event in json.loads(netlog.read_text(encoding="utf-8")).get("events", []):
        params = event.get("params") or {}
        if "file://" in str(params.get("network_isolation_key", "")) and "url" in params:
            if not params["url"].startswith(("file:", "data:", "blob:")):
                requested.append(params["url"])
    return out, requested


def _screenshot(page: Path, tmp: Path, name: str) -> None:
    target = os.environ.get("PLANNING_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        _chromium(page, tmp, f"--screenshot={Path(target).resolve() / name}")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_step_report_renders_every_chart_offline(lang: str, tmp_path: Path) -> None:
    page = tmp_path / "east" / "01_market_analysis.html"
    page.parent.mkdir()
    page.write_text(report.export_html(fixture_notebook(lang), {**META, "language": lang}), encoding="utf-8")
    dom, requested = _chromium(page, tmp_path, "--dump-dom")
    assert requested == []
    assert len(re.findall(r'<div class="vega-embed', dom)) == N_CHARTS
    assert len(re.findall(r'<svg[^>]*class="marks"', dom)) == N_CHARTS  # drawn by vega, fallbacks removed
    assert 'class="chart-fallback"' not in dom
    assert not re.search(r"<img[^>]*onerror|<script>alert", dom)  # the XSS fixture stayed text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    _screenshot(page, tmp_path, f"report-{lang}.png")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_index_renders_offline(lang: str, tmp_path: Path) -> None:
    (tmp_path / "east").mkdir()
    (tmp_path / "east" / "01_market_analysis.html").write_text("<html></html>", encoding="utf-8")
    page = report.write_index(tmp_path, _manifest(), lang)
    dom, requested = _chromium(page, tmp_path, "--dump-dom")
    assert requested == []
    assert 'href="east/01_market_analysis.html"' in dom
    assert "<script>x</script>" not in dom
    _screenshot(page, tmp_path, f"index-{lang}.png")


def test_request_check_sees_a_network_reference(tmp_path: Path) -> None:
    """Negative control: the NetLog check does catch a page that reaches for the network."""
    page = tmp_path / "external.html"
    page.write_text('<html><body><script src="http://cdn.example.invalid/x.js"></script></body></html>')
    _, requested = _chromium(page, tmp_path, "--dump-dom")
    assert requested == ["http://cdn.example.invalid/x.js"]
