"""The pipeline: one opportunity per qualified lead, moving lead -> discovery -> proposal -> negotiation -> won.

`funnel` draws each opportunity's industry, stage conversions (industry and source move the first and last
step; the northeast's proposal stage is a bottleneck), days per stage, product and amount, and whether it is an
expansion deal or a new logo. Won new logos become customers (`company.customers`); `opportunities_table` then
gives expansion deals an active customer, new logos their customer or prospect id, every deal its rep, and cuts
the history at the last day (later stage dates blank, the deal still open).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from planning.sample.company import Customers, RepPicker
from planning.sample.draws import NAT, Calendar, cat, ids, to_dt, weighted_pick
from planning.sample.market import Leads
from planning.sample.structure import (
    IND_REL_GROWTH,
    IND_WEIGHT,
    IND_WIN_MULT,
    INDUSTRIES,
    OPP_AMOUNT,
    OPP_PRODUCT_P,
    PRODUCT_LINES,
    REGION_KEYS,
    SOURCE_WIN_MULT,
    SOURCES,
    STAGE_DAYS,
    STAGE_NAMES,
    STAGE_P,
)


@dataclasses.dataclass(frozen=True)
class Funnel:
    """One entry per opportunity in lead order of the cells: region / source / industry / product codes, month
    index and day of the lead, `reached` 0..4 stages passed (4 = won), `stage_day[:, k]` the day stage k was
    reached (before truncation at the last day), `close_day`, won / lost closed by the last day, `new_logo`
    (else an expansion deal) and the amount."""

    region: np.ndarray
    source: np.ndarray
    month_index: np.ndarray
    lead_day: np.ndarray
    industry: np.ndarray
    reached: np.ndarray
    stage_day: np.ndarray
    close_day: np.ndarray
    won_closed: np.ndarray
    lost_closed: np.ndarray
    new_logo: np.ndarray
    product: np.ndarray
    amount: np.ndarray

    def won_new_logos(self) -> np.ndarray:
        """Indices of the won new-logo opportunities (they become customers, in this order)."""
        return np.flatnonzero(self.new_logo & self.won_closed)


def funnel(rng: np.random.Generator, leads: Leads, cal: Calendar) -> Funnel:
    """Draw the funnel of every qualified lead in `leads` (see the module docstring)."""
    months, dend = cal.months, cal.dend
    opp_reg = np.repeat(leads.region.ravel(), leads.count.ravel())
    opp_src = np.repeat(leads.source.ravel(), leads.count.ravel())
    opp_mi = np.repeat(leads.month.ravel(), leads.count.ravel())
    n_opp = len(opp_reg)
    month_len = cal.month_len
    lead_day = months[opp_mi] + np.floor(rng.random(n_opp) * month_len[opp_mi]).astype(np.int64)
    lead_day = np.minimum(lead_day, dend)
    t_lead = (lead_day - cal.d0) / 365.25
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
    # Expansion deals go to existing customers; the rest are new logos that become customers when won.
    new_logo = rng.random(n_opp) < 0.75
    opp_prod = weighted_pick(rng, OPP_PRODUCT_P, n_opp)
    opp_amount = np.round(OPP_AMOUNT[opp_prod] * rng.lognormal(-0.18, 0.6, n_opp), -2)
    return Funnel(
        region=opp_reg,
        source=opp_src,
        month_index=opp_mi,
        lead_day=lead_day,
        industry=opp_ind,
        reached=reached,
        stage_day=stage_day,
        close_day=close_day,
        won_closed=(reached == 4) & (close_day <= dend),
        lost_closed=(reached < 4) & (close_day <= dend),
        new_logo=new_logo,
        product=opp_prod,
        amount=opp_amount,
    )


def _expansion_customers(rng: np.random.Generator, f: Funnel, c: Customers, cal: Calendar) -> np.ndarray:
    """Customer rank per opportunity (-1 where none): each expansion deal goes to an active customer of its
    region and industry at the lead month, picked in proportion to the customer's order pull."""
    months, n_months = cal.months, cal.n_months
    n_reg, n_ind = len(REGION_KEYS), len(INDUSTRIES)
    opp_reg, opp_ind, opp_mi = f.region, f.industry, f.month_index
    c_reg, c_ind, c_acq, churn = c.region, c.industry, c.acquired, c.churn
    opp_cust_rank = np.full(len(opp_reg), -1, np.int64)
    exp_idx = np.flatnonzero(~f.new_logo)
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
                act = act if len(act) else np.arange(c.n0)
            opp_cust_rank[sel] = c.rank[act[weighted_pick(rng, c.pull[act], len(sel))]]
    return opp_cust_rank


def opportunities_table(
    rng: np.random.Generator, f: Funnel, c: Customers, picker: RepPicker, rep_ids: pd.Index, cal: Calendar
) -> pd.DataFrame:
    """The opportunities table in lead-date order: expansion deals get an active customer, won new logos their
    new customer id, the other new logos a prospect id (P...); the rep is drawn among those employed on the lead
    day. Stage dates after the last day are blank and such deals are open."""
    dend = cal.dend
    n_opp = len(f.region)
    opp_cust_rank = _expansion_customers(rng, f, c, cal)
    # New logos: the won ones carry their new customer id, the others are prospects (P...).
    nl = f.won_new_logos()
    opp_cust_rank[nl] = c.rank[c.n0 + np.arange(len(nl))]
    prospect = f.new_logo & ~(f.won_closed & f.new_logo)
    prospect_ids = ids("P", int(prospect.sum()), 6)

    opp_rep = picker.pick(rng, f.region, f.lead_day)
    # Truncate to what is known at `end`: later stage dates are blank and the deal is still open.
    sd = f.stage_day.copy()
    for k in range(1, 4):
        sd[:, k] = np.where((f.reached >= k) & (sd[:, k] <= dend), sd[:, k], NAT)
    closed = f.won_closed | f.lost_closed
    open_stage = (sd[:, 1:4] != NAT).sum(axis=1)  # 0 lead .. 3 negotiation
    status = np.where(f.won_closed, 1, np.where(f.lost_closed, 2, 0))
    stage = np.where(f.won_closed, 4, np.where(f.lost_closed, 5, open_stage))
    o_order = np.lexsort((np.arange(n_opp), f.lead_day))
    opp_cust = np.empty(n_opp, dtype=object)
    opp_cust[~prospect] = c.ids[opp_cust_rank[~prospect]].to_numpy(dtype=object)
    opp_cust[prospect] = prospect_ids.to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "opportunity_id": pd.array(ids("O", n_opp, 6), dtype="str"),
            "customer_id": pd.array(opp_cust[o_order], dtype="str"),
            "rep_id": cat(opp_rep[o_order], rep_ids),
            "region": cat(f.region[o_order], REGION_KEYS),
            "industry": cat(f.industry[o_order], INDUSTRIES),
            "source": cat(f.source[o_order], SOURCES),
            "product_line": cat(f.product[o_order], PRODUCT_LINES),
            "amount": f.amount[o_order],
            "lead_date": to_dt(f.lead_day[o_order]),
            "discovery_date": to_dt(sd[o_order, 1]),
            "proposal_date": to_dt(sd[o_order, 2]),
            "negotiation_date": to_dt(sd[o_order, 3]),
            "close_date": to_dt(np.where(closed, f.close_day, NAT)[o_order]),
            "status": cat(status[o_order], ("open", "won", "lost")),
            "stage": cat(stage[o_order], (*STAGE_NAMES, "won", "lost")),
        }
    )
