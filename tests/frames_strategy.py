"""Shared test frames of step 3 (strategy): hand-checked order lines, customers, opportunities, targets and the
helpers that build params for a planning date (2026-09-30 unless given)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from planning import params
from planning.strategy import tiers

AS_OF = pd.Timestamp("2026-09-30")


def full(s: params.Strategy | None = None, as_of: str | None = None) -> params.Params:
    """Params with the `strategy` section `s` (default values when None) and the planning date `as_of`."""
    p = params.Params(strategy=s or params.Strategy())
    assert p.as_of == AS_OF.date()  # the fixtures' dates are relative to it
    return p.model_copy(update={"as_of": date.fromisoformat(as_of)}) if as_of else p


def ranked(value: list[float], potential: list[float]) -> pd.DataFrame:
    """Features whose every value rank equals `value` and every potential rank equals `potential`."""
    n = len(value)
    df = pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "recency_days": 10.0,
            "frequency": 1,
            "monetary": 100.0,
            "complexity": 1.0,
            "potential": 50.0,
        }
    )
    for col in tiers.VALUE_DIMS.values():
        df[col] = value
    for col in tiers.POTENTIAL_DIMS.values():
        df[col] = potential
    return df


def orders() -> pd.DataFrame:
    # C1: orders on 2026-09-20 (100, two lines of order A), 2025-12-01 (50) and 2024-01-01 (outside 24 months).
    # C2: one order 2026-03-01 (200). C3: never ordered.
    return pd.DataFrame(
        {
            "order_id": ["A", "A", "B", "C", "D"],
            "order_date": pd.to_datetime(
                ["2026-09-20", "2026-09-20", "2025-12-01", "2024-01-01", "2026-03-01"]
            ),
            "customer_id": ["C1", "C1", "C1", "C1", "C2"],
            "amount": [60.0, 40.0, 50.0, 999.0, 200.0],
        }
    )


def customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "name": ["One", "Two", "Three"],
            "industry": ["energy", "retail", "energy"],
            "demand_complexity": [3, 1, 2],
            "decision_chain_length": [2, 5, 1],
            "wallet_size": [1000.0, 100.0, 300.0],
            "usage_frequency": [7.0, 0.0, 3.5],
            "satisfaction": [5.0, 1.0, 3.0],
            "renewal_intent": [1.0, 0.0, 0.5],
        }
    )


def opps() -> pd.DataFrame:
    # 10 leads in the last 12 months: 8 reach discovery, 4 proposal, 2 negotiation, 1 won, 1 lost at negotiation;
    # one lead is still open at lead, one open at proposal.
    rows = []

    def opp(i, disc=None, prop=None, neg=None, close=None, status="lost", amount=100.0, industry="energy"):
        rows.append(
            {
                "opportunity_id": f"O{i}",
                "lead_date": pd.Timestamp("2026-06-01"),
                "discovery_date": pd.Timestamp(disc) if disc else pd.NaT,
                "proposal_date": pd.Timestamp(prop) if prop else pd.NaT,
                "negotiation_date": pd.Timestamp(neg) if neg else pd.NaT,
                "close_date": pd.Timestamp(close) if close else pd.NaT,
                "status": status,
                "amount": amount,
                "industry": industry,
                "source": "events" if i % 2 else "content",
            }
        )

    opp(0, "2026-06-11", "2026-06-21", "2026-07-01", "2026-07-11", "won", amount=300.0)
    opp(1, "2026-06-11", "2026-06-21", "2026-07-01", "2026-07-21", "lost")
    opp(2, "2026-06-11", "2026-06-21", close="2026-07-01")
    opp(3, "2026-06-11", "2026-06-21", status="open")
    for i in (4, 5, 6, 7):
        opp(i, "2026-06-11", close="2026-06-20")
    opp(8, close="2026-06-05")
    opp(9, status="open")
    return pd.DataFrame(rows)


def real_export_opps() -> pd.DataFrame:
    """The opps() deals as a CRM export without stage dates, lost deals recorded at 0 and open deals without a
    value: 1 won (300), 7 lost, 2 open."""
    d = opps()
    d[["discovery_date", "proposal_date", "negotiation_date"]] = pd.NaT
    d.loc[d["status"] == "lost", "amount"] = 0.0
    d.loc[d["status"] == "open", "amount"] = float("nan")
    return d


def targets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": ["year", "quarter", "quarter", "quarter", "quarter"],
            "period": ["2027", "2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"],
            "start": ["2027-01-01", "2027-01-01", "2027-04-01", "2027-07-01", "2027-10-01"],
            "end": ["2027-12-31", "2027-03-31", "2027-06-30", "2027-09-30", "2027-12-31"],
            "target": [1000.0, 200.0, 250.0, 250.0, 300.0],
        }
    )
