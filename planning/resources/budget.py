"""Money: the marketing budget by channel and the cost of sales of the whole plan.

- `channel_economics`: per lead source the cost per lead, the conversion (win rate) and AOV, and a response
  curve leads = a * spend^b fitted log-log (b < 1: diminishing returns); a source that stopped producing is
  flagged;
- `allocate` (budget.csv): the split of the total (`total_budget`) that maximises expected revenue under
  per-channel bounds (equal marginal revenue: `equal_marginal_shares`), with each channel's ROI beside the
  current split; `response_curves` for the chart;
- `cost_of_sales` (cost_of_sales.csv): marketing, compensation, travel, training by level and tools.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planning.data import require
from planning.params import local_text
from planning.resources.common import period
from planning.resources.training import training_costs

if TYPE_CHECKING:
    from planning.params import Params, Resources
    from planning.resources.capacity import Baseline


def fit_response(spend: np.ndarray, leads: np.ndarray, max_elasticity: float) -> tuple[float, float, float]:
    """Fit leads = a * spend^b by least squares on log(leads) = log(a) + b log(spend) (months with both > 0).

    b is clipped to [0, max_elasticity] (diminishing returns; a spend series that moved in step with its leads
    cannot show saturation, so the cap is a stated assumption), and log(a) refitted for the clipped b.
    Out: (a, b, r2 of the unclipped fit; NaN with fewer than 3 months or no spread in spend).
    """
    s = np.asarray(spend, dtype=float)
    y = np.asarray(leads, dtype=float)
    ok = (s > 0) & (y > 0)
    ls, ly = np.log(s[ok]), np.log(y[ok])
    if ok.sum() == 0:
        return 0.0, 0.0, float("nan")
    r2 = float("nan")
    b = max_elasticity
    if ok.sum() >= 3 and np.ptp(ls) > 1e-9:
        b_fit, _ = np.polyfit(ls, ly, 1)
        pred = np.polyval([b_fit, ly.mean() - b_fit * ls.mean()], ls)
        ss = ((ly - ly.mean()) ** 2).sum()
        r2 = float(1 - ((ly - pred) ** 2).sum() / ss) if ss > 0 else float("nan")
        b = float(np.clip(b_fit, 0.0, max_elasticity))
    log_a = float(np.mean(ly - b * ls))
    return math.exp(log_a), b, r2


def channel_economics(marketing: pd.DataFrame, opportunities: pd.DataFrame | None, p: Params) -> pd.DataFrame:
    """Per lead source: the last `history_months` of spend and leads, the response curve, win rate and AOV.

    Reads `as_of` (the window's end), `resources.history_months`, `recent_months`, `max_elasticity`,
    `stopped_drop`.
    - elasticity b from the whole history (log-log fit of monthly leads on spend); the level a from the last
      `recent_months` months with that b, so a channel that stopped producing is valued at what it yields now;
    - win_rate = won / (won + lost) of opportunities of the source decided in the window, AOV = mean won amount;
      when the recent `recent_months` win rate is lower it is used (a source whose leads stopped converting);
    - stopped: leads per spend, or the win rate, in the recent months more than `stopped_drop` below the
      months before them in the window.
    Out: channel, spend_12m, leads_12m, cost_per_lead, a, b, r2, win_rate, aov, revenue_per_lead,
    yield_drop, win_rate_drop, stopped.
    """
    as_of, r = p.as_of, p.resources
    m = require(marketing, "marketing", ("month", "channel", "spend", "leads")).copy()
    m["per"] = pd.to_datetime(m["month"]).dt.to_period("M")
    last = period(as_of)
    m = m[m["per"] <= last]
    if m.empty:
        raise ValueError(f"the marketing table has no rows on or before {as_of}")
    window_start = last - r.history_months + 1
    recent_start = last - r.recent_months + 1
    opps = None
    if opportunities is not None and not opportunities.empty:
        opps = opportunities.copy()
        opps["closed"] = pd.to_datetime(opps["close_date"])
        opps = opps[opps["status"].isin(["won", "lost"]) & opps["closed"].notna()]
        opps["per"] = opps["closed"].dt.to_period("M")
        opps = opps[(opps["per"] >= window_start) & (opps["per"] <= last)]
    rows = []
    for ch, g in m.groupby("channel", sort=True):
        g = g.sort_values("per")
        win = g[g["per"] >= window_start]
        recent = g[g["per"] >= recent_start]
        before = win[win["per"] < recent_start]
        _, b, r2 = fit_response(g["spend"].to_numpy(), g["leads"].to_numpy(), r.max_elasticity)
        ok = (recent["spend"] > 0) & (recent["leads"] > 0)
        if ok.any():
            a = math.exp(
                float(np.mean(np.log(recent.loc[ok, "leads"]) - b * np.log(recent.loc[ok, "spend"])))
            )
        else:
            a = 0.0
        yield_recent = recent["leads"].sum() / recent["spend"].sum() if recent["spend"].sum() > 0 else 0.0
        yield_before = (
            before["leads"].sum() / before["spend"].sum() if before["spend"].sum() > 0 else float("nan")
        )
        yield_drop = 1.0 - yield_recent / yield_before if yield_before and yield_before > 0 else float("nan")
        win_rate = aov = wr_recent = wr_before = float("nan")
        if opps is not None:
            o = opps[opps["source"] == ch]
            won = o[o["status"] == "won"]
            if len(o):
                win_rate = len(won) / len(o)
            if len(won):
                aov = float(won["amount"].mean())
            o_recent = o[o["per"] >= recent_start]
            o_before = o[o["per"] < recent_start]
            if len(o_recent):
                wr_recent = (o_recent["status"] == "won").mean()
            if len(o_before):
                wr_before = (o_before["status"] == "won").mean()
        wr_drop = 1.0 - wr_recent / wr_before if wr_before and wr_before > 0 else float("nan")
        used_wr = min(win_rate, wr_recent) if not math.isnan(wr_recent) else win_rate
        stopped = bool((yield_drop > r.stopped_drop) or (wr_drop > r.stopped_drop))
        rows.append(
            {
                "channel": ch,
                "spend_12m": float(win["spend"].sum()),
                "leads_12m": float(win["leads"].sum()),
                "cost_per_lead": float(win["spend"].sum() / win["leads"].sum())
                if win["leads"].sum()
                else np.nan,
                "a": a,
                "b": b,
                "r2": r2,
                "win_rate": used_wr,
                "aov": aov,
                "revenue_per_lead": (used_wr * aov) if not (math.isnan(used_wr) or math.isnan(aov)) else 0.0,
                "yield_drop": yield_drop,
                "win_rate_drop": wr_drop,
                "stopped": stopped,
            }
        )
    out = pd.DataFrame(rows)
    out["revenue_per_lead"] = out["revenue_per_lead"].fillna(0.0)
    return out


def annual_leads(budget: np.ndarray | float, a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """Leads a year from an annual budget spread evenly over 12 months: 12 * a * (budget / 12)^b."""
    x = np.maximum(np.asarray(budget, dtype=float), 0.0)
    return 12.0 * np.asarray(a, dtype=float) * (x / 12.0) ** np.asarray(b, dtype=float)


def total_budget(econ: pd.DataFrame | None, p: Params) -> float:
    """The plan-year marketing budget: `resources.marketing_budget`, else `goals.marketing_budget`, else the
    last `history_months` months' spend (`econ`, from `channel_economics`; NaN when it is None: no marketing
    table)."""
    if p.resources.marketing_budget > 0:
        return float(p.resources.marketing_budget)
    if p.goals.marketing_budget > 0:
        return float(p.goals.marketing_budget)
    return float(econ["spend_12m"].sum()) if econ is not None else float("nan")


def allocate(econ: pd.DataFrame, total: float, r: Resources) -> pd.DataFrame:
    """budget.csv: the split of `total` across channels that maximises expected revenue, beside the current one.

    Reads `resources.min_share`, `max_share`, `max_growth`. Revenue of a channel = annual_leads(x) *
    revenue_per_lead; it is concave (b < 1), so the optimum on the shares (sum = 1, each within [min_share,
    max_share], and at most (1 + max_growth) x its current share: the fitted curve is unknown far beyond the
    spend observed) is where the channels' marginal revenues are equal (`equal_marginal_shares`). The growth cap
    is dropped when the capped channels cannot absorb `total`.
    current_budget = the last months' split scaled to `total`.
    Out: channel, current_budget, optimal_budget, leads, customers, revenue, roi ((revenue - budget) / budget),
    current_leads, current_customers, current_revenue, current_roi, cost_per_lead, b, win_rate, aov, stopped.
    Raises ValueError when the bounds cannot hold the budget (n * max_share < 1 or n * min_share > 1).
    """
    n = len(econ)
    if n == 0:
        raise ValueError("no marketing channels to allocate")
    lo, hi = r.min_share, r.max_share
    if n * hi < 1 - 1e-9 or n * lo > 1 + 1e-9 or lo > hi:
        raise ValueError(
            f"budget shares cannot add up to 100% with {n} channels between min_share={lo} and max_share={hi}"
        )
    a = econ["a"].to_numpy(float)
    b = econ["b"].to_numpy(float)
    rpl = econ["revenue_per_lead"].to_numpy(float)
    spend = econ["spend_12m"].to_numpy(float)
    current = spend / spend.sum() * total if spend.sum() > 0 else np.full(n, total / n)
    cur_share = current / total if total > 0 else np.full(n, 1 / n)
    upper = np.maximum(np.minimum(hi, cur_share * (1.0 + r.max_growth)), lo)
    if upper.sum() < 1.0 - 1e-9:
        upper = np.full(n, hi)
    # revenue of share s of the budget: 12 a (s T / 12)^b rpl = scale * s^b
    scale = 12.0 * a * (max(total, 0.0) / 12.0) ** b * rpl
    shares = equal_marginal_shares(scale, b, lo, upper, cur_share)
    optimal = shares * total
    out = pd.DataFrame({"channel": econ["channel"], "current_budget": current, "optimal_budget": optimal})
    for prefix, x in (("", optimal), ("current_", current)):
        leads = annual_leads(x, a, b)
        out[f"{prefix}leads"] = leads
        out[f"{prefix}customers"] = leads * econ["win_rate"].fillna(0.0).to_numpy()
        out[f"{prefix}revenue"] = leads * rpl
        out[f"{prefix}roi"] = np.where(x > 0, (leads * rpl - x) / np.where(x > 0, x, 1.0), np.nan)
    for col in ("cost_per_lead", "b", "win_rate", "aov", "stopped"):
        out[col] = econ[col].to_numpy()
    return out


def equal_marginal_shares(
    scale: np.ndarray, b: np.ndarray, lo: float, upper: np.ndarray, current: np.ndarray
) -> np.ndarray:
    """The shares s (sum 1, lo <= s_i <= upper_i) that maximise sum(scale_i * s_i^b_i) for 0 <= b_i < 1.

    The objective is concave, so the optimum is where every channel inside its bounds earns the same marginal
    revenue lambda (scale b s^(b-1) = lambda; a channel whose marginal stays below lambda sits at lo, one above
    it at its upper bound): lambda is found by bisection on its logarithm, the shares follow in closed form.
    Exact and certain where SLSQP, used before, stopped with "Positive directional derivative for linesearch"
    on some territories (a tolerance at the limit of double precision): no starting point, no convergence.
    Channels that earn nothing more from more budget (scale or b = 0) keep lo, and share what the earning
    channels cannot hold (each at its upper bound) in proportion to their `current` shares, within their bounds:
    any such split earns the same, so the plan moves them no more than it must.
    """
    scale, b, upper, current = (np.asarray(v, dtype=float) for v in (scale, b, upper, current))
    k = scale * b  # the marginal at s = 1
    earns = k > 0

    def shares(log_lam: float) -> np.ndarray:
        s = np.full(len(k), lo)
        with np.errstate(over="ignore", divide="ignore"):
            # s = (lambda / k)^(1 / (b - 1)), in logs: exp((log lambda - log k) / (b - 1))
            s[earns] = np.exp((log_lam - np.log(k[earns])) / (b[earns] - 1.0))
        return np.clip(s, lo, upper)

    if earns.any() and shares(-745.0).sum() > 1.0:
        # log lambda between -745 (every earning channel at its upper bound: above 1) and 745 (all at lo)
        s = shares(_bisect(lambda x: shares(x).sum() > 1.0, -745.0, 745.0))
        return s / s.sum()
    s = np.where(earns, upper, lo)
    rest = ~earns
    weight = np.where(current[rest] > 0, current[rest], 0.0) + 1e-12  # a channel never funded still has room
    left = 1.0 - s[earns].sum()

    def spread(log_f: float) -> np.ndarray:
        return np.clip(np.exp(log_f) * weight, lo, upper[rest])

    s[rest] = spread(_bisect(lambda x: spread(x).sum() < left, -745.0, 745.0))
    return s / s.sum()


def _bisect(below: Any, low: float, high: float) -> float:
    """The point where the monotone test `below` turns from True (at `low`) to False (at `high`), to 1e-13."""
    for _ in range(200):
        mid = 0.5 * (low + high)
        if below(mid):
            low = mid
        else:
            high = mid
        if high - low < 1e-13:
            break
    return 0.5 * (low + high)


def response_curves(alloc: pd.DataFrame, econ: pd.DataFrame, points: int = 41) -> pd.DataFrame:
    """Revenue of each channel for budgets from 0 to 1.5x the largest current or optimal budget (for the chart).

    Out: channel, budget, revenue.
    """
    top = 1.5 * float(max(alloc["current_budget"].max(), alloc["optimal_budget"].max()))
    grid = np.linspace(0.0, top, points)
    rows = [
        pd.DataFrame(
            {
                "channel": c.channel,
                "budget": grid,
                "revenue": annual_leads(grid, c.a, c.b) * c.revenue_per_lead,
            }
        )
        for c in econ.itertuples()
    ]
    return pd.concat(rows, ignore_index=True)


def cost_of_sales(
    cap: pd.DataFrame,
    base: Baseline | None,
    inc_summary: pd.DataFrame,
    new_hires: int,
    marketing_total: float,
    revenue_target: float,
    r: Resources,
    lang: str = "en",
) -> pd.DataFrame:
    """The whole plan-year budget of the sales organisation: category, item, amount, basis, share.

    Reads `resources.base_salary`, `travel_per_rep`, `training_per_person`, `tools`.
    Average reps = mean planned headcount of the plan year; variable pay = the expected cost of the incentive
    plan (includes the growth fund); training: new hires x new-hire rate, current reps x core rate,
    managers x manager rate (`training.training_costs`). The last row is the total; `share` is the amount / revenue target.
    Lines the data cannot price are left out: marketing when `marketing_total` is NaN (no marketing table and
    no budget in params); compensation, travel and training without a team (`base` None: no reps table).
    """
    rows = []
    if math.isfinite(marketing_total):
        rows.append(("marketing", "marketing", marketing_total, ""))
    if base is not None:
        avg_reps = float(cap["planned_headcount"].mean())
        inc = inc_summary.set_index("metric")["value"]
        rows += [
            (
                "compensation",
                "base_salary",
                avg_reps * r.base_salary,
                f"{avg_reps:.1f} x {r.base_salary:,.0f}",
            ),
            ("compensation", "variable_pay", float(inc["expected_cost"]), ""),
            ("travel", "travel", avg_reps * r.travel_per_rep, f"{avg_reps:.1f} x {r.travel_per_rep:,.0f}"),
        ]
        rows += training_costs(new_hires, len(base.team), base.managers, r)
    for tool in r.tools:
        basis = f"+{tool.efficiency:.0%}" if tool.efficiency else ""
        rows.append(("tools", local_text(tool.name, lang), float(tool.cost), basis))
    df = pd.DataFrame(rows, columns=["category", "item", "amount", "basis"])
    total = float(df["amount"].sum())
    df = pd.concat(
        [df, pd.DataFrame([{"category": "total", "item": "total", "amount": total, "basis": ""}])],
        ignore_index=True,
    )
    df["share"] = df["amount"] / revenue_target if revenue_target else np.nan
    return df


def priced(costs: pd.DataFrame) -> bool:
    """Whether `cost_of_sales` priced any line besides the total (none without a team, a marketing budget or
    tools in params: a $0 total would read as a free sales organisation)."""
    return bool((costs["category"] != "total").any())


def has_item(costs: pd.DataFrame, item: str) -> bool:
    """Whether `cost_of_sales` priced line `item` (e.g. "marketing")."""
    return bool((costs["item"] == item).any())
