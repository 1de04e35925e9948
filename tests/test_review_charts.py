"""planning/review/charts.py: chart specs of the review."""

from __future__ import annotations

import pandas as pd
from frames_review import AS_OF, kpi_values, tiny_orders, tiny_plan

from planning.charts import KPI_COLORS
from planning.i18n import Voice
from planning.review import charts, kpis, narrate, root_causes
from planning.review.variance import plan_vs_actual


def test_chart_specs():
    pva = plan_vs_actual(tiny_orders(), tiny_plan(), AS_OF)
    spec = charts.plan_actual_months(pva, "zh").to_dict()
    assert spec["title"] == "月度销售额：计划与实际" and len(spec["layer"]) == 2
    assert {v["key"] for v in spec["datasets"][next(iter(spec["datasets"]))]} == {"2026-01", "2026-02"}
    board = narrate.kpi_rules(kpis.kpi_status(kpi_values("lead_conversion", 0.0799, 0.10), 0.2, 0.1), 0.2, 0.1,
                              Voice("en", "CNY"))  # fmt: skip
    k = charts.kpi_chart(board, 0.2, 0.1, "en").to_dict()
    assert k["layer"][0]["encoding"]["color"]["scale"]["domain"] == ["green", "yellow", "red"]
    rules = next(iter(v for key, v in k["datasets"].items() if len(v) == 2))
    assert sorted(r["x"] for r in rules) == [-0.2, -0.1]
    wf = pd.DataFrame({"level": "ytd", "key": "2026", "plan": 480.0, "actual": 510.0,
                       "driver": ["leads", "orders_per_lead"], "effect": [-50.0, 80.0]})  # fmt: skip
    data = root_causes.waterfall_data(wf, "ytd", "2026")
    assert list(data["end"]) == [480.0, 430.0, 510.0, 510.0]
    w = charts.waterfall(data, "en").to_dict()
    assert w["layer"][0]["encoding"]["y2"]["field"] == "end"
    reg = pd.DataFrame({"risk": ["a", "b"], "likelihood": [3, 3], "impact": [4, 4]})
    h = charts.risk_heatmap(reg, "en").to_dict()
    cells = next(iter(h["datasets"].values()))
    assert len(cells) == 25 and {c["label"] for c in cells} == {"", "2"}


def test_waterfall_keeps_labels_horizontal() -> None:
    wf = pd.DataFrame({"step": ["plan", "leads", "actual"], "start": [0.0, 100.0, 0.0], "end": [100.0, 80.0, 80.0],
                       "kind": ["total", "down", "total"]})  # fmt: skip
    spec = charts.waterfall(wf, "en").to_dict()
    assert spec["layer"][0]["encoding"]["x"]["axis"]["labelAngle"] == 0


def test_variance_resplit_and_accuracy_charts_build():
    pva = plan_vs_actual(tiny_orders(), tiny_plan(), AS_OF)
    assert charts.variance_bars(pva, 0.1, "en").to_dict()["title"]
    rs = pd.DataFrame({"month": ["2026-03"], "plan": [100.0], "resplit": [110.0]})
    assert charts.resplit_chart(rs, "en").to_dict()["title"]
    acc = pd.DataFrame({"snapshot": ["2025-12-31"], "month": ["2026-01"], "forecast": [1.0], "actual": [1.0],
                        "ape": [0.0]})  # fmt: skip
    assert charts.accuracy_chart(acc, "zh").to_dict()["title"]


def test_variance_colours_are_named_in_a_legend_and_within_threshold_is_not_yellow():
    """Issue 23: +5% to +7% was coloured yellow ("watch" elsewhere) with no legend."""
    pva = pd.DataFrame(
        {"level": ["rep", "rep", "rep"], "key": ["R1", "R2", "R3"], "variance_pct": [-0.3, 0.06, 0.4],
         "plan": [1.0, 1.0, 1.0], "actual": [0.7, 1.06, 1.4]}
    )  # fmt: skip
    spec = charts.variance_bars(pva, 0.2, "en").to_dict()
    color = spec["spec"]["encoding"]["color"] if "spec" in spec else spec["encoding"]["color"]
    assert color["legend"] is not None and color["legend"].get("title") is None
    assert color["scale"]["domain"][1] == "Within ±20%"
    assert "#9aa5b1" in color["scale"]["range"] and KPI_COLORS["yellow"] not in color["scale"]["range"]
