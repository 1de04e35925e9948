"""The company's people and accounts: regions, reps (hiring, ramp, attrition, who owns a sale) and customers.

`make_reps` staffs the seats, `RepPicker` draws the rep owning a sale on a day, `existing_customers` and
`customers` build the customer base (those from before 2022 plus the won new logos, with health and churn), and
`regions_table`, `reps_table`, `customers_table` turn them into the tables of `docs/data.md`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from planning.sample.draws import NAT, Calendar, day_of, ids, to_dt, weighted_pick
from planning.sample.structure import (
    GIVEN,
    IND_WEIGHT,
    IND_WORD,
    INDUSTRIES,
    NAME_PREFIX,
    NAME_SUFFIX,
    NEW_SEATS,
    REGION_ATTRITION,
    REGION_KEYS,
    REGION_SEATS,
    REGION_WEIGHT,
    REGIONS,
    SIZE_BANDS,
    SIZE_ORDER_WEIGHT,
    SIZE_P,
    SIZE_WALLET,
    SOURCES,
    SURNAMES,
)


def make_reps(rng: np.random.Generator, scale: float, d0: int, dend: int) -> dict[str, np.ndarray]:
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
            hire.append(day_of("2013-03-01") + int(rng.integers(0, 6 * 365)))
            exit_.append(NAT)
        for s, opened in enumerate(opens):
            # Initial holders were hired 2015..2021 (a few late in 2021 still ramping in 2022).
            h = day_of(opened) + int(rng.integers(0, 60)) if opened else d0 - int(rng.integers(20, 7 * 365))
            while h <= dend:
                tenure = int(rng.exponential(365.25 / REGION_ATTRITION[r])) + 60
                e = h + tenure
                if e >= d0:
                    region.append(r)
                    team.append(s % 2 + 1)
                    role.append(0)
                    hire.append(h)
                    exit_.append(e if e <= dend else NAT)
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


def rep_weight_matrix(reps: dict, r: int, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(days x reps-of-region) output weights: productivity * ramp for employed quota reps; managers get a
    tiny weight so a day without any rep still has an owner. Returns (weights, rep indices)."""
    idx = np.flatnonzero(reps["region"] == r)
    hire, ex = reps["hire"][idx], reps["exit"][idx]
    ex = np.where(ex == NAT, np.iinfo(np.int64).max, ex)
    d = days[:, None]
    employed = (d >= hire[None, :]) & (d <= ex[None, :])
    tenure = (d - hire[None, :]).astype(np.float64)
    # New hires start at ~20 % of full output and reach 100 % after their ramp (4-6 months).
    ramp = 0.2 + 0.8 * np.clip(tenure / reps["ramp_days"][idx][None, :], 0.0, 1.0)
    w = employed * ramp * reps["prod"][idx][None, :]
    w = np.where(reps["role"][idx][None, :] == 1, employed * 1e-9, w)
    return w, idx


class RepPicker:
    """Draws the owning rep for (region, day) rows: a quota rep employed on that day, chosen in proportion to
    productivity * ramp. One flattened cumulative weight array per region makes it a single searchsorted."""

    def __init__(self, reps: dict, d0: int, dend: int):
        self.d0 = d0
        self.days = np.arange(d0, dend + 1)
        self.cum, self.start, self.idx, self.ncols, self.capacity = [], [], [], [], []
        for r in range(len(REGION_KEYS)):
            w, idx = rep_weight_matrix(reps, r, self.days)
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


def _customer_attributes(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Latent health, size and the churn hazard that depends on health."""
    health = rng.normal(0.0, 1.0, n)
    size = rng.choice(3, n, p=SIZE_P)
    # Annual churn hazard 3 %..40 %: unhealthy customers leave.
    hazard = 0.09 * np.exp(-0.9 * health)
    return {"health": health, "size": size, "hazard": np.clip(hazard, 0.02, 0.6)}


def existing_customers(rng: np.random.Generator, scale: float, cal: Calendar) -> dict[str, np.ndarray]:
    """Customers that bought before the history starts: region, industry, acquisition day and channel (source
    code; partner leads were not yet a source then, so they come in as a later 15 %)."""
    n0 = max(len(REGION_KEYS) * len(INDUSTRIES), int(round(1700 * scale)))
    ex_reg = weighted_pick(rng, REGION_WEIGHT, n0)
    ex_ind = weighted_pick(rng, IND_WEIGHT, n0)
    ex_acq = cal.d0 - np.floor(rng.exponential(2.5 * 365, n0)).astype(np.int64) - 1
    ex_acq = np.maximum(ex_acq, day_of("2012-01-01"))
    ex_channel = rng.choice(3, n0, p=[0.40, 0.32, 0.28])  # partner leads were not yet a source then
    ex_channel = np.where(rng.random(n0) < 0.15, 3, ex_channel)
    return {"region": ex_reg, "industry": ex_ind, "acquired": ex_acq, "channel": ex_channel}


@dataclasses.dataclass
class Customers:
    """The customer base, one entry per customer in creation order (the `n0` existing ones first, then the won
    new logos): region / industry / channel / size codes, acquisition and churn day, latent health, order pull.
    `order` sorts them by acquisition, `rank` is each one's position in that order and `ids` the id per rank."""

    n0: int
    n: int
    region: np.ndarray
    industry: np.ndarray
    acquired: np.ndarray
    channel: np.ndarray
    size: np.ndarray
    health: np.ndarray
    churn: np.ndarray
    churned: np.ndarray
    pull: np.ndarray
    order: np.ndarray
    rank: np.ndarray
    ids: pd.Index


def customers(
    rng: np.random.Generator,
    existing: dict[str, np.ndarray],
    won_region: np.ndarray,
    won_industry: np.ndarray,
    won_day: np.ndarray,
    won_source: np.ndarray,
    cal: Calendar,
) -> Customers:
    """The existing customers plus the won new-logo opportunities (region, industry, close day, lead source),
    with health, size, churn day (unhealthy customers leave sooner) and order pull; ids in acquisition order."""
    n0 = len(existing["region"])
    n_cust = n0 + len(won_region)
    c_reg = np.concatenate([existing["region"], won_region]).astype(np.int32)
    c_ind = np.concatenate([existing["industry"], won_industry]).astype(np.int32)
    c_acq = np.concatenate([existing["acquired"], won_day])
    c_chan = np.concatenate([existing["channel"], won_source]).astype(np.int32)
    attrs = _customer_attributes(rng, n_cust)
    c_size, health = attrs["size"], attrs["health"]
    churn = np.maximum(c_acq, cal.d0) + np.ceil(rng.exponential(365.25 / attrs["hazard"])).astype(np.int64)
    c_pull = rng.lognormal(0.0, 0.5, n_cust) * SIZE_ORDER_WEIGHT[c_size]
    # Customer ids in acquisition order.
    c_order = np.lexsort((np.arange(n_cust), c_acq))
    c_rank = np.empty(n_cust, np.int64)
    c_rank[c_order] = np.arange(n_cust)
    return Customers(
        n0=n0,
        n=n_cust,
        region=c_reg,
        industry=c_ind,
        acquired=c_acq,
        channel=c_chan,
        size=c_size,
        health=health,
        churn=churn,
        churned=churn <= cal.dend,
        pull=c_pull,
        order=c_order,
        rank=c_rank,
        ids=ids("C", n_cust, 5),  # index = rank
    )


def customers_table(rng: np.random.Generator, c: Customers) -> pd.DataFrame:
    """The customers table in acquisition order; the health attributes (usage, satisfaction, renewal intent)
    follow the latent health and are low for customers that churned."""
    n_cust, c_size, health = c.n, c.size, c.health
    ch = c.churned.astype(np.float64)
    usage = np.round(np.maximum(0.0, rng.lognormal(1.2 + 0.45 * health, 0.35) * (1 - 0.85 * ch)), 1)
    satisfaction = np.round(np.clip(3.7 + 0.55 * health - 1.1 * ch + rng.normal(0, 0.35, n_cust), 1, 5), 1)
    renewal = np.round(1 / (1 + np.exp(-(0.6 + 1.1 * health - 2.0 * ch + rng.normal(0, 0.4, n_cust)))), 2)
    complexity = np.clip(np.round(1.5 + c_size * 0.9 + rng.normal(0, 0.8, n_cust)), 1, 5).astype(np.int64)
    chain = np.clip(np.round(1.5 + c_size * 1.6 + rng.normal(0, 1.0, n_cust)), 1, 8).astype(np.int64)
    wallet = np.round(SIZE_WALLET[c_size] * rng.lognormal(0, 0.5, n_cust), -3)
    names = _company_names(rng, c.industry, n_cust)
    cust = pd.DataFrame(
        {
            "customer_id": pd.array(c.ids[c.rank], dtype="str"),
            "name": pd.array(names, dtype="str"),
            "region": pd.array(np.array(REGION_KEYS)[c.region], dtype="str"),
            "industry": pd.array(np.array(INDUSTRIES)[c.industry], dtype="str"),
            "size_band": pd.array(np.array(SIZE_BANDS)[c_size], dtype="str"),
            "acquisition_channel": pd.array(np.array(SOURCES)[c.channel], dtype="str"),
            "first_order_date": to_dt(c.acquired),
            "usage_frequency": usage,
            "satisfaction": satisfaction,
            "renewal_intent": renewal,
            "demand_complexity": complexity,
            "decision_chain_length": chain,
            "wallet_size": wallet,
        }
    )
    return cust.iloc[c.order].reset_index(drop=True)


def reps_table(rng: np.random.Generator, reps: dict[str, np.ndarray], rep_ids: pd.Index) -> pd.DataFrame:
    """The reps table: id, a Pinyin display name, region, team `<region>-<n>`, role, hire and exit dates."""
    n_reps = len(reps["region"])
    rep_names = _person_names(rng, n_reps)
    return pd.DataFrame(
        {
            "rep_id": pd.array(rep_ids, dtype="str"),
            "name": pd.array(rep_names, dtype="str"),
            "region": pd.array(np.array(REGION_KEYS)[reps["region"]], dtype="str"),
            "team": pd.array(
                [f"{REGION_KEYS[r]}-{t}" for r, t in zip(reps["region"], reps["team"], strict=True)],
                dtype="str",
            ),
            "role": pd.array(np.where(reps["role"] == 1, "manager", "rep"), dtype="str"),
            "hire_date": to_dt(reps["hire"]),
            "exit_date": to_dt(reps["exit"]),
        }
    )


def regions_table() -> pd.DataFrame:
    """The regions table: key, English and Chinese name."""
    return pd.DataFrame(
        {
            "region": pd.array(REGION_KEYS, dtype="str"),
            "name_en": pd.array([r[1] for r in REGIONS], dtype="str"),
            "name_zh": pd.array([r[2] for r in REGIONS], dtype="str"),
        }
    )


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
