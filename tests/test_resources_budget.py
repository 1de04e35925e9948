"""Tests of planning/resources/budget.py: response curves, the optimal allocation under its bounds, a lead
source that stopped producing, and the cost of sales."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from frames_resources import channels, plan_params, res_section

from planning import contracts
from planning.resources import budget


def test_fit_response_recovers_a_power_law_and_caps_elasticity():
    spend = np.array([100.0, 400.0, 900.0, 1600.0])
    a, b, r2 = budget.fit_response(spend, 2.0 * np.sqrt(spend), max_elasticity=0.95)
    assert a == pytest.approx(2.0) and b == pytest.approx(0.5) and r2 == pytest.approx(1.0)
    # leads proportional to spend (b = 1) is capped at 0.95 and a refitted for it.
    a, b, _ = budget.fit_response(spend, spend / 10, max_elasticity=0.95)
    assert b == pytest.approx(0.95)
    assert a == pytest.approx(np.exp(np.mean(np.log(spend / 10) - 0.95 * np.log(spend))))


def test_allocate_symmetric_channels_split_evenly():
    # Two identical concave channels: the optimum is 50/50 whatever the current split.
    alloc = budget.allocate(
        channels(spend=(1100.0, 100.0)), 1200.0, res_section(min_share=0.05, max_share=0.95, max_growth=20)
    )
    assert alloc["optimal_budget"].tolist() == pytest.approx([600.0, 600.0], rel=1e-4)
    assert set(contracts.required_columns("budget")) <= set(alloc.columns)


def test_allocate_respects_budget_bounds_and_beats_current():
    econ = channels(
        a=(1.0, 3.0, 0.5), b=(0.5, 0.7, 0.9), rpl=(100.0, 80.0, 300.0), spend=(500.0, 300.0, 200.0)
    )
    r = res_section(min_share=0.1, max_share=0.6, max_growth=1.0)
    alloc = budget.allocate(econ, 1000.0, r)
    assert alloc["optimal_budget"].sum() == pytest.approx(1000.0)
    shares = alloc["optimal_budget"] / 1000.0
    assert (shares >= 0.1 - 1e-6).all() and (shares <= 0.6 + 1e-6).all()
    # growth cap: at most (1 + 1.0) x current share
    assert (alloc["optimal_budget"] <= 2 * alloc["current_budget"] + 1e-6).all()
    assert alloc["revenue"].sum() >= alloc["current_revenue"].sum() - 1e-6
    # revenue = 12 a (x / 12)^b * revenue per lead, ROI = (revenue - x) / x
    row = alloc.iloc[0]
    assert row["revenue"] == pytest.approx(12 * (row["optimal_budget"] / 12) ** 0.5 * 100)
    assert row["roi"] == pytest.approx((row["revenue"] - row["optimal_budget"]) / row["optimal_budget"])


def test_allocate_rejects_impossible_bounds():
    with pytest.raises(ValueError, match="cannot add up"):
        budget.allocate(channels(), 100.0, res_section(max_share=0.4))
    with pytest.raises(ValueError, match="no marketing channels"):
        budget.allocate(channels().iloc[0:0], 100.0, res_section())


def test_channel_economics_flags_a_channel_that_stopped_producing():
    months = pd.date_range("2025-01-01", "2026-09-01", freq="MS")
    rows = []
    for m in months:
        rows.append({"month": m, "channel": "good", "spend": 1000.0, "leads": 10})
        late = m >= pd.Timestamp("2026-04-01")
        rows.append({"month": m, "channel": "dead", "spend": 1000.0, "leads": 1 if late else 10})
    econ = budget.channel_economics(pd.DataFrame(rows), None, plan_params(date(2026, 9, 30), recent_months=6))
    flags = econ.set_index("channel")["stopped"].to_dict()
    assert flags == {"dead": True, "good": False}
    # dead: recent 6 months (Apr-Sep) 6 leads / 6,000; before (Oct-Mar) 60 / 6,000 -> yield down 90%.
    assert econ.set_index("channel").loc["dead", "yield_drop"] == pytest.approx(0.9)
