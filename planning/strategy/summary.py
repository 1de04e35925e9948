"""The box the strategy report opens with: strategic accounts, win rate, the funnel's bottleneck, revenue at risk;
decisions: the bottleneck to fix, quarters the pipeline does not cover, high-risk customers to save. Narrate
layer, reads the step's artefacts."""

from __future__ import annotations

import pandas as pd

from planning import i18n

Summary = tuple[list[tuple[str, str]], list[str]]


def summary(
    tiers: pd.DataFrame,
    funnel: pd.DataFrame,
    coverage: pd.DataFrame,
    health: pd.DataFrame,
    months: int,
    voice: i18n.Voice,
) -> Summary:
    """`months`: the months the win rate's leads span (`funnel.lead_months`)."""
    numbers: list[tuple[str, str]] = []
    decisions: list[str] = []
    if len(tiers):
        numbers.append(
            (voice.t("summary.strategy.strategic"), voice.number((tiers["tier"] == "strategic").sum()))
        )
    if len(coverage) and "win_rate" in coverage:
        numbers.append((voice.t("summary.strategy.win_rate", months=months), voice.pct(coverage["win_rate"].iloc[0])))
    neck = funnel[funnel["bottleneck"].astype(bool)] if len(funnel) else funnel
    if len(neck):
        r = neck.iloc[0]
        numbers.append((voice.t("summary.strategy.bottleneck"), voice.name("stage", r["stage"])))
        decisions.append(
            voice.t(
                "summary.strategy.fix_bottleneck",
                stage=voice.name("stage", r["stage"]),
                rate=voice.pct(r["conversion_rate"]),
                benchmark=voice.pct(r["benchmark_rate"]),
            )
        )
    if len(health):
        high = health[health["risk"] == "high"]
        at_risk = float(high["revenue_at_risk"].clip(lower=0).sum())
        numbers.append((voice.t("summary.strategy.at_risk"), voice.money(at_risk)))
        if len(high):
            decisions.append(voice.t("summary.strategy.churn", n=len(high), amount=voice.money(at_risk)))
    if len(coverage):
        short = coverage[(coverage["coverage_ratio"] < 1) & (coverage["leads_needed"] > 0)]
        if len(short):
            q = short.iloc[0]
            decisions.append(
                voice.t(
                    "summary.strategy.coverage",
                    period=q["period"],
                    ratio=voice.pct(q["coverage_ratio"]),
                    leads=voice.number(q["leads_needed"], 0),
                    by=q["leads_by"],
                )
            )
    return numbers[:5], decisions
