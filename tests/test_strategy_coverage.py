"""planning.strategy.coverage: pipeline coverage = target / win rate, leads needed, acquisition mix."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from frames_strategy import full, opps, real_export_opps, targets

from planning import contracts, params
from planning.i18n import Voice
from planning.strategy import coverage, funnel, narrate


@pytest.fixture
def p() -> params.Strategy:
    return params.Strategy()


def test_coverage_is_target_over_win_rate(p):
    q = p.model_copy(update={"pipeline_share": 1.0})
    deals = opps()
    fun = funnel.funnel(deals, full(q))
    cov = coverage.coverage(targets(), deals, full(q), fun)
    # value win rate 300 / 1000 = 0.3 (one segment, < min_segment_deals -> overall); Q1: 200 / 0.3
    assert list(cov["period"]) == ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"]
    assert cov["win_rate"].iloc[0] == pytest.approx(0.3)
    assert cov["required_pipeline"].iloc[0] == pytest.approx(200 / 0.3)
    # open deals are expected to close in 2026 -> nothing open for 2027; gap = required; average lead 120
    assert cov["open_pipeline"].sum() == 0
    assert cov["leads_needed"].iloc[0] == np.ceil((200 / 0.3) / 120)  # 667 / 120 -> 6
    assert cov["discovery_needed"].iloc[0] == pytest.approx(round(6 * 8 / 9, 1))
    assert set(contracts.required_columns("coverage")) <= set(cov.columns)


def test_coverage_nets_out_the_installed_base(p):
    deals = opps()
    fun = funnel.funnel(deals, full(p))
    cov = coverage.coverage(targets(), deals, full(p), fun, base_expected=800.0)
    # Q4 holds 300 / 1000 of the year -> base 240, pipeline target 60
    assert cov["pipeline_target"].iloc[3] == pytest.approx(60.0)
    assert cov["required_pipeline"].iloc[3] == pytest.approx(60 / 0.3)


def test_coverage_needs_quarters(p):
    with pytest.raises(ValueError, match="quarter"):
        coverage.coverage(targets().iloc[[0]], opps(), full(p), funnel.funnel(opps(), full(p)))
    empty = coverage.coverage_or_empty(None, opps(), full(p), funnel.funnel(opps(), full(p)))
    assert empty.empty and set(contracts.required_columns("coverage")) <= set(empty.columns)


def test_acquisition_mix_cost_per_lead(p):
    marketing = pd.DataFrame(
        {
            "month": pd.to_datetime(["2026-06-01", "2026-06-01"]),
            "channel": ["events", "content"],
            "spend": [1000.0, 500.0],
            "leads": [4, 5],
        }  # fmt: skip
    )
    m = coverage.acquisition_mix(opps(), None, marketing, full(p)).set_index("source")
    assert m.loc["events", "cost_per_lead"] == 250.0  # 1000 / 4
    assert m.loc["content", "leads"] == 5  # even ids 0, 2, 4, 6, 8
    assert m.loc["content", "cost_per_win"] == 500.0  # content won O0


def test_coverage_divides_the_revenue_need_by_the_first_year_factor(p):
    q = p.model_copy(update={"pipeline_share": 1.0})
    deals = opps()
    fun = funnel.funnel(deals, full(q))
    cov = coverage.coverage(targets(), deals, full(q), fun, first_year_factor=2.0)
    # Q1 target 200 -> won value needed 200 / 2 = 100 -> pipeline 100 / 0.3 = 333.3 -> leads ceil(333.3 / 120) = 3
    assert cov["won_value_needed"].iloc[0] == pytest.approx(100.0)
    assert cov["required_pipeline"].iloc[0] == pytest.approx(100 / 0.3)
    assert cov["leads_needed"].iloc[0] == 3
    first_year = {"source": "data", "measured": 7 / 3, "used": 7 / 3, "customers": 2, "revenue": 700.0,
                  "won_value": 300.0, "cohort_start": "2024-10-01", "cohort_end": "2025-09-30"}  # fmt: skip
    text = narrate.describe_coverage(cov, 2027, None, math.nan, None, first_year, Voice("en", "CNY"))
    assert "2.33×" in text and "the 2 customers who first bought from 2024-10-01 to 2025-09-30" in text
    assert "¥700" in text and "¥300" in text and "limited" not in text
    assert "¥500 of deal value" in text  # won value needed: 1,000 / 2 over the four quarters
    zh = narrate.describe_coverage(
        cov, 2027, None, math.nan, None, {**first_year, "measured": 6.0, "used": 5.0}, Voice("zh", "CNY")
    )
    assert "实测 6.00 倍，限定在 1.00–5.00 倍之间" in zh


def test_coverage_on_an_export_without_stage_dates_or_values(p):
    # issue 17 case 6: lost deals at 0 made the value win rate 100 % (required pipeline = the target) and open
    # deals without a value an open pipeline of 0. Now: the count win rate 1 / 8, the pipeline valued at the
    # average won deal (300), the open pipeline not counted (NaN, not 0), no stage the funnel has no dates for.
    q = p.model_copy(update={"pipeline_share": 1.0})
    deals = real_export_opps()
    fun = funnel.funnel(deals, full(q))
    cov = coverage.coverage(targets(), deals, full(q), fun)
    assert cov["win_rate"].iloc[0] == pytest.approx(1 / 8)
    assert cov["required_pipeline"].iloc[0] == pytest.approx(200 * 8)
    assert cov["open_pipeline"].isna().all() and cov["coverage_ratio"].isna().all()
    assert cov["gap"].iloc[0] == pytest.approx(1600)
    assert cov["leads_needed"].iloc[0] == np.ceil(1600 / 300)  # 6 leads at 1 / 8 -> 0.75 wins of 300 each
    assert cov["won_needed"].iloc[0] == pytest.approx(0.8)
    assert cov[["discovery_needed", "proposal_needed", "negotiation_needed"]].isna().all().all()
    sup = funnel.support(deals, full(q))
    timing = coverage.pipeline_timing(deals, full(q), fun)
    for lang in ("en", "zh"):
        voice = Voice(lang, "CNY")
        said = narrate.describe_support(sup, voice)
        text = narrate.describe_coverage(cov, 2027, None, math.nan, timing, None, voice, sup)
        if lang == "en":
            assert said == (
                "What the opportunities support: they have no stage dates, so the funnel shows only how the "
                "leads ended (won, lost, still open), with no stage conversion or days in stage; lost or won "
                "deals carry no value, so the win rate is counted in deals, not by value; open deals carry no "
                "value, so the open pipeline is not counted (not taken as 0)."
            )
            assert "12.5% win rate by deal count" in text and "value win rate" not in text
            assert "Open deals carry no value" in text and "covers" not in text
        else:
            assert said.startswith("商机数据的支持范围：没有阶段日期") and "按单数计算" in said
            assert "按单数赢单率 12.5%" in text and "在途商机没有金额" in text
        funnel_text = narrate.describe_funnel(fun, funnel.win_stats(deals, full(q)), q, 12, voice)
        assert "100" not in funnel_text and ("by value" not in funnel_text and "按金额" not in funnel_text)
    assert narrate.describe_support(funnel.support(opps(), full(q)), Voice("en", "CNY")) == ""
