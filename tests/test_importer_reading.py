"""Reading exports as they are (planning/importer/reading.py): encodings (GBK, UTF-8 with BOM, latin-1),
delimiters, Excel and Parquet sources, DuckDB's CSV reader equal to pandas'."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from frames_importer import CN_EXPORT, CN_MAPPING, cn_table, findings

from planning import importer
from planning.importer import TableMapping


def test_same_export_in_utf8_bom_and_latin1(tmp_path: Path) -> None:
    _, info_gbk, gbk, _ = cn_table(tmp_path, "gbk")
    _, info_bom, bom, _ = cn_table(tmp_path, "utf-8-sig")
    assert info_bom["encoding"] == "utf-8-sig"
    pd.testing.assert_frame_equal(gbk, bom)
    latin = 'Order,Date,Customer,Region,Sales\nA1,2024-01-02,Société Générale,East,"$1,001.18"\n'
    path = tmp_path / "latin.csv"
    path.write_bytes(latin.encode("latin-1"))
    tm = TableMapping(
        file="latin.csv",
        columns={
            "order_id": "Order",
            "order_date": "Date",
            "customer_id": "Customer",
            "region": "Region",
            "amount": "Sales",
        },
    )
    raw, info = importer.read_source(path, tm)
    df, f = importer.import_table("orders", raw, tm)
    assert info["encoding"] == "cp1252"  # a superset of latin-1 for text: the Windows code page
    assert df.loc[0, "customer_id"] == "Société Générale" and df.loc[0, "amount"] == 1001.18
    assert df.loc[0, "region"] == "east"  # key normalised
    assert findings(f, "fixed") == {("number_format", "amount"): 1}  # "East" -> "east" is no fix (info)
    assert findings(f, "info")[("key_format", "region")] == 1


def test_semicolon_decimal_comma_and_listed_missing_codes(tmp_path: Path) -> None:
    path = tmp_path / "eu.csv"
    path.write_text(
        "Nr;Datum;Kunde;Gebiet;Umsatz;Marge\n"
        "1;03.01.2024;K1;Nord;1.234,50;N/A\n"
        "2;04.01.2024;K2;Nord;99,90;10,00\n",
        encoding="utf-8",
    )
    tm = TableMapping(
        file="eu.csv",
        decimal=",",
        thousands=".",
        missing=["", "N/A"],
        dayfirst=True,
        columns={
            "order_id": "Nr",
            "order_date": "Datum",
            "customer_id": "Kunde",
            "region": "Gebiet",
            "amount": "Umsatz",
            "margin": "Marge",
        },
    )
    raw, info = importer.read_source(path, tm)
    df, f = importer.import_table("orders", raw, tm)
    assert info["delimiter"] == ";"
    assert df["amount"].tolist() == [1234.5, 99.9]
    assert np.isnan(df.loc[0, "margin"]) and df.loc[1, "margin"] == 10.0
    assert df["order_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-03", "2024-01-04"]
    assert findings(f, "fixed")[("missing_code", "Marge")] == 1


def test_excel_and_parquet_sources(tmp_path: Path) -> None:
    src = pd.DataFrame(
        {
            "Order": ["A", "B"],
            "Date": pd.to_datetime(["2024-05-01", "2024-05-02"]),
            "Cust": [101, 102],  # numeric ids in Excel become text
            "Region": ["East", "East"],
            "Sales": [10.5, 20.25],
        }
    )
    src.to_excel(tmp_path / "o.xlsx", sheet_name="Orders", index=False)
    src.to_parquet(tmp_path / "o.parquet", index=False)
    cols = {
        "order_id": "Order",
        "order_date": "Date",
        "customer_id": "Cust",
        "region": "Region",
        "amount": "Sales",
    }
    for name, sheet in (("o.xlsx", "Orders"), ("o.parquet", 0)):
        tm = TableMapping(file=name, sheet=sheet, columns=cols)
        raw, info = importer.read_source(tmp_path / name, tm)
        df, _ = importer.import_table("orders", raw, tm)
        assert df["customer_id"].tolist() == ["101", "102"], name
        assert df["order_date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-05-01", "2024-05-02"], name
        assert df["amount"].sum() == pytest.approx(30.75), name


def test_duckdb_engine_matches_pandas(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(CN_EXPORT.replace("华东", "East").replace("华南", "South").encode("utf-8"))
    over = {"values": {}, "exclude": [], "window": {}}
    tm_p = TableMapping.model_validate({**CN_MAPPING, **over, "engine": "pandas"})
    tm_d = TableMapping.model_validate({**CN_MAPPING, **over, "engine": "duckdb"})
    raw_p, info_p = importer.read_source(path, tm_p)
    raw_d, info_d = importer.read_source(path, tm_d)
    assert info_d["engine"] == "duckdb" and info_p["engine"] == "pandas"
    df_p, f_p = importer.import_table("orders", raw_p, tm_p)
    df_d, f_d = importer.import_table("orders", raw_d, tm_d)
    pd.testing.assert_frame_equal(df_p, df_d)
    assert f_p.items == f_d.items


# --- issue 17 case 3: the encoding of a text export ---------------------------------------------------
_ORDERS_COLUMNS = {
    "order_id": "Order",
    "order_date": "Date",
    "customer_id": "Customer",
    "region": "Region",
    "amount": "Sales",
}


def _write_mapping(tmp_path: Path, export: str, columns: dict[str, str]) -> Path:
    lines = ["tables:", "  orders:", f"    file: {export}", "    columns:"]
    lines += [f"      {k}: {v}" for k, v in columns.items()]
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return mapping


def test_windows_1252_export_is_not_read_as_gb18030(tmp_path: Path) -> None:
    text = (
        "Order,Date,Customer,Street,Region,Sales\n"
        "A1,2024-01-02,Alfreds,Berguvsvägen 8,East,10\n"
        'A2,2024-01-03,Galería del gastrónomo,"Rambla de Cataluña, 23",East,20\n'
    )
    (tmp_path / "cp1252.csv").write_bytes(text.encode("cp1252"))
    tm = TableMapping(file="cp1252.csv", columns={**_ORDERS_COLUMNS, "street": "Street"})
    raw, info = importer.read_source(tmp_path / "cp1252.csv", tm)
    assert info["encoding"] == "cp1252" and info["encoding_confidence"] >= 0.9
    assert list(raw["Street"]) == ["Berguvsvägen 8", "Rambla de Cataluña, 23"]
    _, report = importer.materialize(_write_mapping(tmp_path, "cp1252.csv", _ORDERS_COLUMNS), tmp_path / "c")
    enc = report.findings[report.findings["check"] == "encoding"]
    assert enc["detail"].iloc[0].startswith("read as cp1252 (confidence 1.00; charset-normalizer")
    assert not (report.findings["check"] == "mojibake").any()


def test_gb18030_chinese_export_is_read_as_gb18030(tmp_path: Path) -> None:
    text = "单号,日期,客户,地区,销售额\nA1,2024-01-02,北京市朝阳区建国路,华东,10\nA2,2024-01-03,上海浦东新区世纪大道,华东,20\n"
    (tmp_path / "cn.csv").write_bytes(text.encode("gb18030"))
    tm = TableMapping(file="cn.csv", columns={"customer_id": "客户"})
    raw, info = importer.read_source(tmp_path / "cn.csv", tm)
    assert info["encoding"] == "gb18030"
    assert list(raw["客户"]) == ["北京市朝阳区建国路", "上海浦东新区世纪大道"]


def test_mis_decoded_text_is_warned_with_its_rows(tmp_path: Path) -> None:
    # the export as a GB18030 reader shows it, and UTF-8 read as latin-1: kept, but each named
    text = (
        "Order,Date,Customer,Region,Sales\n"
        "A1,2024-01-02,Berguvsv刧en,East,10\n"
        "A2,2024-01-03,Soci\u00c3\u00a9t\u00c3\u00a9,East,20\n"
        "A3,2024-01-04,北京客户,East,30\n"
    )
    (tmp_path / "m.csv").write_text(text, encoding="utf-8")
    _, report = importer.materialize(_write_mapping(tmp_path, "m.csv", _ORDERS_COLUMNS), tmp_path / "c")
    moji = report.findings[report.findings["check"] == "mojibake"]
    assert list(moji[["outcome", "column", "rows"]].itertuples(index=False, name=None)) == [
        ("warning", "Customer", 2)
    ]
    assert moji["examples"].iloc[0] == "row 2: 'Berguvsv刧en'; row 3: 'SociÃ©tÃ©'"
    assert "tables.orders.encoding" in moji["detail"].iloc[0]
