"""Tests of planning/resources/charts.py: the specs of the capacity, payout, budget and Gantt charts."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

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


def _y_axis_labels(svg: str) -> list[tuple[float, int]]:
    """(y, lines) of each y-axis label of a rendered chart (the axis-label group whose labels are right-aligned)."""
    import re

    groups = [
        re.findall(r'<text text-anchor="end" transform="translate\([-\d.]+,([-\d.]+)\)"[^>]*>(.*?)</text>', g)
        for g in re.findall(r'<g class="mark-text role-axis-label"[^>]*>(.*?)</g>', svg, re.S)
    ]  # the x axis has one right-aligned label at most (its last, flush with the end)
    return sorted((float(y), max(1, body.count("<tspan"))) for y, body in max(groups, key=len))


def test_cost_chart_rows_are_tall_enough_for_their_wrapped_labels():
    """Long item names wrap onto 2-3 lines; each row must hold them (they overlapped: the theme's autosize "fit"
    counted title, axis and legend inside the height)."""
    import vl_convert as vlc

    items = ["base_salary", "variable_pay", "travel", "training_new_hires", "training_core", "training_managers"]
    costs = pd.DataFrame({"category": ["compensation"] * 2 + ["travel"] + ["training"] * 3 + ["total"],
                          "item": [*items, "total"], "amount": [9e5, 5e6, 3e5, 1.6e4, 4.8e4, 2.4e4, 6.3e6],
                          "basis": ""})  # fmt: skip
    for lang in ("en", "zh"):
        labels = _y_axis_labels(vlc.vegalite_to_svg(charts.cost_chart(costs, lang).to_json()))
        assert len(labels) == 6, labels
        assert max(n for _, n in labels) >= 2 or lang == "zh"  # the English names do wrap
        for (y0, n0), (y1, n1) in pairwise(labels):
            assert y1 - y0 >= 14 * (n0 + n1) / 2, (lang, labels)  # 14 px a line, blocks centred on their row


def test_gantt_rows_are_tall_enough_for_their_wrapped_task_names():
    import vl_convert as vlc

    long = "Strategic tier, 277 accounts: Dedicated key-account advisor + tailored line solution (process audit, custom configuration, ROI case)"
    tasks = [long, "Profit tier, 190 accounts: Cross-sell spare parts and service contracts; value-added maintenance", "Hire"]
    plan = pd.DataFrame({"task": tasks, "goal": "tiers", "owner": "KAM", "start": pd.to_datetime(["2027-01-01"] * 3),
                         "end": pd.to_datetime(["2027-03-31"] * 3), "status": "planned", "no_owner": False,
                         "overdue": False})  # fmt: skip
    labels = _y_axis_labels(vlc.vegalite_to_svg(charts.gantt_chart(plan, date(2026, 9, 30), "en").to_json()))
    assert len(labels) == 3 and max(n for _, n in labels) >= 3, labels
    for (y0, n0), (y1, n1) in pairwise(labels):
        assert y1 - y0 >= 14 * (n0 + n1) / 2, labels
