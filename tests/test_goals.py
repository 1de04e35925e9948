"""planning.goals: allocation, ramp, calibration, SMART checks, exact decomposition; charts; notebook smoke run."""

from __future__ import annotations

import dataclasses
import types
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planning import forecast as fc
from planning import goals, i18n
from planning.charts import goals as charts
from planning.params import Params


# --------------------------------------------------------------------------------------------- fixtures
def _tables() -> types.SimpleNamespace:
    """A tiny region: 24 months (2024-10 .. 2026-09) of one order of 100 a month per rep.

    Reps: R1 (team t1, hired 2020, full output), R2 (team t2, hired 2020), R3 (t1, left 2025-03-31), a manager.
    Customers C1 (R1), C2 (R2); marketing 10 leads for 1,000 spend a month.
    """
    months = pd.date_range("2024-10-01", "2026-09-01", freq="MS")
    rows = []
    for m in months:
        rows.append(("O1" + m.strftime("%y%m"), m + pd.Timedelta(days=4), "C1", "R1", 100.0))
        rows.append(("O2" + m.strftime("%y%m"), m + pd.Timedelta(days=4), "C2", "R2", 100.0))
    orders = pd.DataFrame(rows, columns=["order_id", "order_date", "customer_id", "rep_id", "amount"])
    reps = pd.DataFrame(
        {
            "rep_id": ["R1", "R2", "R3", "M1"],
            "name": ["A", "B", "C", "M"],
            "team": ["t1", "t2", "t1", "t1"],
            "role": ["rep", "rep", "rep", "manager"],
            "hire_date": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-01-01", "2019-01-01"]),
            "exit_date": pd.to_datetime([None, None, "2025-03-31", None]),
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2"],
            "first_order_date": pd.to_datetime(["2024-10-05", "2025-10-05"]),
            "wallet_size": [2400.0, 2400.0],
        }
    )
    marketing = pd.DataFrame({"month": months, "leads": 10, "spend": 1000.0})
    return types.SimpleNamespace(orders=orders, reps=reps, customers=customers, marketing=marketing)


def _params(**goals_kw) -> Params:
    g = {"planned_hires": [], "growth_ambition": 0.10, "buffer": 0.10, "tool_efficiency": 0.0,
         "training_uplift": 0.0, "territory_weight": 0.0, **goals_kw}  # fmt: skip
    return Params.model_validate(
        {
            "as_of": "2026-09-30",
            "plan_year": 2027,
            "region": {"key": "east"},
            "goals": g,
            "resources": {"ramp_months": 2, "attrition": 0.0},
        }  # fmt: skip
    )


@pytest.fixture(scope="module")
def tiny():
    t = _tables()
    p = _params()
    result = fc.run(t.orders, p.as_of, p.plan_year)  # 24 flat months: fast tier
    return t, p, result, goals.prepare(t, p, result)


# --------------------------------------------------------------------------------------------- allocation
def test_allocate_awkward_total_over_53_weeks_is_exact():
    # 1,000,003.37 = 100,000,337 cents over 53 equal weeks: 100,000,337 = 53 x 1,886,798 + 43
    parts = goals.allocate(100_000_337, np.ones(53))
    assert parts.sum() == 100_000_337
    assert (parts == 1_886_799).sum() == 43 and (parts == 1_886_798).sum() == 10
    assert parts[:43].tolist() == [1_886_799] * 43  # ties go to the earlier week


def test_allocate_by_weights_by_hand():
    # 10 cents over 1:1:1 -> 3.33 each, remainder 1 to the first -> 4, 3, 3
    assert goals.allocate(10, [1, 1, 1]).tolist() == [4, 3, 3]
    # 100 over 1:3 -> 25, 75 exactly; zero weights split evenly
    assert goals.allocate(100, [1, 3]).tolist() == [25, 75]
    assert goals.allocate(5, [0, 0]).tolist() == [3, 2]


def test_allocate_rejects_negative_inputs():
    with pytest.raises(ValueError, match="negative total"):
        goals.allocate(-1, [1, 1])
    with pytest.raises(ValueError, match="non-negative"):
        goals.allocate(10, [1, -1])
    with pytest.raises(ValueError, match="zero parts"):
        goals.allocate(10, [])


@settings(max_examples=200, deadline=None)
@given(
    totals=st.lists(st.integers(0, 10**13), min_size=1, max_size=6),
    k=st.integers(1, 60),
    data=st.data(),
)
def test_allocate_rows_invariants(totals, k, data):
    weights = np.array(
        [data.draw(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=k, max_size=k)) for _ in totals]
    )
    out = goals.allocate_rows(np.array(totals), weights)
    assert (out >= 0).all()
    assert out.sum(axis=1).tolist() == totals
    s = weights.sum(axis=1, keepdims=True)
    share = np.where(s > 0, weights / np.where(s > 0, s, 1), 1 / k)
    assert np.all(
        np.abs(out - np.array(totals)[:, None] * share) <= 1 + 1e-6 * np.array(totals)[:, None] / 1e6
    )


# --------------------------------------------------------------------------------------------- ramp
def test_ramp_curve_and_training_uplift():
    # ramp 2: tenure 1, 2, 3 -> 1/3, 2/3, 1 (same curve as resources.ramp_factor with tenure from 0)
    assert goals.ramp(np.array([0, 1, 2, 3, 9]), 2) == pytest.approx([0, 1 / 3, 2 / 3, 1, 1])
    # +50% training: 1/3 -> 0.5, 2/3 -> 1.0 (capped)
    assert goals.ramp(np.array([1, 2, 3]), 2, 0.5) == pytest.approx([0.5, 1, 1])
    assert goals.ramp(np.array([0, 1]), 0) == pytest.approx([0, 1])


def test_working_calendar_2026_has_53_iso_weeks_and_skips_holidays():
    cal = goals.working_calendar(2026, [date(2026, 1, 1)])
    assert cal["week"].nunique() == 53 and cal["week"].iloc[-1] == "2026-W53"
    # January 2026: 22 weekdays, minus New Year's Day = 21
    assert cal.loc[cal["month"] == 0, "weight"].sum() == 21


# --------------------------------------------------------------------------------------------- capacity
def test_capacity_curve_by_hand(tiny):
    t, p, _, _ = tiny
    curve = goals.capacity_curve(t, p.as_of, ramp_months=2)
    assert curve["period"].tolist() == ["2024-10..2025-09", "2025-10..2026-09"]  # only full periods
    first, last = curve.iloc[0], curve.iloc[1]
    # Period 1: 2 reps x 12 x 100 = 2,400 sales; R1, R2 12 months each + R3 Oct-Mar 6 months = 30 rep-months
    assert first["sales"] == 2400 and first["rep_fte"] == pytest.approx(30 / 12)
    assert first["per_rep"] == pytest.approx(2400 / 2.5)
    assert first["exits"] == 1 and first["attrition"] == pytest.approx(1 / 2.5)
    # Period 2: 2 reps x 12 months -> 2,400 / 2 = 1,200 a year per rep; C2 is new: 1 customer from 120 leads
    assert last["per_rep"] == pytest.approx(1200)
    assert last["new_customers"] == 1 and last["lead_conversion"] == pytest.approx(1 / 120)
    assert last["cost_per_lead"] == pytest.approx(100) and last["aov"] == pytest.approx(100)
    assert last["retention"] == pytest.approx(1.0)  # C1 bought in both periods


def test_roster_adds_hires_to_the_smallest_team():
    t = _tables()
    hires = [types.SimpleNamespace(team="", start_month=4, count=2)]
    r = goals.roster(t.reps, date(2026, 9, 30), 2027, hires)
    assert r["rep_id"].tolist() == ["R1", "R2", "HIRE-01", "HIRE-02"]
    # t1 and t2 have one rep each -> HIRE-01 to t1 (first by name), HIRE-02 to t2
    assert r["team"].tolist() == ["t1", "t2", "t1", "t2"]
    assert r["hire_month"].iloc[2] == pd.Timestamp("2027-04-01")


# --------------------------------------------------------------------------------------------- calibration
def test_resource_chain_reproduces_1000_leads_at_15_percent_is_150_customers(tiny):
    _, _, _, inputs = tiny
    inp = dataclasses.replace(inputs, cost_per_lead=100.0, aov=2000.0, orders_per_new_customer=1.0)
    lv = goals.Levers(0.1, 0.1, lead_conversion=0.15, marketing_budget=100_000.0, attrition=0.0,
                      training_uplift=0.0, tool_efficiency=0.0)  # fmt: skip
    plan = goals.whatif(inp, lv)
    # 100,000 / 100 = 1,000 leads x 15% = 150 customers x 2,000 = 300,000 on top of the existing business
    assert plan.resources["leads"] == pytest.approx(1000)
    assert plan.resources["customers"] == pytest.approx(150)
    assert plan.estimates["resources"] == pytest.approx(plan.resources["existing"] + 300_000)
    # Tool efficiency +20% on conversion: 30 more customers
    plan2 = goals.whatif(inp, dataclasses.replace(lv, tool_efficiency=0.2))
    assert plan2.resources["extra_customers"] == pytest.approx(30)


def test_team_capacity_by_hand(tiny):
    _, _, _, inputs = tiny
    lv = goals.Levers(0.1, 0.1, 0.1, 1000.0, attrition=0.0, training_uplift=0.0, tool_efficiency=0.0)
    plan = goals.whatif(inputs, lv)
    # 2 fully ramped reps x 1,200 a year (latest period), flat seasonality, no house sales -> 2,400
    dims = plan.dimensions.set_index("component")["amount"]
    assert inputs.productivity == pytest.approx(1200) and inputs.house_share == pytest.approx(0)
    assert dims["current_team"] == pytest.approx(2400)
    assert plan.estimates["team"] == pytest.approx(2400)
    # 20% tools -> +480
    plan2 = goals.whatif(inputs, dataclasses.replace(lv, tool_efficiency=0.2))
    assert plan2.estimates["team"] == pytest.approx(2880)


def test_waterfall_adds_up_and_min_rule_takes_the_lowest(tiny):
    _, p, _, inputs = tiny
    plan = goals.plan(inputs, p)
    cal = plan.calibration
    deltas = cal.loc[cal["kind"] == "delta", "amount"].sum()
    assert cal["amount"].iloc[0] + deltas == pytest.approx(cal["amount"].iloc[-1])
    assert cal["component"].iloc[-1] == "target" and list(cal["step"]) == list(range(1, len(cal) + 1))
    finite = {k: v for k, v in plan.estimates.items() if np.isfinite(v)}
    assert plan.committed == pytest.approx(min(finite.values()))
    assert plan.target == pytest.approx(round(plan.committed * 1.10, 2))


def test_ambition_rule_ignores_the_bounds(tiny):
    _, _, _, inputs = tiny
    inp = dataclasses.replace(inputs, combine="ambition")
    lv = goals.Levers(0.5, 0.0, 0.1, 1000.0, 0.0, 0.0, 0.0)
    plan = goals.whatif(inp, lv)
    assert plan.binding == "ambition" and plan.committed == pytest.approx(2400 * 1.5)


# --------------------------------------------------------------------------------------------- decomposition
def test_every_level_sums_exactly_for_an_awkward_total(tiny):
    _, _, _, inputs = tiny
    lv = goals.Levers(0.1, 0.1, 0.1, 1000.0, 0.0, 0.0, 0.0)
    plan = goals.whatif(inputs, lv)
    targets, reps = goals._decompose(inputs, 100_000_337, plan.capacity_rep, goals.ramp(inputs.tenure, 2))
    c = (targets["target"] * 100).round().astype("int64")
    for level in ("year", "quarter", "month", "week"):
        assert c[targets["level"] == level].sum() == 100_000_337, level
    months = c[targets["level"] == "month"].to_numpy()
    assert (months.reshape(4, 3).sum(axis=1) == c[targets["level"] == "quarter"].to_numpy()).all()
    by_month = (reps["target"] * 100).round().astype("int64").groupby(reps["month"]).sum().to_numpy()
    assert (by_month == months).all()
    assert (reps["target"] >= 0).all()
    assert targets.loc[targets["level"] == "week", "period"].iloc[0] == "2026-W53"  # 1-3 Jan 2027


def test_ramped_hire_gets_the_expected_share(tiny):
    t, _, result, _ = tiny
    # One hire in t1 from January with ramp 2: 1/3, 2/3, 1 of R1's weight in t1 -> t1 splits 3:1, 3:2, 1:1.
    p = _params(planned_hires=[{"team": "t1", "start_month": 1}])
    inputs = goals.prepare(t, p, result)
    lv = goals.Levers(0.1, 0.0, 0.1, 1000.0, 0.0, 0.0, 0.0)
    plan = goals.whatif(inputs, lv)
    tr = plan.targets_rep.pivot(index="rep_id", columns="month", values="target")
    r1, hire = tr.loc["R1"], tr.loc["HIRE-01"]
    # Within a cent of the exact share of t1's month target (largest-remainder rounding).
    t1 = r1 + hire
    assert hire["2027-01"] == pytest.approx(t1["2027-01"] * 1 / 4, abs=0.01)
    assert hire["2027-02"] == pytest.approx(t1["2027-02"] * 2 / 5, abs=0.01)
    assert hire["2027-03"] == pytest.approx(t1["2027-03"] / 2, abs=0.01)
    assert goals.sums_exact(plan)
    teams = goals.team_targets(plan)
    assert round(teams["target"].sum() * 100) == round(plan.target * 100)
    assert teams.set_index("team").loc["t1", "hires"] == 1


def test_whatif_is_pure_and_fast_on_1000_reps(tiny):
    import time

    _, _, _, inputs = tiny
    n = 1000
    ros = pd.DataFrame({"rep_id": [f"R{i:04d}" for i in range(n)], "name": "x", "team": [f"t{i % 40}" for i in range(n)],
                        "kind": "current", "start": "2020-01", "potential": 1.0})  # fmt: skip
    big = dataclasses.replace(
        inputs,
        roster=ros,
        tenure=np.tile(np.arange(1, 13, dtype=float), (n, 1)) + np.arange(n)[:, None] % 5,
        elapsed=np.tile(np.arange(12) + 3.5, (n, 1)),
        teams=[f"t{i}" for i in range(40)],
        team_of=np.arange(n) % 40,
    )
    lv = goals.Levers(0.1, 0.12, 0.1, 1000.0, 0.1, 0.3, 0.2)
    a = goals.whatif(big, lv, explain=False)
    b = goals.whatif(big, lv, explain=False)
    assert a.target == b.target and a.targets_rep["target"].equals(b.targets_rep["target"])
    start = time.perf_counter()
    for _ in range(5):
        goals.whatif(big, lv, explain=False)
    per_call = (time.perf_counter() - start) / 5
    assert goals.sums_exact(a)
    assert per_call < 0.5  # generous for loaded CI; the benchmark target is 50 ms


# --------------------------------------------------------------------------------------------- SMART
def test_smart_checks_flag_each_missing_criterion(tiny):
    t, _, result, _ = tiny
    p = _params(
        smart=[
            {
                "goal": "50 leads by June",
                "metric": "leads",
                "value": 50,
                "deadline": "2027-06-30",
                "relevant_to": "energy",  # a part of the segment "energy/large"
            },
            {
                "goal": "Win 500 customers",
                "metric": "new_customers",
                "value": 500,
                "deadline": "2027-12-31",
                "relevant_to": "funnel",
            },
            {"goal": "Improve satisfaction"},
            {
                "goal": "Sell more in 2030",
                "metric": "revenue",
                "value": 10,
                "deadline": "2030-01-01",
                "relevant_to": "moon",
            },
        ]  # fmt: skip
    )
    inputs = goals.prepare(t, p, result)
    plan = goals.plan(inputs, p)
    segs = pd.DataFrame({"segment": ["energy/large"], "icp_rank": [1], "clv": [5000.0], "customers": [2]})
    g = goals.smart_goals(plan, inputs, p, segs, None, None).set_index("goal")
    assert g.loc[g["metric"] == "revenue", "relevant_to"].iloc[0] == "energy/large"
    assert set(goals.METRICS) <= set(g["metric"])
    # 120 leads a year pro-rated to 30 June: 120 x 181 / 365 = 59.5 (x 1.1 buffer) >= 50
    assert g.loc["50 leads by June", "smart"]
    assert not g.loc["Win 500 customers", "achievable"]
    vague = g.loc["Improve satisfaction"]
    assert (
        not vague["specific"]
        and not vague["measurable"]
        and not vague["time_bound"]
        and not vague["relevant"]
    )
    late = g.loc["Sell more in 2030"]
    assert not late["time_bound"] and not late["relevant"] and late["specific"]
    revenue = g[g["metric"] == "revenue"].iloc[0]
    assert revenue["value"] == pytest.approx(plan.target) and revenue["achievable"]


# --------------------------------------------------------------------------------------------- rep sheet
def _rep_plan(
    monthly: dict[str, float], teams: dict[str, str], hires: tuple[str, ...] = ()
) -> types.SimpleNamespace:
    """A plan whose targets_rep gives each rep the same target in each of the 12 months of 2027."""
    months = [f"2027-{m:02d}" for m in range(1, 13)]
    rows = [
        (rep, f"Name {rep}", teams[rep], "hire" if rep in hires else "current", month, amount)
        for rep, amount in monthly.items()
        for month in months
    ]
    cols = ["rep_id", "name", "team", "kind", "month", "target"]
    return types.SimpleNamespace(targets_rep=pd.DataFrame(rows, columns=cols))


# Years (12 x monthly): R1 120, R2 240, R3 360, R4 360, R5 600, R6 720, R7 60 (a planned hire).
# Ranks (1 = largest, ties share): R6 1, R5 2, R3 and R4 3, R2 5, R1 6, R7 7.
SEVEN = _rep_plan(
    {"R1": 10.0, "R2": 20.0, "R3": 30.0, "R4": 30.0, "R5": 50.0, "R6": 60.0, "R7": 5.0},
    {"R1": "t1", "R2": "t2", "R3": "t2", "R4": "t1", "R5": "t1", "R6": "t2", "R7": "t1"},
    hires=("R7",),
)


def test_rep_sheet_lists_every_rep_by_team_with_rank():
    sheet = goals.rep_sheet(SEVEN, "en")
    assert sheet["rep_id"].tolist() == ["R1", "R4", "R5", "R7", "R2", "R3", "R6"]  # team t1, then t2
    assert sheet["rank"].tolist() == [6, 3, 2, 7, 5, 3, 1]
    assert sheet["year"].tolist() == [120, 360, 600, 60, 240, 360, 720]
    assert sheet.loc[sheet["rep_id"] == "R7", "kind"].item() == "Planned hire"
    assert goals.money_columns(sheet) == [f"2027-{m:02d}" for m in range(1, 13)] + ["year"]
    # up to 2 x shown reps: the same full sheet
    assert goals.rep_sheet(SEVEN, "en", shown=4).equals(sheet)


def test_rep_sheet_shows_the_largest_and_smallest_targets_when_there_are_many():
    sheet = goals.rep_sheet(SEVEN, "en", shown=2)
    assert sheet["rep_id"].tolist() == ["R6", "R5", "R1", "R7"]
    assert sheet["rank"].tolist() == [1, 2, 6, 7]
    # ties (R3, R4 at 360, rank 3) by team then rep id: R4 (t1) before R3 (t2)
    assert goals.rep_sheet(SEVEN, "en", shown=3)["rep_id"].tolist() == ["R6", "R5", "R4", "R2", "R1", "R7"]
    with pytest.raises(ValueError, match="shown must be a positive number of reps or None, got 0"):
        goals.rep_sheet(SEVEN, "en", shown=0)


def test_rep_sheet_rows_are_bounded_whatever_the_team_size():
    n = 500
    plan = _rep_plan(
        {f"R{i:03d}": float(i + 1) for i in range(n)}, {f"R{i:03d}": f"t{i % 50}" for i in range(n)}
    )
    sheet = goals.rep_sheet(plan, "en", shown=goals.REP_SHEET_SHOWN)
    assert len(sheet) == 2 * goals.REP_SHEET_SHOWN == 20
    assert sheet["rank"].tolist() == list(range(1, 11)) + list(range(491, 501))
    assert sheet["year"].iloc[0] == 500 * 12 and sheet["year"].iloc[-1] == 12
    assert len(goals.rep_sheet(plan, "en")) == n  # the full sheet is still there for those who ask


def test_describe_rep_sheet_says_what_is_shown_and_where_the_rest_is():
    text = goals.describe_rep_sheet(SEVEN, goals.rep_sheet(SEVEN, "en", shown=2), "en", "CNY")
    assert text.startswith("The 7 people with a quota (current reps and planned hires) have annual targets")
    assert "from ¥60 to ¥720 (median ¥360)" in text  # median of 60, 120, 240, 360, 360, 600, 720
    assert "show the 2 largest and the 2 smallest" in text and "artifacts/targets_rep.csv" in text
    full = goals.describe_rep_sheet(SEVEN, goals.rep_sheet(SEVEN, "en"), "en", "CNY")
    assert full.startswith("All 7 people with a quota") and "artifacts/targets_rep.csv" in full
    zh = goals.describe_rep_sheet(SEVEN, goals.rep_sheet(SEVEN, "zh", shown=2), "zh", "CNY")
    assert "共 7 人承担配额" in zh and "最大的 2 名和最小的 2 名" in zh
    empty = types.SimpleNamespace(targets_rep=SEVEN.targets_rep.iloc[:0])
    assert goals.rep_sheet(empty, "en").empty
    assert goals.describe_rep_sheet(empty, pd.DataFrame(), "en") == i18n.t("goals.reps.no_reps", "en")


# --------------------------------------------------------------------------------------------- charts
def test_chart_specs(tiny):
    _, p, result, inputs = tiny
    plan = goals.plan(inputs, p)
    wf = charts.waterfall(goals.calibration_view(plan, "zh"), "zh").to_dict()
    assert wf["mark"]["type"] == "bar" and wf["encoding"]["y2"]["field"] == "to"
    assert wf["title"] == "校准：从基线到目标"
    values = wf["datasets"][wf["data"]["name"]]
    assert values[-1]["to"] == pytest.approx(plan.target)
    fv = charts.forecast_vs_plan(goals.forecast_vs_plan(result, plan, 2027), "en").to_dict()
    assert [layer["mark"]["type"] for layer in fv["layer"]] == ["area", "line"]
    cal = charts.calendar(plan.targets, "en").to_dict()
    assert len(cal["vconcat"]) == 2
    dims = charts.dimensions(goals.estimates_view(plan, "en"), plan.committed, "en").to_dict()
    assert dims["layer"][1]["mark"]["type"] == "rule"


# --------------------------------------------------------------------------------------------- notebook
@pytest.mark.slow
def test_notebook_writes_the_contract_artefacts(small_sample, tmp_path):
    from planning import contracts, runner

    res = runner.run(
        regions=["east"], steps=["01", "02"], data_dir=str(small_sample), out_root=tmp_path, workers=1
    )
    assert res.ok, res.results
    art = res.snapshot / "east" / "artifacts"
    for name in ("forecast", "backtest", "calibration", "goals", "targets", "targets_rep"):
        df = pd.read_csv(art / f"{name}.csv", dtype={"period": str, "month": str})
        assert set(contracts.required_columns(name)) <= set(df.columns), name
    targets = pd.read_csv(art / "targets.csv", dtype={"period": str})
    c = (targets["target"] * 100).round().astype("int64")
    year = c[targets["level"] == "year"].iloc[0]
    for level in ("quarter", "month", "week"):
        assert c[targets["level"] == level].sum() == year
    reps = pd.read_csv(art / "targets_rep.csv", dtype={"month": str})
    assert (reps["target"] * 100).round().astype("int64").sum() == year
    cal = pd.read_csv(art / "calibration.csv")
    assert cal["component"].iloc[-1] == "target" and round(cal["amount"].iloc[-1] * 100) == year
    fcst = pd.read_csv(art / "forecast.csv", dtype={"month": str})
    assert fcst.loc[fcst["chosen"], "model"].nunique() == 1


# --------------------------------------------------------------------------------------------- agreement with step 4
def test_goals_team_dimension_equals_resources_capacity(tiny):
    from planning.resources import capacity

    t, _, result, _ = tiny
    # Without attrition, by hand: R1, R2 at 1,200 a year = 2,400; the planned hire starts in March on the ramp
    # of 2 months lifted 30% by training: 1/3 x 1.3, 2/3 x 1.3, then 1 -> (0.4333 + 0.8667 + 8) x 100 = 930;
    # tools +20%: (2,400 + 930) x 1.2 = 3,996.
    hire = [{"team": "t1", "start_month": 3}]
    for attrition, expected in ((0.0, 3996.0), (0.25, None)):
        p = _params(planned_hires=hire, training_uplift=0.3, tool_efficiency=0.2)
        p = p.model_copy(update={"resources": p.resources.model_copy(update={"attrition": attrition})})
        inputs = goals.prepare(t, p, result)
        plan = goals.plan(inputs, p)
        tc = goals.team_capacity(plan, inputs)
        assert tc["capacity"].sum() == pytest.approx(plan.estimates["team"])
        if expected is not None:
            assert plan.estimates["team"] == pytest.approx(expected)
        # The resources step on the same inputs: same ramp, attrition, productivity and planned hire.
        base = capacity.team_baseline(t.orders, t.reps, p, targets_rep=plan.targets_rep, team_capacity=tc)
        assert (base.ramp_months, base.attrition) == (inputs.ramp_months, plan.levers.attrition)
        assert base.productivity == pytest.approx(inputs.productivity)
        cap, hiring = capacity.capacity_plan(
            base, capacity.monthly_targets(plan.targets, p), p.resources, hires={}
        )
        assert cap["capacity"].to_numpy() == pytest.approx(tc["capacity"].to_numpy())
        assert hiring[["start_month", "hires", "source"]].to_dict("records") == [
            {"start_month": "2027-03", "hires": 1, "source": "goals"}
        ]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_rep_targets_are_stable_under_permutation_of_input_rows(tiny, seed):
    """Shuffling the reps and order lines changes nothing: every rep gets the same cents (reliability issue)."""
    t, p, result, inputs = tiny
    rng = np.random.default_rng(seed)
    shuffled = type(t)(
        **{
            **vars(t),
            "reps": t.reps.iloc[rng.permutation(len(t.reps))].reset_index(drop=True),
            "orders": t.orders.iloc[rng.permutation(len(t.orders))].reset_index(drop=True),
        }
    )
    lv = goals.Levers(0.1, 0.12, 0.1, 1000.0, 0.05, 0.3, 0.2)
    key = ["rep_id", "month"]
    a = goals.whatif(inputs, lv, explain=False).targets_rep.sort_values(key).reset_index(drop=True)
    b = goals.whatif(goals.prepare(shuffled, p, result), lv, explain=False).targets_rep
    b = b.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a[key + ["target"]], b[key + ["target"]])
    assert (a["target"] >= 0).all()
