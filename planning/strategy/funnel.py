"""The sales funnel: lead -> needs discovery -> proposal -> negotiation -> won, stage by stage (conversion,
time in stage, the bottleneck against a benchmark), and win rate and cycle time overall or per segment.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from planning.data import require
from planning.params import Params
from planning.strategy.history import months_before

# stage -> the date at which an opportunity reached it; `won` is reached at close_date when status is won.
STAGES = ("lead", "discovery", "proposal", "negotiation", "won")
STAGE_DATE = {
    "lead": "lead_date",
    "discovery": "discovery_date",
    "proposal": "proposal_date",
    "negotiation": "negotiation_date",
    "won": "close_date",
}


def reached_stages(
    opps: pd.DataFrame, as_of: pd.Timestamp
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Per stage a bool array "reached by as_of"; plus closed and won arrays.

    A later stage implies the earlier ones (a deal that skipped a recorded step still passed it). Dates after
    `as_of` do not count yet.
    """

    def on_time(col: str) -> np.ndarray:
        if col not in opps.columns:
            return np.zeros(len(opps), dtype=bool)
        d = pd.to_datetime(opps[col])
        return (d.notna() & (d <= as_of)).to_numpy()

    status = opps["status"].astype(str).to_numpy()
    closed = on_time("close_date") & np.isin(status, ["won", "lost"])
    won = closed & (status == "won")
    reached: dict[str, np.ndarray] = {"won": won}
    later = won
    for stage in reversed(STAGES[:-1]):
        later = on_time(STAGE_DATE[stage]) | later
        reached[stage] = later
    reached["lead"] = reached["lead"] | np.ones(len(opps), dtype=bool)
    return reached, closed, won


def in_window(opps: pd.DataFrame, as_of: Any, months: int) -> pd.DataFrame:
    as_of = pd.Timestamp(as_of)
    lead = pd.to_datetime(opps["lead_date"])
    return opps.loc[(lead > months_before(as_of, months)) & (lead <= as_of)]


def _stage_rates(opps: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    reached, closed, _ = reached_stages(opps, as_of)
    rows = []
    for stage, nxt in zip(STAGES[:-1], STAGES[1:], strict=True):
        entered = reached[stage]
        advanced = reached[nxt]
        open_here = entered & ~advanced & ~closed
        decided = int(entered.sum() - open_here.sum())
        days = (
            pd.to_datetime(opps.loc[advanced, STAGE_DATE[nxt]])
            - pd.to_datetime(opps.loc[advanced, STAGE_DATE[stage]])
        ).dt.days
        rows.append(
            {
                "stage": stage,
                "entered": int(entered.sum()),
                "advanced": int(advanced.sum()),
                "open": int(open_here.sum()),
                "dropped": int(decided - advanced.sum()),
                "conversion_rate": advanced.sum() / decided if decided else math.nan,
                "median_days": float(days.median()) if days.notna().any() else math.nan,
            }
        )
    return pd.DataFrame(rows)


FUNNEL_COLUMNS = ("stage", "entered", "advanced", "open", "dropped", "conversion_rate", "median_days",
                  "benchmark_rate", "vs_benchmark", "bottleneck")  # fmt: skip


def funnel(opps: pd.DataFrame | None, p: Params, benchmark: pd.DataFrame | None = None) -> pd.DataFrame:
    """Stage by stage: lead -> needs discovery -> proposal -> negotiation -> won, for leads of the last
    `strategy.funnel_months` months up to `as_of`.

    Per stage: entered (reached it), advanced (reached the next), open (still there), dropped (closed lost there),
    conversion_rate = advanced / (entered - open) (deals still open have not had their chance yet), median_days in
    the stage of the deals that advanced. `benchmark` (e.g. the whole company's opportunities) gives
    benchmark_rate per stage; the bottleneck is the stage whose conversion falls furthest below its benchmark
    (lowest rate / benchmark_rate; lowest rate when there is no benchmark): exactly one row has bottleneck True.
    No rows (the same columns) when there is no opportunities table.
    """
    if opps is None:
        return pd.DataFrame({c: pd.Series(dtype="str" if c == "stage" else "bool" if c == "bottleneck" else
                                          "float64") for c in FUNNEL_COLUMNS})  # fmt: skip
    require(opps, "opportunities", ("lead_date", "status"))
    as_of, months = pd.Timestamp(p.as_of), p.strategy.funnel_months
    out = _stage_rates(in_window(opps, as_of, months), as_of)
    if benchmark is not None and len(benchmark):
        bench = _stage_rates(in_window(benchmark, as_of, months), as_of)
        out["benchmark_rate"] = bench["conversion_rate"].to_numpy()
    else:
        out["benchmark_rate"] = math.nan
    rel = out["conversion_rate"] / out["benchmark_rate"]
    out["vs_benchmark"] = rel - 1.0
    key = rel if rel.notna().any() else out["conversion_rate"]
    out["bottleneck"] = False
    if key.notna().any():
        out.loc[key.idxmin(), "bottleneck"] = True
    return out


def win_stats(opps: pd.DataFrame, p: Params, by: str | None = None) -> pd.DataFrame:
    """Win rate and cycle time overall (`by` None) or per value of `by` (industry, source, product_line ...),
    for leads of the last `strategy.funnel_months` months up to `as_of`.

    Out: [by], leads, open, won, lost, win_rate = won / (won + lost), value_win_rate = won amount / (won + lost
    amount), cycle_days (median lead -> close of won deals), avg_won_amount, avg_lead_amount, won_amount.
    """
    require(opps, "opportunities", ("lead_date", "status", "amount"))
    as_of = pd.Timestamp(p.as_of)
    w = in_window(opps, as_of, p.strategy.funnel_months)
    _, closed, won = reached_stages(w, as_of)
    amount = w["amount"].to_numpy(dtype=float)
    cycle = (pd.to_datetime(w["close_date"]) - pd.to_datetime(w["lead_date"])).dt.days.to_numpy(dtype=float)
    df = pd.DataFrame(
        {
            "key": w[by].astype(str).to_numpy() if by else np.full(len(w), "all"),
            "lead": 1,
            "open": (~closed).astype(int),
            "won": won.astype(int),
            "lost": (closed & ~won).astype(int),
            "won_amount": np.where(won, amount, 0.0),
            "lost_amount": np.where(closed & ~won, amount, 0.0),
            "amount": amount,
            "cycle": np.where(won, cycle, np.nan),
        }
    )
    if df.empty:
        df = pd.DataFrame([{"key": "all", "lead": 0, "open": 0, "won": 0, "lost": 0, "won_amount": 0.0,
                            "lost_amount": 0.0, "amount": np.nan, "cycle": np.nan}])  # fmt: skip
    g = df.groupby("key", sort=True)
    out = g.agg(
        leads=("lead", "sum"),
        open=("open", "sum"),
        won=("won", "sum"),
        lost=("lost", "sum"),
        won_amount=("won_amount", "sum"),
        lost_amount=("lost_amount", "sum"),
        avg_lead_amount=("amount", "mean"),
        cycle_days=("cycle", "median"),
    )
    decided = out["won"] + out["lost"]
    out["win_rate"] = (out["won"] / decided).where(decided > 0)
    decided_amount = out["won_amount"] + out["lost_amount"]
    out["value_win_rate"] = (out["won_amount"] / decided_amount).where(decided_amount > 0)
    out["avg_won_amount"] = (out["won_amount"] / out["won"]).where(out["won"] > 0)
    out = out.reset_index().rename(columns={"key": by or "scope"})
    cols = [by or "scope", "leads", "open", "won", "lost", "win_rate", "value_win_rate", "cycle_days",
            "avg_won_amount", "avg_lead_amount", "won_amount"]  # fmt: skip
    return out[cols]


def bottleneck(funnel_df: pd.DataFrame) -> pd.Series:
    """The bottleneck row of a `funnel` result."""
    return funnel_df.loc[funnel_df["bottleneck"].astype(bool)].iloc[0]
