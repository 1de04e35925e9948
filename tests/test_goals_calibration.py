"""planning.goals.calibration: the four estimates by hand, the combination rule, the waterfall's components."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from frames_goals import tiny

from planning.goals import calibration, decompose
from planning.goals.prepare import Levers


def test_resource_chain_reproduces_1000_leads_at_15_percent_is_150_customers():
    _, _, _, inputs = tiny()
    inp = dataclasses.replace(inputs, cost_per_lead=100.0, aov=2000.0, orders_per_new_customer=1.0)
    lv = Levers(0.1, 0.1, lead_conversion=0.15, marketing_budget=100_000.0, attrition=0.0,
                training_uplift=0.0, tool_efficiency=0.0)  # fmt: skip
    plan = decompose.whatif(inp, lv)
    # 100,000 / 100 = 1,000 leads x 15% = 150 customers x 2,000 = 300,000 on top of the existing business
    assert plan.resources["leads"] == pytest.approx(1000)
    assert plan.resources["customers"] == pytest.approx(150)
    assert plan.estimates["resources"] == pytest.approx(plan.resources["existing"] + 300_000)
    # Tool efficiency +20% on conversion: 30 more customers
    plan2 = decompose.whatif(inp, dataclasses.replace(lv, tool_efficiency=0.2))
    assert plan2.resources["extra_customers"] == pytest.approx(30)
    res = calibration.resources_dimension(inp, lv)
    assert res.total == pytest.approx(plan.estimates["resources"]) and res.value_per_new_customer == 2000


def test_team_capacity_by_hand():
    _, _, _, inputs = tiny()
    lv = Levers(0.1, 0.1, 0.1, 1000.0, attrition=0.0, training_uplift=0.0, tool_efficiency=0.0)
    plan = decompose.whatif(inputs, lv)
    # 2 fully ramped reps x 1,200 a year (latest period), flat seasonality, no house sales -> 2,400
    dims = plan.dimensions.set_index("component")["amount"]
    assert inputs.productivity == pytest.approx(1200) and inputs.house_share == pytest.approx(0)
    assert dims["current_team"] == pytest.approx(2400)
    assert plan.estimates["team"] == pytest.approx(2400)
    # 20% tools -> +480
    plan2 = decompose.whatif(inputs, dataclasses.replace(lv, tool_efficiency=0.2))
    assert plan2.estimates["team"] == pytest.approx(2880)
    assert calibration.team_dimension(inputs, dataclasses.replace(lv, tool_efficiency=0.2)).tools == (
        pytest.approx(480)
    )


def test_waterfall_adds_up_and_min_rule_takes_the_lowest():
    _, p, _, inputs = tiny()
    plan = decompose.plan(inputs, p)
    cal = plan.calibration
    deltas = cal.loc[cal["kind"] == "delta", "amount"].sum()
    assert cal["amount"].iloc[0] + deltas == pytest.approx(cal["amount"].iloc[-1])
    assert cal["component"].iloc[-1] == "quota" and list(cal["step"]) == list(range(1, len(cal) + 1))
    finite = {k: v for k, v in plan.estimates.items() if np.isfinite(v)}
    assert plan.committed == pytest.approx(min(finite.values()))
    # The annual target is the calibrated target; the reps' quotas carry the 10% buffer above it.
    assert plan.target == pytest.approx(round(plan.committed, 2))
    assert plan.quota == pytest.approx(round(plan.committed * 1.10, 2))
    target = cal.set_index("component").loc["target"]
    assert target["kind"] == "subtotal" and target["amount"] == plan.target


def test_ambition_rule_ignores_the_bounds():
    _, _, _, inputs = tiny()
    inp = dataclasses.replace(inputs, combine="ambition")
    lv = Levers(0.5, 0.0, 0.1, 1000.0, 0.0, 0.0, 0.0)
    plan = decompose.whatif(inp, lv)
    assert plan.binding == "ambition" and plan.committed == pytest.approx(2400 * 1.5)


def test_combine_takes_the_lowest_known_estimate_and_never_goes_below_zero():
    e = {"ambition": 120.0, "market": 100.0, "team": math.nan, "resources": 100.0}
    assert calibration.combine(e, "min") == ("market", 100.0)  # tie: the earlier dimension
    assert calibration.combine(e, "ambition") == ("ambition", 120.0)
    assert calibration.combine({**e, "market": -5.0}, "min") == ("market", 0.0)


def test_components_carry_explanation_keys_not_text():
    _, p, _, inputs = tiny()
    plan = decompose.plan(inputs, p)
    cal = plan.calibration.set_index("component")
    assert list(plan.calibration.columns) == [
        "step",
        "component",
        "amount",
        "kind",
        "explain",
        "explain_args",
    ]
    assert cal.loc["buffer", "explain"] == "buffer" and cal.loc["buffer", "explain_args"] == {"p_b": 0.10}
    assert cal.loc["baseline", "explain_args"] == {"model": inputs.model}
    assert cal.loc["target", "explain"] == "committed"  # every dimension computable here
    assert cal.loc["quota", "explain_args"] == {"p_b": 0.10}
    assert calibration.unavailable(plan, "team") is False
    dims = plan.dimensions.set_index("component")
    assert dims.loc["current_team", "explain_args"] == {"n": 2, "m_p": inputs.productivity, "ramp": 2}
