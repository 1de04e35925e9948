"""planning.goals.evaluation: the forecast scored on a held-out year it never saw (issue 22, item 1)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from planning import params
from planning.goals import evaluation as ev

#: One year of sales whose mean is exactly 1024: rescaling by the mean (forecast.predict) is then exact, so a
#: repeated year is forecast to the last bit and the expected errors are exact.
PATTERN = np.array([800, 900, 1000, 1100, 1200, 1300, 1248, 1148, 1048, 948, 848, 748], dtype=float)


def _series(values: np.ndarray, start: str = "2022-01") -> pd.Series:
    return pd.Series(
        np.asarray(values, dtype=float), index=pd.date_range(start, periods=len(values), freq="MS")
    )


def _trend_season(n: int) -> np.ndarray:
    """+120 every year in every month (a linear trend of 10 a month) on an additive season."""
    m = np.arange(n)
    return 1000 + 10 * m + 100 * np.sin(2 * np.pi * m / 12)


@pytest.fixture(scope="module")
def seasonal() -> ev.Evaluation:
    """Four identical years 2022-2025: the held-out 2025 repeats 2024 exactly."""
    return ev.evaluate(_series(np.tile(PATTERN, 4)))


def test_a_repeated_year_is_forecast_perfectly_by_the_chosen_seasonal_naive(seasonal):
    e = seasonal
    assert e.status == "ok" and e.reason == ""
    assert e.tier == ("pooled", "pooled_holt", "sarima", "seasonal_naive") and e.selection == "backtest"
    assert e.model == "seasonal_naive"  # its backtest MAPE is exactly 0 on the training years
    assert e.origin == "2024-12" and e.level == 0.8
    assert e.months["month"].tolist() == [f"2025-{m:02d}" for m in range(1, 13)]
    assert e.months["actual"].tolist() == PATTERN.tolist()
    assert e.months["naive"].tolist() == PATTERN.tolist()
    assert e.months["forecast"].tolist() == PATTERN.tolist()
    assert (e.mape, e.naive_mape, e.gain, e.coverage) == (0.0, 0.0, 0.0, 1.0)
    assert list(e.months.columns) == ev.MONTH_COLUMNS


def test_a_level_shift_in_the_held_out_year_is_scored_not_learnt(seasonal):
    """The held-out year is 25% above the three before: the choice and the forecast are those made without it
    (identical to the repeated year's), and both models miss every month by 0.25 / 1.25 = 20%."""
    y = np.tile(PATTERN, 4)
    y[-12:] *= 1.25
    e = ev.evaluate(_series(y))
    assert e.model == seasonal.model == "seasonal_naive"
    for col in ("forecast", "lower", "upper", "naive"):
        assert e.months[col].tolist() == seasonal.months[col].tolist(), col
    assert e.mape == pytest.approx(0.2, abs=1e-15) and e.naive_mape == pytest.approx(0.2, abs=1e-15)
    assert e.gain == 0.0
    # the training years repeat exactly: a zero-width interval, which misses every shifted month
    assert e.coverage == 0.0 and not e.months["covered"].any()


def test_nothing_of_the_held_out_year_reaches_the_choice_or_the_fit():
    y = _trend_season(48)
    changed = y.copy()
    changed[-12:] = changed[-12:] * 3 + 50
    one, other = ev.evaluate(_series(y)), ev.evaluate(_series(changed))
    assert one.model == other.model and one.tier == other.tier and one.origin == other.origin == "2024-12"
    for col in ("forecast", "lower", "upper", "naive"):
        assert np.array_equal(one.months[col].to_numpy(), other.months[col].to_numpy()), col
    assert one.mape != other.mape


def test_steady_yearly_growth_is_predicted_by_the_chosen_model_and_missed_by_seasonal_naive():
    """Every month is 120 above the same month a year earlier: seasonal naive misses by exactly 120 / actual;
    SARIMA's seasonal difference with a constant is exactly that structure, and the backtest picks it."""
    y = _trend_season(48)
    e = ev.evaluate(_series(y))
    actual = y[-12:]
    assert e.months["naive"].tolist() == y[-24:-12].tolist()
    assert e.naive_mape == pytest.approx(float(np.mean(120 / actual)), rel=1e-12)
    assert e.naive_mape == pytest.approx(0.0849095, abs=1e-7)
    assert e.model == "sarima" and e.selection == "backtest"
    assert e.mape < 1e-4 and e.gain > 0.999
    assert e.coverage == 1.0


def test_too_short_a_history_is_not_scored_and_says_why():
    e = ev.evaluate(_series(np.tile(PATTERN, 2)[:23]))
    assert e.status == "short_history"
    assert e.reason == (
        "24 months of history needed (the 12 held-out months and the year before them, which seasonal naive "
        "repeats), got 23"
    )
    assert e.model == "" and e.months.empty and list(e.months.columns) == ev.MONTH_COLUMNS
    assert all(math.isnan(x) for x in (e.mape, e.naive_mape, e.gain, e.coverage))


def test_a_short_training_history_degrades_the_choice_as_the_goals_step_does():
    """30 months: 18 to train on, too few to backtest SARIMA (24 + 12), the pooled models (18 + 12) or holt vs
    seasonal naive (12 + 12):
    the goals step's third tier, holt vs the mean, backtested at the one origin it allows."""
    y = np.tile(PATTERN, 3)[:30] * (1 + np.arange(30) / 100)
    e = ev.evaluate(_series(y))
    assert e.status == "ok"
    assert e.tier == ("holt", "mean") and e.selection == "short_history"
    assert e.model in e.tier and e.origin == "2023-06"
    assert e.naive_mape == pytest.approx(float(np.mean(np.abs(y[6:18] - y[18:]) / y[18:])), rel=1e-12)


def test_no_sales_before_the_held_out_year_is_stated():
    y = np.concatenate([np.zeros(12), PATTERN])
    e = ev.evaluate(_series(y))
    assert e.status == "no_forecast"
    assert (
        e.reason
        == "no forecast from the months up to 2022-12: no sales before as_of: nothing to forecast from"
    )
    assert e.months.empty and math.isnan(e.gain)


def test_gain_by_hand():
    assert ev.gain(0.1, 0.2) == 0.5
    assert ev.gain(0.3, 0.2) == pytest.approx(-0.5)
    assert ev.gain(0.0, 0.0) == 0.0
    assert ev.gain(0.1, 0.0) == -math.inf
    assert math.isnan(ev.gain(math.nan, 0.2)) and math.isnan(ev.gain(0.1, math.nan))


def test_summary_averages_the_regions_gains_and_pools_their_months(seasonal):
    shifted = np.tile(PATTERN, 4)
    shifted[-12:] *= 1.25
    growth = ev.evaluate(_series(_trend_season(48)))
    evals = {
        "a": seasonal,
        "b": ev.evaluate(_series(shifted)),
        "c": growth,
        "d": ev.evaluate(_series(PATTERN)),  # too short: listed, not scored
    }
    s = ev.summary(evals)
    assert (s.scored, s.worst_region, s.worst_gain) == (3, "a", 0.0)
    assert s.mean_gain == pytest.approx(growth.gain / 3, rel=1e-12)
    assert (s.covered, s.months) == (24, 36) and s.coverage == 24 / 36
    tab = ev.table(evals)
    assert list(tab.columns) == ev.TABLE_COLUMNS
    assert tab["region"].tolist() == ["a", "b", "c", "d"]
    assert tab["status"].tolist() == ["ok", "ok", "ok", "short_history"]
    assert tab["model"].tolist() == ["seasonal_naive", "seasonal_naive", "sarima", ""]
    assert ev.summary({}).scored == 0 and math.isnan(ev.summary({"d": evals["d"]}).coverage)


def test_evaluate_params_reads_the_as_of_and_the_goals_forecast_parameters():
    """The held-out year ends with the last complete month before the run's as-of (January 2026 is incomplete
    on the 15th, and its orders are not read); the interval is the parameters' goals.interval."""
    y = np.concatenate([np.tile(PATTERN, 4), [5000.0]])  # 2022-01 .. 2026-01
    months = pd.date_range("2022-01-01", periods=len(y), freq="MS")
    orders = pd.DataFrame({"order_date": months + pd.Timedelta(days=9), "amount": y})
    p = params.load(
        "east", overrides={"as_of": "2026-01-15", "plan_year": 2026, "goals": {"interval": 0.9}}
    ).params
    e = ev.evaluate_params(orders, p)
    assert e.level == 0.9 and e.origin == "2024-12"
    assert e.months["month"].iloc[-1] == "2025-12" and e.months["actual"].tolist() == PATTERN.tolist()
    assert e.mape == 0.0 and e.gain == 0.0
