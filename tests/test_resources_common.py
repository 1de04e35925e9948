"""planning/resources/common.py: month labels and the empty artefact a part hands on when the data cannot
compute it."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from planning import contracts, store
from planning.resources.common import month_str, no_rows, period


@pytest.mark.parametrize(
    ("when", "month"),
    [
        ("2026-03-15", "2026-03"),
        (date(2027, 12, 31), "2027-12"),
        (pd.Timestamp("2027-01-01 23:59"), "2027-01"),
        ("2024-02-29", "2024-02"),
    ],
)
def test_period_and_month_str(when, month):
    per = period(when)
    assert per == pd.Period(month, freq="M")
    assert month_str(per) == month


def test_period_of_a_non_date_is_an_error():
    with pytest.raises(ValueError, match="garbage"):
        period("garbage")


def test_month_str_pads_the_month():
    assert month_str(pd.Period("2027-01", freq="M") + 8) == "2027-09"


def test_no_rows_has_the_contract_columns_and_no_rows():
    df = no_rows("hiring_plan")
    assert list(df.columns) == ["start_month", "hires", "requisition_by", "productive_from"]
    assert list(df.columns) == list(contracts.required_columns("hiring_plan"))
    assert len(df) == 0


def test_no_rows_of_every_resources_artefact_passes_the_contract(tmp_path):
    names = contracts.of_step("04_resources")
    assert names
    for name in names:
        path = store.write_artifact(tmp_path, name, no_rows(name), step="04_resources")
        assert path.read_text() == ",".join(contracts.required_columns(name)) + "\n"
        back = store.read_artifact(tmp_path, name)
        assert list(back.columns) == list(contracts.required_columns(name)) and back.empty


def test_no_rows_of_an_unknown_artefact_is_an_error():
    with pytest.raises(KeyError, match="targets_typo"):
        no_rows("targets_typo")
