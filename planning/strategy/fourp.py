"""The 4P decisions (product, price, place = channel, promotion), each linked to the goal of step 2 it supports,
and the sales-channel mix that the place decisions act on.
"""

from __future__ import annotations

import pandas as pd

from planning.data import require
from planning.params import Params, Strategy
from planning.strategy.history import months_before


def four_p(p: Strategy, goals: pd.DataFrame | None) -> pd.DataFrame:
    """The 4P decisions from `strategy.four_p`, each linked to the goal it supports.

    A decision links to the goals.csv rows whose `metric` equals its `supports`; `goal` holds their text ("" when
    none matches or goals.csv is not available) and `linked` says whether one did.
    Out: p, entry (the decision's index in `strategy.four_p`; `narrate.four_p_table` puts its item text there),
    segments, tiers, supports, goal, linked.
    """
    goal_by_metric: dict[str, str] = {}
    if goals is not None and {"goal", "metric"} <= set(goals.columns):
        for metric, g in goals.groupby(goals["metric"].astype(str), sort=False):
            goal_by_metric[metric] = "; ".join(g["goal"].astype(str))
    rows = []
    for i, entry in enumerate(p.four_p):
        goal = goal_by_metric.get(entry.supports, "")
        rows.append(
            {
                "p": entry.p,
                "entry": i,
                "segments": ", ".join(entry.segments),
                "tiers": ", ".join(entry.tiers),
                "supports": entry.supports,
                "goal": goal,
                "linked": bool(goal),
            }
        )
    order = {k: i for i, k in enumerate(("product", "price", "place", "promotion"))}
    out = pd.DataFrame(rows, columns=["p", "entry", "segments", "tiers", "supports", "goal", "linked"])
    return out.sort_values("p", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def channel_mix(orders: pd.DataFrame, p: Params, months: int = 12) -> pd.DataFrame:
    """Revenue, margin rate and share by sales channel (direct, partner, online) over the last `months` months up
    to `as_of`, with the growth against the `months` before. Out: channel, revenue, share, margin_rate, growth."""
    require(orders, "orders", ("order_date", "channel", "amount", "margin"))
    as_of = pd.Timestamp(p.as_of)
    d = orders["order_date"]
    cur = (d > months_before(as_of, months)) & (d <= as_of)
    prev = (d > months_before(as_of, 2 * months)) & ~cur & (d <= as_of)
    ch = orders["channel"].astype(str)
    now = orders.loc[cur].groupby(ch[cur])[["amount", "margin"]].sum()
    before = orders.loc[prev].groupby(ch[prev])["amount"].sum()
    out = pd.DataFrame(
        {
            "channel": now.index.astype(str),
            "revenue": now["amount"].to_numpy(),
            "margin_rate": (now["margin"] / now["amount"]).to_numpy(),
        }
    )
    out["share"] = out["revenue"] / out["revenue"].sum() if len(out) else 0.0
    prior = out["channel"].map(before).astype(float)
    out["growth"] = (out["revenue"] / prior - 1.0).where(prior > 0)
    return out.sort_values("revenue", ascending=False).reset_index(drop=True)
