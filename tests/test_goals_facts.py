"""planning/goals/facts.py: the facts the goals step owns, computed once from its inputs and plan."""

from __future__ import annotations

import dataclasses

import pytest
from frames_goals import tiny

from planning import facts
from planning import team as tm
from planning.goals import calibration, decompose
from planning.goals import facts as goal_facts


def test_ramp_months_counts_the_months_to_full_output_with_training():
    # ramp curve 2: 1/3, 2/3, 1 -> full in the 2nd month after the month of hire; +30% training: 0.43, 0.87, 1
    assert goal_facts.ramp_months(2, 0.0) == 2
    assert goal_facts.ramp_months(6, 0.0) == 6
    assert (
        goal_facts.ramp_months(6, 0.30) == 5
    )  # 5/7 x 1.3 = 0.93, 6/7 x 1.3 >= 1: full in the 5th month after
    assert goal_facts.ramp_months(6, 0.30) == tm.months_to_full(6, 0.30)


def test_goals_facts_are_the_plans_numbers():
    _, p, _, inputs = tiny()
    plan = decompose.plan(inputs, p)
    df = goal_facts.goals_facts(inputs, plan)
    v = {n: facts.value(df, n) for n in facts.of_step("02_goals")}
    assert v["ramp_months"] == 2 and v["ramp_curve_months"] == 2  # params: ramp 2, no training uplift
    assert v["attrition_planned"] == 0.0  # params: resources.attrition 0
    assert v["attrition_actual"] == pytest.approx(1 / 2.5 * 12 / 36)  # R3 left 2025-03: one exit, 36 months
    assert v["productivity"] == inputs.productivity == pytest.approx(1200.0)
    assert v["last12_sales"] == pytest.approx(2400.0)
    dims = plan.dimensions.set_index(["dimension", "component"])["amount"]
    assert v["existing_revenue"] == pytest.approx(dims[("resources", "existing")])
    assert v["nrr_planned"] == pytest.approx(v["existing_revenue"] / 2400.0)
    assert (v["target_committed"], v["target"]) == (plan.committed, plan.target)
    assert v["lead_conversion"] == plan.levers.lead_conversion


def test_existing_revenue_follows_the_net_retention_parameter_when_set():
    _, p, _, inputs = tiny()
    base = calibration.existing_revenue(inputs)
    assert base == pytest.approx(inputs.baseline * (1 - inputs.new_share))
    stated = dataclasses.replace(inputs, net_retention=0.9)
    assert calibration.existing_revenue(stated) == pytest.approx(2400.0 * 0.9)
    plan = decompose.plan(stated, p)
    row = plan.dimensions[plan.dimensions["component"] == "existing"].iloc[0]
    assert (row["amount"], row["explain"]) == (pytest.approx(2160.0), "existing_nrr")


def test_the_current_teams_explanation_names_the_productivity_basis():
    _, p, _, inputs = tiny()
    for basis, key in (("latest", "current_team"), ("mean", "current_team_mean")):
        plan = decompose.plan(dataclasses.replace(inputs, capacity_basis=basis), p)
        row = plan.dimensions[plan.dimensions["component"] == "current_team"].iloc[0]
        assert row["explain"] == key
