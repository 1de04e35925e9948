"""The sales funnel: lead -> needs discovery -> proposal -> negotiation -> won, stage by stage (conversion,
time in stage, the bottleneck against a benchmark), and win rate and cycle time overall or per segment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
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


def _dates(opps: pd.DataFrame, col: str) -> pd.Series:
    """A date column as datetime64: as it is when it already is one (what pd.to_datetime would return), else
    parsed. The tables' reader gives datetime64 columns; this saves parsing them again at every use."""
    d = opps[col]
    return d if d.dtype.kind == "M" else pd.to_datetime(d)


def _on_or_before(d: pd.Series, as_of: pd.Timestamp) -> np.ndarray:
    """Bool array: the date is known and on or before `as_of` (a NaT compares False: no notna() needed)."""
    return np.asarray(d.array <= as_of)


def _window_mask(opps: pd.DataFrame, as_of: pd.Timestamp, months: int) -> np.ndarray:
    """Bool array of the rows `in_window` keeps: leads of the last `months` months up to `as_of`."""
    lead = _dates(opps, "lead_date").array
    return np.asarray((lead > months_before(as_of, months)) & (lead <= as_of))


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
        return _on_or_before(_dates(opps, col), as_of)

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
    return opps.loc[_window_mask(opps, pd.Timestamp(as_of), months)]


def lead_months(opps: pd.DataFrame, as_of: Any, months: int) -> int:
    """The months the leads of the last `months` up to `as_of` (`in_window`) can span: `months`, or fewer when
    the data's first lead comes later than the window's start (a short history, a CRM started within the
    window): the calendar months from its month to as_of's. The window a report names ("leads of the last 6
    months"); `months` without leads."""
    last = pd.Timestamp(as_of)
    lead = _dates(opps, "lead_date")
    lead = lead[lead <= last]
    if lead.empty:
        return months
    first = lead.min()
    return min(months, (last.year - first.year) * 12 + last.month - first.month + 1)


#: Share of deals that must carry a value (amount > 0) for sums of their values to mean something.
VALUED_SHARE = 0.5


@dataclass(frozen=True)
class Support:
    """What the opportunities can honestly show (`support`; issue 17 case 6).

    dated_stages: the stages between lead and won with at least one date up to as_of (the funnel's stages; an
    undated stage would show 100 % conversion, as every deal past it is taken to have passed it); value_win_rate: won and lost
    deals both carry values (else lost deals at 0 make the value win rate 100 %); open_values: open deals carry
    values (else the open pipeline sums to 0).
    """

    dated_stages: tuple[str, ...]
    value_win_rate: bool
    open_values: bool
    missing_stages: tuple[str, ...] = ()  # the stages between lead and won without any date

    @property
    def outcomes_only(self) -> bool:
        """No stage between lead and won has a date: the funnel is won / lost / open of the leads."""
        return not self.dated_stages

    @property
    def full(self) -> bool:
        return not self.missing_stages and self.value_win_rate and self.open_values


def _valued(amount: np.ndarray, mask: np.ndarray) -> bool:
    """At least VALUED_SHARE of the deals in `mask` carry a value (true when there are none)."""
    return not mask.any() or float((amount[mask] > 0).mean()) >= VALUED_SHARE


def support(opps: pd.DataFrame, p: Params) -> Support:
    """What the opportunities support: which stages have dates (any deal up to `as_of`), whether won and lost
    deals of the last `strategy.funnel_months` months carry values (value win rate) and whether open deals do
    (open pipeline, over every open deal as `coverage` counts it)."""
    require(opps, "opportunities", ("lead_date", "status"))
    as_of = pd.Timestamp(p.as_of)
    window = _window_mask(opps, as_of, p.strategy.funnel_months)
    # a stage is dated when any deal up to as_of has its date: one that no deal of the window reached is a stage
    # with no entries (0 % conversion into it), not a stage the export lacks
    dated = tuple(
        s
        for s in STAGES[1:-1]
        if STAGE_DATE[s] in opps.columns and _on_or_before(_dates(opps, STAGE_DATE[s]), as_of).any()
    )
    # reached_stages works row by row: the window's deals' arrays are the window's rows of all deals'
    _, closed_all, won_all = reached_stages(opps, as_of)
    closed, won = closed_all[window], won_all[window]
    all_amount = (
        opps["amount"].astype(float).fillna(0.0).to_numpy()
        if "amount" in opps.columns
        else np.zeros(len(opps))
    )
    amount = all_amount[window]
    value_ok = bool(closed.any()) and _valued(amount, won) and _valued(amount, closed & ~won)
    open_all = ~closed_all & _on_or_before(_dates(opps, "lead_date"), as_of)
    return Support(
        dated_stages=dated,
        value_win_rate=value_ok,
        open_values=_valued(all_amount, open_all),
        missing_stages=tuple(s for s in STAGES[1:-1] if s not in dated),
    )


def chain(dated_stages: tuple[str, ...]) -> tuple[str, ...]:
    """The funnel's stages in order: lead, the dated stages, won."""
    return ("lead", *dated_stages, "won")


def _stage_rates(opps: pd.DataFrame, as_of: pd.Timestamp, stages: tuple[str, ...] = STAGES) -> pd.DataFrame:
    reached, closed, _ = reached_stages(opps, as_of)
    rows = []
    for stage, nxt in zip(stages[:-1], stages[1:], strict=True):
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


def stage_counts(opps: pd.DataFrame, as_of: Any, months: int) -> pd.DataFrame:
    """The counts a conversion rate is made of, for every pair of stages (stage before next, in STAGES' order:
    whichever stages a region's funnel dates, its rows are pairs of these), over the leads of the last `months`
    months up to `as_of`: entered (reached stage), advanced (reached next), open (still between the two).
    Counts add up across regions, so the company's benchmark is computed once per run (`planning.company`),
    not from every region's opportunities in every region's notebook; `funnel(benchmark_counts=...)` takes it.
    """
    require(opps, "opportunities", ("lead_date", "status"))
    as_of = pd.Timestamp(as_of)
    reached, closed, _ = reached_stages(in_window(opps, as_of, months), as_of)
    rows = []
    for i, stage in enumerate(STAGES[:-1]):
        for nxt in STAGES[i + 1 :]:
            entered, advanced = reached[stage], reached[nxt]
            rows.append({"stage": stage, "next": nxt, "entered": int(entered.sum()),
                         "advanced": int(advanced.sum()),
                         "open": int((entered & ~advanced & ~closed).sum())})  # fmt: skip
    return pd.DataFrame(rows, columns=["stage", "next", "entered", "advanced", "open"])


def _benchmark_rates(counts: pd.DataFrame, stages: tuple[str, ...]) -> np.ndarray:
    """Conversion rate of each consecutive pair of `stages` from `stage_counts` (as `_stage_rates` computes it:
    advanced / (entered - open), NaN when nothing was decided)."""
    by_pair = counts.set_index(["stage", "next"])
    rates = []
    for stage, nxt in zip(stages[:-1], stages[1:], strict=True):
        row = by_pair.loc[(stage, nxt)]
        decided = int(row["entered"]) - int(row["open"])
        rates.append(int(row["advanced"]) / decided if decided else math.nan)
    return np.array(rates, dtype=float)


FUNNEL_COLUMNS = ("stage", "entered", "advanced", "open", "dropped", "conversion_rate", "median_days",
                  "benchmark_rate", "vs_benchmark", "bottleneck")  # fmt: skip


def funnel(
    opps: pd.DataFrame | None,
    p: Params,
    benchmark: pd.DataFrame | None = None,
    benchmark_counts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Stage by stage: lead -> needs discovery -> proposal -> negotiation -> won, for leads of the last
    `strategy.funnel_months` months up to `as_of`. Only the stages with dates are rows (`support`): a stage
    without any date is left out (its deals counted at the next dated stage), so an export without stage dates
    gives one row, lead -> won: entered = leads, advanced = won, dropped = lost, open = still open, and no
    bottleneck.

    Per stage: entered (reached it), advanced (reached the next), open (still there), dropped (closed lost there),
    conversion_rate = advanced / (entered - open) (deals still open have not had their chance yet), median_days in
    the stage of the deals that advanced. `benchmark` (e.g. the whole company's opportunities), or its
    `stage_counts` as `benchmark_counts` (the same rates, without reading the opportunities), gives
    benchmark_rate per stage; the bottleneck is the stage whose conversion falls furthest below its benchmark
    (lowest rate / benchmark_rate; lowest rate when there is no benchmark): exactly one row has bottleneck True.
    No rows (the same columns) when there is no opportunities table.
    """
    if opps is None:
        return pd.DataFrame({c: pd.Series(dtype="str" if c == "stage" else "bool" if c == "bottleneck" else
                                          "float64") for c in FUNNEL_COLUMNS})  # fmt: skip
    require(opps, "opportunities", ("lead_date", "status"))
    as_of, months = pd.Timestamp(p.as_of), p.strategy.funnel_months
    stages = chain(support(opps, p).dated_stages)
    out = _stage_rates(in_window(opps, as_of, months), as_of, stages)
    if benchmark_counts is None and benchmark is not None and len(benchmark):
        benchmark_counts = stage_counts(benchmark, as_of, months)
    if benchmark_counts is not None and len(benchmark_counts):
        out["benchmark_rate"] = _benchmark_rates(benchmark_counts, stages)
    else:
        out["benchmark_rate"] = math.nan
    rel = out["conversion_rate"] / out["benchmark_rate"]
    out["vs_benchmark"] = rel - 1.0
    key = rel if rel.notna().any() else out["conversion_rate"]
    out["bottleneck"] = False
    if len(out) > 1 and key.notna().any():  # one stage (lead -> won) is no bottleneck of a funnel
        out.loc[key.idxmin(), "bottleneck"] = True
    return out


def next_stages(funnel_df: pd.DataFrame) -> list[str]:
    """For each row of a `funnel` result, the stage its deals advance to (the next row's stage; won last)."""
    stages = funnel_df["stage"].astype(str).tolist()
    return [*stages[1:], "won"] if stages else []


def win_stats(opps: pd.DataFrame, p: Params, by: str | None = None) -> pd.DataFrame:
    """Win rate and cycle time overall (`by` None) or per value of `by` (industry, source, product_line ...),
    for leads of the last `strategy.funnel_months` months up to `as_of`.

    Out: [by], leads, open, won, lost, win_rate = won / (won + lost), value_win_rate = won amount / (won + lost
    amount), cycle_days (median lead -> close of won deals), avg_won_amount, avg_lead_amount, won_amount.
    value_win_rate is NaN where won or lost deals carry no values (fewer than VALUED_SHARE of them an amount
    > 0): lost deals recorded at 0 would make it 100 %.
    """
    require(opps, "opportunities", ("lead_date", "status", "amount"))
    as_of = pd.Timestamp(p.as_of)
    # the window's rows of arrays over all deals (reached_stages works row by row), not a copy of its frame
    window = _window_mask(opps, as_of, p.strategy.funnel_months)
    _, closed, won = reached_stages(opps, as_of)
    closed, won = closed[window], won[window]
    amount = opps["amount"].to_numpy(dtype=float)[window]
    cycle = (_dates(opps, "close_date") - _dates(opps, "lead_date")).dt.days.to_numpy(dtype=float)[window]
    df = pd.DataFrame(
        {
            "key": opps[by].astype(str).to_numpy()[window] if by else np.full(len(amount), "all"),
            "lead": 1,
            "open": (~closed).astype(int),
            "won": won.astype(int),
            "lost": (closed & ~won).astype(int),
            "won_amount": np.where(won, amount, 0.0),
            "lost_amount": np.where(closed & ~won, amount, 0.0),
            "won_valued": (won & (amount > 0)).astype(int),
            "lost_valued": (closed & ~won & (amount > 0)).astype(int),
            "amount": amount,
            "cycle": np.where(won, cycle, np.nan),
        }
    )
    if df.empty:
        df = pd.DataFrame([{"key": "all", "lead": 0, "open": 0, "won": 0, "lost": 0, "won_amount": 0.0,
                            "lost_amount": 0.0, "won_valued": 0, "lost_valued": 0, "amount": np.nan,
                            "cycle": np.nan}])  # fmt: skip
    g = df.groupby("key", sort=True)
    # one sum over the counted columns, not one aggregation per named column (a third of the cost); the rates
    # from the sums' arrays (the same float operations as on their Series), the frame built once
    sums = g[["lead", "open", "won", "lost", "won_amount", "lost_amount", "won_valued", "lost_valued"]].sum()
    won_n, lost_n = sums["won"].to_numpy(), sums["lost"].to_numpy()
    won_amount, lost_amount = sums["won_amount"].to_numpy(), sums["lost_amount"].to_numpy()
    decided = won_n + lost_n
    decided_amount = won_amount + lost_amount
    valued = (sums["won_valued"].to_numpy() >= VALUED_SHARE * won_n) & (
        sums["lost_valued"].to_numpy() >= VALUED_SHARE * lost_n
    )
    with np.errstate(divide="ignore", invalid="ignore"):  # the NaN where nothing was decided / won
        win_rate = np.where(decided > 0, won_n / decided, np.nan)
        value_win_rate = np.where((decided_amount > 0) & valued, won_amount / decided_amount, np.nan)
        avg_won_amount = np.where(won_n > 0, won_amount / won_n, np.nan)
    return pd.DataFrame(
        {
            by or "scope": sums.index.array,  # the key's str dtype, also with no key left
            "leads": sums["lead"].to_numpy(),
            "open": sums["open"].to_numpy(),
            "won": won_n,
            "lost": lost_n,
            "win_rate": win_rate,
            "value_win_rate": value_win_rate,
            "cycle_days": g["cycle"].median().to_numpy(),
            "avg_won_amount": avg_won_amount,
            "avg_lead_amount": g["amount"].mean().to_numpy(),
            "won_amount": won_amount,
        }
    )


def bottleneck(funnel_df: pd.DataFrame) -> pd.Series | None:
    """The bottleneck row of a `funnel` result; None when it has none (one stage, or no decided deal)."""
    rows = funnel_df.loc[funnel_df["bottleneck"].astype(bool)]
    return rows.iloc[0] if len(rows) else None
