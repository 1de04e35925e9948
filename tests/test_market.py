"""Tests of planning/market.py and planning/charts/market.py on tiny tables whose answers are worked out by hand,
plus one notebook smoke run on the small sample company."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from planning import contracts, market
from planning.charts import market as charts
from planning.params import Market

D = pd.Timestamp


def _orders(rows: list[tuple]) -> pd.DataFrame:
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


# ------------------------------------------------------------------------------------------------ trend
@pytest.fixture
def trend_orders() -> pd.DataFrame:
    return _orders(
        [
            ("O1", "2025-01-10", "C1", 100, 0),
            ("O2", "2025-01-20", "C2", 30, 0),
            ("O2", "2025-01-20", "C2", 20, 0),  # second line of O2: one order, one customer
            ("O3", "2025-02-05", "C1", 200, 0),
            ("O4", "2026-01-10", "C1", 150, 0),
            ("O5", "2026-01-16", "C3", 75, 0),
        ]
    )


def test_trend_sales_orders_customers_and_growth(trend_orders):
    tr = market.trend(trend_orders, "2026-01-31")
    assert list(tr["month"]) == [f"2025-{m:02d}" for m in range(1, 13)] + ["2026-01"]  # empty months kept
    jan25, feb25, jan26 = tr.iloc[0], tr.iloc[1], tr.iloc[-1]
    # 2025-01: 100 + 30 + 20 = 150 from 2 orders (O1, O2) by 2 customers.
    assert (jan25["sales"], jan25["orders"], jan25["customers"]) == (150.0, 2, 2)
    assert feb25["mom_growth"] == pytest.approx(200 / 150 - 1)  # 0.3333
    # 2026-01: 150 + 75 = 225; YoY = 225 / 150 - 1 = 0.5; previous month sold 0 -> MoM undefined.
    assert jan26["sales"] == 225.0
    assert jan26["yoy_growth"] == pytest.approx(0.5)
    assert np.isnan(jan26["mom_growth"])
    assert tr["yoy_growth"].iloc[:12].isna().all()  # no prior year
    assert tr["complete"].all()


def test_trend_partial_last_month_has_no_growth(trend_orders):
    tr = market.trend(trend_orders, "2026-01-12")  # O5 (Jan 16) is after as_of
    last = tr.iloc[-1]
    assert last["sales"] == 150.0 and not last["complete"]
    assert np.isnan(last["yoy_growth"]) and np.isnan(last["mom_growth"])


def test_trend_requires_columns(trend_orders):
    with pytest.raises(ValueError, match="amount"):
        market.trend(trend_orders.drop(columns="amount"), "2026-01-31")


def test_breakdown_fills_months_and_ranks_by_l12m_share():
    o = _orders(
        [
            ("O1", "2025-11-03", "C1", 300, 0, "equipment", "direct"),
            ("O2", "2025-12-03", "C1", 100, 0, "services", "partner"),
            ("O3", "2025-12-09", "C2", 100, 0, "services", "online"),
        ]
    )
    bd = market.breakdown(o, "2025-12-31", "product_line")
    # 2 months x 2 product lines; equipment 300 of 500 = 0.6 of L12M sales, first.
    assert len(bd) == 4
    assert bd["product_line"].iloc[0] == "equipment"
    assert bd.groupby("product_line")["l12m_share"].first().to_dict() == pytest.approx(
        {"equipment": 0.6, "services": 0.4}
    )
    assert bd.loc[(bd["month"] == "2025-11") & (bd["product_line"] == "services"), "sales"].item() == 0.0


def test_trend_and_breakdown_by_hand_with_gaps_missing_ids_and_as_of_edges():
    o = _orders(
        [
            ("O1", "2025-01-05", "C1", 100, 0, "equipment", "direct"),
            ("O1", "2025-01-05", "C1", 50, 0, "services", "direct"),  # 2nd line of O1
            ("O2", "2025-01-31", "C2", 25, 0, "services", "online"),
            # 2025-02: no sales at all
            ("O3", "2025-03-02", "C1", 40, 0, "equipment", "partner"),
            (None, "2025-03-15", "C3", 10, 0, "equipment", "direct"),  # order id missing
            ("O4", "2025-03-20", None, 5, 0, None, "direct"),  # customer id and product line missing
            ("O5", "2025-03-31", "C2", 7, 0, "services", "online"),  # on as_of: counted
            ("O6", "2025-04-01", "C4", 1000, 0, "services", "online"),  # after as_of: not counted
        ]
    )
    tr = market.trend(o, "2025-03-31")
    assert list(tr["month"]) == ["2025-01", "2025-02", "2025-03"]
    # Jan: 100 + 50 + 25 = 175 from orders O1, O2 by C1, C2. Feb: nothing.
    # Mar: 40 + 10 + 5 + 7 = 62; orders O3, O4, O5 (the missing id is no order); customers C1, C3, C2 (the
    # missing one is no customer).
    assert tr["sales"].tolist() == [175.0, 0.0, 62.0]
    assert tr["orders"].tolist() == [2, 0, 3]
    assert tr["customers"].tolist() == [2, 0, 3]
    assert tr["orders"].dtype == "int64" and tr["customers"].dtype == "int64"
    assert np.isnan(tr["mom_growth"].iloc[2])  # previous month sold 0
    assert tr["complete"].tolist() == [True, True, True]  # 2025-03-31 is the month's last day

    bd = market.breakdown(o, "2025-03-31", "product_line").set_index(["month", "product_line"])["sales"]
    # equipment: Jan 100, Mar 40 + 10 = 50; services: Jan 50 + 25 = 75, Mar 7; the line without a product
    # line (5) is in no cell; February is there with zeros.
    assert bd.to_dict() == {
        ("2025-01", "equipment"): 100.0, ("2025-02", "equipment"): 0.0, ("2025-03", "equipment"): 50.0,
        ("2025-01", "services"): 75.0, ("2025-02", "services"): 0.0, ("2025-03", "services"): 7.0,
    }  # fmt: skip
    ch = market.breakdown(o, "2025-03-31", "channel")
    # L12M (2024-04-01 .. 2025-03-31) = every line up to as_of: direct 100 + 50 + 10 + 5 = 165, online 25 + 7
    # = 32, partner 40; total 237. Sorted by share: direct, partner, online.
    assert list(dict.fromkeys(ch["channel"])) == ["direct", "partner", "online"]
    share = ch.groupby("channel")["l12m_share"].first()
    assert share.to_dict() == pytest.approx({"direct": 165 / 237, "partner": 40 / 237, "online": 32 / 237})
    assert ch.loc[(ch["month"] == "2025-03") & (ch["channel"] == "online"), "sales"].item() == 7.0


def test_trend_counts_per_month_the_same_for_many_lines_in_any_order():
    # 2,000+ lines per month takes the month-by-month count; the lines interleave the months (no date order).
    # Jan: order ids A0..A6 repeated (7 distinct), customers K0, K1 (2); Feb: B0..B2 (3) plus missing ids, one
    # customer K9.
    n = 4_500
    rows = []
    for i in range(n):
        if i % 2 == 0:
            rows.append((f"A{i % 7}", "2025-01-15", f"K{i % 2 + (i // 2) % 2}", 1, 0))
        else:
            rows.append((f"B{i % 3}" if i % 5 else None, "2025-02-10", "K9" if i % 5 else None, 2, 0))
    o = _orders(rows)
    tr = market.trend(o, "2025-02-28")
    assert tr["orders"].tolist() == [7, 3]
    assert tr["customers"].tolist() == [2, 1]
    assert tr["sales"].tolist() == [2_250.0, 4_500.0]  # 2,250 lines x 1 and 2,250 lines x 2
    few = market.trend(o.iloc[:40], "2025-02-28")  # < 2,000 lines a month: codes of (month, id) pairs
    assert few["orders"].tolist() == [7, 3] and few["customers"].tolist() == [2, 1]


def _trend_pandas(orders: pd.DataFrame, as_of) -> pd.DataFrame:
    """The trend as first written (groupby Period, nunique on text), kept as an oracle for `market.trend`."""
    as_of = pd.Timestamp(as_of)
    o = orders[orders["order_date"] <= as_of]
    period = o["order_date"].dt.to_period("M")
    g = pd.DataFrame(
        {"period": period, "amount": o["amount"], "order_id": market._str(o["order_id"]),
         "cust": market._str(o["customer_id"])}
    ).groupby("period")  # fmt: skip
    monthly = pd.DataFrame(
        {"sales": g["amount"].sum(), "orders": g["order_id"].nunique(), "customers": g["cust"].nunique()}
    )
    full = pd.period_range(period.min(), as_of.to_period("M"), freq="M")
    monthly = monthly.reindex(full, fill_value=0)
    monthly[["orders", "customers"]] = monthly[["orders", "customers"]].astype("int64")
    complete = pd.Series(True, index=full)
    complete.iloc[-1] = as_of == as_of + pd.offsets.MonthEnd(0)
    sales = monthly["sales"].where(complete)
    return pd.DataFrame(
        {
            "month": full.strftime("%Y-%m"),
            "sales": monthly["sales"].to_numpy(),
            "orders": monthly["orders"].to_numpy(),
            "customers": monthly["customers"].to_numpy(),
            "yoy_growth": market._ratio(sales, monthly["sales"].shift(12)).to_numpy(),
            "mom_growth": market._ratio(sales, monthly["sales"].shift(1)).to_numpy(),
            "complete": complete.to_numpy(),
        }
    )


def _breakdown_pandas(orders: pd.DataFrame, as_of, dimension: str) -> pd.DataFrame:
    """The breakdown as first written (groupby Period x text, unstack / stack), an oracle for `market.breakdown`."""
    as_of = pd.Timestamp(as_of)
    o = orders[orders["order_date"] <= as_of]
    period = o["order_date"].dt.to_period("M")
    key = market._str(o[dimension])
    table = o["amount"].groupby([period.rename("month"), key.rename(dimension)]).sum().unstack(fill_value=0.0)
    table = table.reindex(pd.period_range(period.min(), as_of.to_period("M"), freq="M"), fill_value=0.0)
    last = market.windows(as_of)[0]
    l12m = o.loc[last.mask(o["order_date"]), "amount"].groupby(key[last.mask(o["order_date"])]).sum()
    total = l12m.sum()
    share = (l12m / total if total else l12m * 0.0).reindex(table.columns, fill_value=0.0)
    long = table.stack().rename("sales").reset_index()
    long.columns = ["month", dimension, "sales"]
    long["month"] = long["month"].dt.strftime("%Y-%m")
    long["l12m_share"] = long[dimension].map(share).astype("float64")
    return long.sort_values(
        ["l12m_share", dimension, "month"], ascending=[False, True, True], ignore_index=True
    )


@pytest.mark.parametrize("shuffled", [False, True])
def test_trend_and_breakdown_equal_the_plain_pandas_result_on_a_sample(shuffled):
    from planning import sample

    orders = sample.generate(scale=0.05)["orders"]
    orders = orders.astype(
        {c: "str" for c in orders.columns if isinstance(orders[c].dtype, pd.CategoricalDtype)}
    )
    orders = orders[orders["region"] == "east"].reset_index(drop=True)
    if shuffled:  # lines in no date order, some ids and channels missing
        orders = orders.sample(frac=1.0, random_state=7).reset_index(drop=True)
        rng = np.random.default_rng(7)
        for col in ("order_id", "customer_id", "channel"):
            orders.loc[rng.random(len(orders)) < 0.01, col] = np.nan
    for as_of in ("2026-09-30", "2026-09-15", "2024-02-29"):
        pd.testing.assert_frame_equal(
            market.trend(orders, as_of), _trend_pandas(orders, as_of), check_exact=True
        )
        for dim in ("product_line", "channel"):
            pd.testing.assert_frame_equal(
                market.breakdown(orders, as_of, dim), _breakdown_pandas(orders, as_of, dim), check_exact=True
            )


# ------------------------------------------------------------------------------------------------ seasonality
def _trend_of(values: list[float], start: str = "2023-01") -> pd.DataFrame:
    months = pd.period_range(start, periods=len(values), freq="M").strftime("%Y-%m")
    return pd.DataFrame({"month": months, "sales": values, "complete": True})


def test_seasonality_ratio_to_moving_average_recovers_a_pure_pattern():
    # Sales 1, 2, ..., 12 every year for 3 years: the centred 2x12 average is the annual mean 6.5 everywhere it is
    # defined (months 7..30, 24 ratios), so month m's index is m / 6.5 and every month has 2 observations.
    se = market.seasonality(_trend_of(list(range(1, 13)) * 3), years=3)
    assert list(se["month_of_year"]) == list(range(1, 13))
    assert se["index"].tolist() == pytest.approx([m / 6.5 for m in range(1, 13)], abs=1e-6)
    assert se["observations"].tolist() == [2] * 12
    assert se["method"].iloc[0] == "ratio_to_moving_average"
    assert se["index"].sum() == pytest.approx(12.0, abs=1e-9)


def test_seasonality_short_history_uses_annual_mean_then_flat():
    # 14 months: the last 12 are [4, 2, 2, ..., 2] (Mar..Feb) -> mean 26/12, so March = 4 / (26/12) = 1.846154.
    values = [9.0, 9.0, 4.0] + [2.0] * 11
    se = market.seasonality(_trend_of(values), years=3)
    assert se["method"].iloc[0] == "ratio_to_annual_mean"
    assert se.loc[se["month_of_year"] == 3, "index"].item() == pytest.approx(1.846153, abs=1e-6)
    assert se["index"].mean() == pytest.approx(1.0, abs=1e-12)
    flat = market.seasonality(_trend_of([5.0] * 6), years=3)
    assert flat["method"].iloc[0] == "flat" and flat["index"].tolist() == [1.0] * 12


def test_normalise_keeps_mean_exactly_one_after_rounding():
    # Eleven 1s and a 2: mean 13/12 -> 12/13 = 0.923077 (x11) and 24/13 = 1.846154, which sum to 12.000001;
    # the 1e-6 residue comes off the largest value.
    v = market._normalise(np.array([1.0] * 11 + [2.0]))
    assert v[-1] == pytest.approx(1.846153, abs=1e-12)
    assert round(v.sum(), 6) == 12.0


# ------------------------------------------------------------------------------------------------ market share
@pytest.fixture
def share_tables():
    customers = pd.DataFrame(
        {"customer_id": ["C1", "C2"], "industry": ["energy", "retail"], "size_band": ["large", "small"]}
    )
    orders = _orders(
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


def test_market_share_calendar_year_window(share_tables):
    orders, customers, ms = share_tables
    sh = market.market_share(orders, customers, ms, Market(), "2026-12-31").set_index("segment")
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
    sh = market.market_share(orders, customers, ms, Market(), "2026-06-30").set_index("segment")
    # L12M = 2025-07-01..2026-06-30: 184 days of 2025 and 181 of 2026 -> (1000*184 + 1200*181) / 365.
    assert sh.loc["energy", "market_size"] == pytest.approx((1000 * 184 + 1200 * 181) / 365)
    # P12M = 2024-07-01..2025-06-30 reaches back into 2024, which the data lacks: extrapolated back from 2025 at
    # the first observed growth (2026/2025 = 1.2): 1000 / 1.2 for 184 of 2024's 366 days (leap year), 1000 for
    # 181 of 2025's 365 days.
    assert sh.loc["energy", "market_size_prev"] == pytest.approx(1000 / 1.2 * 184 / 366 + 1000 * 181 / 365)


def test_market_share_without_market_size_is_empty_or_from_params(share_tables):
    orders, customers, _ = share_tables
    assert market.market_share(orders, customers, None, Market(), "2026-12-31").empty
    mp = Market(market_size={"energy": 1200.0, "retail": 500.0}, market_growth=0.0)
    sh = market.market_share(orders, customers, None, mp, "2026-12-31").set_index("segment")
    assert sh.loc["energy", "share"] == pytest.approx(0.15)


def test_plan_year_market_size_extrapolates_last_growth(share_tables):
    _, _, ms = share_tables
    tam = market.market_size_plan_year(ms, Market(), 2027)
    assert tam.to_dict() == pytest.approx({"energy": 1440.0, "retail": 500.0})  # 1200 x 1.2; 500 x 1.0


# ------------------------------------------------------------------------------------------------ segments
@pytest.fixture
def seg_tables():
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3", "C4"],
            "industry": ["energy", "energy", "energy", "retail"],
            "size_band": ["large", "large", "large", "small"],
        }
    )
    orders = _orders(
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


def test_segments_clv_win_rate_growth_and_rank(seg_tables):
    orders, customers, opp = seg_tables
    mp = Market(min_customers=2)
    seg = market.segments(orders, customers, opp, mp, "2026-12-31").set_index("segment")
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
    seg = market.segments(orders, customers, opp, Market(min_customers=2, clv_max_years=2), "2026-12-31")
    e = seg.set_index("segment").loc["energy/large"]
    assert e["lifetime_years"] == pytest.approx(2.0)  # 3 years capped at 2
    assert e["clv"] == pytest.approx(160.0)  # 80 x 2


def test_segments_by_industry_only(seg_tables):
    orders, customers, opp = seg_tables
    seg = market.segments(orders, customers, opp, Market(min_customers=1), "2026-12-31", by=["industry"])
    assert sorted(seg["segment"]) == ["energy", "retail"]
    # With industry only, the prospect X3 counts: energy closed X1 won, X2 lost, X3 won -> 2/3.
    assert seg.set_index("segment").loc["energy", "win_rate"] == pytest.approx(2 / 3)


def test_segments_need_customers_for_size_band(seg_tables):
    orders, _, opp = seg_tables
    with pytest.raises(ValueError, match="customers"):
        market.segments(orders, None, opp, Market(), "2026-12-31")


# ------------------------------------------------------------------------------------------------ competitors
@pytest.fixture
def mp_comp() -> Market:
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


def test_competitors_openings(mp_comp):
    comp = market.competitors(mp_comp)
    assert set(contracts.required_columns("competitors")) <= set(comp.columns)
    opening = comp.groupby("dimension")["opening"].first().to_dict()
    # service: 2.0 and 2.5 are both <= 2.5 -> opening; brand was scored by A only -> unknown for B, no opening.
    assert opening == {"brand": False, "price": False, "service": True}
    op = market.openings(mp_comp).set_index("dimension")
    assert op.index[0] == "service" and op.loc["price", "best_competitor"] == "A"


def test_market_increment_share_gain_and_opening(mp_comp, share_tables):
    orders, customers, ms = share_tables
    sh = market.market_share(orders, customers, ms, mp_comp, "2026-12-31")
    tam = market.market_size_plan_year(ms, mp_comp, 2027)  # energy 1440, retail 500
    inc = market.market_increment(sh, mp_comp, tam, 2027).set_index("segment_or_dimension")
    assert list(inc.columns[:3]) == ["source", "amount", "explanation"]
    assert inc.loc["energy", "amount"] == pytest.approx(14.4)  # +1 pp x 1440
    assert inc.loc["service", "amount"] == pytest.approx(38.8)  # 2% x (1440 + 500)
    assert "1,440" in inc.loc["energy", "explanation"] or "¥1,440" in inc.loc["energy", "explanation"]
    fixed = mp_comp.model_copy(update={"opening_increment": {"service": 7.0}})
    assert market.market_increment(sh, fixed, tam, 2027).set_index("segment_or_dimension").loc[
        "service", "amount"
    ] == pytest.approx(7.0)


def test_market_increment_unknown_industry(mp_comp, share_tables):
    orders, customers, ms = share_tables
    bad = mp_comp.model_copy(update={"share_gain": {"mining": 0.01}})
    tam = market.market_size_plan_year(ms, bad, 2027)
    with pytest.raises(ValueError, match="mining"):
        market.market_increment(pd.DataFrame(), bad, tam, 2027)


# ------------------------------------------------------------------------------------------------ SWOT
def test_swot_rules_fire(mp_comp, share_tables):
    orders, customers, ms = share_tables
    sh = market.market_share(orders, customers, ms, mp_comp, "2026-12-31")
    sw = market.swot(mp_comp, sh, market.competitors(mp_comp))
    assert set(contracts.required_columns("swot")) <= set(sw.columns)
    data = sw[sw["source"] == "data"]
    got = set(zip(data["quadrant"], data["rule"], data["key"], strict=True))
    assert got == {
        ("S", "share_gain", "energy"),  # +5 pp
        ("W", "share_loss", "retail"),  # -2 pp
        ("O", "fast_market", "energy"),  # market +20% vs total +13.3% (+2 pp margin)
        ("O", "opening", "service"),
        ("S", "opening_filled", "service"),  # our 4.5 >= strong 4.0
        ("T", "competitor_strength", "A/price"),  # A 4.5 on price, we 2.0
    }
    assert data.set_index("key").loc["retail", "evidence"] == "share 8.0%, -2.00 pp year on year"
    assert len(sw[sw["source"] == "params"]) == 2
    assert list(sw["quadrant"]) == sorted(sw["quadrant"], key="SWOT".index)
    zh = market.swot(mp_comp, sh, market.competitors(mp_comp), lang="zh")
    assert "价格战" in set(zh["item"]) and any("甲" in s for s in zh["item"])


# ------------------------------------------------------------------------------------------------ params
@pytest.mark.parametrize(
    "bad",
    [
        {"icp_weights": {"revenue": 1.0}},
        {"icp_weights": {"sales": 0.0}},
        {"own_scores": {"price": 6}},
        {"share_gain": {"energy": 5}},
        {"opening_increment": {"service": -1}},
        {"competitors": [{"name": "X", "scores": {"price": 0.5}}]},
    ],
)
def test_market_params_reject_bad_values(bad):
    with pytest.raises(ValidationError):
        Market(**bad)


# ------------------------------------------------------------------------------------------------ company total
def test_company_summary():
    orders = pd.concat(
        [
            _orders([("A1", "2025-03-01", "C1", 100, 0), ("A2", "2026-03-01", "C1", 150, 0)]),
            _orders([("B1", "2025-03-01", "C2", 100, 0), ("B2", "2026-03-01", "C2", 50, 0)]).assign(
                region="north"
            ),
        ],
        ignore_index=True,
    )
    s = market.company_summary(SimpleNamespace(orders=orders, regions=None), "2026-12-31").set_index("region")
    assert s.loc["east", "yoy_growth"] == pytest.approx(0.5) and s.loc[
        "north", "yoy_growth"
    ] == pytest.approx(-0.5)
    assert s.loc["company", "sales_l12m"] == 200.0 and s.loc["company", "yoy_growth"] == 0.0
    assert s.loc["east", "share_of_company"] == pytest.approx(0.75)
    assert s.loc["north", "name_zh"] == "华北"


# ------------------------------------------------------------------------------------------------ charts
def test_trend_chart_spec(trend_orders):
    spec = charts.trend_line(market.trend(trend_orders, "2026-01-31"), "zh").to_dict()
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["x"]["timeUnit"] == "utcyearmonth"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["销售额", "上年同月"]
    values = spec["datasets"][spec["data"]["name"]]
    assert len(values) == 13 + 1  # 13 months + one month with a prior year
    assert spec["title"] == "月度销售额（叠加上年同期）"


def test_seasonality_chart_spec():
    se = market.seasonality(_trend_of(list(range(1, 13)) * 3))
    spec = charts.seasonality_bar(se, "en").to_dict()
    marks = [
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]
    ]
    assert marks == ["bar", "rule"]
    assert spec["layer"][0]["encoding"]["x"]["sort"][0] == "Jan"


def test_competitor_heatmap_spec(mp_comp):
    spec = charts.competitor_heatmap(market.competitors(mp_comp), mp_comp.own_scores, "en").to_dict()
    rect = spec["layer"][0]
    assert rect["mark"]["type"] == "rect"
    assert rect["encoding"]["y"]["sort"][0] == "Us"
    assert "Service ▲" in rect["encoding"]["x"]["sort"]
    assert rect["encoding"]["color"]["scale"]["domain"] == [1, 5]


def test_segments_and_share_chart_specs(seg_tables, share_tables):
    orders, customers, opp = seg_tables
    seg = market.segments(orders, customers, opp, Market(min_customers=2), "2026-12-31")
    spec = charts.segments_bubble(market.label_segments(seg, market.SEGMENT_DIMENSIONS, "en"), "en").to_dict()
    assert spec["layer"][0]["encoding"]["size"]["field"] == "sales"
    o, c, ms = share_tables
    sh = market.market_share(o, c, ms, Market(), "2026-12-31")
    spec = charts.share_dumbbell(sh, "en").to_dict()
    assert spec["layer"][0]["encoding"]["x2"]["field"] == "share"
    assert len(spec["datasets"][spec["data"]["name"]]) == 3  # 2 industries + total, aggregated


# ------------------------------------------------------------------------------------------------ notebook
@pytest.mark.slow
def test_notebook_writes_artefacts_that_agree_with_pandas(small_sample, tmp_path):
    from planning import data, params, runner

    result = runner.run(
        regions=["east"], steps=["01"], data_dir=str(small_sample), out_root=tmp_path, workers=1
    )
    assert result.ok, result.results
    art = result.snapshot / "east" / "artifacts"
    for name in ("market_trend", "seasonality", "segments", "market_share", "competitors", "swot"):
        df = pd.read_csv(art / f"{name}.csv")
        assert set(contracts.required_columns(name)) <= set(df.columns), name
    p = params.load("east").params
    t = data.load_tables(small_sample, region="east", as_of=p.as_of)
    # Independent pandas: every order line's amount is in the trend; L12M share = L12M sales / day-weighted TAM.
    trend = pd.read_csv(art / "market_trend.csv")
    assert trend["sales"].sum() == pytest.approx(t.orders["amount"].sum(), rel=1e-9)
    season = pd.read_csv(art / "seasonality.csv")
    assert len(season) == 12 and season["index"].sum() == pytest.approx(12.0, abs=1e-9)
    share = pd.read_csv(art / "market_share.csv").set_index("segment")
    start = pd.Timestamp(p.as_of) - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    l12m = t.orders.loc[t.orders["order_date"] >= start, "amount"].sum()
    assert share.loc["total", "our_sales"] == pytest.approx(l12m, rel=1e-6)
    ms = t.market_size.groupby("year")["market_size"].sum()
    days_prev = (pd.Timestamp(p.as_of.year - 1, 12, 31) - start).days + 1
    tam = ms[p.as_of.year - 1] * days_prev / 365 + ms[p.as_of.year] * (365 - days_prev) / 365
    assert share.loc["total", "market_size"] == pytest.approx(tam, rel=1e-6)
    inc = pd.read_csv(art / "market_increment.csv")
    assert list(inc.columns[:4]) == ["source", "segment_or_dimension", "amount", "explanation"]
    assert (inc["amount"] > 0).all()


def test_month_numbers_are_period_ordinals_over_short_and_very_long_spans():
    # Period ordinals count months from 1970-01: 2025-01 -> (2025 - 1970) x 12 = 660; 1601-03 -> -369 x 12 + 2.
    short = pd.Series(pd.to_datetime(["2025-01-31", "2025-02-01", "2024-12-31"]))
    assert market._month_numbers(short).tolist() == [660, 661, 659]
    long = pd.Series(pd.to_datetime(["2025-01-31", "1601-03-15", "2025-02-01"]).astype("datetime64[us]"))
    assert market._month_numbers(long).tolist() == [660, -4426, 661]  # > 400 years: distinct days converted
    assert [pd.Period(ordinal=m, freq="M").strftime("%Y-%m") for m in (660, -4426)] == ["2025-01", "1601-03"]
