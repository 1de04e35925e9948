"""Display tables of step 4 (resources): the computed frames with translated labels and formatted values, for
the report. Data first, the `Voice` last."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planning import i18n

if TYPE_CHECKING:
    from planning.resources.capacity import Baseline


def baseline_table(base: Baseline, voice: i18n.Voice) -> pd.DataFrame:
    """The measured team assumptions as a small two-column table (translated labels)."""
    rows = [
        ("current_reps", voice.number(len(base.team))),
        ("managers", voice.number(base.managers)),
        ("productivity", voice.money(base.productivity / 12.0)),
        ("ramp_months", voice.number(base.ramp_full)),
        ("ramp_curve", voice.number(base.ramp_months)),
        ("ramp_measured", voice.number(base.ramp_measured)),
        ("attrition", voice.pct(base.attrition)),
        ("attrition_measured", voice.pct(base.attrition_measured)),
        ("spread_p10", voice.pct(float(np.quantile(base.factors, 0.1)))),
        ("spread_p90", voice.pct(float(np.quantile(base.factors, 0.9)))),
    ]
    return pd.DataFrame(
        {
            voice.t("resources.columns.assumption"): [
                voice.t(f"resources.baseline.rows.{k}") for k, _ in rows
            ],
            voice.t("resources.columns.value"): [v for _, v in rows],
        }
    )


def hiring_table(plan: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The hiring plan for display: the source (planned in goals | additional) translated."""
    return plan.assign(source=[voice.t(f"resources.hiring.source.{x}") for x in plan["source"]])


def summary_table(summary: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """`incentives.incentive_summary` with translated metric names and formatted values, for display."""
    fmt = {"money": voice.money, "pct": voice.pct, "number": voice.number}
    return pd.DataFrame(
        {
            voice.t("resources.columns.metric"): [
                voice.t(f"resources.incentives.metrics.{m}") for m in summary["metric"]
            ],
            voice.t("resources.columns.value"): [
                fmt[u](v) for v, u in zip(summary["value"], summary["unit"], strict=True)
            ],
        }
    )


def cost_item_label(item: str, voice: i18n.Voice) -> str:
    """A cost-of-sales line in the report's language; a tool's own name from params as it is."""
    try:
        return voice.t(f"resources.costs.items.{item}")
    except KeyError:
        return item


def cost_table(costs: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """`budget.cost_of_sales` with translated labels and formatted numbers for display."""
    return pd.DataFrame(
        {
            voice.t("resources.columns.category"): [
                voice.t(f"resources.costs.categories.{c}") for c in costs["category"]
            ],
            voice.t("resources.columns.item"): [cost_item_label(i, voice) for i in costs["item"]],
            voice.t("resources.columns.amount"): [voice.money(v, compact=False) for v in costs["amount"]],
            voice.t("resources.columns.share_of_target"): [voice.pct(v, 2) for v in costs["share"]],
            voice.t("resources.columns.basis"): costs["basis"].tolist(),
        }
    )


def _has_goal(goal: str) -> bool:
    try:
        i18n.t(f"resources.goals.{goal}", "en")
    except KeyError:
        return False
    return True


def wbs(plan: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """Work breakdown structure: tasks grouped by goal and numbered 1, 1.1, 1.2 ... (display table, translated)."""
    goals = list(dict.fromkeys(plan["goal"]))
    rows = []
    for i, goal in enumerate(goals, start=1):
        rows.append({"wbs": f"{i}", "task": voice.t(f"resources.goals.{goal}") if _has_goal(goal) else goal,
                     "owner": "", "start": "", "end": "", "kpi": "", "flag": ""})  # fmt: skip
        for j, row in enumerate(plan[plan["goal"] == goal].itertuples(), start=1):
            flags = []
            if row.no_owner:
                flags.append(voice.t("resources.actions.flag_no_owner"))
            if row.overdue:
                flags.append(voice.t("resources.actions.flag_overdue"))
            rows.append(
                {
                    "wbs": f"{i}.{j}",
                    "task": row.task,
                    "owner": voice.name("role", row.owner) if isinstance(row.owner, str) else row.owner,
                    "start": row.start,
                    "end": row.end,
                    "kpi": voice.name("metric", row.kpi) if isinstance(row.kpi, str) else row.kpi,
                    "flag": "; ".join(flags),
                }
            )
    df = pd.DataFrame(rows, columns=["wbs", "task", "owner", "start", "end", "kpi", "flag"])
    return df.rename(columns={c: voice.t(f"resources.columns.{c}") for c in df.columns})
