"""The order history: order lines from 2022-01-01 to the last day.

Per region and month a volume follows the region's growth, the season (Chinese New Year dip, mid-year bump,
strong Q4) and staffing (a seat left empty costs sales for a while); the orders are spread over the customers
active that month (growing industries pull more, churning customers taper off over their last half year) on
weekdays, every new customer's first order is on its close date, and the rep is one employed on the order day.
Each order has 1+ lines of a product line with quantity, list price (rising ~2.5 %/yr), amount and margin;
about 1 % of lines are returns.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from planning.sample.company import Customers, RepPicker
from planning.sample.draws import Calendar, cat, cny_factor, ids, to_dt, weekday_bias, weighted_pick
from planning.sample.structure import (
    CHANNELS,
    IND_REL_GROWTH,
    PRODUCT_LINES,
    PRODUCT_MARGIN,
    PRODUCT_P,
    REGION_GROWTH,
    REGION_KEYS,
    REGION_WEIGHT,
    SEASON,
)


@dataclasses.dataclass(frozen=True)
class OrderHistory:
    """The orders table plus one entry per order (stored order): region code, year, month (months since
    1970-01) and amount net of returns (what market size and the plan of record are computed from)."""

    orders: pd.DataFrame
    region: np.ndarray
    year: np.ndarray
    month: np.ndarray
    amount: np.ndarray


def _volume(rng: np.random.Generator, scale: float, picker: RepPicker, cal: Calendar) -> np.ndarray:
    """Number of orders per region x month: growth x season x Chinese New Year x detrended staffing x noise."""
    n_reg = len(REGION_KEYS)
    months, month_len, t_month, d0, dend = cal.months, cal.month_len, cal.t_month, cal.d0, cal.dend
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
        * SEASON[cal.month_num][None, :]
        * cny_factor(months)[None, :]
        * cap_rel
        * rng.lognormal(0.0, 0.04, (n_reg, cal.n_months))
        * (month_len / 30.44)[None, :]
    )
    last_month_days = dend - months[-2] + 1
    vol[:, -1] *= last_month_days / month_len[-1]
    return rng.poisson(vol)


def _order_days(
    rng: np.random.Generator, n_orders_rm: np.ndarray, c: Customers, cal: Calendar
) -> tuple[np.ndarray, np.ndarray]:
    """(customer, day) of every order: the region-month volumes spread over active customers, then every new
    customer's first order on the day its deal closed."""
    months, d0, dend = cal.months, cal.d0, cal.dend
    c_reg, c_acq, churn = c.region, c.acquired, c.churn
    o_cust_parts, o_day_parts = [], []
    for r in range(len(REGION_KEYS)):
        cr = np.flatnonzero(c_reg == r)
        for mi in range(cal.n_months):
            ms, me = months[mi], min(months[mi + 1] - 1, dend)
            act = cr[(c_acq[cr] <= me) & (churn[cr] > ms)]
            k = int(n_orders_rm[r, mi])
            if k == 0 or len(act) == 0:
                continue
            t = (ms + 14 - d0) / 365.25
            # Customers that will churn taper off over their last half year.
            taper = np.clip((churn[act] - ms) / 180.0, 0.15, 1.0)
            w = c.pull[act] * IND_REL_GROWTH[c.industry[act]] ** t * taper
            chosen = act[weighted_pick(rng, w, k)]
            lo = np.maximum(ms, c_acq[chosen])
            hi = np.minimum(me, churn[chosen] - 1)
            o_cust_parts.append(chosen)
            o_day_parts.append(
                weekday_bias(rng, lo + np.floor(rng.random(k) * (hi - lo + 1)).astype(np.int64), lo, hi)
            )
    # Every new customer's first order is on the day the deal closed.
    new_c = np.arange(c.n0, c.n)
    o_cust = np.concatenate([*o_cust_parts, new_c])
    o_day = np.concatenate([*o_day_parts, c_acq[new_c]])
    return o_cust, o_day


def order_history(
    rng: np.random.Generator,
    scale: float,
    c: Customers,
    picker: RepPicker,
    rep_ids: pd.Index,
    cal: Calendar,
) -> OrderHistory:
    """Draw the order history (see the module docstring). Rows are stored region-major, orders numbered by
    booking date; key columns are Categoricals of str."""
    d0 = cal.d0
    n_orders_rm = _volume(rng, scale, picker, cal)
    o_cust, o_day = _order_days(rng, n_orders_rm, c, cal)
    n_ord = len(o_cust)
    o_reg = c.region[o_cust]
    o_rep = picker.pick(rng, o_reg, o_day)
    # Order numbers follow the booking date; rows are stored region-major (Parquet row groups then hold one
    # region each, so a region filter skips the rest of a large file).
    id_order = np.lexsort((c.rank[o_cust], o_day))
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
    prod = weighted_pick(rng, PRODUCT_P, n_lines).astype(np.int32)
    l_size = c.size[o_cust[line_ord]]
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
    li = line_ord
    orders = pd.DataFrame(
        {
            "order_id": cat(o_code[li], ids("SO", n_ord, 8)),
            "line_no": line_no.astype(np.int64),
            "order_date": to_dt(o_day[li]),
            "customer_id": cat(c.rank[o_cust[li]], c.ids),
            "rep_id": cat(o_rep[li], rep_ids),
            "region": cat(o_reg[li], REGION_KEYS),
            "product_line": cat(prod, PRODUCT_LINES),
            "channel": cat(o_chan[li], CHANNELS),
            "quantity": qty,
            "unit_price": price,
            "amount": amount,
            "margin": margin,
        },
        copy=False,
    )
    return OrderHistory(
        orders=orders,
        region=o_reg,
        year=o_day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970,
        month=o_day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64),
        amount=np.bincount(line_ord, weights=amount, minlength=n_ord),
    )
