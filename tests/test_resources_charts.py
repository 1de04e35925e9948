"""Tests of planning/resources/charts.py: the specs of the capacity, payout, budget and Gantt charts."""

from __future__ import annotations

from datetime import date

import pandas as pd
from frames_resources import baseline, channels, month_targets, res_section

from planning.resources import budget, capacity, charts, incentives


def test_gantt_chart_spec():
    plan = pd.DataFrame(
        {"task": ["A", "B"], "goal": ["people", "pipeline"], "owner": ["x", ""], "start": ["2027-01-01", "2027-02-01"],
         "end": ["2027-03-31", "2027-02-28"], "status": ["planned", "planned"], "no_owner": [False, True],
         "overdue": [False, False]}
    )  # fmt: skip
    spec = charts.gantt_chart(plan, date(2026, 9, 30), "en").to_dict()
    bars, rule = spec["layer"]
    assert bars["mark"]["type"] == "bar" and rule["mark"]["type"] == "rule"
    enc = bars["encoding"]
    assert enc["x"]["field"] == "start" and enc["x2"]["field"] == "end" and enc["y"]["field"] == "task_label"  # the task wrapped onto lines, never cut to "…"
    assert enc["y"]["sort"] == ["A", "B"] and enc["color"]["title"] == "Goal"


def test_capacity_and_payout_chart_specs_are_translated():
    base = baseline()
    cap, _ = capacity.capacity_plan(
        base, month_targets([250, 300]), res_section(time_to_hire_months=0, simulations=100)
    )
    spec = charts.capacity_chart(cap, "zh").to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "rule", "line"]
    assert spec["layer"][0]["encoding"]["x"]["title"] == "月份"
    payout = charts.payout_chart(incentives.payout_curve(1e6, res_section()), res_section(), "en").to_dict()
    assert payout["layer"][0]["encoding"]["x"]["field"] == "attainment"
    data = next(iter(payout["datasets"].values()))
    assert len(data) == 151  # 0% .. 150% in 1% steps, aggregated before charting


def test_budget_chart_marks_stopped_sources():
    alloc = budget.allocate(
        channels().assign(stopped=[True, False]), 1200.0, res_section(max_share=0.9, max_growth=5)
    )
    spec = charts.budget_chart(alloc, "en").to_dict()
    labels = {row["label"] for rows in spec["datasets"].values() for row in rows}
    assert labels == {"c0 (stopped)", "c1"}
