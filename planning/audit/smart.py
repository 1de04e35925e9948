"""Checks that SMART's "achievable" agrees with the calibration and the forecast.

Source: METHOD.md 2. Goals: SMART "Achievable: is within calibrated capacity"; three-dimensional calibration;
baseline forecast ("what will likely happen"). Issue 16 item 2: achievable is judged on what reps are asked to
deliver against capacity and the forecast interval.
"""

from __future__ import annotations

import math

import pandas as pd

from planning.audit.result import CENT, Row, listed, missing, money, num, row, skipped
from planning.audit.targets import LIMITING, dimension_totals, forecast_interval, year_quota, year_target


def _flag(value: object) -> bool:
    return str(value).strip().lower() == "true"


def achievable_within_capacity(goals: pd.DataFrame | None) -> list[Row]:
    """A goal marked achievable asks no more than the capacity goals.csv states beside it (METHOD 2, SMART:
    achievable = within calibrated capacity; no buffer on top). Money to the cent; a count is whole, so a
    fractional capacity reaches the next whole unit (44.4 customers' worth of budget reaches the 45th)."""
    check = "smart_achievable_within_capacity"
    rule = "SMART achievable = the goal's value is within its calibrated capacity (METHOD 2, SMART)."
    if goals is None:
        return [missing(check, "goals", explanation=rule)]
    if "capacity" not in goals.columns:
        return [skipped(check, "goals.csv has no capacity column", rule)]
    bad, judged = [], 0
    for _, g in goals.iterrows():
        value, cap = float(g["value"]), float(g["capacity"])
        if not (math.isfinite(value) and math.isfinite(cap)):
            continue
        judged += 1
        unit = g.get("unit")
        fmt, reach = (money, cap + CENT) if unit == "money" else (num, cap + 1e-9)
        if unit == "count":
            reach = math.ceil(cap - 1e-9)
        if _flag(g["achievable"]) and value > reach:
            bad.append(
                f"{g['metric']} {fmt(value)} > capacity {fmt(cap)} ({value / cap:.1%}) marked achievable"
            )
    if bad:
        return [row(check, False, listed(bad), rule)]
    return [row(check, True, f"{judged} goals with a capacity: achievable only within it", rule)]


def achievable_revenue_consistent(
    goals: pd.DataFrame | None,
    targets: pd.DataFrame | None,
    calibration_dimensions: pd.DataFrame | None,
    forecast: pd.DataFrame | None,
) -> list[Row]:
    """The annual revenue goal is "achievable" exactly when what the plan asks is within its limits: the annual
    target within every limiting calibration dimension (market, team, resources) and the forecast's upper 80%
    bound summed over the plan year, and the reps' quotas (target + flex buffer, targets.csv `quota`) within the
    team capacity and that upper bound (METHOD 2: SMART achievable; three-dimensional calibration; baseline
    forecast; docs/method.md: the flex buffer is over-assigned to the reps)."""
    check = "smart_achievable_vs_dimensions_and_forecast"
    rule = (
        "SMART achievable (METHOD 2) must agree with the target's position against the limiting dimensions "
        "(market, team, resources) and the forecast's upper 80% bound, and the reps' quotas' position against "
        "the team capacity and that bound."
    )
    frames = {
        "goals": goals,
        "targets": targets,
        "calibration_dimensions": calibration_dimensions,
        "forecast": forecast,
    }
    if any(f is None for f in frames.values()):
        return [missing(check, *[n for n, f in frames.items() if f is None], explanation=rule)]
    revenue = goals[goals["metric"] == "revenue"]
    year = year_target(targets)
    if revenue.empty or year is None:
        return [skipped(check, "goals.csv has no revenue goal" if revenue.empty else "no year target", rule)]
    quota = year_quota(targets)
    dims = dimension_totals(calibration_dimensions)
    limits = {d: a for d, a in dims.items() if d in LIMITING and math.isfinite(a)}
    months = list(targets.loc[targets["level"] == "month", "period"])
    band = forecast_interval(forecast, months)
    if not limits and (band is None or band["upper"].isna().all()):  # e.g. a minimal plan without reps
        return [skipped(check, "no limit computable from the data (market, team, resources, forecast)", rule)]
    reasons = [f"target above {d} {money(a)}" for d, a in limits.items() if year > a + CENT]
    team = dims.get("team", math.nan)
    if quota is not None and math.isfinite(team) and quota > team + CENT:
        reasons.append(f"quotas {money(quota)} above team {money(team)}")
    if band is not None and not band["upper"].isna().any():
        upper = float(band["upper"].sum())
        for name, amount in (("target", year), ("quotas", quota)):
            if amount is not None and amount > upper + CENT:
                reasons.append(f"{name} {money(amount)} above forecast upper {money(upper)}")
    expected = not reasons
    said = _flag(revenue["achievable"].iloc[0])
    why = ", ".join(reasons) if reasons else "within every limit"
    values = f"target {money(year)}, quotas {money(quota) if quota is not None else 'nan'}: {why}; goals.csv achievable={said}"
    return [row(check, said == expected, values, rule)]
