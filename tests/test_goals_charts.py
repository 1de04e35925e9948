"""planning.goals.charts: chart specs; the rep heatmap shows the reps asked for, in order, and how many of how many."""

from __future__ import annotations

import pandas as pd
import pytest
from frames_goals import tiny

from planning.goals import charts, decompose, views
from planning.i18n import Voice


def _targets_rep(n: int) -> pd.DataFrame:
    """targets_rep.csv for `n` reps in two teams; rep k gets k per month over the 12 months of 2027."""
    months = [f"2027-{m:02d}" for m in range(1, 13)]
    rows = [(f"R{k:03d}", f"Name {k}", f"t{k % 2}", m, float(k)) for k in range(1, n + 1) for m in months]
    return pd.DataFrame(rows, columns=["rep_id", "name", "team", "month", "target"])


def _rows(spec: dict) -> list[dict]:
    return spec["datasets"][spec["data"]["name"]]


def test_heatmap_of_every_rep_has_no_subtitle():
    spec = charts.rep_heatmap(_targets_rep(3), "en").to_dict()
    assert spec["title"] == "Monthly quota per rep" and len(_rows(spec)) == 3 * 12
    assert spec["width"] == {"step": 52} and spec["height"] == {"step": 16}


def test_heatmap_rows_are_bounded_by_the_reps_shown():
    # 500 reps; the sheet shows the 2 largest (R500, R499) and the 2 smallest (R002, R001) annual targets.
    shown = ["R500", "R499", "R002", "R001"]
    spec = charts.rep_heatmap(_targets_rep(500), "en", reps=pd.Series(shown)).to_dict()
    rows = _rows(spec)
    assert len(rows) == 4 * 12  # not 500 x 12
    assert list(dict.fromkeys(r["rep_id"] for r in rows)) == shown  # top to bottom as in the sheet
    assert rows[0]["who"] == "t0 · Name 500" and rows[0]["target"] == 500.0
    assert (
        spec["title"]["subtitle"]
        == "4 of 500 reps: the largest and smallest annual targets (every rep in targets_rep.csv)"
    )
    zh = charts.rep_heatmap(_targets_rep(500), "zh", reps=shown).to_dict()
    assert zh["title"]["subtitle"].startswith("500 名销售中的 4 名")


def test_heatmap_names_reps_missing_from_the_targets():
    with pytest.raises(ValueError, match=r"reps \['R999'\] are not in targets_rep"):
        charts.rep_heatmap(_targets_rep(3), "en", reps=["R001", "R999"])


def test_heatmap_keeps_namesakes_of_one_team_apart():
    t = _targets_rep(4)
    t.loc[t["rep_id"] == "R003", "name"] = "Name 1"  # R001 and R003 are both "Name 1" in team t1
    rows = _rows(charts.rep_heatmap(t, "en").to_dict())
    who = dict((r["rep_id"], r["who"]) for r in rows)
    assert who == {
        "R001": "t1 · Name 1 (R001)",
        "R002": "t0 · Name 2",
        "R003": "t1 · Name 1 (R003)",
        "R004": "t0 · Name 4",
    }


def test_chart_specs():
    _, p, result, inputs = tiny()
    plan = decompose.plan(inputs, p)
    wf = charts.waterfall(views.calibration_view(plan, Voice("zh", "CNY")), "zh").to_dict()
    assert wf["mark"]["type"] == "bar" and wf["encoding"]["y2"]["field"] == "to"
    assert wf["title"] == "校准：从基线到目标"
    values = wf["datasets"][wf["data"]["name"]]
    assert values[-1]["to"] == pytest.approx(plan.target)
    fv = charts.forecast_vs_plan(decompose.forecast_vs_plan(result, plan), "en").to_dict()
    assert [layer["mark"]["type"] for layer in fv["layer"]] == ["area", "line"]
    cal = charts.calendar(plan.targets, "en").to_dict()
    assert len(cal["vconcat"]) == 2
    dims = charts.dimensions(views.estimates_view(plan, Voice("en", "CNY")), plan.committed, "en").to_dict()
    assert dims["layer"][1]["mark"]["type"] == "rule"


def test_heatmap_legend_prints_money_in_wan_and_yi_in_chinese():
    """Issue 23: the quota heat-map legend printed a raw "2,000,000" in Chinese."""
    zh = charts.rep_heatmap(_targets_rep(3), "zh").to_dict()
    label = zh["encoding"]["color"]["legend"]["labelExpr"]
    assert "'万'" in label and "'亿'" in label
    assert "'B'" in charts.rep_heatmap(_targets_rep(3), "en").to_dict()["encoding"]["color"]["legend"]["labelExpr"]
