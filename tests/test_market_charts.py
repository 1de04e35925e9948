"""Tests of planning/market/charts.py, on `to_dict()` specs."""

from __future__ import annotations

import pandas as pd
from frames_market import mp_comp, params, seg_tables, share_tables, trend_of, trend_orders

from planning.i18n import Voice
from planning.market import charts, competitors, narrate, segments, share, trend
from planning.params import Market


def test_trend_chart_spec():
    spec = charts.trend_line(trend.trend(trend_orders(), "2026-01-31"), "zh").to_dict()
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["x"]["timeUnit"] == "utcyearmonth"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["销售额", "上年同月"]
    values = spec["datasets"][spec["data"]["name"]]
    assert len(values) == 13 + 1  # 13 months + one month with a prior year
    assert spec["title"] == "月度销售额（叠加上年同期）"


def test_seasonality_chart_spec():
    se = trend.seasonality(trend_of(list(range(1, 13)) * 3))
    spec = charts.seasonality_bar(se, "en").to_dict()
    marks = [
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]
    ]
    assert marks == ["bar", "rule"]
    assert spec["layer"][0]["encoding"]["x"]["sort"][0] == "Jan"


def test_competitor_heatmap_spec():
    mp = mp_comp()
    spec = charts.competitor_heatmap(competitors.competitors(mp), mp.own_scores, "en").to_dict()
    rect = spec["layer"][0]
    assert rect["mark"]["type"] == "rect"
    assert rect["encoding"]["y"]["sort"][0] == "Us"
    assert "Service ▲" in rect["encoding"]["x"]["sort"]
    assert rect["encoding"]["color"]["scale"]["domain"] == [1, 5]


def test_segments_and_share_chart_specs():
    orders, customers, opp = seg_tables()
    seg = segments.segments(orders, customers, opp, params(Market(min_customers=2), as_of="2026-12-31"))
    labelled = narrate.label_segments(seg, segments.SEGMENT_DIMENSIONS, Voice("en"))
    spec = charts.segments_bubble(labelled, "en").to_dict()
    assert spec["layer"][0]["encoding"]["size"]["field"] == "sales"
    o, c, ms = share_tables()
    sh = share.market_share(o, c, ms, params(as_of="2026-12-31"))
    spec = charts.share_dumbbell(sh, "en").to_dict()
    assert spec["layer"][0]["encoding"]["x2"]["field"] == "share"
    assert len(spec["datasets"][spec["data"]["name"]]) == 3  # 2 industries + total, aggregated


def test_breakdown_title_reads_as_a_sentence() -> None:
    d = pd.DataFrame({"month": ["2026-01", "2026-02"], "product_line": ["equipment", "equipment"],
                      "sales": [1.0, 2.0], "l12m_share": [1.0, 1.0]})  # fmt: skip
    d["date"] = pd.to_datetime(d["month"])
    assert charts.breakdown_small_multiples(d, "product_line", "en").to_dict()["title"] == (
        "Monthly sales by product line"
    )


def test_increment_bar_spec():
    inc = pd.DataFrame({"source": ["share_gain", "opening"], "segment_or_dimension": ["energy", "service"],
                        "amount": [14.4, 38.8], "explanation": ["a", "b"], "rate": [0.01, 0.02], "base": [1.0, 2.0]})  # fmt: skip
    spec = charts.increment_bar(narrate.label_increment(inc, Voice("en")), "en").to_dict()
    assert spec["encoding"]["x"]["field"] == "amount" and spec["encoding"]["y"]["field"] == "label"
