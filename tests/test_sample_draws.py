"""planning.sample.draws: the integer calendar (days since 1970-01-01), key columns from integer codes, and the
vectorised draws, with exact values for a fixed seed."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from planning.sample import draws
from planning.sample.structure import CNY_LEVEL, DEFAULT_END


class Uniforms:
    """A stand-in Generator whose `random(n)` returns the next `n` of the given uniforms."""

    def __init__(self, *values: float):
        self.values = list(values)

    def random(self, n: int) -> np.ndarray:
        out, self.values = self.values[:n], self.values[n:]
        assert len(out) == n, "ran out of uniforms"
        return np.array(out)


# --- the integer calendar -------------------------------------------------------------------------------
def test_day_of_counts_days_since_1970():
    assert draws.day_of("1970-01-01") == 0
    assert draws.day_of(dt.date(1970, 2, 1)) == 31
    assert draws.day_of("2022-01-01") == 18993  # 52 years, 13 of them leap years: 52 x 365 + 13
    assert draws.day_of("2024-02-29") - draws.day_of("2024-02-28") == 1
    assert isinstance(draws.day_of("2022-01-01"), int)


def test_day_of_rejects_text_that_is_not_a_date():
    with pytest.raises(ValueError, match="next week"):
        draws.day_of("next week")


def test_to_dt_turns_the_sentinel_into_nat():
    out = draws.to_dt(np.array([0, 18993, draws.NAT, -1]))
    assert out.dtype == np.dtype("datetime64[us]")
    assert out[[0, 1, 3]].tolist() == [
        dt.datetime(1970, 1, 1),
        dt.datetime(2022, 1, 1),
        dt.datetime(1969, 12, 31),
    ]
    assert np.isnat(out[2]) and draws.NAT < -(10**8)


def test_month_starts_cover_both_ends_plus_the_next_month():
    got = draws.month_starts(draws.day_of("2024-01-31"), draws.day_of("2024-03-01"))
    assert got.tolist() == [draws.day_of(d) for d in ("2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01")]
    one = draws.month_starts(draws.day_of("2023-12-15"), draws.day_of("2023-12-15"))
    assert one.tolist() == [draws.day_of("2023-12-01"), draws.day_of("2024-01-01")]


def test_calendar_of_a_short_history():
    cal = draws.calendar(dt.date(2022, 3, 15))
    assert (cal.d0, cal.dend, cal.n_months, cal.y_end) == (18993, 19066, 3, 2022)
    assert cal.months.tolist() == [18993, 19024, 19052, 19083]  # Jan 1, Feb 1, Mar 1, Apr 1 2022
    assert cal.month_num.tolist() == [0, 1, 2]
    assert cal.month_len.tolist() == [31, 28, 31]
    assert cal.t_month.tolist() == pytest.approx([14 / 365.25, 45 / 365.25, 73 / 365.25])  # mid-month


def test_calendar_of_the_default_history():
    cal = draws.calendar(DEFAULT_END)  # 2022-01 .. 2026-09
    assert cal.n_months == 57 and len(cal.months) == 58
    assert cal.months[-1] == draws.day_of("2026-10-01") == cal.dend + 1
    assert cal.month_len.sum() == cal.dend - cal.d0 + 1 == 1734
    assert cal.month_num.tolist() == (list(range(12)) * 5)[:57]
    assert cal.t_month[12] == pytest.approx((draws.day_of("2023-01-15") - cal.d0) / 365.25)


def test_cny_factor_by_hand():
    # CNY 2022-02-01, window Jan 22 .. Feb 13: 10 days of January, 13 of February at 35 % volume
    cal = draws.calendar(dt.date(2022, 3, 15))
    got = draws.cny_factor(cal.months)
    assert got.tolist() == pytest.approx([1 - 0.65 * 10 / 31, 1 - 0.65 * 13 / 28, 1.0])
    assert CNY_LEVEL == 0.35
    # CNY 2023-01-22, window Jan 12 .. Feb 3: 20 days of January, 3 of February
    months = draws.month_starts(draws.day_of("2023-01-01"), draws.day_of("2023-02-28"))
    assert draws.cny_factor(months).tolist() == pytest.approx([1 - 0.65 * 20 / 31, 1 - 0.65 * 3 / 28])


def test_cny_factor_is_one_outside_the_holiday():
    months = draws.month_starts(draws.day_of("2024-04-01"), draws.day_of("2024-12-31"))
    assert draws.cny_factor(months).tolist() == [1.0] * 9


# --- key columns ----------------------------------------------------------------------------------------
def test_cat_from_codes():
    c = draws.cat(np.array([0, 2, -1, 2]), ("east", "north", "south"))
    assert c.tolist()[:2] == ["east", "south"] and pd.isna(c[2]) and c[3] == "south"
    assert c.categories.tolist() == ["east", "north", "south"]
    idx = pd.Index(["a", "b"], dtype="str")
    assert draws.cat(np.array([1, 1]), idx).tolist() == ["b", "b"]


def test_cat_rejects_a_code_without_a_category():
    with pytest.raises(ValueError, match="codes need to be between -1 and len"):
        draws.cat(np.array([3]), ("east", "north", "south"))


def test_ids_are_zero_padded_and_widen_for_large_n():
    assert draws.ids("C", 3, 4).tolist() == ["C0001", "C0002", "C0003"]
    r = draws.ids("R", 1000, 2)  # 1000 needs 4 digits
    assert (len(r), r[0], r[-1]) == (1000, "R0001", "R1000")
    assert str(r.dtype) == "str" and r.is_unique
    assert draws.ids("X", 0, 3).tolist() == []


# --- draws ----------------------------------------------------------------------------------------------
def test_weighted_pick_for_a_fixed_seed():
    # the first uniforms of seed 7 are 0.625, 0.897, 0.776, 0.225, 0.300, 0.874; cumulative weights 1, 1, 4:
    # u x 4 < 1 -> index 0 (0.90 for the fourth), else index 2 (index 1 has no weight)
    u = np.random.default_rng(7).random(6)
    assert u.round(3).tolist() == [0.625, 0.897, 0.776, 0.225, 0.3, 0.874]
    got = draws.weighted_pick(np.random.default_rng(7), np.array([1.0, 0.0, 3.0]), 6)
    assert got.tolist() == [2, 2, 2, 0, 2, 2]


def test_weighted_pick_never_picks_a_zero_weight_and_follows_the_weights():
    rng = np.random.default_rng(20261)
    got = draws.weighted_pick(rng, np.array([0.0, 0.2, 0.0, 0.8, 0.0]), 20_000)
    assert set(got.tolist()) == {1, 3}
    assert np.mean(got == 1) == pytest.approx(0.2, abs=0.01)


def test_weighted_pick_uses_n_uniforms_of_the_stream():
    rng = np.random.default_rng(3)
    draws.weighted_pick(rng, np.ones(4), 5)
    assert rng.random() == np.random.default_rng(3).random(6)[-1]


JUNE = np.arange(draws.day_of("2024-06-01"), draws.day_of("2024-06-15"))  # Sat 1 June .. Fri 14 June 2024


def test_weekday_bias_moves_weekends_to_friday_or_monday():
    sat, sun = JUNE[0], JUNE[1]
    assert ((sat + 3) % 7, (sun + 3) % 7) == (5, 6)  # 0 = Monday: 1970-01-01 was a Thursday
    day = np.array([sat, sat, sun, sun, sat + 2])  # the last is a Monday: never moved
    lo, hi = day - 10, day + 10
    # weekend coins: move the first four (< 0.85), then to_mon coins: Mon, Fri, Mon, Fri, -
    rng = Uniforms(0.1, 0.2, 0.3, 0.4, 0.0, 0.1, 0.9, 0.2, 0.7, 0.0)
    got = draws.weekday_bias(rng, day, lo, hi)
    assert (got - day).tolist() == [2, -1, 1, -2, 0]


def test_weekday_bias_keeps_a_weekend_day_that_cannot_move():
    sat = JUNE[0]
    day = np.array([sat, sat, sat])
    # coin 0.9 >= 0.85 keeps the first; the second goes to the other side when Monday is out of bounds; the third
    # has no weekday within [sat, sat]
    rng = Uniforms(0.9, 0.0, 0.0, 0.1, 0.1, 0.1)
    got = draws.weekday_bias(rng, day, np.array([sat - 5, sat - 5, sat]), np.array([sat + 5, sat, sat]))
    assert (got - day).tolist() == [0, -1, 0]


def test_weekday_bias_for_a_fixed_seed():
    got = draws.weekday_bias(np.random.default_rng(7), JUNE, JUNE - 10, JUNE + 10)
    # of the two weekends, Sat 1 (u 0.625) went to Friday, Sun 2 (u 0.897) stayed, Sat 8 to Monday, Sun 9 to
    # Friday; the weekdays are untouched
    assert (got - JUNE).tolist() == [-1, 0, 0, 0, 0, 0, 0, 2, -2, 0, 0, 0, 0, 0]
    u = np.random.default_rng(7).random(2 * len(JUNE))  # two uniforms per day: the stream's next 28
    assert (u[[0, 1, 7, 8]] < 0.85).tolist() == [True, False, True, True]
    assert (u[14 + np.array([0, 7, 8])] < 0.5).tolist() == [False, True, False]  # to Monday: no, yes, no


@pytest.mark.parametrize(
    "weights", [np.zeros(3), np.array([]), np.array([1.0, -1.0, 2.0]), np.array([1.0, np.nan]), np.array([np.inf])]
)
def test_weighted_pick_refuses_weights_it_cannot_draw_from(weights):
    """All-zero weights picked the last index every time; negative or missing ones broke the cumulative sum."""
    with pytest.raises(ValueError, match="expected non-negative weights with a positive, finite sum"):
        draws.weighted_pick(np.random.default_rng(1), weights, 4)
