"""planning.sample.structure: the sample company's constants are consistent (shares sum to 1, one value per key,
seasons and holidays on the calendar, every key translated)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from planning import data, i18n
from planning.sample import structure as s

SHARES = ["REGION_WEIGHT", "IND_WEIGHT", "SIZE_P", "SOURCE_SHARE", "PRODUCT_P", "OPP_PRODUCT_P"]


@pytest.mark.parametrize("name", SHARES)
def test_shares_sum_to_one(name):
    shares = getattr(s, name)
    assert shares.sum() == pytest.approx(1.0, abs=1e-12)
    assert (shares > 0).all()


@pytest.mark.parametrize(
    ("keys", "arrays"),
    [
        (s.REGION_KEYS, ["REGION_WEIGHT", "REGION_GROWTH", "REGION_SEATS", "REGION_ATTRITION", "REGION_SHARE0",
                         "REGION_MARKET_GROWTH"]),
        (s.INDUSTRIES, ["IND_WEIGHT", "IND_REL_GROWTH", "IND_MARKET_GROWTH", "IND_WIN_MULT", "IND_WORD"]),
        (s.SIZE_BANDS, ["SIZE_P", "SIZE_ORDER_WEIGHT", "SIZE_WALLET"]),
        (s.SOURCES, ["SOURCE_SHARE", "SOURCE_CPL", "SOURCE_WIN_MULT"]),
        (s.PRODUCT_LINES, ["PRODUCT_P", "PRODUCT_MARGIN", "OPP_PRODUCT_P", "OPP_AMOUNT"]),
        (s.STAGE_NAMES, ["STAGE_P", "STAGE_DAYS"]),
    ],
)  # fmt: skip
def test_one_value_per_key(keys, arrays):
    assert len(set(keys)) == len(keys)
    for name in arrays:
        assert len(getattr(s, name)) == len(keys), name


def test_regions_the_story_needs():
    assert s.REGION_KEYS == ("east", "north", "south", "central", "southwest", "northeast")
    assert dict(zip(s.REGION_KEYS, s.REGION_GROWTH, strict=True))["northeast"] == -0.08  # the shrinking one
    assert s.REGION_KEYS[int(np.argmax(s.REGION_GROWTH))] == "southwest"  # the booming one
    assert s.REGION_KEYS[int(np.argmax(s.REGION_ATTRITION))] == "northeast"
    assert s.REGION_SEATS.tolist() == [7, 5, 5, 4, 3, 4] and s.REGION_SEATS.sum() == 28
    assert ((s.REGION_SHARE0 > 0) & (s.REGION_SHARE0 < 1)).all()


def test_new_seats_open_within_the_history():
    assert set(s.NEW_SEATS) <= set(s.REGION_KEYS)
    opened = [dt.date.fromisoformat(d) for dates in s.NEW_SEATS.values() for d in dates]
    assert len(opened) == 3 and all(s.START < d <= s.DEFAULT_END for d in opened)


def test_region_names_match_the_locale():
    for key, en, zh in s.REGIONS:
        assert (i18n.name("region", key, "en"), i18n.name("region", key, "zh")) == (en, zh)


@pytest.mark.parametrize(
    ("kind", "keys"),
    [
        ("industry", s.INDUSTRIES),
        ("size_band", s.SIZE_BANDS),
        ("lead_source", s.SOURCES),
        ("product_line", s.PRODUCT_LINES),
        ("channel", s.CHANNELS),
        ("stage", s.STAGE_NAMES),
    ],
)
def test_every_key_has_a_display_name(kind, keys):
    for key in keys:
        assert i18n.name(kind, key, "en") != key and i18n.name(kind, key, "zh") != key, (kind, key)


def test_tables_are_the_canonical_tables():
    assert s.TABLES == data.TABLES
    assert len(s.TABLES) == 8 and s.TABLES[3] == "orders"


def test_dates_and_seed():
    assert (s.START, s.DEFAULT_END, s.DEFAULT_SEED) == (dt.date(2022, 1, 1), dt.date(2026, 9, 30), 20261)


def test_season_averages_one_with_its_peaks():
    assert len(s.SEASON) == 12 and s.SEASON.mean() == pytest.approx(1.0)
    assert int(np.argmax(s.SEASON)) == 11  # December: year-end budgets
    assert s.SEASON[5] > s.SEASON[[4, 6]].max()  # June, "618"
    assert s.SEASON[0] == pytest.approx(0.97 / (12.53 / 12))  # the raw month factors (sum 12.53), normalised
    assert len(s.EVENT_SEASON) == 12 and (s.EVENT_SEASON > 0).all()


def test_chinese_new_year_dates_cover_the_history():
    assert list(s.CNY) == list(range(2021, 2031))
    for year, date in s.CNY.items():
        d = dt.date.fromisoformat(date)
        assert d.year == year and (d.month, d.day) >= (1, 21) and (d.month, d.day) <= (2, 20), date
    assert set(range(s.START.year, s.DEFAULT_END.year + 1)) <= set(s.CNY)
    lo, hi = s.CNY_WINDOW
    assert lo < 0 < hi and (lo, hi) == (-10, 12)
    assert 0 < s.CNY_LEVEL < 1


def test_funnel_stage_probabilities_and_days():
    assert s.STAGE_NAMES == ("lead", "discovery", "proposal", "negotiation")
    assert ((s.STAGE_P > 0) & (s.STAGE_P < 1)).all() and (s.STAGE_DAYS > 0).all()
    assert float(np.prod(s.STAGE_P)) == pytest.approx(0.099)  # lead -> won: 0.6 x 0.55 x 0.6 x 0.5


def test_name_parts_are_unique_and_plenty():
    for parts in (s.SURNAMES, s.GIVEN, s.NAME_PREFIX, s.NAME_SUFFIX, s.IND_WORD):
        assert len(set(parts)) == len(parts)
        assert all(p and " " not in p for p in parts)
    assert (len(s.SURNAMES), len(s.GIVEN), len(s.NAME_PREFIX), len(s.NAME_SUFFIX)) == (49, 46, 35, 6)
    # distinct company names: prefix x industry word x suffix
    assert len(s.NAME_PREFIX) * len(s.IND_WORD) * len(s.NAME_SUFFIX) == 1260


def test_margins_and_win_multipliers_are_plausible():
    assert ((s.PRODUCT_MARGIN > 0) & (s.PRODUCT_MARGIN < 1)).all()
    assert (s.IND_WIN_MULT > 0).all() and (s.SOURCE_WIN_MULT > 0).all()
    assert (
        s.SOURCES[int(np.argmax(s.SOURCE_WIN_MULT))] == "referral"
    )  # referrals win most, cost least per lead
    assert s.SOURCES[int(np.argmin(s.SOURCE_CPL))] == "referral"
    assert (np.diff(s.SIZE_WALLET) > 0).all() and (np.diff(s.SIZE_ORDER_WEIGHT) > 0).all()
