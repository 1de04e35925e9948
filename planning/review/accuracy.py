"""Forecast accuracy: the chosen forecasts of earlier snapshots against what happened since (MAPE, bias), or,
with no earlier snapshot, a back-dated re-run of this run's chosen model (`planning.goals.forecast`, imported only
then)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from planning import store
from planning.review.periods import ts
from planning.review.plan import chosen_forecast
from planning.review.variance import monthly_actuals


def snapshot_forecasts(root: str | Path, region: str, as_of: date) -> pd.DataFrame:
    """The chosen forecast of every earlier complete snapshot of `region`: snapshot, snapshot_date, month,
    forecast (months after the snapshot's own as_of only)."""
    frames = []
    for snap in store.snapshots(root, before=as_of):
        if snap.kind != "plan":  # adjusted and replan versions carry their plan's forecast: counted once
            continue
        fc = store.read_optional(snap.region_dir(region), "forecast")
        if fc is None:
            continue
        fc = chosen_forecast(fc)
        fc = fc[fc["month"] > pd.Timestamp(snap.as_of)]
        frames.append(fc.assign(snapshot=snap.as_of.isoformat(), snapshot_date=pd.Timestamp(snap.as_of)))
    if not frames:
        return pd.DataFrame(columns=["snapshot", "snapshot_date", "month", "forecast"])
    return pd.concat(frames, ignore_index=True)[["snapshot", "snapshot_date", "month", "forecast"]]


def forecast_accuracy(forecasts: pd.DataFrame, orders: pd.DataFrame, as_of: date, source: str = "snapshot"
                      ) -> pd.DataFrame:  # fmt: skip
    """Forecast vs actual for the months that have fully happened by `as_of`.

    In: snapshot, snapshot_date, month (first day), forecast. Out: snapshot, month "YYYY-MM", horizon_months
    (months after the snapshot's month), forecast, actual, error = forecast - actual, ape = |error| / actual
    (NaN when actual is 0), source.
    """
    cols = ["snapshot", "month", "horizon_months", "forecast", "actual", "error", "ape", "source"]
    if forecasts.empty:
        return pd.DataFrame(columns=cols)
    last_full = ts(as_of) + pd.Timedelta(days=1)
    fc = forecasts[forecasts["month"] + pd.offsets.MonthEnd(0) < last_full].copy()
    if fc.empty:
        return pd.DataFrame(columns=cols)
    act = monthly_actuals(orders, fc["month"].min(), fc["month"].max() + pd.offsets.MonthEnd(0))
    fc = fc.merge(act, on="month", how="left")
    fc["error"] = fc["forecast"] - fc["actual"]
    fc["ape"] = fc["error"].abs() / fc["actual"].where(fc["actual"] > 0)
    sd = pd.to_datetime(fc["snapshot_date"])
    fc["horizon_months"] = (fc["month"].dt.year - sd.dt.year) * 12 + fc["month"].dt.month - sd.dt.month
    fc["month"] = fc["month"].dt.strftime("%Y-%m")
    fc["source"] = source
    return fc[cols].sort_values(["snapshot", "month"]).reset_index(drop=True)


def accuracy_summary(acc: pd.DataFrame) -> pd.DataFrame:
    """Per snapshot: months compared, MAPE (mean APE), bias = sum(error) / sum(actual) (positive = too high)."""
    if acc.empty:
        return pd.DataFrame(columns=["snapshot", "months", "mape", "bias"])
    g = acc.groupby("snapshot")
    return pd.DataFrame(
        {
            "months": g.size(),
            "mape": g["ape"].mean(),
            "bias": g["error"].sum() / g["actual"].sum().where(g["actual"].sum() > 0),
        }
    ).reset_index()


def backtest_forecasts(orders: pd.DataFrame, as_of: date, model: str = "seasonal_naive",
                       lookbacks: tuple[int, ...] = (12, 6)) -> pd.DataFrame:  # fmt: skip
    """With no earlier snapshots: the goals step's forecasting method re-run as if at the end of the last
    complete month `lookbacks` months before `as_of`, on the sales known then.

    `model` is the model the goals step chose in this run (`forecast.csv`, chosen); it is refitted at each
    back-dated origin with `planning.goals.forecast.predict`, which is what the goals step itself runs. Origins with
    less history than the model needs (`forecast.MIN_TRAIN`) are skipped. Out like `snapshot_forecasts`,
    snapshot = "backtest <YYYY-MM-DD>".
    """
    # lazy: planning.goals (its forecast models: scipy.stats, statsmodels) costs ~2.4 s of a review-only run's
    # kernel (`planning review`), which reads the plan of record's forecast and never needs the models
    from planning.goals import forecast

    y = forecast.monthly_sales(orders, as_of)
    frames = []
    for back in lookbacks:
        cut = len(y) - back
        if cut < forecast.MIN_TRAIN.get(model, 12) or back < 1:
            continue
        origin = y.index[cut - 1] + pd.offsets.MonthEnd(0)
        try:
            pred = forecast.predict(model, y.to_numpy(dtype=float)[:cut], back)
        except (ValueError, np.linalg.LinAlgError):
            continue
        frames.append(
            pd.DataFrame(
                {
                    "snapshot": f"backtest {origin.date().isoformat()}",
                    "snapshot_date": origin,
                    "month": y.index[cut:],
                    "forecast": pred.mean,
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["snapshot", "snapshot_date", "month", "forecast"])
    return pd.concat(frames, ignore_index=True)


def chosen_model(fc: pd.DataFrame | None) -> str:
    """The model the goals step chose (rows of its `forecast` artefact with chosen true); seasonal naive when the
    goals step has not written one (`fc` None)."""
    if fc is None:
        return "seasonal_naive"
    if "model" not in fc or "chosen" not in fc:
        return "seasonal_naive"
    chosen = fc[fc["chosen"].astype(str).str.lower().isin(["true", "1"])]
    return str(chosen["model"].iloc[0]) if len(chosen) else "seasonal_naive"


def accuracy_review(root: str | Path, region: str, as_of: date, orders: pd.DataFrame,
                    region_dir: str | Path) -> pd.DataFrame:  # fmt: skip
    """`forecast_accuracy` of the forecasts of the earlier snapshots in `root`; when there is none with a month
    that has happened since, the backtest of this run's chosen model (the `forecast` artefact in the run's
    `region_dir`; `backtest_forecasts`, source "backtest")."""
    acc = forecast_accuracy(snapshot_forecasts(root, region, as_of), orders, as_of)
    if len(acc):
        return acc
    model = chosen_model(store.read_optional(region_dir, "forecast"))
    return forecast_accuracy(backtest_forecasts(orders, as_of, model), orders, as_of, source="backtest")
