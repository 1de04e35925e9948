"""Every report of a sample snapshot at 1280 and 1024 px in headless Chromium, as a reviewer in a meeting sees it:
nothing wider than the page, no chart wider than its column, no table wider than the page outside a scroll frame,
no text squeezed to a character per line, no axis label cut to "…", no chart text clipped at the chart's edge,
no chart without marks (issue 23). The probe is tests/browser/layout_probe.js, run in the pages' own frames.

Skipped where Debian's `chromium` is absent (CI installs it, with fonts-noto-cjk for the Chinese pages).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from planning import runner, store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"),
]
PROBE = (Path(__file__).parent / "browser" / "layout_probe.js").read_text(encoding="utf-8")


WIDTHS = (1280, 1024)


def probe(pages: list[Path], tmp: Path, widths=WIDTHS, height: int = 900) -> dict[str, list[dict]]:
    """Load `pages` in iframes of each of `widths` px (one browser for all); the probe's findings per
    "<width> <page>"."""
    frames = "".join(
        f'<iframe data-name="{w} {html.escape(str(p))}" src="{p.resolve().as_uri()}" '
        f'style="width:{w}px;height:{height}px;border:0;display:block"></iframe>'
        for w in widths
        for p in pages
    )
    width = max(widths)
    wrapper = tmp / "probe.html"
    wrapper.write_text(
        f'<html><body style="margin:0">{frames}<pre id="probe-result"></pre><script>{PROBE}</script></body></html>',
        encoding="utf-8",
    )
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--proxy-server=127.0.0.1:9",
        "--disable-background-networking",
        "--allow-file-access-from-files",  # the wrapper reads its frames' documents
        f"--user-data-dir={tmp / f'profile-{width}'}",
        f"--window-size={width + 20},{height}",
        "--virtual-time-budget=30000",
        "--dump-dom",
        wrapper.as_uri(),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=240, check=True).stdout
    found = re.search(r'<pre id="probe-result">(.*?)</pre>', out, re.S)
    assert found and found.group(1), "the layout probe did not report (page load or script failure)"
    return json.loads(html.unescape(found.group(1)))


def problems(result: dict[str, list[dict]], root: Path) -> list[str]:
    out = []
    for name, found in result.items():
        width, page = name.split(" ", 1)
        out += [f"{Path(page).relative_to(root)} at {width} px: {p}" for p in found]
    return out


@pytest.fixture(scope="module")
def zh_snapshot(small_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The east region of the small sample in Chinese, all five steps."""
    out = tmp_path_factory.mktemp("zh")
    result = runner.run(regions=["east"], data_dir=str(small_sample), out_root=out, language="zh")
    assert result.ok, [(r.step, r.error) for r in result.results if r.error]
    return result.snapshot


def test_english_reports_fit_and_draw_at_1280_and_1024_px(sample_snapshot: Path, tmp_path: Path):
    pages = store.report_pages(sample_snapshot)
    assert len(pages) == 11
    result = probe(pages, tmp_path)
    assert len(result) == 2 * len(pages)
    assert not problems(result, sample_snapshot)


def test_chinese_reports_fit_and_draw_at_1280_and_1024_px(zh_snapshot: Path, tmp_path: Path):
    pages = store.report_pages(zh_snapshot)
    result = probe(pages, tmp_path)
    assert len(result) == 2 * len(pages) == 12
    assert not problems(result, zh_snapshot)


def test_the_probe_sees_a_clipped_page(tmp_path: Path):
    """Negative control: a page with a too-wide chart, a cut label, a chart without marks and a squeezed cell."""
    svg = (
        '<svg class="marks" width="{w}" height="40" viewBox="0 0 {w} 40">'
        '<g class="mark-rect role-mark">{marks}</g><text x="{x}" y="20">{label}</text></svg>'
    )
    page = tmp_path / "bad.html"
    page.write_text(
        "<html><body><main style='width:600px'>"
        "<h2>Wide</h2><div><div class='planning-chart'>"
        + svg.format(w=900, marks="<path d='M0,0h10v10h-10z'/>", x=10, label="Qualification check and…")
        + "</div></div><h2>Empty</h2><div><div class='planning-chart'>"
        + svg.format(w=300, marks="", x=280, label="Online panel")
        + "</div></div><table><tr><td style='width:20px;max-width:20px'>为什么四为什么五为什么六</td></tr></table>"
        "</main></body></html>",
        encoding="utf-8",
    )
    found = {p["kind"] for p in probe([page], tmp_path, widths=(1024,))[f"1024 {page}"]}
    assert found >= {"chart-overflow", "truncated-label", "chart-no-marks", "clipped-text", "squeezed-cell"}
