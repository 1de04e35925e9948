"""planning/audit/targets.py: the breakdown adds up to the cent; the target is stated against the calibration's
dimensions and the forecast's 80% interval."""

from __future__ import annotations

from frames_audit import calibration_dimensions, forecast, targets, targets_rep

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
    assert one(rows, "target_vs_ambition")["values"] == "target 240.00 vs ambition 230.00 (104.3%)"


def test_target_above_a_limiting_dimension_fails():
    rows = t.target_vs_dimensions(targets(), calibration_dimensions(market=200.0))
    r = one(rows, "target_vs_market")
    assert (r["status"], r["values"]) == ("fail", "target 240.00 vs market 200.00 (120.0%)")


def test_target_inside_the_chosen_forecast_interval_passes():
    rows = t.target_vs_forecast_interval(targets(), forecast())
    assert [r["status"] for r in rows] == ["pass", "pass"]
    assert rows[0]["values"] == "target 240.00 vs forecast 80% interval 60.00 .. 372.00"


def test_months_above_their_upper_bound_and_a_year_above_the_band_fail():
    rows = t.target_vs_forecast_interval(targets(), forecast(lower=5.0, upper=19.0))
    assert rows[0]["status"] == "fail"
    assert rows[0]["values"] == "target 240.00 vs forecast 80% interval 60.00 .. 228.00"
    assert rows[1]["values"].startswith("2027-02 20.00 > upper 19.00; 2027-03 30.00 > upper 19.00;")
    assert rows[1]["values"].endswith("... 4 more")


def test_a_forecast_without_the_chosen_model_is_skipped():
    rows = t.target_vs_forecast_interval(targets(), forecast().drop(columns="chosen"))
    assert (rows[0]["status"], rows[0]["values"]) == ("skipped", "forecast.csv has no `chosen` column")


def test_a_month_below_its_lower_bound_fails():
    rows = t.target_vs_forecast_interval(targets(), forecast(lower=15.0))
    assert rows[1]["status"] == "fail"
    assert rows[1]["values"].startswith("2027-01 10.00 < lower 15.00; 2027-04 10.00 < lower 15.00;")
