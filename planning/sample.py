"""The embedded sample company: a deterministic generator of a B2B industrial-equipment maker selling in China.

`generate(scale, seed, end)` returns every table of `docs/data.md` as pandas data frames; `write(out_dir, ...)`
writes them as one Parquet (or CSV) file per table plus `sample.json`; `ensure_sample()` keeps a cached copy
under `planning.config.SAMPLE_DIR` that is rebuilt whenever this file, the scale or the seed changes.

The company is built so that each step of the method finds something real in it (see `docs/data.md`,
"The sample company"):

- growth differs by region (southwest ~+25 %/yr, northeast flat to declining and losing market share) and by
  industry (energy booming, retail shrinking); seasonality with a Chinese New Year dip, a mid-year bump and a
  strong Q4;
- reps are hired, ramp over 4-6 months, leave (~15 %/yr, more in the northeast) and are replaced; their
  productivity is lognormally dispersed;
- marketing leads become opportunities that move through the funnel; the partner lead source collapses from
  March of the last year in every region (and events in the east) while its spend continues; the northeast's
  proposal stage is a bottleneck;
- won new-logo opportunities become customers whose first order is on the close date; customers that churn
  have low health (usage, satisfaction, renewal intent) and taper off before they stop ordering;
- `plan_of_record` is what management approved for the last year: prior-year actual * 1.15 split by month and
  rep, so the review step finds the east about on plan and the northeast clearly behind.

Everything is vectorised numpy; strings are only created once per distinct key (key columns of the large
tables are pandas Categoricals), so scale 100 (about 10 million order lines) stays within memory and time.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = [
    "generate",
    "write",
    "ensure_sample",
    "generator_fingerprint",
    "TABLES",
    "DEFAULT_SEED",
    "DEFAULT_END",
]

DEFAULT_SEED = 20261
DEFAULT_END = _dt.date(2026, 9, 30)
START = _dt.date(2022, 1, 1)
TABLES = (
    "regions",
    "reps",
    "customers",
    "orders",
    "opportunities",
    "marketing",
    "market_size",
    "plan_of_record",
)

# --- the company's structure -------------------------------------------------------------------------------
REGIONS = (
    ("east", "East China", "华东"),
    ("north", "North China", "华北"),
    ("south", "South China", "华南"),
    ("central", "Central China", "华中"),
    ("southwest", "Southwest China", "西南"),
    ("northeast", "Northeast China", "东北"),
)
REGION_KEYS = tuple(r[0] for r in REGIONS)
# Share of the business in 2022 and annual revenue growth; the northeast shrinks, the southwest booms.
REGION_WEIGHT = np.array([0.30, 0.20, 0.19, 0.12, 0.10, 0.09])
REGION_GROWTH = np.array([0.16, 0.07, 0.10, 0.09, 0.26, -0.08])
# Quota-carrying seats per region at scale 1 (two teams each), plus seats opened later (growth hires).
REGION_SEATS = np.array([7, 5, 5, 4, 3, 4])
NEW_SEATS = {"southwest": ("2024-03-01", "2025-03-01"), "east": ("2025-01-06",)}
# Annual attrition hazard per region: the northeast loses people faster.
REGION_ATTRITION = np.array([0.13, 0.15, 0.15, 0.14, 0.12, 0.26])
# Market: our share in 2022 and annual market growth per region (added to the industry's market growth).
REGION_SHARE0 = np.array([0.07, 0.06, 0.055, 0.05, 0.04, 0.08])
REGION_MARKET_GROWTH = np.array([0.05, 0.04, 0.06, 0.06, 0.11, 0.02])

INDUSTRIES = ("manufacturing", "energy", "healthcare", "retail", "logistics", "education")
IND_WEIGHT = np.array([0.34, 0.16, 0.14, 0.14, 0.14, 0.08])
# Relative pull of an industry's customers per year (energy booming, retail shrinking).
IND_REL_GROWTH = np.array([1.00, 1.22, 1.06, 0.86, 1.01, 0.97])
IND_MARKET_GROWTH = np.array([0.03, 0.18, 0.07, -0.04, 0.04, 0.02])
IND_WIN_MULT = np.array([1.00, 1.20, 1.05, 0.80, 1.00, 0.90])
IND_WORD = ("Machinery", "Energy", "Medical", "Retail", "Logistics", "Education")

SIZE_BANDS = ("small", "medium", "large")
SIZE_P = np.array([0.50, 0.35, 0.15])
SIZE_ORDER_WEIGHT = np.array([1.0, 2.4, 5.5])
SIZE_WALLET = np.array([0.4e6, 1.6e6, 6.0e6])

SOURCES = ("content", "events", "referral", "partner_leads")
SOURCE_SHARE = np.array([0.35, 0.25, 0.15, 0.25])
SOURCE_CPL = np.array([380.0, 1150.0, 220.0, 640.0])  # cost per qualified lead
SOURCE_WIN_MULT = np.array([0.90, 1.00, 1.35, 0.85])

PRODUCT_LINES = ("equipment", "spare_parts", "services", "software")
PRODUCT_P = np.array([0.10, 0.45, 0.28, 0.17])
PRODUCT_MARGIN = np.array([0.30, 0.48, 0.55, 0.78])
OPP_PRODUCT_P = np.array([0.40, 0.20, 0.20, 0.20])
OPP_AMOUNT = np.array([380e3, 45e3, 65e3, 120e3])
CHANNELS = ("direct", "partner", "online")

# Month-of-year effect: mid-year bump (June, "618"), strong Q4 (year-end budgets). The Chinese New Year dip is
# added per year from the holiday's date, so it moves between January and February like the real one.
SEASON = np.array([0.97, 1.00, 0.98, 0.98, 1.00, 1.13, 1.03, 0.95, 1.00, 0.97, 1.16, 1.36])
SEASON = SEASON / SEASON.mean()
CNY = {
    2021: "2021-02-12", 2022: "2022-02-01", 2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29",
    2026: "2026-02-17", 2027: "2027-02-06", 2028: "2028-01-26", 2029: "2029-02-13", 2030: "2030-02-03",
}  # fmt: skip
CNY_WINDOW = (-10, 12)  # business slows from ~10 days before the festival to ~12 days after
CNY_LEVEL = 0.35  # share of normal volume inside that window
# Trade fairs in spring and autumn drive event leads.
EVENT_SEASON = np.array([0.5, 0.4, 1.3, 1.4, 1.0, 0.9, 0.7, 0.7, 1.3, 1.4, 1.2, 0.6])

# Funnel: lead -> discovery -> proposal -> negotiation -> won, and mean days spent in each stage.
STAGE_P = np.array([0.60, 0.55, 0.60, 0.50])
STAGE_DAYS = np.array([9.0, 18.0, 24.0, 21.0])
STAGE_NAMES = ("lead", "discovery", "proposal", "negotiation")

SURNAMES = (
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Luo Gao Zheng Liang Xie Song Tang "
    "Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du Ye Cheng Wei Su Lu Ding Ren Shen Yao"
).split()
GIVEN = (
    "Wei Fang Min Jing Lei Jun Yang Yong Yan Jie Tao Ming Chao Xiu Hui Qiang Ping Gang Hua Dan Bo Ying Xin Hao "
    "Yu Lin Peng Fei Kai Rui Ting Xue Ning Bin Jian Lan Qing Wen Zhen Yi Shan Jia Hong Long Mei Kun"
).split()
NAME_PREFIX = (
    "Huaxin Zhongda Hengtai Jinlong Xinghe Tianrui Dongfang Changcheng Hongyuan Kaixuan Shengda Yongxin Boda "
    "Ruifeng Jiahe Minsheng Haitong Fuxing Zhongke Xinda Evergreen Pacific Orient Golden-Bridge Summit Bluewave "
    "Silverline Northstar Greenfield Redstone Crestview Harbor Unity Pioneer Landmark"
).split()
NAME_SUFFIX = ("Co.", "Group", "Ltd.", "Holdings", "Industries", "Technology")

_EPOCH = np.datetime64("1970-01-01", "D")


def _day(d: _dt.date | str) -> int:
    """Days since 1970-01-01 for a date or ISO string (the integer calendar used internally)."""
    return int((np.datetime64(d, "D") - _EPOCH).astype(np.int64))


def _to_dt(days: np.ndarray) -> np.ndarray:
    """Integer days (NaT encoded as a negative sentinel < -10**8) -> datetime64[us] array."""
    days = np.asarray(days, dtype=np.int64)
    out = (days.astype("datetime64[D]")).astype("datetime64[us]")
    out[days < -(10**8)] = np.datetime64("NaT")
    return out


_NAT = -(10**9)


def _cat(codes: np.ndarray, categories: tuple[str, ...] | pd.Index) -> pd.Categorical:
    """Categorical of str from integer codes (no per-row strings are created)."""
    cats = categories if isinstance(categories, pd.Index) else pd.Index(list(categories), dtype="str")
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int32), categories=cats)


def _ids(prefix: str, n: int, width: int) -> pd.Index:
    """`prefix` + zero-padded 1..n as a str Index, built in pyarrow: millions of ids, no Python objects."""
    import pyarrow.compute as pc

    width = max(width, len(str(n)))
    nums = pc.utf8_lpad(pa.array(np.arange(1, n + 1)).cast(pa.string()), width=width, padding="0")
    return pd.Index(pd.array(pc.binary_join_element_wise(prefix, nums, ""), dtype="str"))


def _cny_factor(months: np.ndarray) -> np.ndarray:
    """Volume factor per month (first days `months[:-1]`, `months[-1]` = end of the last) for the Chinese New
    Year slowdown: 1 - (1 - CNY_LEVEL) x share of the month's days inside the holiday window."""
    out = np.ones(len(months) - 1)
    for date in CNY.values():
        lo, hi = _day(date) + CNY_WINDOW[0], _day(date) + CNY_WINDOW[1]
        overlap = np.clip(np.minimum(months[1:], hi + 1) - np.maximum(months[:-1], lo), 0, None)
        out -= (1 - CNY_LEVEL) * overlap / (months[1:] - months[:-1])
    return out


def _month_starts(start: int, end: int) -> np.ndarray:
    """First day (int days) of every month from the month of `start` to the month of `end`, plus the next one."""
    m0 = np.datetime64(np.datetime64(start, "D"), "M")
    m1 = np.datetime64(np.datetime64(end, "D"), "M")
    months = np.arange(m0, m1 + 2)
    return (months.astype("datetime64[D]") - _EPOCH).astype(np.int64)


def _weighted_pick(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """n indices drawn with probability proportional to `weights` (cumulative sum + searchsorted: fast)."""
    c = np.cumsum(weights)
    idx = np.searchsorted(c, rng.random(n) * c[-1], side="right")
    return np.minimum(idx, len(weights) - 1)


def _weekday_bias(rng: np.random.Generator, day: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """B2B orders are booked on weekdays: move ~85 % of weekend days to the Friday before or the Monday after,
    staying within [lo, hi] (the customer's and month's bounds)."""
    dow = (day + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weekend = (dow >= 5) & (rng.random(len(day)) < 0.85)
    fri, mon = day - (dow - 4), day + (7 - dow)
    to_mon = rng.random(len(day)) < 0.5
    target = np.where(to_mon, mon, fri)
    target = np.where((target < lo) | (target > hi), np.where(to_mon, fri, mon), target)
    ok = weekend & (target >= lo) & (target <= hi)
    return np.where(ok, target, day)


# --- reps ----------------------------------------------------------------------------------------------------
def _make_reps(rng: np.random.Generator, scale: float, d0: int, dend: int) -> dict[str, np.ndarray]:
    """Seat-based staffing: each seat is held by a chain of reps (exit after an exponential tenure, replacement
    hired 1-3 months later). Reps who left before the history starts are dropped. One manager per team."""
    seat_mult = max(np.sqrt(scale), 0.35)
    region, team, role, hire, exit_ = [], [], [], [], []
    for r, key in enumerate(REGION_KEYS):
        n_seats = max(2, int(round(REGION_SEATS[r] * seat_mult)))
        # Growth seats open on their date (more of them at larger scale).
        extra = [d for d in NEW_SEATS.get(key, ()) for _ in range(max(1, int(round(seat_mult))))]
        opens = [None] * n_seats + extra
        for t in (1, 2):  # managers: long-tenured, stay
            region.append(r)
            team.append(t)
            role.append(1)
            hire.append(_day("2013-03-01") + int(rng.integers(0, 6 * 365)))
            exit_.append(_NAT)
        for s, opened in enumerate(opens):
            # Initial holders were hired 2015..2021 (a few late in 2021 still ramping in 2022).
            h = _day(opened) + int(rng.integers(0, 60)) if opened else d0 - int(rng.integers(20, 7 * 365))
            while h <= dend:
                tenure = int(rng.exponential(365.25 / REGION_ATTRITION[r])) + 60
                e = h + tenure
                if e >= d0:
                    region.append(r)
                    team.append(s % 2 + 1)
                    role.append(0)
                    hire.append(h)
                    exit_.append(e if e <= dend else _NAT)
                if e > dend:
                    break
                h = e + 1 + int(rng.integers(25, 90))
    reps = {
        "region": np.array(region, dtype=np.int32),
        "team": np.array(team, dtype=np.int32),
        "role": np.array(role, dtype=np.int32),
        "hire": np.array(hire, dtype=np.int64),
        "exit": np.array(exit_, dtype=np.int64),
    }
    order = np.lexsort((reps["region"], reps["hire"]))
    reps = {k: v[order] for k, v in reps.items()}
    n = len(order)
    reps["prod"] = rng.lognormal(0.0, 0.35, n)
    reps["ramp_days"] = rng.uniform(120, 180, n)
    return reps


def _rep_weight_matrix(reps: dict, r: int, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(days x reps-of-region) output weights: productivity * ramp for employed quota reps; managers get a
    tiny weight so a day without any rep still has an owner. Returns (weights, rep indices)."""
    idx = np.flatnonzero(reps["region"] == r)
    hire, ex = reps["hire"][idx], reps["exit"][idx]
    ex = np.where(ex == _NAT, np.iinfo(np.int64).max, ex)
    d = days[:, None]
    employed = (d >= hire[None, :]) & (d <= ex[None, :])
    tenure = (d - hire[None, :]).astype(np.float64)
    # New hires start at ~20 % of full output and reach 100 % after their ramp (4-6 months).
    ramp = 0.2 + 0.8 * np.clip(tenure / reps["ramp_days"][idx][None, :], 0.0, 1.0)
    w = employed * ramp * reps["prod"][idx][None, :]
    w = np.where(reps["role"][idx][None, :] == 1, employed * 1e-9, w)
    return w, idx


class _RepPicker:
    """Draws the owning rep for (region, day) rows: a quota rep employed on that day, chosen in proportion to
    productivity * ramp. One flattened cumulative weight array per region makes it a single searchsorted."""

    def __init__(self, reps: dict, d0: int, dend: int):
        self.d0 = d0
        self.days = np.arange(d0, dend + 1)
        self.cum, self.start, self.idx, self.ncols, self.capacity = [], [], [], [], []
        for r in range(len(REGION_KEYS)):
            w, idx = _rep_weight_matrix(reps, r, self.days)
            self.capacity.append(w.sum(axis=1))
            flat = np.cumsum(w.ravel())
            row_start = np.concatenate([[0.0], flat[w.shape[1] - 1 :: w.shape[1]]])
            self.cum.append(flat)
            self.start.append(row_start)
            self.idx.append(idx)
            self.ncols.append(w.shape[1])

    def pick(self, rng: np.random.Generator, region: np.ndarray, day: np.ndarray) -> np.ndarray:
        out = np.empty(len(region), dtype=np.int32)
        for r in range(len(REGION_KEYS)):
            m = np.flatnonzero(region == r)
            if len(m) == 0:
                continue
            di = day[m] - self.d0
            lo, hi = self.start[r][di], self.start[r][di + 1]
            pos = np.searchsorted(self.cum[r], lo + rng.random(len(m)) * (hi - lo), side="right")
            col = np.minimum(pos - di * self.ncols[r], self.ncols[r] - 1)
            out[m] = self.idx[r][col]
        return out


# --- customers -----------------------------------------------------------------------------------------------
def _customer_attributes(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Latent health, size and the churn hazard that depends on health."""
    health = rng.normal(0.0, 1.0, n)
    size = rng.choice(3, n, p=SIZE_P)
    # Annual churn hazard 3 %..40 %: unhealthy customers leave.
    hazard = 0.09 * np.exp(-0.9 * health)
    return {"health": health, "size": size, "hazard": np.clip(hazard, 0.02, 0.6)}


# --- the generator -------------------------------------------------------------------------------------------
def generate(
    scale: float = 1.0, seed: int = DEFAULT_SEED, end: _dt.date = DEFAULT_END
) -> dict[str, pd.DataFrame]:
    """Generate the sample company.

    In: `scale` multiplies customers, orders, leads and opportunities (reps grow with sqrt(scale)); `seed` for
    numpy's PCG64; `end` the last day of history (history starts 2022-01-01; `end` must be in 2023 or later).
    Out: dict table name -> DataFrame with the columns of `docs/data.md`. Dates are datetime64[us]; key and
    label columns of `orders` and `opportunities` are Categoricals of str (memory at large scale), the other
    tables use the `str` dtype. Identical inputs give identical tables.
    """
    if scale <= 0:
        raise ValueError(f"scale must be > 0, got {scale!r}")
    end = pd.Timestamp(end).date()
    if end < _dt.date(2023, 1, 31):
        raise ValueError(f"end must be 2023-01-31 or later (history starts {START}), got {end}")
    rng = np.random.Generator(np.random.PCG64(seed))
    d0, dend = _day(START), _day(end)
    months = _month_starts(d0, dend)  # first day of each month, plus the month after the last
    n_months = len(months) - 1
    month_num = (months[:-1].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12).astype(
        np.int64
    )
    t_month = (months[:-1] + 14 - d0) / 365.25  # years since start, at mid-month
    n_reg, n_ind = len(REGION_KEYS), len(INDUSTRIES)
    y_end = end.year

    # ---- reps
    reps = _make_reps(rng, scale, d0, dend)
    picker = _RepPicker(reps, d0, dend)

    # ---- marketing: leads per month x region x source, spend continues after a source stops producing
    lead_base = 300.0 * scale * REGION_WEIGHT / REGION_WEIGHT.sum()
    lead_growth = (1.0 + np.clip(REGION_GROWTH * 0.8, -0.03, None))[:, None] ** t_month[None, :]
    lam = lead_base[:, None, None] * lead_growth[:, :, None] * SOURCE_SHARE[None, None, :]
    lam = lam * np.where(np.arange(4) == 1, EVENT_SEASON[month_num][:, None], 1.0)[None, :, :]
    lam = lam * _cny_factor(months)[None, :, None]
    mkt_month = months[:-1]
    collapse = mkt_month >= _day(_dt.date(y_end, 3, 1))
    leads_lam = lam.copy()
    leads_lam[:, collapse, 3] *= 0.13  # partner-supplied leads dry up everywhere ...
    leads_lam[0, collapse, 1] *= 0.35  # ... and the east's event leads drop
    leads = rng.poisson(leads_lam * rng.lognormal(0.0, 0.08, leads_lam.shape))
    spend = np.round(lam * SOURCE_CPL[None, None, :] * rng.lognormal(0.0, 0.07, lam.shape), 2)
    rr, mm, ss = np.meshgrid(np.arange(n_reg), np.arange(n_months), np.arange(4), indexing="ij")
    marketing = pd.DataFrame(
        {
            "month": _to_dt(mkt_month[mm.ravel()]),
            "region": pd.array(np.array(REGION_KEYS)[rr.ravel()], dtype="str"),
            "channel": pd.array(np.array(SOURCES)[ss.ravel()], dtype="str"),
            "spend": spend.ravel(),
            "leads": leads.ravel().astype(np.int64),
        }
    ).sort_values(["month", "region", "channel"], ignore_index=True)

    # ---- existing customers (bought before the history starts)
    n0 = max(n_reg * n_ind, int(round(1700 * scale)))
    ex_reg = _weighted_pick(rng, REGION_WEIGHT, n0)
    ex_ind = _weighted_pick(rng, IND_WEIGHT, n0)
    ex_acq = d0 - np.floor(rng.exponential(2.5 * 365, n0)).astype(np.int64) - 1
    ex_acq = np.maximum(ex_acq, _day("2012-01-01"))
    ex_channel = rng.choice(3, n0, p=[0.40, 0.32, 0.28])  # partner leads were not yet a source then
    ex_channel = np.where(rng.random(n0) < 0.15, 3, ex_channel)

    # ---- opportunities: one per qualified lead
    opp_reg = np.repeat(rr.ravel(), leads.ravel())
    opp_src = np.repeat(ss.ravel(), leads.ravel())
    opp_mi = np.repeat(mm.ravel(), leads.ravel())
    n_opp = len(opp_reg)
    month_len = months[1:] - months[:-1]
    lead_day = months[opp_mi] + np.floor(rng.random(n_opp) * month_len[opp_mi]).astype(np.int64)
    lead_day = np.minimum(lead_day, dend)
    t_lead = (lead_day - d0) / 365.25
    # Industry of the prospect follows the industry's pull at that time.
    ind_w = IND_WEIGHT[None, :] * IND_REL_GROWTH[None, :] ** t_lead[:, None]
    opp_ind = (
        np.cumsum(ind_w, axis=1) / ind_w.sum(axis=1, keepdims=True) > rng.random(n_opp)[:, None]
    ).argmax(axis=1)
    # Stage conversion: industry and source move the first and last step; the northeast's proposals stall.
    p = np.broadcast_to(STAGE_P, (n_opp, 4)).copy()
    p[:, 0] *= np.sqrt(SOURCE_WIN_MULT[opp_src])
    p[:, 3] *= IND_WIN_MULT[opp_ind] * SOURCE_WIN_MULT[opp_src]
    p[:, 2] = np.where(opp_reg == REGION_KEYS.index("northeast"), 0.33, p[:, 2])
    p = np.clip(p, 0.02, 0.95)
    passed = rng.random((n_opp, 4)) < p
    reached = np.cumprod(passed, axis=1).sum(axis=1)  # 0..4 steps passed; 4 = won
    dur = rng.gamma(2.0, STAGE_DAYS[None, :] / 2.0, (n_opp, 4))
    dur[:, 2] *= np.where(opp_reg == REGION_KEYS.index("northeast"), 1.6, 1.0)
    dur = np.ceil(dur).astype(np.int64) + 1
    stage_day = lead_day[:, None] + np.concatenate(
        [np.zeros((n_opp, 1), np.int64), np.cumsum(dur, axis=1)], axis=1
    )
    # stage_day[:, k] = day stage k was reached (k=1 discovery, 2 proposal, 3 negotiation, 4 close if won).
    lost_delay = np.ceil(rng.gamma(2.0, 7.0, n_opp)).astype(np.int64) + 1
    last_reached = np.take_along_axis(stage_day, np.minimum(reached, 3)[:, None], axis=1)[:, 0]
    close_day = np.where(reached == 4, stage_day[:, 4], last_reached + lost_delay)
    won_closed = (reached == 4) & (close_day <= dend)
    lost_closed = (reached < 4) & (close_day <= dend)
    # Expansion deals go to existing customers; the rest are new logos that become customers when won.
    new_logo = rng.random(n_opp) < 0.75
    opp_prod = _weighted_pick(rng, OPP_PRODUCT_P, n_opp)
    opp_amount = np.round(OPP_AMOUNT[opp_prod] * rng.lognormal(-0.18, 0.6, n_opp), -2)

    # ---- new customers = won new-logo opportunities
    nl = np.flatnonzero(new_logo & won_closed)
    n_cust = n0 + len(nl)
    c_reg = np.concatenate([ex_reg, opp_reg[nl]]).astype(np.int32)
    c_ind = np.concatenate([ex_ind, opp_ind[nl]]).astype(np.int32)
    c_acq = np.concatenate([ex_acq, close_day[nl]])
    c_chan = np.concatenate([ex_channel, opp_src[nl]]).astype(np.int32)
    attrs = _customer_attributes(rng, n_cust)
    c_size, health = attrs["size"], attrs["health"]
    churn = np.maximum(c_acq, d0) + np.ceil(rng.exponential(365.25 / attrs["hazard"])).astype(np.int64)
    churned = churn <= dend
    c_pull = rng.lognormal(0.0, 0.5, n_cust) * SIZE_ORDER_WEIGHT[c_size]
    # Customer ids in acquisition order.
    c_order = np.lexsort((np.arange(n_cust), c_acq))
    c_rank = np.empty(n_cust, np.int64)
    c_rank[c_order] = np.arange(n_cust)
    cust_ids = _ids("C", n_cust, 5)  # index = rank

    # Expansion opportunities: an active customer of the same region and industry at the lead date.
    opp_cust_rank = np.full(n_opp, -1, np.int64)
    exp_idx = np.flatnonzero(~new_logo)
    exp_key = (opp_reg[exp_idx] * n_ind + opp_ind[exp_idx]) * n_months + opp_mi[exp_idx]
    exp_sorted = exp_idx[np.argsort(exp_key, kind="stable")]
    bounds = np.searchsorted(np.sort(exp_key), np.arange(n_reg * n_ind * n_months + 1))
    for g in range(n_reg * n_ind):
        cg = np.flatnonzero(c_reg * n_ind + c_ind == g)
        for mi in range(n_months):
            sel = exp_sorted[bounds[g * n_months + mi] : bounds[g * n_months + mi + 1]]
            if len(sel) == 0:
                continue
            act = cg[(c_acq[cg] < months[mi]) & (churn[cg] > months[mi + 1])]
            if len(act) == 0:  # tiny scales: fall back to any active customer of the region, then to anyone
                cr = np.flatnonzero(c_reg == g // n_ind)
                act = cr[(c_acq[cr] < months[mi]) & (churn[cr] > months[mi])]
                act = act if len(act) else np.arange(n0)
            opp_cust_rank[sel] = c_rank[act[_weighted_pick(rng, c_pull[act], len(sel))]]
    # New logos: the won ones carry their new customer id, the others are prospects (P...).
    opp_cust_rank[nl] = c_rank[n0 + np.arange(len(nl))]
    prospect = new_logo & ~(won_closed & new_logo)
    prospect_ids = _ids("P", int(prospect.sum()), 6)

    opp_rep = picker.pick(rng, opp_reg, lead_day)
    # Truncate to what is known at `end`: later stage dates are blank and the deal is still open.
    sd = stage_day.copy()
    for k in range(1, 4):
        sd[:, k] = np.where((reached >= k) & (sd[:, k] <= dend), sd[:, k], _NAT)
    closed = won_closed | lost_closed
    open_stage = (sd[:, 1:4] != _NAT).sum(axis=1)  # 0 lead .. 3 negotiation
    status = np.where(won_closed, 1, np.where(lost_closed, 2, 0))
    stage = np.where(won_closed, 4, np.where(lost_closed, 5, open_stage))
    o_order = np.lexsort((np.arange(n_opp), lead_day))
    opp_cust = np.empty(n_opp, dtype=object)
    opp_cust[~prospect] = cust_ids[opp_cust_rank[~prospect]].to_numpy(dtype=object)
    opp_cust[prospect] = prospect_ids.to_numpy(dtype=object)
    opportunities = pd.DataFrame(
        {
            "opportunity_id": pd.array(_ids("O", n_opp, 6), dtype="str"),
            "customer_id": pd.array(opp_cust[o_order], dtype="str"),
            "rep_id": opp_rep[o_order],  # mapped to ids below
            "region": _cat(opp_reg[o_order], REGION_KEYS),
            "industry": _cat(opp_ind[o_order], INDUSTRIES),
            "source": _cat(opp_src[o_order], SOURCES),
            "product_line": _cat(opp_prod[o_order], PRODUCT_LINES),
            "amount": opp_amount[o_order],
            "lead_date": _to_dt(lead_day[o_order]),
            "discovery_date": _to_dt(sd[o_order, 1]),
            "proposal_date": _to_dt(sd[o_order, 2]),
            "negotiation_date": _to_dt(sd[o_order, 3]),
            "close_date": _to_dt(np.where(closed, close_day, _NAT)[o_order]),
            "status": _cat(status[o_order], ("open", "won", "lost")),
            "stage": _cat(stage[o_order], (*STAGE_NAMES, "won", "lost")),
        }
    )

    # ---- orders: per region-month volume, spread over active customers and employed reps
    cap = np.stack(picker.capacity)  # region x day
    cap_month = np.stack([np.add.reduceat(cap[r], months[:-1] - d0) / month_len for r in range(n_reg)])
    # Staffing moves volume around its trend (a seat left empty costs sales for a while), but the trend itself
    # is the region's growth: capacity is detrended with a log-linear fit per region.
    log_cap = np.log(np.maximum(cap_month, 1e-9))
    coef = np.polynomial.polynomial.polyfit(t_month, log_cap.T, 1)  # (2, regions)
    trend = coef[0][:, None] + coef[1][:, None] * t_month[None, :]
    cap_rel = np.exp(np.clip(log_cap - trend, -1.0, 1.0) * 0.15)
    base_orders = 620.0 * scale * REGION_WEIGHT / REGION_WEIGHT.sum()
    vol = (
        base_orders[:, None]
        * (1.0 + REGION_GROWTH[:, None]) ** t_month[None, :]
        * SEASON[month_num][None, :]
        * _cny_factor(months)[None, :]
        * cap_rel
        * rng.lognormal(0.0, 0.04, (n_reg, n_months))
        * (month_len / 30.44)[None, :]
    )
    last_month_days = dend - months[-2] + 1
    vol[:, -1] *= last_month_days / month_len[-1]
    n_orders_rm = rng.poisson(vol)
    o_cust_parts, o_day_parts = [], []
    for r in range(n_reg):
        cr = np.flatnonzero(c_reg == r)
        for mi in range(n_months):
            ms, me = months[mi], min(months[mi + 1] - 1, dend)
            act = cr[(c_acq[cr] <= me) & (churn[cr] > ms)]
            k = int(n_orders_rm[r, mi])
            if k == 0 or len(act) == 0:
                continue
            t = (ms + 14 - d0) / 365.25
            # Customers that will churn taper off over their last half year.
            taper = np.clip((churn[act] - ms) / 180.0, 0.15, 1.0)
            w = c_pull[act] * IND_REL_GROWTH[c_ind[act]] ** t * taper
            chosen = act[_weighted_pick(rng, w, k)]
            lo = np.maximum(ms, c_acq[chosen])
            hi = np.minimum(me, churn[chosen] - 1)
            o_cust_parts.append(chosen)
            o_day_parts.append(
                _weekday_bias(rng, lo + np.floor(rng.random(k) * (hi - lo + 1)).astype(np.int64), lo, hi)
            )
    # Every new customer's first order is on the day the deal closed.
    new_c = np.arange(n0, n_cust)
    o_cust = np.concatenate([*o_cust_parts, new_c])
    o_day = np.concatenate([*o_day_parts, c_acq[new_c]])
    del o_cust_parts, o_day_parts
    n_ord = len(o_cust)
    o_reg = c_reg[o_cust]
    o_rep = picker.pick(rng, o_reg, o_day)
    # Order numbers follow the booking date; rows are stored region-major (Parquet row groups then hold one
    # region each, so a region filter skips the rest of a large file).
    id_order = np.lexsort((c_rank[o_cust], o_day))
    o_code = np.empty(n_ord, np.int64)
    o_code[id_order] = np.arange(n_ord)
    ord_sort = np.lexsort((o_code, o_reg))
    o_cust, o_day, o_reg, o_rep, o_code = (a[ord_sort] for a in (o_cust, o_day, o_reg, o_rep, o_code))
    del id_order, ord_sort
    t_ord = (o_day - d0) / 365.25
    online_p = 0.10 + 0.025 * t_ord  # online ordering grows
    u = rng.random(n_ord)
    o_chan = np.where(u < 0.30, 1, np.where(u < 0.30 + online_p, 2, 0)).astype(np.int32)

    n_lines_per = 1 + rng.poisson(1.2, n_ord)
    line_ord = np.repeat(np.arange(n_ord), n_lines_per)
    n_lines = len(line_ord)
    first = np.concatenate([[0], np.cumsum(n_lines_per)[:-1]])
    line_no = np.arange(n_lines) - np.repeat(first, n_lines_per) + 1
    prod = _weighted_pick(rng, PRODUCT_P, n_lines).astype(np.int32)
    l_size = c_size[o_cust[line_ord]]
    size_q = np.array([0.7, 1.0, 1.8])[l_size]
    infl = 1.025 ** t_ord[line_ord]  # list prices rise ~2.5 %/yr
    qty = np.empty(n_lines)
    price = np.empty(n_lines)
    for k, (q_fn, p_mu, p_sd) in enumerate(
        (
            (lambda n: 1 + rng.poisson(0.2, n), np.log(160e3), 0.3),
            (lambda n: np.ceil(rng.lognormal(np.log(6), 0.9, n)), np.log(520), 1.0),
            (lambda n: 1 + rng.poisson(4.0, n), np.log(1800), 0.3),
            (lambda n: 1 + rng.poisson(2.0, n), np.log(11e3), 0.6),
        )
    ):
        m = np.flatnonzero(prod == k)
        q = q_fn(len(m)).astype(np.float64)
        qty[m] = q if k == 0 else np.maximum(1.0, np.round(q * size_q[m]))
        price[m] = rng.lognormal(p_mu, p_sd, len(m))
    price = np.round(price * infl, 2)
    # About 1 % of lines are returns: negative quantity of the product line returned.
    qty = np.where(rng.random(n_lines) < 0.01, -qty, qty)
    amount = np.round(qty * price, 2)
    margin_rate = np.clip(PRODUCT_MARGIN[prod] + rng.normal(0.0, 0.05, n_lines), 0.02, 0.95)
    margin = np.round(amount * margin_rate, 2)

    del size_q, infl, margin_rate, l_size
    rep_ids = _ids("R", len(reps["region"]), 3)
    li = line_ord
    orders = pd.DataFrame(
        {
            "order_id": _cat(o_code[li], _ids("SO", n_ord, 8)),
            "line_no": line_no.astype(np.int64),
            "order_date": _to_dt(o_day[li]),
            "customer_id": _cat(c_rank[o_cust[li]], cust_ids),
            "rep_id": _cat(o_rep[li], rep_ids),
            "region": _cat(o_reg[li], REGION_KEYS),
            "product_line": _cat(prod, PRODUCT_LINES),
            "channel": _cat(o_chan[li], CHANNELS),
            "quantity": qty,
            "unit_price": price,
            "amount": amount,
            "margin": margin,
        },
        copy=False,
    )
    del qty, price, margin, prod
    opportunities["rep_id"] = _cat(opportunities["rep_id"].to_numpy(), rep_ids)

    # ---- customers table (health attributes reflect churn)
    ch = churned.astype(np.float64)
    usage = np.round(np.maximum(0.0, rng.lognormal(1.2 + 0.45 * health, 0.35) * (1 - 0.85 * ch)), 1)
    satisfaction = np.round(np.clip(3.7 + 0.55 * health - 1.1 * ch + rng.normal(0, 0.35, n_cust), 1, 5), 1)
    renewal = np.round(1 / (1 + np.exp(-(0.6 + 1.1 * health - 2.0 * ch + rng.normal(0, 0.4, n_cust)))), 2)
    complexity = np.clip(np.round(1.5 + c_size * 0.9 + rng.normal(0, 0.8, n_cust)), 1, 5).astype(np.int64)
    chain = np.clip(np.round(1.5 + c_size * 1.6 + rng.normal(0, 1.0, n_cust)), 1, 8).astype(np.int64)
    wallet = np.round(SIZE_WALLET[c_size] * rng.lognormal(0, 0.5, n_cust), -3)
    names = _company_names(rng, c_ind, n_cust)
    cust = pd.DataFrame(
        {
            "customer_id": pd.array(cust_ids[c_rank], dtype="str"),
            "name": pd.array(names, dtype="str"),
            "region": pd.array(np.array(REGION_KEYS)[c_reg], dtype="str"),
            "industry": pd.array(np.array(INDUSTRIES)[c_ind], dtype="str"),
            "size_band": pd.array(np.array(SIZE_BANDS)[c_size], dtype="str"),
            "acquisition_channel": pd.array(np.array(SOURCES)[c_chan], dtype="str"),
            "first_order_date": _to_dt(c_acq),
            "usage_frequency": usage,
            "satisfaction": satisfaction,
            "renewal_intent": renewal,
            "demand_complexity": complexity,
            "decision_chain_length": chain,
            "wallet_size": wallet,
        }
    )
    customers = cust.iloc[c_order].reset_index(drop=True)

    # ---- reps table
    n_reps = len(reps["region"])
    rep_names = _person_names(rng, n_reps)
    reps_df = pd.DataFrame(
        {
            "rep_id": pd.array(rep_ids, dtype="str"),
            "name": pd.array(rep_names, dtype="str"),
            "region": pd.array(np.array(REGION_KEYS)[reps["region"]], dtype="str"),
            "team": pd.array(
                [f"{REGION_KEYS[r]}-{t}" for r, t in zip(reps["region"], reps["team"], strict=True)],
                dtype="str",
            ),
            "role": pd.array(np.where(reps["role"] == 1, "manager", "rep"), dtype="str"),
            "hire_date": _to_dt(reps["hire"]),
            "exit_date": _to_dt(reps["exit"]),
        }
    )

    regions = pd.DataFrame(
        {
            "region": pd.array(REGION_KEYS, dtype="str"),
            "name_en": pd.array([r[1] for r in REGIONS], dtype="str"),
            "name_zh": pd.array([r[2] for r in REGIONS], dtype="str"),
        }
    )

    # ---- revenue by region x year (net of returns) drives market size and the plan
    o_year = o_day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    o_month = o_day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    order_amount = np.bincount(line_ord, weights=amount, minlength=n_ord)
    rev_2022 = np.bincount(o_reg[o_year == 2022], weights=order_amount[o_year == 2022], minlength=n_reg)

    years = np.arange(2022, y_end + 2)
    ry, rr2, ii = np.meshgrid(years, np.arange(n_reg), np.arange(n_ind), indexing="ij")
    base_market = rev_2022[rr2] * IND_WEIGHT[ii] / REGION_SHARE0[rr2]
    mkt = base_market * (1 + REGION_MARKET_GROWTH[rr2] + IND_MARKET_GROWTH[ii]) ** (ry - 2022)
    mkt = np.round(mkt * rng.lognormal(0, 0.03, mkt.shape), -3)
    market_size = pd.DataFrame(
        {
            "year": ry.ravel().astype(np.int64),
            "region": pd.array(np.array(REGION_KEYS)[rr2.ravel()], dtype="str"),
            "industry": pd.array(np.array(INDUSTRIES)[ii.ravel()], dtype="str"),
            "market_size": mkt.ravel(),
        }
    )

    plan = _plan_of_record(rng, reps, rep_ids, picker, o_reg, o_month, o_year, order_amount, y_end)

    return {
        "regions": regions,
        "reps": reps_df,
        "customers": customers,
        "orders": orders,
        "opportunities": opportunities,
        "marketing": marketing,
        "market_size": market_size,
        "plan_of_record": plan,
    }


def _plan_of_record(rng, reps, rep_ids, picker, o_reg, o_month, o_year, order_amount, year) -> pd.DataFrame:
    """The plan approved at the start of `year`: prior-year actual * ~1.15 per region, spread over the months
    by the region's average month-of-year profile, split over the quota reps employed on 1 January in
    proportion to their expected output that year (productivity * average ramp)."""
    n_reg = len(REGION_KEYS)
    prior = np.bincount(o_reg[o_year == year - 1], weights=order_amount[o_year == year - 1], minlength=n_reg)
    hist = o_year < year
    moy = (o_month[hist] % 12).astype(np.int64)
    prof = np.zeros((n_reg, 12))
    np.add.at(prof, (o_reg[hist], moy), order_amount[hist])
    prof = prof / prof.sum(axis=1, keepdims=True)
    uplift = 1.15 * rng.lognormal(0, 0.015, n_reg)
    jan1 = _day(_dt.date(year, 1, 1))
    dec31 = _day(_dt.date(year, 12, 31))
    rows_rep, rows_month, rows_target, rows_reg = [], [], [], []
    month_days = _month_starts(jan1, dec31)[:12]
    for r in range(n_reg):
        idx = np.flatnonzero(
            (reps["region"] == r)
            & (reps["role"] == 0)
            & (reps["hire"] <= jan1)
            & ((reps["exit"] == _NAT) | (reps["exit"] >= jan1))
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
            "month": _to_dt(np.concatenate(rows_month)),
            "region": pd.array(np.array(REGION_KEYS)[np.concatenate(rows_reg)], dtype="str"),
            "rep_id": pd.array(rep_ids[np.concatenate(rows_rep)], dtype="str"),
            "target": np.concatenate(rows_target),
        }
    )
    return plan.sort_values(["month", "region", "rep_id"], ignore_index=True)


def _company_names(rng: np.random.Generator, ind: np.ndarray, n: int) -> list[str]:
    """'Huaxin Energy Co. 12': a prefix, the industry word, a legal suffix and a number that keeps it unique."""
    pre = rng.integers(0, len(NAME_PREFIX), n)
    suf = rng.integers(0, len(NAME_SUFFIX), n)
    seen: dict[tuple[int, int, int], int] = {}
    out = []
    for p, i, s in zip(pre.tolist(), ind.tolist(), suf.tolist(), strict=True):
        k = seen.get((p, i, s), 0) + 1
        seen[(p, i, s)] = k
        out.append(f"{NAME_PREFIX[p]} {IND_WORD[i]} {NAME_SUFFIX[s]} {k}")
    return out


def _person_names(rng: np.random.Generator, n: int) -> list[str]:
    """Pinyin 'Surname Given-name' display names, made unique with a digit when they collide."""
    sur = rng.integers(0, len(SURNAMES), n)
    g1 = rng.integers(0, len(GIVEN), n)
    g2 = rng.integers(0, len(GIVEN), n)
    two = rng.random(n) < 0.6
    seen: dict[str, int] = {}
    out = []
    for s, a, b, t in zip(sur.tolist(), g1.tolist(), g2.tolist(), two.tolist(), strict=True):
        name = f"{SURNAMES[s]} {GIVEN[a]}{GIVEN[b].lower() if t else ''}"
        k = seen.get(name, 0)
        seen[name] = k + 1
        out.append(name if k == 0 else f"{name} {k + 1}")
    return out


# --- files ---------------------------------------------------------------------------------------------------
def generator_fingerprint(scale: float = 1.0, seed: int = DEFAULT_SEED, end: _dt.date = DEFAULT_END) -> str:
    """sha256 of this module's source + scale + seed + end: changes whenever the generated data may change."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(f"|scale={float(scale)!r}|seed={int(seed)}|end={end}".encode())
    return h.hexdigest()


def _arrow_table(df: pd.DataFrame) -> pa.Table:
    """DataFrame -> arrow table with dates as date32 (calendar dates) and no pandas index."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.date32()))
        elif pa.types.is_dictionary(field.type) and len(table.column(i).chunk(0).dictionary) > 1000:
            # Parquet would repeat a large arrow dictionary (order ids) in every row group: write plain strings
            # and let Parquet's own per-row-group dictionary encoding do the work.
            table = table.set_column(i, pa.field(field.name, pa.string()), table.column(i).cast(pa.string()))
    return table.replace_schema_metadata(None)


def write(
    out_dir: str | os.PathLike,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    fmt: str = "parquet",
    end: _dt.date = DEFAULT_END,
    tables: dict[str, pd.DataFrame] | None = None,
) -> Path:
    """Generate (or take `tables`) and write one `<table>.parquet` / `<table>.csv` per table plus `sample.json`.

    In: output folder (created), scale, seed, `fmt` 'parquet' or 'csv', `end`. Out: the folder path.
    `sample.json` records scale, seed, end, the generator fingerprint and the row count of every table.
    """
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"fmt must be 'parquet' or 'csv', got {fmt!r}")
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = tables if tables is not None else generate(scale=scale, seed=seed, end=end)
    counts = {}
    for name, df in data.items():
        table = _arrow_table(df)
        counts[name] = table.num_rows
        if fmt == "parquet":
            # Row groups of 256k rows: orders are generated region by region, so `data.read_table` reads only the
            # row groups whose region / date statistics can match (east: 15 of 39 at scale 100).
            pq.write_table(table, out / f"{name}.parquet", row_group_size=256 * 1024, compression="zstd")
        else:
            # Dictionary columns -> plain strings; CSV has no dictionaries.
            cols = [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in table.columns]
            pacsv.write_csv(pa.table(cols, names=table.column_names), out / f"{name}.csv")
    meta = {
        "scale": float(scale),
        "seed": int(seed),
        "end": str(end),
        "format": fmt,
        "fingerprint": generator_fingerprint(scale, seed, end),
        "rows": counts,
    }
    (out / "sample.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return out


def _is_current(path: Path, fingerprint: str) -> bool:
    try:
        meta = json.loads((path / "sample.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return meta.get("fingerprint") == fingerprint and all((path / f"{t}.parquet").is_file() for t in TABLES)


@contextlib.contextmanager
def _locked(lock_path: Path):
    """Exclusive advisory lock (fcntl) so concurrent runs generate the sample once; a no-op where unsupported."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        try:
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: the temp-dir + rename below still avoids torn files
            pass
        try:
            yield
        finally:
            with contextlib.suppress(ImportError):
                import fcntl

                fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_sample(
    path: str | os.PathLike | None = None, scale: float = 1.0, seed: int = DEFAULT_SEED
) -> Path:
    """Return a folder holding the current sample data set, generating it first if missing or stale.

    In: `path` (default `planning.config.SAMPLE_DIR`, or `<SAMPLE_DIR>-<scale>` for another scale), scale, seed.
    Out: the folder. Stale = `sample.json` fingerprint differs (this file, scale or seed changed). Safe with
    several processes: a lock file serialises generation, and the data are written into a temporary folder
    that is renamed into place, so a reader never sees a half-written set.
    """
    from planning import config

    if path is None:
        path = (
            config.SAMPLE_DIR
            if scale == 1.0
            else config.SAMPLE_DIR.with_name(f"{config.SAMPLE_DIR.name}-{scale:g}")
        )
    path = Path(path)
    fp = generator_fingerprint(scale, seed, DEFAULT_END)
    if _is_current(path, fp):
        return path
    with _locked(path.with_name(f".{path.name}.lock")):
        if _is_current(path, fp):  # another process finished it while we waited
            return path
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
        try:
            write(tmp, scale=scale, seed=seed)
            # mkdtemp makes the folder private (0700); give it the permissions of a normal folder.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o777 & ~umask)
            if path.exists():
                old = path.with_name(f".{path.name}-old-{os.getpid()}")
                os.replace(path, old)
                os.replace(tmp, path)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, path)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return path
