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
