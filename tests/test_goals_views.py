"""planning.goals.views: the reps' quota sheet (all or both ends, ranks), translated tables and labels."""

from __future__ import annotations

import pandas as pd
import pytest
from frames_goals import SEVEN, rep_plan, tiny

from planning.goals import decompose, views
from planning.i18n import Voice

EN, ZH = Voice("en", "CNY"), Voice("zh", "CNY")


def test_rep_sheet_lists_every_rep_by_team_with_rank():
    sheet = views.rep_sheet(SEVEN, EN)
    assert sheet["rep_id"].tolist() == ["R1", "R4", "R5", "R7", "R2", "R3", "R6"]  # team t1, then t2
    assert sheet["rank"].tolist() == [6, 3, 2, 7, 5, 3, 1]
    assert sheet["year"].tolist() == [120, 360, 600, 60, 240, 360, 720]
    assert sheet.loc[sheet["rep_id"] == "R7", "kind"].item() == "Planned hire"
    assert views.money_columns(sheet) == [f"2027-{m:02d}" for m in range(1, 13)] + ["year"]
    # up to 2 x shown reps: the same full sheet
    assert views.rep_sheet(SEVEN, EN, shown=4).equals(sheet)


def test_rep_sheet_shows_the_largest_and_smallest_targets_when_there_are_many():
    sheet = views.rep_sheet(SEVEN, EN, shown=2)
    assert sheet["rep_id"].tolist() == ["R6", "R5", "R1", "R7"]
    assert sheet["rank"].tolist() == [1, 2, 6, 7]
    # ties (R3, R4 at 360, rank 3) by team then rep id: R4 (t1) before R3 (t2)
    assert views.rep_sheet(SEVEN, EN, shown=3)["rep_id"].tolist() == ["R6", "R5", "R4", "R2", "R1", "R7"]
    with pytest.raises(ValueError, match="shown must be a positive number of reps or None, got 0"):
        views.rep_sheet(SEVEN, EN, shown=0)


def test_rep_sheet_rows_are_bounded_whatever_the_team_size():
    n = 500
    plan = rep_plan(
        {f"R{i:03d}": float(i + 1) for i in range(n)}, {f"R{i:03d}": f"t{i % 50}" for i in range(n)}
    )
    sheet = views.rep_sheet(plan, EN, shown=views.REP_SHEET_SHOWN)
    assert len(sheet) == 2 * views.REP_SHEET_SHOWN == 20
    assert sheet["rank"].tolist() == list(range(1, 11)) + list(range(491, 501))
    assert sheet["year"].iloc[0] == 500 * 12 and sheet["year"].iloc[-1] == 12
    assert len(views.rep_sheet(plan, EN)) == n  # the full sheet is still there for those who ask


def test_calibration_views_are_translated():
    _, p, _, inputs = tiny()
    plan = decompose.plan(inputs, p)
    cal = views.calibration_view(plan, ZH)
    assert list(cal.columns) == ["step", "component", "amount", "explanation", "kind", "label"]
    assert cal.set_index("component").loc["buffer", "label"] == "弹性空间（指标加码）"
    dims = views.dimensions_view(plan, EN)
    assert list(dims.columns) == ["dimension", "component", "amount", "explanation"]
    est = views.estimates_view(plan, EN)
    assert est["binding"].sum() == 1 and len(est) == 4
    assert views.calendar_table(plan)["level"].tolist()[:2] == ["year", "quarter"]


def test_smart_table_formats_values_and_marks_criteria():
    goals_df = pd.DataFrame(
        {"goal": ["g"], "metric": ["revenue"], "value": [1234.0], "deadline": [""], "relevant_to": [""],
         "specific": [True], "measurable": [True], "achievable": [False], "relevant": [True],
         "time_bound": [True]}
    )  # fmt: skip
    t = views.smart_table(goals_df, EN)
    assert t["value"].item() == "¥1,234" and t["achievable"].item() == "✗" and t["specific"].item() == "✓"
