"""The plan of record: what management approved for the last year of the history.

Prior-year actual x ~1.15 per region, spread over the months by the region's month-of-year profile and over the
quota reps employed on 1 January by their expected output, so the review step finds the east about on plan and
the northeast clearly behind.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from planning.sample.draws import NAT, day_of, month_starts, to_dt
from planning.sample.history import OrderHistory
from planning.sample.structure import REGION_KEYS


def plan_of_record(
    rng: np.random.Generator, reps: dict[str, np.ndarray], rep_ids: pd.Index, hist: OrderHistory, year: int
) -> pd.DataFrame:
    """The plan approved at the start of `year`: prior-year actual * ~1.15 per region, spread over the months
    by the region's average month-of-year profile, split over the quota reps employed on 1 January in
    proportion to their expected output that year (productivity * average ramp)."""
    n_reg = len(REGION_KEYS)
    o_reg, o_month, o_year, order_amount = hist.region, hist.month, hist.year, hist.amount
    prior = np.bincount(o_reg[o_year == year - 1], weights=order_amount[o_year == year - 1], minlength=n_reg)
    before = o_year < year
    moy = (o_month[before] % 12).astype(np.int64)
    prof = np.zeros((n_reg, 12))
    np.add.at(prof, (o_reg[before], moy), order_amount[before])
    prof = prof / prof.sum(axis=1, keepdims=True)
    uplift = 1.15 * rng.lognormal(0, 0.015, n_reg)
    jan1 = day_of(_dt.date(year, 1, 1))
    dec31 = day_of(_dt.date(year, 12, 31))
    rows_rep, rows_month, rows_target, rows_reg = [], [], [], []
    month_days = month_starts(jan1, dec31)[:12]
    for r in range(n_reg):
        idx = np.flatnonzero(
            (reps["region"] == r)
            & (reps["role"] == 0)
            & (reps["hire"] <= jan1)
            & ((reps["exit"] == NAT) | (reps["exit"] >= jan1))
        )
        if len(idx) == 0:
            continue
        mid_tenure = (jan1 + 182 - reps["hire"][idx]).astype(np.float64)
        share = reps["prod"][idx] * (0.2 + 0.8 * np.clip(mid_tenure / reps["ramp_days"][idx], 0, 1))
        share = share / share.sum()
        target = prior[r] * uplift[r] * prof[r][:, None] * share[None, :]  # month x rep
        rows_rep.append(np.tile(idx, 12))
        rows_month.append(np.repeat(month_days, len(idx)))
        rows_target.append(np.round(target.ravel(), 2))
        rows_reg.append(np.full(12 * len(idx), r))
    plan = pd.DataFrame(
        {
            "year": np.full(sum(len(a) for a in rows_rep), year, dtype=np.int64),
            "month": to_dt(np.concatenate(rows_month)),
            "region": pd.array(np.array(REGION_KEYS)[np.concatenate(rows_reg)], dtype="str"),
            "rep_id": pd.array(rep_ids[np.concatenate(rows_rep)], dtype="str"),
            "target": np.concatenate(rows_target),
        }
    )
    return plan.sort_values(["month", "region", "rep_id"], ignore_index=True)
