"""Small snapshots written straight through the store (no notebook run), for the diff, quota workbook and
adjustment tests: two regions, two teams each, a plan that sums to the cent at every level."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planning import store
from planning.goals.decompose import allocate, allocate_rows

PLAN_YEAR = 2027
MONTHS = [f"{PLAN_YEAR}-{m:02d}" for m in range(1, 13)]
SEASON = np.array([7, 6, 9, 8, 8, 9, 8, 7, 9, 9, 10, 11], dtype=float)
ROSTERS = {
    "east": [
        ("R001", "Li Wei", "east-1", "current"),
        ("R002", '=HYPERLINK("x")', "east-1", "current"),
        ("R003", "Wang Fang", "east-2", "current"),
        ("HIRE-01", "Hire 1", "east-2", "hire"),
    ],
    "north": [
        ("R101", "Zhao Min", "north-1", "current"),
        ("R102", "Sun Li", "north-1", "current"),
        ("R103", "Zhou Jie", "north-2", "current"),
    ],
    "south": [("R201", "Chen Yu", "south-1", "current")],
}
TOTALS = {"east": 12_345_678.91, "north": 3_456_789.01}


def params(region: str, as_of: str, **over: Any) -> dict[str, Any]:
    p = {
        "company": {"name": "Huaxia Test Co.", "name_zh": "华夏测试", "currency": "CNY"},
        "language": "en",
        "as_of": as_of,
        "plan_year": PLAN_YEAR,
        "region": {
            "key": region,
            "name": f"{region.title()} China",
            "name_zh": "华东" if region == "east" else "华北",
        },
        "goals": {"buffer": 0.12, "growth": 0.1},
    }
    for key, value in over.items():
        node = p
        *path, last = key.split(".")
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return p


def region_artifacts(
    region: str, total: float, tiers_shift: int = 0, red: bool = False
) -> dict[str, pd.DataFrame]:
    roster = ROSTERS[region]
    total_c = int(round(total * 100))
    month_c = allocate(total_c, SEASON)
    q_c = month_c.reshape(4, 3).sum(axis=1)
    targets = pd.DataFrame(
        {
            "level": ["year"] + ["quarter"] * 4 + ["month"] * 12,
            "period": [str(PLAN_YEAR)] + [f"{PLAN_YEAR}-Q{q}" for q in range(1, 5)] + MONTHS,
            "start": [f"{PLAN_YEAR}-01-01"]
            + [f"{PLAN_YEAR}-{3 * q + 1:02d}-01" for q in range(4)]
            + [f"{m}-01" for m in MONTHS],
            "end": [f"{PLAN_YEAR}-12-31"] * 17,
            "target": np.concatenate([[total_c], q_c, month_c]) / 100,
        }
    )
    cap = np.array(
        [
            [1.0 + 0.25 * i + (0.5 if k == "hire" and m < 4 else 0.0) * 0 for m in range(12)]
            for i, (_, _, _, k) in enumerate(roster)
        ]
    )
    cap[-1, :3] = 0.0 if roster[-1][3] == "hire" else cap[-1, :3]  # a hire starts in April
    teams = sorted({t for _, _, t, _ in roster})
    team_of = np.array([teams.index(t) for _, _, t, _ in roster])
    team_w = np.stack([cap[team_of == i].sum(axis=0) for i in range(len(teams))])
    team_c = allocate_rows(month_c, team_w.T)
    rep_c = np.zeros(cap.shape, dtype=np.int64)
    for i in range(len(teams)):
        members = np.nonzero(team_of == i)[0]
        rep_c[members, :] = allocate_rows(team_c[:, i], cap[members, :].T).T
    reps = pd.DataFrame(
        {
            "rep_id": np.repeat([r for r, *_ in roster], 12),
            "name": np.repeat([n for _, n, _, _ in roster], 12),
            "team": np.repeat([t for _, _, t, _ in roster], 12),
            "kind": np.repeat([k for *_, k in roster], 12),
            "month": MONTHS * len(roster),
            "target": rep_c.ravel() / 100,
            "ramp": 1.0,
            "capacity": cap.ravel() * 1e5,
        }
    )
    committed = round(total / 1.12, 2)
    calibration = pd.DataFrame(
        {
            "step": [1, 2, 3],
            "component": ["committed", "buffer", "target"],
            "amount": [committed, round(total - committed, 2), total],
            "explanation": [
                "Calibrated target",
                "Flex buffer 12.0% kept for sudden opportunities",
                "Annual target",
            ],
            "kind": ["subtotal", "delta", "total"],
        }
    )
    customers = [f"C{i:03d}" for i in range(10)]
    tiers = ["strategic", "profit", "nurture", "maintain"]
    customer_tiers = pd.DataFrame(
        {
            "customer_id": customers,
            "recency_days": 30.0,
            "frequency": 2,
            "monetary": 1000.0,
            "complexity": 1.0,
            "potential": 5000.0,
            "value_score": 50.0,
            "potential_score": 50.0,
            "playbook": "call",
            "tier": [tiers[(i + (tiers_shift if i < 3 else 0)) % 4] for i in range(10)],
        }
    )
    kpis = pd.DataFrame(
        {
            "kpi": ["target_completion", "win_rate"],
            "kind": "outcome",
            "actual": [0.9, 0.3],
            "baseline": [0.8, 0.3],
            "target": [1.0, 0.3],
            "status": ["red" if red else "yellow", "green"],
            "rule": "r",
        }
    )
    forecast = pd.DataFrame(
        {
            "month": MONTHS,
            "model": "ets",
            "forecast": total / 12 / 1.2,
            "lower": 0.0,
            "upper": total,
            "chosen": True,
        }
    )
    hiring = pd.DataFrame(
        {
            "start_month": [f"{PLAN_YEAR}-04"],
            "hires": [int(roster[-1][3] == "hire")],
            "requisition_by": [f"{PLAN_YEAR}-02"],
            "productive_from": [f"{PLAN_YEAR}-08"],
        }
    )
    return {
        "targets": targets,
        "targets_rep": reps,
        "calibration": calibration,
        "customer_tiers": customer_tiers,
        "kpis": kpis,
        "forecast": forecast,
        "hiring_plan": hiring,
    }


STEP_NAMES = ("01_market_analysis", "02_goals", "03_strategy", "04_resources", "05_review")


def make_snapshot(
    root: Path,
    as_of: str,
    *,
    totals: dict[str, float] | None = None,
    params_over: dict[str, Any] | None = None,
    data: dict[str, str] | None = None,
    commit: str = "abc123",
    status: str = "complete",
    tiers_shift: int = 0,
    red: bool = False,
    drop_rep: str | None = None,
) -> Path:
    """Write a snapshot `<root>/<as_of>/` of regions east and north with a consistent plan; returns its folder."""
    totals = totals or TOTALS
    snap = store.snapshot_dir(root, as_of)
    regions = {}
    for region, total in totals.items():
        rd = store.region_dir(snap, region)
        arts = region_artifacts(region, total, tiers_shift, red)
        if drop_rep and drop_rep in set(arts["targets_rep"]["rep_id"]):
            arts["targets_rep"] = _without(arts["targets_rep"], drop_rep, arts["targets"])
        for name, df in arts.items():
            store.write_artifact(rd, name, df)
        regions[region] = {
            "params": params(region, as_of, **(params_over or {})),
            "data_dir": "/data",
            "headline": {"plan_target": total},
            "steps": {
                s: {"status": "ok", "error": None, "inputs": {"notebook": "nb-" + s}} for s in STEP_NAMES
            },
        }
    manifest = {
        "snapshot": as_of,
        "status": status,
        "kind": "plan",
        "commit": commit,
        "steps": list(STEP_NAMES),
        "data": {"/data": data or {"orders.parquet": "a" * 64, "reps.parquet": "b" * 64}},
        "regions": regions,
    }
    store.write_manifest(snap, copy.deepcopy(manifest))
    return snap


def _without(reps: pd.DataFrame, rep_id: str, targets: pd.DataFrame) -> pd.DataFrame:
    """The rep split without `rep_id`, their months given to the first other rep of the team (sums kept)."""
    gone = reps[reps["rep_id"] == rep_id]
    rest = reps[reps["rep_id"] != rep_id].copy()
    heir = rest[rest["team"] == gone["team"].iloc[0]]["rep_id"].iloc[0]
    for month, amount in zip(gone["month"], gone["target"], strict=True):
        sel = (rest["rep_id"] == heir) & (rest["month"] == month)
        rest.loc[sel, "target"] = ((rest.loc[sel, "target"] * 100).round() + round(amount * 100)) / 100
    return rest.reset_index(drop=True)


# ------------------------------------------------------------------------------------------------ formulas
_REF = r"(?:'(?P<sheet>[^']+)'!)?(?P<col>[A-Z]+)(?P<row>\d+)"
FORMULA = __import__("re").compile(
    r"^=(SUM\([A-Z]+\d+:[A-Z]+\d+\)|[A-Z]+\d+-[A-Z]+\d+|'[^']+'![A-Z]+\d+(\+'[^']+'![A-Z]+\d+)*)$"
)


def evaluate(wb, sheet: str, coord: str) -> float:
    """The value of a cell of an openpyxl workbook, evaluating the formulas the quota workbook writes (SUM of a
    range, A-B, 'sheet'!A1+'sheet'!B2) as a spreadsheet would; numbers as they are."""
    import re

    from openpyxl.utils import range_boundaries

    value = wb[sheet][coord].value
    if not isinstance(value, str) or not value.startswith("="):
        return float(value or 0)
    body = value[1:]
    m = re.fullmatch(r"SUM\(([A-Z]+\d+:[A-Z]+\d+)\)", body)
    if m:
        c0, r0, c1, r1 = range_boundaries(m.group(1))
        ws = wb[sheet]
        return sum(
            evaluate(wb, sheet, ws.cell(r, c).coordinate)
            for r in range(r0, r1 + 1)
            for c in range(c0, c1 + 1)
        )
    m = re.fullmatch(r"([A-Z]+\d+)-([A-Z]+\d+)", body)
    if m:
        return evaluate(wb, sheet, m.group(1)) - evaluate(wb, sheet, m.group(2))
    total = 0.0
    for part in body.split("+"):
        ref = re.fullmatch(_REF, part)
        assert ref, value
        total += evaluate(wb, ref.group("sheet") or sheet, ref.group("col") + ref.group("row"))
    return total
