"""Checks on the target: its breakdown adds up, and it is stated against the calibration and the forecast.

Sources in the method (../shared/METHOD.md, docs/method.md): "Decomposition: annual -> quarter -> month -> week,
and -> team -> individual rep ... Every level must sum exactly to its parent" (2. Goals); "Three-dimensional
calibration: target = strategic intent ∩ resource capacity ∩ market possibility" (2. Goals); SMART "Achievable:
is within calibrated capacity" (2. Goals); "Targets detached from data: every target must trace to history,
capacity and resources" (common failure modes).
"""

from __future__ import annotations

import math

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
    """For every month the reps' quotas (targets_rep.csv) add up to the month's quota (targets.csv `quota`: the
    target + the flex buffer over-assigned to the reps; `target` in snapshots without that column), to the cent
    (METHOD 2: month -> team -> individual rep, every level sums exactly to its parent)."""
    check = "targets_reps_sum_to_months"
    rule = (
        "The reps' quotas of a month sum exactly to the month's quota (target + flex buffer; METHOD 2, "
        "decomposition to reps; docs/method.md, the flex buffer)."
    )
    if targets is None or targets_rep is None:
        return [
            missing(
                check,
                *[n for n, f in (("targets", targets), ("targets_rep", targets_rep)) if f is None],
                explanation=rule,
            )
        ]
    if targets_rep.empty:  # no reps table: the months are not split to reps (the report says so)
        return [skipped(check, "targets_rep.csv has no rows (no reps to split the months to)", rule)]
    months = targets[targets["level"] == "month"]
    col = "quota" if "quota" in targets.columns else "target"
    reps = (
        pd.Series(cents(targets_rep["target"]), index=targets_rep.index).groupby(targets_rep["month"]).sum()
    )
    bad = []
    for period, own in zip(months["period"], cents(months[col]), strict=True):
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
            f"{len(months)} months' {col} = sum of {targets_rep['rep_id'].nunique()} reps' quotas",
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


def year_quota(targets: pd.DataFrame) -> float | None:
    """The reps' quotas of the year (targets.csv `quota`, level `year`); the target where the column is absent
    (snapshots before the flex buffer was over-assigned)."""
    col = "quota" if "quota" in targets.columns else "target"
    year = targets.loc[targets["level"] == "year", col]
    return float(year.iloc[0]) if len(year) == 1 else None


def revenue_achievable(goals: pd.DataFrame | None) -> bool | None:
    """goals.csv's "achievable" of the derived revenue goal (the first revenue row); None without one."""
    if goals is None or "metric" not in goals.columns:
        return None
    rev = goals[goals["metric"] == "revenue"]
    return None if rev.empty else str(rev["achievable"].iloc[0]).strip().lower() == "true"


def stated(target_position: pd.DataFrame | None, measure: str, period: str, reference: str) -> str | None:
    """The position target_position.csv states for (measure, period, reference); None when it states none."""
    if target_position is None:
        return None
    tp = target_position
    hit = tp[(tp["measure"] == measure) & (tp["period"].astype(str) == period) & (tp["reference"] == reference)]
    return None if hit.empty else str(hit["position"].iloc[0])


def place(amount: float, lower: float | None, upper: float) -> str:
    """below | within | above: `amount` against [lower, upper] to the cent (None lower: no floor)."""
    if amount > upper + CENT:
        return "above"
    if lower is not None and amount < lower - CENT:
        return "below"
    return "within"


def _judge(
    check: str,
    position: str,
    said: str | None,
    limit: bool,
    achievable: bool | None,
    values: str,
    rule: str,
) -> Row:
    """A position is consistent when target_position states it; above a limit also needs the revenue goal marked
    not achievable (a planner-set target may exceed a dimension, but then the plan says so)."""
    if said is None:
        ok = position == "within" or not limit
        note = "not stated in target_position.csv"
    elif said != position:
        ok, note = False, f"target_position.csv states {said!r}"
    elif position == "above" and limit:
        ok = achievable is False
        note = f"stated above; goals.csv achievable={achievable}"
    else:
        ok, note = True, f"stated {said}"
    return row(check, ok, f"{values}: {position}, {note}", rule)


def target_vs_dimensions(
    targets: pd.DataFrame | None,
    calibration_dimensions: pd.DataFrame | None,
    target_position: pd.DataFrame | None = None,
    goals: pd.DataFrame | None = None,
) -> list[Row]:
    """The annual target stated against each calibration dimension (target_position.csv), consistently: the
    position it states is the one the figures give; above a limiting dimension (market possibility, team
    capacity, resource capacity) the revenue goal must say "not achievable" (METHOD 2, three-dimensional
    calibration: target = strategic intent ∩ resource capacity ∩ market possibility; a planner-set target above
    a dimension may exist, stated). Above the strategic intent is stated only. The reps' quotas (target + flex
    buffer) against the team capacity: what reps are asked to deliver (docs/method.md, the flex buffer)."""
    rule = (
        "Target = strategic intent ∩ resource capacity ∩ market possibility (METHOD 2, three-dimensional "
        "calibration); a target above a limit is stated and not achievable."
    )
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
    period = str(targets.loc[targets["level"] == "year", "period"].iloc[0])
    achievable = revenue_achievable(goals)
    out = []
    for dim, amount in dimension_totals(calibration_dimensions).items():
        if not math.isfinite(amount):
            out.append(skipped(f"target_vs_{dim}", f"{dim} not computable from the data", rule))
            continue
        share = year / amount if amount else float("nan")
        values = f"target {money(year)} vs {dim} {money(amount)} ({share:.1%})"
        pos = place(year, None, amount)
        said = stated(target_position, "target", period, dim)
        out.append(_judge(f"target_vs_{dim}", pos, said, dim in LIMITING, achievable, values, rule))
    team = dimension_totals(calibration_dimensions).get("team", float("nan"))
    quota = year_quota(targets) if "quota" in targets.columns else None
    if quota is not None and math.isfinite(team):
        values = f"quotas {money(quota)} vs team {money(team)} ({quota / team:.1%})"
        said = stated(target_position, "quota", period, "team")
        out.append(_judge("quota_vs_team", place(quota, None, team), said, True, achievable, values, rule))
    return out or [skipped("target_vs_dimensions", "calibration_dimensions.csv has no total rows", rule)]


def forecast_interval(forecast: pd.DataFrame, months: list[str]) -> pd.DataFrame | None:
    """The chosen model's forecast rows (forecast.csv `chosen`) for `months`, indexed by month; None when the
    artefact does not say which model was chosen."""
    if "chosen" not in forecast.columns:
        return None
    chosen = forecast[forecast["chosen"].astype(str).str.lower() == "true"]
    return chosen.set_index("month").reindex(months)


def target_vs_forecast_interval(
    targets: pd.DataFrame | None,
    forecast: pd.DataFrame | None,
    target_position: pd.DataFrame | None = None,
    goals: pd.DataFrame | None = None,
) -> list[Row]:
    """The annual target and the reps' quotas against the chosen forecast's 80% interval summed over the plan
    year's months, and each month's target against its month's interval, stated consistently in
    target_position.csv. Above the year's upper bound is a limit (the revenue goal must say not achievable);
    a month outside its band is stated only: even the actual outcome leaves a month's 80% band one month in
    five (METHOD 2: forecast = what will likely happen; failure mode 'targets detached from data')."""
    rule = (
        "The target against the forecast's 80% interval is stated (METHOD 2, baseline forecast; failure mode "
        "'targets detached from data'); above the year's upper bound it is not achievable."
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
    if band["forecast"].notna().all() and band["upper"].isna().all() and "model" in band:
        model = ", ".join(sorted(set(band["model"].astype(str))))  # the minimal plan's run rate
        return [skipped("target_vs_forecast_interval", f"the chosen {model} has no interval", rule)]
    if band["upper"].isna().any():
        gaps = list(band.index[band["upper"].isna()])
        return [skipped("target_vs_forecast_interval", f"chosen forecast lacks months {listed(gaps)}", rule)]
    period = str(targets.loc[targets["level"] == "year", "period"].iloc[0])
    achievable = revenue_achievable(goals)
    lo, hi = float(band["lower"].sum()), float(band["upper"].sum())
    out = []
    quota = year_quota(targets) if "quota" in targets.columns else None
    for measure, amount in (("target", year), ("quota", quota)):
        if amount is None:
            continue
        values = f"{measure} {money(amount)} vs forecast 80% interval {money(lo)} .. {money(hi)}"
        said = stated(target_position, measure, period, "forecast")
        check = "target_vs_forecast_interval" if measure == "target" else "quota_vs_forecast_interval"
        out.append(_judge(check, place(amount, lo, hi), said, True, achievable, values, rule))
    outside, unstated = [], []
    for p, t in zip(months["period"], months["target"], strict=True):
        b = band.loc[p]
        pos = place(float(t), float(b["lower"]), float(b["upper"]))
        if pos == "within":
            continue
        outside.append(f"{p} {money(t)} {pos} {money(b['lower'])} .. {money(b['upper'])}")
        if stated(target_position, "target", str(p), "forecast") != pos:
            unstated.append(p)
    if not outside:
        values = f"all {len(months)} months inside their interval"
    else:
        values = f"{len(outside)} months outside, " + (
            f"not stated in target_position.csv: {listed(unstated)}" if unstated else "all stated"
        ) + f": {listed(outside)}"
    out.append(row("target_months_vs_forecast_interval", not unstated, values, rule))
    return out
