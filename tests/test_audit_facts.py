"""planning/audit/facts.py: shared facts equal wherever shown; hires only where capacity falls short."""

from __future__ import annotations

import pandas as pd
from frames_audit import MONTHS, target_position, calibration_dimensions, capacity, goals, hiring_plan, targets, targets_rep

from planning.audit import facts


def test_ramp_months_equal_in_goals_and_resources_pass():
    (r,) = facts.ramp_months_goals_vs_resources(targets_rep(), hiring_plan())
    assert r["status"] == "pass"
    assert r["values"] == "start month: months to full productivity; goals 2027-03: 2 vs resources 2027-03: 2"


def test_a_longer_ramp_in_resources_fails():
    (r,) = facts.ramp_months_goals_vs_resources(targets_rep(), hiring_plan(productive_from="2027-06"))
    assert r["status"] == "fail"
    assert r["values"].endswith("goals 2027-03: 2 vs resources 2027-03: 3")


def test_a_hire_starting_in_another_month_fails():
    (r,) = facts.ramp_months_goals_vs_resources(targets_rep(), hiring_plan("2027-04", "2027-06"))
    assert r["status"] == "fail"


def test_the_ramp_length_itself_is_skipped_until_an_artefact_holds_it():
    (r,) = facts.ramp_months_stated()
    assert r["status"] == "skipped"


def test_attrition_is_skipped_with_resources_rate_when_goals_gives_none():
    (r,) = facts.attrition_goals_vs_resources(capacity(), calibration_dimensions())
    assert r["status"] == "skipped"
    assert r["values"].startswith("resources plans 11.36% a year")


def test_attrition_compared_when_goals_hands_on_its_rate():
    cd = calibration_dimensions()
    cd = pd.concat([cd, pd.DataFrame([{"dimension": "team", "component": "attrition", "amount": -1.0}])])
    (ok,) = facts.attrition_goals_vs_resources(capacity(), cd.assign(rate=0.1136))
    (bad,) = facts.attrition_goals_vs_resources(capacity(), cd.assign(rate=0.045))
    assert ok["status"] == "pass"
    assert (bad["status"], bad["values"]) == ("fail", "goals 4.50% vs resources 11.36% a year")


def test_the_same_number_of_hires_everywhere_passes():
    (r,) = facts.hires_goals_vs_resources(targets_rep(), hiring_plan(), capacity())
    assert (r["status"], r["values"]) == ("pass", "goals 1 vs hiring_plan 1 vs capacity 1")


def test_a_hiring_plan_with_more_hires_than_goals_fails():
    (r,) = facts.hires_goals_vs_resources(targets_rep(), hiring_plan(hires=2), capacity())
    assert (r["status"], r["values"]) == ("fail", "goals 1 vs hiring_plan 2 vs capacity 1")


def team_capacity(monthly: float = 21.0) -> pd.DataFrame:
    return pd.DataFrame({"month": MONTHS, "capacity": monthly})


def test_one_team_capacity_in_goals_and_resources_passes():
    (r,) = facts.team_capacity_goals_vs_resources(
        team_capacity(), capacity(), calibration_dimensions(team=252.0)
    )
    assert (r["status"], r["values"]) == (
        "pass",
        "year: calibration 252.00 = goals 252.00 = resources 252.00",
    )


def test_a_month_of_different_capacity_fails():
    tc = team_capacity()
    tc.loc[1, "capacity"] = 22.0
    (r,) = facts.team_capacity_goals_vs_resources(tc, capacity(), calibration_dimensions(team=253.0))
    assert (r["status"], r["values"]) == ("fail", "2027-02: goals 22.00 vs resources 21.00")


def summary(expected: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"metric": ["expected_cost", "expected_revenue"], "value": [5.0, expected], "unit": "money"}
    )


def test_incentive_simulation_expecting_the_capacity_passes_and_more_fails():
    (ok,) = facts.capacity_vs_incentive_simulation(capacity(), summary(252.0))
    (bad,) = facts.capacity_vs_incentive_simulation(capacity(), summary(260.0))
    assert ok["status"] == "pass"
    assert bad["status"] == "fail"
    assert bad["values"] == "capacity 252.00 (105.0% of target) vs incentive simulation 260.00 (108.3%)"


def shown(calibration_target: float = 240.0):
    calibration = pd.DataFrame({"component": ["committed", "target"], "amount": [214.0, calibration_target]})
    coverage = pd.DataFrame({"period": ["2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"], "target": 60.0})
    return targets(), calibration, goals(), capacity(), coverage


def test_one_annual_target_everywhere_passes():
    (r,) = facts.annual_target_shared(*shown())
    assert r["status"] == "pass"


def test_a_calibration_ending_at_another_target_fails():
    (r,) = facts.annual_target_shared(*shown(241.0))
    assert r["status"] == "fail"
    assert r["values"] == (
        "targets 240.00; calibration 241.00, goals revenue 240.00, capacity months 240.00, coverage quarters 240.00"
    )


def test_existing_customer_revenue_is_skipped_naming_goals_figure():
    (r,) = facts.existing_customer_revenue_shared(calibration_dimensions())
    assert (r["status"], r["values"]) == (
        "skipped",
        "goals 200.00; strategy writes its existing-customer revenue to no artefact",
    )


def test_hires_needed_to_reach_the_target_pass():
    (r,) = facts.hires_only_where_short(capacity(monthly=20.9), hiring_plan(), calibration_dimensions())
    assert r["status"] == "pass"


def test_hires_when_the_team_without_them_already_reaches_the_target_fail():
    (r,) = facts.hires_only_where_short(capacity(monthly=25.0), hiring_plan(), calibration_dimensions())
    assert r["status"] == "fail"
    assert r["values"] == "1 hires; capacity without them 288.00 = 120.0% of target 240.00 (with them 125.0%)"


def test_hires_are_judged_against_the_reps_quotas_where_targets_carry_them():
    # Capacity without the hire 288 reaches the target 240 but not the quotas 300 (a 25% buffer): needed.
    (r,) = facts.hires_only_where_short(
        capacity(monthly=25.0), hiring_plan(), calibration_dimensions(), targets(quota=300.0)
    )
    assert r["status"] == "pass"
    assert r["values"] == "1 hires; capacity without them 288.00 = 96.0% of quotas 300.00 (with them 100.0%)"


def test_the_team_without_hires_that_goals_states_is_used():
    # capacity.csv less the hires' row says 288 (>= quotas 270), but a hire also brings training and tools:
    # goals states the team without its hires at 265, short of the quotas: the hire is needed.
    stated = target_position(("quota", "2027", "team_without_hires", "above"))
    stated[["amount", "upper"]] = [270.0, 265.0]
    (r,) = facts.hires_only_where_short(
        capacity(monthly=25.0), hiring_plan(), calibration_dimensions(), targets(quota=270.0), stated
    )
    assert r["status"] == "pass" and "capacity without them 265.00 = 98.1% of quotas 270.00" in r["values"]


def test_no_hires_pass_whatever_the_capacity():
    (r,) = facts.hires_only_where_short(
        capacity(monthly=25.0), hiring_plan(hires=0), calibration_dimensions()
    )
    assert r["status"] == "pass"


def test_a_coverage_without_rows_is_not_a_second_target():
    # No opportunities (the Superstore export): strategy writes coverage.csv without rows; nothing to compare.
    t, calibration, g, cap, coverage = shown()
    (r,) = facts.annual_target_shared(t, calibration, g, cap, coverage.iloc[0:0])
    assert r["status"] == "pass" and "coverage" not in r["values"]
