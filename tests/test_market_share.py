"""Tests of planning/market/share.py: market size (TAM) by calendar-year window and our share."""

from __future__ import annotations

import pytest
from frames_market import params
from frames_market import share_tables as _share_tables

from planning import contracts
from planning.market import share
from planning.params import Market


@pytest.fixture
def share_tables():
    return _share_tables()


def test_market_share_calendar_year_window(share_tables):
    orders, customers, ms = share_tables
    sh = share.market_share(orders, customers, ms, params(as_of="2026-12-31")).set_index("segment")
    # L12M = 2026: energy 180 / 1200 = 0.15, P12M = 2025: 100 / 1000 = 0.10 -> +0.05, gaining.
    e = sh.loc["energy"]
    assert (e["market_size"], e["our_sales"], e["share"]) == pytest.approx((1200.0, 180.0, 0.15))
    assert e["share_change"] == pytest.approx(0.05)
    assert e["market_growth"] == pytest.approx(0.2) and e["our_growth"] == pytest.approx(0.8)
    assert e["status"] == "gaining"
    # retail: 40 / 500 = 0.08 vs 50 / 500 = 0.10 -> -0.02, losing.
    assert sh.loc["retail", "share_change"] == pytest.approx(-0.02) and sh.loc["retail", "status"] == "losing"
    # total: 220 / 1700 = 0.129412 vs 150 / 1500 = 0.10.
    assert sh.loc["total", "share"] == pytest.approx(220 / 1700)
    assert sh.loc["total", "share_change"] == pytest.approx(220 / 1700 - 0.1)
    assert list(sh.index)[-1] == "total"
    assert set(contracts.required_columns("market_share")) <= set(sh.reset_index().columns)


def test_market_share_window_weights_years_by_days(share_tables):
    orders, customers, ms = share_tables
    sh = share.market_share(orders, customers, ms, params(as_of="2026-06-30")).set_index("segment")
    # L12M = 2025-07-01..2026-06-30: 184 days of 2025 and 181 of 2026 -> (1000*184 + 1200*181) / 365.
    assert sh.loc["energy", "market_size"] == pytest.approx((1000 * 184 + 1200 * 181) / 365)
    # P12M = 2024-07-01..2025-06-30 reaches back into 2024, which the data lacks: extrapolated back from 2025 at
    # the first observed growth (2026/2025 = 1.2): 1000 / 1.2 for 184 of 2024's 366 days (leap year), 1000 for
    # 181 of 2025's 365 days.
    assert sh.loc["energy", "market_size_prev"] == pytest.approx(1000 / 1.2 * 184 / 366 + 1000 * 181 / 365)


def test_market_share_without_market_size_is_empty_or_from_params(share_tables):
    orders, customers, _ = share_tables
    assert share.market_share(orders, customers, None, params(as_of="2026-12-31")).empty
    mp = Market(market_size={"energy": 1200.0, "retail": 500.0}, market_growth=0.0)
    sh = share.market_share(orders, customers, None, params(mp, as_of="2026-12-31")).set_index("segment")
    assert sh.loc["energy", "share"] == pytest.approx(0.15)


def test_plan_year_market_size_extrapolates_last_growth(share_tables):
    _, _, ms = share_tables
    tam = share.market_size_plan_year(ms, params(plan_year=2027))
    assert tam.to_dict() == pytest.approx({"energy": 1440.0, "retail": 500.0})  # 1200 x 1.2; 500 x 1.0
