"""`generate`: every table of the sample company, drawn from one random stream.

The order of the calls below is the order of the draws from numpy's PCG64 stream: changing it (or a draw inside
a module) changes the data set, and `files.generator_fingerprint` then rebuilds the cached copy.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from planning.sample import company, history, market, pipeline, plan
from planning.sample.draws import calendar, ids
from planning.sample.structure import DEFAULT_END, DEFAULT_SEED, REGION_KEYS, START


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
    cal = calendar(end)

    reps = company.make_reps(rng, scale, cal.d0, cal.dend)
    rep_ids = ids("R", len(reps["region"]), 3)
    picker = company.RepPicker(reps, cal.d0, cal.dend)
    leads = market.leads(rng, scale, cal)
    existing = company.existing_customers(rng, scale, cal)
    funnel = pipeline.funnel(rng, leads, cal)
    won = funnel.won_new_logos()
    customers = company.customers(
        rng,
        existing,
        funnel.region[won],
        funnel.industry[won],
        funnel.close_day[won],
        funnel.source[won],
        cal,
    )
    opportunities = pipeline.opportunities_table(rng, funnel, customers, picker, rep_ids, cal)
    hist = history.order_history(rng, scale, customers, picker, rep_ids, cal)
    customers_df = company.customers_table(rng, customers)
    reps_df = company.reps_table(rng, reps, rep_ids)
    # Revenue by region in 2022 (net of returns) sizes the market.
    in_2022 = hist.year == 2022
    rev_2022 = np.bincount(hist.region[in_2022], weights=hist.amount[in_2022], minlength=len(REGION_KEYS))
    market_size = market.market_size_table(rng, rev_2022, cal.y_end)
    plan_df = plan.plan_of_record(rng, reps, rep_ids, hist, cal.y_end)
    return {
        "regions": company.regions_table(),
        "reps": reps_df,
        "customers": customers_df,
        "orders": hist.orders,
        "opportunities": opportunities,
        "marketing": leads.marketing,
        "market_size": market_size,
        "plan_of_record": plan_df,
    }
