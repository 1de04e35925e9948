"""Parsing an export's cells (planning/importer/parsing.py): amounts in any number style, dates in the
export's style."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning import importer


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
