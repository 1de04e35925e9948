"""planning/audit/facts.py: shared facts equal wherever shown; hires only where capacity falls short."""

from __future__ import annotations

import pandas as pd
from frames_audit import (
    MONTHS,
    calibration_dimensions,
    capacity,
    goals,
    hiring_plan,
    target_position,
    targets,
    targets_rep,
)

from planning import facts as facts_
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


def shared(**values: float) -> pd.DataFrame:
    """A facts table (store.read_facts) holding `values`; every other fact empty."""
    rows = {n: values.get(n) for n in facts_.FACTS}
    return pd.concat([facts_.frame(step, {n: rows[n] for n in facts_.of_step(step)}) for step in STEPS])


STEPS = ("02_goals", "03_strategy", "04_resources", "05_review")


def test_the_stated_ramp_followed_by_every_hire_passes():
    (r,) = facts.ramp_months_shared(shared(ramp_months=2), targets_rep(), hiring_plan())
    assert (r["status"], r["values"]) == ("pass", "ramp_months 2; every hire the same")


def test_a_hire_ramping_longer_than_the_stated_ramp_fails():
    (r,) = facts.ramp_months_shared(
        shared(ramp_months=2), targets_rep(), hiring_plan(productive_from="2027-06")
    )
    assert (r["status"], r["values"]) == ("fail", "ramp_months 2; differs: hiring plan 2027-03: 3")
    (r,) = facts.ramp_months_shared(shared(ramp_months=3), targets_rep(), hiring_plan())
    assert r["values"] == "ramp_months 3; differs: hiring plan 2027-03: 2; goals 2027-03: 2"


def test_a_fact_not_handed_on_is_skipped_naming_its_owner():
    (r,) = facts.ramp_months_shared(None, targets_rep(), hiring_plan())
    assert (r["status"], r["values"]) == ("skipped", "artefact facts_goals missing")
    (r,) = facts.ramp_months_shared(shared(), targets_rep(), hiring_plan())
    assert (r["status"], r["values"]) == ("skipped", "no value for ramp_months in the facts of 02_goals")


def test_attrition_planned_is_the_rate_the_capacity_model_applies():
    # frames_audit.capacity: 0.1 exits a month out of 10 heads (11 in March, with the hire)
    applied = 1 - (1 - 0.1 / 10) ** 12
    (r,) = facts.attrition_shared(shared(attrition_planned=applied, attrition_actual=0.05), capacity())
    assert r["status"] == "fail"  # March: 0.1 of 11 heads is another rate
    cap = capacity().assign(exits=lambda d: (d["headcount_start"] + d["hires"]) * 0.01)
    (ok,) = facts.attrition_shared(shared(attrition_planned=applied, attrition_actual=0.05), cap)
    assert (ok["status"], ok["values"]) == (
        "pass",
        "planned 11.36%, actual 5.00% a year; capacity.csv applies 11.36%",
    )
    (bad,) = facts.attrition_shared(shared(attrition_planned=0.045), cap)
    assert bad["status"] == "fail"
    assert bad["values"].startswith("planned 4.50%, actual n/a a year; capacity.csv applies 11.36%")


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


def test_coverage_without_rows_does_not_show_the_target():
    t, calibration, g, cap, cov = shown()
    (r,) = facts.annual_target_shared(t, calibration, g, cap, cov.iloc[0:0])
    assert r["status"] == "pass" and "coverage" not in r["values"]


def test_a_calibration_ending_at_another_target_fails():
    (r,) = facts.annual_target_shared(*shown(241.0))
    assert r["status"] == "fail"
    assert r["values"] == (
        "targets 240.00; calibration 241.00, goals revenue 240.00, capacity months 240.00, coverage quarters 240.00"
    )


def coverage_base(base: float) -> pd.DataFrame:
    """coverage.csv whose quarters take `base` (split like the targets) off 60.00 a quarter."""
    return pd.DataFrame(
        {"period": [f"2027-Q{q}" for q in range(1, 5)], "target": 60.0, "pipeline_target": 60.0 - base / 4}
    )


def test_existing_customer_revenue_one_figure_in_goals_and_strategy():
    fact = shared(existing_revenue=200.0, nrr_planned=200.0 / 250.0, last12_sales=250.0)
    (ok,) = facts.existing_customer_revenue_shared(fact, calibration_dimensions(), coverage_base(200.0))
    assert (ok["status"], ok["values"]) == (
        "pass",
        "fact 200.00 (planned NRR 80.00%); goals calibration 200.00, strategy installed base 200.00",
    )
    (bad,) = facts.existing_customer_revenue_shared(fact, calibration_dimensions(), coverage_base(220.0))
    assert bad["status"] == "fail"
    off = shared(existing_revenue=200.0, nrr_planned=0.9, last12_sales=250.0)
    (nrr,) = facts.existing_customer_revenue_shared(off, calibration_dimensions(), None)
    assert nrr["status"] == "fail"


def test_last12_and_targets_and_root_causes_read_from_the_facts():
    cd = pd.concat([calibration_dimensions(), pd.DataFrame([{"dimension": "ambition", "component": "last12",
                                                            "amount": 250.0}])])  # fmt: skip
    (ok,) = facts.last12_sales_shared(shared(last12_sales=250.0), cd)
    (bad,) = facts.last12_sales_shared(shared(last12_sales=251.0), cd)
    assert (ok["status"], bad["status"]) == ("pass", "fail")
    calibration = pd.DataFrame({"component": ["committed", "target"], "amount": [214.0, 240.0]})
    (t,) = facts.targets_shared(shared(target_committed=214.0, target=240.0), targets(), calibration)
    assert (t["status"], t["values"]) == ("pass", "before buffer 214.00, after 240.00")
    (t,) = facts.targets_shared(shared(target_committed=210.0, target=240.0), targets(), calibration)
    assert (t["status"], t["values"]) == (
        "fail",
        "before buffer 210.00, after 240.00; calibration committed 214.00 vs fact 210.00",
    )
    rc = pd.DataFrame({"level": ["ytd", "ytd", "month"], "key": ["2026", "2026", "2026-03"]})
    (n,) = facts.root_cause_count_shared(shared(root_cause_count=2), rc)
    (m,) = facts.root_cause_count_shared(shared(root_cause_count=3), rc)
    assert (n["status"], m["status"], m["values"]) == ("pass", "fail", "fact 3 vs root_causes.csv 2 lines")


def test_coverage_divides_by_the_shared_win_rate():
    cov = pd.DataFrame({"period": ["2027-Q1", "2027-Q2"], "win_rate": [0.25, 0.25]})
    (ok,) = facts.win_rate_shared(shared(coverage_win_rate=0.25, win_rate=0.2), cov)
    assert (ok["status"], ok["values"]) == ("pass", "coverage_win_rate 0.2500 (win_rate won / closed 0.2000)")
    (bad,) = facts.win_rate_shared(shared(coverage_win_rate=0.3), cov)
    assert bad["status"] == "fail"
    (none,) = facts.win_rate_shared(shared(), cov.iloc[0:0])  # no opportunities: nothing computed or shown
    assert (none["status"], none["values"]) == ("pass", "no opportunities: no win rate computed or shown")
    (gone,) = facts.win_rate_shared(shared(), cov)
    assert gone["status"] == "skipped"


def test_one_team_capacity_in_capacity_the_simulation_and_the_attainment():
    fact = shared(team_capacity=252.0, expected_attainment=252.0 / 240.0)
    (ok,) = facts.team_capacity_shared(fact, capacity(), summary(252.0))
    assert (ok["status"], ok["values"]) == ("pass", "fact 252.00, expected attainment 105.0%")
    (bad,) = facts.team_capacity_shared(fact, capacity(), summary(260.0))
    assert (bad["status"], bad["values"]) == (
        "fail",
        "fact 252.00, expected attainment 105.0%; differs: incentive simulation 260.00",
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


def test_resources_additional_hires_are_not_goals_hires():
    plan = pd.concat([hiring_plan().assign(source="goals"),
                      hiring_plan("2026-11", "2027-01").assign(source="additional")])  # fmt: skip
    (ramp,) = facts.ramp_months_goals_vs_resources(targets_rep(), plan)
    (hires,) = facts.hires_goals_vs_resources(targets_rep(), plan, capacity())
    assert (ramp["status"], hires["status"]) == ("pass", "pass")
    assert hires["values"] == "goals 1 vs hiring_plan 1 vs capacity 1 (and 1 additional hires of resources)"


def test_a_coverage_without_rows_is_not_a_second_target():
    # No opportunities (the Superstore export): strategy writes coverage.csv without rows; nothing to compare.
    t, calibration, g, cap, coverage = shown()
    (r,) = facts.annual_target_shared(t, calibration, g, cap, coverage.iloc[0:0])
    assert r["status"] == "pass" and "coverage" not in r["values"]


def test_fact_lookup_equals_facts_value():
    shared = pd.concat(
        [
            facts_.frame("goals", {n: None for n in facts_.FACTS if facts_.FACTS[n].owner == "goals"}),
            pd.DataFrame({"name": ["ramp_months", "ramp_months", float("nan")], "value": [6.0, 7.0, 1.0]}),
        ],
        ignore_index=True,
    )
    for name in facts_.FACTS:
        assert facts._fact(shared, name) == facts_.value(shared, name), name
        assert facts._fact(None, name) is None
    assert facts._fact(shared, "ramp_months") == 6.0  # the first row of a name, as facts.value
