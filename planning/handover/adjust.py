"""`planning adjust WORKBOOK.xlsx ...`: the managers' edited quota workbooks become the plan of record.

Every workbook is read and checked against its snapshot (read.py; any problem: exit 2, nothing written). The
regions they cover are reconciled with the top-down plan (reconcile.py, the rule of the snapshot's parameters
`goals.adjustment`), and a new dated snapshot is published with manifest kind "adjusted" and `plan_of_record`
naming the snapshot it derives from. It holds the source's artefacts with the reconciled `targets_rep` (and, where
the managers' totals were accepted, `targets`), `adjustment.csv` (every rep's month: plan, managers, reconciled)
and `reconciliation.csv` (per team, region and company: top-down, bottom-up, gap, reconciled), new quota workbooks,
an index, and "changes since" the source, whose cause reads "adjusted by manager workbook <file>".
"""

from __future__ import annotations

import copy
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planning import report, store
from planning.diff import Side
from planning.diff import page as diff_page
from planning.errors import ParamsError, SnapshotExists, WorkbookError
from planning.goals.decompose import allocate
from planning.handover import read, reconcile, workbook
from planning.runner import publish

COPIED_SUFFIXES = (".csv", ".json", ".parquet")  # the reports (.html, .ipynb) stay with the source snapshot


@dataclass
class Adjusted:
    snapshot: Path
    source: Path
    reconciliation: pd.DataFrame


def _rule(manifest: dict[str, Any], region: str) -> tuple[str, float]:
    params = ((manifest.get("regions") or {}).get(region) or {}).get("params") or {}
    adj = (params.get("goals") or {}).get("adjustment") or {}
    return str(adj.get("rule") or "respread"), float(adj.get("tolerance") or 0.0)


def adjust(workbooks: list[str | Path], root: str | Path, as_of: str | None = None) -> Adjusted:
    """Check, reconcile and publish (see the module docstring). Raises WorkbookError, SnapshotInvalid,
    SnapshotExists or ParamsError (exit 2) before anything is written."""
    root = Path(root)
    returned = [read.read(w, root) for w in workbooks]
    sources = {r.snapshot.name for r in returned}
    if len(sources) > 1:
        raise WorkbookError(
            f"{', '.join(str(r.path) for r in returned)}: the workbooks come from different snapshots "
            f"({', '.join(sorted(sources))}); expected workbooks of one snapshot"
        )
    covered: dict[str, Path] = {}
    for r in returned:
        for region in r.regions:
            if region in covered:
                raise WorkbookError(
                    f"{r.path}: region {region!r} is also in {covered[region]}; expected each region in one workbook"
                )
            covered[region] = r.path
    source, manifest = returned[0].snapshot, returned[0].manifest
    name = as_of or date.today().isoformat()
    try:
        when = date.fromisoformat(name)
    except ValueError:
        raise ParamsError(f"--as-of: {name!r}; expected a date YYYY-MM-DD") from None
    if when < date.fromisoformat(source.name):
        raise ParamsError(f"--as-of: {name}; expected {source.name} (the workbooks' snapshot) or later")
    final = store.snapshot_dir(root, when)
    if final.exists():
        raise SnapshotExists(f"{final}: a snapshot for {name} already exists; expected --as-of a new date")

    tmp = publish.work_dir(root, final.name)
    try:
        recon = _write(tmp, final.name, source, manifest, returned)
        publish.publish(tmp, final, replace=False)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Adjusted(final, source, recon)


ADJUSTMENT_COLUMNS = [
    "region",
    "team",
    "rep_id",
    "name",
    "month",
    "plan",
    "managers",
    "reconciled",
    "edited",
    "held",
]


def _write(
    tmp: Path, name: str, source: Path, manifest: dict[str, Any], returned: list[read.Returned]
) -> pd.DataFrame:
    """Assemble the adjusted snapshot in `tmp`; returns the reconciliation table."""
    for entry in source.iterdir():
        if entry.is_dir() and entry.name in (manifest.get("regions") or {}):
            shutil.copytree(entry, tmp / entry.name, ignore=_not_data)
    rows, levels, done = [], [], {}
    for ret in returned:
        for region in ret.regions:
            region_rows, region_levels, done[region] = _adjust_region(tmp, region, manifest, ret)
            rows += region_rows
            levels += region_levels
    recon = pd.DataFrame(levels)
    reg = recon[recon["level"] == "region"]
    others = sum(  # regions no workbook covered: their plan stands
        _cents_of(tmp, r) for r in manifest.get("regions") or {} if r not in done
    )
    company = {
        "level": "company",
        "region": "",
        "team": "",
        "top_down": (_sum_cents(reg["top_down"]) + others) / 100,
        "bottom_up": (_sum_cents(reg["bottom_up"]) + others) / 100,
        "gap": _sum_cents(reg["gap"]) / 100,
        "reconciled": (_sum_cents(reg["reconciled"]) + others) / 100,
        "rule": "",
        "accepted": bool(reg["accepted"].all()),
    }
    recon = pd.concat([recon, pd.DataFrame([company])], ignore_index=True)
    store.write_csv(tmp / "adjustment.csv", pd.DataFrame(rows, columns=ADJUSTMENT_COLUMNS))
    store.write_csv(tmp / "reconciliation.csv", recon)
    new = copy.deepcopy(manifest)
    for key in ("started_at", "wall_s", "resumed_from"):
        new.pop(key, None)
    new.update(snapshot=name, status="complete", kind="adjusted", plan_of_record=source.name)
    new["adjustment"] = {"workbooks": [r.path.name for r in returned], "regions": list(done), "rules": done}
    for region in done:  # the annual target stands: the managers' workbook moves quotas (target + flex buffer)
        targets = store.read_optional(tmp / region, "targets")
        year = None if targets is None else targets.loc[targets["level"] == "year", "target"]
        if year is not None and len(year):
            new["regions"][region].setdefault("headline", {})["plan_target"] = float(year.iloc[0])
    store.write_manifest(tmp, new)
    workbook.write_all(tmp, new)
    diff_page.diff_snapshots(Side(source.name, source, manifest), Side(name, tmp, new))
    lang = next(((e.get("params") or {}).get("language") for e in new["regions"].values()), "en") or "en"
    report.write_index(tmp, new, lang)
    return recon


def _sum_cents(values: pd.Series) -> int:
    return int(np.round(values.to_numpy(dtype=float) * 100).sum())


def _cents_of(snapshot: Path, region: str) -> int:
    rd = store.region_dir(snapshot, region)
    if not store.has_artifacts(rd, "targets_rep"):
        return 0
    return _sum_cents(store.read_artifact(rd, "targets_rep", region=region)["target"])


def _adjust_region(
    tmp: Path, region: str, manifest: dict[str, Any], ret: read.Returned
) -> tuple[list[tuple], list[dict[str, Any]], dict[str, Any]]:
    """Reconcile one region and rewrite its targets_rep (and targets when accepted) in `tmp`. Returns the rows
    of adjustment.csv, of reconciliation.csv (teams, region) and the rule applied."""
    rule, tolerance = _rule(manifest, region)
    rd = store.region_dir(tmp, region)
    reps = store.read_artifact(rd, "targets_rep", region=region)
    plan_year = str((manifest["regions"][region].get("params") or {}).get("plan_year"))
    months = [f"{plan_year}-{m:02d}" for m in range(1, 13)]
    in_year = reps["month"].astype(str).isin(months)
    ids = list(dict.fromkeys(reps.loc[in_year, "rep_id"].astype(str)))
    plan = np.stack([ret.layout.plan[(region, rid)] for rid in ids])
    managers = np.stack([ret.managers[(region, rid)] for rid in ids])
    first = reps.drop_duplicates("rep_id").set_index("rep_id")
    teams = [str(first.at[rid, "team"]) for rid in ids]
    team_names = sorted(set(teams))
    team_of = np.array([team_names.index(t) for t in teams])
    capacity = plan.astype(float)
    if "capacity" in reps:
        cap = reps[in_year].pivot_table(index="rep_id", columns="month", values="capacity", aggfunc="sum")
        capacity = cap.reindex(index=ids, columns=months).fillna(0.0).to_numpy()
    result = reconcile.reconcile(plan, managers, capacity, team_of, rule, tolerance)
    cents = dict(zip(ids, result.cents, strict=True))
    col = {m: j for j, m in enumerate(months)}
    reps["target"] = [
        cents[r][col[m]] / 100 if r in cents and m in col else t
        for r, m, t in zip(reps["rep_id"].astype(str), reps["month"].astype(str), reps["target"], strict=True)
    ]
    store.write_artifact(rd, "targets_rep", reps)
    if result.accepted:
        _retarget(rd, region, result.cents.sum(axis=0))
    names = first["name"].astype(str) if "name" in first else pd.Series("", index=first.index)
    rows = [
        (region, teams[i], rid, names[rid], m, plan[i, j] / 100, managers[i, j] / 100,
         result.cents[i, j] / 100, bool(managers[i, j] != plan[i, j]), bool(result.held[i, j]))
        for i, rid in enumerate(ids)
        for j, m in enumerate(months)
    ]  # fmt: skip
    levels = [
        _level(
            "team",
            region,
            t,
            *(x[team_of == k] for x in (plan, managers, result.cents)),
            rule,
            result.accepted,
        )
        for k, t in enumerate(team_names)
    ]
    levels.append(_level("region", region, "", plan, managers, result.cents, rule, result.accepted))
    return rows, levels, {"rule": rule, "tolerance": tolerance, "accepted": result.accepted}


def _not_data(folder: str, names: list[str]) -> list[str]:
    """copytree's ignore: the reports and workbooks of the source stay there; artefacts and params travel."""
    return [n for n in names if not n.endswith(COPIED_SUFFIXES) and not (Path(folder) / n).is_dir()]


def _level(level, region, team, plan, managers, cents, rule, accepted) -> dict[str, Any]:
    return {
        "level": level,
        "region": region,
        "team": team,
        "top_down": int(plan.sum()) / 100,
        "bottom_up": int(managers.sum()) / 100,
        "gap": int(managers.sum() - plan.sum()) / 100,
        "reconciled": int(cents.sum()) / 100,
        "rule": rule,
        "accepted": accepted,
    }


def _retarget(region_dir: Path, region: str, month_cents: np.ndarray) -> None:
    """The region's `targets` after accepted managers' totals: months from the reps, quarters and the year their
    sums, weeks the new year spread in the old weeks' proportions (every level sums exactly, as the audit checks)."""
    t = store.read_artifact(region_dir, "targets", region=region)
    # The reps carry the quotas (target + flex buffer, docs/method.md): their sums are the `quota` column where
    # the plan has one; the company's target stays as calibrated.
    col = "quota" if "quota" in t.columns else "target"
    cents = np.round(t[col].to_numpy() * 100).astype(np.int64)
    level = t["level"].to_numpy()
    new = cents.copy()
    months = np.nonzero(level == "month")[0]
    new[months] = month_cents
    new[np.nonzero(level == "quarter")[0]] = month_cents.reshape(4, 3).sum(axis=1)
    new[np.nonzero(level == "year")[0]] = month_cents.sum()
    weeks = np.nonzero(level == "week")[0]
    if len(weeks):
        new[weeks] = allocate(int(month_cents.sum()), cents[weeks].astype(float))
    t[col] = new / 100
    store.write_artifact(region_dir, "targets", t)
    _reattain(region_dir, float(t.loc[t["level"] == "year", col].iloc[0]))


def _reattain(region_dir: Path, quotas: float) -> None:
    """The shared fact expected_attainment (facts_resources: team capacity / the reps' quotas) after the quotas
    moved; the team's capacity stands (one fact, one home: the audit compares the two)."""
    facts = store.read_optional(region_dir, "facts_resources")
    if facts is None or quotas <= 0:
        return
    names = facts["name"].astype(str)
    capacity = pd.to_numeric(facts.loc[names == "team_capacity", "value"], errors="coerce")
    if capacity.empty or pd.isna(capacity.iloc[0]):
        return
    facts.loc[names == "expected_attainment", "value"] = float(capacity.iloc[0]) / quotas
    store.write_artifact(region_dir, "facts_resources", facts)
