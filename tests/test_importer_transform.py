"""One export frame -> one canonical table (planning/importer/transform.py): messy fixture exports mapped,
validation-report counts checked by hand, hard errors naming file, column and row, and junk cells fuzzed."""

from __future__ import annotations

from pathlib import Path

import pytest
from frames_importer import CN_EXPORT, CN_MAPPING, cn_table, findings

from planning import importer
from planning.errors import DataError
from planning.importer import TableMapping


def test_chinese_gbk_export_is_mapped_and_every_row_accounted_for(tmp_path: Path) -> None:
    raw, info, df, f = cn_table(tmp_path)
    assert info["encoding"] == "gb18030" and info["delimiter"] == ","
    assert len(raw) == 9
    dropped = findings(f, "dropped")
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
    warnings = findings(f, "warning")
    # 西北 is not in the value map: kept, flagged twice (unmapped, not an ASCII key)
    assert warnings == {("unmapped_value", "region"): 1, ("non_ascii_key", "region"): 1}
    fixed = findings(f, "fixed")
    # unit prices with "￥" of the rows still there when prices are parsed (after dates): the 4 kept rows and
    # SO-4, SO-5 (dropped later); SO-3, the duplicate and SO-6 (no date) were gone already -> 6
    assert fixed[("number_format", "unit_price")] == 6
    assert fixed[("date_format", "order_date")] == 1  # "10 Feb 2024" is not ISO
    assert str(df["order_date"].dtype) == "datetime64[us]" and df["customer_id"].dtype == "str"


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
    assert findings(f, "warning") == {("duplicate", "*"): 1}
    assert findings(f, "fixed") == {}  # a filled customer_id is a placeholder, flagged (info), not a fix
    assert findings(f, "info")[("placeholder", "customer_id")] == 2
    ex = [i for i in f.items if i["check"] == "duplicate"][0]["examples"]
    assert ex == "row 3: 'same as row 2'"


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
    with pytest.raises(DataError, match=r"'d' \(-> order_date\): no value is a date, e.g. row 2: 'soon'"):
        _one(tmp_path, "id,d,c,r,a\n1,soon,c,e,1\n2,later,c,e,2\n", columns=BASIC)


def test_required_column_without_mapping(tmp_path: Path) -> None:
    cols = {k: v for k, v in BASIC.items() if k != "customer_id"}
    with pytest.raises(DataError, match="needs column 'customer_id'"):
        _one(tmp_path, "id,d,c,r,a\n1,2024-01-01,c,e,1\n", columns=cols)


def test_unmapped_value_error_policy(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"row 3: value 'Mars' is not in tables.orders.values.region"):
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


# --- issue 17 case 2: one date convention per column --------------------------------------------------
def _dates(tmp_path: Path, dates: list[str], **tm):
    text = "id,d,c,r,a\n" + "".join(f"{i},{d},c,e,1\n" for i, d in enumerate(dates, 1))
    path = tmp_path / "x.csv"
    path.write_text(text, encoding="utf-8")
    t = TableMapping(file="x.csv", columns=BASIC, **tm)
    raw, _ = importer.read_source(path, t)
    df, f = importer.import_table("orders", raw, t, source=str(path))
    by_id = df.set_index("order_id")["order_date"].dt.strftime("%Y-%m-%d")
    return [by_id[str(i)] for i in range(1, len(dates) + 1)], f


def test_wrong_date_format_is_an_error_naming_column_examples_and_the_format_that_fits(
    tmp_path: Path,
) -> None:
    # a month-first file read with %d/%m/%y: 01/02/19 parses either way, 12/31/19 only month-first
    dates = ["01/02/19", "12/31/19", "03/04/19", "11/28/19"]
    with pytest.raises(DataError) as exc:
        _dates(tmp_path, dates, date_format="%d/%m/%y")
    msg = str(exc.value)
    assert "x.csv: column 'd' (-> order_date): tables.orders.date_format %d/%m/%y does not fit" in msg
    assert "row 3 '12/31/19', row 5 '11/28/19'" in msg
    assert msg.endswith("expected date_format: '%m/%d/%y', which fits them")
    # the same with dayfirst: true
    with pytest.raises(DataError, match=r"tables.orders.dayfirst: true does not fit .*'%m/%d/%y'"):
        _dates(tmp_path, dates, dayfirst=True)
    # the format that fits reads every row, none "fixed"
    got, f = _dates(tmp_path, dates, date_format="%m/%d/%y")
    assert got == ["2019-01-02", "2019-12-31", "2019-03-04", "2019-11-28"]
    assert ("date_format", "order_date") not in findings(f, "fixed")


def test_date_convention_detected_from_a_day_over_12_for_the_whole_column(tmp_path: Path) -> None:
    got, f = _dates(tmp_path, ["03/01/2019", "13/01/2019", "04/02/2019 10:30"])
    assert got == ["2019-01-03", "2019-01-13", "2019-02-04"]  # day-first everywhere, not only on line 3
    info = [i for i in f.items if i["check"] == "date_format"][0]
    assert info["outcome"] == "info" and info["rows"] == 3
    assert info["detail"] == "dates read day-first (%d/%m/%Y): row 3 '13/01/2019' has a day over 12"
    assert not findings(f, "fixed") or ("date_format", "order_date") not in findings(f, "fixed")
    got, _ = _dates(tmp_path, ["03/01/19", "01/13/19"])
    assert got == ["2019-03-01", "2019-01-13"]  # month-first, decided by the second number over 12


def test_ambiguous_dates_are_read_by_the_default_with_a_warning(tmp_path: Path) -> None:
    got, f = _dates(tmp_path, ["03/01/2019", "04/02/2019"])
    assert got == ["2019-03-01", "2019-04-02"]
    warn = [i for i in f.items if i["check"] == "ambiguous_date"][0]
    assert warn["outcome"] == "warning" and warn["rows"] == 2
    assert "read month-first (%m/%d/%Y); set tables.orders.date_format" in warn["detail"]
    got, _ = _dates(tmp_path, ["03/01/2019", "04/02/2019"], dayfirst=True)
    assert got == ["2019-01-03", "2019-02-04"]


def test_day_first_and_month_first_in_one_column_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"mixes month-first dates \(row 4 '01/13/2019'\) and day-first dates "
                       r"\(row 3 '13/01/2019'\); expected one convention per column"):  # fmt: skip
        _dates(tmp_path, ["03/01/2019", "13/01/2019", "01/13/2019"])


def test_a_listed_format_keeps_its_convention_for_other_separators(tmp_path: Path) -> None:
    got, f = _dates(tmp_path, ["03/01/19", "04.01.2019"], date_format="%d/%m/%y")
    assert got == ["2019-01-03", "2019-01-04"]
    assert findings(f, "fixed")[("date_format", "order_date")] == 1
    detail = [i for i in f.items if i["check"] == "date_format" and i["outcome"] == "fixed"][0]["detail"]
    assert detail == "date in none of %d/%m/%y: read day-first (the column's convention)"


def test_a_file_that_is_no_export_is_not_echoed_in_the_column_error(tmp_path: Path) -> None:
    header = ",".join(f"secret{i}" + "x" * 80 for i in range(40))
    with pytest.raises(DataError) as exc:
        _one(tmp_path, header + "\n1\n", columns=BASIC)
    msg = str(exc.value)
    assert len(msg) < 600 and "secret0xxx" in msg and "secret39" not in msg and "(40 columns)" in msg
