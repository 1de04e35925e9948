"""Everything the what-if recomputation needs, precomputed once from data, earlier artefacts and parameters.

`prepare()` does all the work that depends only on data (forecast baseline, team measurement, capacity curve,
roster and territory potential, the working calendar and seasonality); `Levers` are the what-if knobs the
batch run takes from the parameters (`levers_from`) and the sliders from the planner. The pure recomputation
is `planning.goals.decompose.whatif` (calibration -> flex buffer -> decomposition).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planning import team as tm
from planning.goals import capacity
from planning.goals import forecast as fc
from planning.goals.calendar import working_calendar

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


@dataclass(frozen=True)
class Measured:
    """The levers the data measures (what a 0 / None parameter falls back to, see `levers_from`)."""

    lead_conversion: float  # new customers / leads of the latest period (0 without marketing data)
    marketing_budget: float  # marketing spend of the latest period (0 without marketing data)
    attrition: float  # annual attrition of quota reps (planning.team.measure), within [0, 1]


@dataclass
class Inputs:
    """Everything `whatif` needs, precomputed from data, earlier artefacts and parameters (see `prepare`)."""

    region: str
    plan_year: int
    combine: str
    ramp_months: int
    model: str
    last12: float
    baseline: float
    baseline_monthly: np.ndarray  # (12,)
    baseline_lower: (
        np.ndarray
    )  # (12,) the chosen forecast's lower bound (goals.interval); actuals where known
    baseline_upper: np.ndarray  # (12,) its upper bound
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
    measured: Measured  # values measured from the data (the fallbacks of `levers_from`)
    curve: pd.DataFrame  # capacity.capacity_curve(): the last 3 periods
    calendar: pd.DataFrame  # day, month (0-11), week (period label), weight (working day 1/0)
    week_labels: list[str]
    week_start: list[str]
    week_end: list[str]
    week_of_day: np.ndarray
    month_of_day: np.ndarray
    day_weight: np.ndarray
    notes: list[str] = field(default_factory=list)
    crew: tm.Team | None = None  # the measured team (planning.team), shared with the resources step
    net_retention: float | None = None  # strategy.net_retention: existing customers' revenue = last12 x it
    capacity_basis: str = "latest"  # goals.capacity_basis: which periods the productivity rests on
    run_rate_months: int = (
        0  # the minimal plan's complete months of history (`forecast.run_rate`); 0: full plan
    )

    @property
    def minimal(self) -> bool:
        """The minimal plan (docs/method.md, short histories): `last12` and `baseline` are the run rate x 12, the
        season is the months' working days and the market dimension is not computed."""
        return self.run_rate_months > 0


def levers_from(p: Params, inputs: Inputs) -> Levers:
    """The levers as the parameters set them; 0 / None parameters fall back to the measured values.

    Reads goals.growth_ambition, buffer, lead_conversion, marketing_budget, training_uplift, tool_efficiency and
    resources.attrition. The only place the flex buffer's share is read (its amount: `decompose.flex_buffer`).
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


def working_day_weights(cal: pd.DataFrame) -> np.ndarray:
    """Month weights (12,), mean 1, proportional to each month's working days (`calendar.working_calendar`): the
    minimal plan's split of the year, which has no seasonality to follow (docs/method.md, short histories)."""
    days = np.bincount(
        cal["month"].to_numpy(dtype=int), weights=cal["weight"].to_numpy(dtype=float), minlength=12
    )
    return days / days.mean()


def working_day_season(p: Params) -> pd.DataFrame:
    """The minimal plan's month-of-year profile as step 1's seasonality.csv has it (month_of_year 1..12, index):
    the plan year's working days (`working_day_weights`), for the resources step to plan capacity on the same
    months as the goals step. Reads plan_year, company.country, goals.holidays, goals.workdays."""
    cal = working_calendar(p.plan_year, p.company.country, p.goals.holidays, p.goals.workdays)
    return pd.DataFrame({"month_of_year": range(1, 13), "index": working_day_weights(cal)})


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


def prepare(
    tables: Any,
    p: Params,
    result: fc.Result,
    seasonality: pd.DataFrame | None = None,
    market_increment: pd.DataFrame | None = None,
) -> Inputs:
    """Precompute everything `whatif` needs from the region's tables, the forecast and step 1's artefacts.
    Given the minimal plan's `forecast.run_rate` as `result`, the months' targets follow their working days (`working_day_weights`).

    Reads plan_year, as_of, goals.(combine, planned_hires, holidays, territory_weight, capacity_basis,
    cost_per_lead, average_order_value, orders_per_new_customer), strategy.net_retention and, through `planning.team.measure`,
    resources.ramp_months, ramp_fallback_months, attrition, attrition_months.
    """
    g = p.goals
    plan_year = p.plan_year
    notes: list[str] = []
    minimal = result.reason == "minimal"  # `forecast.run_rate`: last12 = the run rate x 12, no season
    base = fc.plan_year_baseline(result, plan_year)
    hist = result.history
    last12 = float(hist.iloc[-12:].sum()) if len(hist) >= 12 else float(hist.mean() * 12)
    crew = tm.measure(tables.orders, tables.reps, p)
    ramp_months = crew.ramp_months
    curve = capacity.capacity_curve(tables, p, ramp_months)
    latest = curve.iloc[-1] if len(curve) else pd.Series(dtype=float)

    def measured(col: str, default: float = math.nan) -> float:
        v = float(latest.get(col, math.nan)) if len(latest) else math.nan
        return v if math.isfinite(v) else default

    productivity = crew.productivity
    if not productivity > 0:
        notes.append("no_reps")
        productivity = 0.0
    house_share = crew.house_share

    ros = capacity.roster(tables.reps, p)
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
        potential=capacity.territory_potential(tables, list(ros["rep_id"]), p),
    )
    teams = sorted(ros["team"].unique().tolist())
    team_of = np.array([teams.index(t) for t in ros["team"]], dtype=int)

    cal = working_calendar(plan_year, p.company.country, g.holidays, g.workdays)
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
    ms = Measured(
        lead_conversion=conv if math.isfinite(conv) else 0.0,
        marketing_budget=budget if math.isfinite(budget) else 0.0,
        attrition=min(max(attrition, 0.0), 1.0),
    )
    if result.reason != "backtest":
        notes.append(f"forecast_{result.reason}")
    return Inputs(
        region=p.region.key,
        plan_year=plan_year,
        combine=g.combine,
        ramp_months=ramp_months,
        model=result.chosen,
        last12=last12,
        baseline=float(base["baseline"].sum()),
        baseline_monthly=base["baseline"].to_numpy(dtype=float),
        baseline_lower=base["lower"].to_numpy(dtype=float),
        baseline_upper=base["upper"].to_numpy(dtype=float),
        increments=_increments(market_increment),
        season=working_day_weights(cal) if minimal else season_weights(seasonality, hist),
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
        net_retention=p.strategy.net_retention,
        capacity_basis=p.goals.capacity_basis,
        run_rate_months=len(hist) if minimal else 0,
    )
