"""Two snapshots compared: targets, KPI lights, customer tiers, forecast and hires, and the causes the manifests
give (data tables' hashes, parameters, code version, the planning date, a managers' adjustment).

Pure: reads artefacts and manifests through `planning.store` and returns frames; no text in a language (narrate.py
says it). Amounts are compared in integer cents, so a change of ¥0.01 is a change and a rounding is not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planning import store
from planning.errors import SnapshotInvalid

COMPANY = "company"  # the scope of the company's totals (every region of the snapshot)
# "quota" is a region's year of quotas (the target plus the flex buffer): teams and reps carry quotas, and their
# rows sum to it, not to the target.
TARGET_LEVELS = ("year", "quarter", "month", "region", "quota", "team", "rep")
TARGET_COLUMNS = ["scope", "level", "key", "name", "team", "old", "new", "change", "change_pct", "status"]
KPI_COLUMNS = ["scope", "kpi", "old_status", "new_status"]
TIER_COLUMNS = ["scope", "from_tier", "to_tier", "customers"]
FIGURE_COLUMNS = ["scope", "figure", "old", "new", "change", "change_pct"]
CAUSE_COLUMNS = ["scope", "cause", "item", "old", "new"]
#: The causes a manifest can show, in the order a reader is told them.
CAUSES = ("adjusted", "replan", "scenario", "as_of", "params", "data", "code", "regions")
NONE = "none"  # a customer without a tier in one of the snapshots (new, or gone)


@dataclass(frozen=True)
class Side:
    """One snapshot of the comparison: its folder name, folder and manifest."""

    name: str
    path: Path
    manifest: dict[str, Any]

    @property
    def regions(self) -> list[str]:
        return list(self.manifest.get("regions") or {})

    def params(self, region: str) -> dict[str, Any]:
        entry = (self.manifest.get("regions") or {}).get(region) or {}
        return entry.get("params") or {}

    @property
    def scenario_keys(self) -> set[str]:
        """The keys a named scenario's snapshot overrides (`planning run --scenario`); empty for other kinds."""
        if store.kind_of(self.manifest) != "scenario":
            return set()
        return set(((self.manifest.get("scenario") or {}).get("overrides")) or {})


@dataclass
class Diff:
    """What changed from `old` to `new` (frames with the columns above, one row per scope and item)."""

    old: Side
    new: Side
    regions: list[str]
    targets: pd.DataFrame
    kpis: pd.DataFrame
    tiers: pd.DataFrame
    figures: pd.DataFrame  # forecast and hires
    causes: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def frames(self) -> dict[str, pd.DataFrame]:
        """The CSVs of the comparison, by file stem."""
        return {
            "targets": self.targets,
            "kpis": self.kpis,
            "tiers": self.tiers,
            "figures": self.figures,
            "causes": self.causes,
        }

    def cause_kinds(self, scope: str) -> list[str]:
        """The kinds of cause found for `scope` (a region or COMPANY), in CAUSES order."""
        found = set(self.causes.loc[self.causes["scope"] == scope, "cause"])
        return [c for c in CAUSES if c in found]


# ------------------------------------------------------------------------------------------------ snapshots
def open_snapshot(ref: str | Path, root: str | Path) -> Side:
    """The snapshot `ref` names: a folder, or an as-of date (YYYY-MM-DD) or a scenario's folder name
    (YYYY-MM-DD+NAME) under `root`. Raises SnapshotInvalid (exit 2) when it is missing, not a snapshot or not
    complete."""
    path = Path(ref)
    if not path.is_dir() and (store.SNAPSHOT_NAME.match(str(ref)) or store.SCENARIO_NAME.match(str(ref))):
        path = store.snapshot_dir(root, str(ref))
    if not path.is_dir():
        found = [s.path.name for s in store.snapshots(root, complete=False)]
        have = f"; snapshots under {root}: {', '.join(found)}" if found else f"; {root} holds no snapshot"
        raise SnapshotInvalid(
            f"{path}: no such snapshot{have}; expected an as-of date YYYY-MM-DD under --out or a snapshot folder"
        )
    manifest = store.read_manifest(path)
    if manifest is None:
        raise SnapshotInvalid(
            f"{path}: not a snapshot (no readable manifest.json); expected a folder written by `planning run`"
        )
    if manifest.get("status") != "complete":
        failed = [
            f"{r}/{s}"
            for r, e in (manifest.get("regions") or {}).items()
            for s, st in (e.get("steps") or {}).items()
            if (st or {}).get("status") != "ok"
        ]
        what = f" (not ok: {', '.join(failed[:6])})" if failed else ""
        raise SnapshotInvalid(
            f"{path}: the snapshot is incomplete{what}; expected a complete snapshot: complete it with "
            f"`planning run --resume --as-of {path.name}` first"
        )
    return Side(path.name, path, manifest)


# ------------------------------------------------------------------------------------------------ targets
def _cents(values: Any) -> np.ndarray:
    return np.round(np.asarray(values, dtype=float) * 100).astype(np.int64)


def region_targets(region_dir: Path) -> pd.DataFrame:
    """A region's targets as rows (level, key, name, team, cents): year, quarters, months from `targets`; the
    year's quotas (level "quota": target plus flex buffer) from `targets`; teams and reps (their year of quotas)
    from `targets_rep`, which sum to the quota row. Empty when the goals step wrote nothing."""
    rows = []
    t = store.read_optional(region_dir, "targets")
    if t is not None:
        year = t[t["level"] == "year"]
        if "quota" in t and len(year):
            rows.append(
                pd.DataFrame(
                    {"level": "quota", "key": year["period"].astype(str), "name": "", "team": "",
                     "cents": _cents(year["quota"])}
                )  # fmt: skip
            )
        t = t[t["level"].isin(["year", "quarter", "month"])]
        rows.append(
            pd.DataFrame(
                {
                    "level": t["level"],
                    "key": t["period"].astype(str),
                    "name": "",
                    "team": "",
                    "cents": _cents(t["target"]),
                }
            )
        )
    r = store.read_optional(region_dir, "targets_rep")
    if r is not None and len(r):
        r = r.assign(cents=_cents(r["target"]), name=r["name"].astype(str) if "name" in r else "")
        team = r.groupby("team", sort=True)["cents"].sum()
        rows.append(
            pd.DataFrame(
                {"level": "team", "key": team.index, "name": "", "team": team.index, "cents": team.to_numpy()}
            )
        )
        rep = r.groupby("rep_id", sort=True).agg(
            name=("name", "first"), team=("team", "first"), cents=("cents", "sum")
        )
        rows.append(
            pd.DataFrame(
                {
                    "level": "rep",
                    "key": rep.index,
                    "name": rep["name"].to_numpy(),
                    "team": rep["team"].to_numpy(),
                    "cents": rep["cents"].to_numpy(),
                }
            )
        )
    if not rows:
        return pd.DataFrame(columns=["level", "key", "name", "team", "cents"])
    return pd.concat(rows, ignore_index=True)


def company_targets(by_region: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The company's year, quarters and months (sums over the regions) and each region's year."""
    parts = [t[t["level"].isin(["year", "quarter", "month"])] for t in by_region.values() if len(t)]
    rows = []
    if parts:
        cal = pd.concat(parts).groupby(["level", "key"], sort=False, as_index=False)["cents"].sum()
        rows.append(cal.assign(name="", team=""))
    years = [
        (r, int(t.loc[t["level"] == "year", "cents"].sum()))
        for r, t in by_region.items()
        if (t["level"] == "year").any()
    ]
    if years:
        rows.append(
            pd.DataFrame(
                {
                    "level": "region",
                    "key": [r for r, _ in years],
                    "name": "",
                    "team": "",
                    "cents": [c for _, c in years],
                }
            )
        )
    if not rows:
        return pd.DataFrame(columns=["level", "key", "name", "team", "cents"])
    return pd.concat(rows, ignore_index=True)[["level", "key", "name", "team", "cents"]]


def compare_targets(scope: str, old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Old and new targets of one scope side by side: amount, change and % change; status added (a rep, team
    or region only in NEW), removed (only in OLD), changed or same."""
    m = old.merge(new, on=["level", "key"], how="outer", suffixes=("_old", "_new"))
    o, n = m["cents_old"], m["cents_new"]
    status = np.where(o.isna(), "added", np.where(n.isna(), "removed", np.where(o != n, "changed", "same")))
    change = (n.fillna(0) - o.fillna(0)) / 100
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(o.fillna(0) != 0, change / (o / 100), np.nan)
    out = pd.DataFrame(
        {
            "scope": scope,
            "level": m["level"],
            "key": m["key"].astype(str),
            "name": m["name_new"].fillna(m["name_old"]).fillna(""),
            "team": m["team_new"].fillna(m["team_old"]).fillna(""),
            "old": o / 100,
            "new": n / 100,
            "change": change,
            "change_pct": pct,
            "status": status,
        }
    )
    order = {lv: i for i, lv in enumerate(TARGET_LEVELS)}
    out["_o"] = out["level"].map(order)
    return out.sort_values(["_o", "key"], kind="stable").drop(columns="_o").reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ lights, tiers
def compare_kpis(scope: str, old_dir: Path, new_dir: Path) -> pd.DataFrame:
    """KPI lights whose colour changed (or that exist in one snapshot only: status "none" on the other side)."""
    o, n = store.read_optional(old_dir, "kpis"), store.read_optional(new_dir, "kpis")
    if o is None or n is None:
        return pd.DataFrame(columns=KPI_COLUMNS)
    m = o[["kpi", "status"]].merge(n[["kpi", "status"]], on="kpi", how="outer", suffixes=("_old", "_new"))
    m = m.fillna(NONE)
    m = m[m["status_old"] != m["status_new"]]
    return pd.DataFrame(
        {"scope": scope, "kpi": m["kpi"], "old_status": m["status_old"], "new_status": m["status_new"]}
    ).reset_index(drop=True)


def compare_tiers(scope: str, old_dir: Path, new_dir: Path) -> pd.DataFrame:
    """Customers that moved tier, counted from -> to (a customer new to the tiers comes from "none", one that
    left them goes to "none")."""
    o, n = store.read_optional(old_dir, "customer_tiers"), store.read_optional(new_dir, "customer_tiers")
    if o is None or n is None or "tier" not in o or "tier" not in n:
        return pd.DataFrame(columns=TIER_COLUMNS)
    m = (
        o[["customer_id", "tier"]]
        .merge(n[["customer_id", "tier"]], on="customer_id", how="outer", suffixes=("_old", "_new"))
        .fillna(NONE)
    )
    m = m[m["tier_old"] != m["tier_new"]]
    counts = m.groupby(["tier_old", "tier_new"], sort=True).size().reset_index(name="customers")
    return pd.DataFrame(
        {
            "scope": scope,
            "from_tier": counts["tier_old"],
            "to_tier": counts["tier_new"],
            "customers": counts["customers"].astype(int),
        }
    )


# ------------------------------------------------------------------------------------------------ forecast, hires
def forecast_total(region_dir: Path, plan_year: int | None) -> float | None:
    """The chosen forecast's total over the plan year (None when the goals step wrote no forecast)."""
    fc = store.read_optional(region_dir, "forecast")
    if fc is None or plan_year is None:
        return None
    if "chosen" in fc:
        fc = fc[fc["chosen"].astype(str).str.lower().isin(["true", "1"])]
    in_year = fc["month"].astype(str).str[:4] == str(plan_year)
    return float(fc.loc[in_year, "forecast"].sum())


def hires_total(region_dir: Path) -> float | None:
    h = store.read_optional(region_dir, "hiring_plan")
    return None if h is None else float(h["hires"].sum())


def _figure(scope: str, figure: str, old: float | None, new: float | None) -> dict[str, Any]:
    change = None if old is None or new is None else new - old
    pct = change / old if change is not None and old else None
    return {"scope": scope, "figure": figure, "old": old, "new": new, "change": change, "change_pct": pct}


# ------------------------------------------------------------------------------------------------ causes
def flatten(d: Any, prefix: str = "") -> dict[str, Any]:
    """A nested parameters dict as {"goals.buffer": 0.12, ...} (lists kept whole, as JSON text)."""
    if not isinstance(d, dict):
        return {prefix: json.dumps(d, sort_keys=True, ensure_ascii=False) if isinstance(d, list) else d}
    out: dict[str, Any] = {}
    for k, v in d.items():
        out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    return out


def _notebook_hashes(side: Side, region: str) -> dict[str, str]:
    steps = ((side.manifest.get("regions") or {}).get(region) or {}).get("steps") or {}
    return {s: ((st or {}).get("inputs") or {}).get("notebook", "") for s, st in steps.items()}


def region_causes(region: str, old: Side, new: Side) -> list[dict[str, Any]]:
    """What the manifests say changed for one region: a managers' adjustment, a re-plan (its recorded reason), the
    planning date, parameter keys
    (old -> new), data tables (by hash), the code version (commit, step notebooks)."""
    rows: list[dict[str, Any]] = []

    def add(cause: str, item: str, o: Any, n: Any) -> None:
        rows.append({"scope": region, "cause": cause, "item": item, "old": _text(o), "new": _text(n)})

    adjustment = new.manifest.get("adjustment") or {}
    if store.kind_of(new.manifest) == "adjusted" and region in (adjustment.get("regions") or [region]):
        for wb in adjustment.get("workbooks") or []:
            add("adjusted", wb, old.name, new.name)
    replanned = (((new.manifest.get("regions") or {}).get(region) or {}).get("replan")) or {}
    if store.kind_of(new.manifest) == "replan" and replanned:  # `planning replan`: the reason it recorded
        add("replan", str(replanned.get("reason") or replanned.get("quarter") or ""), old.name, new.name)
    po, pn = flatten(old.params(region)), flatten(new.params(region))
    if po.get("as_of") != pn.get("as_of"):
        add("as_of", "as_of", po.get("as_of"), pn.get("as_of"))
    scenario = old.scenario_keys | new.scenario_keys  # a key a scenario sets: its cause is the scenario
    for key in sorted(set(po) | set(pn)):
        if key != "as_of" and po.get(key) != pn.get(key):
            in_scenario = key in scenario or any(key.startswith(f"{k}.") for k in scenario)
            add("scenario" if in_scenario else "params", key, po.get(key), pn.get(key))
    ddo = ((old.manifest.get("regions") or {}).get(region) or {}).get("data_dir")
    ddn = ((new.manifest.get("regions") or {}).get(region) or {}).get("data_dir")
    fo = (old.manifest.get("data") or {}).get(ddo) or {}
    fn = (new.manifest.get("data") or {}).get(ddn) or {}
    for table in sorted(set(fo) | set(fn)):
        if fo.get(table) != fn.get(table):
            add("data", table, (fo.get(table) or "")[:12], (fn.get(table) or "")[:12])
    if old.manifest.get("commit") != new.manifest.get("commit"):
        add("code", "commit", old.manifest.get("commit"), new.manifest.get("commit"))
    nbo, nbn = _notebook_hashes(old, region), _notebook_hashes(new, region)
    for step in sorted(set(nbo) & set(nbn)):
        if nbo[step] and nbn[step] and nbo[step] != nbn[step]:
            add("code", f"notebooks/{step}.ipynb", nbo[step][:12], nbn[step][:12])
    return rows


def _text(v: Any) -> str:
    if v is None:
        return ""
    return json.dumps(v, ensure_ascii=False) if isinstance(v, dict | bool) else str(v)


# ------------------------------------------------------------------------------------------------ the comparison
def compare(old: Side, new: Side) -> Diff:
    """Compare snapshot `old` with `new`: per region (of either; of the scenario when one is a named scenario run
    for some regions only) and for the company."""
    regions = list(dict.fromkeys([*new.regions, *old.regions]))
    for side in (new, old):
        if side.scenario_keys:  # a scenario of east compared with the plan of every region: east
            regions = [r for r in regions if r in side.regions]
    targets, kpis, tiers, figures, causes = [], [], [], [], []
    by_old, by_new = {}, {}
    for r in regions:
        od, nd = store.region_dir(old.path, r), store.region_dir(new.path, r)
        to = region_targets(od) if r in old.regions else region_targets(Path("/nonexistent"))
        tn = region_targets(nd) if r in new.regions else region_targets(Path("/nonexistent"))
        by_old[r], by_new[r] = to, tn
        targets.append(compare_targets(r, to, tn))
        if r in old.regions and r in new.regions:
            kpis.append(compare_kpis(r, od, nd))
            tiers.append(compare_tiers(r, od, nd))
            causes += region_causes(r, old, new)
        else:
            what = "added" if r in new.regions else "removed"
            causes.append({"scope": r, "cause": "regions", "item": what, "old": "", "new": ""})
        yo, yn = old.params(r).get("plan_year"), new.params(r).get("plan_year")
        figures.append(
            _figure(
                r,
                "forecast",
                forecast_total(od, yo) if r in old.regions else None,
                forecast_total(nd, yn) if r in new.regions else None,
            )
        )
        figures.append(
            _figure(
                r,
                "hires",
                hires_total(od) if r in old.regions else None,
                hires_total(nd) if r in new.regions else None,
            )
        )
    targets.insert(0, compare_targets(COMPANY, company_targets(by_old), company_targets(by_new)))
    for fig in ("forecast", "hires"):
        rows = [f for f in figures if f["figure"] == fig]
        o = [f["old"] for f in rows if f["old"] is not None]
        n = [f["new"] for f in rows if f["new"] is not None]
        figures.append(_figure(COMPANY, fig, sum(o) if o else None, sum(n) if n else None))
    region_causes_ = pd.DataFrame(causes, columns=CAUSE_COLUMNS)
    company = region_causes_.drop(columns="scope").drop_duplicates(["cause", "item", "old", "new"])
    company = company.assign(scope=COMPANY)[CAUSE_COLUMNS]
    cause_frame = pd.concat([company, region_causes_], ignore_index=True)
    tier_frame = pd.concat([t for t in tiers if len(t)] or [pd.DataFrame(columns=TIER_COLUMNS)])
    if len(tier_frame):
        all_ = tier_frame.groupby(["from_tier", "to_tier"], as_index=False)["customers"].sum()
        tier_frame = pd.concat([all_.assign(scope=COMPANY)[TIER_COLUMNS], tier_frame], ignore_index=True)
    return Diff(
        old=old,
        new=new,
        regions=regions,
        targets=pd.concat(targets, ignore_index=True)[TARGET_COLUMNS],
        kpis=pd.concat([k for k in kpis if len(k)] or [pd.DataFrame(columns=KPI_COLUMNS)], ignore_index=True),
        tiers=tier_frame.reset_index(drop=True),
        figures=pd.DataFrame(figures, columns=FIGURE_COLUMNS),
        causes=cause_frame,
    )
