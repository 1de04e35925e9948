"""Tiny hand-checkable tables shared by the tests of planning/market/ (`from frames_market import ...`)."""

from __future__ import annotations

import pandas as pd

from planning.params import Market, Params

D = pd.Timestamp


def params(mp: Market | None = None, as_of: str = "2026-12-31", plan_year: int = 2027) -> Params:
    """Params with the `market` section `mp` (defaults when None) and the planning date / year."""
    return Params(market=mp or Market(), as_of=as_of, plan_year=plan_year)


def orders_of(rows: list[tuple]) -> pd.DataFrame:
    """rows: (order_id, date, customer_id, amount, margin[, product_line, channel])."""
    recs = []
    for i, r in enumerate(rows):
        oid, day, cust, amount, margin, *rest = r
        pl, ch = (rest + ["equipment", "direct"])[:2] if rest else ("equipment", "direct")
        recs.append(
            {"order_id": oid, "line_no": i + 1, "order_date": D(day), "customer_id": cust, "region": "east",
             "product_line": pl, "channel": ch, "amount": float(amount), "margin": float(margin)}
        )  # fmt: skip
    return pd.DataFrame(recs)


def trend_orders() -> pd.DataFrame:
    return orders_of(
        [
            ("O1", "2025-01-10", "C1", 100, 0),
            ("O2", "2025-01-20", "C2", 30, 0),
            ("O2", "2025-01-20", "C2", 20, 0),  # second line of O2: one order, one customer
            ("O3", "2025-02-05", "C1", 200, 0),
            ("O4", "2026-01-10", "C1", 150, 0),
            ("O5", "2026-01-16", "C3", 75, 0),
        ]
    )


def trend_of(values: list[float], start: str = "2023-01") -> pd.DataFrame:
    """A `market_trend` frame of complete months with these sales."""
    months = pd.period_range(start, periods=len(values), freq="M").strftime("%Y-%m")
    return pd.DataFrame({"month": months, "sales": values, "complete": True})


def share_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(orders, customers, market_size): energy gains share 2025 -> 2026, retail loses it."""
    customers = pd.DataFrame(
        {"customer_id": ["C1", "C2"], "industry": ["energy", "retail"], "size_band": ["large", "small"]}
    )
    orders = orders_of(
        [
            ("O1", "2025-05-01", "C1", 100, 40),
            ("O2", "2025-06-01", "C2", 50, 20),
            ("O3", "2026-03-01", "C1", 180, 70),
            ("O4", "2026-04-01", "C2", 40, 10),
        ]
    )
    ms = pd.DataFrame(
        {
            "year": [2025, 2025, 2026, 2026],
            "region": "east",
            "industry": ["energy", "retail", "energy", "retail"],
            "market_size": [1000.0, 500.0, 1200.0, 500.0],
        }
    )
    return orders, customers, ms


def seg_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(orders, customers, opportunities) of two segments, energy/large and retail/small."""
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3", "C4"],
            "industry": ["energy", "energy", "energy", "retail"],
            "size_band": ["large", "large", "large", "small"],
        }
    )
    orders = orders_of(
        [
            ("P1", "2025-03-01", "C1", 100, 40),
            ("P2", "2025-04-01", "C2", 100, 40),
            ("P3", "2025-05-01", "C3", 50, 20),
            ("L1", "2026-02-01", "C1", 200, 80),
            ("L2", "2026-03-01", "C1", 100, 40),
            ("L3", "2026-04-01", "C2", 100, 40),
            ("L4", "2026-05-01", "C4", 60, 30),
        ]
    )
    opp = pd.DataFrame(
        {
            "opportunity_id": [f"X{i}" for i in range(1, 7)],
            "customer_id": ["C1", "C2", "C9", "C4", "C1", "C2"],
            "industry": ["energy", "energy", "energy", "retail", "energy", "energy"],
            "status": ["won", "lost", "won", "lost", "won", "open"],
            "close_date": [
                D("2026-03-01"),
                D("2026-04-01"),
                D("2026-05-01"),
                D("2026-06-01"),
                D("2025-06-01"),
                pd.NaT,
            ],
        }
    )
    return orders, customers, opp


def mp_comp() -> Market:
    """Two competitors (A strong on price, both weak on service: an opening), SWOT entries, share gain."""
    return Market(
        competitors=[
            {"name": "A", "name_zh": "甲", "scores": {"price": 4.5, "service": 2.0, "brand": 3.0}},
            {"name": "B", "scores": {"price": 3.0, "service": 2.5}},
        ],
        own_scores={"price": 2.0, "service": 4.5, "brand": 3.0},
        swot={"S": ["Local service network"], "T": [{"en": "Price war", "zh": "价格战"}]},
        share_gain={"energy": 0.01},
        opening_share={"service": 0.02},
    )
