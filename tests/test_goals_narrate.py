"""planning.goals.narrate: the artefacts' explanation texts, the derived goals' sentences, the paragraphs."""

from __future__ import annotations

import types

import pandas as pd
from frames_goals import SEVEN, tiny

from planning import i18n
from planning.goals import decompose, narrate, smart, views
from planning.i18n import Voice

EN, ZH = Voice("en", "CNY"), Voice("zh", "CNY")


def test_describe_rep_sheet_says_what_is_shown_and_where_the_rest_is():
    text = narrate.describe_rep_sheet(SEVEN, views.rep_sheet(SEVEN, EN, shown=2), EN)
    assert text.startswith("The 7 people with a quota (current reps and planned hires) have annual targets")
    assert "from ¥60 to ¥720 (median ¥360)" in text  # median of 60, 120, 240, 360, 360, 600, 720
    assert "show the 2 largest and the 2 smallest" in text and "artifacts/targets_rep.csv" in text
    full = narrate.describe_rep_sheet(SEVEN, views.rep_sheet(SEVEN, EN), EN)
    assert full.startswith("All 7 people with a quota") and "artifacts/targets_rep.csv" in full
    zh = narrate.describe_rep_sheet(SEVEN, views.rep_sheet(SEVEN, ZH, shown=2), ZH)
    assert "共 7 人承担配额" in zh and "最大的 2 名和最小的 2 名" in zh
    empty = types.SimpleNamespace(targets_rep=SEVEN.targets_rep.iloc[:0])
    assert views.rep_sheet(empty, EN).empty
    assert narrate.describe_rep_sheet(empty, pd.DataFrame(), EN) == i18n.t("goals.reps.no_reps", "en")


def test_explanations_are_written_from_keys():
    assert (
        narrate.explain_text("buffer", {"p_b": 0.1}, EN) == "Flex buffer 10.0% kept for sudden opportunities"
    )
    assert narrate.explain_text("", {"text": "as step 1 says"}, EN) == "as step 1 says"
    partial = narrate.explain_text("committed_partial", {"rule": "min", "missing": ("team", "resources")}, EN)
    assert "not computable: team capacity, resource capacity" in partial
    assert "团队产能、资源支撑" in narrate.explain_text(
        "committed_partial", {"rule": "min", "missing": ("team", "resources")}, ZH
    )


def test_artefact_frames_have_the_explanation_before_kind():
    _, p, _, inputs = tiny()
    plan = decompose.plan(inputs, p)
    cal = narrate.calibration_frame(plan, EN)
    assert list(cal.columns) == ["step", "component", "amount", "explanation", "kind"]
    assert cal.set_index("component").loc["target", "explanation"].startswith("Annual target")
    dims = narrate.dimensions_frame(plan, EN)
    assert list(dims.columns) == ["dimension", "component", "amount", "explanation", "kind"]
    assert dims.set_index("component").loc["current_team", "explanation"].startswith("2 current quota reps")
    assert "amount" in plan.calibration and "explanation" not in plan.calibration  # compute keeps the keys


def test_smart_frame_writes_the_derived_goals_sentences():
    _, p, _, inputs = tiny()
    plan = decompose.plan(inputs, p)
    goals = narrate.smart_frame(smart.smart_goals(plan, inputs, p), inputs, EN)
    assert "derived" not in goals and (goals["goal"].str.len() > 0).all()
    assert list(goals.columns)[:2] == ["goal", "metric"] and goals.columns[-1] == "smart"
    assert "2027" in goals.loc[goals["metric"] == "revenue", "goal"].item()
    assert narrate.describe_smart(goals, EN)


def test_paragraphs_speak_the_voice():
    _, p, result, inputs = tiny()
    plan = decompose.plan(inputs, p)
    assert "2027" in narrate.describe_forecast(result, 2027, EN)
    assert narrate.describe_calibration(plan, inputs, ZH) != narrate.describe_calibration(plan, inputs, EN)
    assert narrate.describe_decomposition(plan, EN)
    assert "fully productive 3 months after starting" in narrate.describe_reps(inputs, 3, EN)
    assert narrate.metric_text("leads", float("nan"), EN) == i18n.DASH
