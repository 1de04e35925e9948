"""planning.charts: theme, locale, renderers and the aggregated-data guard, checked on `to_dict()` specs."""

from __future__ import annotations

import json
import re

import altair as alt
import pandas as pd
import pytest
from altair.utils import schemapi

from planning import charts


@pytest.fixture(autouse=True)
def _restore_rendering():
    """Each test may switch renderer / language; put back the module defaults afterwards."""
    yield
    charts.enable(batch=True, lang="en")


def _bar(n: int = 3) -> alt.Chart:
    df = pd.DataFrame({"region": [f"r{i}" for i in range(n)], "revenue": range(n)})
    return alt.Chart(df).mark_bar().encode(x="region:N", y="revenue:Q")


def test_theme_is_registered_and_enabled() -> None:
    assert alt.theme.active == charts.THEME
    config = _bar().to_dict()["config"]
    for font in ("PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "sans-serif"):
        assert font in config["font"]
    assert config["axis"]["labelFontSize"] >= 11 and config["title"]["fontSize"] >= 14
    assert config["range"]["category"] == charts.PALETTE
    assert config["locale"]["number"]["currency"] == ["¥", ""]


def test_locale_follows_language() -> None:
    charts.enable(batch=True, lang="zh")
    assert _bar().to_dict()["config"]["locale"]["time"]["shortMonths"][0] == "1月"
    charts.enable(batch=True, lang="en")
    assert _bar().to_dict()["config"]["locale"]["time"]["shortMonths"][0] == "Jan"


def test_money_axis_labels() -> None:
    zh = charts.money_axis("zh", title="销售额").to_dict()
    assert zh["title"] == "销售额" and "万" in zh["labelExpr"] and "亿" in zh["labelExpr"]
    en = charts.money_axis("en").to_dict()
    assert "'G', 'B'" in en["labelExpr"]
    spec = _bar().encode(y=alt.Y("revenue:Q", axis=charts.money_axis("en"))).to_dict()
    assert spec["encoding"]["y"]["axis"]["labelExpr"] == en["labelExpr"]


def test_kpi_scale() -> None:
    scale = charts.kpi_scale().to_dict()
    assert scale["domain"] == ["green", "yellow", "red"]
    assert scale["range"] == list(charts.KPI_COLORS.values())


def test_unaggregated_data_is_refused() -> None:
    _bar(charts.MAX_ROWS).to_dict()  # at the limit: fine
    with pytest.raises(charts.ChartDataTooLarge, match="aggregate"):
        _bar(charts.MAX_ROWS + 1).to_dict()
    assert issubclass(charts.ChartDataTooLarge, alt.MaxRowsError)


def _html(chart: alt.Chart) -> str:
    bundle = chart._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    return bundle["text/html"]


def test_batch_renderer_emits_a_vega_embed_call_without_the_library() -> None:
    assert charts.enable(batch=True, lang="en", svg_fallback=False) == charts.RENDERER
    html = _html(_bar().properties(title="Revenue"))
    assert 'class="planning-chart"' in html and "window.vegaEmbed(" in html
    assert '"tooltip": true' in html
    assert "<svg" not in html  # no fallback asked for
    assert len(html) < 5_000  # the spec only: the JS bundle is inlined once per page by planning.report
    assert not re.search(r"(src|href)=\"?https?:", html)
    spec = json.loads(re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', html).group(1))
    assert spec["title"] == "Revenue" and spec["mark"]["type"] == "bar"


def test_batch_renderer_ids_are_unique_and_fallback_is_svg() -> None:
    charts.enable(batch=True, lang="en", svg_fallback=True)
    a, b = _html(_bar()), _html(_bar())
    ida, idb = (re.search(r'id="(chart-[0-9a-f-]+)"', h).group(1) for h in (a, b))
    assert ida != idb and idb == ida + "-2"  # the same chart shown twice on one page
    assert '<div class="chart-fallback"><svg' in a


def test_batch_renderer_ids_depend_only_on_the_chart() -> None:
    """A re-run (next notebook, next kernel) gives the same ids, so reports are byte-identical."""
    charts.enable(batch=True, lang="en", svg_fallback=False)
    first = _html(_bar())
    charts.enable(batch=True, lang="en", svg_fallback=False)  # what notebook.setup does for every notebook
    assert _html(_bar()) == first
    other = alt.Chart(pd.DataFrame({"x": ["a"], "y": [2]})).mark_bar().encode(x="x:N", y="y:Q")
    assert re.search(r'id="(chart-[0-9a-f-]+)"', _html(other)).group(1) not in first


def test_chart_data_cannot_break_out_of_the_script() -> None:
    charts.enable(batch=True, lang="en", svg_fallback=False)
    df = pd.DataFrame({"customer": ["</script><script>alert(1)</script>"], "revenue": [1]})
    html = _html(alt.Chart(df).mark_bar().encode(x="customer:N", y="revenue:Q"))
    assert "</script><script>alert(1)" not in html
    assert "\\u003c/script\\u003e" in html


def test_interactive_renderer_is_a_saved_output_not_a_widget() -> None:
    """JupyterLab draws the Vega-Lite 5 mimetype itself (offline, no kernel after a reopen); the SVG serves the
    viewers without that renderer. No widget state, no script, nothing fetched."""
    name = charts.enable(batch=False)
    try:
        assert name == charts.LAB_RENDERER and alt.renderers.active == name
        bundle = alt.renderers.get()(_bar().to_dict())
    finally:
        charts.enable(batch=True)
    assert set(bundle) == {charts.LAB_MIMETYPE, "image/svg+xml", "text/plain"}
    assert bundle[charts.LAB_MIMETYPE]["$schema"].endswith("/v5.json")
    assert bundle["image/svg+xml"].startswith("<svg") and "<script" not in bundle["image/svg+xml"]
    assert "https://" not in json.dumps(bundle[charts.LAB_MIMETYPE]).replace(charts.LAB_SCHEMA, "")


def test_wrap_label_balances_lines() -> None:
    assert charts.wrap_label("Plan") == "Plan"
    assert charts.wrap_label("Baseline forecast") == "Baseline\nforecast"
    assert charts.wrap_label("Share gain: Energy") == "Share gain:\nEnergy"
    # 8 CJK characters = 16 columns > 12: two lines of about equal length, not 6 + 2.
    assert charts.wrap_label("预算获取的新客户") == "预算获取的\n新客户"
    assert charts.wrap_label("份额提升（能源）") == "份额提升\n（能源）"  # breaks before the bracket
    assert charts.wrap_label("") == ""


def test_waterfalls_keep_labels_horizontal() -> None:
    from planning.goals import charts as goals_charts

    cal = pd.DataFrame(
        {
            "step": [1, 2, 3],
            "component": ["baseline", "buffer", "target"],
            "label": ["基线预测", "弹性空间", "年度目标"],
            "amount": [100.0, 10.0, 110.0],
            "explanation": ["", "", ""],
            "kind": ["start", "delta", "total"],
        }
    )
    spec = goals_charts.waterfall(cal, "zh").to_dict()
    axis = spec["encoding"]["x"]["axis"]
    assert axis["labelAngle"] == 0 and "split(datum.label" in axis["labelExpr"]
    # the review's waterfall: tests/test_review_charts.py


@pytest.mark.parametrize("compound", ["vconcat", "hconcat", "facet"])
def test_interactive_display_accepts_compound_charts(compound: str, monkeypatch) -> None:
    """altair's `jupyter` renderer rejected concat / facet specs; `charts.show` must not."""
    shown: list = []
    monkeypatch.setattr("planning.charts.display", lambda obj, **kw: shown.append(obj))
    df = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    base = alt.Chart(df).mark_bar().encode(x="a:Q", y="b:Q")
    chart = {
        "vconcat": alt.vconcat(base, base),
        "hconcat": alt.hconcat(base, base),
        "facet": base.facet(column="a:N"),
    }[compound]
    try:
        charts.enable(batch=False)
        charts.show(chart)
    finally:
        charts.enable(batch=True)
    assert compound in shown[0][charts.LAB_MIMETYPE] and shown[0]["image/svg+xml"].startswith("<svg")


def test_show_in_batch_displays_the_renderer_output_and_raises_on_bad_charts(monkeypatch) -> None:

    shown: list[tuple] = []
    monkeypatch.setattr(charts, "display", lambda *objs, **kw: shown.append((objs, kw)))
    charts.enable(batch=True, lang="en", svg_fallback=False)
    charts.show(_bar())
    ((bundle,), kw), expected = shown[0], _html(_bar())
    assert kw == {"raw": True} and bundle["text/plain"] == "<chart>"
    assert bundle["text/html"] == expected.replace(
        re.search(r"chart-[0-9a-f-]+", expected).group(0),
        re.search(r"chart-[0-9a-f-]+", bundle["text/html"]).group(0),
    )
    with pytest.raises(charts.ChartDataTooLarge):  # fails the step, not a traceback in place of the chart
        charts.show(_bar(charts.MAX_ROWS + 1))


def test_chinese_money_ticks_between_ten_and_a_hundred_thousand_stay_distinct():
    """¥12,000 and ¥14,000 were both labelled ¥1万 (万 without decimals): a minimal plan's small amounts showed an
    axis of equal ticks. Rendered by vl-convert (the static SVG the reports embed)."""
    import vl_convert  # lazy: the static-SVG renderer, for this test only

    df = pd.DataFrame({"x": [0.0, 10000.0, 12000.0, 14000.0]})
    chart = alt.Chart(df).mark_tick().encode(
        x=alt.X("x:Q", axis=charts.money_axis("zh", None, values=[10000, 12000, 14000]))
    )
    svg = vl_convert.vegalite_to_svg(chart.to_dict())
    labels = re.findall(r">([^<>]*万)<", svg)
    assert sorted(labels) == sorted(set(labels)) and len(labels) == 3, labels
    assert any(label.endswith("1.2万") for label in labels), labels


def test_shorthand_channels_give_the_spec_altairs_own_from_dict_gives(monkeypatch):
    """planning.charts builds altair's class map for shorthand channels once (`_from_dict`); the specs are the
    ones altair's own `from_dict` gives, channel classes included."""
    def build() -> tuple[dict, list[str]]:
        frame = pd.DataFrame({"month": ["2026-01", "2026-02"], "sales": [1.0, 2.0], "team": ["a", "b"]})
        chart = (
            alt.Chart(frame)
            .mark_bar()
            .encode(x="month:O", y={"field": "sales", "type": "quantitative"}, color="team:N",
                    tooltip=["month", "sales:Q"], opacity={"value": 0.5})  # fmt: skip
        )
        kinds = [type(chart.encoding[c]).__name__ for c in ("x", "y", "color", "opacity")]
        return chart.to_dict(validate=True), kinds

    ours = build()
    monkeypatch.setattr(schemapi.SchemaBase, "from_dict", charts._ALTAIR_FROM_DICT)
    assert build() == ours
    assert ours[1] == ["X", "Y", "Color", "OpacityValue"]


def _typed(records: list[dict]) -> list[list[tuple[str, str, str]]]:
    """Records with every value's type, compared as text (NaN == NaN, 1 != 1.0 != True)."""
    return [[(k, type(v).__name__, repr(v)) for k, v in r.items()] for r in records]


_FRAMES = {
    "numbers": pd.DataFrame(
        {
            "i": [1, -2, 3],
            "i32": pd.Series([4, 5, 6], dtype="int32"),
            "u8": pd.Series([7, 8, 9], dtype="uint8"),
            "f": [1.5, float("nan"), float("inf")],
            "g": [-0.0, float("-inf"), 2.0],
            "b": [True, False, True],
        }
    ),
    "text": pd.DataFrame(
        {
            "s": ["a", None, "c"],
            "string": pd.Series(["x", None, "z"], dtype="string"),
            "o": pd.Series(["p", "q", "r"], dtype=object),
            "cat": pd.Categorical(["x", None, "y"]),
        }
    ),
    "dates": pd.DataFrame(
        {
            "d": pd.to_datetime(["2027-01-01", None, "2027-03-01 10:30:00"], format="ISO8601"),
            "ds": pd.Series(pd.to_datetime(["2027-01-01", "2027-02-01", "2027-03-01"])).astype("datetime64[s]"),
            "n": [1, 2, 3],
        }
    ),
    "empty": pd.DataFrame({"month": pd.Series([], dtype="str"), "sales": pd.Series([], dtype="float64")}),
    "indexed": pd.DataFrame({"v": [1.0, 2.0]}, index=pd.Index(["a", "b"], name="k")),
}

# Frames altair inlines in its own way (or refuses): `_records` leaves them to altair.
_ALTAIR_FRAMES = {
    "object with gaps": pd.DataFrame({"o": pd.Series(["a", None, "b"], dtype=object)}),  # None -> NaN
    "mixed object": pd.DataFrame({"o": pd.Series(["a", 1, 2.5], dtype=object)}),
    "fractions of a second": pd.DataFrame({"d": pd.to_datetime(["2027-01-01 00:00:00.5"], format="ISO8601")}),
    "time zone": pd.DataFrame({"d": pd.to_datetime(["2027-01-01"]).tz_localize("UTC")}),
    "nullable int": pd.DataFrame({"n": pd.array([1, None], dtype="Int64")}),
    "float32": pd.DataFrame({"f": pd.Series([0.1, None], dtype="float32")}),
    "number categories": pd.DataFrame({"c": pd.Categorical([1, 2, None])}),
    "no columns": pd.DataFrame(index=range(2)),
    "int column names": pd.DataFrame({1: [1.0]}),
    "duplicate names": pd.DataFrame([[1, 2]], columns=["a", "a"]),
}


@pytest.mark.parametrize("name", sorted(_FRAMES))
def test_inline_records_are_altairs(name: str) -> None:
    """`_transformer` inlines a frame without altair's sanitising copy; the records (keys, order, values and
    their Python types) are exactly the ones altair's `to_values` gives."""
    df = _FRAMES[name]
    ours = charts._records(df)
    assert ours is not None
    assert _typed(ours) == _typed(alt.to_values(df)["values"])
    assert _typed(charts._transformer(df)["values"]) == _typed(ours)


@pytest.mark.parametrize("name", sorted(_ALTAIR_FRAMES))
def test_unusual_frames_are_inlined_by_altair(name: str) -> None:
    df = _ALTAIR_FRAMES[name]
    assert charts._records(df) is None
    try:
        expected = alt.to_values(df)
    except ValueError:  # altair refuses the frame: so does the transformer
        with pytest.raises(ValueError):
            charts._transformer(df)
        return
    assert _typed(charts._transformer(df)["values"]) == _typed(expected["values"])


def test_chart_data_with_datetimes_is_inlined_as_altair_does() -> None:
    df = pd.DataFrame({"month": pd.date_range("2027-01-01", periods=3, freq="MS"), "sales": [1.0, None, 3.0]})
    spec = alt.Chart(df).mark_line().encode(x="month:T", y="sales:Q").to_dict()
    (values,) = spec["datasets"].values()
    assert values == [
        {"month": "2027-01-01T00:00:00", "sales": 1.0},
        {"month": "2027-02-01T00:00:00", "sales": None},
        {"month": "2027-03-01T00:00:00", "sales": 3.0},
    ]
