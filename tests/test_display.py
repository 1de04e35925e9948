"""planning.display: everything from data is shown as text, headers and values translated, numbers localised."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from IPython.display import HTML, Markdown
from nbconvert.filters import markdown2html

from planning import display

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    '"><svg onload=alert(3)>',
    "[x](javascript:alert(4))",
]


@pytest.fixture
def shown(monkeypatch) -> list:
    """Objects passed to IPython's display by the module under test."""
    out: list = []
    monkeypatch.setattr(display, "display", out.append)
    return out


@pytest.mark.parametrize("payload", XSS)
def test_heading_renders_payload_as_text(payload: str, shown: list) -> None:
    display.heading(f"Customer {payload}", 3)
    (md,) = shown
    assert isinstance(md, Markdown) and md.data.startswith("### ")
    rendered = markdown2html(md.data)  # what nbconvert makes of the Markdown output
    assert rendered.startswith("<h3")
    assert "<script" not in rendered and "<img" not in rendered and "<svg" not in rendered
    assert 'href="javascript' not in rendered


def test_heading_keeps_text_readable() -> None:
    rendered = markdown2html("## " + display.md_escape("Q2 *growth* (east) #1 - 50%_up"))
    assert ">Q2 *growth* (east) #1 - 50%_up<" in rendered


def test_paragraph_escapes(shown: list) -> None:
    display.paragraph("A & B <script>alert(1)</script>\nline two")
    (p,) = shown
    assert isinstance(p, HTML)
    assert p.data == "<p>A &amp; B &lt;script&gt;alert(1)&lt;/script&gt;<br>line two</p>"


@pytest.fixture
def sales() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["east", "north", "atlantis"],
            "customer": XSS[:3],
            "revenue": [12_345_000.0, math.nan, 980.0],
            "completion": [0.91, 1.2, None],
            "status": ["green", "red", "unknown"],
            "orders": [1200, 3, 0],
        }
    )


def test_table_escapes_every_cell_and_header(sales: pd.DataFrame) -> None:
    df = sales.rename(columns={"customer": "<b>customer</b>"})
    html = display.table_html(df, "en")
    for payload in XSS[:3]:
        assert payload not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;customer&lt;/b&gt;" in html


def test_table_translates_and_formats_in_chinese(sales: pd.DataFrame) -> None:
    html = display.table_html(sales, "zh", money="revenue", pct=["completion"])
    for text in ('<th class="nowrap" scope="col">区域</th>', "销售额", "完成率", ">华东<", ">华北<", ">atlantis<"):
        assert text in html
    assert ">¥12,345,000<" in html and ">¥980<" in html
    assert ">91.0%<" in html and ">120.0%<" in html
    assert html.count(">—<") == 2  # NaN revenue, None completion
    assert ">1,200<" in html
    assert 'class="kpi-green"' in html and "正常" in html and 'class="kpi-red"' in html
    assert ">未知<" in html  # "unknown" named (common.yaml names.any), not a light
    assert "Region" not in html and "Revenue" not in html


def test_table_truncates_with_a_note() -> None:
    df = pd.DataFrame({"orders": range(120)})
    html = display.table_html(df, "en", max_rows=10)
    assert html.count("<tr>") == 11  # header + 10
    assert "Showing the first 10 of 120 rows." in html
    assert "共 120 行" in display.table_html(df, "zh", max_rows=10)


def test_table_shows_a_meaningful_index() -> None:
    df = pd.DataFrame({"revenue": [1.0, 2.0]}, index=pd.Index(["east", "north"], name="region"))
    html = display.table_html(df, "en", money="revenue")
    assert ">East China<" in html and ">Region<" in html


def test_table_formats_dates() -> None:
    df = pd.DataFrame({"month": pd.to_datetime(["2026-01-01", "2026-02-01"])})
    assert ">2026-02-01<" in display.table_html(df, "en")


def test_styler_escapes_cells_and_headers(sales: pd.DataFrame) -> None:
    df = sales.rename(columns={"orders": "<i>orders</i>"})
    html = display.style(df, "zh", money="revenue").highlight_max(subset=["销售额"]).to_html()
    for payload in XSS[:3]:
        assert payload not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;i&gt;orders&lt;/i&gt;" in html
    assert "华东" in html and "¥12,345,000" in html


def test_table_accepts_a_styler(sales: pd.DataFrame, shown: list) -> None:
    display.table(display.style(sales, "en"))
    display.table(sales, "en", money="revenue")
    assert all(isinstance(x, HTML) for x in shown) and len(shown) == 2
    assert "&lt;script&gt;" in shown[0].data and "&lt;script&gt;" in shown[1].data


def test_kpi_light() -> None:
    assert display.kpi_html("yellow", "zh") == (
        '<span class="kpi kpi-yellow"><span class="dot" aria-hidden="true"></span>预警</span>'
    )
    assert display.kpi_html("<x>", "en").startswith('<span class="kpi">')
    assert "&lt;x&gt;" in display.kpi_html("<x>", "en")


def test_table_translates_flags_and_value_keys() -> None:
    # Booleans read yes / no; keys of goals, tasks, KPIs, risks and owners use the one translation table.
    df = pd.DataFrame(
        {
            "chosen": [True, False],
            "relevant_to": ["manufacturing/medium", "funnel"],
            "risk": ["high", "low"],
            "kpi": ["revenue_strategic", "not_a_kpi"],
            "owner": ["Sales director", "Ms Wang"],
            "level": ["quarter", "month"],
        }
    )
    zh = display.table_html(df, "zh")
    for text in (
        "是",
        "否",
        "制造业 · 中型（100-999人）",
        "销售漏斗",
        "高",
        "低",
        "战略客户销售额",
        "销售总监",
        "季度",
    ):
        assert f">{text}<" in zh, text
    assert ">True<" not in zh and ">False<" not in zh
    assert ">not_a_kpi<" in zh and ">Ms Wang<" in zh  # unknown values stay as they are
    en = display.table_html(df, "en")
    assert ">yes<" in en and ">Manufacturing · Medium (100-999)<" in en and ">Sales funnel<" in en


def test_audit_checks_read_as_labels_in_both_languages():
    from planning import display

    assert display.audit_check("target_vs_market", "en") == "Target against the market possibility"
    assert display.audit_check("target_vs_market", "zh") == "目标对照市场可能性"
    assert display.audit_check("non_negative:health.revenue_at_risk", "en") == (
        "No negative values: artifacts/health.csv/revenue_at_risk"
    )
    assert display.audit_check("step_inputs_present:02_goals", "en").endswith(": Goals")
    assert display.audit_check("some_new_check", "en") == "some new check"  # no label yet: still no raw key


def test_every_check_the_audit_makes_has_a_label_in_both_languages():
    """A zh review listed "attrition shared", "ramp months shared" and "team capacity shared" in English."""
    import re

    from planning import config, i18n

    found = set()
    for src in (config.PROJECT_ROOT / "planning" / "audit").glob("*.py"):
        found |= set(re.findall(r'check = "(\w+)', src.read_text(encoding="utf-8")))
    assert len(found) > 15  # the checks named by `check = "..."` (the fact-sharing ones among them)
    unlabelled = []
    for check in sorted(found):
        for lang in ("en", "zh"):
            try:
                i18n.t(f"common.audit_checks.{check}", lang, arg="")
            except KeyError:
                unlabelled.append((check, lang))
    assert not unlabelled


def test_a_measure_has_one_number_of_decimals_in_every_row():
    """Issue 23: value and health scores read 45 / 44.8 / 49.19 in one column."""
    scores = pd.Series([45.0, 44.8, 49.19])
    assert display.column_decimals("health_score", scores) == 1
    assert display.column_decimals("elasticity", pd.Series([0.95, 0.5, 1.0])) == 2
    assert display.column_decimals("orders", pd.Series([3.0, 4.0])) == 0
    assert display.column_decimals("amount", pd.Series([1234.5, 99999.25])) == 0
    html = display.table_html(pd.DataFrame({"value_score": scores}), "en")
    assert all(x in html for x in (">45.0<", ">44.8<", ">49.2<"))


def test_short_headers_never_break_one_character_a_line() -> None:
    """The zh 5-Why table: its empty why-4 / why-5 columns shrank to one header character a line at 1280 px; a short
    header (a CJK character counting two) is `nowrap`, a long one may wrap, and the report's CSS honours it."""
    from planning.config import PROJECT_ROOT

    whys = pd.DataFrame(
        {
            "key": ["2026-Q3"],
            "why_1": ["销量下降 12%，主要在华东的制造业客户" * 3],
            "why_4": [""],
            "why_5": [""],
            "note": ["x"],
        }
    )
    out = display.table_html(whys, "zh", domain="review")
    assert '<th class="nowrap" scope="col">为什么 4</th>' in out
    assert '<th class="nowrap" scope="col">为什么 5</th>' in out
    long = display.table_html(pd.DataFrame({"a_very_long_column_name_here": [1.5]}), "en")
    assert "nowrap" not in long.split("<tbody>")[0].replace('class="num"', "")
    css = (PROJECT_ROOT / "planning" / "templates" / "report.css").read_text()
    assert "th.nowrap" in css


_COLUMNS = {
    "str": pd.Series(["2027-Q1", "a much longer text than twelve", "x"]),
    "short str": pd.Series(["2027-Q1", "id-007"]),
    "str with gaps": pd.Series(["2027-Q1", None, "x"]),
    "string dtype": pd.Series(["2027-Q1", None], dtype="string"),
    "all missing": pd.Series([None, None], dtype="str"),
    "object": pd.Series(["ab", "cd"], dtype=object),
    "object mixed": pd.Series(["ab", 1234567890123, None], dtype=object),
    "dates": pd.Series(pd.to_datetime(["2027-01-01", None])),
    "exactly twelve": pd.Series(["123456789012"]),
    "thirteen": pd.Series(["1234567890123"]),
    "cjk": pd.Series(["一二三四五六七八九十一二"]),
}


@pytest.mark.parametrize("name", sorted(_COLUMNS))
def test_short_text_is_the_longest_value_as_text(name: str) -> None:
    """`_short_text` reads a column of str without `astype(str)`; it says what that copy's longest value says."""
    s = _COLUMNS[name]
    expected = bool(s.astype(str).str.len().max() <= display.SHORT_TEXT)
    assert display._short_text(s) == expected


@pytest.mark.parametrize(
    "values",
    [
        [45.0, 44.8, 49.19],
        [3.0, 4.0, float("nan")],
        [1234.5, 99999.25, float("inf")],
        [0.5, -float("inf")],
        [float("nan")],
        [],
        [999.5, 1000.5],
        [1, 2, 3],
    ],
)
@pytest.mark.parametrize("col", ["health_score", "elasticity"])
def test_column_decimals_of_an_array_are_the_series_rule(values: list, col: str) -> None:
    """Numbers of a numpy dtype are judged on the array; the same answer as the Series rule (`to_numeric`,
    dropna, no infinities), which object columns still take."""
    s = pd.Series(values, dtype="int64" if all(isinstance(v, int) for v in values) and values else "float64")
    assert display.column_decimals(col, s) == display.column_decimals(col, s.astype(object))


def test_table_cells_are_built_column_by_column_as_row_by_row() -> None:
    """A table mixing every kind of column (KPI lights, translated keys, money, pct, dates, flags, text with
    gaps) is the one the row-by-row loop built (pinned here as literal HTML)."""
    df = pd.DataFrame(
        {
            "region": ["east", "north"],
            "status": ["green", "unknown"],
            "revenue": [1234567.0, float("nan")],
            "share": [0.125, 0.5],
            "month": pd.to_datetime(["2027-01-01", None]),
            "ok": [True, False],
            "note": ["a <b> & c", None],
        }
    )
    assert display.table_html(df, "en", money="revenue", pct="share") == (
        '<table class="planning-table"><thead><tr><th class="nowrap" scope="col">Region</th><th class="nowrap" '
        'scope="col">Status</th><th class="num" scope="col">Revenue</th><th class="num" scope="col">Share</th>'
        '<th class="nowrap" scope="col">Month</th><th class="num" scope="col">Ok</th><th class="nowrap" '
        'scope="col">Note</th></tr></thead><tbody><tr><td class="nowrap">East China</td><td class="kpi-green">'
        '<span class="kpi kpi-green"><span class="dot" aria-hidden="true"></span>On track</span></td>'
        '<td class="num">¥1,234,567</td><td class="num">12.5%</td><td class="nowrap">2027-01-01</td>'
        '<td class="num">yes</td><td class="nowrap">a &lt;b&gt; &amp; c</td></tr><tr><td class="nowrap">North China'
        '</td><td class="nowrap">Unknown</td><td class="num">—</td><td class="num">50.0%</td><td class="nowrap">—'
        '</td><td class="num">no</td><td class="nowrap">—</td></tr></tbody></table>'
    )
    empty = display.table_html(pd.DataFrame(index=range(2)), "en")  # no columns: a row each, as before
    assert empty == '<table class="planning-table"><thead><tr></tr></thead><tbody><tr></tr><tr></tr></tbody></table>'
