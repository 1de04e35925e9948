"""The box the resources report opens with: capacity against target, hires, cost of sales, marketing budget;
decisions: each hire with its requisition date, channels to cut, capacity still short. Narrate layer, reads the
step's artefacts."""

from __future__ import annotations

import pandas as pd

from planning import i18n

Summary = tuple[list[tuple[str, str]], list[str]]


def summary(
    capacity: pd.DataFrame, hiring: pd.DataFrame, costs: pd.DataFrame, budget: pd.DataFrame, voice: i18n.Voice
) -> Summary:
    numbers: list[tuple[str, str]] = []
    decisions: list[str] = []
    target = float(capacity["target"].sum()) if len(capacity) else 0.0
    if target > 0:
        cap = float(capacity["capacity"].sum())
        numbers.append((voice.t("summary.resources.capacity"), voice.pct(cap / target)))
        short = float(capacity["gap"].clip(lower=0).sum()) if "gap" in capacity else 0.0
        if cap < target * 0.995 and short > 0:
            decisions.append(voice.t("summary.resources.short", gap=voice.money(target - cap)))
    numbers.append(
        (voice.t("summary.resources.hires"), voice.number(hiring["hires"].sum() if len(hiring) else 0))
    )
    total = costs[costs["category"] == "total"] if len(costs) else costs
    if len(total) and target > 0:
        numbers.append(
            (voice.t("summary.resources.cost"), voice.pct(float(total["amount"].iloc[0]) / target))
        )
    if len(budget):
        numbers.append((voice.t("summary.resources.budget"), voice.money(budget["optimal_budget"].sum())))
    hires = [
        voice.t(
            "summary.resources.hire",
            n=int(r.hires),
            by=r.requisition_by,
            start=r.start_month,
            productive=r.productive_from,
        )
        for r in (hiring.sort_values("start_month").itertuples() if len(hiring) else ())
    ]
    decisions = hires + decisions
    if len(budget) and "stopped" in budget:
        for r in budget[budget["stopped"].astype(bool)].itertuples():
            decisions.append(
                voice.t(
                    "summary.resources.stop",
                    channel=voice.name("lead_source", r.channel),
                    before=voice.money(r.current_budget),
                    after=voice.money(r.optimal_budget),
                )
            )
    return numbers[:5], decisions
