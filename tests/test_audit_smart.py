"""planning/audit/smart.py: SMART "achievable" agrees with the capacity, the calibration and the forecast."""

from __future__ import annotations

from frames_audit import calibration_dimensions, forecast, goals, targets

from planning.audit import smart


def test_goals_within_their_capacity_pass():
    (r,) = smart.achievable_within_capacity(goals())
    assert (r["status"], r["values"]) == ("pass", "2 goals with a capacity: achievable only within it")


def test_a_goal_above_its_capacity_marked_achievable_fails():
    (r,) = smart.achievable_within_capacity(goals(value=250.0))
    assert r["status"] == "fail"
    assert r["values"] == "revenue 250.00 > capacity 245.00 (102.0%) marked achievable"


def test_a_goal_above_its_capacity_marked_not_achievable_passes():
    (r,) = smart.achievable_within_capacity(goals(value=250.0, achievable=False))
    assert r["status"] == "pass"


def test_achievable_revenue_within_every_limit_passes():
    (r,) = smart.achievable_revenue_consistent(goals(), targets(), calibration_dimensions(), forecast())
    assert (r["status"], r["values"]) == (
        "pass",
        "target 240.00, quotas 240.00: within every limit; goals.csv achievable=True",
    )


def test_achievable_revenue_above_a_dimension_fails():
    (r,) = smart.achievable_revenue_consistent(
        goals(), targets(), calibration_dimensions(resources=200.0), forecast(upper=19.0)
    )
    assert r["status"] == "fail"
    assert r["values"] == (
        "target 240.00, quotas 240.00: target above resources 200.00, target 240.00 above forecast upper "
        "228.00, quotas 240.00 above forecast upper 228.00; goals.csv achievable=True"
    )


def test_quotas_above_the_team_make_the_revenue_not_achievable():
    # The flex buffer is over-assigned to the reps: 12.5% on 240 = 270 > the team's 260.
    (r,) = smart.achievable_revenue_consistent(goals(), targets(quota=270.0), calibration_dimensions(), forecast())
    assert r["status"] == "fail" and "quotas 270.00 above team 260.00" in r["values"]
    (r,) = smart.achievable_revenue_consistent(
        goals(achievable=False), targets(quota=270.0), calibration_dimensions(), forecast()
    )
    assert r["status"] == "pass"


def test_a_count_goal_may_round_up_to_the_next_whole_unit():
    g = goals()
    g.loc[1, ["value", "capacity"]] = [45.0, 44.4]
    assert smart.achievable_within_capacity(g)[0]["status"] == "pass"
    g.loc[1, "value"] = 46.0
    assert smart.achievable_within_capacity(g)[0]["status"] == "fail"


def test_not_achievable_revenue_above_a_dimension_passes():
    (r,) = smart.achievable_revenue_consistent(
        goals(achievable=False), targets(), calibration_dimensions(market=100.0), forecast()
    )
    assert r["status"] == "pass"


def test_not_achievable_revenue_within_every_limit_fails():
    (r,) = smart.achievable_revenue_consistent(
        goals(achievable=False), targets(), calibration_dimensions(), forecast()
    )
    assert r["status"] == "fail"


def test_missing_goals_are_skipped():
    (r,) = smart.achievable_revenue_consistent(None, targets(), calibration_dimensions(), None)
    assert (r["status"], r["values"]) == ("skipped", "artefact goals, forecast missing")
