"""planning/review/narrate.py: the review's sentences and the wording of its artefacts' text columns."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from frames_review import BOARD, PREVIOUS, RISKS, SIGNALS, kpi_values, pva_with_reps

from planning import i18n, params
from planning.i18n import Voice
from planning.review import kpis, narrate, pdca, plan, risks
from planning.review.resplit import ResplitCheck
from planning.review.root_causes import ROOT_CAUSE_COLUMNS, Why
from planning.review.variance import pva_shown

EN, ZH = Voice("en", "CNY"), Voice("zh", "CNY")


def test_describe_pva_reps_says_how_many_and_where_the_rest_is() -> None:
    pva = pva_with_reps(25)
    text = narrate.describe_pva_reps(pva, pva_shown(pva), EN)
    assert "10 of the 26 reps furthest below plan and 10 furthest above" in text
    assert "artifacts/plan_vs_actual.csv" in text
    zh = narrate.describe_pva_reps(pva, pva_shown(pva), ZH)
    assert "26 名" in zh and "10 人" in zh
    small = pva_with_reps(5)
    assert narrate.describe_pva_reps(small, pva_shown(small), EN).startswith("All 6 reps are shown")
    # issue 17 case 8: an export without reps has no rep lines: nothing to say (was "All 0 reps are shown")
    no_reps = small[small["level"] != "rep"]
    assert narrate.describe_pva_reps(no_reps, pva_shown(no_reps), EN) == ""


def test_describe_plan_names_the_source():
    assert "plan_of_record" in narrate.describe_plan(plan.empty_plan(2026), EN)
    months = pd.DataFrame({"month": [pd.Timestamp("2026-01-01")], "target": [2_000_000.0]})
    snap = plan.Plan("snapshot", 2026, months, plan.empty_plan(2026).reps, snapshot="2025-12-31")
    assert narrate.describe_plan(snap, EN).startswith("The plan of record for 2026 is the plan of the snapshot of "
                                                      "2025-12-31 (¥2M")  # fmt: skip


@pytest.mark.parametrize(
    ("kpi", "actual", "word"), [("lead_conversion", 0.0799, "below"), ("cycle_time", 121.0, "above")]
)
def test_kpi_rules_name_the_thresholds_and_the_reference(kpi, actual, word):
    board = narrate.kpi_rules(kpis.kpi_status(kpi_values(kpi, actual, 100.0), 0.20, 0.10), 0.20, 0.10, EN)
    rule = board["rule"].iloc[0]
    assert "20%" in rule and "last year" in rule and word in rule
    target = kpis.kpi_status(kpi_values(kpi, actual, 100.0, 90.0), 0.2, 0.1)
    assert "target" in narrate.kpi_rules(target, 0.2, 0.1, EN)["rule"].iloc[0]
    assert "目标" in narrate.kpi_rules(target, 0.2, 0.1, ZH)["rule"].iloc[0]


def test_why_text_words_each_fact():
    gap = Why("gap", {"level": "rep", "key": "R1", "actual": 90.0, "plan": 120.0, "variance_pct": -0.25,
                      "driver": "orders", "effect": -30.0})  # fmt: skip
    text = narrate.why_text(gap, EN)
    assert "R1" in text and "¥90" in text and "¥120" in text and "-25.0%" in text
    assert narrate.why_text(None, EN) == "" and narrate.why_text("", EN) == ""
    assert "-5%" in narrate.why_text(Why("price", {"product": "equipment", "now": 95.0, "ly": 100.0,
                                                  "change": -0.05}), EN)  # fmt: skip
    for why in (Why("leads", {"leads": 8, "needed": 10, "source": "content", "now": 3, "ly": 5}),
                Why("leads_since", {"source": "content", "month": "2026-01"}),
                Why("orders_per_lead", {"now": 0.4, "ly": 0.5}),
                Why("funnel_stage", {"stage": "proposal", "now": 0.3, "ly": 0.5}),
                Why("mix", {"product": "equipment", "now": 0.4, "ly": 0.5}),
                Why("price_since", {"product": "equipment", "month": "2026-01"}),
                Why("orders", {"now": 5, "needed": 6}), Why("no_history")):  # fmt: skip
        assert narrate.why_text(why, EN) and narrate.why_text(why, ZH), why


def test_root_cause_whys_word_the_template_and_keep_text_columns_when_empty():
    empty = pd.DataFrame(columns=ROOT_CAUSE_COLUMNS)
    out = narrate.root_cause_whys(empty, EN)
    assert out.empty and all(pd.api.types.is_object_dtype(out[c]) for c in ("why_1", "why_5"))
    rc = pd.DataFrame([("ytd", "2026", 100.0, 80.0, -0.2, "orders", -20.0, True,
                        Why("orders", {"now": 8, "needed": 10}), None, None, "", "")], columns=ROOT_CAUSE_COLUMNS)  # fmt: skip
    worded = narrate.root_cause_whys(rc, EN).iloc[0]
    assert "8" in worded["why_1"] and worded["why_2"] == "" and worded["why_5"] == ""
    text = narrate.describe_root_causes(narrate.root_cause_whys(rc, EN), params.Review(), EN)
    assert text.endswith(worded["why_1"])
    assert "10.0%" in narrate.describe_root_causes(out, params.Review(), EN)


def test_risk_texts_word_names_and_evidence():
    review = params.Review(risks=RISKS, signal_uplift=1)
    reg = risks.risk_register(review, SIGNALS)
    en = narrate.risk_texts(reg, SIGNALS, review, EN).set_index("risk")
    assert "0.900" in en.at["Price war", "evidence"] and en.at["Supply", "evidence"] == ""
    zh = narrate.risk_texts(reg, SIGNALS, review, ZH)
    assert "人员流失" in set(zh["risk"]) and "Price war" in set(
        zh["risk"]
    )  # no Chinese name: the English one
    assert "Staff loss" in narrate.describe_risks(en.reset_index(), EN)
    none = narrate.risk_texts(risks.risk_register(params.Review(), SIGNALS), SIGNALS, params.Review(), EN)
    assert none.empty and pd.api.types.is_object_dtype(none["evidence"])
    assert narrate.describe_risks(none, EN)


def test_pdca_actions_word_new_entries_only():
    p = params.load("east", overrides={"as_of": "2026-09-30"}).params
    log = pdca.pdca_log(BOARD, PREVIOUS, p)
    en = narrate.pdca_actions(log, p.review, EN).set_index("kpi")
    assert en.at["lead_conversion", "action"] == p.review.actions["lead_conversion"].action
    assert en.at["leads", "action"] == "old leads action"  # carried: the text it was opened with
    zh = narrate.pdca_actions(log, p.review, ZH).set_index("kpi")
    assert zh.at["lead_conversion", "action"] == p.review.actions["lead_conversion"].action_zh
    default = narrate.pdca_actions(pdca.pdca_log(BOARD, None, p.model_copy(update={"review": params.Review()})),
                                   params.Review(), EN)  # fmt: skip
    assert default["action"].str.len().gt(0).all()
    empty = narrate.pdca_actions(pd.DataFrame(columns=pdca.PDCA_COLUMNS), p.review, EN)
    assert pd.api.types.is_object_dtype(
        empty["action"]
    )  # the report's table keeps a text header for an empty log
    assert narrate.describe_pdca(log, EN).startswith("Act: 1 new actions for red KPIs, 1 carried forward")


def test_describe_pva_with_and_without_a_plan():
    pva = pd.DataFrame({"level": ["ytd"], "key": ["2026"], "plan": [200.0], "actual": [210.0], "variance": [10.0],
                        "completion": [1.05]})  # fmt: skip
    proj = pd.DataFrame({"item": ["annual_plan", "linear", "seasonal"], "amount": [1300.0, 1700.0, 1365.0]})
    text = narrate.describe_pva(pva, proj, ResplitCheck("2026-Q1", 0.7, 0.8), EN)
    assert "105.0%" in text and "2026-Q1" in text
    no_plan = narrate.describe_pva(pva.assign(plan=math.nan), proj, ResplitCheck("", math.nan, 0.8), EN)
    assert "nothing to compare" in no_plan


@pytest.mark.adversarial
def test_describe_kpis_says_why_a_kpi_has_no_baseline():
    from planning.market.periods import Window

    board = kpis.kpi_status(kpi_values("win_rate", 0.3, 0.3), 0.2, 0.1)  # leads not lit
    gap = kpis.BaselineGap(
        "opportunities", pd.Timestamp("2025-01-01"), pd.Timestamp("2026-09-30"),
        Window(pd.Timestamp("2025-07-01"), pd.Timestamp("2026-09-30")),
    )  # fmt: skip
    text = narrate.describe_kpis(board, None, EN, {"leads": gap, "win_rate": gap})
    assert "No baseline for Leads" in text and "2025-07-01 – 2026-09-30" in text and "opportunities" in text
    assert "Win rate" not in text.split("No baseline")[1]  # lit (here against its baseline): not listed
    assert "Not shown for lack of data: Leads" not in text and "Leads," not in text.split("No baseline")[0]
    assert "没有基准" in narrate.describe_kpis(board, None, ZH, {"leads": gap})


def test_backtest_forecasts_are_named_in_the_reports_language():
    """Issue 23: "backtest 2025-09-30" stayed English in the Chinese review."""
    zh = i18n.Voice("zh", "CNY")
    assert narrate.snapshot_label("backtest 2025-09-30", zh) == "回测 2025-09-30"
    assert narrate.snapshot_label("2026-06-30", zh) == "2026-06-30"
    view = narrate.accuracy_view(pd.DataFrame({"snapshot": ["backtest 2025-09-30"], "mape": [0.1]}), zh)
    assert view["snapshot"].tolist() == ["回测 2025-09-30"]


def test_pdca_actions_carried_from_an_english_review_read_chinese_in_a_chinese_one():
    # An English review opened the entries; the next review runs in Chinese (issue 17 case 13).
    p = params.load("east", overrides={"as_of": "2026-08-31"}).params
    first = narrate.pdca_actions(pdca.pdca_log(BOARD, None, p), p.review, EN)
    assert set(first["action_key"]) <= {"params", "default"} and len(first)
    later = p.model_copy(update={"as_of": date(2026, 9, 30)})
    zh = narrate.pdca_actions(pdca.pdca_log(BOARD, first, later), later.review, ZH).set_index("kpi")
    assert (zh["state"] == "carried").all()
    for kpi in zh.index:
        a = p.review.actions.get(kpi)
        expected = a.action_zh or a.action if a is not None else i18n.t("review.pdca.default_action", "zh")
        assert zh.at[kpi, "action"] == expected
    # the default action of a KPI without one in params, carried into Chinese, and back into English
    bare = p.model_copy(update={"review": params.Review()})
    en = narrate.pdca_actions(pdca.pdca_log(BOARD, None, bare), bare.review, EN)
    assert set(en["action_key"]) == {"default"}
    zh2 = narrate.pdca_actions(pdca.pdca_log(BOARD, en, bare), bare.review, ZH)
    assert set(zh2["action"]) == {i18n.t("review.pdca.default_action", "zh")}
    back = narrate.pdca_actions(pdca.pdca_log(BOARD, zh2, bare), bare.review, EN)
    assert set(back["action"]) == {i18n.t("review.pdca.default_action", "en")}


def test_pdca_actions_of_an_older_log_without_keys_are_recognised_by_their_text():
    bare = params.Params(as_of=date(2026, 9, 30))
    old = PREVIOUS.drop(columns=["action_key"]).assign(action=[i18n.t("review.pdca.default_action", "en"), "call"])
    zh = narrate.pdca_actions(pdca.pdca_log(BOARD, old, bare), bare.review, ZH).set_index("kpi")
    assert zh.at["leads", "action"] == i18n.t("review.pdca.default_action", "zh")  # carried, now in Chinese
    assert zh.at["retention", "action"] == "call"  # a planner's text of an older log: as stored


def test_a_clean_audit_points_to_no_table_below():
    import pandas as pd

    from planning.i18n import Voice
    from planning.review import narrate as review_narrate

    clean = pd.DataFrame({"status": ["pass", "pass"], "check": ["a", "b"]})
    for lang in ("en", "zh"):
        text = review_narrate.describe_audit(clean, Voice(lang, "CNY"))
        assert text == Voice(lang, "CNY").t("review.audit.summary_clean", n=2, passed=2)
        assert "below" not in text and "下表" not in text


def test_raised_risks_are_listed_with_the_languages_own_separator():
    reg = pd.DataFrame({"risk": ["甲，乙", "丙"], "likelihood": [4, 3], "base_likelihood": [2, 1], "score": [16, 9]})
    assert "甲，乙；丙" in narrate.describe_risks(reg, ZH) and "; " not in narrate.describe_risks(reg, ZH)
    assert "甲，乙; 丙" in narrate.describe_risks(reg, EN)
