"""Baseline sales forecast ("what will likely happen") with a rolling-origin backtest that picks the model.

`baseline_forecast(orders, p)` is the step's entry (the parameters' horizon, origins, step and interval);
`run` is the same with explicit dates (the review step refits models at back-dated origins with `predict`).

Models (statsmodels, plus the seasonal-naive benchmark every forecast has to beat):

- `ets`: ETS with additive error, additive damped trend and multiplicative seasonality (additive when a month
  has no sales), statsmodels `ETSModel`; prediction intervals from the model: exact where statsmodels has them
  (fully additive models), else the quantiles of `SIMULATIONS` simulated paths drawn with the fixed
  `INTERVAL_SEED`, so the same history gives the same interval in every run.
- `sarima`: SARIMA(1,0,0)(0,1,1)12 with a constant (a year-over-year drift), statsmodels `SARIMAX`.
- `seasonal_naive`: the same month one year earlier; interval from the spread of year-over-year changes
  (Hyndman & Athanasopoulos, FPP3 5.5: sigma_h = sigma * sqrt(k + 1), k = whole years into the horizon).
- `holt`: ETS with a damped trend and no season (history of 12-23 months).
- `mean`: the mean month (history shorter than 12 months); interval from the monthly spread.

Short histories degrade tier by tier (`TIERS`): a tier is used when its most demanding model can be trained on
at least one backtest origin; otherwise the next, simpler tier, and the reason is returned for the report.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from planning.errors import ForecastError
from planning.market import periods

if TYPE_CHECKING:
    from planning.params import Params

SEASON = 12

#: Simulated paths behind an ETS interval that has no closed form (multiplicative season), and the seed of
#: their errors: fixed, so a rerun gives the same bytes (the point forecast does not depend on them).
SIMULATIONS = 1000
INTERVAL_SEED = 20270101

#: Months of training a model needs (two full seasons for a seasonal state-space model).
MIN_TRAIN = {"ets": 24, "sarima": 24, "seasonal_naive": 12, "holt": 6, "mean": 1}

#: Candidate model sets, richest first. The backtest compares the models of the first tier that fits.
TIERS: tuple[tuple[str, ...], ...] = (
    ("ets", "sarima", "seasonal_naive"),
    ("holt", "seasonal_naive"),
    ("holt", "mean"),
    ("mean",),
)


# ------------------------------------------------------------------------------------------------ history
def month_start(d: date | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(d).to_period("M").to_timestamp()


def last_complete_month(as_of: date) -> pd.Timestamp:
    """The first day of the last month fully on or before `as_of` (`market.periods.last_complete_month`: the one
    definition of the last 12 months, shared with the market step and the snapshot index)."""
    return periods.last_complete_month(as_of).to_timestamp()


def monthly_sales(orders: pd.DataFrame, as_of: date) -> pd.Series:
    """Sales (sum of `amount`) per calendar month up to the last complete month on or before `as_of`.

    In: order lines with `order_date`, `amount`. Out: Series indexed by month-start Timestamps, no gaps (a month
    without orders is 0), from the first month with an order. Empty Series when there are no orders.
    """
    missing = [c for c in ("order_date", "amount") if c not in orders.columns]
    if missing:
        raise KeyError(f"orders lack columns {missing}")
    last = last_complete_month(as_of)
    if orders.empty:
        return pd.Series(dtype=float, name="sales")
    month = pd.to_datetime(orders["order_date"]).dt.to_period("M").dt.to_timestamp()
    sales = orders["amount"].astype(float).groupby(month).sum()
    sales = sales[sales.index <= last]
    if sales.empty:
        return pd.Series(dtype=float, name="sales")
    idx = pd.date_range(sales.index.min(), last, freq="MS")
    return sales.reindex(idx, fill_value=0.0).rename("sales")


# ------------------------------------------------------------------------------------------------ models
@dataclass(frozen=True)
class Prediction:
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def _seasonal_naive(y: np.ndarray, h: int, level: float) -> Prediction:
    steps = np.arange(h)
    mean = y[len(y) - SEASON + steps % SEASON]
    resid = y[SEASON:] - y[:-SEASON]
    sigma = float(np.std(resid, ddof=1)) if len(resid) > 1 else float(np.mean(np.abs(y))) * 0.2
    width = _z(level) * sigma * np.sqrt(steps // SEASON + 1)
    return Prediction(mean, mean - width, mean + width)


def _mean(y: np.ndarray, h: int, level: float) -> Prediction:
    mu = float(np.mean(y))
    sigma = float(np.std(y, ddof=1)) if len(y) > 1 else abs(mu) * 0.5
    width = _z(level) * sigma * math.sqrt(1 + 1 / len(y))
    mean = np.full(h, mu)
    return Prediction(mean, mean - width, mean + width)


def _ets(y: np.ndarray, h: int, level: float, seasonal: bool) -> Prediction:
    # lazy: statsmodels costs ~0.3 s to import; only ETS / SARIMA fits need it (not the review step's reads)
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    season = ("mul" if np.all(y > 0) else "add") if seasonal else None
    # ETSModel's prediction results need a pandas index (a bare ndarray fails in get_prediction).
    series = pd.Series(y, index=pd.date_range("2000-01-01", periods=len(y), freq="MS"))
    model = ETSModel(
        series,
        error="add",
        trend="add",
        damped_trend=True,
        seasonal=season,
        seasonal_periods=SEASON if seasonal else None,
    )
    res = model.fit(disp=False, maxiter=200)
    # The errors of the simulated paths are given (statsmodels would draw them from fresh OS entropy); an
    # exact interval ignores them.
    errors = np.random.default_rng(INTERVAL_SEED).standard_normal((h, SIMULATIONS)) * math.sqrt(res.scale)
    prediction = res.get_prediction(
        start=len(y), end=len(y) + h - 1, simulate_repetitions=SIMULATIONS, random_errors=errors
    )
    frame = prediction.summary_frame(alpha=1 - level)
    return Prediction(frame["mean"].to_numpy(), frame["pi_lower"].to_numpy(), frame["pi_upper"].to_numpy())


def _sarima(y: np.ndarray, h: int, level: float) -> Prediction:
    # lazy: statsmodels adds ~0.3 s to an import; only the SARIMA fit needs it (see _ets)
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    res = SARIMAX(y, order=(1, 0, 0), seasonal_order=(0, 1, 1, SEASON), trend="c").fit(
        disp=False, maxiter=100
    )
    fc = res.get_forecast(h)
    ci = np.asarray(fc.conf_int(alpha=1 - level))
    return Prediction(np.asarray(fc.predicted_mean), ci[:, 0], ci[:, 1])


def predict(model: str, y: np.ndarray, h: int, level: float = 0.8) -> Prediction:
    """Forecast `h` months after the monthly history `y` with `model`; lower/upper at `level` (e.g. 0.8).

    Forecasts and bounds are floored at 0 (sales do not go negative). Raises ValueError for an unknown model or
    a history shorter than `MIN_TRAIN[model]`.
    """
    if model not in MIN_TRAIN:
        raise ValueError(f"unknown model {model!r}: expected one of {', '.join(MIN_TRAIN)}")
    if len(y) < MIN_TRAIN[model]:
        raise ValueError(f"model {model!r} needs {MIN_TRAIN[model]} months of history, got {len(y)}")
    y = np.asarray(y, dtype=float)
    # Fit on a unit scale: the optimisers converge faster and more reliably than on values in the millions.
    scale = float(np.mean(np.abs(y))) or 1.0
    y = y / scale
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter from statsmodels on short series
        if model == "seasonal_naive":
            p = _seasonal_naive(y, h, level)
        elif model == "mean":
            p = _mean(y, h, level)
        elif model == "sarima":
            p = _sarima(y, h, level)
        else:
            p = _ets(y, h, level, seasonal=model == "ets")
    if not np.all(np.isfinite(p.mean)):
        raise ValueError(f"model {model!r} produced a non-finite forecast")
    return Prediction(
        np.maximum(p.mean * scale, 0.0), np.maximum(p.lower * scale, 0.0), np.maximum(p.upper * scale, 0.0)
    )


# ------------------------------------------------------------------------------------------------ backtest
def accuracy(actual: np.ndarray, forecast: np.ndarray) -> tuple[float, float]:
    """(MAPE, bias) of a forecast. MAPE: mean |f - a| / a over months with a > 0; bias: sum(f - a) / sum(a)
    (positive = over-forecast). NaN when there is nothing to compare.
    """
    actual = np.asarray(actual, dtype=float)
    forecast = np.asarray(forecast, dtype=float)
    pos = actual > 0
    mape = float(np.mean(np.abs(forecast[pos] - actual[pos]) / actual[pos])) if pos.any() else math.nan
    total = actual.sum()
    bias = float((forecast.sum() - total) / total) if total > 0 else math.nan
    return mape, bias


def origins(n: int, horizon: int, count: int, step: int, min_train: int) -> list[int]:
    """Training lengths of the rolling origins: n - horizon, n - horizon - step, ... (at most `count`), each
    leaving `horizon` months to test and at least `min_train` months to train. Oldest first.
    """
    cuts = [n - horizon - j * step for j in range(count)]
    return sorted(c for c in cuts if c >= min_train)


def backtest(y: pd.Series, models: tuple[str, ...], horizon: int, count: int, step: int) -> pd.DataFrame:
    """Rolling-origin backtest of `models` on monthly history `y` (Series with month-start index).

    Out: one row per model x origin: model, origin (last training month "YYYY-MM"), horizon_months, mape, bias.
    Origins are those where every model can be trained (a fair comparison); a model that fails to fit at an
    origin gets NaN there.
    """
    need = max(MIN_TRAIN[m] for m in models)
    rows = []
    values = y.to_numpy(dtype=float)
    for cut in origins(len(y), horizon, count, step, need):
        origin = y.index[cut - 1].strftime("%Y-%m")
        actual = values[cut : cut + horizon]
        for model in models:
            try:
                mape, bias = accuracy(actual, predict(model, values[:cut], horizon).mean)
            except (ValueError, np.linalg.LinAlgError):
                mape, bias = math.nan, math.nan
            rows.append(
                {"model": model, "origin": origin, "horizon_months": horizon, "mape": mape, "bias": bias}
            )
    return pd.DataFrame(rows, columns=["model", "origin", "horizon_months", "mape", "bias"])


def choose(bt: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """The model with the lowest mean MAPE over the origins (ties: the earlier, richer model in the tier order).

    Out: (model, summary) where summary has model, origins, mape, bias (means) ranked best first.
    """
    if bt.empty:
        raise ValueError("empty backtest: nothing to choose from")
    order = {m: i for i, m in enumerate(dict.fromkeys(bt["model"]))}
    summary = (
        bt.groupby("model", sort=False)
        .agg(origins=("mape", "count"), mape=("mape", "mean"), bias=("bias", "mean"))
        .reset_index()
    )
    summary["_rank"] = summary["mape"].fillna(math.inf)
    summary["_order"] = summary["model"].map(order)
    summary = (
        summary.sort_values(["_rank", "_order"]).drop(columns=["_rank", "_order"]).reset_index(drop=True)
    )
    return str(summary["model"].iloc[0]), summary


# ------------------------------------------------------------------------------------------------ pipeline
@dataclass
class Result:
    """Everything the goals step needs from forecasting."""

    history: pd.Series  # monthly sales up to the last complete month
    forecast: pd.DataFrame  # month, model, forecast, lower, upper, chosen
    backtest: pd.DataFrame  # model, origin, horizon_months, mape, bias
    summary: pd.DataFrame  # model, origins, mape, bias (ranked)
    chosen: str
    tier: tuple[str, ...]
    reason: str  # "backtest" | "short_history" | "no_backtest"
    level: float  # coverage of lower/upper
    notes: list[str] = field(default_factory=list)  # models dropped and why (for the report)


def run(
    orders: pd.DataFrame,
    as_of: date,
    plan_year: int,
    horizon: int = 12,
    count: int = 3,
    step: int = 3,
    level: float = 0.8,
) -> Result:
    """Monthly forecast from the month after `as_of`'s last complete month through December of `plan_year`.

    Reads goals parameters `forecast_horizon` (-> horizon), `backtest_origins` (-> count), `backtest_step`
    (-> step), `interval` (-> level) through the caller. The tier of models is the richest one whose most
    demanding model can be trained at one backtest origin at least; the model with the lowest backtest MAPE is
    chosen. With no possible origin at all, the richest model that can be fitted is chosen unscored
    (`reason="no_backtest"`).
    """
    y = monthly_sales(orders, as_of)
    if y.empty or float(y.sum()) <= 0:
        raise ForecastError("no sales before as_of: nothing to forecast from")
    last = y.index[-1]
    end = pd.Timestamp(year=plan_year, month=12, day=1)
    h = (end.year - last.year) * 12 + end.month - last.month
    if h < 1:
        raise ForecastError(f"plan year {plan_year} lies before the history's last month {last:%Y-%m}")
    n = len(y)
    tier: tuple[str, ...] = ()
    bt = pd.DataFrame(columns=["model", "origin", "horizon_months", "mape", "bias"])
    reason = "backtest"
    for i, candidate in enumerate(TIERS):
        need = max(MIN_TRAIN[m] for m in candidate)
        if origins(n, horizon, count, step, need):
            tier = candidate
            bt = backtest(y, candidate, horizon, count, step)
            reason = "backtest" if i == 0 else "short_history"
            break
    if not tier:
        tier = next(t for t in TIERS if n >= max(MIN_TRAIN[m] for m in t))
        reason = "no_backtest"
    notes = [m for m in TIERS[0] if m not in tier]
    fc_rows = []
    fitted: list[str] = []
    months = pd.date_range(last + pd.DateOffset(months=1), periods=h, freq="MS").strftime("%Y-%m")
    for model in tier:
        try:
            p = predict(model, y.to_numpy(), h, level)
        except (ValueError, np.linalg.LinAlgError):
            notes.append(model)
            continue
        fitted.append(model)
        fc_rows.append(pd.DataFrame({"month": months, "model": model, "forecast": p.mean, "lower": p.lower,
                                     "upper": p.upper}))  # fmt: skip
    if not fitted:
        raise ForecastError("no model could be fitted to the history")
    if reason == "no_backtest":
        chosen, summary = fitted[0], pd.DataFrame(columns=["model", "origins", "mape", "bias"])
    else:
        chosen, summary = choose(bt[bt["model"].isin(fitted)])
    fc = pd.concat(fc_rows, ignore_index=True)
    fc["chosen"] = fc["model"] == chosen
    return Result(y, fc, bt, summary, chosen, tier, reason, level, notes)


def scored(result: Result) -> bool:
    """Whether the backtest scored any model (a history too short for one origin has no score to show)."""
    return result.reason != "no_backtest" and bool(
        pd.to_numeric(result.backtest["mape"], errors="coerce").notna().any()
    )


def plan_year_baseline(result: Result, plan_year: int) -> pd.DataFrame:
    """Chosen model's months of `plan_year` (actuals where the plan year has already started), one row a month.

    Out: month "YYYY-MM", baseline, source ("actual" | "forecast"), lower, upper.
    """
    months = pd.date_range(f"{plan_year}-01-01", periods=12, freq="MS")
    fc = result.forecast[result.forecast["chosen"]].set_index("month")
    rows = []
    for m in months:
        key = m.strftime("%Y-%m")
        if m in result.history.index:
            v = float(result.history[m])
            rows.append((key, v, "actual", v, v))
        else:
            r = fc.loc[key]
            rows.append((key, float(r["forecast"]), "forecast", float(r["lower"]), float(r["upper"])))
    return pd.DataFrame(rows, columns=["month", "baseline", "source", "lower", "upper"])


def baseline_forecast(orders: pd.DataFrame, p: Params) -> Result:
    """The forecast the plan starts from. Reads as_of, plan_year and goals.forecast_horizon, backtest_origins,
    backtest_step, interval.
    """
    g = p.goals
    return run(
        orders,
        p.as_of,
        p.plan_year,
        horizon=g.forecast_horizon,
        count=g.backtest_origins,
        step=g.backtest_step,
        level=g.interval,
    )
