"""SMART goals: goals derived from the calibrated plan plus the planner's own (goals.smart), each checked.

specific = a known metric (`METRICS`); measurable = a finite positive value; achievable = value <= calibrated
capacity, pro-rated to the deadline for flow metrics (a count goal, rounded up to whole units, may reach the
next whole unit above a fractional capacity); for the derived revenue goal also what reps are asked: the target
within every limiting dimension and the forecast's upper bound, the quotas (target + flex buffer) within the
team capacity and the forecast's upper bound (`decompose.position`, `decompose.within_limits`); relevant = names
a segment of step 1 or a strategy lever (`STRATEGY_LEVERS`); time-bound = a deadline inside the plan year.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planning.goals.decompose import Plan, position, within_limits
from planning.goals.prepare import Inputs
from planning.params import local_text

if TYPE_CHECKING:
    from planning.params import Params

#: Metrics a SMART goal can name; "higher is better" for all of them (achievable = value <= capacity).
METRICS = (
    "revenue",
    "new_customers",
    "leads",
    "lead_conversion",
    "average_order_value",
    "retention",
    "market_share",
    "clv",
)
#: Flow metrics accumulate over the year: a goal with an earlier deadline is compared with a pro-rated capacity.
FLOW_METRICS = {"revenue", "new_customers", "leads"}
#: Strategy levers a goal may be relevant to besides a customer segment (step 3's building blocks).
STRATEGY_LEVERS = (
    "product",
    "price",
    "channel",
    "promotion",
    "tiering",
    "funnel",
    "health",
    "coverage",
    "team",
)
CRITERIA = ("specific", "measurable", "achievable", "relevant", "time_bound")


def market_total(
    market_share: pd.DataFrame | None, market_size: pd.DataFrame | None, plan_year: int
) -> float:
    """The region's market size for the plan year: the data's market_size rows of `plan_year` when present,
    else the sum of step 1's market_share.csv `market_size` (latest year). NaN when neither exists.
    """
    if market_size is not None and len(market_size) and "year" in market_size:
        rows = market_size[market_size["year"] == plan_year]
        if len(rows):
            return float(rows["market_size"].sum())
    if market_share is not None and len(market_share) and "market_size" in market_share:
        total = float(pd.to_numeric(market_share["market_size"], errors="coerce").sum())
        return total if total > 0 else math.nan
    return math.nan


def _top_segment(segments: pd.DataFrame | None) -> str:
    if segments is None or segments.empty or "icp_rank" not in segments:
        return ""
    return str(segments.sort_values("icp_rank")["segment"].iloc[0])


def unset(goals_df: pd.DataFrame) -> np.ndarray:
    """The derived goals the data gives no number for (value NaN: e.g. leads and lead conversion without a
    marketing table, market share without a market size): the report names them instead of listing "—" or 0 %."""
    value = pd.to_numeric(goals_df["value"], errors="coerce").to_numpy(dtype=float)
    return goals_df["derived"].astype(bool).to_numpy() & ~np.isfinite(value)


def unit(metric: str) -> str:
    """money | count | rate: how a metric's value is shown."""
    if metric in ("revenue", "average_order_value", "clv"):
        return "money"
    if metric in ("new_customers", "leads"):
        return "count"
    return "rate"


def reach(metric: str, capacity: float) -> float:
    """The largest value a goal of `metric` may have and be achievable: its capacity, to the cent for money; a
    count is whole, so a fractional capacity reaches the next whole unit (44.4 customers' worth of budget reaches
    the 45th); a rate to 1e-9."""
    u = unit(metric)
    if u == "count":
        return math.ceil(capacity - 1e-9)
    return capacity + (0.005 if u == "money" else 1e-9)


def _capacity_of(metric: str, rows: list[tuple]) -> float:
    for _, m, _, _, _, cap, _ in rows:
        if m == metric:
            return float(cap)
    return math.nan


def smart_goals(
    plan: Plan,
    inputs: Inputs,
    p: Params,
    segments: pd.DataFrame | None = None,
    market_share: pd.DataFrame | None = None,
    market_size: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Goals derived from the calibration plus the planner's own (goals.smart), each checked against SMART.

    Out: goal, metric, value, unit (money | count | rate), deadline (ISO date or ""), relevant_to, capacity,
    specific, measurable, achievable, relevant, time_bound, smart (all five), derived. A derived goal's `goal`
    text is "" (its sentence is `narrate.smart_frame`'s); a planner's goal keeps its own text, in the report
    language when it gives several. Reads goals.smart, plan_year,
    language.
    """
    year = p.plan_year
    lv = plan.levers
    res = plan.resources
    top = _top_segment(segments)
    feasible = [v for k, v in plan.estimates.items() if k != "ambition" and math.isfinite(v)]
    cap_revenue = min(feasible) if feasible else math.nan
    value_new = res["value_per_new_customer"]
    conv_eff = res["lead_conversion"] * (1 + lv.tool_efficiency)
    if "no_marketing" in inputs.notes and not p.goals.lead_conversion:
        conv_eff = math.nan  # no leads measured (no marketing table) nor set: no conversion, not 0 %
    # Process goals carry the annual target (the flex buffer is over-assigned to reps' revenue quotas only);
    # a count is rounded up once, from the unrounded need.
    need_exact = (
        max(plan.target - res["existing"], 0.0) / value_new
        if math.isfinite(value_new) and value_new > 0
        else math.nan
    )
    need_new = math.ceil(need_exact - 1e-9) if math.isfinite(need_exact) else math.nan
    need_leads = (
        math.ceil(need_exact / conv_eff - 1e-9) if math.isfinite(need_exact) and conv_eff > 0 else math.nan
    )
    revenue_within_limits = within_limits(position(plan))
    curve = inputs.curve
    best = lambda col: float(curve[col].max()) if col in curve and curve[col].notna().any() else math.nan  # noqa: E731
    latest = lambda col: float(curve[col].iloc[-1]) if col in curve and len(curve) else math.nan  # noqa: E731
    mtotal = market_total(market_share, market_size, year)
    clv = math.nan
    # the segments' CLV weighted by their customers, over the segments that have one (a minimal plan's have
    # none: no goal "keep the CLV at $0", the goal is not set for lack of data)
    valued = segments[segments["clv"].notna()] if segments is not None and "clv" in segments else None
    if valued is not None and "customers" in valued and valued["customers"].sum() > 0:
        clv = float((valued["clv"] * valued["customers"]).sum() / valued["customers"].sum())
    deadline = date(year, 12, 31)
    derived = [
        ("revenue", plan.target, cap_revenue, top),
        ("new_customers", need_new, res["customers"] + res["extra_customers"], top),
        ("leads", need_leads, res["leads"], "funnel"),
        ("lead_conversion", conv_eff, best("lead_conversion") * (1 + lv.tool_efficiency), "funnel"),
        ("average_order_value", inputs.aov, best("aov"), "price"),
        ("retention", latest("retention"), best("retention"), "health"),
        ("market_share", plan.target / mtotal if mtotal > 0 else math.nan, cap_revenue / mtotal, top),
        ("clv", clv, clv, "tiering"),
    ]
    rows = [("", metric, value, deadline, rel, capacity, True) for metric, value, capacity, rel in derived]
    lang = p.language
    for g in p.goals.smart:
        text = local_text(g.goal, lang)
        capacity = _capacity_of(g.metric, rows)
        if g.metric in FLOW_METRICS and g.deadline is not None and math.isfinite(capacity):
            days = (g.deadline - date(year, 1, 1)).days + 1
            capacity *= min(max(days, 0), 365) / 365
        rows.append((text, g.metric, math.nan if g.value is None else float(g.value), g.deadline, g.relevant_to,
                     capacity, False))  # fmt: skip
    known_relevant = set(STRATEGY_LEVERS)
    if segments is not None and "segment" in segments:
        # A segment may be a combination ("energy/medium"): each of its parts is a segment in its own right.
        for seg in segments["segment"].astype(str):
            known_relevant |= {seg, *seg.split("/")}
    out = []
    for text, metric, value, dl, rel, capacity, is_derived in rows:
        finite = value is not None and math.isfinite(value)
        # A derived goal always has its sentence (filled in by narrate): specific when its metric is known.
        specific = metric in METRICS and (is_derived or bool(str(text).strip()))
        measurable = bool(finite and value > 0)
        achievable = bool(measurable and math.isfinite(capacity) and value <= reach(metric, capacity))
        if is_derived and metric == "revenue":
            achievable = achievable and revenue_within_limits
        relevant = bool(rel) and rel in known_relevant
        time_bound = dl is not None and date(year, 1, 1) <= dl <= date(year, 12, 31)
        out.append(
            {
                "goal": text,
                "metric": metric,
                "value": value,
                "unit": unit(metric),
                "deadline": dl.isoformat() if dl else "",
                "relevant_to": rel,
                "capacity": capacity,
                "specific": specific,
                "measurable": measurable,
                "achievable": achievable,
                "relevant": relevant,
                "time_bound": time_bound,
                "derived": is_derived,
            }
        )
    df = pd.DataFrame(out)
    df["smart"] = df[list(CRITERIA)].all(axis=1)
    return df
