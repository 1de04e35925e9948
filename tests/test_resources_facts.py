"""planning/resources/facts.py and incentives.expected_output: one team capacity in capacity.csv and the
incentive simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames_resources import baseline, month_targets, plan_params, res_section

from planning import facts
from planning.resources import capacity, incentives
from planning.resources import facts as resource_facts


def quotas(n: int, each: float) -> pd.DataFrame:
    return pd.DataFrame({"rep_id": [f"R{i}" for i in range(n)], "team": "t1", "quota": each})


def test_the_simulation_expects_the_capacity_of_the_capacity_model():
    base = baseline(tenures=(0, 5, 5), productivity=1200.0, attrition=0.2)
    cap, _ = capacity.capacity_plan(base, month_targets([300.0] * 12), res_section(), hires={})
    year = float(cap["capacity"].sum())
    q = incentives.expected_output(quotas(3, 1200.0), base, plan_params(), capacity=year)
    assert q["expected"].sum() == pytest.approx(year)  # to the cent: one capacity
    # shared as the capacity model shares it: the ramping rep (hired in January) expects less
    assert q.loc[0, "expected"] < q.loc[1, "expected"] == pytest.approx(q.loc[2, "expected"])
    sim = incentives.simulate_incentives(q, np.array([0.5, 1.0, 1.5, 2.0]), res_section(simulations=400))
    summary = incentives.incentive_summary(sim, q, 0, res_section()).set_index("metric")["value"]
    assert summary["expected_revenue"] == pytest.approx(year)
    assert summary["simulated_revenue"] == pytest.approx(year, rel=0.05)  # draws rescaled to mean 1: unbiased
    shared = resource_facts.resources_facts(cap, q)
    assert facts.value(shared, "team_capacity") == pytest.approx(year)
    assert facts.value(shared, "expected_attainment") == pytest.approx(year / 3600.0)


def test_without_the_capacity_the_modelled_output_stays():
    base = baseline(tenures=(5,), productivity=1200.0)
    q = incentives.expected_output(quotas(1, 1200.0), base, plan_params())
    assert q["expected"].sum() == pytest.approx(1200.0)  # a ramped rep, no attrition, flat season
    cap, _ = capacity.capacity_plan(base, month_targets([100.0] * 12), res_section(), hires={})
    no_team = resource_facts.resources_facts(cap.iloc[0:0], None)  # the step without a reps table
    assert facts.value(no_team, "team_capacity") is None
    assert facts.value(no_team, "expected_attainment") is None
