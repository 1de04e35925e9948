"""SWOT: strengths, weaknesses, opportunities and threats, the planner's entries from params plus signals the
data gives (an industry where we gain or lose share, a market growing faster than the region's, a
differentiation opening, a competitor strong where we are weak).

Pure function: the `market` params section, `market_share` and `competitors` frames in, a DataFrame out. Each
row carries the facts behind it; `narrate.swot_table` words them into the artefact `swot` (item, evidence).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from planning.params import Market


def swot(mp: Market, share: pd.DataFrame, comp: pd.DataFrame) -> pd.DataFrame:
    """SWOT entries from params plus signals derived from the data (artefact `swot`, once narrated).

    Rules (each data entry carries its evidence numbers):
    - S: an industry where our share rose by >= `market.share_threshold`; a differentiation opening where our own
      score is >= `market.strong_score` (we already fill the gap competitors leave).
    - W: an industry where our share fell by >= `market.share_threshold` (also the region's total share).
    - O: an industry whose market grows >= `market.growth_margin` faster than the region's total market; every
      differentiation opening.
    - T: a competitor scoring >= `market.strong_score` on a dimension where our own score is <= `market.weak_score`.
    Reads params `market.swot` (the planner's entries), `market.own_scores`, `market.growth_margin`,
    `market.strong_score`, `market.weak_score`.
    Out: quadrant (S/W/O/T), source (params | data), rule (a key of locale market `swot:`; empty for params),
    key, facts (a dict: the params text as {"text": str or {en, zh}}, or the numbers and keys the rule's
    sentence names), sorted S, W, O, T and params before data within a quadrant.
    """
    rows: list[dict[str, Any]] = []
    for quadrant in ("S", "W", "O", "T"):
        for entry in mp.swot.get(quadrant, []):
            rows.append(
                {"quadrant": quadrant, "source": "params", "rule": "", "key": "", "facts": {"text": entry}}
            )

    def add(quadrant: str, rule: str, key: str, **facts: Any) -> None:
        rows.append({"quadrant": quadrant, "source": "data", "rule": rule, "key": key, "facts": facts})

    if not share.empty:
        total = share[share["segment"] == "total"].iloc[0] if (share["segment"] == "total").any() else None
        body = share[share["segment"] != "total"]
        for _, r in body.iterrows():
            facts = {
                "segment": r["segment"],
                "share": r["share"],
                "change": r["share_change"],
                "growth": r["market_growth"],
                "total_growth": total["market_growth"] if total is not None else None,
            }
            if r["status"] == "gaining":
                add("S", "share_gain", r["segment"], **facts)
            elif r["status"] == "losing":
                add("W", "share_loss", r["segment"], **facts)
            if total is not None and r["market_growth"] >= total["market_growth"] + mp.growth_margin:
                add("O", "fast_market", r["segment"], **facts)
        if total is not None and total["status"] == "losing":
            add("W", "region_share_loss", "total", share=total["share"], change=total["share_change"])

    if not comp.empty:
        own = mp.own_scores
        for dim in dict.fromkeys(comp.loc[comp["opening"], "dimension"]):
            best = comp.loc[comp["dimension"] == dim, "score"].max()
            if own.get(dim, 0.0) >= mp.strong_score:
                add("S", "opening_filled", dim, dimension=dim, own=own[dim], best=best)
            add("O", "opening", dim, dimension=dim, best=best, weak=mp.weak_score)
        for _, r in comp[comp["strong"]].iterrows():
            dim = r["dimension"]
            if dim in own and own[dim] <= mp.weak_score:
                add("T", "competitor_strength", f"{r['competitor']}/{dim}",
                    competitor={"en": r["competitor"], "zh": r["competitor_zh"]}, dimension=dim,
                    score=r["score"], own=own[dim])  # fmt: skip
    cols = ["quadrant", "source", "rule", "key", "facts"]
    df = pd.DataFrame(rows, columns=cols)
    df["_q"] = df["quadrant"].map({"S": 0, "W": 1, "O": 2, "T": 3})
    return df.sort_values(["_q", "source"], kind="stable").drop(columns="_q").reset_index(drop=True)
