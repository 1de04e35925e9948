"""Mapping features real exports need (issue 17 case 11; planning/importer/lookups.py, mapping.py, transform.py):
a lookup from a second file or sheet (region from a sales-team sheet, orders listed on a returns sheet excluded,
a list price by product from a CSV), `exclude` with `not_in`, `derive` from source columns that are not canonical
(discount, unit cost) in the order written, numbers in `values` maps without quotes. Each example is the one
docs/import.md shows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from frames_importer import findings

from planning import importer
from planning.errors import DataError

ORDERS = """Order ID,Order Date,Customer,Sales Rep,Product,Category Code,Country,Qty,Discount,Net Sales,Unit Cost
A-1,2024-01-05,C1,Ann Lee,P-1,1,China,2,0.2,160,30
A-2,2024-01-06,C2,Bo Chen,P-2,2,China,1,0,50,20
A-3,2024-01-07,C1,Ann Lee,P-1,1,China,1,0.5,50,30
A-4,2024-01-08,C3,Cy Wu,P-2,2,Japan,4,0,200,20
A-5,2024-01-09,C2,Nobody,P-1,1,China,1,0,100,30
"""


def _export(tmp_path: Path) -> Path:
    (tmp_path / "orders.csv").write_text(ORDERS, encoding="utf-8")
    with pd.ExcelWriter(tmp_path / "crm.xlsx") as xl:
        pd.DataFrame(
            {"Salesperson": ["Ann Lee", "Bo Chen", "Cy Wu"], "Region": ["East", "North", "East"]}
        ).to_excel(xl, sheet_name="Team", index=False)
        pd.DataFrame({"Order ID": ["A-3"], "Returned": ["Yes"]}).to_excel(
            xl, sheet_name="Returns", index=False
        )
    (tmp_path / "prices.csv").write_text("SKU,List Price\nP-1,100\nP-2,50\n", encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        """
tables:
  orders:
    file: orders.csv
    lookups:
      Rep Region: {file: crm.xlsx, sheet: Team, key: Salesperson, match: Sales Rep, value: Region}
      Returned: {file: crm.xlsx, sheet: Returns, key: Order ID, match: Order ID}
      List Price: {file: prices.csv, key: SKU, match: Product, value: List Price}
    columns:
      order_id: Order ID
      order_date: Order Date
      customer_id: Customer
      region: Rep Region
      product_line: Category Code
      quantity: Qty
      amount: Net Sales
    exclude:
      - {column: Returned, not_empty: true, reason: returned order}
      - {column: Country, not_in: [China], reason: outside China}
    derive:
      unit_price: amount / quantity
      list_amount: quantity * `List Price`
      gross_amount: amount / (1 - Discount)
      margin: amount - quantity * `Unit Cost`
    values:
      region: {East: east, North: north}
      product_line: {1: equipment, 2: services}
""",
        encoding="utf-8",
    )
    return mapping


@pytest.fixture
def imported(tmp_path: Path) -> tuple[pd.DataFrame, importer.ImportReport]:
    mapping = _export(tmp_path)
    folder, report = importer.materialize(mapping, cache_dir=tmp_path / "cache")
    return pd.read_parquet(folder / "orders.parquet"), report


def test_lookups_exclusions_and_derived_columns(imported):
    df, report = imported
    by = df.set_index("order_id")
    # A-3 is on the returns sheet, A-4 is sold in Japan: both dropped with their reason; A-5's rep 'Nobody' is
    # not on the sales-team sheet, so its region is empty and the line is dropped as any line without a region
    assert sorted(by.index) == ["A-1", "A-2"]
    f = findings(report, "dropped")
    assert f == {("excluded", "Returned"): 1, ("excluded", "Country"): 1, ("empty", "region"): 1}
    # region from the sales-team sheet
    assert by.loc["A-1", "region"] == "east" and by.loc["A-2", "region"] == "north"
    # values map written with unquoted numbers: Category Code 1 -> equipment, 2 -> services
    assert by.loc["A-1", "product_line"] == "equipment" and by.loc["A-2", "product_line"] == "services"
    # derive, in the order written, from canonical and source columns (backticks for names with spaces)
    assert by.loc["A-1", "unit_price"] == pytest.approx(80.0)
    assert by.loc["A-1", "list_amount"] == pytest.approx(200.0)  # 2 x list price 100
    assert by.loc["A-1", "gross_amount"] == pytest.approx(200.0)  # 160 / (1 - 0.2)
    assert by.loc["A-1", "margin"] == pytest.approx(100.0)  # 160 - 2 x 30
    warnings = findings(report, "warning")
    assert warnings[("lookup_unmatched", "Rep Region")] == 1  # Nobody
    assert (
        "lookup_unmatched",
        "Returned",
    ) not in warnings  # orders not returned are meant to miss that sheet


def test_unmatched_lookup_is_a_warning_naming_the_row(imported):
    _, report = imported
    items = report.findings
    row = items[(items["check"] == "lookup_unmatched")].iloc[0]
    assert "row 6: 'Nobody'" in row["examples"]


def test_lookup_errors_name_the_file_and_key(tmp_path: Path):
    mapping = _export(tmp_path)
    text = mapping.read_text(encoding="utf-8")
    bad = text.replace("key: Salesperson", "key: Sales Person")
    mapping.write_text(bad, encoding="utf-8")
    with pytest.raises(
        DataError, match=r"crm.xlsx \(tables.orders.lookups.Rep Region\): key column 'Sales Person'"
    ):
        importer.materialize(mapping, cache_dir=tmp_path / "cache")
    pd.DataFrame({"SKU": ["P-1", "P-1"], "List Price": [100, 90]}).to_csv(
        tmp_path / "prices.csv", index=False
    )
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(
        DataError, match=r"key 'P-1' is listed twice with different values: row 2 '100', row 3 '90'"
    ):
        importer.materialize(mapping, cache_dir=tmp_path / "cache")


def test_a_changed_lookup_file_is_a_new_import(tmp_path: Path):
    mapping = _export(tmp_path)
    first, _ = importer.materialize(mapping, cache_dir=tmp_path / "cache")
    (tmp_path / "prices.csv").write_text("SKU,List Price\nP-1,110\nP-2,50\n", encoding="utf-8")
    second, _ = importer.materialize(mapping, cache_dir=tmp_path / "cache")
    assert first != second
    df = pd.read_parquet(second / "orders.parquet").set_index("order_id")
    assert df.loc["A-1", "list_amount"] == pytest.approx(220.0)


def test_derive_names_a_column_that_is_nowhere(tmp_path: Path):
    mapping = _export(tmp_path)
    mapping.write_text(
        mapping.read_text(encoding="utf-8").replace("`Unit Cost`", "`Unit Kost`"), encoding="utf-8"
    )
    with pytest.raises(DataError, match=r"column 'Unit Kost' \(mapped in tables.orders\) is not in the file"):
        importer.materialize(mapping, cache_dir=tmp_path / "cache")


def test_large_file_path_gives_the_same_result(tmp_path: Path):
    # the record-batch path (engine: duckdb) applies lookups, exclusions and source-column derives the same way
    mapping = _export(tmp_path)
    small, small_report = importer.materialize(mapping, cache_dir=tmp_path / "cache")
    text = mapping.read_text(encoding="utf-8").replace(
        "    file: orders.csv", "    file: orders.csv\n    engine: duckdb"
    )
    mapping.write_text(text, encoding="utf-8")
    large, large_report = importer.materialize(mapping, cache_dir=tmp_path / "cache2")
    pd.testing.assert_frame_equal(
        pd.read_parquet(small / "orders.parquet"), pd.read_parquet(large / "orders.parquet")
    )
    assert large_report.sources["orders"].get("batches") == 1 and "batches" not in small_report.sources["orders"]
    for outcome in ("dropped", "warning"):
        assert findings(small_report, outcome) == findings(large_report, outcome)


def test_values_maps_take_unquoted_numbers_but_refuse_yaml_booleans(tmp_path: Path):
    tm = importer.TableMapping.model_validate(
        {"file": "x.csv", "values": {"product_line": {1: "equipment", 2.5: "a", "B": 3}}}
    )
    assert tm.values["product_line"] == {"1": "equipment", "2.5": "a", "B": "3"}
    rule = importer.Rule.model_validate({"column": "Code", "not_in": [1, 2]})
    assert rule.not_in == ["1", "2"]
    mapping = _export(tmp_path)
    mapping.write_text(
        mapping.read_text(encoding="utf-8").replace(
            "{1: equipment, 2: services}", "{Yes: equipment, 2: services}"
        ),
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"values.product_line.*YAML boolean.*in quotes, e.g. 'Yes'"):
        importer.materialize(mapping, cache_dir=tmp_path / "cache")
