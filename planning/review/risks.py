"""Risks: the params risk register scored likelihood x impact, a likelihood raised when its data signal fired
(rep attrition above plan, a falling like-for-like price index, leads or retention well below last year)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from planning import facts
from planning import team as tm
from planning.review.periods import between, div, ytd_window

if TYPE_CHECKING:
    from planning.params import Params, Review

RISK_COLUMNS = ["risk", "kind", "likelihood", "impact", "score", "contingency", "owner", "status", "signal",
                "base_likelihood", "evidence"]  # fmt: skip


def risk_signals(
    tables: Any, board: pd.DataFrame, p: Params, shared: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Data signals that raise a risk's likelihood. Out: signal, value, reference, triggered, evidence_key.

    attrition: the actual annual rate of the last 12 months (`team.measure_attrition`) against the planned rate
      (the goals step's fact attrition_planned in `shared`; without it `resources.attrition`, else the rate
      measured over `resources.attrition_months`, as `team.measure` plans); price: like-for-like price index this year to date vs
      last year (sum q1 p1 / sum q1 p0 over product lines) below 1 - `review.price_drop_alert`; leads and
      retention: their KPI more than `review.yellow_below_baseline` below baseline. Reads `p.as_of`.
    """
    as_of = p.as_of
    rows = []
    reps = getattr(tables, "reps", None)
    if reps is not None and len(reps) and (reps["role"].astype(str) == "rep").any():
        # one definition of attrition (planning.team.measure_attrition): the actual rate of the last 12 months
        # against the planned rate the goals and resources steps plan with (the shared fact attrition_planned)
        now = tm.measure_attrition(reps, as_of, 12)[0]
        planned = facts.value(shared, "attrition_planned")
        if planned is None:  # the goals step's facts absent: the same rule as planning.team.measure
            r = p.resources
            measured = tm.measure_attrition(reps, as_of, r.attrition_months)[0]
            planned = r.attrition if r.attrition is not None else measured
        now = math.nan if now is None else now
        planned = math.nan if planned is None else planned
        rows.append(("attrition", now, planned, bool(now > planned + 1e-12), "attrition"))
    # only the columns read here: filtering the whole order table would copy every other column too
    o = tables.orders[["order_date", "product_line", "amount", "quantity"]]
    o = o[o["quantity"] > 0]
    now_o = o[between(o["order_date"], *ytd_window(as_of))]
    ly_o = o[between(o["order_date"], *ytd_window(as_of, 1))]
    if len(now_o) and len(ly_o):
        g1 = now_o.groupby(now_o["product_line"].astype(str))[["amount", "quantity"]].sum()
        g0 = ly_o.groupby(ly_o["product_line"].astype(str))[["amount", "quantity"]].sum()
        common = g1.index.intersection(g0.index)
        p0 = g0.loc[common, "amount"] / g0.loc[common, "quantity"]
        index = div(g1.loc[common, "amount"].sum(), (g1.loc[common, "quantity"] * p0).sum())
        rows.append(("price", index, 1.0, bool(index < 1 - p.review.price_drop_alert), "price"))
    v = board.set_index("kpi")
    for sig in ("leads", "retention"):
        if sig in v.index:
            a, b = float(v.at[sig, "actual"]), float(v.at[sig, "baseline"])
            rows.append((sig, a, b, bool(a < b * (1 - p.review.yellow_below_baseline)), sig))
    return pd.DataFrame(rows, columns=["signal", "value", "reference", "triggered", "evidence_key"])


def risk_register(p: Review, signals: pd.DataFrame) -> pd.DataFrame:
    """The params risk register (`review.risks`) scored: likelihood (+ `review.signal_uplift` when its data signal
    fired, at most 5) x impact = score. Out: risk, kind, likelihood, impact, score, contingency, owner, status,
    signal, base_likelihood, evidence; highest score first. risk and contingency are the English texts and
    evidence is "": `narrate.risks_table` words them in the report language."""
    sig = signals.set_index("signal") if len(signals) else pd.DataFrame()
    rows = []
    for r in p.risks:
        base = r.likelihood
        like = base
        if r.signal and r.signal in sig.index and sig.loc[r.signal]["triggered"]:
            like = min(5, base + p.signal_uplift)
        rows.append(
            (
                r.risk,
                r.kind,
                like,
                r.impact,
                like * r.impact,
                r.contingency,
                r.owner,
                r.status,
                r.signal,
                base,
                "",
            )
        )
    out = pd.DataFrame(rows, columns=RISK_COLUMNS)
    return out.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
