"""Out-of-sample evaluation of the baseline forecast (issue 22, item 1).

The goals step chooses its model by a rolling-origin backtest and reports that same backtest's error, so its
"better than seasonal naive" is measured on the data the choice was made on. Here the last `HOLDOUT` complete
months are held out: the model is chosen exactly as the goals step chooses it (`forecast.run`, same tiers,
origins and tie-breaks) on the history *before* them, then scored on them against seasonal naive (the same
month a year earlier) and the chosen model's prediction interval is checked against what happened.

`evaluate(y, ...)` is a function of a monthly series and the forecast parameters; `evaluate_params(orders, p)`
reads them from the run's parameters; `table` and `summary` put regions side by side.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planning.errors import ForecastError
from planning.goals import forecast

if TYPE_CHECKING:
    from planning.params import Params

#: Months held out at the end of the history (one year: every month of the season is scored once).
HOLDOUT = 12

#: Relative slack when checking that an actual lies inside its interval (a zero-width interval that equals the
#: actual must count as covering it despite the rescaling round-off in `forecast.predict`).
COVER_TOLERANCE = 1e-9

MONTH_COLUMNS = ["month", "actual", "forecast", "lower", "upper", "naive", "covered"]


@dataclass(frozen=True)
class Evaluation:
    """The held-out score of one series.

    status: "ok" | "short_history" (too few months to hold a year out and still have seasonal naive) |
    "no_forecast" (no model could be trained before the held-out year); `reason` says why when not "ok".
    model / tier / selection: what `forecast.run` chose on the history before the held-out year and how
    ("backtest", "short_history", "no_backtest": the goals step's own degradation).
    months: one row per held-out month (MONTH_COLUMNS). mape, naive_mape: `forecast.accuracy` MAPE (months with
    sales) of the chosen model and of seasonal naive; gain = 1 - mape / naive_mape (0 when both are 0);
    coverage: share of held-out months inside the chosen model's interval at `level`.
    """

    status: str
    reason: str = ""
    model: str = ""
    tier: tuple[str, ...] = ()
    selection: str = ""
    origin: str = ""  # last month the model was trained on, "YYYY-MM"
    level: float = math.nan
    months: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MONTH_COLUMNS))
    mape: float = math.nan
    naive_mape: float = math.nan
    gain: float = math.nan
    coverage: float = math.nan


def _as_orders(y: pd.Series) -> pd.DataFrame:
    """One order line per month carrying that month's sales: `forecast.monthly_sales` of it gives `y` back."""
    return pd.DataFrame({"order_date": y.index, "amount": y.to_numpy(dtype=float)})


def gain(mape: float, naive_mape: float) -> float:
    """1 - mape / naive_mape: the share of seasonal naive's error the chosen model removes (negative: worse).
    When seasonal naive is perfect, 0 for a perfect model and -inf for any other; NaN when either is NaN."""
    if math.isnan(mape) or math.isnan(naive_mape):
        return math.nan
    if naive_mape == 0:
        return 0.0 if mape == 0 else -math.inf
    return 1.0 - mape / naive_mape


def evaluate(
    y: pd.Series,
    horizon: int = 12,
    count: int = 3,
    step: int = 3,
    level: float = 0.8,
    holdout: int = HOLDOUT,
    company: pd.DataFrame | None = None,
    region: str = "",
    holiday: str = "none",
) -> Evaluation:
    """Hold out the last `holdout` months of the monthly history `y` (month-start index, no gaps, as
    `forecast.monthly_sales` returns it), choose the model on the months before them with `forecast.run`
    (`horizon`, `count`, `step`: the backtest's parameters; `level`: the interval; `company`, `region`,
    `holiday`: what the pooled models borrow), and score it and seasonal naive on the held-out months. Nothing
    of the held-out months reaches the choice or the fit: `forecast.run` reads the company's months only on the
    region's training months.
    """
    need = holdout + forecast.SEASON
    if len(y) < need:
        return Evaluation(
            "short_history",
            f"{need} months of history needed (the {holdout} held-out months and the year before them, "
            f"which seasonal naive repeats), got {len(y)}",
        )
    y = y.astype(float)
    train, test = y.iloc[:-holdout], y.iloc[-holdout:]
    cutoff = train.index[-1]
    as_of = (cutoff + pd.offsets.MonthEnd(0)).date()
    try:
        result = forecast.run(
            _as_orders(train), as_of, test.index[-1].year, horizon, count, step, level,
            company=company, region=region, holiday=holiday,
        )  # fmt: skip
    except ForecastError as exc:
        return Evaluation("no_forecast", f"no forecast from the months up to {cutoff:%Y-%m}: {exc}")
    chosen = result.forecast[result.forecast["chosen"]].set_index("month")
    keys = test.index.strftime("%Y-%m")
    actual = test.to_numpy()
    fc = chosen.loc[keys]
    naive = y.to_numpy()[len(y) - holdout - forecast.SEASON : len(y) - forecast.SEASON]
    lower, upper = fc["lower"].to_numpy(dtype=float), fc["upper"].to_numpy(dtype=float)
    slack = COVER_TOLERANCE * np.abs(actual)
    covered = (lower - slack <= actual) & (actual <= upper + slack)
    months = pd.DataFrame(
        {
            "month": list(keys),
            "actual": actual,
            "forecast": fc["forecast"].to_numpy(dtype=float),
            "lower": lower,
            "upper": upper,
            "naive": naive,
            "covered": covered,
        },
        columns=MONTH_COLUMNS,
    )
    mape = forecast.accuracy(actual, months["forecast"].to_numpy())[0]
    naive_mape = forecast.accuracy(actual, naive)[0]
    return Evaluation(
        "ok",
        model=result.chosen,
        tier=result.tier,
        selection=result.reason,
        origin=f"{cutoff:%Y-%m}",
        level=level,
        months=months,
        mape=mape,
        naive_mape=naive_mape,
        gain=gain(mape, naive_mape),
        coverage=float(covered.mean()),
    )


def evaluate_params(orders: pd.DataFrame, p: Params, company: pd.DataFrame | None = None) -> Evaluation:
    """`evaluate` of the monthly sales up to the run's as-of, with the goals step's forecast parameters
    (goals.forecast_horizon, backtest_origins, backtest_step, interval, forecast_holiday) and `company` (every
    region's monthly sales, `pooling.company_monthly`) as the goals step pools them."""
    return evaluate(forecast.monthly_sales(orders, p.as_of), **forecast.settings(p, company))


TABLE_COLUMNS = ["region", "status", "model", "selection", "mape", "naive_mape", "gain", "coverage", "reason"]


def table(evaluations: Mapping[str, Evaluation]) -> pd.DataFrame:
    """One row per region (in the mapping's order): TABLE_COLUMNS."""
    rows = [
        {"region": k, "status": e.status, "model": e.model, "selection": e.selection, "mape": e.mape,
         "naive_mape": e.naive_mape, "gain": e.gain, "coverage": e.coverage, "reason": e.reason}
        for k, e in evaluations.items()
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


@dataclass(frozen=True)
class Summary:
    """Regions scored ("ok"), the mean of their gains, the worst gain and its region, and the coverage pooled
    over all their held-out months (covered months / months)."""

    scored: int
    mean_gain: float
    worst_gain: float
    worst_region: str
    covered: int
    months: int

    @property
    def coverage(self) -> float:
        return self.covered / self.months if self.months else math.nan


def summary(evaluations: Mapping[str, Evaluation]) -> Summary:
    ok = {k: e for k, e in evaluations.items() if e.status == "ok" and not math.isnan(e.gain)}
    if not ok:
        return Summary(0, math.nan, math.nan, "", 0, 0)
    worst = min(ok, key=lambda k: ok[k].gain)
    covered = sum(int(e.months["covered"].sum()) for e in ok.values())
    months = sum(len(e.months) for e in ok.values())
    mean_gain = float(np.mean([e.gain for e in ok.values()]))
    return Summary(len(ok), mean_gain, ok[worst].gain, worst, covered, months)
