"""Importing CRM / ERP exports (planning/importer.py): messy fixture exports written here, parsed results and
validation-report counts checked by hand, hard errors, the content-hash cache, and one full run on a mapped
Superstore-like export."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planning import contracts, data, importer
from planning.data import DataError
from planning.importer import TableMapping


def _findings(report_or_f, outcome: str | None = None) -> dict[tuple[str, str], int]:
    items = report_or_f.items if hasattr(report_or_f, "items") else report_or_f.findings.to_dict("records")
    return {(i["check"], i["column"]): i["rows"] for i in items if outcome is None or i["outcome"] == outcome}


# ------------------------------------------------------------------------------------------------ numbers
def test_parse_numbers_currency_separators_and_brackets() -> None:
    s = pd.Series(["$1,001.18", "¥1,234", "(12.50)", "7", None, "abc", " 3 000 元", "15-"], dtype="str")
    vals, fixed, bad = importer.parse_numbers(s)
    expected = [1001.18, 1234.0, -12.5, 7.0, np.nan, np.nan, 3000.0, -15.0]
    np.testing.assert_allclose(vals.to_numpy(), expected)
    # "7" is a plain number; the empty cell is missing (not bad); only "abc" is bad
    assert fixed.tolist() == [True, True, True, False, False, False, True, True]
    assert bad.tolist() == [False, False, False, False, False, True, False, False]


def test_parse_numbers_decimal_comma() -> None:
    s = pd.Series(["1.234,56", "€ 2,5", "10"], dtype="str")
    vals, fixed, bad = importer.parse_numbers(s, decimal=",", thousands=".")
    np.testing.assert_allclose(vals.to_numpy(), [1234.56, 2.5, 10.0])
    assert fixed.tolist() == [True, True, False] and not bad.any()


def test_parse_numbers_passes_numeric_columns() -> None:
    vals, fixed, bad = importer.parse_numbers(pd.Series([1, 2.5, np.nan]))
    np.testing.assert_allclose(vals.to_numpy(), [1.0, 2.5, np.nan])
    assert not fixed.any() and not bad.any()


# ------------------------------------------------------------------------------------------------ dates
def test_parse_dates_explicit_format_iso_and_fallback() -> None:
    s = pd.Series(["03/01/19", "2019-02-28", "31.12.2020", "garbage", None], dtype="str")
    vals, fixed, bad = importer.parse_dates(s, ["%d/%m/%y"], dayfirst=True)
    assert vals.dt.strftime("%Y-%m-%d").tolist()[:3] == ["2019-01-03", "2019-02-28", "2020-12-31"]
    assert vals.iloc[3] is pd.NaT and vals.iloc[4] is pd.NaT
    # the listed format and ISO are as expected; 31.12.2020 was read by the day-first fallback
    assert fixed.tolist() == [False, False, True, False, False]
    assert bad.tolist() == [False, False, False, True, False]


def test_parse_dates_dayfirst_versus_monthfirst() -> None:
    s = pd.Series(["04/01/2021", "13/02/2021"], dtype="str")
    day, _, _ = importer.parse_dates(s, dayfirst=True)
    assert day.dt.strftime("%Y-%m-%d").tolist() == ["2021-01-04", "2021-02-13"]
    month, _, bad = importer.parse_dates(s.iloc[:1], dayfirst=False)
    assert month.dt.strftime("%Y-%m-%d").tolist() == ["2021-04-01"] and not bad.any()


def test_parse_dates_keeps_typed_dates() -> None:
    s = pd.Series(pd.to_datetime(["2020-01-05 13:45", None]))
    vals, fixed, bad = importer.parse_dates(s)
    assert str(vals.dtype) == "datetime64[us]" and vals.iloc[0] == pd.Timestamp("2020-01-05")
    assert not fixed.any() and not bad.any()


# ------------------------------------------------------------------------------------------------ one table
# A Chinese ERP export: GBK, Chinese headers and values, "￥" amounts, a cancelled order, a blank customer,
# a customer literally called "NA", an exact duplicate line, a date outside the window and one bad date.
CN_EXPORT = textwrap.dedent(
    """\
    单号,日期,客户编号,区域,产品线,数量,单价,金额,状态
    SO-1,2024-01-05,C1,华东,设备,2,"￥1,000.00","￥2,000.00",已完成
    SO-1,2024-01-05,C1,华东,备件,1,￥250.5,￥250.5,已完成
    SO-2,10 Feb 2024,NA,华南,服务,1,￥800,￥800,已完成
    SO-3,2024-02-11,C3,华南,设备,1,￥900,￥900,已取消
    SO-4,2024-03-01,,华东,设备,3,￥100,￥300,已完成
    SO-1,2024-01-05,C1,华东,备件,1,￥250.5,￥250.5,已完成
    SO-5,2019-12-31,C5,华东,设备,1,￥50,￥50,已完成
    SO-6,下周,C6,华东,设备,1,￥70,￥70,已完成
    SO-7,2024-03-05,C7,西北,设备,1,￥10,￥10,已完成
    """
)
CN_MAPPING = {
    "file": "orders.csv",
    "columns": {
        "order_id": "单号",
        "order_date": "日期",
        "customer_id": "客户编号",
        "region": "区域",
        "product_line": "产品线",
        "quantity": "数量",
        "unit_price": "单价",
        "status": "状态",
    },
    "derive": {"amount": "quantity * unit_price"},
    "values": {
        "region": {"华东": "east", "华南": "south"},
        "product_line": {"设备": "equipment", "备件": "spare_parts", "服务": "services"},
        "status": {"已完成": "done", "已取消": "cancelled"},
    },
    "exclude": [{"column": "状态", "in": ["已取消"], "reason": "cancelled order"}],
    "window": {"start": "2020-01-01"},
}


def _cn_table(tmp_path: Path, encoding: str = "gbk", **over):
    path = tmp_path / "orders.csv"
    path.write_bytes(CN_EXPORT.encode(encoding))
    tm = TableMapping.model_validate({**CN_MAPPING, **over})
    raw, info = importer.read_source(path, tm)
    df, f = importer.import_table("orders", raw, tm, source=str(path))
    return raw, info, df, f


def test_chinese_gbk_export_is_mapped_and_every_row_accounted_for(tmp_path: Path) -> None:
    raw, info, df, f = _cn_table(tmp_path)
    assert info["encoding"] == "gb18030" and info["delimiter"] == ","
    assert len(raw) == 9
    dropped = _findings(f, "dropped")
    # SO-3 cancelled, the second SO-1/备件 line a duplicate, SO-4 has no customer, SO-5 before the window,
    # SO-6 has no date ("下周") -> 5 dropped, 4 kept (SO-1 x2, SO-2, SO-7)
    assert dropped == {
        ("excluded", "状态"): 1,
        ("duplicate", "*"): 1,
        ("not_a_date", "order_date"): 1,
        ("empty", "customer_id"): 1,
        ("outside_window", "order_date"): 1,
    }
    assert len(df) == 4 and int(f.alive.sum()) == 4 and int((~f.alive).sum()) == 5
    assert df["order_id"].tolist() == ["SO-1", "SO-1", "SO-2", "SO-7"]
    assert df["line_no"].tolist() == [1, 2, 1, 1]
    # "NA" is a customer id, not a missing value
    assert df.loc[2, "customer_id"] == "NA"
    # amount = quantity x unit price: 2 x 1000 + 1 x 250.5 + 1 x 800 + 1 x 10 = 3060.5
    assert df["amount"].sum() == pytest.approx(3060.5)
    assert df["order_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-01-05",
        "2024-01-05",
        "2024-02-10",
        "2024-03-05",
    ]
    assert df["region"].tolist() == ["east", "east", "south", "西北"]
    warnings = _findings(f, "warning")
    # 西北 is not in the value map: kept, flagged twice (unmapped, not an ASCII key)
    assert warnings == {("unmapped_value", "region"): 1, ("non_ascii_key", "region"): 1}
    fixed = _findings(f, "fixed")
    # unit prices with "￥" of the rows still there when prices are parsed (after dates): the 4 kept rows and
    # SO-4, SO-5 (dropped later); SO-3, the duplicate and SO-6 (no date) were gone already -> 6
    assert fixed[("number_format", "unit_price")] == 6
    assert fixed[("date_format", "order_date")] == 1  # "10 Feb 2024" is not ISO
    assert str(df["order_date"].dtype) == "datetime64[us]" and df["customer_id"].dtype == "str"


def test_same_export_in_utf8_bom_and_latin1(tmp_path: Path) -> None:
    _, info_gbk, gbk, _ = _cn_table(tmp_path, "gbk")
    _, info_bom, bom, _ = _cn_table(tmp_path, "utf-8-sig")
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
    assert info["encoding"] == "latin-1"
    assert df.loc[0, "customer_id"] == "Société Générale" and df.loc[0, "amount"] == 1001.18
    assert df.loc[0, "region"] == "east"  # key normalised
    assert _findings(f, "fixed") == {("key_format", "region"): 1, ("number_format", "amount"): 1}


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
    assert _findings(f, "fixed")[("missing_code", "Marge")] == 1


def test_duplicates_kept_when_asked_and_constants_fill(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text("id,d,c,amt\n1,2024-01-01,,5\n1,2024-01-01,,5\n", encoding="utf-8")
    tm = TableMapping(
        file="o.csv",
        duplicates="keep",
        columns={"order_id": "id", "order_date": "d", "customer_id": "c", "amount": "amt"},
        constants={"region": "east", "channel": "direct"},
        fill={"customer_id": "UNKNOWN"},
    )
    raw, _ = importer.read_source(path, tm)
    df, f = importer.import_table("orders", raw, tm)
    assert len(df) == 2 and df["customer_id"].tolist() == ["UNKNOWN", "UNKNOWN"]
    assert df["line_no"].tolist() == [1, 2] and df["region"].tolist() == ["east", "east"]
    assert _findings(f, "warning") == {("duplicate", "*"): 1}
    assert _findings(f, "fixed") == {("filled", "customer_id"): 2}
    ex = [i for i in f.items if i["check"] == "duplicate"][0]["examples"]
    assert ex == "row 2: 'same as row 1'"


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


# ------------------------------------------------------------------------------------------------ errors
def _one(tmp_path: Path, text: str, **tm) -> None:
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    t = TableMapping(file="x.csv", **tm)
    raw, _ = importer.read_source(path, t)
    importer.import_table("orders", raw, t, source=str(path))


BASIC = {"order_id": "id", "order_date": "d", "customer_id": "c", "region": "r", "amount": "a"}


def test_missing_source_column_names_file_column_and_suggestion(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"x\.csv: column 'Sale' .*did you mean 'Sales'"):
        _one(tmp_path, "id,d,c,r,Sales\n1,2024-01-01,c,e,1\n", columns={**BASIC, "amount": "Sale"})
    # a header with stray spaces (or a BOM) still matches
    _one(tmp_path, "\ufeffid,d,c,r, Sales \n1,2024-01-01,c,e,1\n", columns={**BASIC, "amount": "Sales"})


def test_no_parseable_date_is_a_hard_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"'d' \(-> order_date\): no value is a date, e.g. row 1: 'soon'"):
        _one(tmp_path, "id,d,c,r,a\n1,soon,c,e,1\n2,later,c,e,2\n", columns=BASIC)


def test_required_column_without_mapping(tmp_path: Path) -> None:
    cols = {k: v for k, v in BASIC.items() if k != "customer_id"}
    with pytest.raises(DataError, match="needs column 'customer_id'"):
        _one(tmp_path, "id,d,c,r,a\n1,2024-01-01,c,e,1\n", columns=cols)


def test_unmapped_value_error_policy(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"row 2: value 'Mars' is not in tables.orders.values.region"):
        _one(
            tmp_path,
            "id,d,c,r,a\n1,2024-01-01,c,East,1\n2,2024-01-01,c,Mars,1\n",
            columns=BASIC,
            values={"region": {"East": "east"}},
            unmapped={"region": "error"},
        )


def test_bad_derive_expression(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="only \\+ - \\* / "):
        _one(
            tmp_path, "id,d,c,r,a\n1,2024-01-01,c,e,1\n", columns=BASIC, derive={"margin": "__import__('os')"}
        )


def test_mapping_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    m = tmp_path / "m.yaml"
    m.write_text("tables:\n  sales:\n    file: x.csv\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown table 'sales'"):
        importer.load_mapping(m)
    m.write_text("tables:\n  orders:\n    file: x.csv\n    colums: {}\n", encoding="utf-8")
    with pytest.raises(DataError, match="tables.orders.colums"):
        importer.load_mapping(m)
    monkeypatch.delenv("NO_SUCH_DIR_VAR", raising=False)
    m.write_text("tables:\n  orders:\n    file: ${NO_SUCH_DIR_VAR}/x.csv\n", encoding="utf-8")
    with pytest.raises(DataError, match="environment variable NO_SUCH_DIR_VAR is not set"):
        importer.load_mapping(m)
    m.write_text("tables:\n  orders:\n    file: missing.csv\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing.csv not found"):
        importer.load_mapping(m)


# ------------------------------------------------------------------------------------------------ materialize
def _write_mapping(folder: Path, tables: dict) -> Path:
    import yaml

    path = folder / "mapping.yaml"
    path.write_text(yaml.safe_dump({"tables": tables}, allow_unicode=True), encoding="utf-8")
    return path


def test_materialize_writes_canonical_tables_once_per_content(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_bytes(CN_EXPORT.encode("gbk"))
    mapping = _write_mapping(tmp_path, {"orders": CN_MAPPING})
    cache = tmp_path / "cache"
    d1, r1 = importer.materialize(mapping, cache_dir=cache)
    assert d1.parent == cache and (d1 / "orders.parquet").is_file()
    assert r1.complete and r1.summary.loc[0, ["rows_read", "rows_kept", "rows_dropped"]].tolist() == [9, 4, 5]
    assert r1.summary.loc[0, "amount"] == pytest.approx(3060.5)
    assert r1.regions == {
        "east": {"rows": 2, "amount": 2250.5},
        "south": {"rows": 1, "amount": 800.0},
        "西北": {"rows": 1, "amount": 10.0},
    }
    # the folder is a canonical data set: the loader reads it, the validation finds no errors
    t = data.load_tables(d1)
    assert len(t.orders) == 4 and t.customers is None
    assert [p for p in data.validate_tables(t) if p.severity == "error"] == []
    stamp = (d1 / "orders.parquet").stat().st_mtime_ns
    d2, r2 = importer.materialize(mapping, cache_dir=cache)  # unchanged: reused, not re-imported
    assert d2 == d1 and (d1 / "orders.parquet").stat().st_mtime_ns == stamp
    assert r2.findings.equals(r1.findings) or len(r2.findings) == len(r1.findings)
    (tmp_path / "orders.csv").write_bytes(CN_EXPORT.replace("￥900", "￥901").encode("gbk"))
    d3, _ = importer.materialize(mapping, cache_dir=cache)
    assert d3 != d1  # changed content, new import
    saved = json.loads((d1 / "import.json").read_text(encoding="utf-8"))
    assert saved["summary"][0]["rows_read"] == 9 and (d1 / "validation.csv").is_file()


def test_validation_table_accounts_for_every_row(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_bytes(CN_EXPORT.encode("gbk"))
    _, report = importer.materialize(
        _write_mapping(tmp_path, {"orders": CN_MAPPING}), cache_dir=tmp_path / "c"
    )
    v = importer.validation_table(report)
    acc = v[v["check"] == ""].set_index("outcome")["rows"]
    assert acc.to_dict() == {"read": 9, "kept": 4, "dropped": 5}
    dropped_by_reason = v[(v["outcome"] == "dropped") & (v["check"] != "")]["rows"].sum()
    assert dropped_by_reason == acc["dropped"]
    assert list(v.columns) == importer.FINDING_COLUMNS


# ------------------------------------------------------------------------------------------------ full run
def _superstore_like(folder: Path) -> Path:
    """A small Superstore-like export (latin-1, day-first dates, $ amounts, a cancelled and a duplicated line)
    over 3 years and 2 regions, and its mapping."""
    rng = np.random.default_rng(7)
    rows = []
    n = 0
    for day in pd.date_range("2022-01-03", "2024-12-28", freq="3D"):
        for region in ("West", "East"):
            n += 1
            qty = int(rng.integers(1, 5))
            price = float(np.round(rng.uniform(20, 400), 2))
            seg = ["Consumer", "Corporate", "Home Office"][n % 3]
            cat = ["Furniture", "Office Supplies", "Technology"][n % 3]
            rows.append(
                [
                    f"CA-{n}",
                    day.strftime("%d/%m/%Y"),
                    f"CU-{n % 40}",
                    "Café Müller" if n % 7 == 0 else "Shop",
                    seg,
                    region,
                    cat,
                    f"${qty * price:,.2f}",
                    qty,
                    f"{qty * price * 0.2:.2f}",
                    "Shipped",
                ]
            )
    rows.append(
        ["CA-X", "05/05/2023", "CU-1", "Shop", "Consumer", "West", "Furniture", "$10.00", 1, "1", "Cancelled"]
    )
    rows.append(rows[5])
    cols = [
        "Order ID",
        "Order Date",
        "Customer ID",
        "Customer Name",
        "Segment",
        "Region",
        "Category",
        "Sales",
        "Quantity",
        "Profit",
        "Status",
    ]
    pd.DataFrame(rows, columns=cols).to_csv(folder / "export.csv", index=False, encoding="latin-1")
    return _write_mapping(
        folder,
        {
            "orders": {
                "file": "export.csv",
                "date_format": "%d/%m/%Y",
                "columns": {
                    "order_id": "Order ID",
                    "order_date": "Order Date",
                    "customer_id": "Customer ID",
                    "region": "Region",
                    "product_line": "Category",
                    "industry": "Segment",
                    "quantity": "Quantity",
                    "amount": "Sales",
                    "margin": "Profit",
                },
                # no size_band: without a customers table the market step segments by industry alone
                "constants": {"channel": "online"},
                "derive": {"unit_price": "amount / quantity"},
                "exclude": [{"column": "Status", "in": "Cancelled"}],
            }
        },
    )


@pytest.mark.slow
def test_full_run_on_mapped_export_with_only_orders(tmp_path: Path) -> None:
    from planning import runner

    mapping = _superstore_like(tmp_path)
    params_dir = tmp_path / "params"
    params_dir.mkdir()
    (params_dir / "base.yaml").write_text(
        "company: {name: Test Store, currency: USD}\nas_of: 2024-12-27\nplan_year: 2025\n"
        f"data: {{mapping: '{mapping}'}}\n",
        encoding="utf-8",
    )
    (params_dir / "west.yaml").write_text("region: {name: West, name_zh: 西部}\n", encoding="utf-8")
    out = tmp_path / "out"
    importer.CACHE_DIR, old = tmp_path / "cache", importer.CACHE_DIR
    try:
        res = runner.run(regions=["west"], params_dir=params_dir, out_root=out, workers=1)
    finally:
        importer.CACHE_DIR = old
    status = {r.step: r.status for r in res.results}
    assert status["01_market_analysis"] == "ok", res.results[0].error
    snap = out / "2024-12-27"
    report = json.loads((snap / "validation.json").read_text(encoding="utf-8"))["imports"][0]
    s = report["summary"][0]
    # 2 regions x 364 days (2022-01-03 + 3k, k = 0..363, the last 2024-12-27) + 1 cancelled + 1 duplicate
    assert (s["rows_read"], s["rows_kept"], s["rows_dropped"]) == (730, 728, 2)
    v = pd.read_csv(snap / "west" / "artifacts" / "validation.csv")
    assert list(v.columns) == importer.FINDING_COLUMNS
    assert set(v.loc[v["outcome"] == "dropped", "check"].fillna("")) == {"", "excluded", "duplicate"}
    trend = pd.read_csv(snap / "west" / "artifacts" / "market_trend.csv")
    west = pd.read_parquet(Path(report["data_dir"]) / "orders.parquet").query("region == 'west'")
    assert trend["sales"].sum() == pytest.approx(west["amount"].sum(), abs=0.01)
    html = (snap / "west" / "01_market_analysis.html").read_text(encoding="utf-8")
    assert "Imported data" in html
    # every step runs on orders alone and says in its report which table file would enable what it skipped
    assert [r.status for r in res.results] == ["ok"] * 5, [(r.step, r.error) for r in res.results]
    segments = pd.read_csv(snap / "west" / "artifacts" / "segments.csv")
    assert "size_band" not in segments.columns and len(segments) > 0
    assert set(segments["segment"]) <= {"consumer", "corporate", "home_office"}
    for name in ("targets_rep", "funnel", "coverage", "health", "capacity", "hiring_plan", "budget"):
        art = pd.read_csv(snap / "west" / "artifacts" / f"{name}.csv")
        assert art.empty and set(contracts.required_columns(name)) <= set(art.columns), name
    targets = pd.read_csv(snap / "west" / "artifacts" / "targets.csv")
    assert targets.loc[targets["level"] == "year", "target"].iloc[0] > 0
    for step, table in (("02_goals", "reps.csv"), ("03_strategy", "opportunities.csv"),
                        ("04_resources", "marketing.csv"), ("05_review", "opportunities.csv")):  # fmt: skip
        html = (snap / "west" / f"{step}.html").read_text(encoding="utf-8")
        assert "Not computed:" in html and table in html, step


# ------------------------------------------------------------------------------------------------ fuzz
def test_junk_cells_become_findings_never_crashes(tmp_path: Path) -> None:
    """Random junk in any cell of a mapped export: the import either accounts for every row in its findings
    or stops with a DataError naming the problem; no other exception escapes (reliability issue)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    lines = CN_EXPORT.splitlines()
    header, rows = lines[0], [r.split(",") for r in lines[1:]]
    junk = st.one_of(
        st.text(max_size=10).map(
            lambda s: s.replace(",", "").replace("\n", "").replace("\r", "").replace('"', "")
        ),
        st.sampled_from(
            ["", "NA", "null", "1e400", "-0", "2026-02-30", "１２３", "¥1,234", "$1,001.18", "nan"]
        ),
    )

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        cells=st.lists(
            st.tuples(st.integers(0, len(rows) - 1), st.integers(0, 8), junk), min_size=1, max_size=5
        )
    )
    def check(cells):
        table = [list(r) for r in rows]
        for r, c, value in cells:
            table[r][c] = f'"{value}"' if "," in value else value
        path = tmp_path / "orders.csv"
        path.write_bytes((header + "\n" + "\n".join(",".join(r) for r in table) + "\n").encode("utf-8"))
        tm = TableMapping.model_validate(CN_MAPPING)
        try:
            raw, _ = importer.read_source(path, tm)
            df, f = importer.import_table("orders", raw, tm, source=str(path))
        except DataError:
            return
        assert int(f.alive.sum()) == len(df) and len(f.alive) == len(raw)

    check()
