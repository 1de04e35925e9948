"""planning.report: offline HTML export of an executed notebook and the snapshot index.

The fixture notebook is built with nbformat (no kernel): its outputs are what the batch renderer and the
display helpers produce, so the test covers the same HTML a papermill run exports.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import altair as alt
import nbformat
import pandas as pd
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_notebook, new_output

from planning import charts, display, i18n, report

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(2)>"
META = {
    "company": "Acme Industrial",
    "region": "east",
    "step": "01_market_analysis",
    "as_of": "2026-06-30",
    "plan_year": 2026,
    "commit": "0123abcd4567",
    "language": "en",
}
N_CHARTS = 2


def _html_output(html: str) -> nbformat.NotebookNode:
    return new_output("display_data", data={"text/html": html, "text/plain": "<HTML>"})


def _chart_output(chart: alt.Chart) -> nbformat.NotebookNode:
    bundle = chart._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    return new_output("display_data", data=bundle)


def fixture_notebook(lang: str = "en") -> nbformat.NotebookNode:
    """An executed-looking notebook: parameters cells, headings, a sentence, tables, a Styler, two charts.

    Customer names carry XSS payloads; stderr, a widget and the parameter values must not reach the report.
    """
    charts.enable(batch=True, lang=lang)
    sales = pd.DataFrame(
        {
            "region": ["east", "north", "south"],
            "customer": [XSS_SCRIPT, XSS_IMG, "Normal Co"],
            "revenue": [12_345_000.0, 3_400_000.0, 980_000.0],
            "status": ["green", "yellow", "red"],
        }
    )
    bar = (
        alt.Chart(sales)
        .mark_bar()
        .encode(
            x=alt.X("region:N", title=i18n.column("region", lang)),
            y=alt.Y("revenue:Q", axis=charts.money_axis(lang, title=i18n.column("revenue", lang))),
            tooltip=["customer", alt.Tooltip("revenue:Q", format=charts.MONEY_FORMAT)],
        )
    )
    months = pd.DataFrame({"month": pd.date_range("2026-01-01", periods=6, freq="MS"), "revenue": range(6)})
    line = alt.Chart(months).mark_line(point=True).encode(x="month:T", y="revenue:Q")
    h = lambda text, level=2: new_output(  # noqa: E731
        "display_data", data={"text/markdown": "#" * level + " " + display.md_escape(text)}
    )
    styled = display.style(sales, lang, money=["revenue"]).to_html()
    nb = new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [
        new_code_cell('region: str = "SECRET_REGION_PARAM"  # region', metadata={"tags": ["parameters"]}),
        new_code_cell('region = "SECRET_INJECTED"', metadata={"tags": ["injected-parameters"]}),
        new_code_cell(
            "ctx = notebook.setup('01_market_analysis')",
            outputs=[new_output("stream", name="stderr", text="FutureWarning: SECRET_STDERR\n")],
        ),
        new_code_cell("ctx.h('market.trend.title')", outputs=[h("Sales by region")]),
        new_code_cell(
            "ctx.say(...)",
            outputs=[
                _html_output(display.paragraph_html(f"Top customer {XSS_SCRIPT} grew; {XSS_IMG} fell."))
            ],
        ),
        new_code_cell(
            "ctx.table(df)", outputs=[_html_output(display.table_html(sales, lang, money="revenue"))]
        ),
        new_code_cell("ctx.chart(bar)", outputs=[_chart_output(bar)]),
        new_code_cell("ctx.h('sub', 3)", outputs=[h(f"Detail {XSS_IMG}", 3)]),
        new_code_cell("display.table(style(df))", outputs=[_html_output(styled)]),
        new_code_cell("ctx.chart(line)", outputs=[_chart_output(line)]),
        new_code_cell(
            "slider",
            outputs=[
                new_output(
                    "display_data",
                    data={"application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2}},
                )
            ],
        ),
        new_code_cell("SECRET_CODE_WITHOUT_OUTPUT = 1"),
        new_code_cell(
            "ctx.save('x', df)",
            outputs=[new_output("execute_result", data={"text/plain": "PosixPath('/tmp/SECRET_REPR')"})],
        ),
    ]
    return nb


@pytest.fixture(scope="module")
def page() -> str:
    return report.export_html(fixture_notebook("en"), META)


@pytest.fixture(scope="module")
def page_zh() -> str:
    return report.export_html(fixture_notebook("zh"), {**META, "language": "zh"})


def test_code_and_parameters_are_hidden(page: str) -> None:
    for secret in (
        "SECRET_REGION_PARAM",
        "SECRET_INJECTED",
        "SECRET_CODE",
        "ctx.h(",
        "notebook.setup",
        "SECRET_STDERR",
    ):
        assert secret not in page
    assert "In&nbsp;[" not in page and "Out[" not in page
    assert "widget-view" not in page


def test_header_fields_and_back_link(page: str) -> None:
    assert '<html lang="en">' in page
    for text in ("Acme Industrial", "East China", "Market analysis", "2026-06-30", "2026", "0123abcd4567"):
        assert text in page
    assert 'href="../index.html"' in page


def test_table_of_contents_lists_headings(page: str) -> None:
    toc = re.search(r'<nav class="toc".*?</nav>', page, re.S).group(0)
    assert "Sales by region" in toc
    assert "Detail &lt;img src=x onerror=alert(2)&gt;" in toc
    for sid in re.findall(r'href="#(sec-\d+)"', toc):
        assert f'id="{sid}"' in page


def test_vega_bundle_inlined_once_and_nothing_external(page: str) -> None:
    assert page.count("window.vegaEmbed=") == 1
    assert page.count('class="planning-chart"') == N_CHARTS
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?https?:", page, re.I)
    assert "cdn.jsdelivr" not in page and "unpkg.com" not in page


def test_page_without_charts_has_no_bundle() -> None:
    nb = new_notebook()
    nb.cells = [new_code_cell("x", outputs=[_html_output("<p>plain</p>")])]
    html = report.export_html(nb, META)
    assert "vegaEmbed" not in html
    assert len(html) < 30_000


def test_xss_payloads_are_inert(page: str) -> None:
    # Outside the chart JSON (where < > are \u003c \u003e) the payloads only appear escaped.
    assert XSS_SCRIPT not in page
    assert "<img src=x" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # sentence, table, Styler
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def test_failed_step_shows_banner() -> None:
    nb = new_notebook()
    html = report.export_html(nb, {**META, "error": {"message": "KeyError: <b>revenue</b>"}})
    assert "This step failed" in html and "&lt;b&gt;revenue&lt;/b&gt;" in html


def _visible(page: str) -> str:
    """The page without scripts (the vega bundle), styles and tags: roughly what a reader sees."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", text)


def test_zh_page_has_no_english_ui_strings(page_zh: str) -> None:
    assert '<html lang="zh-CN">' in page_zh
    assert "华东" in page_zh and "市场分析" in page_zh
    text = _visible(page_zh)
    common = yaml.safe_load(
        (Path(i18n.__file__).parent / "locale" / "common.yaml").read_text(encoding="utf-8")
    )
    for key, leaf in common["report"].items():
        english = leaf["en"].split("{")[0].strip()
        if english and key != "title":
            assert not re.search(rf"\b{re.escape(english)}\b", text), key
    for leaf in common["columns"].values():
        assert not re.search(rf"\b{re.escape(leaf['en'])}\b", text), leaf["en"]


def test_export_is_fast_and_small(page: str) -> None:
    nb = fixture_notebook("en")
    started = time.perf_counter()
    report.export_html(nb, META)
    assert time.perf_counter() - started < 1.0  # warm exporter: ~0.03 s
    assert len(page.encode()) < 3_000_000


def test_export_accepts_a_path(tmp_path: Path) -> None:
    path = tmp_path / "01_market_analysis.ipynb"
    nbformat.write(fixture_notebook("en"), str(path))
    assert "Sales by region" in report.export_html(path, META)


# ------------------------------------------------------------------------------------------ index
def _manifest() -> dict:
    params = {
        "company": {"name": "Acme Industrial", "name_zh": "艾克姆工业", "currency": "CNY"},
        "as_of": "2026-06-30",
        "plan_year": 2026,
    }
    ok = {"status": "ok", "duration_s": 4.2, "error": None}
    return {
        "snapshot": "2026-06-30",
        "commit": "0123abcd4567",
        "steps": ["01_market_analysis", "02_goals"],
        "regions": {
            "east": {
                "params": params,
                "headline": {
                    "plan_target": 120_000_000.0,
                    "ytd_plan": 50_000_000.0,
                    "ytd_actual": 45_000_000.0,
                    "completion": 0.9,
                    "kpi_lights": {"green": 5, "yellow": 2, "red": 1},
                },
                "steps": {"01_market_analysis": ok, "02_goals": ok},
            },
            "north": {
                "params": params,
                "headline": {},
                "steps": {
                    "01_market_analysis": {
                        "status": "failed",
                        "duration_s": 1.0,
                        "error": {"message": "ValueError: <script>x</script>"},
                    },
                    "02_goals": {"status": "skipped", "duration_s": None, "error": None},
                },
            },
        },
    }


def _snapshot(tmp_path: Path) -> Path:
    for region, step in (
        ("east", "01_market_analysis"),
        ("east", "02_goals"),
        ("north", "01_market_analysis"),
    ):
        (tmp_path / region).mkdir(exist_ok=True)
        (tmp_path / region / f"{step}.html").write_text("<html></html>", encoding="utf-8")
    return tmp_path


def test_index_rows_links_and_rollup(tmp_path: Path) -> None:
    path = report.write_index(_snapshot(tmp_path), _manifest(), "en")
    html = path.read_text(encoding="utf-8")
    assert path == tmp_path / "index.html"
    assert "Company overview" in html and "Company total" in html
    assert "East China" in html and "North China" in html
    assert "¥120M" in html and "¥45M" in html and "90.0%" in html
    assert 'href="east/01_market_analysis.html"' in html and 'href="east/02_goals.html"' in html
    assert 'href="north/01_market_analysis.html"' in html  # the failed step's partial report
    assert 'href="north/02_goals.html"' not in html  # skipped: no page
    assert "Failed" in html and "Skipped" in html
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    north = re.search(r"<tr><th scope=\"row\">North China</th>.*?</tr>", html, re.S).group(0)
    assert north.count(i18n.DASH) >= 4  # no headline numbers
    assert "1 of 4" not in html and "2 of 4 reports" in html


@pytest.mark.adversarial
def test_index_calls_a_total_over_some_regions_partial(tmp_path: Path) -> None:
    """Issue 18: a snapshot of East alone was labelled "Company total"; the manifest names the company's regions."""
    manifest = {**_manifest(), "company_regions": ["east", "north", "south", "west"]}
    rollup = re.compile(r'<section class="rollup">.*?</section>', re.S)
    html = report.write_index(_snapshot(tmp_path), manifest, "en").read_text(encoding="utf-8")
    assert "Total of 2 of 4 regions" in rollup.search(html).group(0) and "Company total" not in html
    zh = report.write_index(tmp_path, manifest, "zh").read_text(encoding="utf-8")
    assert "4 个区域中 2 个的合计" in rollup.search(zh).group(0) and "公司合计" not in zh
    manifest["company_regions"] = ["east", "north"]  # every region of the company
    html = report.write_index(tmp_path, manifest, "en").read_text(encoding="utf-8")
    assert "Company total" in rollup.search(html).group(0)


@pytest.mark.adversarial
def test_index_is_the_same_page_whatever_the_runs_durations(tmp_path: Path) -> None:
    """Issue 18 case 8: the index showed each step's duration, so a rerun changed it; run-time fields are kept
    in the manifest only."""
    fast, slow = _manifest(), _manifest()
    slow["started_at"], slow["wall_s"] = "2026-07-01T09:00:00+00:00", 99.0
    for region in slow["regions"].values():
        for st in region["steps"].values():
            st["duration_s"] = 123.4
    one = report.write_index(_snapshot(tmp_path), fast, "en").read_bytes()
    two = report.write_index(_snapshot(tmp_path), slow, "en").read_bytes()
    assert one == two and b"4.2 s" not in one and b"123.4" not in two


def test_index_in_chinese(tmp_path: Path) -> None:
    html = report.write_index(_snapshot(tmp_path), _manifest(), "zh").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    for text in ("艾克姆工业", "公司总览", "华东", "¥1.2亿", "¥4,500万", "失败", "市场分析"):
        assert text in html
    assert "Company overview" not in html


def test_index_with_empty_manifest(tmp_path: Path) -> None:
    html = report.write_index(tmp_path, {"regions": {}}, "en").read_text(encoding="utf-8")
    assert "Company overview" in html and "0 of 0" in html


def test_index_shows_last_12_months_from_the_market_artefact(tmp_path: Path) -> None:
    snap = _snapshot(tmp_path)
    (snap / "east" / "artifacts").mkdir()
    # 12 months at ¥1M then 12 at ¥2M: last 12 months ¥24M, the 12 before ¥12M -> +100.0% year on year;
    # the ¥120M target is 120 / 24 - 1 = +400.0% on the last 12 months.
    months = pd.period_range("2024-07", periods=24, freq="M").astype(str)
    sales = [1_000_000.0] * 12 + [2_000_000.0] * 12
    pd.DataFrame({"month": months, "sales": sales}).to_csv(snap / "east" / "artifacts" / "market_trend.csv")
    html = report.write_index(snap, _manifest(), "en").read_text(encoding="utf-8")
    east = re.search(r'<table class="regions-table">.*?East China</th>(.*?)</tr>', html, re.S).group(1)
    assert "¥24M" in east and "+100.0% year on year" in east and "+400.0% on the last 12 months" in east
    assert "Target 2026" in html and "Actual 2026 to date" in html
    rollup = re.search(r'<section class="rollup">.*?</section>', html, re.S).group(0)
    assert "¥24M" in rollup  # north has no market artefact: the company sums what there is
    steps = re.search(r'<table class="steps-table">.*?</table>', html, re.S).group(0)
    assert steps.count('<tr><th scope="row">') == 2 and 'href="east/02_goals.html"' in steps
    zh = report.write_index(snap, _manifest(), "zh").read_text(encoding="utf-8")
    assert "¥2,400万" in zh and "同比 +100.0%" in zh and "2026 年目标" in zh


def test_index_shows_the_company_forecast_as_the_sum_of_the_regions(tmp_path: Path) -> None:
    """Each region's forecast of the plan year is its goals step's chosen forecast (`forecast.csv`) plus the
    plan-year months already complete (market_trend.csv); the company's is their sum (bottom-up), with a note."""
    snap = _snapshot(tmp_path)
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    for region, per_month, done in (("east", 2_000_000.0, 3), ("north", 1_000_000.0, 0)):
        art = snap / region / "artifacts"
        art.mkdir()
        rest = months[done:]
        fc = pd.DataFrame(
            {
                "month": rest * 2,
                "model": ["pooled"] * len(rest) + ["seasonal_naive"] * len(rest),
                "forecast": [per_month] * len(rest) + [9e9] * len(rest),  # only the chosen rows count
                "lower": 0.0,
                "upper": 0.0,
                "chosen": [True] * len(rest) + [False] * len(rest),
            }
        )
        fc.to_csv(art / "forecast.csv", index=False)
        trend = pd.DataFrame({"month": months[:done], "sales": [3_000_000.0] * done, "complete": True})
        trend.to_csv(art / "market_trend.csv", index=False)
    html = report.write_index(snap, _manifest(), "en").read_text(encoding="utf-8")
    # east: 3 months of actuals at ¥3M + 9 forecast at ¥2M = ¥27M; north: 12 x ¥1M = ¥12M; company ¥39M
    assert "Forecast 2026" in html
    east = re.search(r'<table class="regions-table">.*?East China</th>(.*?)</tr>', html, re.S).group(1)
    north = re.search(r'<table class="regions-table">.*?North China</th>(.*?)</tr>', html, re.S).group(1)
    assert "¥27M" in east and "¥12M" in north
    rollup = re.search(r'<section class="rollup">.*?</section>', html, re.S).group(0)
    assert "¥39M" in rollup and "sum of the regions" in rollup
    assert report.forecast_headline(snap / "east", 2026) == {"forecast_plan": 27_000_000.0}
    assert report.forecast_headline(snap / "east", 2027) == {}  # no month of that year
    zh = report.write_index(snap, _manifest(), "zh").read_text(encoding="utf-8")
    assert "2026 年预测" in zh and "¥3,900万" in zh and "各区域基线预测之和" in zh


def test_vega_bundle_is_cached_on_disk_and_rebuilt_when_cut_short(tmp_path: Path, monkeypatch) -> None:
    import vl_convert as vlc

    built: list[str] = []
    monkeypatch.setattr(report, "BUNDLE_CACHE_DIR", tmp_path)
    monkeypatch.setattr(
        vlc, "javascript_bundle", lambda vl_version: built.append(vl_version) or "vegaEmbed=1;"
    )
    report.vega_bundle.cache_clear()
    try:
        assert report.vega_bundle() == "vegaEmbed=1;" and len(built) == 1
        (cached,) = tmp_path.glob("vega-bundle-*.js")
        report.vega_bundle.cache_clear()
        assert report.vega_bundle() == "vegaEmbed=1;" and len(built) == 1  # read back, not rebuilt
        cached.write_text("vegaEmbed=", encoding="utf-8")  # a file cut short by a crash
        report.vega_bundle.cache_clear()
        assert report.vega_bundle() == "vegaEmbed=1;" and len(built) == 2
        assert not list(tmp_path.glob(".*.tmp"))  # no temp file left behind
    finally:
        report.vega_bundle.cache_clear()


def test_export_leaves_the_notebook_unchanged() -> None:
    """The runner renders the notebook papermill returns (then nothing else may see a trimmed copy)."""
    nb = fixture_notebook("en")
    before = nbformat.writes(nb)
    report.export_html(nb, META)
    assert nbformat.writes(nb) == before


@pytest.mark.adversarial
def test_index_last_12_months_leave_out_a_month_the_planning_date_cuts(tmp_path: Path) -> None:
    # Issue 17 case 5: with as_of 2026-06-15 the index summed the 12 trend rows up to June (a half month) while
    # goals used July 2025 .. May 2026; now both are the 12 complete months (`market.periods.windows`).
    from planning.goals import forecast

    months = pd.period_range("2024-06", "2026-06", freq="M").astype(str)
    sales = [1_000_000.0] * 13 + [2_000_000.0] * 11 + [500_000.0]  # June 2026: half a month
    trend = pd.DataFrame({"month": months, "sales": sales, "complete": [True] * 24 + [False]})
    (tmp_path / "artifacts").mkdir()
    trend.to_csv(tmp_path / "artifacts" / "market_trend.csv", index=False)
    head = report.market_headline(tmp_path, "2026-06-15")
    assert head["sales_l12m"] == 1_000_000.0 + 11 * 2_000_000.0  # 2025-06 .. 2026-05
    assert head["sales_p12m"] == 12 * 1_000_000.0  # 2024-06 .. 2025-05
    orders = pd.DataFrame({"order_date": pd.to_datetime([f"{m}-01" for m in months]), "amount": sales})
    goals = forecast.monthly_sales(orders, pd.Timestamp("2026-06-15").date())
    assert float(goals.iloc[-12:].sum()) == head["sales_l12m"]
    # The 12 months before are not shown when the data covers them only in part (a partial first month).
    trend.loc[0, "complete"] = False
    trend.to_csv(tmp_path / "artifacts" / "market_trend.csv", index=False)
    assert "sales_p12m" not in report.market_headline(tmp_path, "2026-06-15")


def test_footer_says_when_the_page_was_generated_apart_from_the_as_of_date(monkeypatch):
    """Issue 23: the footer's date was the as-of date; now both, and SOURCE_DATE_EPOCH makes it reproducible."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    assert report.generated_at() == "2026-09-21 14:13 UTC"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert report.generated_at() != "2026-09-21 14:13 UTC" and report.generated_at().endswith(" UTC")


def test_the_index_names_every_audit_failure_first_in_the_readers_language(tmp_path):
    import pandas as pd

    from planning import report

    audit = pd.DataFrame(
        [("east", "target_vs_market", "fail", "target 250.00 vs market 200.00 (125.0%): above", ""),
         ("company", "regions_present", "pass", "1 regions present", ""),
         ("east", "ramp_months_stated", "skipped", "no artefact", "")],
        columns=["region", "check", "status", "values", "explanation"],
    )  # fmt: skip
    manifest = {"snapshot": "2026-09-30", "regions": {"east": {"steps": {}}}}
    page = report.write_index(tmp_path, manifest, "zh", audit).read_text(encoding="utf-8")
    assert 'section class="audit audit-fail"' in page and "共 3 项检查：1 项通过，1 项未通过，1 项跳过" in page
    assert "<td>目标对照市场可能性</td>" in page and "target 250.00 vs market 200.00 (125.0%): above" in page
    assert page.index('class="audit') < page.index('class="rollup"')
    ok = report.write_index(tmp_path, manifest, "en", audit[audit["status"] != "fail"]).read_text(encoding="utf-8")
    assert 'section class="audit audit-pass"' in ok and "No contradiction found" in ok
    (tmp_path / "audit.csv").unlink(missing_ok=True)
    none = report.write_index(tmp_path, manifest, "en").read_text(encoding="utf-8")
    assert "No plan audit for this snapshot" in none


def test_sticky_header_cells_keep_the_header_rows_colour() -> None:
    # A sticky first header cell painted white sat as a white box on the grey header row of every index table.
    css = re.sub(r"/\*.*?\*/", "", report._css(), flags=re.S)
    rules = re.findall(r"([^{}]+)\{([^{}]*)\}", css)
    header = next(body for sel, body in rules if sel.strip() == "thead th")
    header_bg = re.search(r"background:\s*([^;]+);", header).group(1).strip()
    sticky_heads = [(sel.strip(), body) for sel, body in rules if "thead th" in sel and "sticky" in body]
    assert sticky_heads
    for sel, body in sticky_heads:
        assert "tbody" not in sel, f"{sel}: a header cell and a body cell share one background"
        assert re.search(r"background:\s*([^;]+);", body).group(1).strip() == header_bg, sel
    # and a sticky body cell of a striped row has the stripe's colour
    stripe = next(body for sel, body in rules if sel.strip() == "tbody tr:nth-child(even)")
    stripe_bg = re.search(r"background:\s*([^;]+);", stripe).group(1).strip()
    sticky_cells = {s.strip() for sel, body in rules if "tbody" in sel and "sticky" in body for s in sel.split(",")}
    even = {s.strip(): body for sel, body in rules for s in sel.split(",") if "nth-child(even)" in s and "first-child" in s}
    for cell in sticky_cells:
        twin = cell.replace("tbody ", "tbody tr:nth-child(even) ")
        assert twin in even, f"{cell}: white on a striped row"
        assert re.search(r"background:\s*([^;]+);", even[twin]).group(1).strip() == stripe_bg
