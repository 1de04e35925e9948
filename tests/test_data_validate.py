"""Consistency checks of a loaded data set (planning/data/validate.py): schema kinds, keys, references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames_data import write_csv

from planning import data


@pytest.fixture
def tiny(tmp_path):
    return write_csv(tmp_path / "tiny")


def test_validate_clean_fixture(tiny):
    assert data.validate_tables(data.load_tables(tiny)) == []


def test_validate_finds_problems(tiny):
    t = data.load_tables(tiny)
    o = t.orders.copy()
    o.loc[4, ["order_id", "line_no"]] = ["SO1", 1]  # duplicate key
    o.loc[3, "rep_id"] = "R9"  # unknown rep
    o.loc[2, ["unit_price", "amount"]] = [-5.0, -50.0]  # negative price
    o.loc[1, "customer_id"] = "C9"
    bad = data.Tables(**{**dict(t.items()), "orders": o})
    probs = {(p.table, p.column, p.severity): p for p in data.validate_tables(bad)}
    dup = probs[("orders", "order_id", "error")]
    assert dup.row == 4 and dup.value == "SO1" and "unique order_id + line_no" in dup.expected
    assert probs[("orders", "rep_id", "error")].value == "R9"
    assert probs[("orders", "unit_price", "error")].row == 2
    assert probs[("orders", "customer_id", "error")].value == "C9"
    assert "orders.rep_id row 3: 'R9'" in str(probs[("orders", "rep_id", "error")])


def test_validate_rep_not_employed(tiny):
    t = data.load_tables(tiny)
    o = t.orders.copy()
    o.loc[2, "order_date"] = pd.Timestamp("2025-08-01")  # R3 left on 2025-06-30
    probs = data.validate_tables(data.Tables(**{**dict(t.items()), "orders": o}))
    assert [(p.column, p.row, p.severity) for p in probs] == [("rep_id", 2, "warning")]


def test_kind_of():
    assert data.kind_of(pd.Series(["a"], dtype="str")) == "str"
    assert data.kind_of(pd.Series(pd.Categorical(["a"]))) == "str"
    assert data.kind_of(pd.Series(pd.to_datetime(["2024-01-01"]))) == "date"
    assert data.kind_of(pd.Series([1.5])) == "float"
    assert data.kind_of(pd.Series(np.array([1], dtype=np.int64))) == "int"


# --- issue 17 case 12: extreme values that passed every check -------------------------------------------------
def _with_orders(t: data.Tables, o: pd.DataFrame) -> data.Tables:
    return data.Tables(**{**dict(t.items()), "orders": o})


@pytest.mark.adversarial
@pytest.mark.parametrize("year", [1900, 2300])
def test_an_order_dated_far_outside_the_history_is_an_error_naming_the_order(tiny, year):
    t = data.load_tables(tiny)
    o = t.orders.copy()
    o["order_date"] = o["order_date"].astype("datetime64[s]")  # 2300 is beyond datetime64[ns]
    o.loc[2, "order_date"] = pd.Timestamp(year, 3, 4).as_unit("s")
    probs = [p for p in data.validate_tables(_with_orders(t, o)) if p.column == "order_date"]
    assert probs and all(p.severity == "error" and p.table == "orders" for p in probs)
    text = str(probs[0])
    assert f"orders.order_date row 2: '{year}-03-04 (order_id {o.loc[2, 'order_id']})'" in text, text
    assert "expected a date between 1970-01-01 and 2099-12-31" in text


@pytest.mark.adversarial
def test_a_year_typo_inside_1970_2099_is_caught_by_its_gap_to_the_history(tiny):
    t = data.load_tables(tiny)
    o = t.orders.copy()
    o.loc[3, "order_date"] = pd.Timestamp(1999, 5, 6)  # the rest lies in 2025-2026
    (p,) = [p for p in data.validate_tables(_with_orders(t, o)) if p.column == "order_date"]
    assert p.severity == "error" and p.row == 3 and p.value.startswith("1999-05-06 (order_id ")
    assert "a date near the rest of the history" in p.expected and "typo in the year" in p.expected


@pytest.mark.adversarial
@pytest.mark.parametrize("value", [1e308, np.inf, -1e16])
def test_amounts_beyond_any_plan_are_an_error_not_an_infinite_report(tiny, value):
    t = data.load_tables(tiny)
    o = t.orders.copy()
    o.loc[1, ["amount", "unit_price", "quantity"]] = [value, value, 1]
    probs = {p.column: p for p in data.validate_tables(_with_orders(t, o)) if p.severity == "error"}
    p = probs["amount"]
    assert p.row == 1 and p.table == "orders" and f"(order_id {o.loc[1, 'order_id']})" in p.value
    assert p.expected == "a finite number within +-1e+15"
    assert "unit_price" in probs


def test_a_date_of_year_0_is_named_not_a_crash(tiny):
    # a "-0" cell of a CSV's date column is read as year 0, which `Timestamp.date()` cannot show
    t = data.load_tables(tiny)
    o = t.orders.copy()
    o["order_date"] = o["order_date"].astype("datetime64[s]")
    o.loc[1, "order_date"] = pd.Series(np.array(["0000-01-01"], dtype="datetime64[s]")).iloc[0]
    (p,) = [p for p in data.validate_tables(_with_orders(t, o)) if p.column == "order_date" and p.rule == "date_range"]
    assert p.value.startswith("0000-01-01 (order_id ") and p.row == 1
