"""Tests of planning/resources/capacity.py: capacity and hiring by hand, the shared team measurement, and the
sample run's capacity reconciled with the goals step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames_resources import baseline, month_targets, plan_params, res_section

from planning import contracts, team
from planning.params import Params
from planning.resources import capacity


def test_capacity_three_reps_by_hand():
    # Reps: A hired this month (tenure 0), B and C ramped; productivity 100 a month, ramp 2, no attrition.
    # FTE without hires: Jan 1/3 + 2 = 2.333, Feb 2/3 + 2 = 2.667, Mar 3.
    # Targets 250 / 300 / 300 -> Jan needs 2.5 FTE: short 0.167 -> one hire, start Jan (time to hire 0).
    # With the hire (1/3, 2/3, 1): FTE 2.667 / 3.333 / 4.0 -> capacity 266.67 / 333.33 / 400.
    base = baseline()
    r = res_section(
        time_to_hire_months=0, simulations=100, hire_threshold=0.0
    )  # threshold 0: every shortfall is hired
    cap, plan = capacity.capacity_plan(base, month_targets([250, 300, 300]), r)
    assert cap["month"].tolist() == ["2027-01", "2027-02", "2027-03"]
    assert cap["headcount_start"].tolist() == pytest.approx([3, 4, 4])
    assert cap["hires"].tolist() == [1, 0, 0]
    assert cap["exits"].tolist() == pytest.approx([0, 0, 0])
    assert cap["ramping"].tolist() == pytest.approx([2, 2, 0])
    assert cap["productive_fte"].tolist() == pytest.approx([8 / 3, 10 / 3, 4.0])
    assert cap["capacity"].tolist() == pytest.approx([266.667, 333.333, 400.0], abs=1e-3)
    assert (cap["gap"] == cap["target"] - cap["capacity"]).all()
    assert cap["naive_headcount"].tolist() == pytest.approx([2.5, 3.0, 3.0])
    assert set(contracts.required_columns("capacity")) <= set(cap.columns)
    assert plan.to_dict("records") == [
        {"start_month": "2027-01", "hires": 1, "source": "additional", "requisition_by": "2027-01",
         "productive_from": "2027-03"}
    ]  # fmt: skip


def test_capacity_without_hires_and_time_to_hire_blocks_early_months():
    # No hires possible before month 2 (time to hire 2): Jan's shortfall stays a gap; hires for March start in
    # month max(2 - ramp 2, 2) = 2 (March) at 1/3 productivity, so March keeps a gap too.
    base = baseline()
    cap, plan = capacity.capacity_plan(
        base, month_targets([250, 250, 400]), res_section(time_to_hire_months=2, simulations=100)
    )
    assert cap.loc[0, "gap"] == pytest.approx(250 - 700 / 3)
    # March needs 4 FTE, the team has 3 -> 1 hire starting March.
    assert plan["start_month"].tolist() == ["2027-03"] and plan["hires"].tolist() == [1]
    assert plan["requisition_by"].tolist() == ["2027-01"]
    assert cap.loc[2, "capacity"] == pytest.approx(300 + 100 / 3)


def test_capacity_attrition_flows_month_to_month():
    # Annual attrition 50%: monthly survival s = 0.5 ** (1/12); exits = population x (1 - s);
    # next month's headcount_start = population x s; FTE counts the reps still there at mid-month (s ** 0.5).
    base = baseline(tenures=(5, 5, 5), attrition=0.5)
    cap, _ = capacity.capacity_plan(base, month_targets([0, 0, 0]), res_section(simulations=100), hires={})
    s = 0.5 ** (1 / 12)
    assert cap["headcount_start"].tolist() == pytest.approx([3, 3 * s, 3 * s**2])
    assert cap["exits"].tolist() == pytest.approx([3 * (1 - s), 3 * s * (1 - s), 3 * s**2 * (1 - s)])
    assert cap["productive_fte"].tolist() == pytest.approx([3 * s**0.5, 3 * s**1.5, 3 * s**2.5])


def test_capacity_follows_seasonality():
    # Index 2 in January and 1 elsewhere is rescaled to mean 1: Jan 2 / (13/12), other months 1 / (13/12).
    season = capacity.season_index(pd.DataFrame({"month_of_year": range(1, 13), "index": [2.0] + [1.0] * 11}))
    assert sum(season.values()) == pytest.approx(12)
    base = baseline(tenures=(5, 5), season=season)
    cap, _ = capacity.capacity_plan(base, month_targets([0, 0]), res_section(simulations=100), hires={})
    assert cap["capacity"].tolist() == pytest.approx([200 * 24 / 13, 200 * 12 / 13])


def test_capacity_percentiles_bracket_the_median():
    base = baseline(tenures=(5, 5, 5))
    base.factors = np.array([0.5, 1.0, 1.5])
    cap, _ = capacity.capacity_plan(base, month_targets([300]), res_section(simulations=500), hires={})
    assert cap.loc[0, "capacity_p10"] < cap.loc[0, "capacity_p50"] < cap.loc[0, "capacity_p90"]


def test_monthly_targets_reads_month_level_only_and_rejects_missing_year():
    t = pd.DataFrame(
        {
            "level": ["year", "month", "month"],
            "period": ["2027", "2027-01", "2027-02"],
            "start": ["", "", ""],
            "end": ["", "", ""],
            "target": [30.0, 10.0, 20.0],
        }
    )
    s = capacity.monthly_targets(t, plan_params(plan_year=2027))
    assert s.tolist() == [10.0, 20.0] and str(s.index[0]) == "2027-01"
    with pytest.raises(ValueError, match="2028"):
        capacity.monthly_targets(t, plan_params(plan_year=2028))
    with pytest.raises(ValueError, match="lacks columns"):
        capacity.monthly_targets(t.drop(columns="level"), plan_params())


def test_planned_hires_come_first_and_only_the_rest_is_added():
    # Two ramped reps (100 a month each) and the goals' planned hire starting January (ramp 2: 1/3, 2/3, 1).
    # Targets 300 a month: FTE 2 1/3, 2 2/3, 3 -> Jan short 2/3, Feb short 1/3, Mar covered.
    # One additional hire covers Jan (time to hire 0, starts Jan at 1/3): Jan 2 2/3, still short 1/3 (the ramp);
    # in Feb the additional hire counts as a full head (3 2/3 >= 3): no more hires. -> "1 planned + 1 more".
    planned = pd.DataFrame(
        {"rep_id": ["HIRE-01"], "team": ["t1"], "kind": ["hire"], "hire_month": [pd.Period("2027-01", "M")]}
    )
    base = baseline(tenures=(5, 5), planned=planned)
    cap, plan = capacity.capacity_plan(
        base,
        month_targets([300, 300, 300]),
        res_section(time_to_hire_months=0, simulations=100, hire_threshold=0.0),
    )
    assert plan[["start_month", "hires", "source"]].to_dict("records") == [
        {"start_month": "2027-01", "hires": 1, "source": "goals"},
        {"start_month": "2027-01", "hires": 1, "source": "additional"},
    ]
    assert cap["planned_hires"].tolist() == [1, 0, 0] and cap["additional_hires"].tolist() == [1, 0, 0]
    assert cap["productive_fte"].tolist() == pytest.approx([2 + 2 / 3, 2 + 4 / 3, 4.0])
    assert cap["capacity"].tolist() == pytest.approx([800 / 3, 1000 / 3, 400.0])


def test_planned_hires_are_read_from_targets_rep():
    tr = pd.DataFrame(
        {
            "rep_id": ["R1", "R1", "HIRE-01", "HIRE-01", "HIRE-01"],
            "team": ["t1", "t1", "t2", "t2", "t2"],
            "kind": ["current", "current", "hire", "hire", "hire"],
            "month": ["2027-01", "2027-02", "2027-01", "2027-02", "2027-03"],
            "target": [10.0, 10.0, 0.0, 0.0, 5.0],
            "ramp": [1.0, 1.0, 0.0, 0.0, 0.25],
        }
    )
    h = capacity.planned_hires(tr)
    assert h.to_dict("records") == [
        {"rep_id": "HIRE-01", "team": "t2", "hire_month": pd.Period("2027-03", "M")}
    ]
    assert capacity.planned_hires(None).empty and capacity.planned_hires(tr.drop(columns="kind")).empty


def test_house_sales_and_tools_are_part_of_capacity():
    # One ramped rep: 100 a month, tools +20% -> 120; house accounts 50 in January -> capacity 170.
    base = baseline(tenures=(5,), tool_efficiency=0.2, house={"2027-01": 50.0})
    cap, _ = capacity.capacity_plan(base, month_targets([170]), res_section(simulations=100), hires={})
    row = cap.iloc[0]
    assert (row["reps_capacity"], row["tools"], row["house"], row["capacity"]) == pytest.approx(
        (100, 20, 50, 170)
    )
    assert row["gap"] == pytest.approx(0) and row["naive_headcount"] == pytest.approx(1.0)


def test_team_baseline_reads_the_shared_team_measurement():
    reps = pd.DataFrame(
        {
            "rep_id": ["R1", "R2", "R3", "M1"],
            "name": ["A", "B", "C", "M"],
            "team": ["t1", "t1", "t1", "t1"],
            "role": ["rep", "rep", "rep", "manager"],
            "hire_date": pd.to_datetime(["2020-01-10", "2020-01-10", "2026-07-01", "2019-01-01"]),
            "exit_date": pd.to_datetime([None, "2026-03-15", None, None]),
        }
    )
    orders = pd.DataFrame(
        {
            "order_date": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-02-03", "2026-08-01"]),
            "rep_id": ["R1", "R2", "R1", "R3"],
            "amount": [100.0, 50.0, 30.0, 10.0],
        }
    )
    p = Params.model_validate(
        {
            "as_of": "2026-09-30",
            "resources": {"ramp_months": 3, "attrition": 0.2},
            "goals": {"training_uplift": 0.3},
        }
    )
    base = capacity.team_baseline(orders, reps, p)
    assert base.ramp_months == 3 and base.attrition == 0.2 and base.training_uplift == 0.3
    assert sorted(base.team["rep_id"]) == ["R1", "R3"] and base.managers == 1 and base.planned.empty
    # Rep-months Jan-Sep 2026 (first order month 2026-01): R1 9 ramped, R2 Jan-Mar 3 ramped, R3 Jul-Sep at
    # ramp 1/4, 2/4, 3/4 -> 13.5 FTE-months; sales 190 -> 190 / 13.5 x 12 a year.
    assert base.productivity == pytest.approx(190 / 13.5 * 12)
    assert base.first_month == pd.Period("2026-10", "M")
    assert base.productivity == team.measure(orders, reps, p).productivity


@pytest.mark.parametrize(("g", "hired"), [(49.9, 0), (50.1, 1)])
def test_a_hire_needs_a_gap_above_the_threshold(g, hired):
    # 3 ramped reps (100 a month), ramp 2, no attrition, time to hire 0. Targets 300 in Jan-Mar, 300 + g in Apr-Dec.
    # April is the first short month (g / 100 FTE); a hire for it starts in February (April - ramp 2).
    # Gap left from April to December without a hire: 9 x g; threshold 0.5 x a rep's output over those 9 months
    # = 0.5 x 900 = 450. g = 49.9 -> 449.1 <= 450: no hire (May: 8 x 49.9 = 399.2 <= 400, and so on);
    # g = 50.1 -> 450.9 > 450: one hire starting February, after which April-December capacity is 400.
    base = baseline(tenures=(5, 5, 5))
    targets = month_targets([300.0] * 3 + [300.0 + g] * 9)
    cap, plan = capacity.capacity_plan(base, targets, res_section(time_to_hire_months=0, simulations=100))
    assert int(plan["hires"].sum()) == hired
    assert (cap["gap"] - (cap["target"] - cap["capacity"])).abs().max() < 1e-9
    if hired:
        assert plan["start_month"].tolist() == ["2027-02"]
        assert cap["capacity"].iloc[3:].tolist() == pytest.approx([400.0] * 9)
    else:
        assert cap["gap"].iloc[3:].tolist() == pytest.approx([g] * 9)


@pytest.mark.slow
def test_steps_2_to_4_reconcile(small_sample, tmp_path):
    """One run of steps 1-4 for two regions; the artefacts of goals, strategy and resources agree to the cent."""
    from planning import runner

    result = runner.run(
        regions=["east", "northeast"],
        steps=["01_market_analysis", "02_goals", "03_strategy", "04_resources"],
        data_dir=str(small_sample),
        out_root=tmp_path,
        workers=1,
    )
    assert result.ok, result.results
    for region in ("east", "northeast"):
        art = next(tmp_path.rglob(f"{region}/artifacts"))

        def read(name: str, art=art) -> pd.DataFrame:
            return pd.read_csv(art / f"{name}.csv", dtype={"period": str, "month": str})

        for name in ("capacity", "incentives", "budget", "action_plan"):
            assert set(contracts.required_columns(name)) <= set(read(name).columns), (region, name)
        cents = lambda x: (pd.Series(x, dtype=float) * 100).round().astype("int64").to_numpy()  # noqa: E731
        targets = read("targets")
        year = cents(targets.loc[targets["level"] == "year", "target"])[0]
        months = targets[targets["level"] == "month"].set_index("period")["target"]
        quarters = targets[targets["level"] == "quarter"].set_index("period")["target"]
        # capacity.csv: the goals' month targets to the cent; gap = target - capacity
        cap = read("capacity")
        assert (cents(cap["target"]) == cents(months.reindex(cap["month"]))).all(), region
        assert (cap["gap"] - (cap["target"] - cap["capacity"])).abs().max() < 1e-3, region
        # coverage.csv: each quarter's target is the targets.csv quarter row, and those sum to the year
        cov = read("coverage")
        assert (cents(cov["target"]) == cents(quarters.reindex(cov["period"]))).all(), region
        assert cents(cov["target"]).sum() == year
        # targets_rep.csv: reps' quotas sum to each month's quota (target + flex buffer, docs/method.md)
        quotas = targets[targets["level"] == "month"].set_index("period")["quota"]
        reps = read("targets_rep")
        by_month = reps.assign(c=cents(reps["target"])).groupby("month")["c"].sum()
        assert (by_month.reindex(quotas.index).to_numpy() == cents(quotas)).all(), region
        # calibration.csv: the waterfall reaches the year's target, then the buffer to the quotas
        cal = read("calibration").set_index("component")["amount"]
        assert cents(cal[["target"]])[0] == year and cal.index[-1] == "quota"
        # one team: without additional hires resources' capacity is goals' team dimension month by month
        team_cap = read("team_capacity").set_index("month")["capacity"].reindex(cap["month"]).to_numpy()
        hiring = read("hiring_plan")
        dims = read("calibration_dimensions").set_index("component")["amount"]
        assert team_cap.sum() == pytest.approx(dims["team"], rel=1e-9)
        if (hiring["source"] == "additional").any():
            assert (cap["capacity"].to_numpy() >= team_cap - 1e-6).all()
        else:
            assert cap["capacity"].to_numpy() == pytest.approx(team_cap, rel=1e-9)
        planned = reps.loc[reps["kind"] == "hire", "rep_id"].nunique()
        assert int(hiring.loc[hiring["source"] == "goals", "hires"].sum()) == planned
        budget = read("budget")
        assert budget["optimal_budget"].sum() == pytest.approx(budget["current_budget"].sum(), rel=1e-6)
        plan = read("action_plan")
        assert plan["status"].isin(["planned", "in_progress", "done", "overdue"]).all()
