"""Marketing and the market: qualified leads and spend per month x region x source, and market size.

`leads` draws the monthly leads (growing with the region, event leads following the trade-fair season, the
Chinese New Year dip) and their spend; from March of the last year the partner source collapses everywhere (and
the east's events) while its spend continues. `market_size_table` sizes each region x industry market from our
2022 revenue and share, growing with region and industry (the northeast loses share).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt

import numpy as np
import pandas as pd

from planning.sample.draws import Calendar, cny_factor, day_of, to_dt
from planning.sample.structure import (
    EVENT_SEASON,
    IND_MARKET_GROWTH,
    IND_WEIGHT,
    INDUSTRIES,
    REGION_GROWTH,
    REGION_KEYS,
    REGION_MARKET_GROWTH,
    REGION_SHARE0,
    REGION_WEIGHT,
    SOURCE_CPL,
    SOURCE_SHARE,
    SOURCES,
)


@dataclasses.dataclass(frozen=True)
class Leads:
    """Qualified leads per (region, month, source) cell: `count` is the region x month x source array; `region`,
    `month`, `source` are the index grids of the same shape (meshgrid, 'ij'). `marketing` is the table."""

    count: np.ndarray
    region: np.ndarray
    month: np.ndarray
    source: np.ndarray
    marketing: pd.DataFrame


def leads(rng: np.random.Generator, scale: float, cal: Calendar) -> Leads:
    """Leads per month x region x source and the marketing table (month, region, channel, spend, leads)."""
    n_reg = len(REGION_KEYS)
    t_month, months = cal.t_month, cal.months
    lead_base = 300.0 * scale * REGION_WEIGHT / REGION_WEIGHT.sum()
    lead_growth = (1.0 + np.clip(REGION_GROWTH * 0.8, -0.03, None))[:, None] ** t_month[None, :]
    lam = lead_base[:, None, None] * lead_growth[:, :, None] * SOURCE_SHARE[None, None, :]
    lam = lam * np.where(np.arange(4) == 1, EVENT_SEASON[cal.month_num][:, None], 1.0)[None, :, :]
    lam = lam * cny_factor(months)[None, :, None]
    mkt_month = months[:-1]
    collapse = mkt_month >= day_of(_dt.date(cal.y_end, 3, 1))
    leads_lam = lam.copy()
    leads_lam[:, collapse, 3] *= 0.13  # partner-supplied leads dry up everywhere ...
    leads_lam[0, collapse, 1] *= 0.35  # ... and the east's event leads drop
    count = rng.poisson(leads_lam * rng.lognormal(0.0, 0.08, leads_lam.shape))
    spend = np.round(lam * SOURCE_CPL[None, None, :] * rng.lognormal(0.0, 0.07, lam.shape), 2)
    rr, mm, ss = np.meshgrid(np.arange(n_reg), np.arange(cal.n_months), np.arange(4), indexing="ij")
    marketing = pd.DataFrame(
        {
            "month": to_dt(mkt_month[mm.ravel()]),
            "region": pd.array(np.array(REGION_KEYS)[rr.ravel()], dtype="str"),
            "channel": pd.array(np.array(SOURCES)[ss.ravel()], dtype="str"),
            "spend": spend.ravel(),
            "leads": count.ravel().astype(np.int64),
        }
    ).sort_values(["month", "region", "channel"], ignore_index=True)
    return Leads(count=count, region=rr, month=mm, source=ss, marketing=marketing)


def market_size_table(rng: np.random.Generator, rev_2022: np.ndarray, y_end: int) -> pd.DataFrame:
    """Market size per year (2022 .. `y_end` + 1) x region x industry: our 2022 revenue per region (`rev_2022`,
    net of returns) / our share then, split by industry weight, growing with region + industry market growth."""
    n_reg, n_ind = len(REGION_KEYS), len(INDUSTRIES)
    years = np.arange(2022, y_end + 2)
    ry, rr2, ii = np.meshgrid(years, np.arange(n_reg), np.arange(n_ind), indexing="ij")
    base_market = rev_2022[rr2] * IND_WEIGHT[ii] / REGION_SHARE0[rr2]
    mkt = base_market * (1 + REGION_MARKET_GROWTH[rr2] + IND_MARKET_GROWTH[ii]) ** (ry - 2022)
    mkt = np.round(mkt * rng.lognormal(0, 0.03, mkt.shape), -3)
    return pd.DataFrame(
        {
            "year": ry.ravel().astype(np.int64),
            "region": pd.array(np.array(REGION_KEYS)[rr2.ravel()], dtype="str"),
            "industry": pd.array(np.array(INDUSTRIES)[ii.ravel()], dtype="str"),
            "market_size": mkt.ravel(),
        }
    )
