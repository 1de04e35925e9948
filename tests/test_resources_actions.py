"""Tests of planning/resources/actions.py: statuses and flags of the action plan, the tasks derived from the
plan (worded by narrate), and their WBS."""

from __future__ import annotations

from datetime import date

import pandas as pd
from frames_resources import channels, plan_params

from planning import contracts
from planning.i18n import Voice
from planning.resources import actions, narrate, views

EN = Voice("en", "CNY")


def test_action_plan_flags_missing_owner_and_overdue_tasks():
    p = plan_params(
        tasks=[
            {"task": "Audit partners", "owner": "Li", "start": "2026-08-01", "end": "2026-09-15"},
            {"task": "Pilot AI calls", "owner": "", "start": "2027-01-01", "end": "2027-03-31"},
            {"task": "Done thing", "owner": "Wang", "start": "2026-01-01", "end": "2026-02-01", "status": "done"},
            {"task": {"en": "CRM", "zh": "客户管理"}, "owner": "Wu", "start": "2026-09-01", "end": "2027-01-31",
             "depends_on": "Audit partners"},
        ]
    )  # fmt: skip
    plan = actions.action_plan([], p, "zh")
    assert set(contracts.required_columns("action_plan")) <= set(plan.columns)
    assert plan["status"].tolist() == ["overdue", "planned", "done", "in_progress"]
    assert plan["no_owner"].tolist() == [False, True, False, False]
    assert plan["task"].tolist()[3] == "客户管理" and plan["depends_on"].tolist()[3] == "Audit partners"


def test_derived_tasks_from_hiring_tiers_funnel_and_budget():
    p = plan_params(owners={"hiring": "HR"})
    hiring = pd.DataFrame(
        [{"start_month": "2027-02", "hires": 2, "requisition_by": "2026-12", "productive_from": "2027-07"}]
    )
    tiers = pd.DataFrame({"customer_id": ["a", "b", "c"], "tier": ["strategic", "strategic", "nurture"],
                          "playbook": ["Advisor", "Advisor", "White paper"]})  # fmt: skip
    funnel = pd.DataFrame(
        {"stage": ["lead", "discovery", "proposal"], "conversion_rate": [0.6, 0.5, 0.3],
         "bottleneck": [False, True, False]}
    )  # fmt: skip
    alloc = channels().assign(stopped=[True, False])
    derived = actions.derived_tasks(hiring, tiers, funnel, alloc, p, core_reps=5, managers=1)
    tasks = narrate.word_tasks(derived, p.resources, EN)
    texts = [t["task"] for t in tasks]
    hire = tasks[0]
    assert hire["owner"] == "HR" and hire["start"] == date(2026, 12, 1) and str(hire["end"]) == "2027-01-31"
    assert any("Strategic tier, 2 accounts: Advisor" in t for t in texts)
    assert any("Needs discovery" in t for t in texts)  # the flagged bottleneck, not the lowest conversion
    assert sum("c0" in t for t in texts) == 1  # the stopped channel gets a screening task
    plan = actions.action_plan(tasks, p, "en")
    wbs = views.wbs(plan, EN)
    assert wbs.iloc[0, 0] == "1" and wbs.iloc[1, 0] == "1.1"


def test_no_training_task_for_reps_or_managers_who_do_not_exist():
    # issue 17 case 8: without a reps table there are 0 quota reps and 0 managers: no "train core reps" and no
    # "train managers" task in the action plan (an export without reps had both, owned by nobody)
    p = plan_params()
    none = pd.DataFrame(columns=["start_month", "hires", "requisition_by", "productive_from"])
    keys = [t["key"] for t in actions.derived_tasks(none, None, None, None, p, core_reps=0, managers=0)]
    assert "train_core" not in keys and "train_managers" not in keys
    keys = [t["key"] for t in actions.derived_tasks(none, None, None, None, p, core_reps=4, managers=0)]
    assert "train_core" in keys and "train_managers" not in keys
    keys = [t["key"] for t in actions.derived_tasks(none, None, None, None, p, core_reps=0, managers=2)]
    assert keys == ["train_managers"]


def test_no_funnel_task_for_a_funnel_without_stages():
    # issue 17 case 6: opportunities without stage dates give the one row lead -> won; there is no stage to fix
    p = plan_params()
    none = pd.DataFrame(columns=["start_month", "hires", "requisition_by", "productive_from"])
    one = pd.DataFrame({"stage": ["lead"], "conversion_rate": [0.4], "bottleneck": [False]})
    tasks = actions.derived_tasks(none, None, one, None, p, core_reps=0, managers=0)
    assert [t["key"] for t in tasks] == []
    two = pd.DataFrame(
        {"stage": ["lead", "proposal"], "conversion_rate": [0.5, 0.3], "bottleneck": [False, True]}
    )
    tasks = actions.derived_tasks(none, None, two, None, p, core_reps=0, managers=0)
    assert [(t["key"], t["fmt"]["stage"]) for t in tasks] == [("funnel", "proposal")]
