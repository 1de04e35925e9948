"""Tests of planning/resources/incentives.py: the payout parts and the 80% team rule by hand, the Monte Carlo
of the plan's cost, quotas and the reference attainment."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from frames_resources import baseline, plan_params, res_section

from planning import contracts
from planning.resources import incentives


def test_team_rule_changes_payout_exactly_at_the_boundary():
    # Quota 1,000,000, base 3%: at 79.9% team attainment 0.03 * 799,000 = 23,970;
    # at 80.0% every rate is 3% * 1.1 = 3.3%: 0.033 * 800,000 = 26,400.
    r = res_section()
    below = incentives.payout(0.799, 1e6, 0.799, r)
    at = incentives.payout(0.800, 1e6, 0.800, r)
    assert below["rate_applied"] == pytest.approx(0.03) and below["payout"] == pytest.approx(23_970)
    assert at["rate_applied"] == pytest.approx(0.033) and at["payout"] == pytest.approx(26_400)
    # The rule follows the team, not the rep: a rep at 79.9% in a team at 80% gets the lifted rate.
    assert incentives.payout(0.799, 1e6, 0.80, r)["payout"] == pytest.approx(0.033 * 799_000)


def test_payout_above_quota_adds_accelerator_and_achievement_bonus():
    # 120%: 0.033 * 1,000,000 + 0.033 * 1.5 * 200,000 + 1% * 1,000,000 = 33,000 + 9,900 + 10,000 = 52,900
    p = incentives.payout(1.2, 1e6, 1.2, res_section())
    assert p["accelerator_pay"] == pytest.approx(9_900) and p["achievement_bonus"] == pytest.approx(10_000)
    assert p["payout"] == pytest.approx(52_900)


def test_payout_curve_contract_and_step_at_threshold():
    curve = incentives.payout_curve(1e6, res_section())
    assert set(contracts.required_columns("incentives")) <= set(curve.columns)
    rate = curve.set_index("attainment")["rate_applied"]
    assert rate[0.79] == pytest.approx(0.03) and rate[0.8] == pytest.approx(0.033)
    assert curve["payout"].is_monotonic_increasing


def test_simulation_with_everyone_at_quota_costs_the_100_percent_case():
    quotas = pd.DataFrame({"rep_id": ["A", "B"], "team": ["t1", "t2"], "quota": [1e6, 2e6]})
    r = res_section(simulations=100)
    sim = incentives.simulate_incentives(quotas, np.array([1.0]), r)
    summary = incentives.incentive_summary(sim, quotas, new_hires=2, r=r).set_index("metric")["value"]
    # Each at 100%: 0.033 * q + 1% * q = 4.3% of 3,000,000 = 129,000; growth fund 2 * 5,000.
    assert summary["expected_cost"] == pytest.approx(129_000 + 10_000)
    assert summary["cost_at_100"] == pytest.approx(139_000)
    assert summary["share_at_quota"] == pytest.approx(1.0) and summary["team_rule_share"] == pytest.approx(
        1.0
    )
    # 120%: 0.033 * 3M + 0.033 * 1.5 * 0.6M + 1% * 3M = 99,000 + 29,700 + 30,000 = 158,700 (+ 10,000).
    assert summary["cost_at_120"] == pytest.approx(168_700)


def test_simulation_team_rule_uses_team_attainment():
    # Team of two at 70% and 100%, quotas equal: team attainment 85% >= 80% -> both get the 3.3% rate.
    # the draws are rescaled to mean 1 (0.7 / 0.85, 1.0 / 0.85) around an expected output of 0.85 of quota
    quotas = pd.DataFrame({"rep_id": ["A", "B"], "team": ["t", "t"], "quota": [1.0, 1.0], "expected": 0.85})
    sim = incentives.simulate_incentives(quotas, np.array([0.7, 1.0]), res_section(simulations=200))
    mixed = sim.groupby("sim").filter(lambda g: g["attainment"].nunique() == 2)
    assert mixed["team_attainment"].unique() == pytest.approx([0.85])
    assert len(mixed) > 0


def test_simulation_rejects_empty_inputs():
    quotas = pd.DataFrame({"rep_id": ["A"], "team": ["t"], "quota": [1.0]})
    with pytest.raises(ValueError, match="attainment"):
        incentives.simulate_incentives(quotas, np.array([]), res_section())
    with pytest.raises(ValueError, match="quotas"):
        incentives.simulate_incentives(quotas.iloc[0:0], np.array([1.0]), res_section())


def test_rep_quotas_sums_the_plan_year():
    t = pd.DataFrame(
        {"rep_id": ["A", "A", "B"], "team": ["t", "t", "t"], "month": ["2027-01", "2027-02", "2026-12"],
         "target": [1.0, 2.0, 5.0]}
    )  # fmt: skip
    assert incentives.rep_quotas(t, plan_params(plan_year=2027)).to_dict("records") == [
        {"rep_id": "A", "team": "t", "quota": 3.0}
    ]
    with pytest.raises(ValueError):
        incentives.rep_quotas(t, plan_params(plan_year=2030))


def test_attainment_is_simulated_against_the_new_quotas():
    # One ramped rep (1,200 a year) with quota 1,000 -> expected 1,200, ratio 1.2; a planned hire from July on
    # a 2-month ramp: Jul 1/3, Aug 2/3, Sep-Dec 1 -> 100 x 5 = 500 against a quota of 1,000 -> 0.5.
    planned = pd.DataFrame(
        {"rep_id": ["HIRE-01"], "team": ["t1"], "kind": ["hire"], "hire_month": [pd.Period("2027-07", "M")]}
    )
    base = baseline(tenures=(5,), planned=planned)
    quotas = pd.DataFrame({"rep_id": ["R0", "HIRE-01"], "team": ["t1", "t1"], "quota": [1000.0, 1000.0]})
    q = incentives.expected_output(quotas, base, plan_params(plan_year=2027))
    assert q["expected"].tolist() == pytest.approx([1200.0, 500.0]) and q["ratio"].tolist() == pytest.approx(
        [1.2, 0.5]
    )
    # Output spread: every rep at the average (factor 1) -> attainment is exactly the ratio.
    sim = incentives.simulate_incentives(q, np.array([1.0]), res_section(simulations=100))
    assert sim.groupby("rep_id")["attainment"].unique().map(list).to_dict() == {"HIRE-01": [0.5], "R0": [1.2]}
    # Factors 0.5 / 1.5: the ramped rep is at quota only with 1.5 (1.8), never with 0.5 (0.6).
    sim2 = incentives.simulate_incentives(q, np.array([0.5, 1.5]), res_section(simulations=400))
    r0 = sim2[sim2["rep_id"] == "R0"]["attainment"]
    assert set(np.round(r0, 6)) == {0.6, 1.8}


def test_plan_of_record_attainment_is_only_a_reference():
    # R0 sold 150 in 2026 against 3 months x 100 of plan of record -> 0.5; no plan of record -> empty.
    base = baseline(tenures=(5,))
    march = plan_params(as_of=date(2026, 3, 31))
    orders = pd.DataFrame(
        {
            "order_date": pd.to_datetime(["2026-01-10", "2026-03-10"]),
            "rep_id": ["R0", "R0"],
            "amount": [100.0, 50.0],
        }
    )
    por = pd.DataFrame(
        {"month": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]), "rep_id": "R0", "target": 100.0}
    )
    assert incentives.historical_attainment(orders, por, base, march).tolist() == pytest.approx([0.5])
    assert len(incentives.historical_attainment(orders, None, base, march)) == 0
