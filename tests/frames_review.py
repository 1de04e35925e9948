"""Tiny hand-checkable frames shared by the review tests (tests/test_review_*.py)."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import pandas as pd

from planning import params
from planning.review.kpis import KPI_META
from planning.review.plan import Plan

AS_OF = date(2026, 2, 14)  # 14 of February's 28 days elapsed: half of February's plan is due


def orders(rows: list[tuple]) -> pd.DataFrame:
    """(order_id, date, amount, rep_id, product_line, channel[, customer_id])"""
    out = []
    for r in rows:
        oid, d, amount, rep, product, channel, *cust = r
        out.append(
            {
                "order_id": oid,
                "line_no": 1,
                "order_date": pd.Timestamp(d),
                "customer_id": cust[0] if cust else "C1",
                "rep_id": rep,
                "region": "east",
                "product_line": product,
                "channel": channel,
                "quantity": 1.0,
                "unit_price": amount,
                "amount": amount,
                "margin": amount / 2,
            }
        )
    return pd.DataFrame(out)


def tiny_plan() -> Plan:
    """January 100, February 200, March .. December 100 each: 1,300 for the year; R1 carries 60%, R2 40%."""
    months = pd.date_range("2026-01-01", periods=12, freq="MS")
    targets = [100.0, 200.0] + [100.0] * 10
    m = pd.DataFrame({"month": months, "target": targets})
    reps = pd.concat(
        [
            pd.DataFrame(
                {"rep_id": r, "team": "east-1", "month": months, "target": [t * share for t in targets]}
            )
            for r, share in (("R1", 0.6), ("R2", 0.4))
        ],
        ignore_index=True,
    )
    return Plan("data", 2026, m, reps)


def tiny_orders() -> pd.DataFrame:
    return orders(
        [
            ("O1", "2025-01-10", 50.0, "R1", "equipment", "direct"),  # last year's window: 50 equipment ...
            ("O2", "2025-02-10", 50.0, "R2", "services", "online"),  # ... and 50 services
            ("O3", "2025-06-10", 999.0, "R2", "services", "online"),  # outside last year's window: ignored
            ("O4", "2026-01-15", 90.0, "R1", "equipment", "direct"),
            ("O5", "2026-02-10", 120.0, "R2", "services", "online"),
        ]
    )


def row(pva: pd.DataFrame, level: str, key: str) -> pd.Series:
    return pva[(pva["level"] == level) & (pva["key"] == key)].iloc[0]


def kpi_values(kpi: str, actual: float, baseline: float, target: float = math.nan) -> pd.DataFrame:
    """One KPI's values as `kpis.kpi_values` returns them."""
    meta = KPI_META[kpi]
    return pd.DataFrame(
        [(kpi, meta["kind"], meta["unit"], meta["higher"], actual, baseline, target)],
        columns=["kpi", "kind", "unit", "higher_is_better", "actual", "baseline", "target"],
    )


def snapshot(
    root: Path, name: str, status: str = "complete", plan_year: int = 2026, forecast=None, targets=True
) -> Path:
    """A hand-made snapshot folder `<root>/<name>/east/artifacts` with the goals artefacts the review reads."""
    d = root / name
    art = d / "east" / "artifacts"
    art.mkdir(parents=True)
    manifest = {"status": status, "regions": {"east": {"params": {"plan_year": plan_year}}}}
    (d / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (
        forecast
        if forecast is not None
        else pd.DataFrame({"month": [], "model": [], "forecast": [], "chosen": []})
    ).to_csv(art / "forecast.csv", index=False)
    if targets:
        months = [f"2026-{m:02d}" for m in range(1, 13)]
        pd.DataFrame(
            {
                "level": "month",
                "period": months,
                "start": [f"{m}-01" for m in months],
                "end": [f"{m}-28" for m in months],
                "target": 10.0,
            }
        ).to_csv(art / "targets.csv", index=False)
        pd.DataFrame({"rep_id": "R1", "team": "east-1", "month": months, "target": 10.0}).to_csv(
            art / "targets_rep.csv", index=False
        )
    return d


def pva_with_reps(n: int) -> pd.DataFrame:
    """Two period rows, `n` reps with variance % (i - 12) / 100 for rep i (r00: -12 %, r12: 0 %, r24: +12 %), a
    rep without a plan, and one product line row."""
    rows = [{"level": "ytd", "key": "2026", "variance_pct": -0.05}, {"level": "month", "key": "2026-01",
            "variance_pct": 0.01}]  # fmt: skip
    rows += [{"level": "rep", "key": f"r{i:02d}", "variance_pct": (i - 12) / 100} for i in range(n)]
    rows += [{"level": "rep", "key": "r99", "variance_pct": math.nan}, {"level": "product_line", "key": "pumps",
             "variance_pct": 0.02}]  # fmt: skip
    return pd.DataFrame(rows)


#: A KPI board and the previous snapshot's PDCA log (tests/test_review_pdca.py, test_review_narrate.py).
BOARD = pd.DataFrame(
    {
        "kpi": ["leads", "lead_conversion", "retention"],
        "status": ["red", "red", "green"],
        "shortfall": [0.3, 0.25, -0.1],
    }  # fmt: skip
)
PREVIOUS = pd.DataFrame(
    {
        "kpi": ["leads", "retention"],
        "act": ["stop", "fix"],
        "action": ["old leads action", "call"],
        "action_key": ["params", "params"],
        "owner": ["M", "CS"],
        "opened": ["2026-06-30", "2026-06-30"],
        "due": ["2026-07-30", "2026-07-30"],
        "state": ["new", "carried"],
        "status_now": ["red", "red"],
    }  # fmt: skip
)

#: A risk register and fired data signals (tests/test_review_risks.py, test_review_narrate.py).
RISKS = [
    params.Risk(
        risk="Staff loss",
        kind="internal",
        likelihood=5,
        impact=4,
        contingency="pool",
        owner="HR",
        signal="attrition",
        risk_zh="人员流失",
    ),  # fmt: skip
    params.Risk(
        risk="Price war",
        kind="external",
        likelihood=2,
        impact=3,
        contingency="value",
        owner="S",
        signal="price",
    ),  # fmt: skip
    params.Risk(risk="Supply", kind="internal", likelihood=2, impact=5, contingency="backup", owner="SC"),
]
SIGNALS = pd.DataFrame(
    {
        "signal": ["attrition", "price"],
        "value": [0.3, 0.9],
        "reference": [0.15, 1.0],
        "triggered": [True, True],
        "evidence_key": ["attrition", "price"],
    }  # fmt: skip
)
