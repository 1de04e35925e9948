"""planning/data/schema.py: the canonical schema's invariants, and that it is the schema docs/data.md describes.

The reading, the checks, the as-of filter and the importer all build on these constants; an inconsistency (a key
or date column that is not a column, a nullable key) would break them far from here.
"""

from __future__ import annotations

import re

from planning import config, data
from planning.data import schema
from planning.data.schema import DATE_COLUMN, KEYS, NOT_NULL, OPTIONAL_TABLES, REQUIRED_TABLES, SCHEMA, TABLES

KINDS = {"str", "date", "float", "int"}


def test_tables_in_docs_order_and_only_orders_required():
    assert TABLES == (
        "regions",
        "reps",
        "customers",
        "orders",
        "opportunities",
        "marketing",
        "market_size",
        "plan_of_record",
    )
    assert REQUIRED_TABLES == ("orders",)
    assert OPTIONAL_TABLES == tuple(t for t in TABLES if t != "orders")
    assert set(REQUIRED_TABLES).isdisjoint(OPTIONAL_TABLES)


def test_every_column_has_a_known_kind():
    for table, columns in SCHEMA.items():
        assert columns, table
        assert set(columns.values()) <= KINDS, table


def test_the_order_lines_exactly():
    assert SCHEMA["orders"] == {
        "order_id": "str",
        "line_no": "int",
        "order_date": "date",
        "customer_id": "str",
        "rep_id": "str",
        "region": "str",
        "product_line": "str",
        "channel": "str",
        "quantity": "float",
        "unit_price": "float",
        "amount": "float",
        "margin": "float",
    }


def test_every_table_has_a_key_of_its_own_columns():
    assert set(KEYS) == set(SCHEMA)
    for table, key in KEYS.items():
        assert key and len(set(key)) == len(key), table
        assert set(key) <= set(SCHEMA[table]), table
    assert KEYS["orders"] == ("order_id", "line_no")
    assert KEYS["plan_of_record"] == ("month", "rep_id")


def test_date_columns_are_date_columns_of_the_event_tables():
    assert DATE_COLUMN == {"orders": "order_date", "opportunities": "lead_date", "marketing": "month"}
    for table, column in DATE_COLUMN.items():
        assert SCHEMA[table][column] == "date", table


def test_not_null_columns_exist_and_cover_keys_dates_and_region():
    assert set(NOT_NULL) == set(SCHEMA)
    for table, columns in NOT_NULL.items():
        assert set(columns) <= set(SCHEMA[table]), table
        assert len(set(columns)) == len(columns), table
        # a key value may not be blank (int columns never are)
        for column in KEYS[table]:
            assert column in columns or SCHEMA[table][column] == "int", (table, column)
        # every table is filtered by region, and every event table by its date
        assert SCHEMA[table].get("region") == "str" and "region" in columns, table
        if table in DATE_COLUMN:
            assert DATE_COLUMN[table] in columns, table


def test_the_package_exports_the_same_objects():
    for name in ("SCHEMA", "TABLES", "REQUIRED_TABLES", "OPTIONAL_TABLES", "KEYS", "DATE_COLUMN", "NOT_NULL"):
        assert getattr(data, name) is getattr(schema, name), name


# ------------------------------------------------------------------------------------------------ docs/data.md
def _documented() -> dict[str, dict[str, str]]:
    """docs/data.md's tables: table -> column -> type cell ("str", "date, empty" ...), in the file's order."""
    out: dict[str, dict[str, str]] = {}
    table = None
    for line in (config.PROJECT_ROOT / "docs" / "data.md").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"^## (\w+)", line):
            table = m.group(1) if m.group(1) in SCHEMA else None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if table and line.startswith("| ") and len(cells) == 3 and cells[0] != "column":
            out.setdefault(table, {})[cells[0]] = cells[1]
    return out


def test_docs_data_md_lists_the_same_columns_kinds_and_order():
    docs = _documented()
    assert list(docs) == list(SCHEMA)
    for table, columns in SCHEMA.items():
        assert list(docs[table]) == list(columns), table
        assert {c: t.split(",")[0] for c, t in docs[table].items()} == columns, table


def test_a_column_docs_call_empty_is_not_a_not_null_column():
    empty = {
        (t, c) for t, cols in _documented().items() for c, kind in cols.items() if kind.endswith(", empty")
    }
    assert empty == {
        ("reps", "exit_date"),
        ("opportunities", "discovery_date"),
        ("opportunities", "proposal_date"),
        ("opportunities", "negotiation_date"),
        ("opportunities", "close_date"),
    }
    for table, column in empty:
        assert column not in NOT_NULL[table] and column not in KEYS[table], (table, column)


def test_docs_mark_exactly_the_required_columns():
    # issue 17 case 11: docs/data.md marks which columns a file / mapping must provide (NOT_NULL and int columns)
    marked: dict[str, set[str]] = {}
    table = None
    for line in (config.PROJECT_ROOT / "docs" / "data.md").read_text(encoding="utf-8").splitlines():
        if m := re.match(r"## (\w+)", line):
            table = m.group(1) if m.group(1) in SCHEMA else None
        elif table and (m := re.match(r"\| (\w+) \| ([^|]+) \|", line)) and m.group(1) in SCHEMA[table]:
            if "**required**" in m.group(2):
                marked.setdefault(table, set()).add(m.group(1))
    expected = {
        t: {c for c, k in cols.items() if c in NOT_NULL.get(t, ()) or k == "int"}
        for t, cols in SCHEMA.items()
    }
    assert marked == {t: cols for t, cols in expected.items() if cols}
