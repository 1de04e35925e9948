"""planning.strategy.tiers: extended RFM features, tiers, the tier summary, on hand-checked fixtures."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from frames_strategy import customers, full, orders, ranked

from planning import contracts, params
from planning.i18n import Voice
from planning.strategy import health, narrate, tiers


@pytest.fixture
def p() -> params.Strategy:
    return params.Strategy()


def test_one_customer_per_quadrant(p):
    # value ranks 1, 1, 0, 0 and potential ranks 1, 0, 1, 0 -> scores 100/0; the 0.5 quantile of
    # [100, 100, 0, 0] is 50, so customers 0-1 are high value and 0, 2 high potential.
    t = tiers.tier_customers(ranked([1, 1, 0, 0], [1, 0, 1, 0]), p)
    assert list(t["tier"].astype(str)) == ["strategic", "profit", "nurture", "maintain"]
    assert list(t["value_score"]) == [100, 100, 0, 0]
    assert list(t["touches_per_year"]) == [24, 8, 6, 2]
    table = narrate.tiers_table(t, p, Voice("en", "CNY"))  # the customer_tiers artefact
    assert table["playbook"].iloc[0] == "Dedicated advisor + tailored solution"  # the built-in text
    assert list(table.columns[table.columns.get_loc("tier") :][:3]) == [
        "tier",
        "playbook",
        "touches_per_year",
    ]
    assert set(contracts.required_columns("customer_tiers")) <= set(table.columns)


def test_score_equal_to_cutoff_is_high(p):
    # cutoff_kind score, value_cutoff 0.5 -> threshold 50; a value rank of 0.5 scores exactly 50 -> high.
    q = p.model_copy(update={"cutoff_kind": "score"})
    t = tiers.tier_customers(ranked([0.5, 0.49], [0.5, 0.49]), q)
    assert list(t["tier"].astype(str)) == ["strategic", "maintain"]


def test_weights_are_relative(p):
    # value weights recency 1, monetary 3: ranks recency 1, monetary 0 -> 100 * 1/4 = 25.
    f = ranked([0.0], [0.0])
    f["rank_recency"] = 1.0
    q = p.model_copy(update={"value_weights": {"recency": 1.0, "monetary": 3.0}})
    assert tiers.tier_customers(f, q)["value_score"].iloc[0] == 25.0


def test_tier_customers_rejects_features_without_ranks(p):
    with pytest.raises(ValueError, match="rank_recency"):
        tiers.tier_customers(pd.DataFrame({"customer_id": ["C1"]}), p)


def test_customer_features_by_hand(p):
    growth = pd.Series({"energy": 0.10})  # retail missing -> 0
    f = tiers.customer_features(orders(), customers(), full(p), growth).set_index("customer_id")
    assert f.loc["C1", "recency_days"] == 10  # 2026-09-30 - 2026-09-20
    assert f.loc["C1", "frequency"] == 2  # orders A and B within 24 months (A has two lines)
    assert f.loc["C1", "monetary"] == 150.0
    assert f.loc["C1", "revenue_12m"] == 150.0
    assert f.loc["C1", "potential"] == pytest.approx(1000 * 1.10 - 150)  # 950
    assert f.loc["C2", "potential"] == 0.0  # wallet 100 < revenue 200 -> floored at 0
    assert np.isnan(f.loc["C3", "recency_days"]) and f.loc["C3", "frequency"] == 0
    # trend window 6 months: C1 recent (after 2026-03-30) 100, prior (2025-09-30..2026-03-30) 50; C2 prior 200
    assert (f.loc["C1", "revenue_recent"], f.loc["C1", "revenue_prior"]) == (100.0, 50.0)
    assert (f.loc["C2", "revenue_recent"], f.loc["C2", "revenue_prior"]) == (0.0, 200.0)
    # ranks: recency C1 (10 d) > C2 (213 d) > C3 (never) -> 1, 0.5, 0
    assert list(f["rank_recency"]) == [1.0, 0.5, 0.0]
    # segment growth 0.1, 0, 0.1 -> ties share the average rank: (2+3)/2=2.5 -> (2.5-1)/2 = 0.75; C2 0
    assert list(f["rank_segment_growth"]) == [0.75, 0.0, 0.75]


def test_customer_features_needs_customer_columns(p):
    with pytest.raises(ValueError, match="wallet_size"):
        tiers.customer_features(orders(), customers().drop(columns="wallet_size"), full(p))


def test_tier_summary_expected_revenue(p):
    f = tiers.customer_features(orders(), customers(), full(p))
    tiered = tiers.tier_customers(f, p)
    s = tiers.tier_summary(tiered, f, p, target=1000.0).set_index("tier")
    assert s["customers"].sum() == 3
    h = health.health(f, p).set_index("customer_id")
    for cid in ("C1", "C2", "C3"):
        tier = tiered.set_index("customer_id").loc[cid, "tier"]
        row = f.set_index("customer_id").loc[cid]
        churn = p.churn_probability[h.loc[cid, "risk"]]
        expected = row["revenue_12m"] * (1 - churn) + p.playbooks[tier].headroom_capture * row["potential"]
        assert s.loc[tier, "customers"] == 1
        assert s.loc[tier, "expected_revenue"] == pytest.approx(expected)
        assert s.loc[tier, "share_of_target"] == pytest.approx(expected / 1000.0)
    assert tiers.installed_base(s.reset_index()) == pytest.approx(s["expected_revenue"].sum())


def test_tier_customers_is_fast_on_100k_customers(p):
    rng = np.random.default_rng(1)
    n = 100_000
    f = ranked(rng.random(n), rng.random(n))
    for col in (*tiers.VALUE_DIMS.values(), *tiers.POTENTIAL_DIMS.values()):
        f[col] = rng.random(n)
    tiers.tier_customers(f, p)
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        tiers.tier_customers(f, p)
        runs.append(time.perf_counter() - start)
    assert min(runs) < 0.100


def test_segment_growth_by_industry_and_size(p):
    # step 1 names segments industry/size_band; energy/small grows 20 % on 100 sales, energy/large 0 % on 300
    seg = pd.DataFrame(
        {
            "segment": ["energy/small", "energy/large"],
            "industry": ["energy", "energy"],
            "size_band": ["small", "large"],
            "sales": [100.0, 300.0],
            "growth": [0.2, 0.0],
        }  # fmt: skip
    )
    g = tiers.segment_growth(seg)
    assert g["energy/small"] == 0.2 and g["energy"] == pytest.approx(0.05)  # (0.2*100 + 0*300) / 400
    cust = customers().assign(size_band=["small", "small", "medium"])
    f = tiers.customer_features(orders(), cust, full(p), g).set_index("customer_id")
    # C1 energy/small -> 0.2; C2 retail -> 0; C3 energy/medium unknown -> industry mean 0.05
    assert list(f["segment_growth"]) == [0.2, 0.0, 0.05]
    assert tiers.segment_growth(seg.drop(columns="growth")).empty


def test_installed_base_is_revenue_times_net_retention(p):
    f = tiers.customer_features(orders(), customers(), full(p))
    tiered = tiers.tier_customers(f, p)
    kept = {"nrr_used": 1.1, "churn_used": 0.1}
    s = tiers.tier_summary(tiered, f, p, target=1000.0, kept=kept)
    total = f["revenue_12m"].sum()
    # loss = 10% of revenue, growth = (1.1 - 1 + 0.1) = 20% of revenue -> base = 110% of revenue
    assert s["expected_loss"].sum() == pytest.approx(0.1 * total)
    assert s["expected_gain"].sum() == pytest.approx(0.2 * total)
    assert tiers.installed_base(s) == pytest.approx(1.1 * total)


def test_a_return_beyond_the_windows_purchases_leaves_monetary_at_zero_not_below(p):
    # C3 returns goods bought before the RFM window: a -80 line in the window, no purchase in it.
    o = pd.concat(
        [orders(), pd.DataFrame({"order_id": ["R"], "order_date": pd.to_datetime(["2026-06-01"]),
                                 "customer_id": ["C3"], "amount": [-80.0]})],  # fmt: skip
        ignore_index=True,
    )
    f = tiers.customer_features(o, customers(), full(p)).set_index("customer_id")
    assert f.loc["C3", "monetary"] == 0.0 and f.loc["C3", "frequency"] == 1
    assert f.loc["C3", "revenue_12m"] == -80.0  # the net revenue itself is kept for the region's totals
    h = health.health(f.reset_index(), p).set_index("customer_id")
    assert h.loc["C3", "revenue_at_risk"] == 0.0  # nothing to lose from a customer that bought nothing net


def test_a_shrinking_base_is_contraction_loss_never_negative_wins(p):
    f = tiers.customer_features(orders(), customers(), full(p))
    tiered = tiers.tier_customers(f, p)
    kept = {"nrr_used": 0.7, "churn_used": 0.1}  # those who stay buy 20% less: contraction
    s = tiers.tier_summary(tiered, f, p, target=1000.0, kept=kept)
    total = f["revenue_12m"].sum()
    assert (s["expected_gain"] == 0.0).all()
    assert s["expected_loss"].sum() == pytest.approx(0.3 * total)
    assert (s["expected_revenue"] >= 0).all()
    assert tiers.installed_base(s) == pytest.approx(0.7 * total)


def test_a_minimal_plans_headroom_compares_the_wallet_with_the_annualised_revenue(p):
    """docs/method.md "Short histories": on 6 months the wallet headroom is next year's wallet minus the
    revenue x 12 / 6, not minus six months of revenue; a minimal plan's tier table leaves its projection empty."""
    full_year = tiers.customer_features(orders(), customers(), full(p)).set_index("customer_id")
    features = tiers.customer_features(orders(), customers(), full(p), months=6)
    six = features.set_index("customer_id")
    wallet = six["wallet_size"] * (1.0 + six["segment_growth"])
    expected = (wallet - six["revenue_12m"] * 2.0).clip(lower=0.0)
    assert np.allclose(six["potential"], expected)
    assert (six["potential"] <= full_year["potential"]).all()
    assert (six["potential"] < full_year["potential"]).any()
    summary = tiers.without_projection(tiers.tier_summary(tiers.tier_customers(features, p), features, p))
    assert summary[list(tiers.PROJECTION_COLUMNS)].isna().all().all()
    assert summary["customers"].sum() == len(six)


def test_customer_features_groups_buyers_by_id_whatever_the_row_order_and_gaps(p):
    """Per-customer figures are grouped by the factorised id and looked up by position: a line without a
    customer is nobody's, a line without an order id counts as one order, a customer listed twice gets its
    figures twice, a customer without orders gets none, and the customers keep their order."""
    o = pd.concat(
        [orders(), pd.DataFrame({"order_id": [None, None, "X"], "customer_id": ["C2", None, None],
                                 "order_date": pd.to_datetime(["2026-09-01", "2026-09-02", "2026-09-03"]),
                                 "amount": [5.0, 7.0, 9.0]})],  # fmt: skip
        ignore_index=True,
    ).iloc[::-1]
    c = pd.concat([customers(), customers().iloc[[0]]], ignore_index=True).iloc[[3, 2, 1, 0]]
    f = tiers.customer_features(o, c, full(p))
    assert list(f["customer_id"]) == ["C1", "C3", "C2", "C1"]
    assert list(f["frequency"]) == [2, 0, 2, 2]  # C2: its order and the line without an order id
    assert list(f["monetary"]) == [150.0, 0.0, 205.0, 150.0]
    assert list(f["recency_days"].fillna(-1)) == [10.0, -1.0, 29.0, 10.0]
    empty = tiers.customer_features(orders().iloc[:0], customers(), full(p))
    assert list(empty["frequency"]) == [0, 0, 0] and (empty["revenue_12m"] == 0.0).all()
    assert empty["recency_days"].isna().all()


def test_customer_features_floors_keep_negative_zero_and_nan_as_a_series_clip(p):
    """The floors at 0 (monetary, potential) and -1 (segment growth) are Series.clip's: -0.0 stays -0.0
    (np.clip would write 0.0) and NaN stays NaN."""
    c = customers().assign(wallet_size=[-5.0, np.nan, 0.0])
    f = tiers.customer_features(orders().iloc[:0], c, full(p), pd.Series({"energy": -1.5}))
    assert list(f["segment_growth"]) == [-1.5, 0.0, -1.5]
    # wallet x (1 + max(growth, -1)) - 0: -5 x 0 = -0.0 kept; NaN kept; 0 x 0 = 0.0
    assert np.signbit(f["potential"].iloc[0]) and f["potential"].iloc[0] == 0.0
    assert np.isnan(f["potential"].iloc[1]) and not np.signbit(f["potential"].iloc[2])
