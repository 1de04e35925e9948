"""Tests of planning/resources/narrate.py: the generated sentences (Voice, no notebook context) and the wording
of the derived tasks."""

from __future__ import annotations

from datetime import date

import pandas as pd
from frames_resources import baseline, month_targets, plan_params, res_section

from planning.i18n import Voice
from planning.resources import actions, capacity, narrate

EN = Voice("en", "CNY")


def test_a_gap_below_the_threshold_is_left_to_overtime():
    # 3 ramped reps (100 a month), targets 300 in Jan-Mar and 349.9 in Apr-Dec: no hire (see
    # test_resources_capacity.test_a_hire_needs_a_gap_above_the_threshold).
    # The sentence reports the gap left to overtime / the flex reserve with its figures:
    # 9 x 49.9 = 449.1 = 37.4% of a rep's 1,200 over the year; limit 0.5 x 1,200 = 600
    base = baseline(tenures=(5, 5, 5))
    r = res_section(time_to_hire_months=0, simulations=100)
    cap, plan = capacity.capacity_plan(base, month_targets([300.0] * 3 + [349.9] * 9), r)
    assert plan.empty
    text = narrate.describe_capacity(cap, plan, base, res_section(), EN)
    assert "In 9 months capacity stays below target by ¥449" in text
    assert "37.4%" in text and "threshold of 50.0% (¥600)" in text and "overtime or the flex reserve" in text


def test_derived_tasks_are_worded_in_the_report_language():
    # The training task of a hire cohort depends on its hiring task: depends_on is that task's text, in zh too;
    # the funnel stage, lead source and owner come out in the language asked for.
    p = plan_params(owners={"hiring": {"en": "HR", "zh": "人力资源"}})
    hiring = pd.DataFrame(
        [{"start_month": "2027-02", "hires": 2, "requisition_by": "2026-12", "productive_from": "2027-07"}]
    )
    funnel = pd.DataFrame({"stage": ["lead", "discovery"], "conversion_rate": [0.6, 0.25]})
    derived = actions.derived_tasks(hiring, None, funnel, None, p, core_reps=5, managers=1)
    assert derived[0]["key"] == "hire" and derived[1]["after"] == 0
    assert derived[-1]["fmt"] == {"stage": "discovery", "rate": 0.25}
    for lang, owner in (("en", "HR"), ("zh", "人力资源")):
        tasks = narrate.word_tasks(derived, p.resources, Voice(lang, "CNY"))
        assert tasks[0]["owner"] == owner and tasks[1]["depends_on"] == tasks[0]["task"]
        assert tasks[0]["start"] == date(2026, 12, 1) and tasks[-1]["kpi"] == "conversion_discovery"
    assert "25.0%" in narrate.word_tasks(derived, p.resources, EN)[-1]["task"]


def test_describe_actions_counts_flags():
    plan = pd.DataFrame({"source": ["params", "derived", "derived"], "no_owner": [True, False, False],
                         "overdue": [False, False, True]})  # fmt: skip
    text = narrate.describe_actions(plan, EN)
    assert "3" in text and narrate.describe_actions(plan.assign(no_owner=False, overdue=False), EN) in text
