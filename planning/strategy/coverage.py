"""Pipeline coverage: the pipeline the plan year needs (the part of the target new deals must win / win rate),
how much of it the open pipeline covers, the leads to generate by when, and where leads come from and cost.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from planning.data import require
from planning.params import Params
from planning.strategy.funnel import (
    STAGE_DATE,
    STAGES,
    Support,
    next_stages,
    reached_stages,
    support,
    win_stats,
)
from planning.strategy.history import months_before


def coverage(
    targets: pd.DataFrame,
    opps: pd.DataFrame,
    p: Params,
    funnel_df: pd.DataFrame,
    base_expected: float = 0.0,
    first_year_factor: float = 1.0,
    share: float | None = None,
) -> pd.DataFrame:
    """Pipeline coverage for each quarter of the plan (`targets.csv` rows with level quarter).

    pipeline_target = the part of the quarter's target new deals must win: target x `strategy.pipeline_share`, or,
    (`share`, when given, in its place: the minimal plan's `minimal_share`), or, when that is None, target minus
    the quarter's share (its share of the year's target) of `base_expected` (what
    the installed base is expected to deliver, `installed_base`), floored at 0.
    win_rate = value win rate of the last `strategy.funnel_months` months, segment by segment where a segment has
    at least `strategy.min_segment_deals` decided deals (weighted by the segments' share of won value), else
    overall; won_value_needed = pipeline_target / `first_year_factor` (`first_year_revenue`: a new customer's
    first-year revenue per unit of won deal value; pipeline is counted in deal value); required_pipeline =
    won_value_needed / win_rate.
    open_pipeline = open deals whose expected close (stage date + the remaining stages' median days) falls in the
    quarter; coverage_ratio = open / required; gap = required - open (>= 0); leads_needed = gap / average lead
    amount (rounded up), and the deals that must reach each later stage (leads x the funnel's conversion rates;
    NaN for a stage the funnel has no dates for); leads_by = the latest date those leads must enter (quarter end
    - median cycle days).
    What the opportunities do not support (`funnel.support`) is not computed from zeros: when lost (or won) deals
    carry no values the win rate is the deal-count one and the pipeline is valued at the average won deal (the
    average lead amount would count the unvalued deals as 0); when open deals carry no values the open pipeline
    and coverage_ratio are NaN and the gap is the whole required pipeline.
    """
    require(targets, "targets", ("level", "period", "start", "end", "target"))
    require(opps, "opportunities", ("lead_date", "status", "amount"))
    require(funnel_df, "funnel", ("stage", "conversion_rate", "median_days"))
    as_of = pd.Timestamp(p.as_of)
    share = p.strategy.pipeline_share if share is None else share
    q = targets.loc[targets["level"].astype(str) == "quarter"].copy()
    if q.empty:
        raise ValueError("targets has no rows with level 'quarter'")
    q["start"] = pd.to_datetime(q["start"])
    q["end"] = pd.to_datetime(q["end"])
    q["target"] = q["target"].astype(float)
    q = q.sort_values("start")

    overall = win_stats(opps, p).iloc[0]
    sup = support(opps, p)
    win_rate = pipeline_win_rate(opps, p, overall, sup)
    year_total = q["target"].sum()
    if share is not None:
        pipeline_target = q["target"] * share
    else:
        base_q = base_expected * q["target"] / year_total if year_total else 0.0
        pipeline_target = (q["target"] - base_q).clip(lower=0.0)

    expected_close = _expected_close(opps, as_of, funnel_df)
    open_amt = opps.loc[expected_close.index, "amount"].astype(float)
    open_pipeline = [
        float(open_amt[(expected_close >= s) & (expected_close <= e)].sum())
        for s, e in zip(q["start"], q["end"], strict=True)
    ]
    rates = funnel_df.set_index("stage")["conversion_rate"].astype(float)
    cycle = (
        overall["cycle_days"] if pd.notna(overall["cycle_days"]) else float(funnel_df["median_days"].sum())
    )
    avg_lead = overall["avg_lead_amount"] if sup.value_win_rate else overall["avg_won_amount"]

    out = pd.DataFrame(
        {
            "period": q["period"].astype(str).to_numpy(),
            "start": q["start"].dt.date.to_numpy(),
            "end": q["end"].dt.date.to_numpy(),
            "target": q["target"].to_numpy(),
            "pipeline_target": np.asarray(pipeline_target, dtype=float),
            "won_value_needed": np.asarray(pipeline_target, dtype=float) / first_year_factor,
            "win_rate": win_rate,
        }
    )
    out["required_pipeline"] = out["won_value_needed"] / win_rate if win_rate and win_rate > 0 else math.nan
    out["open_pipeline"] = open_pipeline if sup.open_values else math.nan
    out["coverage_ratio"] = (out["open_pipeline"] / out["required_pipeline"]).where(
        out["required_pipeline"] > 0
    )
    out["gap"] = (out["required_pipeline"] - out["open_pipeline"].fillna(0.0)).clip(lower=0.0)
    leads = (
        np.ceil(out["gap"] / avg_lead) if avg_lead and avg_lead > 0 else pd.Series(math.nan, index=out.index)
    )
    out["leads_needed"] = leads.astype(float)
    running = out["leads_needed"].copy()
    for stage in STAGES[1:]:
        out[f"{stage}_needed"] = math.nan  # a stage the funnel has no dates for
    for stage, nxt in zip(funnel_df["stage"].astype(str), next_stages(funnel_df), strict=True):
        running = running * rates.get(stage, math.nan)
        out[f"{nxt}_needed"] = running.round(1)
    out["leads_by"] = (q["end"] - pd.to_timedelta(cycle, unit="D")).dt.date.to_numpy()
    return out


COVERAGE_COLUMNS = ("period", "start", "end", "target", "pipeline_target", "won_value_needed", "win_rate",
                    "required_pipeline",
                    "open_pipeline", "coverage_ratio", "gap", "leads_needed", "discovery_needed", "proposal_needed",
                    "negotiation_needed", "won_needed", "leads_by")  # fmt: skip


def coverage_or_empty(
    targets: pd.DataFrame | None,
    opps: pd.DataFrame | None,
    p: Params,
    funnel_df: pd.DataFrame,
    base_expected: float = 0.0,
    first_year_factor: float = 1.0,
    share: float | None = None,
) -> pd.DataFrame:
    """`coverage`, or an empty table with its columns when step 2's quarterly targets or the opportunities are
    not available (the report then says so, and step 4 still finds the artefact)."""
    if (
        opps is None
        or targets is None
        or "level" not in targets.columns
        or not (targets["level"].astype(str) == "quarter").any()
    ):
        return pd.DataFrame({c: pd.Series(dtype=float) for c in COVERAGE_COLUMNS})
    return coverage(targets, opps, p, funnel_df, base_expected, first_year_factor, share)


def minimal_share(p: Params) -> float:
    """The share of the target new deals must win in the minimal plan, which projects no installed base
    (docs/method.md, short histories): `strategy.pipeline_share` when set, else the growth ambition's part of
    the target, goals.growth_ambition / (1 + goals.growth_ambition) (the installed base assumed to keep its run
    rate). An assumption the report states."""
    if p.strategy.pipeline_share is not None:
        return float(p.strategy.pipeline_share)
    g = float(p.goals.growth_ambition)
    return g / (1.0 + g) if g > 0 else 0.0


def pipeline_win_rate(
    opps: pd.DataFrame, p: Params, overall: pd.Series | None = None, sup: Support | None = None
) -> float:
    """The win rate pipeline coverage divides by (the shared fact coverage_win_rate): the value win rate, or the
    win rate by deal count when the deals' values do not support one (`funnel.support`: lost deals without a
    value), per industry where there are enough decided deals (`strategy.min_segment_deals`), blended by the
    industries' won value (won deals by count); the overall rate elsewhere. `overall` (`win_stats(opps, p)`'s
    row) and `sup` (`support(opps, p)`), when the caller has them, are not worked out again."""
    overall = win_stats(opps, p).iloc[0] if overall is None else overall
    sup = support(opps, p) if sup is None else sup
    col = "value_win_rate" if sup.value_win_rate else "win_rate"
    return _blended_win_rate(opps, p, overall, col)


def _blended_win_rate(
    opps: pd.DataFrame, p: Params, overall: pd.Series, col: str = "value_win_rate"
) -> float:
    """Win rate (`col`: value_win_rate, or win_rate by deal count when values do not support it), per segment
    where there are enough decided deals, weighted by the segments' won value (won deals by count)."""
    base = overall[col]
    if "industry" not in opps.columns:
        return float(base) if pd.notna(base) else math.nan
    seg = win_stats(opps, p, by="industry")
    enough = (seg["won"] + seg["lost"]) >= p.strategy.min_segment_deals
    rate = seg[col].where(enough, base)
    weight = seg["won_amount"] if col == "value_win_rate" else seg["won"].astype(float)
    if weight.sum() <= 0 or rate.isna().all():
        return float(base) if pd.notna(base) else math.nan
    # required = sum_s target_s / rate_s with target_s = target x w_s  =>  blended rate = 1 / sum_s (w_s / rate_s)
    w = weight / weight.sum()
    return float(1.0 / (w / rate).sum())


def _expected_close(opps: pd.DataFrame, as_of: pd.Timestamp, funnel_df: pd.DataFrame) -> pd.Series:
    """Expected close date of each open deal: the date it reached its current stage + the median days of that
    stage and the ones after it; deals already past that date are expected to close in the next 30 days."""
    reached, closed, _ = reached_stages(opps, as_of)
    open_mask = ~closed & (pd.to_datetime(opps["lead_date"]) <= as_of).to_numpy()
    days = funnel_df.set_index("stage")["median_days"].astype(float).fillna(0.0)
    remaining = days[::-1].cumsum()[::-1]  # stage -> days from entering it to close
    current = pd.Series("lead", index=opps.index)
    for stage in STAGES[1:-1]:
        current = current.where(~reached[stage], stage)
    since = pd.Series(pd.NaT, index=opps.index, dtype="datetime64[us]")
    for stage in STAGES[:-1]:
        if STAGE_DATE[stage] in opps.columns:
            since = since.where(current != stage, pd.to_datetime(opps[STAGE_DATE[stage]]))
    eta = since + pd.to_timedelta(current.map(remaining).fillna(0.0), unit="D")
    eta = eta.where(eta > as_of, as_of + pd.Timedelta(days=30))
    return eta[open_mask]


def pipeline_timing(opps: pd.DataFrame, p: Params, funnel_df: pd.DataFrame) -> dict[str, Any]:
    """When the open pipeline is expected to close, relative to the plan year (for the coverage sentence).

    Expected close as in `coverage` (stage date + the funnel's median days of the remaining stages). Out: n_open,
    open_amount, before_plan (amount expected to close before 1 January of `plan_year`; reads `as_of` too), in_plan (within it),
    latest (latest expected close date, None without open deals).
    """
    eta = _expected_close(opps, pd.Timestamp(p.as_of), funnel_df)
    amount = opps.loc[eta.index, "amount"].astype(float)
    start, end = pd.Timestamp(f"{p.plan_year}-01-01"), pd.Timestamp(f"{p.plan_year}-12-31")
    return {
        "n_open": int(len(eta)),
        "open_amount": float(amount.sum()),
        "before_plan": float(amount[eta < start].sum()),
        "in_plan": float(amount[(eta >= start) & (eta <= end)].sum()),
        "latest": eta.max().date() if len(eta) else None,
    }


def leads_last_12m(marketing: pd.DataFrame | None, opps: pd.DataFrame | None, p: Params) -> float:
    """Qualified leads the region produced in the 12 months up to `as_of`: the marketing table's leads, else the
    opportunities that entered the funnel (NaN without either)."""
    as_of = pd.Timestamp(p.as_of)
    if marketing is not None and {"month", "leads"} <= set(marketing.columns):
        m = pd.to_datetime(marketing["month"])
        return float(marketing.loc[(m > months_before(as_of, 12)) & (m <= as_of), "leads"].sum())
    if opps is not None and "lead_date" in opps.columns:
        d = pd.to_datetime(opps["lead_date"])
        return float(((d > months_before(as_of, 12)) & (d <= as_of)).sum())
    return math.nan


def acquisition_mix(
    opps: pd.DataFrame,
    customers: pd.DataFrame | None,
    marketing: pd.DataFrame | None,
    p: Params,
) -> pd.DataFrame:
    """Leads, wins and cost by lead source (content, events, referral, partner leads ...), last
    `strategy.funnel_months` months up to `as_of`.

    Out: source, leads, won, win_rate, won_amount, customers (customers ever acquired by the source, from the
    customers table), spend and marketing_leads (marketing table; NaN when absent), cost_per_lead = spend /
    marketing leads, cost_per_win = spend / won.
    """
    out = win_stats(opps, p, by="source")[["source", "leads", "won", "win_rate", "won_amount"]]
    if customers is not None and "acquisition_channel" in customers.columns:
        n = customers["acquisition_channel"].astype(str).value_counts()
        out["customers"] = out["source"].map(n).fillna(0).astype(int)
    else:
        out["customers"] = np.nan
    if marketing is not None and {"month", "channel", "spend", "leads"} <= set(marketing.columns):
        as_of = pd.Timestamp(p.as_of)
        m = marketing.loc[
            (pd.to_datetime(marketing["month"]) > months_before(as_of, p.strategy.funnel_months))
            & (pd.to_datetime(marketing["month"]) <= as_of)
        ]
        agg = m.groupby(m["channel"].astype(str))[["spend", "leads"]].sum()
        out["spend"] = out["source"].map(agg["spend"]).astype(float)
        out["marketing_leads"] = out["source"].map(agg["leads"]).astype(float)
        out["cost_per_lead"] = (out["spend"] / out["marketing_leads"]).where(out["marketing_leads"] > 0)
        out["cost_per_win"] = (out["spend"] / out["won"]).where(out["won"] > 0)
    else:
        for col in ("spend", "marketing_leads", "cost_per_lead", "cost_per_win"):
            out[col] = np.nan
    return out
