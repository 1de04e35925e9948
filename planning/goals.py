"""Step 2, goals (目标设定): calibrated target, SMART goals and the exact decomposition to week and rep.

The step turns "what will likely happen" (the baseline forecast, `planning.forecast`) into "what we will make
happen" by three-dimensional calibration (三维校准):

- market: baseline + the market increment step 1 carries over (`market_increment.csv`);
- team: current quota reps x ramp-adjusted productivity of the last 3 periods x survival (attrition) + planned
  hires on their ramp + training uplift on ramping reps + tool efficiency + sales not carried by quota reps;
- resources: marketing budget -> leads (cost per lead) -> new customers (conversion, lifted by tool efficiency)
  -> revenue (average order value x orders per new customer), on top of the existing customers' business;
- strategic intent: the last 12 months x (1 + growth ambition).

`goals.combine` states how they combine ("min": ambition bounded by market, team and resources, i.e. the
intersection; "ambition": ambition as set). The flex buffer (`goals.buffer`) comes on top. The annual target is
then split year -> quarter -> month (seasonality of step 1) -> working day -> ISO week, and month -> team -> rep
(ramp-adjusted capacity and territory potential), in integer cents with largest-remainder rounding so every
level sums exactly to its parent.

Team numbers (productivity of a ramped rep, ramp months and curve, attrition, house share) come from
`planning.team`, the single source the resources step uses too: in the k-th month of tenure (the hire month is
k = 1) a rep produces min(1, k / (ramp_months + 1)) of a full rep's output; training lifts a ramping rep to
min(1, ramp x (1 + goals.training_uplift)). Attrition is a constant hazard: a person still in the plan at the
middle of a month, e months after entering the horizon (the month after as_of, or the month of hire), survives
with (1 - attrition) ** (e / 12).

Performance: `prepare()` does everything that depends only on data; `whatif(inputs, levers)` is the pure, numpy
recomputation of calibration + decomposition that both the batch run and the JupyterLab sliders call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planning import forecast as fc
from planning import i18n
from planning import team as tm

if TYPE_CHECKING:
    from planning.params import Params

#: The order-line columns this step reads (`Context.data` reads only these of the orders file: on a 10 M-line
#: history the others would cost seconds and memory for nothing). A new use of another column goes here too.
ORDER_COLUMNS = (
    "order_id",
    "order_date",
    "customer_id",
    "rep_id",
    "region",
    "product_line",
    "channel",
    "amount",
)

MONTHS = 12
#: Metrics a SMART goal can name; "higher is better" for all of them (achievable = value <= capacity x (1+buffer)).
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


# ------------------------------------------------------------------------------------------------ allocation
def allocate(total: int, weights: Any) -> np.ndarray:
    """Split integer `total` (e.g. cents) over `weights` by largest remainder: exact sum, each part within 1 of
    its proportional share. All-zero weights split evenly. Raises ValueError for a negative total or weight.
    """
    w = np.asarray(weights, dtype=float).reshape(1, -1)
    return allocate_rows(np.array([int(total)], dtype=np.int64), w)[0]


def allocate_rows(totals: Any, weights: Any) -> np.ndarray:
    """Row-wise largest-remainder split: `totals` (n,) integers over `weights` (n, k) -> (n, k) int64.

    Each row sums exactly to its total; ties in the remainders go to the earlier column (deterministic).
    """
    totals = np.asarray(totals, dtype=np.int64)
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or w.shape[0] != totals.shape[0]:
        raise ValueError(f"weights of shape {w.shape} do not match {totals.shape[0]} totals")
    if w.shape[1] == 0:
        if np.any(totals != 0):
            raise ValueError("cannot allocate a non-zero total over zero parts")
        return np.zeros(w.shape, dtype=np.int64)
    if np.any(totals < 0):
        raise ValueError("cannot allocate a negative total")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    s = w.sum(axis=1, keepdims=True)
    w = np.where(s > 0, w, 1.0)
    s = w.sum(axis=1, keepdims=True)
    exact = totals[:, None].astype(float) * (w / s)
    base = np.floor(exact).astype(np.int64)
    # Float rounding on huge totals can push a floor one unit over: take it back from the largest part.
    over = base.sum(axis=1) - totals
    for i in np.nonzero(over > 0)[0]:
        base[i, np.argmax(base[i])] -= over[i]
    rest = totals - base.sum(axis=1)
    frac = exact - base
    order = np.argsort(-frac, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(w.shape[1])[None, :].repeat(w.shape[0], 0), axis=1)
    return base + (rank < rest[:, None]).astype(np.int64)


def cents(x: float) -> int:
    return int(round(float(x) * 100))


# ------------------------------------------------------------------------------------------------ ramp
#: The ramp curve (tenure 1 = month of hire), shared with the resources step: see `planning.team.ramp`.
ramp = tm.ramp


# ------------------------------------------------------------------------------------------------ history
def capacity_curve(tables: Any, as_of: date, ramp_months: int, periods: int = 3) -> pd.DataFrame:
    """The last `periods` trailing 12-month periods' capacity (newest last), from the region's tables.

    `ramp_months` is the team's ramp (`planning.team.measure`). Out: period (e.g. "2025-10..2026-09"), start, end (month
    starts), sales, quota_sales (sales of quota reps in their employed months), rep_fte (ramp-adjusted full-rep
    years), per_rep (quota_sales / rep_fte, `planning.team.output_periods`: the same per-rep output the team dimension and
    the resources step use), orders, aov (sales / orders), customers (buying), new_customers (first order in the
    period), new_sales, leads, spend, cost_per_lead, lead_conversion (new customers / leads), retention (share of
    the previous period's buyers who bought again), exits, headcount (mean quota reps), attrition (exits /
    headcount). Only periods fully inside the history are returned.
    """
    orders = tables.orders
    last = fc.last_complete_month(as_of)
    first = fc.month_start(pd.to_datetime(orders["order_date"]).min()) if len(orders) else last
    od = pd.to_datetime(orders["order_date"]).dt.to_period("M").dt.to_timestamp()
    reps = tm.quota_reps(tables.reps)
    customers = tables.customers
    marketing = tables.marketing
    out_p = pd.DataFrame()
    if reps is not None and len(reps) and len(orders):
        history = tm.rep_months(orders, tables.reps, first.to_period("M"), last.to_period("M"))
        out_p = tm.output_periods(history, last.to_period("M"), ramp_months, periods).set_index("period")
    rows = []
    for j in range(periods - 1, -1, -1):
        end = last - pd.DateOffset(months=12 * j)
        start = end - pd.DateOffset(months=11)
        if start < first:
            continue
        in_p = (od >= start) & (od <= end)
        o = orders[in_p]
        prev = orders[(od >= start - pd.DateOffset(months=12)) & (od < start)]
        sales = float(o["amount"].sum())
        label = f"{start:%Y-%m}..{end:%Y-%m}"
        row: dict[str, Any] = {"period": label, "start": start, "end": end, "sales": sales}
        if label in out_p.index:
            row["quota_sales"] = float(out_p.loc[label, "quota_sales"])
            row["rep_fte"] = float(out_p.loc[label, "rep_fte"])
            row["headcount"] = float(out_p.loc[label, "rep_months"]) / 12.0
            exits = reps["exit_date"].between(start, end + pd.offsets.MonthEnd(0))
            row["exits"] = int(exits.sum())
        else:
            row.update(quota_sales=math.nan, rep_fte=math.nan, headcount=math.nan, exits=0)
        row["orders"] = int(o["order_id"].nunique()) if "order_id" in o else len(o)
        buyers = set(o["customer_id"].astype(str).unique())
        row["customers"] = len(buyers)
        prev_buyers = set(prev["customer_id"].astype(str).unique())
        row["retention"] = len(buyers & prev_buyers) / len(prev_buyers) if prev_buyers else math.nan
        if customers is not None and len(customers):
            fod = pd.to_datetime(customers["first_order_date"])
            new_ids = set(
                customers.loc[(fod >= start) & (fod <= end + pd.offsets.MonthEnd(0)), "customer_id"]
            )
        else:
            first_buy = orders.groupby(orders["customer_id"].astype(str), observed=True)["order_date"].min()
            first_buy = pd.to_datetime(first_buy)
            new_ids = set(first_buy[(first_buy >= start) & (first_buy <= end + pd.offsets.MonthEnd(0))].index)
        row["new_customers"] = len(new_ids)
        row["new_sales"] = float(o.loc[o["customer_id"].astype(str).isin(new_ids), "amount"].sum())
        if marketing is not None and len(marketing):
            mm = pd.to_datetime(marketing["month"])
            m = marketing[(mm >= start) & (mm <= end)]
            row["leads"] = float(m["leads"].sum())
            row["spend"] = float(m["spend"].sum())
        else:
            row["leads"], row["spend"] = math.nan, math.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out["per_rep"] = out["quota_sales"] / out["rep_fte"].where(out["rep_fte"] > 0)
    out["aov"] = out["sales"] / out["orders"].where(out["orders"] > 0)
    out["cost_per_lead"] = out["spend"] / out["leads"].where(out["leads"] > 0)
    out["lead_conversion"] = out["new_customers"] / out["leads"].where(out["leads"] > 0)
    out["attrition"] = out["exits"] / out["headcount"].where(out["headcount"] > 0)
    return out


# ------------------------------------------------------------------------------------------------ inputs
@dataclass(frozen=True)
class Levers:
    """The what-if knobs (defaults: the parameters). Fractions as fractions (0.15 = 15 %)."""

    growth_ambition: float
    buffer: float
    lead_conversion: float
    marketing_budget: float
    attrition: float
    training_uplift: float
    tool_efficiency: float


@dataclass
class Inputs:
    """Everything `whatif` needs, precomputed from data, earlier artefacts and parameters (see `prepare`)."""

    region: str
    plan_year: int
    lang: str
    currency: str
    combine: str
    ramp_months: int
    model: str
    last12: float
    baseline: float
    baseline_monthly: np.ndarray  # (12,)
    increments: pd.DataFrame  # source, segment_or_dimension, amount, explanation
    season: np.ndarray  # (12,), mean 1
    productivity: float  # annual output of a fully ramped quota rep
    house_share: float  # share of last-12-month sales not owned by quota reps
    roster: pd.DataFrame  # rep_id, name, team, kind (current|hire), start (YYYY-MM), potential
    tenure: np.ndarray  # (reps, 12) tenure month number in each plan month (0 = not employed)
    elapsed: np.ndarray  # (reps, 12) months in the horizon at mid-month (`planning.team.schedule`)
    teams: list[str]
    team_of: np.ndarray  # (reps,) index into teams
    cost_per_lead: float
    aov: float
    orders_per_new_customer: float
    new_share: float  # share of last-12-month sales from customers acquired in those 12 months
    measured: Levers  # values measured from the data (for the report and the sliders' reference marks)
    curve: pd.DataFrame  # capacity_curve(): the last 3 periods
    calendar: pd.DataFrame  # day, month (0-11), week (period label), weight (working day 1/0)
    week_labels: list[str]
    week_start: list[str]
    week_end: list[str]
    week_of_day: np.ndarray
    month_of_day: np.ndarray
    day_weight: np.ndarray
    notes: list[str] = field(default_factory=list)
    crew: tm.Team | None = None  # the measured team (planning.team), shared with the resources step


def levers_from(p: Params, inputs: Inputs) -> Levers:
    """The levers as the parameters set them; 0 / None parameters fall back to the measured values.

    Reads goals.growth_ambition, buffer, lead_conversion, marketing_budget, training_uplift, tool_efficiency and
    resources.attrition.
    """
    g, m = p.goals, inputs.measured
    attrition = p.resources.attrition
    return Levers(
        growth_ambition=g.growth_ambition,
        buffer=g.buffer,
        lead_conversion=g.lead_conversion or m.lead_conversion,
        marketing_budget=g.marketing_budget or m.marketing_budget,
        attrition=m.attrition if attrition is None else attrition,
        training_uplift=g.training_uplift,
        tool_efficiency=g.tool_efficiency,
    )


def season_weights(seasonality: pd.DataFrame | None, history: pd.Series | None = None) -> np.ndarray:
    """Month-of-year index (12,), mean 1, from step 1's `seasonality.csv` (month_of_year 1..12, index).

    Without it, the history's own month-of-year profile; flat when neither has all twelve months.
    """
    if seasonality is not None and len(seasonality):
        s = seasonality.set_index("month_of_year")["index"].reindex(range(1, 13))
        if s.notna().all() and (s >= 0).all() and s.sum() > 0:
            v = s.to_numpy(dtype=float)
            return v / v.mean()
    if history is not None and len(history) >= 12:
        prof = history.groupby(history.index.month).mean().reindex(range(1, 13))
        if prof.notna().all() and prof.sum() > 0:
            v = prof.to_numpy(dtype=float)
            return v / v.mean()
    return np.ones(12)


def working_calendar(plan_year: int, holidays: list[date] | tuple[date, ...] = ()) -> pd.DataFrame:
    """Every day of `plan_year`: day, month (0-11), week ("YYYY-Www" ISO week), weight (1 = working day: Mon-Fri
    and not in `holidays`, goals.holidays). A month without a working day weighs all its days equally.
    """
    days = pd.date_range(f"{plan_year}-01-01", f"{plan_year}-12-31", freq="D")
    iso = days.isocalendar()
    week = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
    weight = (days.day_of_week < 5).astype(float)
    hol = pd.DatetimeIndex(pd.to_datetime(list(holidays))) if holidays else pd.DatetimeIndex([])
    weight = np.where(days.isin(hol), 0.0, weight)
    cal = pd.DataFrame({"day": days, "month": days.month - 1, "week": week, "weight": weight})
    empty = cal.groupby("month")["weight"].transform("sum") == 0
    cal.loc[empty, "weight"] = 1.0
    return cal


def _increments(market_increment: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["source", "segment_or_dimension", "amount", "explanation"]
    if market_increment is None or market_increment.empty:
        return pd.DataFrame(columns=cols)
    missing = [c for c in cols if c not in market_increment.columns]
    if missing:
        raise KeyError(f"market_increment lacks columns {missing}")
    inc = market_increment[cols].copy()
    inc["amount"] = pd.to_numeric(inc["amount"], errors="raise").astype(float)
    return inc.reset_index(drop=True)


def roster(
    reps: pd.DataFrame | None,
    as_of: date,
    plan_year: int,
    hires: list[Any],
) -> pd.DataFrame:
    """Quota reps employed at `as_of` plus planned hires (goals.planned_hires: team, start_month, count).

    Out: rep_id, name, team, kind ("current" | "hire"), hire_month (month-start Timestamp). A hire without a
    team joins the team with the fewest quota reps at that point (ties: first by name). Hires are "HIRE-01" ...
    """
    r = tm.quota_reps(reps)
    asof = pd.Timestamp(as_of)
    cols = ["rep_id", "name", "team", "kind", "hire_month"]
    if r is None:  # no reps table: planned hires only (typed, so that hire_month stays a date column)
        cur = pd.DataFrame(
            {c: pd.Series(dtype="datetime64[us]" if c == "hire_month" else "str") for c in cols}
        )
    else:
        active = (r["hire_date"] <= asof) & (r["exit_date"].isna() | (r["exit_date"] > asof))
        cur = r.loc[active, ["rep_id", "name", "team", "hire_date"]].copy()
        cur["team"] = cur["team"].astype(str)
        cur["kind"] = "current"
        cur["hire_month"] = cur["hire_date"].dt.to_period("M").dt.to_timestamp()
        cur = cur[cols].sort_values(["team", "rep_id"]).reset_index(drop=True)
    sizes = cur["team"].value_counts().to_dict()
    rows = []
    n = 0
    for h in hires:
        for _ in range(int(h.count)):
            n += 1
            team = h.team or (min(sorted(sizes), key=lambda t: sizes[t]) if sizes else "team-1")
            sizes[team] = sizes.get(team, 0) + 1
            rows.append(
                {
                    "rep_id": f"HIRE-{n:02d}",
                    "name": f"HIRE-{n:02d}",
                    "team": team,
                    "kind": "hire",
                    "hire_month": pd.Timestamp(year=plan_year, month=int(h.start_month), day=1),
                }
            )
    out = pd.concat([cur, pd.DataFrame(rows, columns=cols)], ignore_index=True) if rows else cur
    return out.reset_index(drop=True)


def territory_potential(tables: Any, rep_ids: list[str], as_of: date, weight: float) -> np.ndarray:
    """Territory potential index per rep (mean 1 over reps with accounts): (1 - weight) + weight x headroom /
    mean headroom, headroom = sum over the rep's accounts (customers whose last order was with the rep) of
    max(wallet_size - last 12 months' sales, 0). Reads goals.territory_weight (-> weight). Reps without
    accounts (new hires) get 1.
    """
    n = len(rep_ids)
    if weight <= 0 or tables.customers is None or n == 0 or "wallet_size" not in tables.customers:
        return np.ones(n)
    o = tables.orders
    od = pd.to_datetime(o["order_date"])
    last = o.assign(_d=od).sort_values("_d").groupby(o["customer_id"].astype(str), observed=True).tail(1)
    owner = pd.Series(last["rep_id"].astype(str).to_numpy(), index=last["customer_id"].astype(str).to_numpy())
    start = fc.last_complete_month(as_of) - pd.DateOffset(months=11)
    recent = (
        o[od >= start].groupby(o.loc[od >= start, "customer_id"].astype(str), observed=True)["amount"].sum()
    )
    cust = tables.customers.assign(customer_id=tables.customers["customer_id"].astype(str)).set_index(
        "customer_id"
    )
    head = (cust["wallet_size"].astype(float) - recent.reindex(cust.index).fillna(0.0)).clip(lower=0.0)
    by_rep = head.groupby(owner.reindex(head.index)).sum()
    h = np.array([float(by_rep.get(r, math.nan)) for r in rep_ids])
    known = np.isfinite(h)
    if not known.any() or np.nanmean(h) <= 0:
        return np.ones(n)
    idx = np.ones(n)
    idx[known] = (1 - weight) + weight * h[known] / np.nanmean(h[known])
    return idx


def prepare(
    tables: Any,
    p: Params,
    result: fc.Result,
    seasonality: pd.DataFrame | None = None,
    market_increment: pd.DataFrame | None = None,
) -> Inputs:
    """Precompute everything `whatif` needs from the region's tables, the forecast and step 1's artefacts.

    Reads plan_year, as_of, language, company.currency, goals.(combine, planned_hires, holidays,
    territory_weight, capacity_basis, cost_per_lead, average_order_value, orders_per_new_customer) and, through
    `planning.team.measure`, resources.ramp_months, ramp_fallback_months, attrition, attrition_months.
    """
    g = p.goals
    as_of = p.as_of
    plan_year = p.plan_year
    notes: list[str] = []
    base = fc.plan_year_baseline(result, plan_year)
    hist = result.history
    last12 = float(hist.iloc[-12:].sum()) if len(hist) >= 12 else float(hist.mean() * 12)
    crew = tm.measure(tables.orders, tables.reps, as_of, p)
    ramp_months = crew.ramp_months
    curve = capacity_curve(tables, as_of, ramp_months)
    latest = curve.iloc[-1] if len(curve) else pd.Series(dtype=float)

    def measured(col: str, default: float = math.nan) -> float:
        v = float(latest.get(col, math.nan)) if len(latest) else math.nan
        return v if math.isfinite(v) else default

    productivity = crew.productivity
    if not productivity > 0:
        notes.append("no_reps")
        productivity = 0.0
    house_share = crew.house_share

    ros = roster(tables.reps, as_of, plan_year, list(g.planned_hires))
    if not productivity > 0:  # no measured team (no reps table): no capacity to place people or hires on
        ros = ros.iloc[0:0]
    months = pd.period_range(f"{plan_year}-01", periods=12, freq="M")
    tenure, elapsed = tm.schedule(
        list(ros["hire_month"].dt.to_period("M")),
        (ros["kind"] == "current").to_numpy(),
        crew.first_month,
        months,
    )
    ros = ros.assign(
        start=ros["hire_month"].dt.strftime("%Y-%m"),
        potential=territory_potential(tables, list(ros["rep_id"]), as_of, g.territory_weight),
    )
    teams = sorted(ros["team"].unique().tolist())
    team_of = np.array([teams.index(t) for t in ros["team"]], dtype=int)

    cal = working_calendar(plan_year, list(g.holidays))
    weeks = cal.groupby("week", sort=False)["day"].agg(["min", "max"])
    week_labels = weeks.index.tolist()
    week_pos = {w: i for i, w in enumerate(week_labels)}

    conv = measured("lead_conversion")
    budget = measured("spend")
    cpl = g.cost_per_lead or measured("cost_per_lead")
    aov = g.average_order_value or measured("aov")
    new_customers = measured("new_customers", 0.0)
    value_per_new = measured("new_sales") / new_customers if new_customers > 0 else math.nan
    orders_per_new = g.orders_per_new_customer or (
        value_per_new / aov if math.isfinite(value_per_new) and aov > 0 else 1.0
    )
    new_share = measured("new_sales", 0.0) / measured("sales", 1.0) if measured("sales", 0) > 0 else 0.0
    if not math.isfinite(conv) or not math.isfinite(cpl):
        notes.append("no_marketing")
    attrition = crew.attrition_measured or 0.0
    ms = Levers(
        growth_ambition=g.growth_ambition,
        buffer=g.buffer,
        lead_conversion=conv if math.isfinite(conv) else 0.0,
        marketing_budget=budget if math.isfinite(budget) else 0.0,
        attrition=min(max(attrition, 0.0), 1.0),
        training_uplift=g.training_uplift,
        tool_efficiency=g.tool_efficiency,
    )
    if result.reason != "backtest":
        notes.append(f"forecast_{result.reason}")
    return Inputs(
        region=p.region.key,
        plan_year=plan_year,
        lang=p.language,
        currency=p.company.currency,
        combine=g.combine,
        ramp_months=ramp_months,
        model=result.chosen,
        last12=last12,
        baseline=float(base["baseline"].sum()),
        baseline_monthly=base["baseline"].to_numpy(dtype=float),
        increments=_increments(market_increment),
        season=season_weights(seasonality, hist),
        productivity=productivity,
        house_share=house_share,
        roster=ros.drop(columns=["hire_month"]),
        tenure=tenure.astype(float),
        elapsed=elapsed,
        teams=teams,
        team_of=team_of,
        cost_per_lead=cpl if math.isfinite(cpl) else math.nan,
        aov=aov if math.isfinite(aov) else math.nan,
        orders_per_new_customer=orders_per_new,
        new_share=new_share,
        measured=ms,
        curve=curve,
        calendar=cal,
        week_labels=week_labels,
        week_start=[d.strftime("%Y-%m-%d") for d in weeks["min"]],
        week_end=[d.strftime("%Y-%m-%d") for d in weeks["max"]],
        week_of_day=cal["week"].map(week_pos).to_numpy(dtype=int),
        month_of_day=cal["month"].to_numpy(dtype=int),
        day_weight=cal["weight"].to_numpy(dtype=float),
        notes=notes,
        crew=crew,
    )


# ------------------------------------------------------------------------------------------------ what-if
@dataclass
class Plan:
    """One calibration + decomposition (the output of `whatif`)."""

    levers: Levers
    dimensions: pd.DataFrame  # dimension, component, amount, explanation, kind
    estimates: dict[str, float]  # ambition, market, team, resources (NaN when not computable)
    binding: str  # the dimension that set the calibrated target
    committed: float  # calibrated target before the buffer
    target: float  # final annual target (committed + buffer), currency
    calibration: pd.DataFrame  # the waterfall: step, component, amount, explanation, kind
    targets: pd.DataFrame  # level, period, start, end, target, working_days
    targets_rep: pd.DataFrame  # rep_id, name, team, kind, month, target, ramp, capacity
    resources: dict[
        str, float
    ]  # leads, customers, extra customers, value per new customer, existing business
    capacity_rep: np.ndarray  # (reps, 12) capacity with all levers


def _fmt(inputs: Inputs, key: str, **kw: Any) -> str:
    lang = inputs.lang
    out = {}
    for k, v in kw.items():
        if isinstance(v, float) and k.startswith(("m_", "amount")):
            out[k] = i18n.money(v, lang, inputs.currency)
        elif isinstance(v, float) and k.startswith("p_"):
            out[k] = i18n.pct(v, lang)
        elif isinstance(v, float):
            out[k] = i18n.number(v, lang, decimals=1 if abs(v) < 100 else 0)
        else:
            out[k] = v
    return i18n.t(f"goals.explain.{key}", lang, **out)


def whatif(inputs: Inputs, levers: Levers, explain: bool = True) -> Plan:
    """Calibrate the target for `levers` and decompose it to quarter, month, ISO week, team and rep.

    Pure: the same inputs and levers give the same plan. Used by the batch run (levers from params) and by the
    sliders. `explain=False` skips the explanation texts (the benchmark measures the numbers).
    """
    lv = levers
    n_reps = len(inputs.roster)
    season = inputs.season
    monthly_full = inputs.productivity / MONTHS * season  # (12,) a full rep's output per month
    ramp0 = ramp(inputs.tenure, inputs.ramp_months)
    ramp1 = ramp(inputs.tenure, inputs.ramp_months, lv.training_uplift)
    survive = tm.survival(inputs.elapsed, lv.attrition)
    is_hire = (inputs.roster["kind"] == "hire").to_numpy()
    cur, hire = ~is_hire, is_hire
    full = monthly_full[None, :]
    current_team = float((full * ramp0)[cur].sum())
    attrition_loss = float((full * ramp0 * (survive - 1.0))[cur].sum())
    hires = float((full * ramp0 * survive)[hire].sum())
    training = float((full * (ramp1 - ramp0) * survive).sum())
    reps_capacity = current_team + attrition_loss + hires + training
    tools = reps_capacity * lv.tool_efficiency
    house = inputs.baseline * inputs.house_share
    team = reps_capacity + tools + house
    capacity_rep = full * ramp1 * survive * (1.0 + lv.tool_efficiency)

    ambition = inputs.last12 * (1.0 + lv.growth_ambition)
    inc = inputs.increments
    market = inputs.baseline + float(inc["amount"].sum())

    existing = inputs.baseline * (1.0 - inputs.new_share)
    cpl, conv = inputs.cost_per_lead, lv.lead_conversion
    value_new = inputs.aov * inputs.orders_per_new_customer
    if math.isfinite(cpl) and cpl > 0 and math.isfinite(value_new):
        leads = lv.marketing_budget / cpl
        customers = leads * conv
        extra = customers * lv.tool_efficiency
        resources = existing + (customers + extra) * value_new
    else:
        leads = customers = extra = math.nan
        resources = math.nan
    estimates = {"ambition": ambition, "market": market, "team": team, "resources": resources}
    if n_reps == 0:
        estimates["team"] = math.nan
    if inputs.combine == "ambition":
        binding, committed = "ambition", ambition
    else:
        known = {k: v for k, v in estimates.items() if math.isfinite(v)}
        binding = min(known, key=lambda k: (known[k], list(estimates).index(k)))
        committed = known[binding]
    committed = max(committed, 0.0)
    total_c = cents(committed * (1.0 + lv.buffer))
    target = total_c / 100
    buffer_amount = target - cents(committed) / 100

    # -- texts
    ex = (lambda key, **kw: _fmt(inputs, key, **kw)) if explain else (lambda key, **kw: "")
    dims = [
        ("ambition", "last12", inputs.last12, ex("last12"), "start"),
        ("ambition", "growth", ambition - inputs.last12, ex("growth", p_g=lv.growth_ambition), "delta"),
        ("ambition", "ambition", ambition, ex("ambition"), "total"),
        (
            "market",
            "baseline",
            inputs.baseline,
            ex("baseline", model=model_name(inputs.model, inputs.lang)),
            "start",
        ),
    ]
    for r in inc.itertuples(index=False):
        dims.append(
            ("market", f"{r.source}: {r.segment_or_dimension}", float(r.amount), str(r.explanation), "delta")
        )
    dims.append(("market", "market", market, ex("market"), "total"))
    if n_reps:
        dims += [
            (
                "team",
                "current_team",
                current_team,
                ex("current_team", n=int(cur.sum()), m_p=inputs.productivity, ramp=inputs.ramp_months),
                "start",
            ),
            ("team", "attrition", attrition_loss, ex("attrition", p_a=lv.attrition), "delta"),
            ("team", "hires", hires, ex("hires", n=int(hire.sum())), "delta"),
            ("team", "training", training, ex("training", p_u=lv.training_uplift), "delta"),
            ("team", "tools", tools, ex("tools", p_t=lv.tool_efficiency), "delta"),
            ("team", "house", house, ex("house", p_h=inputs.house_share), "delta"),
            ("team", "team", team, ex("team"), "total"),
        ]
    else:  # no reps table (or nobody to measure): the combination rule uses the other dimensions
        dims.append(("team", "team", math.nan, ex("no_team"), "total"))
    dims.append(("resources", "existing", existing, ex("existing", p_n=inputs.new_share), "start"))
    if math.isfinite(resources):
        dims += [
            (
                "resources",
                "new_customers",
                customers * value_new,
                ex(
                    "new_customers",
                    m_b=float(lv.marketing_budget),
                    m_cpl=float(cpl),
                    leads=float(leads),
                    p_c=float(conv),
                    customers=float(customers),
                    m_v=float(value_new),
                ),
                "delta",
            ),
            (
                "resources",
                "tool_customers",
                extra * value_new,
                ex("tool_customers", p_t=lv.tool_efficiency, extra=float(extra)),
                "delta",
            ),
            ("resources", "resources", resources, ex("resources"), "total"),
        ]
    else:
        dims.append(("resources", "resources", math.nan, ex("no_resources"), "total"))
    dimensions = pd.DataFrame(dims, columns=["dimension", "component", "amount", "explanation", "kind"])

    adjust = committed - market
    waterfall = [
        ("baseline", inputs.baseline, ex("baseline", model=model_name(inputs.model, inputs.lang)), "start")
    ]
    for r in inc.itertuples(index=False):
        waterfall.append(
            (f"{r.source}: {r.segment_or_dimension}", float(r.amount), str(r.explanation), "delta")
        )
    waterfall += [
        ("market", market, ex("market"), "subtotal"),
        (f"bound_{binding}", adjust, ex(f"bound_{binding}", amount=float(estimates[binding])), "delta"),
        ("committed", committed, _committed_text(inputs, estimates, ex), "subtotal"),
        ("buffer", buffer_amount, ex("buffer", p_b=lv.buffer), "delta"),
        ("target", target, ex("target"), "total"),
    ]
    calibration = pd.DataFrame(waterfall, columns=["component", "amount", "explanation", "kind"])
    calibration.insert(0, "step", np.arange(1, len(calibration) + 1))

    targets, targets_rep = _decompose(inputs, total_c, capacity_rep, ramp1)
    return Plan(
        levers=lv,
        dimensions=dimensions,
        estimates=estimates,
        binding=binding,
        committed=committed,
        target=target,
        calibration=calibration,
        targets=targets,
        targets_rep=targets_rep,
        resources={
            "leads": leads,
            "customers": customers,
            "extra_customers": extra,
            "value_per_new_customer": value_new,
            "existing": existing,
            "cost_per_lead": cpl,
            "lead_conversion": conv,
        },
        capacity_rep=capacity_rep,
    )


def _committed_text(inputs: Inputs, estimates: dict[str, float], ex: Any) -> str:
    """The calibrated target's explanation; names the dimensions the data could not compute (the rule then
    combines the others)."""
    unknown = [k for k, v in estimates.items() if not math.isfinite(v)]
    if not unknown or inputs.combine == "ambition":
        return ex("committed", rule=inputs.combine)
    sep = "、" if inputs.lang == "zh" else ", "
    names = sep.join(i18n.t(f"goals.dimensions.{k}", inputs.lang) for k in unknown)
    names = names.lower() if inputs.lang == "en" else names
    return ex("committed_partial", rule=inputs.combine, missing=names)


def unavailable(plan: Plan, dimension: str) -> bool:
    """True when the data could not compute calibration `dimension` (team without reps, resources without
    marketing spend and leads)."""
    return not math.isfinite(plan.estimates.get(dimension, math.nan))


def _decompose(
    inputs: Inputs, total_c: int, capacity_rep: np.ndarray, ramp_rep: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Year -> month (seasonality) -> day (working days) -> week; quarter = its months; month -> team -> rep."""
    y = inputs.plan_year
    month_c = allocate(total_c, inputs.season)
    day_c = np.zeros(len(inputs.day_weight), dtype=np.int64)
    mday = inputs.month_of_day
    for m in range(MONTHS):
        sel = mday == m
        day_c[sel] = allocate(int(month_c[m]), inputs.day_weight[sel])
    week_c = np.bincount(inputs.week_of_day, weights=day_c, minlength=len(inputs.week_labels)).astype(
        np.int64
    )
    week_days = np.bincount(inputs.week_of_day, weights=inputs.day_weight, minlength=len(inputs.week_labels))
    month_days = np.bincount(mday, weights=inputs.day_weight, minlength=MONTHS)
    quarter_c = month_c.reshape(4, 3).sum(axis=1)
    month_starts = pd.date_range(f"{y}-01-01", periods=12, freq="MS")
    month_ends = month_starts + pd.offsets.MonthEnd(0)
    rows = {
        "level": ["year"] + ["quarter"] * 4 + ["month"] * 12 + ["week"] * len(inputs.week_labels),
        "period": [str(y)]
        + [f"{y}-Q{q}" for q in range(1, 5)]
        + [m.strftime("%Y-%m") for m in month_starts]
        + list(inputs.week_labels),
        "start": [f"{y}-01-01"]
        + [f"{y}-{3 * q + 1:02d}-01" for q in range(4)]
        + [m.strftime("%Y-%m-%d") for m in month_starts]
        + list(inputs.week_start),
        "end": [f"{y}-12-31"]
        + [month_ends[3 * q + 2].strftime("%Y-%m-%d") for q in range(4)]
        + [m.strftime("%Y-%m-%d") for m in month_ends]
        + list(inputs.week_end),
        "target": np.concatenate([[total_c], quarter_c, month_c, week_c]) / 100,
        "working_days": np.concatenate(
            [[month_days.sum()], month_days.reshape(4, 3).sum(axis=1), month_days, week_days]
        ).astype(int),
    }
    targets = pd.DataFrame(rows)

    ros = inputs.roster
    n = len(ros)
    if n == 0:
        return targets, pd.DataFrame(
            columns=["rep_id", "name", "team", "kind", "month", "target", "ramp", "capacity"]
        )
    weight = capacity_rep * ros["potential"].to_numpy(dtype=float)[:, None]  # (reps, 12)
    team_w = np.zeros((len(inputs.teams), MONTHS))
    np.add.at(team_w, inputs.team_of, weight)
    team_c = allocate_rows(month_c, team_w.T)  # (12, teams)
    rep_c = np.zeros((n, MONTHS), dtype=np.int64)
    for t in range(len(inputs.teams)):
        members = np.nonzero(inputs.team_of == t)[0]
        rep_c[members, :] = allocate_rows(team_c[:, t], weight[members, :].T).T
    months = month_starts.strftime("%Y-%m").tolist()
    targets_rep = pd.DataFrame(
        {
            "rep_id": np.repeat(ros["rep_id"].to_numpy(), MONTHS),
            "name": np.repeat(ros["name"].to_numpy(), MONTHS),
            "team": np.repeat(ros["team"].to_numpy(), MONTHS),
            "kind": np.repeat(ros["kind"].to_numpy(), MONTHS),
            "month": months * n,
            "target": rep_c.ravel() / 100,
            "ramp": ramp_rep.ravel(),
            "capacity": capacity_rep.ravel(),
        }
    )
    return targets, targets_rep


def team_capacity(plan: Plan, inputs: Inputs) -> pd.DataFrame:
    """The team dimension month by month (the artefact the resources step builds its capacity on).

    Out: month "YYYY-MM", reps_capacity (quota reps on their ramp with the training uplift, survival to
    mid-month), tools (x tool efficiency), house (the month's baseline x the share of sales not carried by quota
    reps), capacity (their sum). Over the year capacity sums to the team estimate of the calibration.
    """
    months = pd.period_range(f"{inputs.plan_year}-01", periods=MONTHS, freq="M").strftime("%Y-%m")
    with_tools = plan.capacity_rep.sum(axis=0) if len(plan.capacity_rep) else np.zeros(MONTHS)
    reps = with_tools / (1.0 + plan.levers.tool_efficiency)
    house = inputs.baseline_monthly * inputs.house_share
    return pd.DataFrame(
        {
            "month": list(months),
            "reps_capacity": reps,
            "tools": with_tools - reps,
            "house": house,
            "capacity": with_tools + house,
        }
    )


def plan(inputs: Inputs, p: Params) -> Plan:
    """The batch plan: `whatif` with the levers the parameters set (see `levers_from`)."""
    return whatif(inputs, levers_from(p, inputs))


def with_levers(levers: Levers, **changes: float) -> Levers:
    return replace(levers, **changes)


# ------------------------------------------------------------------------------------------------ forecast
def baseline_forecast(orders: pd.DataFrame, p: Params) -> fc.Result:
    """The forecast the plan starts from. Reads as_of, plan_year and goals.forecast_horizon, backtest_origins,
    backtest_step, interval.
    """
    g = p.goals
    return fc.run(
        orders,
        p.as_of,
        p.plan_year,
        horizon=g.forecast_horizon,
        count=g.backtest_origins,
        step=g.backtest_step,
        level=g.interval,
    )


def forecast_vs_plan(result: fc.Result, plan: Plan, plan_year: int) -> pd.DataFrame:
    """Monthly history (last 24 months), the chosen forecast with its interval, and the plan's monthly targets.

    Out (long, for the chart): month "YYYY-MM", series ("actual" | "forecast" | "target"), value, lower, upper.
    """
    hist = result.history.iloc[-24:]
    rows = [
        pd.DataFrame({"month": hist.index.strftime("%Y-%m"), "series": "actual", "value": hist.to_numpy()}),
    ]
    chosen = result.forecast[result.forecast["chosen"]]
    rows.append(
        pd.DataFrame(
            {
                "month": chosen["month"],
                "series": "forecast",
                "value": chosen["forecast"],
                "lower": chosen["lower"],
                "upper": chosen["upper"],
            }
        )
    )
    months = plan.targets[plan.targets["level"] == "month"]
    rows.append(pd.DataFrame({"month": months["period"], "series": "target", "value": months["target"]}))
    out = pd.concat(rows, ignore_index=True)
    return out[["month", "series", "value", "lower", "upper"]] if "lower" in out else out


def monthly_comparison(result: fc.Result, plan: Plan, plan_year: int) -> pd.DataFrame:
    """Plan year side by side: month, forecast (chosen model), lower, upper, target, gap (target - forecast)."""
    base = fc.plan_year_baseline(result, plan_year)
    months = plan.targets[plan.targets["level"] == "month"].set_index("period")["target"]
    out = pd.DataFrame(
        {
            "month": base["month"],
            "forecast": base["baseline"],
            "lower": base["lower"],
            "upper": base["upper"],
            "target": months.reindex(base["month"]).to_numpy(),
        }
    )
    out["gap"] = out["target"] - out["forecast"]
    return out


def model_name(model: str, lang: str) -> str:
    return i18n.t(f"goals.models.{model}", lang)


def describe_forecast(result: fc.Result, plan_year: int, lang: str, currency: str) -> str:
    """Which model was chosen and why, and what it forecasts for the plan year (one paragraph)."""
    base = fc.plan_year_baseline(result, plan_year)
    total = float(base["baseline"].sum())
    last12 = float(result.history.iloc[-12:].sum())
    growth = total / last12 - 1 if last12 > 0 else math.nan
    money = lambda x: i18n.money(x, lang, currency)  # noqa: E731
    text = i18n.t(
        "goals.forecast.summary",
        lang,
        year=plan_year,
        total=money(total),
        lower=money(float(base["lower"].sum())),
        upper=money(float(base["upper"].sum())),
        growth=i18n.pct(growth, lang, signed=True),
        model=model_name(result.chosen, lang),
        level=i18n.pct(result.level, lang, decimals=0),
    )
    if result.reason == "backtest" or result.reason == "short_history":
        s = result.summary
        best = s.iloc[0]
        others = "; ".join(
            f"{model_name(r.model, lang)} {i18n.pct(r.mape, lang)}"
            for r in s.iloc[1:].itertuples(index=False)
        )
        text += " " + i18n.t(
            "goals.forecast.why",
            lang,
            model=model_name(result.chosen, lang),
            mape=i18n.pct(float(best["mape"]), lang),
            bias=i18n.pct(float(best["bias"]), lang, signed=True),
            origins=int(best["origins"]),
            others=others or i18n.DASH,
        )
    if result.reason != "backtest":
        text += " " + i18n.t(
            f"goals.forecast.{result.reason}",
            lang,
            months=len(result.history),
            models=", ".join(model_name(m, lang) for m in result.tier),
        )
    return text


def backtest_table(result: fc.Result, lang: str) -> pd.DataFrame:
    """The backtest summary as a report table: model, origins, MAPE, bias, chosen (translated headers later)."""
    s = result.summary.copy()
    if s.empty:
        return s
    s["chosen"] = s["model"] == result.chosen
    s["model"] = [model_name(m, lang) for m in s["model"]]
    return s


# ------------------------------------------------------------------------------------------------ texts
def describe_calibration(plan: Plan, inputs: Inputs) -> str:
    """The calibration in one paragraph: the four estimates, the binding one, buffer and final target."""
    lang, cur = inputs.lang, inputs.currency
    money = lambda x: i18n.money(x, lang, cur)  # noqa: E731
    e = plan.estimates
    return i18n.t(
        "goals.calibration.summary",
        lang,
        ambition=money(e["ambition"]),
        market=money(e["market"]),
        team=money(e["team"]),
        resources=money(e["resources"]),
        binding=i18n.t(f"goals.dimensions.{plan.binding}", lang),
        committed=money(plan.committed),
        buffer=i18n.pct(plan.levers.buffer, lang),
        target=money(plan.target),
        growth=i18n.pct(
            plan.target / inputs.last12 - 1 if inputs.last12 > 0 else math.nan, lang, signed=True
        ),
    )


def describe_decomposition(plan: Plan, inputs: Inputs) -> str:
    """Peak and low month, number of weeks, and the check that every level sums to its parent."""
    lang, cur = inputs.lang, inputs.currency
    t = plan.targets
    months = t[t["level"] == "month"]
    peak = months.loc[months["target"].idxmax()]
    low = months.loc[months["target"].idxmin()]
    return i18n.t(
        "goals.calendar.summary",
        lang,
        target=i18n.money(plan.target, lang, cur),
        peak=peak["period"],
        peak_value=i18n.money(float(peak["target"]), lang, cur),
        low=low["period"],
        low_value=i18n.money(float(low["target"]), lang, cur),
        weeks=int((t["level"] == "week").sum()),
        check=i18n.t("goals.calendar.exact" if sums_exact(plan) else "goals.calendar.inexact", lang),
    )


def sums_exact(plan: Plan) -> bool:
    """True when quarters, months, weeks and reps each sum to the year (and reps to their month) in cents."""
    t = plan.targets
    c = (t["target"] * 100).round().astype("int64")
    year = int(c[t["level"] == "year"].iloc[0])
    ok = all(int(c[t["level"] == lv].sum()) == year for lv in ("quarter", "month", "week"))
    months = t[t["level"] == "month"].set_index("period")["target"].mul(100).round().astype("int64")
    for q in range(4):
        ok &= int(months.iloc[3 * q : 3 * q + 3].sum()) == int(c[t["level"] == "quarter"].iloc[q])
    r = plan.targets_rep
    if len(r):
        by_month = (r["target"] * 100).round().astype("int64").groupby(r["month"]).sum()
        ok &= bool((by_month.reindex(months.index).to_numpy() == months.to_numpy()).all())
    return bool(ok)


def team_targets(plan: Plan) -> pd.DataFrame:
    """Per team: team, reps (current), hires, target (year), share. Sums exactly to the annual target."""
    r = plan.targets_rep
    if r.empty:
        return pd.DataFrame(columns=["team", "reps", "hires", "target", "share"])
    people = r.drop_duplicates("rep_id")
    out = (
        r.assign(c=(r["target"] * 100).round().astype("int64"))
        .groupby("team", sort=True)["c"]
        .sum()
        .rename("target")
        .reset_index()
    )
    out["reps"] = (
        out["team"].map(people[people["kind"] == "current"].groupby("team").size()).fillna(0).astype(int)
    )
    out["hires"] = (
        out["team"].map(people[people["kind"] == "hire"].groupby("team").size()).fillna(0).astype(int)
    )
    out["target"] = out["target"] / 100
    out["share"] = out["target"] / out["target"].sum()
    return out[["team", "reps", "hires", "target", "share"]]


#: Reps the report's quota sheet and heatmap show at each end (largest and smallest annual targets) when a
#: region has more than twice as many; the artefact targets_rep.csv always holds every rep.
REP_SHEET_SHOWN = 10


def rep_sheet(plan: Plan, lang: str, shown: int | None = None) -> pd.DataFrame:
    """The quota sheet a manager forwards: one row per rep, one column per month, the year (exact sums) and the
    rep's rank by annual target (1 = largest; equal targets share a rank).

    `shown` None: every rep, by team and rep id. `shown` n: when there are more than 2n reps, only the n largest
    and the n smallest annual targets, largest first (ties by team and rep id), so that the report's table stays
    readable with hundreds of reps; with 2n reps or fewer, every rep by team. targets_rep.csv has every rep.
    """
    if shown is not None and shown < 1:
        raise ValueError(f"rep_sheet: shown must be a positive number of reps or None, got {shown}")
    r = plan.targets_rep
    if r.empty:
        return pd.DataFrame()
    wide = r.pivot_table(
        index=["team", "rep_id", "name", "kind"], columns="month", values="target", aggfunc="sum"
    )
    wide.columns = [str(c) for c in wide.columns]
    c = (wide * 100).round().astype("int64")
    wide["year"] = c.sum(axis=1) / 100
    wide = wide.reset_index()
    wide.insert(0, "rank", c.sum(axis=1).rank(method="min", ascending=False).astype(int).to_numpy())
    if shown is not None and len(wide) > 2 * shown:
        by_size = wide.sort_values(["rank", "team", "rep_id"], kind="stable")
        wide = pd.concat([by_size.head(shown), by_size.tail(shown)]).reset_index(drop=True)
    wide["kind"] = [i18n.t(f"goals.kind.{k}", lang) for k in wide["kind"]]
    return wide


def describe_rep_sheet(plan: Plan, sheet: pd.DataFrame, lang: str, currency: str = "CNY") -> str:
    """Which reps the report's quota sheet lists (all, or the largest and smallest targets of how many), the
    spread of annual targets over every rep, and where the full per-rep targets are (targets_rep.csv)."""
    r = plan.targets_rep
    if r.empty:
        return i18n.t("goals.reps.no_reps", lang)
    year = (r["target"] * 100).round().astype("int64").groupby(r["rep_id"]).sum() / 100
    fmt = {
        "reps": i18n.number(len(year), lang),
        "low": i18n.money(year.min(), lang, currency),
        "median": i18n.money(year.median(), lang, currency),
        "high": i18n.money(year.max(), lang, currency),
        "file": "artifacts/targets_rep.csv",
    }
    if len(sheet) >= len(year):
        return i18n.t("goals.reps.sheet_all", lang, **fmt)
    return i18n.t("goals.reps.sheet_ends", lang, shown=i18n.number(len(sheet) // 2, lang), **fmt)


# ------------------------------------------------------------------------------------------------ SMART
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
    specific, measurable, achievable, relevant, time_bound, smart (all five). Criteria:
    specific = a known metric (METRICS); measurable = a finite positive value; achievable = value <= calibrated
    capacity x (1 + buffer), capacity pro-rated to the deadline for flow metrics; relevant = names a segment of
    step 1 or a strategy lever (STRATEGY_LEVERS); time-bound = a deadline inside the plan year.
    Reads goals.buffer (through the plan's levers), goals.smart, plan_year.
    """
    lang, year = inputs.lang, inputs.plan_year
    lv = plan.levers
    res = plan.resources
    top = _top_segment(segments)
    feasible = [v for k, v in plan.estimates.items() if k != "ambition" and math.isfinite(v)]
    cap_revenue = min(feasible) if feasible else math.nan
    value_new = res["value_per_new_customer"]
    conv_eff = res["lead_conversion"] * (1 + lv.tool_efficiency)
    need_new = (
        # The flex buffer is reserve for unplanned upside: process goals carry the committed target.
        math.ceil(max(plan.committed - res["existing"], 0.0) / value_new)
        if math.isfinite(value_new) and value_new > 0
        else math.nan
    )
    need_leads = math.ceil(need_new / conv_eff) if math.isfinite(need_new) and conv_eff > 0 else math.nan
    curve = inputs.curve
    best = lambda col: float(curve[col].max()) if col in curve and curve[col].notna().any() else math.nan  # noqa: E731
    latest = lambda col: float(curve[col].iloc[-1]) if col in curve and len(curve) else math.nan  # noqa: E731
    mtotal = market_total(market_share, market_size, year)
    clv = math.nan
    if (
        segments is not None
        and {"clv", "customers"} <= set(segments.columns)
        and segments["customers"].sum() > 0
    ):
        clv = float((segments["clv"] * segments["customers"]).sum() / segments["customers"].sum())
    region = i18n.name("region", inputs.region, lang)
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
    rows = []
    for metric, value, capacity, rel in derived:
        text = i18n.t(
            f"goals.smart.text.{metric}",
            lang,
            region=region,
            year=year,
            value=_metric_text(metric, value, lang, inputs.currency),
        )
        rows.append((text, metric, value, deadline, rel, capacity))
    for g in p.goals.smart:
        text = g.goal.get(lang) or next(iter(g.goal.values()), "") if isinstance(g.goal, dict) else g.goal
        capacity = _capacity_of(g.metric, rows)
        if g.metric in FLOW_METRICS and g.deadline is not None and math.isfinite(capacity):
            days = (g.deadline - date(year, 1, 1)).days + 1
            capacity *= min(max(days, 0), 365) / 365
        rows.append((text, g.metric, math.nan if g.value is None else float(g.value), g.deadline, g.relevant_to,
                     capacity))  # fmt: skip
    known_relevant = set(STRATEGY_LEVERS)
    if segments is not None and "segment" in segments:
        # A segment may be a combination ("energy/medium"): each of its parts is a segment in its own right.
        for seg in segments["segment"].astype(str):
            known_relevant |= {seg, *seg.split("/")}
    out = []
    for text, metric, value, dl, rel, capacity in rows:
        finite = value is not None and math.isfinite(value)
        specific = metric in METRICS and bool(str(text).strip())
        measurable = bool(finite and value > 0)
        achievable = bool(
            measurable and math.isfinite(capacity) and value <= capacity * (1 + lv.buffer) + 1e-9
        )
        relevant = bool(rel) and rel in known_relevant
        time_bound = dl is not None and date(year, 1, 1) <= dl <= date(year, 12, 31)
        out.append(
            {
                "goal": text,
                "metric": metric,
                "value": value,
                "unit": _unit(metric),
                "deadline": dl.isoformat() if dl else "",
                "relevant_to": rel,
                "capacity": capacity,
                "specific": specific,
                "measurable": measurable,
                "achievable": achievable,
                "relevant": relevant,
                "time_bound": time_bound,
            }
        )
    df = pd.DataFrame(out)
    df["smart"] = df[["specific", "measurable", "achievable", "relevant", "time_bound"]].all(axis=1)
    return df


def _capacity_of(metric: str, rows: list[tuple]) -> float:
    for _, m, _, _, _, cap in rows:
        if m == metric:
            return float(cap)
    return math.nan


def _unit(metric: str) -> str:
    if metric in ("revenue", "average_order_value", "clv"):
        return "money"
    if metric in ("new_customers", "leads"):
        return "count"
    return "rate"


def _metric_text(metric: str, value: float, lang: str, currency: str) -> str:
    if value is None or not math.isfinite(value):
        return i18n.DASH
    unit = _unit(metric)
    if unit == "money":
        return i18n.money(value, lang, currency)
    if unit == "count":
        return i18n.number(value, lang, decimals=0)
    return i18n.pct(value, lang)


def smart_table(goals_df: pd.DataFrame, lang: str, currency: str) -> pd.DataFrame:
    """goals.csv for the report: formatted value and ✓ / ✗ per criterion."""
    out = goals_df[["goal", "metric", "value", "deadline", "relevant_to"]].copy()
    out["metric"] = [
        i18n.t(f"goals.metrics.{m}", lang) if m in METRICS else m or i18n.DASH for m in out["metric"]
    ]
    out["value"] = [_metric_text(m, v, lang, currency) for m, v in zip(goals_df["metric"], goals_df["value"],
                                                                        strict=True)]  # fmt: skip
    for c in ("specific", "measurable", "achievable", "relevant", "time_bound"):
        out[c] = np.where(goals_df[c], "✓", "✗")
    return out


def describe_smart(goals_df: pd.DataFrame, lang: str) -> str:
    failing = goals_df[~goals_df["smart"]]
    if failing.empty:
        return i18n.t("goals.smart.all_pass", lang, n=len(goals_df))
    names = {
        c: i18n.t(f"goals.columns.{c}", lang)
        for c in ("specific", "measurable", "achievable", "relevant", "time_bound")
    }
    parts = []
    for r in failing.itertuples(index=False):
        missing = [names[c] for c in names if not getattr(r, c)]
        parts.append(f"«{r.goal}»: {', '.join(missing)}")
    return i18n.t("goals.smart.some_fail", lang, n=len(goals_df), k=len(failing), items="; ".join(parts))


# ------------------------------------------------------------------------------------------------ views
def _component_label(component: str, lang: str) -> str:
    try:
        return i18n.t(f"goals.components.{component}", lang)
    except KeyError:
        # A market increment of step 1: "<source>: <segment or competitive dimension>" (market_increment.csv).
        source, _, segment = component.partition(": ")
        if not segment:
            return component
        seg = i18n.segment(segment, lang)
        if seg == segment:
            seg = i18n.name("product_line", segment, lang)
        if seg == segment:
            try:
                seg = i18n.t(f"market.dimensions.{segment}", lang)
            except KeyError:
                pass
        try:
            source = i18n.t(f"market.increment.sources.{source}", lang)
        except KeyError:
            pass
        return i18n.t("goals.components.increment", lang, source=source, segment=seg)


def calibration_view(plan: Plan, lang: str) -> pd.DataFrame:
    """calibration.csv with a translated `label` per component (for the waterfall chart and the table)."""
    out = plan.calibration.copy()
    out["label"] = [_component_label(c, lang) for c in out["component"]]
    return out


def dimensions_view(plan: Plan, lang: str) -> pd.DataFrame:
    """calibration_dimensions with translated dimension and component names (report table)."""
    d = plan.dimensions.copy()
    d["dimension"] = [i18n.t(f"goals.dimensions.{x}", lang) for x in d["dimension"]]
    d["component"] = [_component_label(c, lang) for c in d["component"]]
    return d[["dimension", "component", "amount", "explanation"]]


def estimates_view(plan: Plan, lang: str) -> pd.DataFrame:
    """The four estimates: dimension (translated), amount, binding."""
    return pd.DataFrame(
        {
            "dimension": [i18n.t(f"goals.dimensions.{k}", lang) for k in plan.estimates],
            "amount": list(plan.estimates.values()),
            "binding": [k == plan.binding for k in plan.estimates],
        }
    )


def curve_view(inputs: Inputs) -> pd.DataFrame:
    """The capacity curve (last 3 periods) as a report table."""
    cols = ["period", "sales", "rep_fte", "per_rep", "lead_conversion", "aov", "retention", "attrition"]
    c = inputs.curve
    return c[[x for x in cols if x in c]] if len(c) else pd.DataFrame(columns=cols)


# ------------------------------------------------------------------------------------------------ widgets
def whatif_panel(ctx: Any, inputs: Inputs) -> Any:
    """JupyterLab sliders (growth ambition, buffer, conversion, budget, attrition, training uplift, tool
    efficiency) that recompute the calibration, the waterfall and the per-team split live with `whatif`, the
    same pure function the batch run calls. Only for interactive sessions (`not ctx.batch`); returns the widget.
    """
    import ipywidgets as w
    from IPython.display import display

    from planning import display as disp
    from planning.charts import goals as charts

    lang = inputs.lang
    start = levers_from(ctx.p, inputs)
    pct = {"readout_format": ".1%", "continuous_update": False, "style": {"description_width": "10em"}}
    budget_max = max(start.marketing_budget * 3, 1.0)
    sliders = {
        "growth_ambition": w.FloatSlider(value=start.growth_ambition, min=-0.2, max=1.0, step=0.01, **pct),
        "buffer": w.FloatSlider(value=start.buffer, min=0.0, max=0.3, step=0.01, **pct),
        "lead_conversion": w.FloatSlider(value=start.lead_conversion, min=0.0, max=0.5, step=0.005, **pct),
        "marketing_budget": w.FloatSlider(
            value=start.marketing_budget,
            min=0.0,
            max=budget_max,
            step=budget_max / 300,
            readout_format=",.0f",
            continuous_update=False,
            style={"description_width": "10em"},
        ),
        "attrition": w.FloatSlider(value=start.attrition, min=0.0, max=0.6, step=0.01, **pct),
        "training_uplift": w.FloatSlider(value=start.training_uplift, min=0.0, max=1.0, step=0.05, **pct),
        "tool_efficiency": w.FloatSlider(value=start.tool_efficiency, min=0.0, max=0.5, step=0.01, **pct),
    }
    for key, s in sliders.items():
        s.description = i18n.t(f"goals.whatif.{key}", lang)
    out = w.Output()

    def redraw(*_: Any) -> None:
        lv = Levers(**{k: float(s.value) for k, s in sliders.items()})
        plan_ = whatif(inputs, lv)
        with out:
            out.clear_output(wait=True)
            disp.paragraph(describe_calibration(plan_, inputs))
            display(charts.waterfall(calibration_view(plan_, lang), lang))
            disp.table(team_targets(plan_), lang, domain="goals", money=["target"], pct=["share"])

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    panel = w.VBox([w.HTML(f"<b>{i18n.t('goals.whatif.title', lang)}</b>"), *sliders.values(), out])
    display(panel)
    return panel


def calendar_table(plan: Plan) -> pd.DataFrame:
    """targets.csv without the week rows (year, quarters, months) for the report table."""
    return plan.targets[plan.targets["level"] != "week"].reset_index(drop=True)


def money_columns(sheet: pd.DataFrame) -> list[str]:
    """Month ("YYYY-MM") and "year" columns of `rep_sheet` (shown as money)."""
    return [c for c in sheet.columns if c == "year" or (len(c) == 7 and c[4] == "-" and c[:4].isdigit())]


def describe_reps(plan: Plan, inputs: Inputs) -> str:
    """Who carries the target and how hires ramp in."""
    lang = inputs.lang
    ros = inputs.roster
    if ros.empty:
        return i18n.t("goals.reps.no_reps", lang)
    hires = ros[ros["kind"] == "hire"]
    return i18n.t(
        "goals.reps.summary",
        lang,
        reps=int((ros["kind"] == "current").sum()),
        hires=len(hires),
        first_hire=str(hires["start"].min()) if len(hires) else i18n.t("goals.reps.no_hires", lang),
        ramp=inputs.ramp_months + 1,
    )
