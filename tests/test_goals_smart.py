"""planning.goals.smart: the SMART criteria, each flagged when missing; derived goals pass."""

from __future__ import annotations

import pandas as pd
import pytest
from frames_goals import params, tiny

from planning.goals import decompose, prepare, smart


def test_smart_checks_flag_each_missing_criterion():
    t, _, result, _ = tiny()
    p = params(
        smart=[
            {
                "goal": "50 leads by June",
                "metric": "leads",
                "value": 50,
                "deadline": "2027-06-30",
                "relevant_to": "energy",  # a part of the segment "energy/large"
            },
            {
                "goal": "Win 500 customers",
                "metric": "new_customers",
                "value": 500,
                "deadline": "2027-12-31",
                "relevant_to": "funnel",
            },
            {"goal": "Improve satisfaction"},
            {
                "goal": "Sell more in 2030",
                "metric": "revenue",
                "value": 10,
                "deadline": "2030-01-01",
                "relevant_to": "moon",
            },
        ]  # fmt: skip
    )
    inputs = prepare.prepare(t, p, result)
    plan = decompose.plan(inputs, p)
    segs = pd.DataFrame({"segment": ["energy/large"], "icp_rank": [1], "clv": [5000.0], "customers": [2]})
    checked = smart.smart_goals(plan, inputs, p, segs, None, None)
    assert (
        checked["derived"].sum() == len(smart.METRICS)
        and (checked.loc[checked["derived"], "goal"] == "").all()
    )
    g = checked.set_index("goal")
    assert g.loc[g["metric"] == "revenue", "relevant_to"].iloc[0] == "energy/large"
    assert set(smart.METRICS) <= set(g["metric"])
    # 120 leads a year pro-rated to 30 June: 120 x 181 / 365 = 59.5 >= 50
    assert g.loc["50 leads by June", "smart"]
    assert not g.loc["Win 500 customers", "achievable"]
    vague = g.loc["Improve satisfaction"]
    assert (
        not vague["specific"]
        and not vague["measurable"]
        and not vague["time_bound"]
        and not vague["relevant"]
    )
    late = g.loc["Sell more in 2030"]
    assert not late["time_bound"] and not late["relevant"] and late["specific"]
    revenue = g[g["metric"] == "revenue"].iloc[0]
    # The target (2,400) is the team capacity; the quotas add the 10% buffer (2,640) above it: not achievable.
    assert revenue["value"] == pytest.approx(plan.target) and not revenue["achievable"]
    pos = decompose.position(plan).set_index(["measure", "reference"])
    assert pos.loc[("quota", "team"), "position"] == "above"
    assert pos.loc[("target", "team"), "position"] == "within"
    # Without the buffer the quotas are the target: achievable.
    p0 = params(buffer=0.0)
    plan0 = decompose.plan(prepare.prepare(t, p0, result), p0)
    g0 = smart.smart_goals(plan0, inputs, p0, segs, None, None)
    assert g0.loc[g0["metric"] == "revenue", "achievable"].iloc[0]


def test_count_goals_reach_the_next_whole_unit_and_money_the_cent():
    assert smart.reach("new_customers", 44.4) == 45 and smart.reach("leads", 481.0) == 481
    assert smart.reach("revenue", 100.0) == pytest.approx(100.005)
    assert smart.reach("lead_conversion", 0.2) == pytest.approx(0.2)


def test_market_total_prefers_the_plan_years_market_size():
    size = pd.DataFrame({"year": [2026, 2027, 2027], "market_size": [1.0, 10.0, 5.0]})
    share = pd.DataFrame({"market_size": [7.0, 8.0]})
    assert smart.market_total(share, size, 2027) == 15.0
    assert smart.market_total(share, size, 2030) == 15.0  # no row of 2030: step 1's market_share
    assert smart.market_total(None, None, 2027) != smart.market_total(None, None, 2027)  # NaN


def test_unit_of_each_metric():
    assert [smart.unit(m) for m in ("revenue", "leads", "retention")] == ["money", "count", "rate"]


def test_segments_without_a_lifetime_value_set_no_clv_goal():
    """A minimal plan's segments have no CLV (two periods needed): the CLV goal is not set for lack of data, never
    "keep customer lifetime value at $0"; segments with and without one weigh only those with one."""
    t, _, result, _ = tiny()
    p = params()
    inputs = prepare.prepare(t, p, result)
    plan = decompose.plan(inputs, p)
    unmeasured = pd.DataFrame({"segment": ["energy/large"], "icp_rank": [1], "clv": [float("nan")], "customers": [2]})
    clv = smart.smart_goals(plan, inputs, p, unmeasured, None, None).set_index("metric").loc["clv", "value"]
    assert pd.isna(clv)
    mixed = pd.concat([unmeasured, pd.DataFrame({"segment": ["retail/small"], "icp_rank": [2], "clv": [900.0],
                                                 "customers": [3]})])  # fmt: skip
    clv = smart.smart_goals(plan, inputs, p, mixed, None, None).set_index("metric").loc["clv", "value"]
    assert clv == pytest.approx(900.0)
