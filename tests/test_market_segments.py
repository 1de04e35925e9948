"""Tests of planning/market/segments.py: segmentation, CLV, win rate, growth and the ICP ranking."""

from __future__ import annotations

import numpy as np
import pytest
from frames_market import params
from frames_market import seg_tables as _seg_tables

from planning import contracts
from planning.market import segments
from planning.params import Market


@pytest.fixture
def seg_tables():
    return _seg_tables()


def test_segments_clv_win_rate_growth_and_rank(seg_tables):
    orders, customers, opp = seg_tables
    mp = Market(min_customers=2)
    seg = segments.segments(orders, customers, opp, params(mp, as_of="2026-12-31")).set_index("segment")
    e = seg.loc["energy/large"]
    # L12M: C1 (200 + 100) and C2 (100) -> 2 customers, 400 sales, 3 orders, AOV 133.33, margin 160.
    assert (e["customers"], e["sales"], e["orders"]) == (2, 400.0, 3)
    assert e["avg_order_value"] == pytest.approx(400 / 3)
    # Retention: P12M buyers C1, C2, C3; C1 and C2 bought again -> 2/3; lifetime 1 / (1 - 2/3) = 3 years.
    # CLV = 160 / 2 customers x 3 = 240.
    assert e["retention"] == pytest.approx(2 / 3)
    assert e["lifetime_years"] == pytest.approx(3.0)
    assert e["clv"] == pytest.approx(240.0)
    # Closed in L12M: X1 won, X2 lost (X3 is a prospect of unknown size, X5 closed in 2025, X6 open) -> 1/2.
    assert (e["closed_deals"], e["win_rate"]) == (2, 0.5)
    assert e["growth"] == pytest.approx(400 / 250 - 1)
    assert e["icp_rank"] == 1
    r = seg.loc["retail/small"]
    # No P12M buyer in the segment -> the region's retention (2/3) is used: CLV = 30 / 1 x 3 = 90.
    assert r["clv"] == pytest.approx(90.0)
    assert (r["closed_deals"], r["win_rate"]) == (1, 0.0)
    assert np.isnan(r["growth"])
    # One customer < min_customers 2: not scored, ranked after every scored segment.
    assert np.isnan(r["icp_score"]) and r["icp_rank"] == 2
    assert set(contracts.required_columns("segments")) <= set(seg.reset_index().columns)
    assert {"industry", "size_band"} <= set(seg.columns)


def test_segments_lifetime_is_capped(seg_tables):
    orders, customers, opp = seg_tables
    seg = segments.segments(
        orders, customers, opp, params(Market(min_customers=2, clv_max_years=2), as_of="2026-12-31")
    )
    e = seg.set_index("segment").loc["energy/large"]
    assert e["lifetime_years"] == pytest.approx(2.0)  # 3 years capped at 2
    assert e["clv"] == pytest.approx(160.0)  # 80 x 2


def test_segments_by_industry_only(seg_tables):
    orders, customers, opp = seg_tables
    seg = segments.segments(
        orders, customers, opp, params(Market(min_customers=1), as_of="2026-12-31"), by=["industry"]
    )
    assert sorted(seg["segment"]) == ["energy", "retail"]
    # With industry only, the prospect X3 counts: energy closed X1 won, X2 lost, X3 won -> 2/3.
    assert seg.set_index("segment").loc["energy", "win_rate"] == pytest.approx(2 / 3)


def test_segments_need_customers_for_size_band(seg_tables):
    orders, _, opp = seg_tables
    with pytest.raises(ValueError, match="customers"):
        segments.segments(orders, None, opp, params(None, as_of="2026-12-31"))


def test_a_minimal_plan_keeps_the_profile_and_leaves_what_needs_two_periods_empty(seg_tables):
    """docs/method.md "Short histories": customers, sales, orders, AOV, margin and win rate stay; sales_prev,
    growth, retention, lifetime and CLV are empty, and the ICP ranks on what is left."""
    orders, customers, opp = seg_tables
    p = params(Market(min_customers=2), as_of="2026-12-31")
    full = segments.segments(orders, customers, opp, p).set_index("segment")
    short = segments.segments(orders, customers, opp, p, minimal=True).set_index("segment")
    kept = ["customers", "sales", "orders", "avg_order_value", "margin", "closed_deals", "win_rate"]
    assert short[kept].equals(full.loc[short.index, kept])
    assert short[list(segments.MINIMAL_EMPTY)].isna().all().all()
    assert full[list(segments.MINIMAL_EMPTY)].notna().any().all()
    assert short["icp_score"].notna().any()


def test_segment_orders_count_distinct_ids_as_text():
    """segments' `orders` (distinct order ids as text per segment, counted in one groupby) equals the per-segment
    count of the ids as text: 1 and "1" are one order, a missing id none."""
    import pandas as pd

    from planning.market.periods import as_str

    ids = pd.Series([1, "1", 2, None, 3, 3], dtype=object)
    seg = pd.Series(["a", "a", "a", "a", "b", "b"])
    fast = as_str(ids).groupby(seg).nunique()
    slow = ids.groupby(seg).agg(lambda s: as_str(s).nunique())
    pd.testing.assert_series_equal(fast, slow, check_exact=True, check_dtype=False)
    assert fast.to_dict() == {"a": 2, "b": 1}
