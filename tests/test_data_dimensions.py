"""planning/data/dimensions.py: a dimension with thousands of values (an ERP stock code mapped to product_line,
issue 17 case 1) is shown as its top N by sales plus "other", in every step, with exact sums; `planning check`
counts the values and says it will group them."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planning import charts as base_charts
from planning import data
from planning.charts import ChartDataTooLarge
from planning.data import OTHER, Tables, group_dimensions, top_n
from planning.market import charts, trend
from planning.notebook import Context
from planning.params import Company, DataSection, Market, Params, Region
from planning.runner import checks

AS_OF = date(2025, 12, 31)
CODES = 3227  # the ERP export of the issue: 3,227 stock codes


def erp_orders(n: int = 6000, seed: int = 7) -> pd.DataFrame:
    """Order lines of two years whose product_line is a stock code (3,227 values, a few selling most)."""
    rng = np.random.default_rng(seed)
    code = np.minimum(rng.zipf(1.3, n), CODES) - 1
    code[:CODES] = np.arange(CODES)  # every code sells at least once
    days = rng.integers(0, 730, n)
    return pd.DataFrame(
        {
            "order_id": [f"SO{i:05d}" for i in range(n)],
            "line_no": 1,
            "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D"),
            "customer_id": [f"C{i % 40:03d}" for i in range(n)],
            "rep_id": "R1",
            "region": "east",
            "product_line": [f"sku-{c:05d}" for c in code],
            "channel": rng.choice(["direct", "partner"], n),
            "quantity": 1.0,
            "unit_price": np.round(rng.uniform(10, 5000, n), 2),
            "amount": 0.0,
            "margin": 0.0,
        }
    ).assign(amount=lambda d: d["unit_price"], margin=lambda d: np.round(d["unit_price"] * 0.3, 2))


def _params(top: int = 8, **market) -> Params:
    return Params(
        as_of=AS_OF,
        plan_year=2026,
        company=Company(currency="USD"),
        region=Region(key="east"),
        data=DataSection(top_values=top),
        market=Market(**market),
    )


def test_a_stock_code_product_line_is_its_top_8_by_sales_plus_other_with_exact_sums():
    orders = erp_orders()
    grouped, (g, *_) = group_dimensions(Tables(orders=orders), top=8)
    o = grouped.orders
    assert o["product_line"].nunique() == 9 and OTHER in set(o["product_line"])
    by_sales = orders.groupby("product_line")["amount"].sum().sort_values(ascending=False)
    assert set(o["product_line"]) - {OTHER} == set(by_sales.index[:8])  # the 8 with the most sales
    assert (g.dimension, g.values, len(g.shown), g.grouped) == ("product_line", CODES, 8, CODES - 8)
    # rows relabelled, never dropped: "other" = total - top 8, to the cent
    sums = o.groupby("product_line")["amount"].sum()
    assert len(o) == len(orders) and math.isclose(sums.sum(), orders["amount"].sum(), abs_tol=1e-6)
    assert round(sums[OTHER], 2) == round(orders["amount"].sum() - by_sales.iloc[:8].sum(), 2)
    assert math.isclose(g.other_share, sums[OTHER] / orders["amount"].sum())


def test_the_breakdown_chart_that_failed_on_3227_values_is_built_from_the_grouped_data():
    orders = erp_orders()
    base_charts.enable(batch=True, lang="en")  # what notebook.setup does: the inline-data guard on
    with pytest.raises(ChartDataTooLarge):  # as before the change: every step failed on this
        charts.breakdown_small_multiples(
            trend.breakdown(orders, AS_OF, "product_line"), "product_line", "en"
        ).to_dict()
    grouped, _ = group_dimensions(Tables(orders=orders))
    by_product = trend.breakdown(grouped.orders, AS_OF, "product_line")
    spec = charts.breakdown_small_multiples(by_product, "product_line", "en").to_dict()
    assert spec  # within the inline-data limit
    assert math.isclose(
        by_product["sales"].sum(), trend.breakdown(orders, AS_OF, "product_line")["sales"].sum()
    )


def test_every_table_holding_a_dimension_shows_the_same_values():
    orders = erp_orders()
    opps = pd.DataFrame(
        {"opportunity_id": ["O1", "O2"], "product_line": [orders["product_line"].iloc[0], "sku-03000"]}
    )
    grouped, _ = group_dimensions(Tables(orders=orders, opportunities=opps))
    shown = set(grouped.orders["product_line"])
    assert set(grouped.opportunities["product_line"]) <= shown


def test_few_values_are_left_alone_and_a_single_leftover_is_not_called_other():
    ranking = pd.DataFrame({"sales": [5.0, 4.0, 3.0], "rows": [1.0, 1.0, 1.0]}, index=["a", "b", "c"])
    assert top_n(ranking, 2) == ["a", "b", "c"]  # "other" of one value says less than its name
    assert top_n(ranking, 1) == ["a"]
    tie = pd.DataFrame(
        {"sales": [1.0, 1.0, 1.0, 1.0], "rows": [1.0, 2.0, 1.0, 1.0]}, index=["d", "c", "b", "a"]
    )
    assert top_n(tie, 2) == ["c", "a"]  # ties: more rows, then the name: the same data, the same choice
    assert top_n(tie, 2, keep=["d"]) == ["c", "a", "d"]  # a value the params name is shown


def test_customer_attributes_rank_by_their_customers_sales():
    orders = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "amount": [1.0, 50.0, 20.0, 5.0]})
    customers = pd.DataFrame({"customer_id": ["A", "B", "C", "D"], "industry": ["w", "x", "y", "z"]})
    grouped, gs = group_dimensions(Tables(orders=orders, customers=customers), top=2)
    assert grouped.customers["industry"].tolist() == [OTHER, "x", "y", OTHER]
    assert {g.dimension: g.grouped for g in gs}["industry"] == 2


@pytest.fixture(scope="module")
def erp_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("erp")
    erp_orders().to_parquet(folder / "orders.parquet", index=False)
    return folder


def test_every_step_reads_the_grouped_dimension_ranked_the_same_way(erp_folder, tmp_path):
    seen = []
    for step in ("01_market_analysis", "04_resources", "05_review"):
        ctx = Context(step=step, p=_params(), data_dir=erp_folder, out_dir=tmp_path / step)
        o = ctx.data.orders
        if "product_line" in o.columns:
            seen.append(frozenset(o["product_line"]))
        assert {g.dimension: g.grouped for g in ctx.groupings}["product_line"] == CODES - 8
        assert set(o.columns) <= {*data.SCHEMA["orders"]} and "amount" in o.columns
    assert len(set(seen)) == 1 and len(seen[0]) == 9
    wide = Context(step="01_market_analysis", p=_params(top=20), data_dir=erp_folder, out_dir=tmp_path / "w")
    assert wide.data.orders["product_line"].nunique() == 21  # data.top_values


def test_check_counts_the_values_and_says_it_will_group(erp_folder):
    lines = checks.data_notes(erp_folder, ["east"], AS_OF, 8)
    assert any(
        line.startswith(
            "product_line: 3,227 distinct values; reports show the 8 with the most sales and group "
            "the other 3,219"
        )
        and "as 'other' (data.top_values: 8)" in line
        for line in lines
    ), lines
    assert "channel: 2 distinct values, each shown" in lines


def test_an_industry_the_params_name_is_never_hidden_in_other(tmp_path):
    orders = erp_orders()
    customers = pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(40)],
            "region": "east",
            "industry": [f"ind_{i % 20:02d}" for i in range(40)],  # 20 industries
        }
    )
    folder = tmp_path / "data"
    folder.mkdir()
    orders.to_parquet(folder / "orders.parquet", index=False)
    for col, kind in data.SCHEMA["customers"].items():
        if col not in customers:
            customers[col] = (
                pd.Series([None] * len(customers), dtype="str")
                if kind == "str"
                else (pd.Series([1] * len(customers), dtype="int64") if kind == "int" else np.nan)
            )
    customers["first_order_date"] = pd.Timestamp("2023-01-01")
    customers[list(data.SCHEMA["customers"])].to_parquet(folder / "customers.parquet", index=False)
    smallest = orders.assign(
        i=orders["customer_id"].map(dict(zip(customers["customer_id"], customers["industry"], strict=True)))
    )
    smallest = smallest.groupby("i")["amount"].sum().idxmin()
    ctx = Context(
        step="01_market_analysis", p=_params(market_size={smallest: 1e6}), data_dir=folder, out_dir=tmp_path
    )
    shown = set(ctx.data.customers["industry"])
    assert smallest in shown and OTHER in shown and len(shown) == 10  # top 8, the named one, other
