"""The plan of record: the plan the year is reviewed against.

The plan of record for the year of `as_of` is the targets of the latest complete plan version (a snapshot of kind
plan, adjusted or replan, `store.plan_of_record`) dated at or before `as_of` of the same region made for that year
(`find_plan`), else the data's `plan_of_record` table, else no plan. Earlier
snapshots and their artefacts are found and read through `planning.store` only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from planning import store
from planning.review.periods import month_start

#: The goals artefacts an earlier snapshot must hold to serve as the plan of record (its `forecast` is read when
#: there: a plan version without one, e.g. an adjusted plan, still is the plan of record).
PLAN_ARTIFACTS = ("targets", "targets_rep")


@dataclass(frozen=True)
class Plan:
    """The plan the year is reviewed against.

    source: "snapshot" (targets of an earlier snapshot), "data" (the plan_of_record table) or "none".
    months: month (first day), target. reps: rep_id, team, month (first day), target.
    forecast: the snapshot's chosen forecast: month (first day), forecast, lower, upper (empty for "data").
    """

    source: str
    year: int
    months: pd.DataFrame
    reps: pd.DataFrame
    forecast: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["month", "forecast"]))
    snapshot: str = ""
    path: str = ""
    kind: str = ""  # the snapshot's kind (plan | adjusted | replan); "" for the data table

    @property
    def annual(self) -> float:
        return float(self.months["target"].sum()) if len(self.months) else math.nan

    @property
    def exists(self) -> bool:
        return self.source != "none" and len(self.months) > 0


def empty_plan(year: int) -> Plan:
    """No plan for `year` (source "none"): typed empty month and rep frames."""
    return Plan(
        "none",
        year,
        pd.DataFrame({"month": pd.Series(dtype="datetime64[us]"), "target": pd.Series(dtype=float)}),
        pd.DataFrame(
            {
                "rep_id": pd.Series(dtype=str),
                "team": pd.Series(dtype=str),
                "month": pd.Series(dtype="datetime64[us]"),
                "target": pd.Series(dtype=float),
            }
        ),
    )


def chosen_forecast(fc: pd.DataFrame | None) -> pd.DataFrame:
    """Rows of the chosen model of a goals `forecast` artefact as month (first day), forecast, lower, upper."""
    if fc is None or fc.empty:
        return pd.DataFrame(columns=["month", "forecast", "lower", "upper"])
    if "chosen" in fc.columns:
        chosen = fc["chosen"].astype(str).str.lower().isin(["true", "1"])
        fc = fc[chosen]
    out = fc.assign(month=pd.to_datetime(fc["month"].astype(str).str[:7], format="%Y-%m"))
    cols = [c for c in ("month", "forecast", "lower", "upper") if c in out.columns]
    return out[cols].sort_values("month").reset_index(drop=True)


def plan_from_snapshot(snap: store.Snapshot, region: str, year: int) -> Plan:
    """The plan of `year` in the goals artefacts of an earlier snapshot (targets, targets_rep, forecast if any).

    Monthly targets come from `targets` level "month" (else the sum of the rep split); the rep split from
    `targets_rep`; the forecast is the chosen model's.
    """
    region_dir = snap.region_dir(region)
    targets = store.read_artifact(region_dir, "targets", region=region)
    reps = store.read_artifact(region_dir, "targets_rep", region=region)
    reps = reps.assign(month=pd.to_datetime(reps["month"].str[:7], format="%Y-%m"))
    reps = reps[reps["month"].dt.year == year].reset_index(drop=True)
    months = targets[targets["level"] == "month"]
    if len(months):
        months = pd.DataFrame(
            {"month": month_start(months["start"]), "target": months["target"].astype(float)}
        )
    else:
        months = reps.groupby("month", as_index=False)["target"].sum()
    months = months[months["month"].dt.year == year].sort_values("month").reset_index(drop=True)
    fc = chosen_forecast(store.read_optional(region_dir, "forecast"))
    return Plan(
        "snapshot",
        year,
        months,
        reps[["rep_id", "team", "month", "target"]],
        fc,
        snapshot=snap.as_of.isoformat(),
        path=str(region_dir),
        kind=snap.kind,
    )


def plan_from_table(plan_of_record: pd.DataFrame | None, reps: pd.DataFrame | None, year: int) -> Plan:
    """The data's `plan_of_record` rows of `year` (already filtered to the region) as a Plan; teams from `reps`."""
    if plan_of_record is None or plan_of_record.empty:
        return empty_plan(year)
    por = plan_of_record[plan_of_record["year"].astype(int) == year]
    if por.empty:
        return empty_plan(year)
    por = por.assign(month=month_start(por["month"]), rep_id=por["rep_id"].astype(str))
    months = por.groupby("month", as_index=False)["target"].sum().sort_values("month").reset_index(drop=True)
    rep_plan = por.groupby(["rep_id", "month"], as_index=False)["target"].sum()
    teams = (
        {} if reps is None else dict(zip(reps["rep_id"].astype(str), reps["team"].astype(str), strict=False))
    )
    rep_plan["team"] = [teams.get(r, "") for r in rep_plan["rep_id"]]
    return Plan("data", year, months, rep_plan[["rep_id", "team", "month", "target"]])


def find_plan(
    root: str | Path, region: str, as_of: date, plan_of_record: pd.DataFrame | None, reps: pd.DataFrame | None
) -> Plan:
    """The plan of record for `as_of`'s year.

    The plan version `store.plan_of_record` finds in `root` for the region and that year: the latest complete
    snapshot of kind plan, adjusted or replan dated at or before `as_of` (review snapshots never count) that
    holds the region's targets and targets_rep (and its forecast, when it has one); otherwise the `plan_of_record` table; otherwise an
    empty plan (source "none").
    """
    year = as_of.year
    snap = store.plan_of_record(root, as_of, region=region, year=year)
    while snap is not None and not store.has_artifacts(snap.region_dir(region), *PLAN_ARTIFACTS):
        snap = store.plan_of_record(root, snap.as_of - timedelta(days=1), region=region, year=year)
    if snap is not None:
        return plan_from_snapshot(snap, region, year)
    return plan_from_table(plan_of_record, reps, year)
