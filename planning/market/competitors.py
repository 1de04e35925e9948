"""Competitors: the strengths-weaknesses matrix (competitors x dimensions such as price, product, service,
scored 1-5), the differentiation openings where every competitor is weak, and the market increment those
openings and the planned share gains are expected to win in the plan year (carried into the goals step).

Pure functions: the `market` params section (and the market share / plan-year TAM) in, DataFrames out.
Artefacts `competitors` and `market_increment` (planning/contracts.py, docs/artifacts.md); the increment's
`explanation` text is written by `narrate.explain_increment`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from planning.params import Market


def competitors(mp: Market) -> pd.DataFrame:
    """The strengths-weaknesses matrix from params, long form (artefact `competitors`).

    Out: competitor, competitor_zh, dimension, score, weak (score <= `market.weak_score`), strong (score >=
    `market.strong_score`), opening (every competitor is weak on this dimension). Reads `market.competitors`,
    `market.weak_score`, `market.strong_score`.
    """
    rows = [
        {"competitor": c.name, "competitor_zh": c.name_zh or c.name, "dimension": dim, "score": float(s)}
        for c in mp.competitors
        for dim, s in c.scores.items()
    ]
    cols = ["competitor", "competitor_zh", "dimension", "score", "weak", "strong", "opening"]
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(rows)
    df["weak"] = df["score"] <= mp.weak_score
    df["strong"] = df["score"] >= mp.strong_score
    n = len(mp.competitors)
    # A dimension only some competitors were scored on is not an opening: the others are unknown, not weak.
    # (Counted over the few params rows in Python: a groupby with a per-group lambda costs more than the rest.)
    weak: dict[str, list[bool]] = {}
    for row in rows:
        weak.setdefault(row["dimension"], []).append(row["score"] <= mp.weak_score)
    all_weak = {dim: all(w) and len(w) == n for dim, w in weak.items()}
    df["opening"] = np.array([all_weak[row["dimension"]] for row in rows], dtype=bool)
    return df[cols]


def openings(mp: Market) -> pd.DataFrame:
    """Per dimension: best competitor score, our own score and whether it is a differentiation opening.

    Out: dimension, best_competitor, best_score, own_score, opening, sorted with openings first.
    """
    comp = competitors(mp)
    cols = ["dimension", "best_competitor", "best_score", "own_score", "opening"]
    if comp.empty:
        return pd.DataFrame(columns=cols)
    best = comp.sort_values("score", ascending=False).drop_duplicates("dimension").set_index("dimension")
    df = pd.DataFrame(
        {
            "best_competitor": best["competitor"],
            "best_score": best["score"],
            "own_score": pd.Series(mp.own_scores, dtype="float64").reindex(best.index),
            "opening": comp.groupby("dimension")["opening"].first(),
        }
    )
    df = df.rename_axis("dimension").reset_index()
    dim_order = {d: i for i, d in enumerate(dict.fromkeys(comp["dimension"]))}
    df["_o"] = df["dimension"].map(dim_order)
    return (
        df.sort_values(["opening", "_o"], ascending=[False, True])
        .drop(columns="_o")
        .reset_index(drop=True)[cols]
    )


def market_increment(share: pd.DataFrame, mp: Market, tam_plan: pd.Series) -> pd.DataFrame:
    """The plan-year revenue increment the market offers beyond the baseline (artefact `market_increment`).

    Two sources, one row each per named segment / opening:
    - share_gain: for each industry in `market.share_gain`, planned share gain (fraction, 0.005 = +0.5 pp) x the
      industry's plan-year TAM (`tam_plan`, from `share.market_size_plan_year`: the market after its growth);
      amount 0 when there is no TAM at all, and amount 0 (wording `share_gain_losing`) where the region lost
      `market.share_threshold` or more of share over the last 12 months: a company-wide gain (params/base.yaml)
      is not counted where the region is losing ground. `market.share_recovery` states a gain the region commits
      to even there (a recovery plan): counted as is, its own row (wording `share_recovery`).
    - opening: for each differentiation opening (every competitor weak on the dimension), `market.opening_increment`
      [dimension] if set, else `market.opening_share`[dimension] x the region's plan-year TAM (all industries).
      Openings without either parameter are listed with amount 0 so the planner sees what is not yet quantified.
    Reads params `market.share_gain`, `market.opening_increment`, `market.opening_share` and the competitors.
    Out: source, segment_or_dimension, amount, rate, base (the inputs), wording (which sentence explains the row:
    a key of locale market `increment:`) and share (the industry's current share, for the share_gain sentence).
    `narrate.explain_increment` turns it into the artefact (explanation instead of wording and share).
    """
    rows: list[dict[str, Any]] = []
    cur_share = share.set_index("segment")["share"] if not share.empty else pd.Series(dtype="float64")
    change = (
        share.set_index("segment")["share_change"]
        if not share.empty and "share_change" in share.columns
        else pd.Series(dtype="float64")
    )
    planned = [(i, g, False) for i, g in mp.share_gain.items() if i not in mp.share_recovery]
    planned += [(i, g, True) for i, g in mp.share_recovery.items()]
    for industry, gain, recovery in planned:
        base = float(tam_plan.get(industry, float("nan")))
        if tam_plan.empty:  # no market size at all (no table, nothing in params): listed, not quantified
            rows.append({"source": "share_gain", "segment_or_dimension": industry, "amount": 0.0, "rate": gain,
                         "base": base, "wording": "share_gain_no_tam", "share": None})  # fmt: skip
            continue
        if np.isnan(base):
            raise ValueError(
                f"market.share_gain names industry {industry!r}, which has no market size; "
                f"known: {sorted(tam_plan.index)}"
            )
        lost = float(change.get(industry, float("nan")))
        losing = not recovery and np.isfinite(lost) and lost <= -mp.share_threshold
        wording = "share_recovery" if recovery else "share_gain_losing" if losing else "share_gain"
        rows.append({"source": "share_gain", "segment_or_dimension": industry,
                     "amount": 0.0 if losing else gain * base, "rate": gain, "base": base, "wording": wording,
                     "share": cur_share.get(industry), "share_change": lost})  # fmt: skip
    ops = openings(mp)
    total_tam = float(tam_plan.sum()) if len(tam_plan) else float("nan")
    for dim in ops.loc[ops["opening"], "dimension"]:
        if dim in mp.opening_increment:
            amount, rate, base = mp.opening_increment[dim], float("nan"), float("nan")
            wording = "opening_amount"
        elif dim in mp.opening_share and tam_plan.empty:  # a share of no market size: listed, not quantified
            amount, rate, base = 0.0, mp.opening_share[dim], float("nan")
            wording = "opening_share_no_tam"
        elif dim in mp.opening_share:
            rate, base = mp.opening_share[dim], total_tam
            amount = rate * base
            wording = "opening_share"
        else:
            amount, rate, base = 0.0, float("nan"), float("nan")
            wording = "opening_unquantified"
        rows.append({"source": "opening", "segment_or_dimension": dim, "amount": float(amount), "rate": rate,
                     "base": base, "wording": wording, "share": None})  # fmt: skip
    cols = ["source", "segment_or_dimension", "amount", "rate", "base", "wording", "share", "share_change"]
    return pd.DataFrame(rows, columns=cols)
