"""planning/review/root_causes.py: drivers that add up to the gap, and the 5-Why facts on the largest."""

from __future__ import annotations

import math
from types import SimpleNamespace

import frames_review
import pandas as pd
import pytest
from frames_review import AS_OF, tiny_orders, tiny_plan

from planning import contracts, params
from planning.review import periods, root_causes
from planning.review.root_causes import DriverInputs, Why, decompose, largest_driver
from planning.review.variance import plan_vs_actual


def _inputs(leads, orders, share, value):
    revenue = orders * sum(share[k] * value[k] for k in share)
    return DriverInputs(leads, orders, revenue, share, value)


def test_decompose_adds_up_to_the_gap():
    # reference: 10 leads -> 5 orders (0.5 per lead), mix a 60% / b 40%, values 100 / 50 -> AOV 80, revenue 400
    ref = _inputs(10.0, 5.0, {"a": 0.6, "b": 0.4}, {"a": 100.0, "b": 50.0})
    # actual: 10 leads -> 6 orders, mix 50/50, values 120 / 50 -> AOV 85, revenue 510; plan 480 (= 1.2 x 400)
    act = _inputs(10.0, 6.0, {"a": 0.5, "b": 0.5}, {"a": 120.0, "b": 50.0})
    d = decompose(act, ref, 480.0).set_index("driver")["effect"]
    assert d["leads"] == pytest.approx((10 - 12) * 0.5 * 80)  # -80: 12 leads needed for the plan
    assert d["orders_per_lead"] == pytest.approx((6 - 10 * 0.5) * 80)  # +80
    assert d["mix"] == pytest.approx(6 * (75 - 80))  # -30: 0.5*100 + 0.5*50 = 75 at last year's values
    assert d["price"] == pytest.approx(6 * (85 - 75))  # +60
    assert d.sum() == pytest.approx(510 - 480)
    assert largest_driver(d.reset_index(), 30.0) == "orders_per_lead"
    assert largest_driver(d.reset_index(), -30.0) == "leads"


def test_decompose_without_leads_or_history():
    ref = _inputs(math.nan, 5.0, {"a": 0.6, "b": 0.4}, {"a": 100.0, "b": 50.0})
    act = _inputs(math.nan, 6.0, {"a": 0.5, "b": 0.5}, {"a": 120.0, "b": 50.0})
    d = decompose(act, ref, 480.0).set_index("driver")["effect"]
    assert list(d.index) == ["orders", "mix", "price"]
    assert d["orders"] == pytest.approx(0.0)  # 6 orders = 5 x 1.2 needed
    assert d.sum() == pytest.approx(30.0)
    none = decompose(act, DriverInputs(math.nan, 0.0, 0.0, {}, {}), 480.0)
    assert none.to_dict("records") == [{"driver": "no_history", "effect": pytest.approx(30.0)}]


def test_root_causes_only_beyond_threshold_with_a_five_why():
    orders = tiny_orders()
    tables = SimpleNamespace(orders=orders, opportunities=None)
    pva = plan_vs_actual(orders, tiny_plan(), AS_OF)
    p = params.Params(as_of=AS_OF, review=params.Review(root_cause_threshold=0.10))
    rc = root_causes.root_causes(tables, pva, p)
    keys = set(rc["key"])
    # January -10% is not beyond 10%; February +20%, R1 -25%, R2 +50%, equipment -10% (no), services +20%
    assert "2026-01" not in keys and "equipment" not in keys
    assert {"2026-02", "R1", "R2", "services"} <= keys
    for _key, g in rc.groupby("key"):
        assert g["effect"].sum() == pytest.approx(g["actual"].iloc[0] - g["plan"].iloc[0])
        top = g[g["largest"]]
        assert len(top) == 1 and top["why_1"].iloc[0] and top["why_4"].iloc[0] == ""
        assert g.loc[~g["largest"], "why_1"].isna().all()  # only the largest driver carries the template
    assert list(contracts.required_columns("root_causes")) == [
        c for c in rc.columns if c in contracts.required_columns("root_causes")
    ]
    r1 = rc[(rc["key"] == "R1") & rc["largest"]].iloc[0]
    assert r1["why_1"] == Why("gap", {"level": "rep", "key": "R1", "actual": 90.0, "plan": pytest.approx(120.0),
                                      "variance_pct": pytest.approx(-0.25), "driver": r1["driver"],
                                      "effect": pytest.approx(r1["effect"])})  # fmt: skip


def test_waterfall_data_runs_from_plan_through_the_drivers_to_actual():
    wf = pd.DataFrame({"level": "ytd", "key": "2026", "plan": 480.0, "actual": 510.0,
                       "driver": ["leads", "orders_per_lead"], "effect": [-50.0, 80.0]})  # fmt: skip
    data = root_causes.waterfall_data(wf, "ytd", "2026")
    assert list(data["end"]) == [480.0, 430.0, 510.0, 510.0]
    assert list(data["kind"]) == ["total", "down", "up", "total"]
    assert root_causes.waterfall_data(wf, "ytd", "2025").empty


def _order_table_by_sorting(lines: pd.DataFrame) -> pd.DataFrame:
    """The order table as root_causes built it per slice before `_Lines`: sort, keep each order's first line."""
    if lines.empty:
        return pd.DataFrame(columns=["order_id", "product", "revenue", "month"])
    lines = lines.assign(
        order_id=lines["order_id"].astype(str), product_line=lines["product_line"].astype(str)
    )
    main = lines.sort_values(["order_id", "amount"], ascending=[True, False]).drop_duplicates("order_id")
    rev = lines.groupby("order_id")["amount"].sum()
    out = main[["order_id", "product_line", "order_date"]].rename(columns={"product_line": "product"})
    out["revenue"] = out["order_id"].map(rev).to_numpy()
    out["month"] = periods.month_start(out["order_date"])
    return out.drop(columns="order_date").reset_index(drop=True)


def test_order_table_of_a_slice_equals_sorting_its_lines():
    # several lines per order, ties in amount (the earlier line names the product), order ids out of order,
    # a missing product line, three lines whose sum a compensated sum gets right, category columns
    lines = frames_review.orders(
        [
            ("O3", "2026-01-05", 0.1, "R1", "services", "direct"),
            ("O1", "2026-01-07", 50.0, "R1", "equipment", "direct"),
            ("O3", "2026-01-05", 0.2, "R1", None, "direct"),
            ("O1", "2026-01-07", 50.0, "R1", "services", "direct"),
            ("O2", "2026-02-28", 7.0, "R2", "software", "online"),
            ("O3", "2026-01-05", 0.3, "R1", "software", "direct"),
            ("O10", "2026-03-01", 1e16, "R2", "equipment", "online"),
            ("O10", "2026-03-01", 1.0, "R2", "services", "online"),
            ("O10", "2026-03-01", -1e16, "R2", "software", "online"),
        ]
    )
    lines["rep_id"] = lines["rep_id"].astype("category")
    for frame in (lines, lines.iloc[::-1], lines.iloc[[0, 2, 5]], lines.iloc[:0]):
        pd.testing.assert_frame_equal(root_causes._order_table(frame), _order_table_by_sorting(frame))
    prepared = root_causes._Lines(lines)
    start, end = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-28")
    pos = prepared.where("rep_id", "R1", start, end)
    assert list(pos) == [0, 1, 2, 3, 5]
    pd.testing.assert_frame_equal(prepared.orders_of(pos), _order_table_by_sorting(lines.iloc[pos]))
    assert list(prepared.where(None, None, start, end)) == [0, 1, 2, 3, 4, 5]
    assert prepared.orders_of(prepared.where("rep_id", "R3", start, end)).empty


def test_monthly_counts_equal_grouping_by_month():
    # the counts by month position equal grouping by month_start (this year's months; last year's a year on)
    ev = object.__new__(root_causes._Evidence)
    ev.start, ev.end = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-14")
    days = [
        "2025-01-31",
        "2025-03-20",
        "2025-12-31",
        "2026-01-01",
        "2026-02-28",
        "2026-03-14",
        "2026-04-01",
        None,
    ]
    frame = pd.DataFrame({"lead_date": pd.to_datetime(days)}, index=[7, 3, 5, 1, 0, 2, 4, 6])
    months = pd.date_range("2026-01-01", "2026-03-14", freq="MS")
    for ly in (False, True):
        m = periods.month_start(frame["lead_date"])
        m = m + pd.DateOffset(years=1) if ly else m
        grouped = frame.groupby(m).size().reindex(months, fill_value=0).astype(float)
        pd.testing.assert_series_equal(ev.monthly(frame, "lead_date", ly), grouped)
        pd.testing.assert_series_equal(ev.monthly(frame.iloc[:0], "lead_date", ly), grouped * 0)


def test_largest_driver_matches_the_frame_rule():
    """largest_driver picks as `pick.loc[pick.effect.abs().idxmax()]` over the same-sign drivers did: the first of
    equal sizes, all drivers when none has the gap's sign, idxmax's NaN-skipping when an effect is NaN."""
    import numpy as np

    def frame_rule(decomp, gap):
        same = decomp[np.sign(decomp["effect"]) == np.sign(gap)]
        pick = same if len(same) else decomp
        return str(pick.loc[pick["effect"].abs().idxmax(), "driver"])

    names = ["leads", "orders_per_lead", "mix", "price"]
    cases = [[-5.0, 5.0, -5.0, 1.0], [3.0, 2.0, 3.0, -9.0], [0.0, 0.0, 0.0, 0.0], [1.0, np.nan, -2.0, 4.0],
             [-1.0, -7.0, 7.0, -7.0]]  # fmt: skip
    for effects in cases:
        d = pd.DataFrame({"driver": names, "effect": effects})
        for gap in (-1.0, 1.0, 0.0):
            assert root_causes.largest_driver(d, gap) == frame_rule(d, gap)
