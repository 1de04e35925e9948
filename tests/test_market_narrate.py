"""Tests of planning/market/narrate.py and views.py: the wording of the increment and SWOT artefacts, the
sentences (Voice last, no Context) and the translated tables."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pandas as pd
import pytest
from frames_market import mp_comp, orders_of, params, seg_tables, share_tables, trend_orders

from planning import contracts
from planning.i18n import Voice
from planning.market import competitors, narrate, needs, segments, share, swot, trend, views
from planning.params import Market

EN, ZH = Voice("en", "CNY"), Voice("zh", "CNY")


def _share(mp: Market) -> pd.DataFrame:
    orders, customers, ms = share_tables()
    return share.market_share(orders, customers, ms, params(mp, as_of="2026-12-31"))


def test_increment_explanation_names_the_inputs():
    mp = mp_comp()
    _, _, ms = share_tables()
    tam = share.market_size_plan_year(ms, params(mp, plan_year=2027))  # energy 1440, retail 500
    inc = narrate.explain_increment(competitors.market_increment(_share(mp), mp, tam), 2027, EN)
    assert set(contracts.required_columns("market_increment")) <= set(inc.columns)
    assert list(inc.columns) == ["source", "segment_or_dimension", "amount", "explanation", "rate", "base"]
    inc = inc.set_index("segment_or_dimension")
    assert list(inc.columns[:3]) == ["source", "amount", "explanation"]
    assert "1,440" in inc.loc["energy", "explanation"] or "¥1,440" in inc.loc["energy", "explanation"]
    assert "2027" in inc.loc["service", "explanation"]
    assert narrate.describe_increment(inc.reset_index(), 2027, EN).startswith("The market")


def test_increment_without_market_size_is_listed_not_quantified():
    mp = mp_comp()
    inc = competitors.market_increment(pd.DataFrame(), mp, pd.Series(dtype="float64"))
    inc = narrate.explain_increment(inc, 2027, EN)
    assert (inc["amount"] == 0.0).all() and inc["explanation"].str.contains("not quantified").all()
    empty = narrate.explain_increment(
        competitors.market_increment(pd.DataFrame(), Market(), pd.Series()), 2027, EN
    )
    assert empty.empty and list(empty.columns)[3] == "explanation"
    assert narrate.describe_increment(empty, 2027, EN) == narrate.describe_increment(inc, 2027, EN)


def test_swot_table_words_the_rules_in_both_languages():
    mp = mp_comp()
    sh = _share(mp)
    sw = swot.swot(mp, sh, competitors.competitors(mp))
    en = narrate.swot_table(sw, EN)
    assert set(contracts.required_columns("swot")) <= set(en.columns)
    assert list(en.columns) == ["quadrant", "item", "source", "evidence", "rule", "key"]
    data = en[en["source"] == "data"]
    assert data.set_index("key").loc["retail", "evidence"] == "share 8.0%, -2.00 pp year on year"
    assert "Local service network" in set(en["item"])
    zh = narrate.swot_table(sw, ZH)
    assert "价格战" in set(zh["item"]) and any("甲" in s for s in zh["item"])
    assert narrate.describe_swot(en, EN) == narrate.describe_swot(sw, EN)
    view = views.swot_view(en, ZH)
    assert list(view.columns) == ["quadrant", "item", "swot_source", "evidence"]


def test_sentences_take_a_voice():
    tr = trend.trend(trend_orders(), "2026-01-31")
    text = narrate.describe_trend(tr, trend_orders(), date(2026, 1, 31), "East China", EN)
    assert "East China" in text and "2026-01-31" in text
    assert narrate.describe_trend(tr.iloc[0:0], trend_orders(), date(2026, 1, 31), "East", EN) == EN.t(
        "market.trend.no_data"
    )
    season = trend.seasonality(tr)
    assert narrate.describe_seasonality(season, ZH)
    mp = mp_comp()
    comp = competitors.competitors(mp)
    assert "Service" in narrate.describe_competitors(comp, mp, EN)
    assert "服务" in narrate.describe_competitors(comp, mp, ZH)
    assert narrate.describe_competitors(comp.iloc[0:0], mp, EN) == EN.t("market.competitors.none")
    text = narrate.describe_share(_share(mp), mp, EN)
    assert "Energy" in text and "Retail" in text  # gaining and losing


def test_segments_are_named_and_described():
    orders, customers, opp = seg_tables()
    segs = segments.segments(orders, customers, opp, params(Market(min_customers=2)))
    labelled = narrate.label_segments(segs, segments.SEGMENT_DIMENSIONS, EN)
    assert labelled.columns[0] == "label" and labelled["label"].iloc[0].startswith("Energy · ")
    assert narrate.segment_label("retail/home_office", segments.SEGMENT_DIMENSIONS, EN).endswith(
        "Home office"
    )
    text = narrate.describe_segments(segs, segments.SEGMENT_DIMENSIONS, Market(min_customers=2), EN)
    assert "Energy" in text
    view = views.segments_view(segs, segments.SEGMENT_DIMENSIONS, ZH)
    assert view.columns[1] == "segment" and "win_rate" in view.columns
    assert narrate.missing_dimensions(("industry",), ZH) != narrate.missing_dimensions(("industry",), EN)


def test_needs_are_worded_in_the_voice():
    orders, customers, opp = seg_tables()
    segs = segments.segments(orders, customers, opp, params(Market(min_customers=2)))
    mp = Market(needs=[{"need": {"en": "Faster delivery", "zh": "更快交付"}, "segments": ["energy"], "unmet": True},
                       {"need": "Invoices"}])  # fmt: skip
    nd = needs.needs(mp, segs)
    zh = narrate.needs_table(nd, ZH)
    assert list(zh["need"]) == ["更快交付", "Invoices"]
    assert zh["segments"].iloc[1] == ZH.t("market.needs.all_segments")
    assert "Faster delivery" in narrate.describe_needs(nd, EN)
    assert set(views.needs_view(nd, EN)["unmet"]) == {EN.t("market.flags.true"), EN.t("market.flags.false")}


def test_company_summary():
    orders = pd.concat(
        [
            orders_of([("A1", "2025-03-01", "C1", 100, 0), ("A2", "2026-03-01", "C1", 150, 0)]),
            orders_of([("B1", "2025-03-01", "C2", 100, 0), ("B2", "2026-03-01", "C2", 50, 0)]).assign(
                region="north"
            ),
        ],
        ignore_index=True,
    )
    s = narrate.company_summary(SimpleNamespace(orders=orders, regions=None), "2026-12-31").set_index(
        "region"
    )
    assert s.loc["east", "yoy_growth"] == pytest.approx(0.5) and s.loc[
        "north", "yoy_growth"
    ] == pytest.approx(-0.5)
    assert s.loc["company", "sales_l12m"] == 200.0 and s.loc["company", "yoy_growth"] == 0.0
    assert s.loc["east", "share_of_company"] == pytest.approx(0.75)
    assert s.loc["north", "name_zh"] == "华北"


def test_chinese_share_sentence_uses_full_width_brackets():
    """'能源 (+2.12 个百分点)、…' had half-width brackets around Chinese text; Chinese punctuation is （）."""
    mp = mp_comp()
    zh = narrate.describe_share(_share(mp), mp, ZH)
    assert "个百分点）" in zh and "个百分点)" not in zh and " (" not in zh
    en = narrate.describe_share(_share(mp), mp, EN)
    assert " pp)" in en and "（" not in en


def test_no_ranked_segment_says_what_a_ranking_needs_under_the_unranked_table():
    segs = pd.DataFrame({"segment": ["energy/large"], "icp_score": [float("nan")], "sales": [1.0], "clv": [1.0],
                         "win_rate": [0.5], "growth": [0.1]})  # fmt: skip
    for voice in (EN, ZH):
        text = narrate.describe_segments(segs, segments.SEGMENT_DIMENSIONS, Market(min_customers=5), voice)
        assert "5" in text and text == voice.t("market.segments.none", min=5)
