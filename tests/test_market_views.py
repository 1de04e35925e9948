"""planning.market.views: the translated display tables of step 1, in English and Chinese, built from the
compute modules' frames on the tiny tables of frames_market."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames_market import mp_comp, params, seg_tables, share_tables

from planning.i18n import Voice
from planning.market import competitors, narrate, needs, segments, share, swot, views
from planning.params import Market

EN, ZH = Voice("en", "CNY"), Voice("zh", "CNY")
BY = ["industry", "size_band"]


@pytest.fixture
def segs() -> pd.DataFrame:
    orders, customers, opp = seg_tables()
    return segments.segments(orders, customers, opp, params(Market(min_customers=1)))


@pytest.fixture
def market_share() -> pd.DataFrame:
    orders, customers, ms = share_tables()
    return share.market_share(orders, customers, ms, params(mp_comp(), as_of="2026-12-31"))


def test_segments_view_display_names_first(segs):
    v = views.segments_view(segs, BY, EN)
    assert list(v.columns) == ["icp_rank", "segment", "customers", "sales", "avg_order_value", "clv", "win_rate",
                               "closed_deals", "growth"]  # fmt: skip
    assert v["segment"].tolist() == ["Energy · Large (1000+)", "Retail · Small (<100 staff)"]
    assert v[["icp_rank", "customers", "closed_deals"]].values.tolist() == [[1, 2, 2], [2, 1, 1]]
    assert v[["sales", "clv", "win_rate"]].to_numpy().ravel() == pytest.approx([400, 240, 0.5, 60, 90, 0])
    assert views.segments_view(segs, BY, ZH)["segment"].tolist() == [
        "能源 · 大型（1000人以上）",
        "零售 · 小型（<100人）",
    ]
    assert segs["segment"].tolist() == ["energy/large", "retail/small"]  # the input is left as it was


def test_segments_view_without_opportunities_drops_the_win_rate_columns():
    orders, customers, _ = seg_tables()
    segs = segments.segments(orders, customers, None, params(Market(min_customers=1)))
    v = views.segments_view(segs, BY, EN)
    assert list(v.columns) == [
        "icp_rank",
        "segment",
        "customers",
        "sales",
        "avg_order_value",
        "clv",
        "growth",
    ]


def test_segments_view_by_industry_only(segs):
    one = segs.assign(segment=segs["industry"])
    assert views.segments_view(one, ["industry"], ZH)["segment"].tolist() == ["能源", "零售"]


def test_share_view_in_percentage_points_with_translated_status(market_share):
    v = views.share_view(market_share, EN)
    assert list(v.columns) == ["segment", "market_size", "our_sales", "share", "share_change", "market_growth",
                               "our_growth", "share_status"]  # fmt: skip
    assert v["segment"].tolist() == ["Energy", "Retail", "All industries"]
    # energy 180 / 1200 = 15 % against 100 / 1000 = 10 %: +5 pp; retail 8 % against 10 %: -2 pp
    assert v["share_change"].tolist() == pytest.approx([5.0, -2.0, (220 / 1700 - 0.1) * 100])
    assert v["share"].tolist() == pytest.approx([0.15, 0.08, 220 / 1700])  # the share itself stays a fraction
    assert v["share_status"].tolist() == ["gaining", "losing", "gaining"]
    zh = views.share_view(market_share, ZH)
    assert zh["segment"].tolist() == ["能源", "零售", "全部行业"]
    assert zh["share_status"].tolist() == ["上升", "下降", "上升"]
    assert market_share["share_change"].iloc[0] == pytest.approx(0.05)  # the input is left as it was


def test_share_view_rejects_a_status_it_cannot_translate(market_share):
    odd = market_share.assign(status=["gaining", "rising", "stable"])
    with pytest.raises(KeyError, match=r"market\.status\.rising.*locale/market\.yaml"):
        views.share_view(odd, EN)


def test_swot_view_translates_quadrants_and_sources(market_share):
    mp = mp_comp()
    sw = swot.swot(mp, market_share, competitors.competitors(mp))
    v = views.swot_view(narrate.swot_table(sw, EN), EN)
    assert list(v.columns) == ["quadrant", "item", "swot_source", "evidence"]
    assert (
        v["quadrant"].tolist() == ["Strengths"] * 3 + ["Weaknesses"] + ["Opportunities"] * 2 + ["Threats"] * 2
    )
    rows = v.set_index("item")
    assert rows.loc["Gaining share in Energy"].tolist() == [
        "Strengths",
        "Data",
        "share 15.0%, +5.00 pp year on year",
    ]
    assert rows.loc["Local service network"].tolist() == ["Strengths", "Interviews / workshop", ""]
    assert rows.loc["Price war", "swot_source"] == "Interviews / workshop"
    zh = views.swot_view(narrate.swot_table(sw, ZH), ZH).set_index("item")
    assert zh.loc["能源份额上升"].tolist() == ["优势", "数据", "份额 15.0%，同比 +5.00 个百分点"]
    assert zh.loc["价格战"].tolist() == ["威胁", "访谈 / 研讨会", ""]


def test_swot_view_rejects_an_unknown_quadrant():
    sw = pd.DataFrame({"quadrant": ["X"], "item": ["?"], "source": ["data"], "evidence": [""]})
    with pytest.raises(KeyError, match=r"market\.swot\.quadrants\.X"):
        views.swot_view(sw, EN)


def test_needs_view_says_unmet_as_yes_or_no(segs):
    mp = Market(
        needs=[
            {"need": "Faster delivery", "segments": ["energy"], "unmet": True},
            {"need": {"en": "Invoices", "zh": "发票"}, "segments": ["retail/small"]},
            {"need": "Training"},
        ]
    )
    nd = needs.needs(mp, segs)
    v = views.needs_view(nd, EN)
    assert v[["need", "segments", "unmet"]].values.tolist() == [
        ["Faster delivery", "Energy", "yes"],
        ["Invoices", "Retail · Small (<100 staff)", "no"],
        ["Training", "All segments", "no"],
    ]
    assert v[["customers", "sales"]].values.tolist() == [[2, 400.0], [1, 60.0], [3, 460.0]]
    zh = views.needs_view(nd, ZH)
    assert zh[["need", "segments", "unmet"]].values.tolist() == [
        ["Faster delivery", "能源", "是"],  # a need given as plain text has no Chinese to show
        ["发票", "零售 · 小型（<100人）", "否"],
        ["Training", "全部细分", "否"],
    ]
    assert nd["unmet"].tolist() == [True, False, False]  # the input is left as it was


def test_increment_view_labels_sources_and_segments(market_share):
    mp = mp_comp()
    *_, ms = share_tables()
    tam = share.market_size_plan_year(ms, params(mp, plan_year=2027))  # energy 1440, retail 500
    inc = competitors.market_increment(market_share, mp, tam)
    v = views.increment_view(narrate.explain_increment(inc, 2027, EN), EN)
    assert list(v.columns) == ["increment_source", "segment_or_dimension", "amount", "explanation"]
    # share gain 0.01 x 1440 = 14.4; the service opening 0.02 x (1440 + 500) = 38.8
    assert v[["increment_source", "segment_or_dimension"]].values.tolist() == [
        ["Share gain", "Energy"],
        ["Differentiation opening", "Service"],
    ]
    assert v["amount"].tolist() == pytest.approx([14.4, 38.8])
    assert v["explanation"].tolist() == [
        "Energy: share 15.00% +1.00 pp × 2027 market ¥1,440 = ¥14",
        "Service opening: 2.00% of the 2027 regional market ¥1,940 = ¥39",
    ]
    zh = views.increment_view(narrate.explain_increment(inc, 2027, ZH), ZH)
    assert zh[["increment_source", "segment_or_dimension"]].values.tolist() == [
        ["份额提升", "能源"],
        ["差异化切入点", "服务"],
    ]
    assert zh["explanation"].iloc[1] == "服务切入点：2027 年区域市场 ¥1,940 的 2.00% = ¥39"


def test_increment_view_rejects_an_unknown_source():
    inc = pd.DataFrame({"source": ["luck"], "segment_or_dimension": ["price"], "amount": [1.0],
                        "explanation": [""]})  # fmt: skip
    with pytest.raises(KeyError, match=r"market\.increment\.sources\.luck"):
        views.increment_view(inc, EN)


def test_openings_view_openings_first_with_chinese_competitor_names():
    mp = mp_comp()  # service: A 2.0, B 2.5, both weak (<= 2.5): an opening; price: A 4.5; brand: A only
    v = views.openings_view(mp, EN)
    assert list(v.columns) == ["dimension", "best_competitor", "best_score", "own_score", "opening"]
    assert v.values.tolist() == [
        ["Service", "B", 2.5, 4.5, "yes"],
        ["Price", "A", 4.5, 2.0, "no"],
        ["Brand", "A", 3.0, 3.0, "no"],
    ]
    zh = views.openings_view(mp, ZH)
    assert zh.values.tolist() == [
        ["服务", "B", 2.5, 4.5, "是"],  # B has no Chinese name: its own name
        ["价格", "甲", 4.5, 2.0, "否"],
        ["品牌", "甲", 3.0, 3.0, "否"],
    ]


def test_openings_view_unknown_dimension_and_no_competitors():
    mp = Market(competitors=[{"name": "A", "scores": {"warranty": 2.0}}], own_scores={})
    v = views.openings_view(mp, ZH)
    assert v["dimension"].tolist() == ["warranty"]  # a dimension the locale does not know keeps its key
    assert np.isnan(v["own_score"].iloc[0]) and v["opening"].tolist() == ["是"]
    empty = views.openings_view(Market(), EN)
    assert empty.empty and list(empty.columns) == ["dimension", "best_competitor", "best_score", "own_score",
                                                   "opening"]  # fmt: skip
