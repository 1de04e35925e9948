"""planning.team: the ramp curve, survival, the reps' months, measured ramp and attrition, per-rep output, the
measured team and the plan horizon's schedule, on frames small enough to check by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from planning import team
from planning.params import Params

P = pd.Period


def _reps() -> pd.DataFrame:
    """R1 (t1, hired 2024-01-01), R2 (t2, hired 2025-01-15, left 2025-06-30), manager M1."""
    return pd.DataFrame(
        {
            "rep_id": ["R1", "R2", "M1"],
            "name": ["Ann", "Bo", "Max"],
            "team": ["t1", "t2", "t1"],
            "role": ["rep", "rep", "manager"],
            "hire_date": ["2024-01-01", "2025-01-15", "2020-01-01"],
            "exit_date": [None, "2025-06-30", None],
        }
    )


def _orders() -> pd.DataFrame:
    """2025: R1 sells 100 every month, R2 50 in February, the manager 250 in March (house sales)."""
    rows = [(f"2025-{m:02d}-10", "R1", 100.0) for m in range(1, 13)]
    rows += [("2025-02-10", "R2", 50.0), ("2025-03-10", "M1", 250.0)]
    return pd.DataFrame(rows, columns=["order_date", "rep_id", "amount"])


def _params(**resources) -> Params:
    r = {"ramp_months": 2, "attrition": None, "attrition_months": 12, **resources}
    return Params.model_validate({"as_of": "2025-12-31", "plan_year": 2026, "resources": r})


# --------------------------------------------------------------------------------------------- curves
def test_ramp_is_linear_to_full_output_and_training_lifts_it():
    # ramp 2: tenure 0 (not yet hired) 0; 1, 2, 3 -> 1/3, 2/3, 1
    assert team.ramp(np.array([0, 1, 2, 3, 4]), 2) == pytest.approx([0, 1 / 3, 2 / 3, 1, 1])
    assert team.ramp(np.array([1, 2]), 2, uplift=0.5) == pytest.approx([0.5, 1.0])  # capped at 1
    assert team.ramp(-3, 2) == 0  # before the month of hire


def test_survival_is_a_constant_annual_hazard():
    assert team.survival(12, 0.25) == pytest.approx(0.75)
    assert team.survival(np.array([0.0, 6.0]), 0.19) == pytest.approx([1.0, 0.9])
    assert team.survival(12, 1.0) == pytest.approx(0.001)  # capped below 1: nobody leaves with certainty


def test_months_to_full_output():
    assert team.months_to_full(2) == 2 and team.months_to_full(0) == 0
    assert team.months_to_full(2, uplift=0.5) == 1  # 1/3 x 1.5 = 0.5, 2/3 x 1.5 = 1


def test_last_complete_month_and_first_plan_month():
    assert team.last_month(date(2025, 12, 31)) == P("2025-12", "M")
    assert team.last_month(date(2025, 12, 30)) == P("2025-11", "M")
    assert team.first_month(date(2025, 12, 30)) == P("2026-01", "M")


# --------------------------------------------------------------------------------------------- history
def test_quota_reps_are_the_reps_without_managers():
    q = team.quota_reps(_reps())
    assert q["rep_id"].tolist() == ["R1", "R2"] and q["exit_date"].isna().tolist() == [True, False]
    assert team.quota_reps(None) is None


def test_rep_months_by_hand():
    h = team.rep_months(_orders(), _reps(), P("2025-01", "M"), P("2025-03", "M"))
    assert h["rep_id"].tolist() == ["R1"] * 3 + ["R2"] * 3
    assert h["tenure"].tolist() == [12, 13, 14, 0, 1, 2]  # months since the month of hire
    assert h["sales"].tolist() == [100.0, 100.0, 100.0, 0.0, 50.0, 0.0]  # the manager's 250 is not a rep's


def test_rep_months_names_a_missing_table_or_column():
    with pytest.raises(ValueError, match="table 'reps' is required"):
        team.rep_months(_orders(), None, P("2025-01", "M"), P("2025-03", "M"))
    with pytest.raises(ValueError, match=r"table 'orders' lacks columns \['rep_id'\]"):
        team.rep_months(_orders().drop(columns=["rep_id"]), _reps(), P("2025-01", "M"), P("2025-03", "M"))


def _ramp_history(hires: dict[str, list[float]]) -> pd.DataFrame:
    """Monthly sales from 2025-01: established rep E1 (tenure 12 on) sells 90; each hire from tenure 0."""
    rows = [("E1", P("2025-01", "M") + i, 12 + i, 90.0) for i in range(6)]
    for rep, sales in hires.items():
        rows += [(rep, P("2025-01", "M") + i, i, s) for i, s in enumerate(sales)]
    return pd.DataFrame(rows, columns=["rep_id", "month", "tenure", "sales"])


def test_measure_ramp_is_the_median_months_to_the_benchmark():
    # Benchmark 90. H1: forward 3-month means 60, 80, 90 -> 2; H2: 90 at once -> 0; H3: 0, 30, 60, 90 -> 3.
    history = _ramp_history({"H1": [30, 60, 90, 90, 90], "H2": [90, 90, 90], "H3": [0, 0, 0, 90, 90, 90]})
    assert team.measure_ramp(history, P("2025-01", "M")) == (2.0, 3)


def test_measure_ramp_needs_enough_hires():
    history = _ramp_history({"H1": [30, 60, 90, 90, 90], "H2": [90, 90, 90]})
    assert team.measure_ramp(history, P("2025-01", "M")) == (None, 2)
    # Hires whose start lies before the data are not measured at all.
    assert team.measure_ramp(history, P("2025-02", "M")) == (None, 0)


def test_measure_attrition_by_hand():
    # Window 2025: R2 leaves (1 exit); month-start headcount R1 12 months + R2 February-June 5 = 17 / 12.
    rate, exits, avg = team.measure_attrition(_reps(), date(2025, 12, 31), 12)
    assert (exits, avg) == (1, pytest.approx(17 / 12)) and rate == pytest.approx(12 / 17)
    nobody = _reps().assign(hire_date=["2026-01-01"] * 3, exit_date=None)  # nobody employed in 2025
    assert team.measure_attrition(nobody, date(2025, 12, 31), 12) == (None, 0, 0.0)


def test_output_periods_are_ramp_adjusted_rep_years():
    h = team.rep_months(_orders(), _reps(), P("2025-01", "M"), P("2025-12", "M"))
    out = team.output_periods(h, P("2025-12", "M"), ramp_months=2)
    # One full year of data: R1 12 full months; R2 tenure 0..5 -> 1/3 + 2/3 + 4 x 1 = 5 -> 17 / 12 rep-years.
    assert out["period"].tolist() == ["2025-01..2025-12"]
    row = out.iloc[0]
    assert row["quota_sales"] == 1250 and row["rep_months"] == 18
    assert row["rep_fte"] == pytest.approx(17 / 12) and row["per_rep"] == pytest.approx(1250 / (17 / 12))


# --------------------------------------------------------------------------------------------- the team
def test_measure_the_team_by_hand():
    t = team.measure(_orders(), _reps(), _params())
    assert t.ramp_months == 2 and t.productivity == pytest.approx(1250 * 12 / 17)
    assert t.house_share == pytest.approx(250 / 1500)  # the manager's sales
    assert t.attrition == pytest.approx(12 / 17) and t.attrition_measured == pytest.approx(12 / 17)
    assert t.roster["rep_id"].tolist() == ["R1"] and t.managers == 1  # R2 has left
    assert t.first_month == P("2026-01", "M")
    assert team.measure(_orders(), _reps(), _params(attrition=0.1)).attrition == 0.1


def test_measure_without_reps_has_no_capacity():
    t = team.measure(_orders(), None, _params())
    assert t.productivity == 0.0 and t.roster.empty and t.house_share == 1.0


def test_schedule_of_a_current_rep_and_a_hire():
    months = pd.period_range("2026-01", periods=4, freq="M")
    tenure, elapsed = team.schedule(
        [P("2024-01", "M"), P("2026-03", "M")], np.array([True, False]), P("2026-01", "M"), months
    )
    assert tenure.tolist() == [[25, 26, 27, 28], [0, 0, 1, 2]]
    assert elapsed.tolist() == [[0.5, 1.5, 2.5, 3.5], [0, 0, 0.5, 1.5]]
