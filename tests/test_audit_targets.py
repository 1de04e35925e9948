"""planning/audit/targets.py: the breakdown adds up to the cent; the target is stated against the calibration's
dimensions and the forecast's 80% interval."""

from __future__ import annotations

from frames_audit import (
    MONTH_TARGET,
    MONTHS,
    calibration_dimensions,
    forecast,
    goals,
    target_position,
    targets,
    targets_rep,
)

from planning.audit import targets as t


def one(rows, check):
    (r,) = [r for r in rows if r["check"] == check]
    return r


def test_a_consistent_breakdown_passes_every_level():
    df = targets()
    assert t.quarters_sum_to_year(df)[0]["status"] == "pass"
    assert t.months_sum_to_quarters(df)[0]["status"] == "pass"
    assert t.weeks_sum_to_year(df)[0]["status"] == "pass"
    assert t.reps_sum_to_months(df, targets_rep())[0]["status"] == "pass"


def test_a_quarter_a_cent_off_its_months_fails_naming_both_sums():
    df = targets()
    df.loc[df["period"] == "2027-Q2", "target"] = 60.01
    (r,) = t.months_sum_to_quarters(df)
    assert r["status"] == "fail"
    assert r["values"] == "2027-Q2: 60.01 vs months 60.00 (diff -0.01)"
    assert t.quarters_sum_to_year(df)[0]["values"] == "2027: 240.00 vs quarters 240.01 (diff 0.01)"


def test_weeks_that_do_not_add_up_to_the_year_fail():
    df = targets()
    df.loc[df["period"] == "H2", "target"] = 119.0
    assert t.weeks_sum_to_year(df)[0]["values"] == "2027: 240.00 vs weeks 239.00 (diff -1.00)"


def test_reps_that_miss_their_month_fail():
    reps = targets_rep()
    reps.loc[(reps["rep_id"] == "R1") & (reps["month"] == "2027-05"), "target"] = 9.0
    (r,) = t.reps_sum_to_months(targets(), reps)
    assert (r["status"], r["values"]) == ("fail", "2027-05: 20.00 vs reps 19.00 (diff -1.00)")


def test_missing_artefacts_skip_with_the_name():
    (r,) = t.reps_sum_to_months(targets(), None)
    assert (r["status"], r["values"]) == ("skipped", "artefact targets_rep missing")


def test_target_within_every_limiting_dimension_passes_and_ambition_is_only_stated():
    rows = t.target_vs_dimensions(targets(), calibration_dimensions())
    assert {r["check"]: r["status"] for r in rows} == {
        "target_vs_ambition": "pass",
        "target_vs_market": "pass",
        "target_vs_team": "pass",
        "target_vs_resources": "pass",
    }
    assert one(rows, "target_vs_ambition")["values"] == (
        "target 240.00 vs ambition 230.00 (104.3%): above, not stated in target_position.csv"
    )
    # A limit the data could not compute is skipped, not judged.
    rows = t.target_vs_dimensions(targets(), calibration_dimensions(team=float("nan")))
    assert one(rows, "target_vs_team")["status"] == "skipped"


def test_target_above_a_limiting_dimension_unstated_or_marked_achievable_fails():
    rows = t.target_vs_dimensions(targets(), calibration_dimensions(market=200.0))
    r = one(rows, "target_vs_market")
    assert r["status"] == "fail"
    assert r["values"] == "target 240.00 vs market 200.00 (120.0%): above, not stated in target_position.csv"
    stated = target_position(("target", "2027", "market", "above"))
    rows = t.target_vs_dimensions(targets(), calibration_dimensions(market=200.0), stated, goals())
    assert one(rows, "target_vs_market")["status"] == "fail"  # stated, but the goal says achievable


def test_target_above_a_dimension_stated_and_not_achievable_passes():
    # A planner-set target may exceed a dimension: consistent when the plan states it and says not achievable.
    stated = target_position(("target", "2027", "market", "above"))
    rows = t.target_vs_dimensions(
        targets(), calibration_dimensions(market=200.0), stated, goals(achievable=False)
    )
    r = one(rows, "target_vs_market")
    assert r["status"] == "pass" and r["values"].endswith("above, stated above; goals.csv achievable=False")


def test_a_stated_position_that_the_figures_contradict_fails():
    stated = target_position(("target", "2027", "market", "above"))
    rows = t.target_vs_dimensions(targets(), calibration_dimensions(), stated, goals())
    r = one(rows, "target_vs_market")
    assert r["status"] == "fail" and r["values"].endswith("within, target_position.csv states 'above'")


def test_quotas_above_the_team_are_judged_like_the_target():
    df = targets(quota=270.0)  # a 12.5% flex buffer over-assigned to the reps
    rows = t.target_vs_dimensions(df, calibration_dimensions(), None, goals())
    r = one(rows, "quota_vs_team")
    assert r["status"] == "fail" and r["values"].startswith("quotas 270.00 vs team 260.00 (103.8%): above")
    stated = target_position(("quota", "2027", "team", "above"))
    rows = t.target_vs_dimensions(df, calibration_dimensions(), stated, goals(achievable=False))
    assert one(rows, "quota_vs_team")["status"] == "pass"


def test_reps_sum_to_the_months_quota_when_targets_carry_one():
    df = targets(quota=264.0)
    (r,) = t.reps_sum_to_months(df, targets_rep())  # the reps split the target, not the quota
    assert r["status"] == "fail" and r["values"].startswith("2027-01: 11.00 vs reps 10.00")


def test_target_inside_the_chosen_forecast_interval_passes():
    rows = t.target_vs_forecast_interval(targets(), forecast())
    assert [r["status"] for r in rows] == ["pass", "pass"]
    assert rows[0]["values"] == (
        "target 240.00 vs forecast 80% interval 60.00 .. 372.00: within, not stated in target_position.csv"
    )


def test_months_outside_their_band_pass_only_when_stated_and_a_year_above_it_needs_not_achievable():
    rows = t.target_vs_forecast_interval(targets(), forecast(lower=5.0, upper=19.0))
    assert rows[0]["status"] == "fail"
    assert rows[0]["values"].startswith("target 240.00 vs forecast 80% interval 60.00 .. 228.00: above")
    months_row = one(rows, "target_months_vs_forecast_interval")
    assert months_row["status"] == "fail"
    assert months_row["values"].startswith("8 months outside, not stated in target_position.csv: 2027-02; 2027-03;")
    months = [("target", m, "forecast", "above") for m, v in zip(MONTHS, MONTH_TARGET, strict=True) if v > 19]
    stated = target_position(("target", "2027", "forecast", "above"), *months)
    rows = t.target_vs_forecast_interval(targets(), forecast(upper=19.0), stated, goals(achievable=False))
    assert [r["status"] for r in rows] == ["pass", "pass"]
    assert rows[1]["values"].startswith("8 months outside, all stated: 2027-02 20.00 above 5.00 .. 19.00;")
    # The reps' quotas above the band are judged too.
    rows = t.target_vs_forecast_interval(targets(quota=264.0), forecast(upper=25.0), stated, goals())
    assert one(rows, "quota_vs_forecast_interval")["values"].startswith(
        "quota 264.00 vs forecast 80% interval 60.00 .. 300.00: within"
    )


def test_a_forecast_without_the_chosen_model_is_skipped():
    rows = t.target_vs_forecast_interval(targets(), forecast().drop(columns="chosen"))
    assert (rows[0]["status"], rows[0]["values"]) == ("skipped", "forecast.csv has no `chosen` column")


def test_a_month_below_its_lower_bound_unstated_fails():
    r = one(t.target_vs_forecast_interval(targets(), forecast(lower=15.0)), "target_months_vs_forecast_interval")
    assert r["status"] == "fail"
    assert "2027-01 10.00 below 15.00 .. 31.00" in r["values"]
