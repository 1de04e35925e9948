"""planning.goals.pooling and the pooled forecast: synthetic series whose structure is known, so that the test
says which model must win and why (issue 22, item 2), and the forecast's reproducibility (item 4)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import numpy as np
import pandas as pd
import pytest

from planning.goals import evaluation as ev
from planning.goals import forecast as fc
from planning.goals import pooling

#: A strong shared season (year-end peak, spring-festival trough), mean 1.
SEASON = np.array([0.7, 0.6, 1.0, 1.0, 1.05, 1.1, 1.0, 0.95, 1.05, 1.1, 1.2, 1.25])
SEASON = SEASON / SEASON.mean()
MONTHS = pd.date_range("2021-01-01", periods=60, freq="MS")


def _company(noise: float = 0.25, regions: int = 6, seed: int = 7) -> pd.DataFrame:
    """Regions of different size and growth sharing SEASON, each month scattered by lognormal noise of `noise`
    (a few large orders): one region's own season is mostly noise, six regions' together are not."""
    rng = np.random.default_rng(seed)
    t = np.arange(len(MONTHS))
    cols = {}
    for r in range(regions):
        level = 1e6 * (1 + r) * (1 + 0.04 * (r - 2) / 12) ** t
        cols[f"r{r}"] = level * SEASON[t % 12] * rng.lognormal(0.0, noise, len(t))
    return pd.DataFrame(cols, index=MONTHS)


def _series(values: np.ndarray, start: str = "2021-01-01") -> pd.Series:
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="MS"), name="sales")


# --------------------------------------------------------------------------------------------- profile
def test_the_pooled_profile_recovers_the_shared_season_that_one_region_cannot():
    company = _company()
    y = company["r0"].to_numpy()
    zero = np.zeros(len(y))
    pooled = pooling.fit_profile(company.to_numpy(), zero).season
    alone = pooling.fit_profile(y[:, None], zero).season
    truth = SEASON / np.exp(np.log(SEASON).mean())  # the profile is normalised to a mean log of 0
    err_pooled = np.abs(np.log(pooled / truth)).mean()
    err_alone = np.abs(np.log(alone / truth)).mean()
    assert err_pooled < 0.06  # six regions x five years of 25% noise: the season within a few percent
    assert err_pooled < err_alone / 2


def test_the_holiday_share_follows_the_spring_festival_between_january_and_february():
    months = pd.date_range("2025-01-01", periods=14, freq="MS")
    share = pooling.holiday_share(months, "lunar_new_year")
    # 2025-01-29: window 2025-01-19 .. 2025-02-12 -> 13 of January's 31 days, 12 of February's 28
    assert share[0] == pytest.approx(13 / 31) and share[1] == pytest.approx(12 / 28)
    assert share[2:12].sum() == 0.0
    # 2026-02-17: window 2026-02-07 .. 2026-03-03 -> none of January, 22 of February's 28
    assert share[12] == 0.0 and share[13] == pytest.approx(22 / 28)
    assert not pooling.holiday_share(months, "none").any()
    with pytest.raises(ValueError, match="unknown holiday 'easter'"):
        pooling.holiday_share(months, "easter")


def test_the_moving_holiday_effect_is_estimated_and_placed_on_the_plan_years_dates():
    """Sales drop to 40% inside the festival window: with the holiday the forecast puts the dip in January of a
    year whose festival is in January, and in February when it moves there; a month-of-year profile cannot."""
    months = pd.date_range("2021-01-01", periods=72, freq="MS")
    share = pooling.holiday_share(months, "lunar_new_year")
    y = 1e6 * (1 - 0.6 * share)
    train = y[:60]  # 2021-2025; forecast 2026 (festival 2026-02-17: February only)
    pool = pooling.Pool(np.zeros((60, 0)), months[0], "lunar_new_year")
    mean, _ = pooling.predict_pooled(train, 12, pool)
    np.testing.assert_allclose(mean, y[60:], rtol=0.05)  # a log effect fitted to a linear dip: close
    without, _ = pooling.predict_pooled(train, 12, pooling.Pool(np.zeros((60, 0)), months[0], "none"))
    assert np.abs(without / y[60:] - 1).max() > 0.15


# --------------------------------------------------------------------------------------------- pooling helps
def test_on_noisy_regions_sharing_a_season_pooling_beats_the_regions_own_season_out_of_sample():
    """Held-out year of each of six noisy regions sharing one season: the pooled model on the company profile
    beats the same model on the region's own profile and seasonal naive (which repeats last year's noise), on
    average over the regions; the full pipeline (backtest, choice) gains at least 15% on seasonal naive."""
    company = _company()
    train, test = company.iloc[:-12], company.iloc[-12:].to_numpy()
    pooled, own, naive = [], [], []
    for j, region in enumerate(company.columns):
        y = train[region].to_numpy()
        pool = pooling.Pool(train.drop(columns=region).to_numpy(), MONTHS[0])
        pooled.append(fc.accuracy(test[:, j], fc.predict("pooled", y, 12, pool=pool).mean)[0])
        own.append(fc.accuracy(test[:, j], fc.predict("pooled", y, 12).mean)[0])
        naive.append(fc.accuracy(test[:, j], fc.predict("seasonal_naive", y, 12).mean)[0])
    assert np.mean(pooled) < 0.9 * np.mean(own)
    assert np.mean(pooled) < 0.8 * np.mean(naive)
    e = ev.evaluate(company["r3"], company=company, region="r3")
    assert e.status == "ok" and e.tier[0] == "pooled" and e.gain > 0.15


def test_the_pool_reaches_no_month_after_the_history():
    """Peers' months after the region's last month are not read: changing them changes nothing."""
    company = _company()
    y = company["r1"].iloc[:48]
    later = company.copy()
    later.iloc[48:] *= 5
    orders = pd.DataFrame({"order_date": y.index + pd.Timedelta(days=3), "amount": y.to_numpy()})
    one = fc.run(orders, date(2024, 12, 31), 2025, company=company, region="r1")
    other = fc.run(orders, date(2024, 12, 31), 2025, company=later, region="r1")
    assert one.pooled == 5
    pd.testing.assert_frame_equal(one.forecast, other.forecast)
    pd.testing.assert_frame_equal(one.backtest, other.backtest)


# --------------------------------------------------------------------------------------------- damping
def test_after_a_trend_break_the_damped_trend_beats_the_undamped_one(monkeypatch):
    """Three years of steep growth (+40% a year) that stops: an undamped trend keeps adding 40% a year over the
    next 12 months; the damped one adds less than half of that and misses the plateau by less."""
    t = np.arange(52)
    y = 1e6 * np.where(t < 36, 1.4 ** (t / 12), 1.4**3) * SEASON[t % 12]
    train, actual = y[:40], y[40:]
    damped = fc.accuracy(actual, fc.predict("pooled", train, 12).mean)[0]
    monkeypatch.setattr(pooling, "DAMPING", 1.0)
    straight = fc.accuracy(actual, fc.predict("pooled", train, 12).mean)[0]
    assert damped < straight - 0.03
    monkeypatch.undo()
    holt = fc.accuracy(actual, fc.predict("pooled_holt", train, 12).mean)[0]
    assert holt < straight  # the estimated damping and level adapt to the plateau too


def test_a_combination_is_the_mean_of_its_members_and_has_an_interval():
    company = _company()
    y = company["r2"].to_numpy()
    pool = pooling.Pool(company.drop(columns="r2").to_numpy(), MONTHS[0])
    a = fc.predict("pooled", y, 12, pool=pool).mean
    b = fc.predict("seasonal_naive", y, 12, pool=pool).mean
    both = fc.predict("pooled+seasonal_naive", y, 12, pool=pool)
    np.testing.assert_allclose(both.mean, (a + b) / 2)
    assert np.all(both.lower <= both.mean) and np.all(both.mean <= both.upper)
    assert fc.min_train("pooled+sarima") == 24
    with pytest.raises(ValueError, match="unknown model 'prophet'"):
        fc.predict("pooled+prophet", y, 12)


# --------------------------------------------------------------------------------------------- reruns
_RERUN = """
import sys, numpy as np, pandas as pd
from datetime import date
from planning.goals import forecast as fc
t = np.arange(34); rng = np.random.default_rng(3)
idx = pd.date_range("2023-01-01", periods=34, freq="MS")
company = pd.DataFrame({f"r{r}": 1e6 * (1 + r) * (1 + 0.3 * np.sin(t / 12 * 2 * np.pi)) * rng.lognormal(0, 0.2, 34)
                        for r in range(4)}, index=idx)
orders = pd.DataFrame({"order_date": idx + pd.Timedelta(days=2), "amount": company["r0"].to_numpy()})
res = fc.run(orders, date(2025, 10, 31), 2026, company=company, region="r0", holiday="lunar_new_year")
sys.stdout.write(res.forecast.to_csv(index=False, float_format="%.17g"))
"""


def test_the_forecast_is_byte_identical_across_processes_and_thread_counts():
    """What a worker computes does not depend on the process or on how many BLAS threads it has (the runner's
    worker count): two processes, one and two threads, the same bytes (the pooled models, their combination
    and its interval from the backtest)."""
    outs = []
    for threads in ("1", "2"):
        env = {"OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
        done = subprocess.run(
            [sys.executable, "-c", _RERUN], capture_output=True, text=True, timeout=120,
            env={**__import__("os").environ, **env}, check=True,
        )  # fmt: skip
        outs.append(done.stdout)
    assert outs[0] and "pooled" in outs[0]
    assert outs[0] == outs[1]


# --------------------------------------------------------------------------------------------- company months
def test_company_monthly_sums_each_region_and_month_up_to_the_last_complete_month():
    orders = pd.DataFrame(
        {
            "region": ["east", "west", "east", "east", "west", "west"],
            "order_date": pd.to_datetime(
                ["2026-01-05", "2026-01-20", "2026-01-31", "2026-03-02", "2026-04-10", "2026-04-30"]
            ),
            "amount": [100.0, 50.0, 25.0, 30.0, 999.0, 1.0],
        }
    )
    # as_of 2026-04-15: April is incomplete and left out; February had no order -> 0 in every region.
    wide = pooling.company_monthly(orders, date(2026, 4, 15))
    assert wide.index.strftime("%Y-%m").tolist() == ["2026-01", "2026-02", "2026-03"]
    assert list(wide.columns) == ["east", "west"]
    assert wide["east"].tolist() == [125.0, 0.0, 30.0] and wide["west"].tolist() == [50.0, 0.0, 0.0]
    assert pooling.company_monthly(orders, date(2025, 12, 31)).empty
    with pytest.raises(KeyError, match="region"):
        pooling.company_monthly(orders.drop(columns="region"), date(2026, 4, 15))
    pool = pooling.pool_for(wide["east"], wide, "east")
    assert pool is not None and pool.peers[:, 0].tolist() == [50.0, 0.0, 0.0]
    assert pooling.pool_for(wide["east"], None, "east") is None  # nothing to borrow: the region's own profile


def test_a_peer_that_opened_later_and_months_without_sales_do_not_bend_the_profile():
    """Months without a sale say nothing about the season: a peer opened two years in (zeros before) and a
    region's own empty month leave the profile as it is without them, and the forecast stays finite."""
    company = _company()
    zero = np.zeros(len(company))
    full = pooling.fit_profile(company.to_numpy(), zero).season
    late = company.copy()
    late.iloc[:24, 1:] = 0.0  # every peer opened in year three
    partial = pooling.fit_profile(late.to_numpy(), zero).season
    assert np.abs(np.log(partial / full)).max() < 0.1
    y = company["r0"].to_numpy().copy()
    y[30] = 0.0  # a month without orders
    pool = pooling.Pool(late.drop(columns="r0").to_numpy(), MONTHS[0])
    for holt in (False, True):
        mean, sigma = pooling.predict_pooled(y, 12, pool, holt=holt)
        assert np.all(np.isfinite(mean)) and np.all(mean > 0) and np.all(np.isfinite(sigma))
    with pytest.raises(ValueError, match="at least 3 months with sales"):
        pooling.predict_pooled(np.r_[np.zeros(20), 5.0, 6.0], 12, None)


@pytest.mark.parametrize("months", [3, 12, 13, 14, 18, 40])
@pytest.mark.parametrize("holiday", ["none", "lunar_new_year"])
def test_many_regions_fit_the_same_profile_with_levels_and_trends_projected_out(months, holiday, monkeypatch):
    """Beyond DENSE_MAX regions the profile comes from the regression with each region's level and trend
    projected out (Frisch-Waugh-Lovell); it is the whole regression's profile, also where it is not identified
    (short histories fall back to the whole regression), with regions that open late and months without sales."""
    rng = np.random.default_rng(7)
    r = pooling.DENSE_MAX + 5
    idx = pd.date_range("2022-01-01", periods=months, freq="MS")
    season = np.exp(0.3 * np.sin(2 * np.pi * np.arange(months) / 12))
    level = rng.uniform(1e5, 1e6, r)
    series = (
        level * season[:, None] * np.exp(rng.normal(0, 0.1, (months, r)) + 0.01 * np.arange(months)[:, None])
    )
    series[: months // 2, 3] = 0.0  # a region opened half way
    series[months - 1, 5] = 0.0  # a month without sales
    series[:, 7] = 0.0  # a region without any sale
    share = pooling.holiday_share(idx, holiday)
    monkeypatch.setattr(pooling, "DENSE_MAX", 10**6)
    whole = pooling.fit_profile(series, share)
    monkeypatch.setattr(pooling, "DENSE_MAX", 2)
    dense, calls = pooling._shared_dense, []
    monkeypatch.setattr(pooling, "_shared_dense", lambda *a: calls.append(1) or dense(*a))
    within = pooling.fit_profile(series, share)
    # identified from 13 months on (14 with the holiday): then the whole regression is not solved
    assert bool(calls) == (months < (13 if holiday == "none" else 14))
    np.testing.assert_allclose(within.season, whole.season, rtol=1e-9)
    assert within.effect == pytest.approx(whole.effect, abs=1e-9)
