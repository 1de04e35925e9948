"""Checks on the target: its breakdown adds up, and it is stated against the calibration and the forecast.

Sources in the method (../shared/METHOD.md, docs/method.md): "Decomposition: annual -> quarter -> month -> week,
and -> team -> individual rep ... Every level must sum exactly to its parent" (2. Goals); "Three-dimensional
calibration: target = strategic intent ∩ resource capacity ∩ market possibility" (2. Goals); SMART "Achievable:
is within calibrated capacity" (2. Goals); "Targets detached from data: every target must trace to history,
capacity and resources" (common failure modes).
"""

from __future__ import annotations

import pandas as pd

from planning.audit.result import CENT, Row, cents, listed, missing, money, row, skipped

#: Calibration dimensions that bound what the plan can reach; `ambition` (the strategic intent) does not.
LIMITING = ("market", "team", "resources")


def year_target(targets: pd.DataFrame) -> float | None:
    """The annual target (targets.csv, level `year`), or None when there is no single year row."""
    year = targets.loc[targets["level"] == "year", "target"]
    return float(year.iloc[0]) if len(year) == 1 else None


def _sum_to_parents(check: str, targets: pd.DataFrame, parent: str, child: str, rule: str) -> list[Row]:
    """Each `parent` row of targets.csv equals, in cents, the sum of the `child` rows dated inside it."""
    parents = targets[targets["level"] == parent]
    children = targets[targets["level"] == child]
    if parents.empty or children.empty:
        return [skipped(check, f"targets.csv has no {parent if parents.empty else child} rows", rule)]
    child_c = cents(children["target"])
    placed = pd.Series(False, index=children.index)
    bad = []
    for _, p in parents.iterrows():
        inside = (children["start"] >= p["start"]) & (children["end"] <= p["end"])
        placed |= inside
        total = int(child_c[inside.to_numpy()].sum())
        own = int(cents(pd.Series([p["target"]]))[0])
        if total != own:
            bad.append(
                f"{p['period']}: {money(own / 100)} vs {child}s {money(total / 100)} "
                f"(diff {money((total - own) / 100)})"
            )
    bad += [f"{child} {c} lies in no {parent}" for c in children.loc[~placed, "period"]]
    if bad:
        return [row(check, False, listed(bad), rule)]
    return [row(check, True, f"{len(parents)} {parent}(s) = sum of {len(children)} {child}s", rule)]


def quarters_sum_to_year(targets: pd.DataFrame | None) -> list[Row]:
    """The four quarters' targets add up to the annual target, to the cent (METHOD 2: every level sums exactly
    to its parent)."""
    rule = (
        "Every level of the breakdown sums exactly to its parent (METHOD 2, decomposition): quarters -> year."
    )
    if targets is None:
        return [missing("targets_quarters_sum_to_year", "targets", explanation=rule)]
    return _sum_to_parents("targets_quarters_sum_to_year", targets, "year", "quarter", rule)


def months_sum_to_quarters(targets: pd.DataFrame | None) -> list[Row]:
    """Each quarter's target is the sum of its three months', to the cent (METHOD 2, decomposition)."""
    rule = "Every level of the breakdown sums exactly to its parent (METHOD 2, decomposition): months -> quarter."
    if targets is None:
        return [missing("targets_months_sum_to_quarters", "targets", explanation=rule)]
    return _sum_to_parents("targets_months_sum_to_quarters", targets, "quarter", "month", rule)


def weeks_sum_to_year(targets: pd.DataFrame | None) -> list[Row]:
    """The ISO weeks' targets add up to the annual target, to the cent (METHOD 2, decomposition). ISO weeks
    straddle month ends (2027-W13 is 29 March - 4 April), so a week's parent is the year, not a month; a plan
    without week rows skips the check."""
    rule = (
        "Every level of the breakdown sums exactly to its parent (METHOD 2, decomposition): ISO weeks -> year "
        "(a week can straddle two months)."
    )
    if targets is None:
        return [missing("targets_weeks_sum_to_year", "targets", explanation=rule)]
    return _sum_to_parents("targets_weeks_sum_to_year", targets, "year", "week", rule)


def reps_sum_to_months(targets: pd.DataFrame | None, targets_rep: pd.DataFrame | None) -> list[Row]:
    """For every month the reps' targets (targets_rep.csv) add up to the month's target (targets.csv), to the
    cent (METHOD 2: month -> team -> individual rep, every level sums exactly to its parent)."""
    check = "targets_reps_sum_to_months"
    rule = "The reps' targets of a month sum exactly to the month's target (METHOD 2, decomposition to reps)."
    if targets is None or targets_rep is None:
        return [
            missing(
                check,
                *[n for n, f in (("targets", targets), ("targets_rep", targets_rep)) if f is None],
                explanation=rule,
            )
        ]
    months = targets[targets["level"] == "month"]
    reps = (
        pd.Series(cents(targets_rep["target"]), index=targets_rep.index).groupby(targets_rep["month"]).sum()
    )
    bad = []
    for period, own in zip(months["period"], cents(months["target"]), strict=True):
        total = int(reps.get(period, 0))
        if total != int(own):
            bad.append(
                f"{period}: {money(own / 100)} vs reps {money(total / 100)} (diff {money((total - own) / 100)})"
            )
    bad += [f"reps' month {m} has no month target" for m in reps.index if m not in set(months["period"])]
    if bad:
        return [row(check, False, listed(bad), rule)]
    return [
        row(
            check,
            True,
            f"{len(months)} months = sum of {targets_rep['rep_id'].nunique()} reps' targets",
            rule,
        )
    ]


def dimension_totals(calibration_dimensions: pd.DataFrame) -> dict[str, float]:
    """{dimension: its total} from calibration_dimensions.csv (the `total` row; the component named like the
    dimension where the `kind` column is absent)."""
    cd = calibration_dimensions
    if "kind" in cd.columns:
        totals = cd[cd["kind"] == "total"]
    else:
        totals = cd[cd["component"] == cd["dimension"]]
    return {str(d): float(a) for d, a in zip(totals["dimension"], totals["amount"], strict=True)}


def target_vs_dimensions(
    targets: pd.DataFrame | None, calibration_dimensions: pd.DataFrame | None
) -> list[Row]:
    """The annual target stated against each calibration dimension; above a limiting one (market possibility,
    team capacity, resource capacity) it fails: the target must lie inside strategic intent ∩ resource capacity
    ∩ market possibility (METHOD 2, three-dimensional calibration). Above the strategic intent is only stated."""
    rule = "Target = strategic intent ∩ resource capacity ∩ market possibility (METHOD 2, three-dimensional calibration)."
    if targets is None or calibration_dimensions is None:
        names = [
            n
            for n, f in (("targets", targets), ("calibration_dimensions", calibration_dimensions))
            if f is None
        ]
        return [missing("target_vs_dimensions", *names, explanation=rule)]
    year = year_target(targets)
    if year is None:
        return [skipped("target_vs_dimensions", "targets.csv has no single year row", rule)]
    out = []
    for dim, amount in dimension_totals(calibration_dimensions).items():
        share = year / amount if amount else float("nan")
        values = f"target {money(year)} vs {dim} {money(amount)} ({share:.1%})"
        if dim in LIMITING:
            out.append(row(f"target_vs_{dim}", year <= amount + CENT, values, rule + f" {dim} is a limit."))
        else:
            out.append(
                row(f"target_vs_{dim}", True, values, rule + f" {dim} is intent, not a limit: stated only.")
            )
    return out or [skipped("target_vs_dimensions", "calibration_dimensions.csv has no total rows", rule)]


def forecast_interval(forecast: pd.DataFrame, months: list[str]) -> pd.DataFrame | None:
    """The chosen model's forecast rows (forecast.csv `chosen`) for `months`, indexed by month; None when the
    artefact does not say which model was chosen."""
    if "chosen" not in forecast.columns:
        return None
    chosen = forecast[forecast["chosen"].astype(str).str.lower() == "true"]
    return chosen.set_index("month").reindex(months)


def target_vs_forecast_interval(targets: pd.DataFrame | None, forecast: pd.DataFrame | None) -> list[Row]:
    """The annual target against the chosen forecast's 80% interval summed over the plan year's months, and
    each month's target against its month's interval. Outside it the target is detached from the data (METHOD
    2: forecast = what will likely happen; common failure modes: targets detached from data). Summing the
    monthly bounds gives a band wider than the annual interval, so a target above it is surely above."""
    rule = (
        "A target outside the forecast's 80% interval is detached from the data (METHOD 2, baseline forecast; "
        "failure mode 'targets detached from data'). Monthly bounds summed: wider than the annual interval."
    )
    if targets is None or forecast is None:
        names = [n for n, f in (("targets", targets), ("forecast", forecast)) if f is None]
        return [missing("target_vs_forecast_interval", *names, explanation=rule)]
    months = targets[targets["level"] == "month"]
    band = forecast_interval(forecast, list(months["period"]))
    year = year_target(targets)
    if band is None or year is None:
        why = "forecast.csv has no `chosen` column" if band is None else "targets.csv has no single year row"
        return [skipped("target_vs_forecast_interval", why, rule)]
    if band["upper"].isna().any():
        gaps = list(band.index[band["upper"].isna()])
        return [skipped("target_vs_forecast_interval", f"chosen forecast lacks months {listed(gaps)}", rule)]
    lo, hi = float(band["lower"].sum()), float(band["upper"].sum())
    values = f"target {money(year)} vs forecast 80% interval {money(lo)} .. {money(hi)}"
    out = [row("target_vs_forecast_interval", lo - CENT <= year <= hi + CENT, values, rule)]
    outside = []
    for period, t in zip(months["period"], months["target"], strict=True):
        b = band.loc[period]
        if t > b["upper"] + CENT:
            outside.append(f"{period} {money(t)} > upper {money(b['upper'])}")
        elif t < b["lower"] - CENT:
            outside.append(f"{period} {money(t)} < lower {money(b['lower'])}")
    values = listed(outside) if outside else f"all {len(months)} months inside their interval"
    out.append(row("target_months_vs_forecast_interval", not outside, values, rule))
    return out
