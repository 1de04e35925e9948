"""The shared facts the strategy step reads and owns (planning/facts.py).

Reads: existing customers' plan-year revenue is the goals step's fact `existing_revenue` (its resources
dimension); the installed base of the tier table and of pipeline coverage is that figure, so goals and strategy
show one number. `planned_retention` turns it into the net revenue retention the tiers apply (existing revenue /
the tiered customers' last 12 months), the measured retention kept beside it as `nrr` (actual).
Owns: nrr_measured, win_rate, coverage_win_rate, pipeline_share.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from planning import facts
from planning.strategy.coverage import pipeline_win_rate
from planning.strategy.funnel import win_stats

if TYPE_CHECKING:
    from planning.params import Params


def planned_retention(
    kept: dict[str, Any], shared: pd.DataFrame | None, revenue_12m: float
) -> dict[str, Any]:
    """`kept` (`retention.retention`) with nrr_used = the goals step's existing_revenue / `revenue_12m` (the
    tiered customers' revenue of the last 12 months) and source "plan", so that the installed base the tiers
    expect (revenue_12m x nrr_used) is existing_revenue. Unchanged without the fact or without revenue."""
    existing = facts.value(shared, "existing_revenue")
    if existing is None or not revenue_12m > 0:
        return kept
    nrr = existing / revenue_12m
    return {**kept, "nrr_used": nrr, "expansion_used": nrr - (1.0 - float(kept["churn_used"])),
            "source": "plan", "existing_revenue": existing}  # fmt: skip


def strategy_facts(
    kept: dict[str, Any], opps: pd.DataFrame | None, p: Params, share: float | None = None
) -> pd.DataFrame:
    """facts_strategy: the measured net revenue retention (`kept`["nrr"]), the win rate (won / closed), the
    win rate pipeline coverage divides by (the win rates empty without opportunities) and the new-deal share of
    the target coverage assumed (`share`, the minimal plan's; else strategy.pipeline_share; empty when coverage
    takes the installed base off the target instead)."""
    share = p.strategy.pipeline_share if share is None else share
    has = opps is not None and len(opps) > 0
    overall = win_stats(opps, p).iloc[0] if has else None
    values = {
        "nrr_measured": float(kept["nrr"]),
        "win_rate": float(overall["win_rate"]) if has else math.nan,
        "coverage_win_rate": pipeline_win_rate(opps, p, overall) if has else math.nan,
        "pipeline_share": math.nan if share is None else float(share),
    }
    return facts.frame("03_strategy", values)
