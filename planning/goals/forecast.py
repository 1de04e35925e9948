"""Baseline sales forecast ("what will likely happen") with a rolling-origin backtest that picks the models.

`baseline_forecast(orders, p, company)` is the step's entry (the parameters' horizon, origins, step, interval and
holiday); `run` is the same with explicit dates (the review step refits models at back-dated origins with
`predict`).

Models (statsmodels and numpy, plus the seasonal-naive benchmark every forecast has to beat):

- `pooled`: the month-of-year profile shared by all regions (and the Lunar New Year where set) x the region's
  level with a damped linear trend (`pooling.predict_pooled`); log-normal interval from the trend's residuals.
- `pooled_holt`: the same profile x statsmodels' damped Holt on the region's deseasonalised log sales.
- `sarima`: SARIMA(1,0,0)(0,1,1)12 with a constant (a year-over-year drift), statsmodels `SARIMAX`.
- `seasonal_naive`: the same month one year earlier; interval from the spread of year-over-year changes
  (Hyndman & Athanasopoulos, FPP3 5.5: sigma_h = sigma * sqrt(k + 1), k = whole years into the horizon).
- `ets`: ETS with additive error, damped trend and multiplicative seasonality; no longer a candidate (it lost
  to the pooled models out of sample and costs 0.8 s a fit) but still fitted for an older snapshot that chose it.
- `holt`: ETS with a damped trend and no season (history of 12-17 months).
- `mean`: the mean month (history shorter than 12 months); interval from the monthly spread.
- `a+b`: the mean of models a and b. The two models with the lowest backtest MAPE are also scored averaged
  (averages of good models often beat the single backtest winner out of sample: M3 / M4 competitions), and the
  forecast is whichever of them all scores best; a combination's interval is log-normal with the spread of its
  own backtest errors, so it says how wrong it has been.

Short histories degrade tier by tier (`TIERS`): a tier is used when its most demanding model can be trained on
at least one backtest origin; otherwise the next, simpler tier, and the reason is returned for the report.
Every interval is analytic or computed from the backtest; the ETS simulation uses the fixed `INTERVAL_SEED`.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from planning.errors import ForecastError
from planning.goals import pooling
from planning.market import periods

if TYPE_CHECKING:
    from planning.params import Params

SEASON = 12

#: Simulated paths behind an ETS interval that has no closed form (multiplicative season), and the seed of
#: their errors: fixed, so a rerun gives the same bytes (the point forecast does not depend on them).
SIMULATIONS = 1000
INTERVAL_SEED = 20270101

#: Months of training a model needs (two full seasons for a seasonal state-space model).
#: A pooled model's own level and trend need a year and a half (the profile comes mostly from the peers).
MIN_TRAIN = {
    "pooled": 18, "pooled_holt": 18, "ets": 24, "sarima": 24, "seasonal_naive": 12, "holt": 6, "mean": 1,
}  # fmt: skip

#: Candidate model sets, richest first. The backtest compares the models of the first tier that fits.
TIERS: tuple[tuple[str, ...], ...] = (
    ("pooled", "pooled_holt", "sarima", "seasonal_naive"),
    ("pooled", "pooled_holt", "seasonal_naive"),
    ("holt", "seasonal_naive"),
    ("holt", "mean"),
    ("mean",),
)

#: How many of the best backtest models the forecast averages.
COMBINE = 2


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


def members(model: str) -> tuple[str, ...]:
    """The models a forecast name stands for: ("sarima",) for "sarima", ("pooled", "sarima") for their mean."""
    return tuple(model.split("+"))


def min_train(model: str) -> int:
    """Months of history `model` (a single model or a combination) needs."""
    return max(MIN_TRAIN[m] for m in members(model))


# While `run` runs: its fits by (model, history, h, level, pool). `run` fits a combination's members on the full
# history again after fitting each of them alone ("pooled+sarima" after "pooled" and "sarima"); the same inputs
# give the same fit, so the second is read from here (one SARIMA fit a region less).
_FITS: dict[tuple, Prediction] | None = None


def _single(model: str, y: np.ndarray, h: int, level: float, pool: pooling.Pool | None) -> Prediction:
    if _FITS is None:
        return _fit(model, y, h, level, pool)
    key = (model, y.tobytes(), h, level,
           None if pool is None else (pool.peers.tobytes(), pool.peers.shape, pool.start, pool.holiday))  # fmt: skip
    if key not in _FITS:
        _FITS[key] = _fit(model, y, h, level, pool)
    return _FITS[key]


def _fit(model: str, y: np.ndarray, h: int, level: float, pool: pooling.Pool | None) -> Prediction:
    if model == "seasonal_naive":
        return _seasonal_naive(y, h, level)
    if model == "mean":
        return _mean(y, h, level)
    if model == "sarima":
        return _sarima(y, h, level)
    if model in ("pooled", "pooled_holt"):
        mean, sigma = pooling.predict_pooled(y, h, pool, holt=model == "pooled_holt")
        return Prediction(mean, *pooling.log_interval(mean, sigma, level, _z(level)))
    return _ets(y, h, level, seasonal=model == "ets")


def predict(
    model: str, y: np.ndarray, h: int, level: float = 0.8, pool: pooling.Pool | None = None
) -> Prediction:
    """Forecast `h` months after the monthly history `y` with `model`; lower/upper at `level` (e.g. 0.8).

    `model` is one of `MIN_TRAIN` or a combination "a+b" (the mean of their forecasts and of their bounds);
    `pool` is what the pooled models borrow (the peers on y's months; without it the region's own profile).
    Forecasts and bounds are floored at 0 (sales do not go negative). Raises ValueError for an unknown model or
    a history shorter than `min_train(model)`.
    """
    unknown = [m for m in members(model) if m not in MIN_TRAIN]
    if unknown:
        raise ValueError(f"unknown model {unknown[0]!r}: expected one of {', '.join(MIN_TRAIN)}")
    if len(y) < min_train(model):
        raise ValueError(f"model {model!r} needs {min_train(model)} months of history, got {len(y)}")
    y = np.asarray(y, dtype=float)
    # Fit on a unit scale: the optimisers converge faster and more reliably than on values in the millions.
    scale = float(np.mean(np.abs(y))) or 1.0
    if pool is not None and pool.peers.size:
        pool = pooling.Pool(pool.peers / scale, pool.start, pool.holiday)
    y = y / scale
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter from statsmodels on short series
        parts = [_single(m, y, h, level, pool) for m in members(model)]
    p = Prediction(*(np.mean([getattr(q, k) for q in parts], axis=0) for k in ("mean", "lower", "upper")))
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


BACKTEST_COLUMNS = ["model", "origin", "horizon_months", "mape", "bias"]


@dataclass
class Rolling:
    """A rolling-origin backtest: the score rows (BACKTEST_COLUMNS) and each origin's forecasts and actuals
    ({cut: {model: mean}}, {cut: actual}), kept to score combinations and size their intervals."""

    rows: list[dict]
    forecasts: dict[int, dict[str, np.ndarray]]
    actuals: dict[int, np.ndarray]
    labels: dict[int, str]

    def frame(self) -> pd.DataFrame:
        """The score rows, one origin's models together (oldest origin first, the tier's order within)."""
        rows = sorted(self.rows, key=lambda r: r["origin"])
        return pd.DataFrame(rows, columns=BACKTEST_COLUMNS)

    def add(self, model: str, horizon: int) -> None:
        """Score `model` ("a+b": the mean of a and b) at every origin where its members have forecasts."""
        for cut, fcs in self.forecasts.items():
            parts = [fcs.get(m) for m in members(model)]
            if model not in fcs and all(q is not None for q in parts):
                fcs[model] = np.mean(parts, axis=0)
            mape, bias = accuracy(self.actuals[cut], fcs[model]) if model in fcs else (math.nan, math.nan)
            self.rows.append({"model": model, "origin": self.labels[cut], "horizon_months": horizon,
                              "mape": mape, "bias": bias})  # fmt: skip

    def log_errors(self, model: str) -> np.ndarray:
        """log(actual / forecast) of `model` over every origin and month where both are positive."""
        out = []
        for cut, fcs in self.forecasts.items():
            if model in fcs:
                a, f = self.actuals[cut], fcs[model]
                ok = (a > 0) & (f > 0)
                out.append(np.log(a[ok] / f[ok]))
        return np.concatenate(out) if out else np.array([])


def rolling(
    y: pd.Series,
    models: tuple[str, ...],
    horizon: int,
    count: int,
    step: int,
    pool: pooling.Pool | None = None,
) -> Rolling:
    """Rolling-origin backtest of `models` on the monthly history `y` (month-start index); `pool` (on y's months)
    is cut at every origin with the history, so nothing after an origin reaches its forecasts."""
    need = max(min_train(m) for m in models)
    values = y.to_numpy(dtype=float)
    out = Rolling([], {}, {}, {})
    for cut in origins(len(y), horizon, count, step, need):
        out.labels[cut] = y.index[cut - 1].strftime("%Y-%m")
        out.actuals[cut] = values[cut : cut + horizon]
        out.forecasts[cut] = {}
        for model in models:
            try:
                out.forecasts[cut][model] = predict(
                    model, values[:cut], horizon, pool=pool.cut(cut) if pool else None
                ).mean
            except (ValueError, np.linalg.LinAlgError):
                pass
    for model in models:
        out.add(model, horizon)
    return out


def backtest(
    y: pd.Series,
    models: tuple[str, ...],
    horizon: int,
    count: int,
    step: int,
    pool: pooling.Pool | None = None,
) -> pd.DataFrame:
    """Rolling-origin backtest of `models` on monthly history `y` (Series with month-start index).

    Out: one row per model x origin: model, origin (last training month "YYYY-MM"), horizon_months, mape, bias.
    Origins are those where every model can be trained (a fair comparison); a model that fails to fit at an
    origin gets NaN there.
    """
    return rolling(y, models, horizon, count, step, pool).frame()


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


def combination(summary: pd.DataFrame, k: int = COMBINE) -> str:
    """The mean of the `k` best-scored single models of a `choose` summary, best first ("pooled+sarima"); the
    best model alone when only one was scored."""
    scored = summary[summary["mape"].notna() & ~summary["model"].str.contains("+", regex=False)]
    return "+".join(scored["model"].iloc[:k]) if len(scored) else str(summary["model"].iloc[0])


# ------------------------------------------------------------------------------------------------ pipeline
@dataclass
class Result:
    """Everything the goals step needs from forecasting."""

    history: pd.Series  # monthly sales up to the last complete month
    forecast: pd.DataFrame  # month, model, forecast, lower, upper, chosen
    backtest: pd.DataFrame  # model, origin, horizon_months, mape, bias
    summary: pd.DataFrame  # model, origins, mape, bias (ranked)
    chosen: str  # a model, or the mean of the two best ("pooled+sarima")
    tier: tuple[str, ...]
    reason: str  # "backtest" | "short_history" | "no_backtest"
    level: float  # coverage of lower/upper
    notes: list[str] = field(default_factory=list)  # models dropped and why (for the report)
    pooled: int = 0  # peers the pooled profile borrowed from (0: the region's own profile)
    holiday: str = "none"  # the moving holiday the pooled models follow


def _interval(mean: np.ndarray, errors: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Log-normal interval of a forecast from its backtest errors (log actual / forecast): root mean square,
    so a biased past widens it. None with fewer than a year of errors."""
    if len(errors) < SEASON:
        return None
    sigma = float(np.sqrt(np.mean(errors**2)))
    return pooling.log_interval(mean, sigma, level, _z(level))


def _keeping_fits(fn: Callable[..., Result]) -> Callable[..., Result]:
    """`fn` with its own `_FITS` while it runs (the caller's, if any, back afterwards)."""

    @functools.wraps(fn)
    def kept(*args: Any, **kwargs: Any) -> Result:
        global _FITS
        outer, _FITS = _FITS, {}
        try:
            return fn(*args, **kwargs)
        finally:
            _FITS = outer

    return kept


@_keeping_fits
def run(
    orders: pd.DataFrame,
    as_of: date,
    plan_year: int,
    horizon: int = 12,
    count: int = 3,
    step: int = 3,
    level: float = 0.8,
    company: pd.DataFrame | None = None,
    region: str = "",
    holiday: str = "none",
) -> Result:
    """Monthly forecast from the month after `as_of`'s last complete month through December of `plan_year`.

    Reads goals parameters `forecast_horizon` (-> horizon), `backtest_origins` (-> count), `backtest_step`
    (-> step), `interval` (-> level), `forecast_holiday` (-> holiday) through the caller. `company`: the monthly
    sales of every region (`pooling.company_monthly`), whose other regions than `region` the pooled models
    borrow their season from (only on the months of this region's history: nothing after `as_of`).
    The tier of models is the richest one whose most demanding model can be trained at one backtest origin at
    least; the forecast is the one with the lowest backtest MAPE among its models and the mean of the best two
    (ties: the single model). With no possible origin at all, the richest model that can be fitted is chosen unscored (`reason="no_backtest"`).
    """
    y = monthly_sales(orders, as_of)
    if y.empty or float(y.sum()) <= 0:
        raise ForecastError("no sales before as_of: nothing to forecast from")
    last = y.index[-1]
    end = pd.Timestamp(year=plan_year, month=12, day=1)
    h = (end.year - last.year) * 12 + end.month - last.month
    if h < 1:
        raise ForecastError(f"plan year {plan_year} lies before the history's last month {last:%Y-%m}")
    pool = pooling.pool_for(y, company, region, holiday)
    n = len(y)
    tier: tuple[str, ...] = ()
    roll = Rolling([], {}, {}, {})
    reason = "backtest"
    for i, candidate in enumerate(TIERS):
        if origins(n, horizon, count, step, max(MIN_TRAIN[m] for m in candidate)):
            tier = candidate
            roll = rolling(y, candidate, horizon, count, step, pool)
            reason = "backtest" if i == 0 else "short_history"
            break
    if not tier:
        tier = next(t for t in TIERS if n >= max(MIN_TRAIN[m] for m in t))
        reason = "no_backtest"
    notes = [m for m in TIERS[0] if m not in tier]
    fc_rows = []
    fitted: list[str] = []
    months = pd.date_range(last + pd.DateOffset(months=1), periods=h, freq="MS").strftime("%Y-%m")
    values = y.to_numpy()

    def add(model: str, p: Prediction) -> None:
        fc_rows.append(pd.DataFrame({"month": months, "model": model, "forecast": p.mean, "lower": p.lower,
                                     "upper": p.upper}))  # fmt: skip

    for model in tier:
        try:
            p = predict(model, values, h, level, pool)
        except (ValueError, np.linalg.LinAlgError):
            notes.append(model)
            continue
        fitted.append(model)
        add(model, p)
    if not fitted:
        raise ForecastError("no model could be fitted to the history")
    if reason == "no_backtest":
        chosen, summary = fitted[0], pd.DataFrame(columns=["model", "origins", "mape", "bias"])
    else:
        bt = roll.frame()
        _, summary = choose(bt[bt["model"].isin(fitted)])
        combined = combination(summary)
        if combined not in fitted:
            # A combination has no model of its own: its interval is as wide as its backtest errors were.
            roll.add(combined, horizon)
            p = predict(combined, values, h, level, pool)
            bounds = _interval(p.mean, roll.log_errors(combined), level)
            add(combined, Prediction(p.mean, *bounds) if bounds else p)
            fitted.append(combined)
        chosen, summary = choose(roll.frame()[lambda d: d["model"].isin(fitted)])
    fc = pd.concat(fc_rows, ignore_index=True)
    fc["chosen"] = fc["model"] == chosen
    peers = pool.peers.shape[1] if pool is not None else 0
    bt_frame = roll.frame()
    return Result(y, fc, bt_frame, summary, chosen, tier, reason, level, notes, peers, holiday)


#: The model name of the minimal plan's run rate (`run_rate`): not a forecast model, no backtest, no interval.
RUN_RATE = "run_rate"


def run_rate(orders: pd.DataFrame, p: Params) -> Result:
    """The minimal plan's baseline (docs/method.md, short histories): the sales of the complete months of history
    (`periods.history_months`, 3 to 12 of them) / their number, the same every month from the month after the
    last complete one through December of the plan year. No backtest (`backtest` and `summary` have no rows),
    no interval (`lower`, `upper` NaN): the months cannot score a model or measure a season. `history` holds
    the complete months only (a month the data covers in part is no run rate's month). Reads as_of, plan_year,
    goals.interval. Raises ForecastError without a complete month or when the plan year lies before it.
    """
    months = periods.history_months(orders["order_date"], p.as_of)
    y = monthly_sales(orders, p.as_of)
    y = y[y.index.to_period("M").isin(months)]
    if y.empty:
        raise ForecastError("no complete month of sales before as_of: no run rate")
    last = y.index[-1]
    end = pd.Timestamp(year=p.plan_year, month=12, day=1)
    h = (end.year - last.year) * 12 + end.month - last.month
    if h < 1:
        raise ForecastError(f"plan year {p.plan_year} lies before the history's last month {last:%Y-%m}")
    rate = float(y.sum()) / len(y)
    fc = pd.DataFrame(
        {
            "month": pd.date_range(last + pd.DateOffset(months=1), periods=h, freq="MS").strftime("%Y-%m"),
            "model": RUN_RATE,
            "forecast": rate,
            "lower": math.nan,
            "upper": math.nan,
            "chosen": True,
        }
    )
    backtest = pd.DataFrame(columns=BACKTEST_COLUMNS)
    summary = pd.DataFrame(columns=["model", "origins", "mape", "bias"])
    return Result(y, fc, backtest, summary, RUN_RATE, (RUN_RATE,), "minimal", p.goals.interval)


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


def baseline_forecast(orders: pd.DataFrame, p: Params, company: pd.DataFrame | None = None) -> Result:
    """The forecast the plan starts from: the region's `orders`, and `company` (every region's monthly sales,
    `pooling.company_monthly`) for the pooled season. Reads as_of, plan_year, region and goals.forecast_horizon,
    backtest_origins, backtest_step, interval, forecast_holiday.
    """
    return run(orders, p.as_of, p.plan_year, **settings(p, company))


def settings(p: Params, company: Any = None) -> dict[str, Any]:
    """The keyword arguments of `run` / `evaluation.evaluate` the parameters set: goals.(forecast_horizon,
    backtest_origins, backtest_step, interval, forecast_holiday), the region and the pooled `company` sales."""
    g = p.goals
    return {
        "horizon": g.forecast_horizon,
        "count": g.backtest_origins,
        "step": g.backtest_step,
        "level": g.interval,
        "company": company,
        "region": p.region.key,
        "holiday": g.forecast_holiday,
    }
