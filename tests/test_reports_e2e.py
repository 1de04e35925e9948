"""Reports of a real run, as a reviewer gets them: one run per language of the small sample.

One region (east), all five steps, once in English (in this process) and once in Chinese (a child process at
the same time), so the module costs about one run of wall time; with the Chromium checks ~2 min on two cores.

Checked on every step report and the index:
- zh pages contain no English UI string of any locale file, en pages no Chinese character, and no page shows a
  raw key (`spare_parts`, `target_completion`);
- every chart placeholder is drawn by vega in headless Chromium with the network off (marker `browser`);
- no external URL; each page under 3 MB; the index has one row per region with its headline numbers.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from planning import config, i18n
from planning.config import STEPS

pytestmark = pytest.mark.slow

REGION = "east"
MAX_BYTES = 3_000_000
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
# A key as the code spells it: lower-case words joined by "_" (`spare_parts`, `revenue_per_marketing_yuan`).
RAW_KEY = re.compile(r"(?<![\w.:/-])[a-z]+(?:_[a-z0-9]+)+(?![\w-])")
CHART = 'class="planning-chart"'


# ------------------------------------------------------------------------------------------ runs
@pytest.fixture(scope="module")
def snapshots(small_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """{"en": snapshot, "zh": snapshot} of one region: the zh run goes in a child process while the en run
    runs here, so the two cost the wall time of one on two cores."""
    root = tmp_path_factory.mktemp("reports-zh")
    cmd = [sys.executable, "-m", "planning", "run", "--region", REGION, "--data", str(small_sample)]
    cmd += ["--out", str(root), "--language", "zh", "--workers", "1"]
    child = subprocess.Popen(cmd, cwd=config.PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        from planning import runner

        en_root = tmp_path_factory.mktemp("reports-en")
        result = runner.run(regions=[REGION], data_dir=str(small_sample), out_root=en_root, workers=1)
        failed = [(r.step, (r.error or {}).get("message")) for r in result.results if r.status != "ok"]
        assert not failed, failed
        out, _ = child.communicate(timeout=600)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, out.decode(errors="replace")[-3000:]
    (zh,) = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return {"en": result.snapshot, "zh": zh}


def _pages(snapshot: Path) -> list[Path]:
    return [snapshot / REGION / f"{step}.html" for step in STEPS]


# ------------------------------------------------------------------------------------------ text
def visible_text(page: str) -> str:
    """What a reader can see: no scripts (the vega bundle, chart specs), styles, tags or attributes; the plan
    audit's verbatim figures (`<code class="audit-figures">`) are left out too.

    The static SVG of each chart stays, so axis titles, labels and legends are part of the text.
    """
    text = re.sub(r"<(script|style)\b.*?</\1>", "\n", page, flags=re.S | re.I)
    # The plan audit's figures on the index are verbatim audit.csv (identifiers and numbers), not prose.
    text = re.sub(r'<code class="audit-figures">.*?</code>', "\n", text, flags=re.S)
    text = re.sub(r"<[^>]+>", "\n", text)
    return html.unescape(text)


def _leaves(node: object):
    if isinstance(node, dict):
        if "en" in node and "zh" in node and not isinstance(node["en"], dict):
            yield str(node["en"]), str(node["zh"])
        else:
            for v in node.values():
                yield from _leaves(v)


@cache
def english_ui_strings() -> frozenset[str]:
    """English fragments of every locale file that a Chinese page must not show.

    Placeholders split a text into fragments; a fragment counts when it has at least 4 letters, differs from
    its Chinese text and is not a term the Chinese texts use themselves (MAPE, SWOT, ICP, CRM ...).
    """
    pairs = [pair for d in i18n.domains() for pair in _leaves(i18n._domain(d))]
    zh_all = "\n".join(zh for _, zh in pairs)
    out = set()
    for en, zh in pairs:
        if en == zh:
            continue
        for frag in re.split(r"\{[^}]*\}", en):
            frag = frag.strip(" .,:;()\"'«»—–-")
            if len(re.findall(r"[A-Za-z]", frag)) >= 4 and frag not in zh_all:
                out.add(frag)
    return frozenset(out)


def data_names(sample: Path) -> list[str]:
    """Proper names from the data (customers, reps): English or pinyin in every language, longest first."""
    names: list[str] = []
    for table in ("customers", "reps"):
        files = list(sample.glob(f"{table}.*"))
        if files:
            df = pd.read_parquet(files[0]) if files[0].suffix == ".parquet" else pd.read_csv(files[0])
            names += df["name"].dropna().astype(str).tolist()
    return sorted(set(names), key=len, reverse=True)


def without(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, " ")
    return text


def raw_keys(text: str) -> list[str]:
    """Keys as the code spells them, except the data tables a sentence names (`plan_of_record`, docs/data.md)."""
    from planning import data

    return sorted(set(RAW_KEY.findall(text)) - set(data.SCHEMA))


@cache
def _english_pattern() -> re.Pattern:
    alternatives = "|".join(re.escape(s) for s in sorted(english_ui_strings(), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z])(?:{alternatives})(?![A-Za-z])")


def english_in(text: str) -> list[str]:
    """The English UI strings in `text` (one pass per string that the combined pattern flags)."""
    candidates = set(_english_pattern().findall(text))
    if not candidates:
        return []
    # The alternation reports the longest match at a place; confirm every string on its own.
    return sorted(
        s for s in english_ui_strings() if re.search(rf"(?<![A-Za-z]){re.escape(s)}(?![A-Za-z])", text)
    )


# ------------------------------------------------------------------------------------------ tests
def test_english_ui_strings_are_found_by_the_check() -> None:
    """Negative control: the check sees an English heading and an English table header."""
    sample = "销售趋势与季节性 Market size and our share 客户 Churn risk ¥1,234万"
    assert {"Churn risk", "Market size", "Market size and our share"} <= set(english_in(sample))
    assert "MAPE" not in english_ui_strings() and "SWOT" not in english_ui_strings()


def test_zh_reports_have_no_english_ui_strings(snapshots: dict[str, Path], small_sample: Path) -> None:
    names = data_names(small_sample)
    problems = {}
    for page in _pages(snapshots["zh"]):
        text = without(visible_text(page.read_text(encoding="utf-8")), names)
        found = english_in(text) + raw_keys(text)
        if found:
            problems[page.name] = found
    assert not problems, problems


def test_en_reports_have_no_chinese(snapshots: dict[str, Path]) -> None:
    problems = {}
    for page in [*_pages(snapshots["en"]), snapshots["en"] / "index.html"]:
        text = visible_text(page.read_text(encoding="utf-8"))
        found = sorted({line.strip() for line in text.splitlines() if CJK.search(line)})
        raw = raw_keys(text)
        if found or raw:
            problems[page.name] = found[:5] + raw
    assert not problems, problems


def test_chinese_pages_say_who_and_where_in_chinese(snapshots: dict[str, Path]) -> None:
    page = (snapshots["zh"] / REGION / "01_market_analysis.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    assert "华东 · 市场分析" in page and "华夏工业装备有限公司" in page
    assert re.search(r"¥[\d,]+(\.\d)?万", visible_text(page))  # 万 money in sentences


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_reports_are_self_contained_and_small(snapshots: dict[str, Path], lang: str) -> None:
    for page in [*_pages(snapshots[lang]), snapshots[lang] / "index.html"]:
        data = page.read_bytes()
        assert len(data) < MAX_BYTES, (page.name, len(data))
        text = data.decode("utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I), page.name
        assert not re.search(r"@import|url\(\s*['\"]?https?:", text, re.I), page.name


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_index_is_an_overview(snapshots: dict[str, Path], lang: str) -> None:
    page = (snapshots[lang] / "index.html").read_text(encoding="utf-8")
    rollup = re.search(r'<section class="rollup">.*?</section>', page, re.S).group(0)
    regions = re.search(r'<table class="regions-table">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", regions, re.S)
    assert REGION in {html.unescape(n) for n, _ in rows} or i18n.name("region", REGION, lang) in {
        html.unescape(n) for n, _ in rows
    }
    for _, cells in rows:
        numbers = re.findall(r'<td class="num[^"]*">(.*?)</td>', cells)
        assert len(numbers) >= 3 and i18n.DASH not in numbers[:3], numbers  # target, YTD actual, completion
        assert cells.count('class="light light-') == 3
        assert all(f'href="{REGION}/{s}.html"' in page for s in STEPS)
    company = re.findall(r'<td class="num[^"]*">(.*?)</td>', rollup)
    assert len(company) >= 3 and i18n.DASH not in company[:3]
    if lang == "zh":
        assert "万" in rollup or "亿" in rollup


# ------------------------------------------------------------------------------------------ browser
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_chart_draws_offline(snapshots: dict[str, Path], lang: str, tmp_path: Path) -> None:
    from test_browser import CHROMIUM, _chromium

    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from concurrent.futures import ThreadPoolExecutor

    pages = _pages(snapshots[lang])
    with ThreadPoolExecutor(max_workers=3) as pool:  # one Chromium process per page, a few at a time
        loaded = list(pool.map(lambda page: _chromium(page, tmp_path, "--dump-dom"), pages))
    for page, (dom, requested) in zip(pages, loaded, strict=True):
        expected = page.read_text(encoding="utf-8").count(CHART)
        assert requested == [], (page.name, requested)
        drawn = len(re.findall(r'<svg[^>]*class="marks"', dom))
        assert expected > 0 and drawn == expected, (page.name, expected, drawn)
        assert 'class="chart-fallback"' not in dom, page.name
