"""Tests of planning/resources.py and planning/charts/resources.py: hand-checked fixtures, negative cases, specs."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from planning import contracts, resources, team
from planning.charts import resources as rc
from planning.params import Params, Resources


def _r(**kw) -> Resources:
    return Resources(**kw)


def _base(tenures=(0, 5, 5), productivity=1200.0, ramp=2, attrition=0.0, **kw) -> resources.Baseline:
    """Current reps hired `tenures` months before January 2027 (0 = in January); `productivity` is annual."""
    first = pd.Period("2027-01", "M")
    roster = pd.DataFrame(
        {
            "rep_id": [f"R{i}" for i in range(len(tenures))],
            "team": ["t1"] * len(tenures),
            "kind": ["current"] * len(tenures),
            "hire_month": [first - t for t in tenures],
        }
    )
    roster = pd.concat([roster, kw.pop("planned", roster.iloc[0:0])], ignore_index=True)
    return resources.Baseline(
        productivity=productivity,
        ramp_months=ramp,
        attrition=attrition,
        roster=roster,
        first_month=first,
        **kw,
    )


def _targets(values, start="2027-01") -> pd.Series:
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


# ------------------------------------------------------------------------------------------------ capacity
def test_capacity_three_reps_by_hand():
    # Reps: A hired this month (tenure 0), B and C ramped; productivity 100 a month, ramp 2, no attrition.
    # FTE without hires: Jan 1/3 + 2 = 2.333, Feb 2/3 + 2 = 2.667, Mar 3.
    # Targets 250 / 300 / 300 -> Jan needs 2.5 FTE: short 0.167 -> one hire, start Jan (time to hire 0).
    # With the hire (1/3, 2/3, 1): FTE 2.667 / 3.333 / 4.0 -> capacity 266.67 / 333.33 / 400.
    base = _base()
    r = _r(
        time_to_hire_months=0, simulations=100, hire_threshold=0.0
    )  # threshold 0: every shortfall is hired
    cap, plan = resources.capacity_plan(base, _targets([250, 300, 300]), r)
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
    base = _base()
    cap, plan = resources.capacity_plan(
        base, _targets([250, 250, 400]), _r(time_to_hire_months=2, simulations=100)
    )
    assert cap.loc[0, "gap"] == pytest.approx(250 - 700 / 3)
    # March needs 4 FTE, the team has 3 -> 1 hire starting March.
    assert plan["start_month"].tolist() == ["2027-03"] and plan["hires"].tolist() == [1]
    assert plan["requisition_by"].tolist() == ["2027-01"]
    assert cap.loc[2, "capacity"] == pytest.approx(300 + 100 / 3)


def test_capacity_attrition_flows_month_to_month():
    # Annual attrition 50%: monthly survival s = 0.5 ** (1/12); exits = population x (1 - s);
    # next month's headcount_start = population x s; FTE counts the reps still there at mid-month (s ** 0.5).
    base = _base(tenures=(5, 5, 5), attrition=0.5)
    cap, _ = resources.capacity_plan(base, _targets([0, 0, 0]), _r(simulations=100), hires={})
    s = 0.5 ** (1 / 12)
    assert cap["headcount_start"].tolist() == pytest.approx([3, 3 * s, 3 * s**2])
    assert cap["exits"].tolist() == pytest.approx([3 * (1 - s), 3 * s * (1 - s), 3 * s**2 * (1 - s)])
    assert cap["productive_fte"].tolist() == pytest.approx([3 * s**0.5, 3 * s**1.5, 3 * s**2.5])


def test_capacity_follows_seasonality():
    # Index 2 in January and 1 elsewhere is rescaled to mean 1: Jan 2 / (13/12), other months 1 / (13/12).
    season = resources.season_index(
        pd.DataFrame({"month_of_year": range(1, 13), "index": [2.0] + [1.0] * 11})
    )
    assert sum(season.values()) == pytest.approx(12)
    base = _base(tenures=(5, 5), season=season)
    cap, _ = resources.capacity_plan(base, _targets([0, 0]), _r(simulations=100), hires={})
    assert cap["capacity"].tolist() == pytest.approx([200 * 24 / 13, 200 * 12 / 13])


def test_capacity_percentiles_bracket_the_median():
    base = _base(tenures=(5, 5, 5))
    base.factors = np.array([0.5, 1.0, 1.5])
    cap, _ = resources.capacity_plan(base, _targets([300]), _r(simulations=500), hires={})
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
    s = resources.monthly_targets(t, 2027)
    assert s.tolist() == [10.0, 20.0] and str(s.index[0]) == "2027-01"
    with pytest.raises(ValueError, match="2028"):
        resources.monthly_targets(t, 2028)
    with pytest.raises(ValueError, match="lacks columns"):
        resources.monthly_targets(t.drop(columns="level"), 2027)


def test_planned_hires_come_first_and_only_the_rest_is_added():
    # Two ramped reps (100 a month each) and the goals' planned hire starting January (ramp 2: 1/3, 2/3, 1).
    # Targets 300 a month: FTE 2 1/3, 2 2/3, 3 -> Jan short 2/3, Feb short 1/3, Mar covered.
    # One additional hire covers Jan (time to hire 0, starts Jan at 1/3): Jan 2 2/3, still short 1/3 (the ramp);
    # in Feb the additional hire counts as a full head (3 2/3 >= 3): no more hires. -> "1 planned + 1 more".
    planned = pd.DataFrame(
        {"rep_id": ["HIRE-01"], "team": ["t1"], "kind": ["hire"], "hire_month": [pd.Period("2027-01", "M")]}
    )
    base = _base(tenures=(5, 5), planned=planned)
    cap, plan = resources.capacity_plan(
        base, _targets([300, 300, 300]), _r(time_to_hire_months=0, simulations=100, hire_threshold=0.0)
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
    h = resources.planned_hires(tr)
    assert h.to_dict("records") == [
        {"rep_id": "HIRE-01", "team": "t2", "hire_month": pd.Period("2027-03", "M")}
    ]
    assert resources.planned_hires(None).empty and resources.planned_hires(tr.drop(columns="kind")).empty


def test_house_sales_and_tools_are_part_of_capacity():
    # One ramped rep: 100 a month, tools +20% -> 120; house accounts 50 in January -> capacity 170.
    base = _base(tenures=(5,), tool_efficiency=0.2, house={"2027-01": 50.0})
    cap, _ = resources.capacity_plan(base, _targets([170]), _r(simulations=100), hires={})
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
        {"resources": {"ramp_months": 3, "attrition": 0.2}, "goals": {"training_uplift": 0.3}}
    )
    base = resources.team_baseline(orders, reps, date(2026, 9, 30), p)
    assert base.ramp_months == 3 and base.attrition == 0.2 and base.training_uplift == 0.3
    assert sorted(base.team["rep_id"]) == ["R1", "R3"] and base.managers == 1 and base.planned.empty
    # Rep-months Jan-Sep 2026 (first order month 2026-01): R1 9 ramped, R2 Jan-Mar 3 ramped, R3 Jul-Sep at
    # ramp 1/4, 2/4, 3/4 -> 13.5 FTE-months; sales 190 -> 190 / 13.5 x 12 a year.
    assert base.productivity == pytest.approx(190 / 13.5 * 12)
    assert base.first_month == pd.Period("2026-10", "M")
    assert base.productivity == team.measure(orders, reps, date(2026, 9, 30), p).productivity


# ------------------------------------------------------------------------------------------------ incentives
def test_team_rule_changes_payout_exactly_at_the_boundary():
    # Quota 1,000,000, base 3%: at 79.9% team attainment 0.03 * 799,000 = 23,970;
    # at 80.0% every rate is 3% * 1.1 = 3.3%: 0.033 * 800,000 = 26,400.
    r = _r()
    below = resources.payout(0.799, 1e6, 0.799, r)
    at = resources.payout(0.800, 1e6, 0.800, r)
    assert below["rate_applied"] == pytest.approx(0.03) and below["payout"] == pytest.approx(23_970)
    assert at["rate_applied"] == pytest.approx(0.033) and at["payout"] == pytest.approx(26_400)
    # The rule follows the team, not the rep: a rep at 79.9% in a team at 80% gets the lifted rate.
    assert resources.payout(0.799, 1e6, 0.80, r)["payout"] == pytest.approx(0.033 * 799_000)


def test_payout_above_quota_adds_accelerator_and_achievement_bonus():
    # 120%: 0.033 * 1,000,000 + 0.033 * 1.5 * 200,000 + 1% * 1,000,000 = 33,000 + 9,900 + 10,000 = 52,900
    p = resources.payout(1.2, 1e6, 1.2, _r())
    assert p["accelerator_pay"] == pytest.approx(9_900) and p["achievement_bonus"] == pytest.approx(10_000)
    assert p["payout"] == pytest.approx(52_900)


def test_payout_curve_contract_and_step_at_threshold():
    curve = resources.payout_curve(1e6, _r())
    assert set(contracts.required_columns("incentives")) <= set(curve.columns)
    rate = curve.set_index("attainment")["rate_applied"]
    assert rate[0.79] == pytest.approx(0.03) and rate[0.8] == pytest.approx(0.033)
    assert curve["payout"].is_monotonic_increasing


def test_simulation_with_everyone_at_quota_costs_the_100_percent_case():
    quotas = pd.DataFrame({"rep_id": ["A", "B"], "team": ["t1", "t2"], "quota": [1e6, 2e6]})
    r = _r(simulations=100)
    sim = resources.simulate_incentives(quotas, np.array([1.0]), r)
    summary = resources.incentive_summary(sim, quotas, new_hires=2, r=r).set_index("metric")["value"]
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
    quotas = pd.DataFrame({"rep_id": ["A", "B"], "team": ["t", "t"], "quota": [1.0, 1.0]})
    sim = resources.simulate_incentives(quotas, np.array([0.7, 1.0]), _r(simulations=200))
    mixed = sim.groupby("sim").filter(lambda g: g["attainment"].nunique() == 2)
    assert mixed["team_attainment"].unique() == pytest.approx([0.85])
    assert len(mixed) > 0


def test_simulation_rejects_empty_inputs():
    quotas = pd.DataFrame({"rep_id": ["A"], "team": ["t"], "quota": [1.0]})
    with pytest.raises(ValueError, match="attainment"):
        resources.simulate_incentives(quotas, np.array([]), _r())
    with pytest.raises(ValueError, match="quotas"):
        resources.simulate_incentives(quotas.iloc[0:0], np.array([1.0]), _r())


def test_rep_quotas_sums_the_plan_year():
    t = pd.DataFrame(
        {"rep_id": ["A", "A", "B"], "team": ["t", "t", "t"], "month": ["2027-01", "2027-02", "2026-12"],
         "target": [1.0, 2.0, 5.0]}
    )  # fmt: skip
    assert resources.rep_quotas(t, 2027).to_dict("records") == [{"rep_id": "A", "team": "t", "quota": 3.0}]
    with pytest.raises(ValueError):
        resources.rep_quotas(t, 2030)


# ------------------------------------------------------------------------------------------------ budget
def test_fit_response_recovers_a_power_law_and_caps_elasticity():
    spend = np.array([100.0, 400.0, 900.0, 1600.0])
    a, b, r2 = resources.fit_response(spend, 2.0 * np.sqrt(spend), max_elasticity=0.95)
    assert a == pytest.approx(2.0) and b == pytest.approx(0.5) and r2 == pytest.approx(1.0)
    # leads proportional to spend (b = 1) is capped at 0.95 and a refitted for it.
    a, b, _ = resources.fit_response(spend, spend / 10, max_elasticity=0.95)
    assert b == pytest.approx(0.95)
    assert a == pytest.approx(np.exp(np.mean(np.log(spend / 10) - 0.95 * np.log(spend))))


def _econ(a=(1.0, 1.0), b=(0.5, 0.5), rpl=(100.0, 100.0), spend=(600.0, 600.0)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel": [f"c{i}" for i in range(len(a))],
            "spend_12m": spend,
            "a": a,
            "b": b,
            "revenue_per_lead": rpl,
            "win_rate": [0.1] * len(a),
            "cost_per_lead": [1.0] * len(a),
            "aov": [1000.0] * len(a),
            "stopped": [False] * len(a),
        }
    )


def test_allocate_symmetric_channels_split_evenly():
    # Two identical concave channels: the optimum is 50/50 whatever the current split.
    alloc = resources.allocate(
        _econ(spend=(1100.0, 100.0)), 1200.0, _r(min_share=0.05, max_share=0.95, max_growth=20)
    )
    assert alloc["optimal_budget"].tolist() == pytest.approx([600.0, 600.0], rel=1e-4)
    assert set(contracts.required_columns("budget")) <= set(alloc.columns)


def test_allocate_respects_budget_bounds_and_beats_current():
    econ = _econ(a=(1.0, 3.0, 0.5), b=(0.5, 0.7, 0.9), rpl=(100.0, 80.0, 300.0), spend=(500.0, 300.0, 200.0))
    r = _r(min_share=0.1, max_share=0.6, max_growth=1.0)
    alloc = resources.allocate(econ, 1000.0, r)
    assert alloc["optimal_budget"].sum() == pytest.approx(1000.0)
    shares = alloc["optimal_budget"] / 1000.0
    assert (shares >= 0.1 - 1e-6).all() and (shares <= 0.6 + 1e-6).all()
    # growth cap: at most (1 + 1.0) x current share
    assert (alloc["optimal_budget"] <= 2 * alloc["current_budget"] + 1e-6).all()
    assert alloc["revenue"].sum() >= alloc["current_revenue"].sum() - 1e-6
    # revenue = 12 a (x / 12)^b * revenue per lead, ROI = (revenue - x) / x
    row = alloc.iloc[0]
    assert row["revenue"] == pytest.approx(12 * (row["optimal_budget"] / 12) ** 0.5 * 100)
    assert row["roi"] == pytest.approx((row["revenue"] - row["optimal_budget"]) / row["optimal_budget"])


def test_allocate_rejects_impossible_bounds():
    with pytest.raises(ValueError, match="cannot add up"):
        resources.allocate(_econ(), 100.0, _r(max_share=0.4))
    with pytest.raises(ValueError, match="no marketing channels"):
        resources.allocate(_econ().iloc[0:0], 100.0, _r())


def test_channel_economics_flags_a_channel_that_stopped_producing():
    months = pd.date_range("2025-01-01", "2026-09-01", freq="MS")
    rows = []
    for m in months:
        rows.append({"month": m, "channel": "good", "spend": 1000.0, "leads": 10})
        late = m >= pd.Timestamp("2026-04-01")
        rows.append({"month": m, "channel": "dead", "spend": 1000.0, "leads": 1 if late else 10})
    econ = resources.channel_economics(pd.DataFrame(rows), None, date(2026, 9, 30), _r(recent_months=6))
    flags = econ.set_index("channel")["stopped"].to_dict()
    assert flags == {"dead": True, "good": False}
    # dead: recent 6 months (Apr-Sep) 6 leads / 6,000; before (Oct-Mar) 60 / 6,000 -> yield down 90%.
    assert econ.set_index("channel").loc["dead", "yield_drop"] == pytest.approx(0.9)


# ------------------------------------------------------------------------------------------------ action plan
def _params(**resources_kw) -> Params:
    return Params(as_of=date(2026, 9, 30), plan_year=2027, resources=Resources(**resources_kw))


def test_action_plan_flags_missing_owner_and_overdue_tasks():
    p = _params(
        tasks=[
            {"task": "Audit partners", "owner": "Li", "start": "2026-08-01", "end": "2026-09-15"},
            {"task": "Pilot AI calls", "owner": "", "start": "2027-01-01", "end": "2027-03-31"},
            {"task": "Done thing", "owner": "Wang", "start": "2026-01-01", "end": "2026-02-01", "status": "done"},
            {"task": {"en": "CRM", "zh": "客户管理"}, "owner": "Wu", "start": "2026-09-01", "end": "2027-01-31",
             "depends_on": "Audit partners"},
        ]
    )  # fmt: skip
    plan = resources.action_plan([], p, "zh")
    assert set(contracts.required_columns("action_plan")) <= set(plan.columns)
    assert plan["status"].tolist() == ["overdue", "planned", "done", "in_progress"]
    assert plan["no_owner"].tolist() == [False, True, False, False]
    assert plan["task"].tolist()[3] == "客户管理" and plan["depends_on"].tolist()[3] == "Audit partners"


def test_derived_tasks_from_hiring_tiers_funnel_and_budget():
    p = _params(owners={"hiring": "HR"})
    hiring = pd.DataFrame(
        [{"start_month": "2027-02", "hires": 2, "requisition_by": "2026-12", "productive_from": "2027-07"}]
    )
    tiers = pd.DataFrame({"customer_id": ["a", "b", "c"], "tier": ["strategic", "strategic", "nurture"],
                          "playbook": ["Advisor", "Advisor", "White paper"]})  # fmt: skip
    funnel = pd.DataFrame(
        {"stage": ["lead", "discovery", "proposal"], "conversion_rate": [0.6, 0.5, 0.3],
         "bottleneck": [False, True, False]}
    )  # fmt: skip
    alloc = _econ().assign(stopped=[True, False])
    tasks = resources.derived_tasks(hiring, tiers, funnel, alloc, p, "en")
    texts = [t["task"] for t in tasks]
    hire = tasks[0]
    assert hire["owner"] == "HR" and hire["start"] == date(2026, 12, 1) and str(hire["end"]) == "2027-01-31"
    assert any("Strategic tier, 2 accounts: Advisor" in t for t in texts)
    assert any("Needs discovery" in t for t in texts)  # the flagged bottleneck, not the lowest conversion
    assert sum("c0" in t for t in texts) == 1  # the stopped channel gets a screening task
    plan = resources.action_plan(tasks, p, "en")
    wbs = resources.wbs(plan, "en")
    assert wbs.iloc[0, 0] == "1" and wbs.iloc[1, 0] == "1.1"


# ------------------------------------------------------------------------------------------------ charts
def test_gantt_chart_spec():
    plan = pd.DataFrame(
        {"task": ["A", "B"], "goal": ["people", "pipeline"], "owner": ["x", ""], "start": ["2027-01-01", "2027-02-01"],
         "end": ["2027-03-31", "2027-02-28"], "status": ["planned", "planned"], "no_owner": [False, True],
         "overdue": [False, False]}
    )  # fmt: skip
    spec = rc.gantt_chart(plan, date(2026, 9, 30), "en").to_dict()
    bars, rule = spec["layer"]
    assert bars["mark"]["type"] == "bar" and rule["mark"]["type"] == "rule"
    enc = bars["encoding"]
    assert enc["x"]["field"] == "start" and enc["x2"]["field"] == "end" and enc["y"]["field"] == "task"
    assert enc["y"]["sort"] == ["A", "B"] and enc["color"]["title"] == "Goal"


def test_capacity_and_payout_chart_specs_are_translated():
    base = _base()
    cap, _ = resources.capacity_plan(base, _targets([250, 300]), _r(time_to_hire_months=0, simulations=100))
    spec = rc.capacity_chart(cap, "zh").to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "rule", "line"]
    assert spec["layer"][0]["encoding"]["x"]["title"] == "月份"
    payout = rc.payout_chart(resources.payout_curve(1e6, _r()), _r(), "en").to_dict()
    assert payout["layer"][0]["encoding"]["x"]["field"] == "attainment"
    data = next(iter(payout["datasets"].values()))
    assert len(data) == 151  # 0% .. 150% in 1% steps, aggregated before charting


def test_budget_chart_marks_stopped_sources():
    alloc = resources.allocate(_econ().assign(stopped=[True, False]), 1200.0, _r(max_share=0.9, max_growth=5))
    spec = rc.budget_chart(alloc, "en").to_dict()
    labels = {row["label"] for rows in spec["datasets"].values() for row in rows}
    assert labels == {"c0 (stopped)", "c1"}


# ------------------------------------------------------------------------------------------------ smoke
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
        # targets_rep.csv: reps sum to each month's target
        reps = read("targets_rep")
        by_month = reps.assign(c=cents(reps["target"])).groupby("month")["c"].sum()
        assert (by_month.reindex(months.index).to_numpy() == cents(months)).all(), region
        # calibration.csv: the waterfall ends at the year's target
        cal = read("calibration")
        assert cal["component"].iloc[-1] == "target" and cents(cal["amount"].iloc[[-1]])[0] == year
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


def test_attainment_is_simulated_against_the_new_quotas():
    # One ramped rep (1,200 a year) with quota 1,000 -> expected 1,200, ratio 1.2; a planned hire from July on
    # a 2-month ramp: Jul 1/3, Aug 2/3, Sep-Dec 1 -> 100 x 5 = 500 against a quota of 1,000 -> 0.5.
    planned = pd.DataFrame(
        {"rep_id": ["HIRE-01"], "team": ["t1"], "kind": ["hire"], "hire_month": [pd.Period("2027-07", "M")]}
    )
    base = _base(tenures=(5,), planned=planned)
    quotas = pd.DataFrame({"rep_id": ["R0", "HIRE-01"], "team": ["t1", "t1"], "quota": [1000.0, 1000.0]})
    q = resources.expected_output(quotas, base, 2027)
    assert q["expected"].tolist() == pytest.approx([1200.0, 500.0]) and q["ratio"].tolist() == pytest.approx(
        [1.2, 0.5]
    )
    # Output spread: every rep at the average (factor 1) -> attainment is exactly the ratio.
    sim = resources.simulate_incentives(q, np.array([1.0]), _r(simulations=100))
    assert sim.groupby("rep_id")["attainment"].unique().map(list).to_dict() == {"HIRE-01": [0.5], "R0": [1.2]}
    # Factors 0.5 / 1.5: the ramped rep is at quota only with 1.5 (1.8), never with 0.5 (0.6).
    sim2 = resources.simulate_incentives(q, np.array([0.5, 1.5]), _r(simulations=400))
    r0 = sim2[sim2["rep_id"] == "R0"]["attainment"]
    assert set(np.round(r0, 6)) == {0.6, 1.8}


def test_plan_of_record_attainment_is_only_a_reference():
    # R0 sold 150 in 2026 against 3 months x 100 of plan of record -> 0.5; no plan of record -> empty.
    base = _base(tenures=(5,))
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
    assert resources.historical_attainment(orders, por, base, date(2026, 3, 31)).tolist() == pytest.approx(
        [0.5]
    )
    assert len(resources.historical_attainment(orders, None, base, date(2026, 3, 31))) == 0


@pytest.mark.parametrize(("g", "hired"), [(49.9, 0), (50.1, 1)])
def test_a_hire_needs_a_gap_above_the_threshold(g, hired):
    # 3 ramped reps (100 a month), ramp 2, no attrition, time to hire 0. Targets 300 in Jan-Mar, 300 + g in Apr-Dec.
    # April is the first short month (g / 100 FTE); a hire for it starts in February (April - ramp 2).
    # Gap left from April to December without a hire: 9 x g; threshold 0.5 x a rep's output over those 9 months
    # = 0.5 x 900 = 450. g = 49.9 -> 449.1 <= 450: no hire (May: 8 x 49.9 = 399.2 <= 400, and so on);
    # g = 50.1 -> 450.9 > 450: one hire starting February, after which April-December capacity is 400.
    base = _base(tenures=(5, 5, 5))
    targets = _targets([300.0] * 3 + [300.0 + g] * 9)
    cap, plan = resources.capacity_plan(base, targets, _r(time_to_hire_months=0, simulations=100))
    assert int(plan["hires"].sum()) == hired
    assert (cap["gap"] - (cap["target"] - cap["capacity"])).abs().max() < 1e-9
    if hired:
        assert plan["start_month"].tolist() == ["2027-02"]
        assert cap["capacity"].iloc[3:].tolist() == pytest.approx([400.0] * 9)
    else:
        assert cap["gap"].iloc[3:].tolist() == pytest.approx([g] * 9)
        # the sentence reports the gap left to overtime / the flex reserve with its figures:
        # 9 x 49.9 = 449.1 = 37.4% of a rep's 1,200 over the year; limit 0.5 x 1,200 = 600
        from types import SimpleNamespace

        from planning import i18n

        ctx = SimpleNamespace(
            t=lambda key, **fmt: i18n.t(key, "en", **fmt),
            money=lambda x: i18n.money(x, "en", "CNY"),
            pct=lambda x: i18n.pct(x, "en"),
            p=SimpleNamespace(resources=_r()),
        )
        text = resources.describe_capacity(cap, plan, base, ctx)
        assert "In 9 months capacity stays below target by ¥449" in text
        assert (
            "37.4%" in text and "threshold of 50.0% (¥600)" in text and "overtime or the flex reserve" in text
        )
