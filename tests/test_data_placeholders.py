"""planning/data/placeholders.py and the importer's `fill` of customer_id (issue 17 case 4): anonymous lines filled
with GUEST are flagged at import, kept in revenue and out of every customer-level figure (tiers, health, CLV,
customer counts, ICP), and the reports say how much revenue is anonymous."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from frames_importer import findings, write_mapping

from planning import data, importer
from planning.goals import capacity
from planning.market import segments, trend
from planning.notebook import Context
from planning.params import Company, Params, Region
from planning.review import kpis
from planning.runner import checks
from planning.strategy import retention, tiers

AS_OF = date(2025, 12, 31)
GUEST = "GUEST"


def _export(folder: Path) -> Path:
    """Two years of order lines of three customers; every third line anonymous (no customer: filled GUEST) and
    the largest; a customers table of the three, which does not know GUEST."""
    rows = []
    for i in range(72):
        month = pd.Timestamp("2024-01-01") + pd.DateOffset(months=i // 3)
        anonymous = i % 3 == 0
        rows.append(
            {
                "Order": f"SO{i:03d}",
                "Date": (month + pd.Timedelta(days=4)).strftime("%Y-%m-%d"),
                "Customer": "" if anonymous else f"C{(i // 3) % 3}",
                "Region": "East",
                "Product": "Office Supplies" if i % 2 else "Technology",
                "Sales": 900.0 if anonymous else 100.0 + i,
                "Profit": 90.0 if anonymous else 10.0,
            }
        )
    pd.DataFrame(rows).to_csv(folder / "orders.csv", index=False)
    pd.DataFrame({"id": ["C0", "C1", "C2"], "region": "east", "industry": ["logistics", "retail", "energy"],
                  "size": ["medium", "small", "large"]}).to_csv(folder / "customers.csv", index=False)  # fmt: skip
    cols = {"order_id": "Order", "order_date": "Date", "customer_id": "Customer", "region": "Region",
            "product_line": "Product", "amount": "Sales", "margin": "Profit"}  # fmt: skip
    return write_mapping(
        folder,
        {
            "orders": {"file": "orders.csv", "columns": cols, "fill": {"customer_id": GUEST}},
            "customers": {
                "file": "customers.csv",
                "columns": {
                    "customer_id": "id",
                    "region": "region",
                    "industry": "industry",
                    "size_band": "size",
                },
                "constants": {"demand_complexity": 2, "decision_chain_length": 3},
            },
        },
    )


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, importer.ImportReport]:
    folder = tmp_path_factory.mktemp("anonymous")
    return importer.materialize(_export(folder), cache_dir=folder / "cache")


def _params() -> Params:
    return Params(as_of=AS_OF, plan_year=2026, company=Company(currency="USD"), region=Region(key="east"))


def test_the_import_flags_the_filled_placeholder_and_records_it_with_the_tables(imported):
    folder, report = imported
    assert findings(report, "info")[("placeholder", "customer_id")] == 24
    assert ("filled", "customer_id") not in findings(report, "fixed")  # not a fix: a placeholder
    assert report.placeholders == {"customer_id": [GUEST]}
    assert data.read_placeholders(folder) == {"customer_id": frozenset({GUEST})}
    # the check no longer calls GUEST an unknown customer of the customers table
    assert checks.validate_data(folder, ["east"], AS_OF, None) == []


def test_a_fill_value_the_export_already_uses_is_flagged(tmp_path):
    (tmp_path / "o.csv").write_text(
        "id,d,c,r,amt\n1,2024-01-01,,east,5\n2,2024-01-02,GUEST,east,7\n", encoding="utf-8"
    )
    tm = importer.TableMapping(
        file="o.csv",
        columns={"order_id": "id", "order_date": "d", "customer_id": "c", "region": "r", "amount": "amt"},
        fill={"customer_id": GUEST},
    )
    raw, _ = importer.read_source(tmp_path / "o.csv", tm)
    _, f = importer.import_table("orders", raw, tm)
    assert findings(f, "warning") == {("placeholder", "customer_id"): 1}


def test_the_placeholder_counts_in_revenue_and_in_no_customer_figure(imported, tmp_path):
    folder, _ = imported
    raw = data.load_tables(folder, region="east", as_of=AS_OF)
    ctx = Context(step="scratch", p=_params(), data_dir=folder, out_dir=tmp_path)
    t = ctx.data
    o = t.orders
    assert o["customer_id"].isna().sum() == 24 and GUEST not in set(o["customer_id"].dropna())
    # revenue: every line, to the cent
    assert math.isclose(o["amount"].sum(), raw.orders["amount"].sum())
    monthly = trend.trend(o, AS_OF)
    assert math.isclose(monthly["sales"].sum(), raw.orders["amount"].sum())
    assert monthly["customers"].max() == 1  # one customer a month; GUEST was a second one
    # tiers / health: GUEST (the largest buyer by far) is no customer
    features = tiers.customer_features(o, t.customers, ctx.p, None)
    assert set(features["customer_id"]) == {"C0", "C1", "C2"}
    stand_in = tiers.customers_from_orders(o, ctx.p)  # data without a customers table
    assert set(stand_in["customer_id"]) == {"C0", "C1", "C2"}
    # segments (CLV, customer counts, ICP): customers and CLV of identified customers only
    segs = segments.segments(o, t.customers, None, ctx.p, by=["industry"])
    assert segs["customers"].sum() == 3
    unknown = segs.set_index("segment").loc["unknown"]  # anonymous lines: sales without a customer
    assert unknown["customers"] == 0 and math.isnan(unknown["clv"]) and unknown["sales"] == 900.0 * 12
    # review KPIs and the goals' capacity history: no GUEST among buyers
    m = kpis.period_metrics(t, pd.Timestamp("2025-01-01"), pd.Timestamp(AS_OF), 10.0)
    assert m["retention"] == 1.0 and math.isclose(
        m["revenue"], o.loc[o["order_date"].dt.year == 2025, "amount"].sum()
    )
    assert retention.retention(o, ctx.p)["customers_prior"] == 3
    hist = capacity.capacity_curve(t, ctx.p, ramp_months=3)
    assert hist["customers"].max() <= 3


def test_anonymous_revenue_is_said_with_amount_and_share(imported, tmp_path):
    folder, _ = imported
    ctx = Context(step="scratch", p=_params(), data_dir=folder, out_dir=tmp_path)
    amount, share = data.anonymous_revenue(ctx.data.orders)
    total = ctx.data.orders["amount"].sum()
    assert amount == 900.0 * 24 and math.isclose(share, amount / total)
    lines = checks.data_notes(folder, ["east"], AS_OF, 8)
    assert any(
        line.startswith("anonymous: order lines of placeholder customer 'GUEST': amount 21,600.00 (")
        for line in lines
    )


def test_anonymize_without_placeholders_changes_nothing():
    t = data.Tables(orders=pd.DataFrame({"customer_id": ["A"], "amount": [1.0]}))
    assert data.anonymize(t, {}) is t


def test_the_exports_own_placeholder_values_are_listed_in_the_mapping(tmp_path):
    (tmp_path / "o.csv").write_text(
        "id,d,c,r,amt\n1,2024-01-01,Walk-in,east,5\n2,2024-01-02,C1,east,7\n3,2024-01-03, 散客 ,east,9\n",
        encoding="utf-8",
    )
    cols = {"order_id": "id", "order_date": "d", "customer_id": "c", "region": "r", "amount": "amt"}
    mapping = write_mapping(
        tmp_path, {"orders": {"file": "o.csv", "columns": cols, "placeholders": {"customer_id": ["Walk-in", "散客"]}}}
    )
    folder, report = importer.materialize(mapping, cache_dir=tmp_path / "cache")
    assert findings(report, "info")[("placeholder", "customer_id")] == 2
    assert data.read_placeholders(folder) == {"customer_id": frozenset({"Walk-in", "散客"})}
    t = data.anonymize(data.load_tables(folder), data.read_placeholders(folder))
    assert t.orders["customer_id"].isna().sum() == 2 and t.orders["amount"].sum() == 21.0
