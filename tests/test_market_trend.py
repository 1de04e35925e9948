"""Tests of planning/market/trend.py: monthly history, YoY / MoM, breakdown, seasonality, on tiny tables whose
answers are worked out by hand, and against the plain pandas result on a sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames_market import orders_of, trend_of
from frames_market import trend_orders as _trend_orders

from planning.market import trend
from planning.market.periods import as_str, ratio, windows


@pytest.fixture
def trend_orders() -> pd.DataFrame:
    return _trend_orders()


def test_trend_sales_orders_customers_and_growth(trend_orders):
    tr = trend.trend(trend_orders, "2026-01-31")
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
    tr = trend.trend(trend_orders, "2026-01-12")  # O5 (Jan 16) is after as_of
    last = tr.iloc[-1]
    assert last["sales"] == 150.0 and not last["complete"]
    assert np.isnan(last["yoy_growth"]) and np.isnan(last["mom_growth"])


def test_trend_requires_columns(trend_orders):
    with pytest.raises(ValueError, match="amount"):
        trend.trend(trend_orders.drop(columns="amount"), "2026-01-31")


def test_breakdown_fills_months_and_ranks_by_l12m_share():
    o = orders_of(
        [
            ("O1", "2025-11-03", "C1", 300, 0, "equipment", "direct"),
            ("O2", "2025-12-03", "C1", 100, 0, "services", "partner"),
            ("O3", "2025-12-09", "C2", 100, 0, "services", "online"),
        ]
    )
    bd = trend.breakdown(o, "2025-12-31", "product_line")
    # 2 months x 2 product lines; equipment 300 of 500 = 0.6 of L12M sales, first.
    assert len(bd) == 4
    assert bd["product_line"].iloc[0] == "equipment"
    assert bd.groupby("product_line")["l12m_share"].first().to_dict() == pytest.approx(
        {"equipment": 0.6, "services": 0.4}
    )
    assert bd.loc[(bd["month"] == "2025-11") & (bd["product_line"] == "services"), "sales"].item() == 0.0


def test_trend_and_breakdown_by_hand_with_gaps_missing_ids_and_as_of_edges():
    o = orders_of(
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
    tr = trend.trend(o, "2025-03-31")
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

    bd = trend.breakdown(o, "2025-03-31", "product_line").set_index(["month", "product_line"])["sales"]
    # equipment: Jan 100, Mar 40 + 10 = 50; services: Jan 50 + 25 = 75, Mar 7; the line without a product
    # line (5) is in no cell; February is there with zeros.
    assert bd.to_dict() == {
        ("2025-01", "equipment"): 100.0, ("2025-02", "equipment"): 0.0, ("2025-03", "equipment"): 50.0,
        ("2025-01", "services"): 75.0, ("2025-02", "services"): 0.0, ("2025-03", "services"): 7.0,
    }  # fmt: skip
    ch = trend.breakdown(o, "2025-03-31", "channel")
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
    o = orders_of(rows)
    tr = trend.trend(o, "2025-02-28")
    assert tr["orders"].tolist() == [7, 3]
    assert tr["customers"].tolist() == [2, 1]
    assert tr["sales"].tolist() == [2_250.0, 4_500.0]  # 2,250 lines x 1 and 2,250 lines x 2
    few = trend.trend(o.iloc[:40], "2025-02-28")  # < 2,000 lines a month: codes of (month, id) pairs
    assert few["orders"].tolist() == [7, 3] and few["customers"].tolist() == [2, 1]


def _trend_pandas(orders: pd.DataFrame, as_of) -> pd.DataFrame:
    """The trend as first written (groupby Period, nunique on text), kept as an oracle for `trend.trend`."""
    as_of = pd.Timestamp(as_of)
    o = orders[orders["order_date"] <= as_of]
    period = o["order_date"].dt.to_period("M")
    g = pd.DataFrame(
        {"period": period, "amount": o["amount"], "order_id": as_str(o["order_id"]),
         "cust": as_str(o["customer_id"])}
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
            "yoy_growth": ratio(sales, monthly["sales"].shift(12)).to_numpy(),
            "mom_growth": ratio(sales, monthly["sales"].shift(1)).to_numpy(),
            "complete": complete.to_numpy(),
        }
    )


def _breakdown_pandas(orders: pd.DataFrame, as_of, dimension: str) -> pd.DataFrame:
    """The breakdown as first written (groupby Period x text, unstack / stack), an oracle for `trend.breakdown`."""
    as_of = pd.Timestamp(as_of)
    o = orders[orders["order_date"] <= as_of]
    period = o["order_date"].dt.to_period("M")
    key = as_str(o[dimension])
    table = o["amount"].groupby([period.rename("month"), key.rename(dimension)]).sum().unstack(fill_value=0.0)
    table = table.reindex(pd.period_range(period.min(), as_of.to_period("M"), freq="M"), fill_value=0.0)
    last = windows(as_of)[0]
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
            trend.trend(orders, as_of), _trend_pandas(orders, as_of), check_exact=True
        )
        for dim in ("product_line", "channel"):
            pd.testing.assert_frame_equal(
                trend.breakdown(orders, as_of, dim), _breakdown_pandas(orders, as_of, dim), check_exact=True
            )


def test_seasonality_ratio_to_moving_average_recovers_a_pure_pattern():
    # Sales 1, 2, ..., 12 every year for 3 years: the centred 2x12 average is the annual mean 6.5 everywhere it is
    # defined (months 7..30, 24 ratios), so month m's index is m / 6.5 and every month has 2 observations.
    se = trend.seasonality(trend_of(list(range(1, 13)) * 3), years=3)
    assert list(se["month_of_year"]) == list(range(1, 13))
    assert se["index"].tolist() == pytest.approx([m / 6.5 for m in range(1, 13)], abs=1e-6)
    assert se["observations"].tolist() == [2] * 12
    assert se["method"].iloc[0] == "ratio_to_moving_average"
    assert se["index"].sum() == pytest.approx(12.0, abs=1e-9)


def test_seasonality_short_history_uses_annual_mean_then_flat():
    # 14 months: the last 12 are [4, 2, 2, ..., 2] (Mar..Feb) -> mean 26/12, so March = 4 / (26/12) = 1.846154.
    values = [9.0, 9.0, 4.0] + [2.0] * 11
    se = trend.seasonality(trend_of(values), years=3)
    assert se["method"].iloc[0] == "ratio_to_annual_mean"
    assert se.loc[se["month_of_year"] == 3, "index"].item() == pytest.approx(1.846153, abs=1e-6)
    assert se["index"].mean() == pytest.approx(1.0, abs=1e-12)
    flat = trend.seasonality(trend_of([5.0] * 6), years=3)
    assert flat["method"].iloc[0] == "flat" and flat["index"].tolist() == [1.0] * 12


def test_normalise_keeps_mean_exactly_one_after_rounding():
    # Eleven 1s and a 2: mean 13/12 -> 12/13 = 0.923077 (x11) and 24/13 = 1.846154, which sum to 12.000001;
    # the 1e-6 residue comes off the largest value.
    v = trend._normalise(np.array([1.0] * 11 + [2.0]))
    assert v[-1] == pytest.approx(1.846153, abs=1e-12)
    assert round(v.sum(), 6) == 12.0


def test_month_numbers_are_period_ordinals_over_short_and_very_long_spans():
    # Period ordinals count months from 1970-01: 2025-01 -> (2025 - 1970) x 12 = 660; 1601-03 -> -369 x 12 + 2.
    short = pd.Series(pd.to_datetime(["2025-01-31", "2025-02-01", "2024-12-31"]))
    assert trend._month_numbers(short).tolist() == [660, 661, 659]
    long = pd.Series(pd.to_datetime(["2025-01-31", "1601-03-15", "2025-02-01"]).astype("datetime64[us]"))
    assert trend._month_numbers(long).tolist() == [660, -4426, 661]  # > 400 years: distinct days converted
    assert [pd.Period(ordinal=m, freq="M").strftime("%Y-%m") for m in (660, -4426)] == ["2025-01", "1601-03"]


@pytest.mark.adversarial
def test_trend_first_month_with_one_day_of_data_is_partial_and_no_growth_against_it():
    # Issue 17 case 5: an export starting on 31 January 2024 (one day of January) showed +3,438% YoY for
    # January 2025 and +3,036% MoM for February 2024.
    days = pd.date_range("2024-01-31", "2025-03-31", freq="D")
    orders = pd.DataFrame(
        {
            "order_date": days,
            "order_id": [f"O{i}" for i in range(len(days))],
            "customer_id": "C1",
            "amount": 100.0,
        }
    )
    tr = trend.trend(orders, "2025-03-31").set_index("month")
    assert not tr.at["2024-01", "complete"] and tr.drop(index="2024-01")["complete"].all()
    assert np.isnan(tr.at["2024-02", "mom_growth"]) and np.isnan(tr.at["2025-01", "yoy_growth"])
    assert tr.at["2025-02", "yoy_growth"] == pytest.approx(28 / 29 - 1)  # 2024 is a leap year
    assert tr.at["2024-03", "mom_growth"] == pytest.approx(31 / 29 - 1)
    # Cut by as_of within a month: that month is partial as before, and so is a month the data stops in.
    assert not trend.trend(orders, "2025-03-15")["complete"].iloc[-1]
    short = trend.trend(orders[orders["order_date"] <= "2025-03-10"], "2025-03-31")
    assert not short["complete"].iloc[-1] and np.isnan(short["mom_growth"].iloc[-1])


@pytest.mark.adversarial
def test_breakdown_growth_uses_the_complete_last_12_months():
    # as_of 2026-09-15: the product-line sentence's "last 12 months" are September 2025 - August 2026, as in the
    # trend summary, goals and the index; not October 2025 - half of September 2026.
    days = pd.date_range("2024-09-01", "2026-09-15", freq="D")
    orders = pd.DataFrame({"order_date": days, "amount": 1.0, "product_line": "equipment"})
    bd = trend.breakdown(orders, "2026-09-15", "product_line")
    g = trend.breakdown_growth(bd, "product_line", "2026-09-15").set_index("product_line")
    assert g.at["equipment", "l12m"] == 365.0 and g.at["equipment", "growth"] == pytest.approx(365 / 365 - 1)
    assert trend.breakdown_growth(bd, "product_line").at[0, "l12m"] == 350.0  # no as_of: the last 12 rows
