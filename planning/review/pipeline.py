"""The in-quarter forecast from the pipeline: open opportunities weighted by the stage probabilities the region's
own closed deals show, by month of expected close, in worst / commit / best cases; with the run rate and what is
won to date, the expected landing of the quarter and the year against target (docs/rhythm.md).

Stage probability: of the deals closed (won or lost) in the last `review.pipeline.history_months` months that
reached a stage, the share that was won (a later stage implies the earlier ones, `strategy.funnel`). A stage with
fewer than `min_closed` such deals takes the figure of the region's whole history (basis "all_history").

Expected close: the opportunity's `expected_close_date` where the data has that column and a value (basis
"expected_close_date"); otherwise the date it reached its current stage plus the median days the region's won
deals took from that stage to close (basis "stage_median"); a date already past counts the day after `as_of`.
"""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planning.review.periods import ts
from planning.review.plan import Plan
from planning.strategy.funnel import STAGE_DATE, reached_stages
from planning.strategy.history import months_before

if TYPE_CHECKING:
    from planning.params import Pipeline

OPEN_STAGES = ("lead", "discovery", "proposal", "negotiation")
STAGE_COLUMNS = [
    "stage",
    "reached",
    "won",
    "probability",
    "days_to_close",
    "basis",
    "open_deals",
    "open_amount",
]
FORECAST_COLUMNS = ["month", "deals", "amount", "worst", "commit", "best"]
LANDING_COLUMNS = [
    "horizon",
    "period",
    "target",
    "actual_to_date",
    "remaining_days",
    "run_rate_landing",
    "worst",
    "commit",
    "best",
    "commit_vs_target",
    "pipeline_share",
]


Reached = tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]


def _rows_of(reached: Reached, rows: np.ndarray) -> Reached:
    """`reached_stages` of some rows, taken from all the rows' (it is worked out row by row)."""
    stages, closed, won = reached
    return {s: r[rows] for s, r in stages.items()}, closed[rows], won[rows]


def _stage_counts(opps: pd.DataFrame, as_of: pd.Timestamp, reached: Reached | None = None) -> pd.DataFrame:
    """Closed deals that reached each open stage and how many of them were won."""
    reached, closed, won = reached_stages(opps, as_of) if reached is None else reached
    rows = []
    for s in OPEN_STAGES:
        sel = reached[s] & closed
        rows.append((s, int(sel.sum()), int((sel & won).sum())))
    return pd.DataFrame(rows, columns=["stage", "reached", "won"])


def _days_to_close(
    opps: pd.DataFrame, as_of: pd.Timestamp, reached: Reached | None = None
) -> dict[str, float]:
    """Median days from reaching each stage to closing, over the won deals with that stage's date."""
    _, _, won = reached_stages(opps, as_of) if reached is None else reached
    w = opps[won]
    close = pd.to_datetime(w["close_date"])
    out = {}
    for s in OPEN_STAGES:
        col = STAGE_DATE[s]
        d = pd.to_datetime(w[col]) if col in w.columns else pd.Series(pd.NaT, index=w.index)
        days = (close - d).dt.days.dropna()
        out[s] = float(days.median()) if len(days) else math.nan
    return out


def current_stage(opps: pd.DataFrame, as_of: date, reached: Reached | None = None) -> np.ndarray:
    """The furthest open stage each opportunity reached by `as_of` (text array)."""
    reached_by, _, _ = reached_stages(opps, ts(as_of)) if reached is None else reached
    stage = np.full(len(opps), "lead", dtype=object)
    for s in OPEN_STAGES[1:]:
        stage[reached_by[s]] = s
    return stage


def open_deals(opps: pd.DataFrame | None, as_of: date, reached: Reached | None = None) -> pd.DataFrame:
    """Opportunities open on `as_of` (not closed by then), with their current stage. `reached`: the
    `reached_stages` of `opps` on `as_of` when the caller has them."""
    if opps is None or opps.empty:
        return pd.DataFrame(columns=["opportunity_id", "amount", "stage"])
    reached = reached_stages(opps, ts(as_of)) if reached is None else reached
    lead = pd.to_datetime(opps["lead_date"])
    keep = ~reached[1] & (lead <= ts(as_of)).to_numpy() & (opps["status"].astype(str) != "lost").to_numpy()
    out = opps[keep].copy()
    out["stage"] = current_stage(out, as_of, _rows_of(reached, keep))
    return out


def stage_probabilities(opps: pd.DataFrame | None, as_of: date, cfg: Pipeline) -> pd.DataFrame:
    """Per open stage: reached (closed deals of the window that reached it), won, probability = won / reached,
    days_to_close (median, won deals), basis ("own": the last `history_months`; "all_history"; "none"),
    open_deals and open_amount (open on `as_of`). STAGE_COLUMNS."""
    if opps is None or opps.empty:
        return pd.DataFrame(
            {"stage": list(OPEN_STAGES), "reached": 0, "won": 0, "probability": math.nan,
             "days_to_close": math.nan, "basis": "none", "open_deals": 0, "open_amount": 0.0}
        )[STAGE_COLUMNS]  # fmt: skip
    end = ts(as_of)
    close = pd.to_datetime(opps["close_date"])
    recent = ((close > months_before(end, cfg.history_months)) & (close <= end)).to_numpy()
    reached = reached_stages(opps, end)  # once: the recent and the open deals' are its rows
    own = _stage_counts(opps[recent], end, _rows_of(reached, recent))
    every = _stage_counts(opps, end, reached)
    days = _days_to_close(opps, end, reached)
    opn = open_deals(opps, as_of, reached)
    rows = []
    for s, a, b in zip(OPEN_STAGES, own.itertuples(), every.itertuples(), strict=True):
        src, basis = (a, "own") if a.reached >= cfg.min_closed else (b, "all_history")
        if src.reached == 0:
            basis = "none"
        sel = opn["stage"] == s
        rows.append(
            {
                "stage": s,
                "reached": src.reached,
                "won": src.won,
                "probability": src.won / src.reached if src.reached else math.nan,
                "days_to_close": days[s],
                "basis": basis,
                "open_deals": int(sel.sum()),
                "open_amount": float(opn.loc[sel, "amount"].astype(float).sum()),
            }
        )
    return pd.DataFrame(rows, columns=STAGE_COLUMNS)


def expected_close(deals: pd.DataFrame, stages: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """`deals` (open_deals) with expected_close and close_basis (module docstring)."""
    out = deals.copy()
    median = stages.set_index("stage")["days_to_close"]
    stage_date = pd.Series(pd.NaT, index=out.index, dtype="datetime64[us]")
    for s in OPEN_STAGES:
        sel = out["stage"] == s
        col = STAGE_DATE[s]
        if col in out.columns and sel.any():
            stage_date[sel] = pd.to_datetime(out.loc[sel, col])
    days = out["stage"].map(median).astype(float).fillna(0.0)
    estimate = stage_date + pd.to_timedelta(days.round(), unit="D")
    basis = pd.Series("stage_median", index=out.index)
    if "expected_close_date" in out.columns:
        given = pd.to_datetime(out["expected_close_date"], errors="coerce")
        basis[given.notna()] = "expected_close_date"
        estimate = given.where(given.notna(), estimate)
    tomorrow = ts(as_of) + pd.Timedelta(days=1)
    out["expected_close"] = estimate.where(estimate >= tomorrow, tomorrow)
    out["close_basis"] = basis
    return out


def pipeline_forecast(
    opps: pd.DataFrame | None, stages: pd.DataFrame, as_of: date, cfg: Pipeline
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Open deals by month of expected close (FORECAST_COLUMNS: month "YYYY-MM", deals, amount, worst, commit,
    best) and the deals themselves (opportunity_id, stage, amount, probability, expected_close, close_basis).

    worst: deals at or beyond `worst_from` x their stage probability; commit: at or beyond `commit_from` x
    probability; best: at or beyond `best_full_from` at full amount, earlier stages x probability.
    """
    deals = expected_close(open_deals(opps, as_of), stages, as_of)
    if deals.empty:
        return pd.DataFrame(columns=FORECAST_COLUMNS), deals
    rank = {s: i for i, s in enumerate(OPEN_STAGES)}
    pos = deals["stage"].map(rank)
    prob = deals["stage"].map(stages.set_index("stage")["probability"]).astype(float).fillna(0.0)
    amount = deals["amount"].astype(float)
    deals = deals.assign(
        probability=prob,
        worst=np.where(pos >= rank[cfg.worst_from], amount * prob, 0.0),
        commit=np.where(pos >= rank[cfg.commit_from], amount * prob, 0.0),
        best=np.where(pos >= rank[cfg.best_full_from], amount, amount * prob),
        month=deals["expected_close"].dt.strftime("%Y-%m"),
    )
    by = deals.groupby("month", as_index=False).agg(
        deals=("opportunity_id", "size"),
        amount=("amount", "sum"),
        worst=("worst", "sum"),
        commit=("commit", "sum"),
        best=("best", "sum"),
    )
    cols = ["opportunity_id", "stage", "amount", "probability", "expected_close", "close_basis", "month"]
    return by[FORECAST_COLUMNS], deals[cols]


def landing(
    orders: pd.DataFrame,
    opps: pd.DataFrame | None,
    forecast: pd.DataFrame,
    plan: Plan,
    as_of: date,
    cfg: Pipeline,
) -> pd.DataFrame:
    """Expected landing of `as_of`'s quarter and year (LANDING_COLUMNS).

    actual_to_date: revenue booked in the period up to `as_of`; run_rate_landing = actual + revenue per day of
    the last `run_rate_days` x the days left. worst / commit / best = actual + the pipeline's case for the months
    left in the period + the run rate of the revenue that does not come through opportunities (repeat orders):
    run rate x (1 - pipeline_share) x days left, where pipeline_share = won opportunity amounts / revenue over
    the last 365 days (at most 1). target: the plan of record's months of the period (NaN without a plan).
    """
    end = ts(as_of)
    dates = pd.to_datetime(orders["order_date"])
    amount = orders["amount"].astype(float)
    rr_start = end - pd.Timedelta(days=cfg.run_rate_days - 1)
    rate = float(amount[(dates >= rr_start) & (dates <= end)].sum()) / cfg.run_rate_days
    year_rev = float(amount[(dates > end - pd.Timedelta(days=365)) & (dates <= end)].sum())
    won_amount = 0.0
    if opps is not None and len(opps):
        close = pd.to_datetime(opps["close_date"])
        won = (opps["status"].astype(str) == "won") & (close > end - pd.Timedelta(days=365)) & (close <= end)
        won_amount = float(opps.loc[won, "amount"].astype(float).sum())
    share = min(won_amount / year_rev, 1.0) if year_rev > 0 else 0.0
    q0 = pd.Timestamp(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    periods = [
        ("quarter", f"{end.year}-Q{(end.month - 1) // 3 + 1}", q0, q0 + pd.offsets.QuarterEnd(0)),
        ("year", str(end.year), pd.Timestamp(end.year, 1, 1), pd.Timestamp(end.year, 12, 31)),
    ]
    rows = []
    for horizon, key, start, stop in periods:
        actual = float(amount[(dates >= start) & (dates <= end)].sum())
        left = (stop - end).days
        months = pd.date_range(end.to_period("M").to_timestamp(), stop, freq="MS").strftime("%Y-%m")
        pipe = forecast[forecast["month"].isin(months)] if len(forecast) else forecast
        base = actual + rate * (1 - share) * left
        target = math.nan
        if plan.exists:
            pm = plan.months
            target = float(pm.loc[(pm["month"] >= start) & (pm["month"] <= stop), "target"].sum())
        commit = base + float(pipe["commit"].sum()) if len(pipe) else base
        rows.append(
            {
                "horizon": horizon,
                "period": key,
                "target": target,
                "actual_to_date": actual,
                "remaining_days": left,
                "run_rate_landing": actual + rate * left,
                "worst": base + (float(pipe["worst"].sum()) if len(pipe) else 0.0),
                "commit": commit,
                "best": base + (float(pipe["best"].sum()) if len(pipe) else 0.0),
                "commit_vs_target": commit / target if target and not math.isnan(target) else math.nan,
                "pipeline_share": share,
            }
        )
    return pd.DataFrame(rows, columns=LANDING_COLUMNS)
