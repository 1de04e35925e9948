"""How step 4 (resources) speaks: one generated sentence or paragraph per part (team, capacity, hiring,
incentives, budget, cost of sales, action plan) and the wording of the derived tasks. Data first, then the
`resources` params section where a sentence quotes it, and the `Voice` last. Display tables: `views`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planning import i18n
from planning.params import local_text

if TYPE_CHECKING:
    from planning.params import Resources
    from planning.resources.capacity import Baseline


# =============================================================================================== capacity
def describe_baseline(base: Baseline, r: Resources, voice: i18n.Voice) -> str:
    """The measured team: reps, monthly output, ramp and attrition with where each comes from, the spread."""
    ramp_src = (
        voice.t("resources.baseline.from_params")
        if r.ramp_months is not None
        else voice.t("resources.baseline.measured", n=base.ramp_reps)
        if base.ramp_measured is not None
        else voice.t("resources.baseline.fallback", n=base.ramp_reps)
    )
    att_src = (
        voice.t("resources.baseline.from_params")
        if r.attrition is not None
        else voice.t(
            "resources.baseline.attrition_measured",
            exits=base.exits,
            heads=f"{base.avg_headcount:.1f}",
            months=r.attrition_months,
        )
    )
    return voice.t(
        "resources.baseline.summary",
        reps=len(base.team),
        productivity=voice.money(base.productivity / 12.0),
        ramp=base.ramp_full,
        curve=base.ramp_months,
        ramp_src=ramp_src,
        attrition=voice.pct(base.attrition),
        att_src=att_src,
        p10=voice.pct(float(np.quantile(base.factors, 0.1))),
        p90=voice.pct(float(np.quantile(base.factors, 0.9))),
    )


def describe_capacity(
    cap: pd.DataFrame, plan: pd.DataFrame, base: Baseline, r: Resources, voice: i18n.Voice
) -> str:
    """One generated paragraph: the year's target vs capacity, the hires and when to open requisitions.

    Quotes `resources.hire_threshold` when months stay short.
    """
    target, capacity = cap["target"].sum(), cap["capacity"].sum()
    hires = int(plan["hires"].sum())
    planned = int(plan.loc[plan["source"] == "goals", "hires"].sum())
    text = voice.t(
        "resources.capacity.summary",
        target=voice.money(target),
        capacity=voice.money(capacity),
        coverage=voice.pct(capacity / target if target else float("nan")),
        planned_hires=planned,
        more=hires - planned,
        first=plan["requisition_by"].min() if hires else "—",
        naive=f"{cap['naive_headcount'].mean():.1f}",
        planned=f"{cap['planned_headcount'].mean():.1f}",
    )
    short = cap[cap["gap"] > 0]
    if len(short):
        # A gap under `resources.hire_threshold` of a ramped rep's output over the plan year gets no hire (see
        # `capacity.plan_hires`): say so, with the figures, rather than blame the ramp.
        rep_year = sum(base.output(pd.Period(m, freq="M")) for m in cap["month"])
        limit = r.hire_threshold * rep_year
        below = short["gap"].sum() <= limit
        text += " " + voice.t(
            "resources.capacity.below_threshold" if below else "resources.capacity.residual_gap",
            months=len(short),
            gap=voice.money(short["gap"].sum()),
            worst=short.loc[short["gap"].idxmax(), "month"],
            share=voice.pct(short["gap"].sum() / rep_year if rep_year > 0 else float("nan")),
            threshold=voice.pct(r.hire_threshold),
            limit=voice.money(limit),
        )
    return text


def describe_hiring(plan: pd.DataFrame, base: Baseline, r: Resources, voice: i18n.Voice) -> str:
    """When requisitions open and how long a hire takes to reach full output (`resources.time_to_hire_months`)."""
    if plan.empty:
        return voice.t("resources.hiring.none")
    return voice.t(
        "resources.hiring.summary",
        time_to_hire=r.time_to_hire_months,
        ramp=base.ramp_full,
    )


# =============================================================================================== incentives
def describe_incentive_plan(quota: float, r: Resources, voice: i18n.Voice) -> str:
    """The incentive plan's parts in one sentence (all numbers from `resources` params)."""
    return voice.t(
        "resources.incentives.plan",
        base=voice.pct(r.base_commission),
        accel=f"{r.accelerator:g}",
        bonus=voice.pct(r.achievement_bonus),
        uplift=voice.pct(r.team_bonus_uplift),
        threshold=voice.pct(r.team_bonus_threshold),
        growth=voice.money(r.new_hire_first_deal_bonus),
        quota=voice.money(quota),
    )


def describe_attainment_source(
    quotas: pd.DataFrame,
    draws: np.ndarray,
    reference: np.ndarray,
    sim: pd.DataFrame,
    plan_year: int,
    reference_year: int,
    last12: float | None,
    voice: i18n.Voice,
    minimal: bool = False,
) -> str:
    """How attainment is simulated (the `plan_year` quotas x the output spread), against what the region sold in
    the last 12 months (`last12`, the goals step's fact last12_sales; `minimal`: a minimal plan's run rate x 12)
    and, for reference, how the plan of record of `reference_year` (the year of as_of) is being met
    (`incentives.historical_attainment`)."""
    text = voice.t(
        "resources.incentives.source.simulated",
        year=plan_year,
        n=len(draws),
        p10=voice.pct(float(np.quantile(draws, 0.1))),
        p90=voice.pct(float(np.quantile(draws, 0.9))),
        ratio=voice.pct(float(quotas["expected"].sum() / quotas["quota"].sum())),
        capacity=voice.money(float(quotas["expected"].sum())),
        quotas=voice.money(float(quotas["quota"].sum())),
        season=voice.t(f"resources.incentives.source.{'season_minimal' if minimal else 'season'}"),
        sold=voice.t(
            f"resources.incentives.source.{'sold_minimal' if minimal else 'sold'}",
            last12=voice.money(float("nan") if last12 is None else last12),
        ),
        median=voice.pct(float(sim["attainment"].median())),
    )
    if len(reference):
        text += " " + voice.t(
            "resources.incentives.source.reference",
            year=reference_year,
            n=len(reference),
            at_plan=voice.pct(float((reference >= 1.0 - 1e-9).mean())),
            median=voice.pct(float(np.median(reference))),
        )
    return text


def describe_incentives(summary: pd.DataFrame, r: Resources, voice: i18n.Voice) -> str:
    """The expected cost of the plan, its range, the share at quota and of teams passing the team rule."""
    s = summary.set_index("metric")["value"]
    return voice.t(
        "resources.incentives.summary",
        cost=voice.money(s["expected_cost"]),
        p10=voice.money(s["cost_p10"]),
        p90=voice.money(s["cost_p90"]),
        pct=voice.pct(s["cost_of_sales_pct"]),
        at_quota=voice.pct(s["share_at_quota"]),
        teams=voice.pct(s["team_rule_share"]),
        threshold=voice.pct(r.team_bonus_threshold),
        c100=voice.money(s["cost_at_100"]),
        c120=voice.money(s["cost_at_120"]),
    )


# =============================================================================================== budget
def describe_budget_method(r: Resources, voice: i18n.Voice) -> str:
    """The allocation's assumptions: elasticity cap, recent months, share bounds and growth cap (params)."""
    return voice.t(
        "resources.budget.method",
        cap=f"{r.max_elasticity:g}",
        recent=r.recent_months,
        lo=voice.pct(r.min_share),
        hi=voice.pct(r.max_share),
        growth=voice.pct(r.max_growth),
    )


def describe_budget(alloc: pd.DataFrame, voice: i18n.Voice) -> str:
    """What moving to the optimal split earns and which lead sources stopped producing."""
    cur, opt = alloc["current_revenue"].sum(), alloc["revenue"].sum()
    moved = (alloc["optimal_budget"] - alloc["current_budget"]).abs().sum() / 2
    top = alloc.loc[(alloc["optimal_budget"] - alloc["current_budget"]).idxmax()]
    text = voice.t(
        "resources.budget.summary",
        total=voice.money(alloc["optimal_budget"].sum()),
        current=voice.money(cur),
        optimal=voice.money(opt),
        lift=voice.pct(opt / cur - 1 if cur else float("nan")),
        moved=voice.money(moved),
        top=voice.name("lead_source", top["channel"]),
    )
    stopped = alloc[alloc["stopped"]]
    for row in stopped.itertuples():
        text += " " + voice.t(
            "resources.budget.stopped",
            channel=voice.name("lead_source", row.channel),
            current=voice.money(row.current_budget),
            optimal=voice.money(row.optimal_budget),
        )
    return text


def describe_costs(costs: pd.DataFrame, revenue_target: float, voice: i18n.Voice) -> str:
    """The whole cost of sales against the revenue target, and the revenue each unit of cost brings."""
    total = float(costs.loc[costs["category"] == "total", "amount"].iloc[0])
    code = voice.currency.upper()
    symbol = i18n.CURRENCY_SYMBOLS.get(code, code + " ")
    return voice.t(
        "resources.costs.summary",
        total=voice.money(total),
        target=voice.money(revenue_target),
        pct=voice.pct(total / revenue_target if revenue_target else float("nan")),
        one=f"{symbol}1",
        ret=f"{symbol}{revenue_target / total:.1f}" if total else "—",
    )


# =============================================================================================== action plan
#: Values of a derived task that are keys to be named in the report's language (value key -> i18n name kind).
_TASK_NAMES = {"tier": "tier", "stage": "stage", "channel": "lead_source"}


def word_tasks(derived: list[dict[str, Any]], r: Resources, voice: i18n.Voice) -> list[dict[str, Any]]:
    """The derived tasks (`actions.derived_tasks`) worded for `actions.action_plan`: task (locale
    `resources.tasks.<key>`), goal, owner (the planner's owner for the task's role, `resources.owners`), start,
    end, depends_on (the text of the task it follows), kpi."""
    texts: list[str] = []
    out = []
    for task in derived:
        fmt = {
            k: voice.name(_TASK_NAMES[k], v) if k in _TASK_NAMES else voice.pct(v) if k == "rate" else v
            for k, v in task["fmt"].items()
        }
        texts.append(voice.t(f"resources.tasks.{task['key']}", **fmt))
        out.append(
            {
                "task": texts[-1],
                "goal": task["goal"],
                "owner": local_text(r.owners.get(task["role"], ""), voice.lang),
                "start": task["start"],
                "end": task["end"],
                "depends_on": texts[task["after"]] if task["after"] is not None else "",
                "kpi": task["kpi"],
            }
        )
    return out


def describe_actions(plan: pd.DataFrame, voice: i18n.Voice) -> str:
    """How many tasks, from params and derived, and how many lack an owner or are overdue."""
    text = voice.t(
        "resources.actions.summary",
        n=len(plan),
        params=int((plan["source"] == "params").sum()),
        derived=int((plan["source"] == "derived").sum()),
    )
    if plan["no_owner"].any() or plan["overdue"].any():
        text += " " + voice.t(
            "resources.actions.flags",
            no_owner=int(plan["no_owner"].sum()),
            overdue=int(plan["overdue"].sum()),
        )
    return text
