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


# The four channels of the sample's central region at as-of 2026-03-31, where SLSQP stopped with "Positive
# directional derivative for linesearch" and the resources step failed ("budget optimisation did not converge").
CENTRAL_2026_03 = {
    "a": (0.01071956236278759, 0.0012952995877932526, 0.018269664461503275, 0.007020978600074583),
    "b": (0.8251282419678045, 0.95, 0.7065148809019589, 0.95),
    "rpl": (9824.043715846994, 18908.333333333332, 9621.118012422361, 34758.82352941177),
    "spend": (71337.69, 145567.41999999998, 86818.74999999999, 18205.21),
}


def _marginals(alloc: pd.DataFrame, econ: pd.DataFrame) -> np.ndarray:
    x = alloc["optimal_budget"].to_numpy()
    return econ["a"].to_numpy() * econ["b"].to_numpy() * (x / 12) ** (econ["b"].to_numpy() - 1) * econ[
        "revenue_per_lead"
    ].to_numpy()


def test_allocate_where_slsqp_did_not_converge_is_the_optimum():
    econ = channels(**CENTRAL_2026_03)
    total = sum(CENTRAL_2026_03["spend"])
    r = res_section(min_share=0.05, max_share=0.6, max_growth=1.0)
    alloc = budget.allocate(econ, total, r)
    shares = alloc["optimal_budget"].to_numpy() / total
    cur = alloc["current_budget"].to_numpy() / total
    upper = np.minimum(0.6, 2 * cur)
    assert shares.sum() == pytest.approx(1.0, abs=1e-12)
    assert (shares >= 0.05 - 1e-12).all() and (shares <= upper + 1e-12).all()
    # KKT of a concave maximum: channels strictly inside their bounds earn the same marginal revenue; one at its
    # lower bound earns no more than that, one at its upper bound no less.
    m = _marginals(alloc, econ)
    inside = (shares > 0.05 + 1e-9) & (shares < upper - 1e-9)
    assert inside.sum() >= 1
    lam = m[inside].mean()
    assert m[inside] == pytest.approx(np.full(inside.sum(), lam), rel=1e-9)
    assert (m[shares <= 0.05 + 1e-9] <= lam * (1 + 1e-9)).all()
    assert (m[shares >= upper - 1e-9] >= lam * (1 - 1e-9)).all()
    # and no feasible split earns more (random points of the feasible set)
    rng = np.random.default_rng(7)
    best = alloc["revenue"].sum()
    for _ in range(2000):
        s = np.clip(shares + rng.normal(0, 0.02, 4), 0.05, upper)
        s = s / s.sum()
        if (s >= 0.05).all() and (s <= upper).all():
            rev = (budget.annual_leads(s * total, econ["a"], econ["b"]) * econ["revenue_per_lead"]).sum()
            assert rev <= best * (1 + 1e-12)


def test_equal_marginal_shares_when_channels_earn_nothing_more():
    # every earning channel at its upper bound: the rest goes to the channels without a return, as they are split
    # now (any split of them earns the same)
    s = budget.equal_marginal_shares(
        np.array([5.0, 0.0, 0.0]), np.array([0.5, 0.5, 0.0]), 0.1, np.full(3, 0.5), np.array([0.2, 0.3, 0.1])
    )
    assert s.tolist() == pytest.approx([0.5, 0.375, 0.125])
    # nothing earns: the current split stands where the bounds allow it
    s = budget.equal_marginal_shares(np.zeros(4), np.full(4, 0.5), 0.1, np.full(4, 0.6), np.array([0.7, 0.1, 0.1, 0.1]))
    assert s.tolist() == pytest.approx([0.6, 0.4 / 3, 0.4 / 3, 0.4 / 3])


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


def test_the_method_sentence_names_how_the_split_is_solved_today():
    """The split is solved exactly by equal marginal revenue; the sentence named the optimiser it replaced."""
    from planning import i18n

    for lang in ("en", "zh"):
        text = i18n.t("resources.budget.method", lang)
        assert "SLSQP" not in text and ("unit of spend" in text or "最后一单位" in text)
