"""Step 3, strategy: customer tiers (extended RFM) with playbooks, the funnel and pipeline coverage, customer health
and churn warning, and the 4P table.

Pure functions: canonical tables (docs/data.md), upstream artefacts and the `strategy` section of the parameters
(`planning.params.Strategy`) in, DataFrames out. Each docstring names the parameter keys it reads.

Scores are percentile ranks, so they need no unit conversions and are robust to the long tail of order values:
a customer's value score is the weighted mean of its ranks on recency (more recent = higher), frequency, monetary
and demand complexity; its potential score the weighted mean of its ranks on wallet headroom, segment growth and
decision-chain length (more people who sign off = more departments that can buy). Ranks are computed once by
`customer_features`; `tier_customers` only weighs them and applies the cut-offs, so re-tiering 100,000 customers
with other weights or cut-offs takes milliseconds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from planning.params import Strategy

#: The order-line columns this step reads (`Context.data` reads only these of the orders file: on a 10 M-line
#: history the others would cost seconds and memory for nothing). A new use of another column goes here too.
ORDER_COLUMNS = ("order_id", "order_date", "customer_id", "channel", "amount", "margin")

TIERS = ("strategic", "profit", "nurture", "maintain")
# stage -> the date at which an opportunity reached it; `won` is reached at close_date when status is won.
STAGES = ("lead", "discovery", "proposal", "negotiation", "won")
STAGE_DATE = {
    "lead": "lead_date",
    "discovery": "discovery_date",
    "proposal": "proposal_date",
    "negotiation": "negotiation_date",
    "won": "close_date",
}
RISKS = ("high", "medium", "low")
#: A won deal brought a new customer when it closed no later than this many days after the first order.
MATCH_DAYS = 31
#: Limits of the measured first-year revenue factor (the params override has the same range).
FIRST_YEAR_BOUNDS = (1.0, 5.0)
VALUE_DIMS = {"recency": "rank_recency", "frequency": "rank_frequency", "monetary": "rank_monetary",
              "complexity": "rank_complexity"}  # fmt: skip
POTENTIAL_DIMS = {"headroom": "rank_potential", "segment_growth": "rank_segment_growth",
                  "decision_chain": "rank_decision_chain"}  # fmt: skip


def local_text(value: Any, lang: str) -> str:
    """A planner's text from params: a plain string, or {en: ..., zh: ...} (falls back to the other language)."""
    if isinstance(value, dict):
        return str(value.get(lang) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _require(df: pd.DataFrame | None, columns: tuple[str, ...] | list[str], what: str) -> pd.DataFrame:
    if df is None:
        raise ValueError(f"{what} is missing")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what} lacks columns {missing}; has {list(df.columns)}")
    return df


def _months_before(as_of: Any, months: int) -> pd.Timestamp:
    return pd.Timestamp(as_of) - pd.DateOffset(months=months)


def _pct_rank(x: pd.Series) -> np.ndarray:
    """Percentile rank in [0, 1] (ties share their average rank; NaN ranks lowest, as a tie; one row = 0.5)."""
    n = len(x)
    if n == 0:
        return np.zeros(0)
    if n == 1:
        return np.full(1, 0.5)
    r = x.rank(method="average", na_option="top", ascending=True).to_numpy(dtype=float)
    return (r - 1.0) / (n - 1.0)


# =============================================================================================== 1. tiering
def segment_growth(segments: pd.DataFrame | None) -> pd.Series:
    """Growth per segment from step 1's `segments.csv` (`segment`, `growth`); empty Series when unavailable.

    Growth is the segment's recent revenue growth as a fraction (0.12 = +12 %); missing values count as 0. When
    segments.csv also has `industry` and `size_band`, the index is "industry/size_band" (how step 1 names its
    segments) and one "industry" entry per industry (sales-weighted mean) is added for customers without a size band.
    """
    if segments is None or not {"segment", "growth"} <= set(segments.columns):
        return pd.Series(dtype=float, name="growth")
    s = segments.dropna(subset=["segment"]).drop_duplicates("segment")
    g = pd.to_numeric(s["growth"], errors="coerce").fillna(0.0)
    out = pd.Series(g.to_numpy(), index=s["segment"].astype(str).to_numpy(), name="growth")
    if {"industry", "size_band"} <= set(s.columns):
        out.index = (s["industry"].astype(str) + "/" + s["size_band"].astype(str)).to_numpy()
        w = (
            pd.to_numeric(s["sales"], errors="coerce").fillna(0.0)
            if "sales" in s.columns
            else pd.Series(1.0, index=s.index)
        )
        w = w.where(w > 0, 1e-9)
        ind = (g * w).groupby(s["industry"].astype(str)).sum() / w.groupby(s["industry"].astype(str)).sum()
        out = pd.concat([out, ind.rename("growth")])
    return out


def customers_from_orders(orders: pd.DataFrame, as_of: Any) -> pd.DataFrame:
    """A stand-in customers table for data without one: every buyer of the order lines up to `as_of`.

    Out: the customers columns `customer_features` reads. name = customer_id; industry and size_band from the
    order lines when they carry them (an export's extra columns; the customer's latest line), else "unknown";
    demand_complexity, decision_chain_length, wallet_size and the health inputs empty (unknown), so that their
    percentile ranks are the same for every customer (neutral, 0.5).
    """
    _require(orders, ("order_date", "customer_id"), "orders")
    o = orders[orders["order_date"] <= pd.Timestamp(as_of)].sort_values("order_date", kind="stable")
    last = o.assign(customer_id=o["customer_id"].astype(str)).drop_duplicates("customer_id", keep="last")
    last = last.sort_values("customer_id", ignore_index=True)
    out = pd.DataFrame({"customer_id": last["customer_id"], "name": last["customer_id"]})
    for col in ("industry", "size_band"):
        known = last[col].astype("str").where(last[col].notna()) if col in last.columns else None
        out[col] = known.fillna("unknown") if known is not None else "unknown"
    for col in ("demand_complexity", "decision_chain_length", "wallet_size", "usage_frequency", "satisfaction",
                "renewal_intent"):  # fmt: skip
        out[col] = np.nan
    return out


def customer_features(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    as_of: Any,
    p: Strategy,
    growth: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per customer with the extended-RFM dimensions, health inputs and their percentile ranks.

    In: order lines and customers (docs/data.md), the planning date, segment growth by industry
    (`segment_growth`: "industry/size_band" first, then "industry"; unknown or None = 0). Reads `strategy.rfm_months`, `strategy.trend_months`.
    Out: customer_id, name, industry, size_band, acquisition_channel, recency_days (days since the last order;
    NaN = never ordered), frequency (orders in the RFM window), monetary (revenue in the window), revenue_12m,
    complexity, decision_chain, wallet_size, segment_growth, potential (next year's wallet, grown with the segment,
    minus what the customer buys from us now; >= 0), usage_frequency, satisfaction, renewal_intent,
    revenue_recent / revenue_prior (the last `trend_months` and the ones before), and rank_* columns in [0, 1].
    Without a customers table (None) the buyers of the order lines stand in (`customers_from_orders`): RFM from
    the orders; complexity, decision chain, wallet headroom and segment growth neutral (the same rank for all).
    """
    _require(orders, ("order_id", "order_date", "customer_id", "amount"), "orders")
    if customers is None:  # potential neutral for everyone (segment growth alone would split on industry)
        customers, growth = customers_from_orders(orders, as_of), None
    _require(
        customers,
        ("customer_id", "industry", "demand_complexity", "decision_chain_length", "wallet_size"),
        "customers",
    )
    as_of = pd.Timestamp(as_of)
    o = orders.loc[orders["order_date"] <= as_of, ["order_id", "order_date", "customer_id", "amount"]]
    cid = o["customer_id"].astype(str)
    date = o["order_date"]
    amount = o["amount"].to_numpy(dtype=float)
    window = (date > _months_before(as_of, p.rfm_months)).to_numpy()
    last12 = (date > _months_before(as_of, 12)).to_numpy()
    recent = (date > _months_before(as_of, p.trend_months)).to_numpy()
    prior = ((date > _months_before(as_of, 2 * p.trend_months)).to_numpy()) & ~recent

    per = pd.DataFrame(
        {
            "customer_id": cid.to_numpy(),
            "monetary": np.where(window, amount, 0.0),
            "revenue_12m": np.where(last12, amount, 0.0),
            "revenue_recent": np.where(recent, amount, 0.0),
            "revenue_prior": np.where(prior, amount, 0.0),
        }
    )
    sums = per.groupby("customer_id", sort=False).sum()
    last = date.groupby(cid.to_numpy(), sort=False).max()
    in_window = pd.DataFrame(
        {"customer_id": cid.to_numpy()[window], "order_id": o["order_id"].astype(str)[window]}
    )
    freq = in_window.drop_duplicates().groupby("customer_id", sort=False).size()

    c = customers.copy()
    c["customer_id"] = c["customer_id"].astype(str)
    ids = pd.Index(c["customer_id"])
    out = pd.DataFrame({"customer_id": c["customer_id"].to_numpy()})
    for col in ("name", "industry", "size_band", "acquisition_channel"):
        if col in c.columns:
            out[col] = c[col].astype(str).to_numpy()
    last_date = last.reindex(ids)
    out["recency_days"] = (as_of - last_date).dt.days.to_numpy(dtype=float)
    out["frequency"] = freq.reindex(ids).fillna(0).to_numpy(dtype=int)
    for col in ("monetary", "revenue_12m", "revenue_recent", "revenue_prior"):
        out[col] = sums[col].reindex(ids).fillna(0.0).to_numpy()
    out["complexity"] = c["demand_complexity"].to_numpy(dtype=float)
    out["decision_chain"] = c["decision_chain_length"].to_numpy(dtype=float)
    out["wallet_size"] = c["wallet_size"].to_numpy(dtype=float)
    g = growth if growth is not None else pd.Series(dtype=float)
    industry = c["industry"].astype(str)
    by_segment = (industry + "/" + c["size_band"].astype(str)).map(g) if "size_band" in c.columns else np.nan
    seg_growth = pd.Series(by_segment, index=c.index, dtype=float).fillna(industry.map(g).astype(float))
    out["segment_growth"] = seg_growth.fillna(0.0).to_numpy()
    next_wallet = out["wallet_size"] * (1.0 + out["segment_growth"].clip(lower=-1.0))
    out["potential"] = (next_wallet - out["revenue_12m"]).clip(lower=0.0)
    for col in ("usage_frequency", "satisfaction", "renewal_intent"):
        out[col] = c[col].to_numpy(dtype=float) if col in c.columns else np.nan

    out["rank_recency"] = _pct_rank(-out["recency_days"])  # fewer days = more recent = higher rank
    out["rank_frequency"] = _pct_rank(out["frequency"].astype(float))
    out["rank_monetary"] = _pct_rank(out["monetary"])
    out["rank_complexity"] = _pct_rank(out["complexity"])
    out["rank_potential"] = _pct_rank(out["potential"])
    out["rank_segment_growth"] = _pct_rank(out["segment_growth"])
    out["rank_decision_chain"] = _pct_rank(out["decision_chain"])
    return out


def _weighted(features: pd.DataFrame, weights: dict[str, float], dims: dict[str, str]) -> np.ndarray:
    total = sum(weights.values())
    score = np.zeros(len(features))
    for key, w in weights.items():
        if w:
            score += w * features[dims[key]].to_numpy(dtype=float)
    return 100.0 * score / total


def _threshold(score: np.ndarray, cutoff: float, kind: str) -> float:
    if kind == "score":
        return 100.0 * cutoff
    return float(np.quantile(score, cutoff)) if len(score) else 0.0


def tier_customers(features: pd.DataFrame, p: Strategy, lang: str = "en") -> pd.DataFrame:
    """Value and potential scores (0-100) and the four tiers, vectorised (100,000 customers in a few ms).

    In: `customer_features` output. Reads `strategy.value_weights`, `potential_weights`, `cutoff_kind`,
    `value_cutoff`, `potential_cutoff`, `playbooks`. A customer is high value when its value score is at or above
    the cut-off (the `value_cutoff` quantile of all scores, or `value_cutoff` x 100 when `cutoff_kind` is score),
    likewise for potential. strategic = high value + high potential, profit = high value + low potential,
    nurture = low value + high potential, maintain = low value + low potential.
    Out: the `customer_tiers` contract (customer_id, recency_days, frequency, monetary, complexity, potential,
    value_score, potential_score, tier, playbook) plus touches_per_year.
    """
    _require(features, ("customer_id", *VALUE_DIMS.values(), *POTENTIAL_DIMS.values()), "features")
    value = _weighted(features, p.value_weights, VALUE_DIMS)
    potential = _weighted(features, p.potential_weights, POTENTIAL_DIMS)
    high_v = value >= _threshold(value, p.value_cutoff, p.cutoff_kind) - 1e-9
    high_p = potential >= _threshold(potential, p.potential_cutoff, p.cutoff_kind) - 1e-9
    if len(potential) > 1 and np.ptp(potential) < 1e-9:  # no potential data (no customers table): none high
        high_p = np.zeros(len(potential), dtype=bool)
    # codes index TIERS: strategic 0, profit 1, nurture 2, maintain 3
    codes = np.where(high_v, np.where(high_p, 0, 1), np.where(high_p, 2, 3))
    playbooks = [local_text(p.playbooks[t].action, lang) if t in p.playbooks else "" for t in TIERS]
    touches = np.array([p.playbooks[t].touches_per_year if t in p.playbooks else 0 for t in TIERS])
    return pd.DataFrame(
        {
            "customer_id": features["customer_id"].to_numpy(),
            "recency_days": features["recency_days"].to_numpy(),
            "frequency": features["frequency"].to_numpy(),
            "monetary": features["monetary"].to_numpy(),
            "complexity": features["complexity"].to_numpy(),
            "potential": features["potential"].to_numpy(),
            "value_score": value.round(2),
            "potential_score": potential.round(2),
            "tier": pd.Categorical.from_codes(codes, categories=list(TIERS)),
            "playbook": _labels(codes, playbooks),
            "touches_per_year": touches[codes],
        }
    )


def _labels(codes: np.ndarray, labels: list[str]) -> pd.Categorical | np.ndarray:
    """labels[codes] without building 100,000 Python strings: a Categorical when the labels are distinct."""
    if len(set(labels)) == len(labels):
        return pd.Categorical.from_codes(codes, categories=labels)
    return np.asarray(labels, dtype=object)[codes]


def target_year(targets: pd.DataFrame | None) -> float:
    """The plan year's total target from `targets.csv` (level year); NaN when unavailable."""
    if targets is None or not {"level", "target"} <= set(targets.columns):
        return math.nan
    year = targets.loc[targets["level"].astype(str) == "year", "target"]
    return float(year.sum()) if len(year) else math.nan


def retention(orders: pd.DataFrame, as_of: Any, p: Strategy) -> dict[str, float]:
    """Net revenue retention and gross churn of existing customers, measured from orders.

    Customers active in the 12 months before the last 12 (positive revenue there): nrr = their revenue in the
    last 12 months / their revenue in those 12 months before; gross_churn = the earlier revenue of those of them
    who bought nothing in the last 12 months / the same denominator; expansion = nrr - (1 - gross_churn) (growth
    of the ones who stayed, net of contraction). `strategy.net_retention` / `gross_churn` override the measured
    values (nrr_used, churn_used; source "params" or "data"; NaN measured values without two years of orders).
    Out: prior_revenue, retained_revenue, churned_revenue, customers_prior, customers_churned, nrr, gross_churn,
    nrr_used, churn_used, expansion_used, source.
    """
    _require(orders, ("order_date", "customer_id", "amount"), "orders")
    as_of = pd.Timestamp(as_of)
    d = pd.to_datetime(orders["order_date"])
    cid = orders["customer_id"].astype(str)
    last = (d > _months_before(as_of, 12)) & (d <= as_of)
    prior = (d > _months_before(as_of, 24)) & (d <= _months_before(as_of, 12))
    r_prior = orders.loc[prior, "amount"].groupby(cid[prior]).sum()
    r_last = orders.loc[last, "amount"].groupby(cid[last]).sum()
    active = r_prior[r_prior > 0]
    kept = r_last.reindex(active.index).fillna(0.0)
    churned = active[kept <= 0]
    base = float(active.sum())
    nrr = float(kept.sum()) / base if base > 0 else math.nan
    churn = float(churned.sum()) / base if base > 0 else math.nan
    nrr_used = p.net_retention if p.net_retention is not None else nrr
    churn_used = p.gross_churn if p.gross_churn is not None else churn
    source = "params" if p.net_retention is not None or p.gross_churn is not None else "data"
    if not math.isfinite(nrr_used):
        nrr_used, source = 1.0, "none"  # no second year of history: flat revenue per customer
    if not math.isfinite(churn_used):
        churn_used = 0.0
    return {
        "prior_revenue": base,
        "retained_revenue": float(kept.sum()),
        "churned_revenue": float(churned.sum()),
        "customers_prior": int(len(active)),
        "customers_churned": int(len(churned)),
        "nrr": nrr,
        "gross_churn": churn,
        "nrr_used": float(nrr_used),
        "churn_used": float(churn_used),
        "expansion_used": float(nrr_used) - (1.0 - float(churn_used)),
        "source": source,
    }


def first_year_revenue(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    opps: pd.DataFrame | None,
    as_of: Any,
    p: Strategy,
) -> dict[str, Any]:
    """Revenue a new customer brings in its first 12 months per unit of the won deal value that brought it.

    Pipeline is counted in deal value, but a new customer keeps ordering after the deal that won it (spare parts,
    services, repeat equipment), so its first year is worth more than the deal. Measured on the last complete
    cohort: customers whose first order (customers.first_order_date, else their first order line) falls in the
    12 months ending 12 months before `as_of`, so each has a full first year by `as_of`. revenue = their orders in
    the 12 months from the first order; won_value = their won deals closed no later than `MATCH_DAYS` after the
    first order (the deals that brought them); only customers with such a deal count in both.
    measured = revenue / won_value; used = `strategy.first_year_revenue_factor`, else measured limited to
    `FIRST_YEAR_BOUNDS` (a small cohort must not swing the plan), else 1 (no cohort: pipeline = revenue).
    Out: cohort_start, cohort_end (dates), customers, revenue, won_value, measured, used, source
    (params | data | none).
    """
    _require(orders, ("order_date", "customer_id", "amount"), "orders")
    as_of = pd.Timestamp(as_of)
    start, end = _months_before(as_of, 24), _months_before(as_of, 12)
    od = pd.to_datetime(orders["order_date"])
    cid = orders["customer_id"].astype(str)
    if customers is not None and {"customer_id", "first_order_date"} <= set(customers.columns):
        first = pd.Series(
            pd.to_datetime(customers["first_order_date"]).to_numpy(),
            index=customers["customer_id"].astype(str).to_numpy(),
        )
    else:  # first order line; a customer whose first line is at the very start of the history may be older
        first = od.groupby(cid).min()
        first = first[first > od.min()] if len(od) else first
    cohort = first[(first > start) & (first <= end)]
    won = pd.Series(dtype=float)
    if opps is not None and {"customer_id", "status", "close_date", "amount"} <= set(opps.columns):
        close = pd.to_datetime(opps["close_date"])
        w = opps[(opps["status"].astype(str) == "won") & (close <= as_of)]
        w = pd.DataFrame({"customer_id": w["customer_id"].astype(str), "close": close[w.index],
                          "amount": w["amount"].astype(float)})  # fmt: skip
        w = w[w["customer_id"].isin(cohort.index)]
        # reindex, not map: an empty selection keeps the datetime dtype
        first_order = cohort.reindex(w["customer_id"]).to_numpy()
        w = w[(w["close"] <= first_order + pd.Timedelta(days=MATCH_DAYS)).to_numpy()]
        won = w.groupby("customer_id")["amount"].sum()
        won = won[won > 0]
    revenue = 0.0
    if len(won):
        sel = cid.isin(won.index).to_numpy()
        o_first = pd.Series(cohort.reindex(cid[sel]).to_numpy(), index=cid[sel].index)
        in_year = (od[sel] >= o_first) & (od[sel] < o_first + pd.DateOffset(months=12))
        revenue = float(orders.loc[sel, "amount"].astype(float)[in_year.to_numpy()].sum())
    won_value = float(won.sum())
    measured = revenue / won_value if won_value > 0 else math.nan
    if p.first_year_revenue_factor is not None:
        used, source = float(p.first_year_revenue_factor), "params"
    elif math.isfinite(measured):
        used, source = min(max(measured, FIRST_YEAR_BOUNDS[0]), FIRST_YEAR_BOUNDS[1]), "data"
    else:
        used, source = 1.0, "none"
    return {
        "cohort_start": (start + pd.Timedelta(days=1)).date(),
        "cohort_end": end.date(),
        "customers": int(len(won)),
        "revenue": revenue,
        "won_value": won_value,
        "measured": measured,
        "used": used,
        "source": source,
    }


def _spread(total: float, weights: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """`total` split in proportion to `weights` (to `fallback` when the weights sum to 0)."""
    w = weights if weights.sum() > 0 else fallback
    return total * w / w.sum() if w.sum() > 0 else np.zeros(len(w))


def tier_summary(
    tiers: pd.DataFrame,
    features: pd.DataFrame,
    p: Strategy,
    target: float = math.nan,
    kept: dict[str, float] | None = None,
    lang: str = "en",
) -> pd.DataFrame:
    """Per tier: customers, revenue of the last 12 months, its share, mean scores, wallet potential, the revenue
    the tier is expected to deliver next year and the share of the plan year's `target` it carries.

    With `kept` (`retention`): the base as a whole is expected to deliver revenue_12m x nrr_used. Its loss,
    revenue_12m x churn_used, is spread over customers in proportion to revenue_12m x the churn probability of
    their health risk (`strategy.churn_probability`, relative weights); its growth, revenue_12m x
    (nrr_used - 1 + churn_used), in proportion to headroom_capture x potential of their tier's playbook (to
    revenue_12m when no playbook captures headroom). Without `kept` the parameters are read as absolute:
    expected = revenue_12m x (1 - churn probability) + headroom_capture x potential.
    Reads `strategy.playbooks` (headroom_capture, touches_per_year), `churn_probability` and the health keys
    (see `health`). Out columns: tier, customers, revenue_12m, revenue_share, value_score, potential_score,
    potential, expected_loss, expected_gain, expected_revenue, share_of_target, touches, playbook (in `lang`).
    """
    h = health(features, p)
    churn = h["risk"].astype(str).map(p.churn_probability).astype(float).fillna(0.0).to_numpy()
    df = pd.DataFrame(
        {
            "tier": tiers["tier"].astype(str).to_numpy(),
            "revenue_12m": features["revenue_12m"].to_numpy(),
            "value_score": tiers["value_score"].to_numpy(),
            "potential_score": tiers["potential_score"].to_numpy(),
            "potential": features["potential"].to_numpy(),
            "touches": tiers["touches_per_year"].to_numpy(),
        }
    )
    capture = (
        df["tier"].map({t: pb.headroom_capture for t, pb in p.playbooks.items()}).astype(float).fillna(0.0)
    )
    rev = df["revenue_12m"].to_numpy(dtype=float)
    if kept is None:
        df["expected_loss"] = rev * churn
        df["expected_gain"] = capture * df["potential"]
    else:
        total = float(rev.sum())
        df["expected_loss"] = _spread(total * kept["churn_used"], rev * churn, rev)
        gain_w = (capture * df["potential"]).to_numpy(dtype=float)
        df["expected_gain"] = _spread(total * (kept["nrr_used"] - 1.0 + kept["churn_used"]), gain_w, rev)
    g = df.groupby("tier", sort=False)
    out = g.agg(
        customers=("tier", "size"),
        revenue_12m=("revenue_12m", "sum"),
        value_score=("value_score", "mean"),
        potential_score=("potential_score", "mean"),
        potential=("potential", "sum"),
        expected_loss=("expected_loss", "sum"),
        expected_gain=("expected_gain", "sum"),
        touches=("touches", "sum"),
    ).reindex(list(TIERS))
    out["customers"] = out["customers"].fillna(0).astype(int)
    out = out.fillna({c: 0.0 for c in out.columns if c != "customers"})
    total = out["revenue_12m"].sum()
    out["revenue_share"] = out["revenue_12m"] / total if total else 0.0
    out["expected_revenue"] = out["revenue_12m"] - out["expected_loss"] + out["expected_gain"]
    out["share_of_target"] = out["expected_revenue"] / target if target and target > 0 else math.nan
    out["playbook"] = [local_text(p.playbooks[t].action, lang) if t in p.playbooks else "" for t in out.index]
    cols = ["customers", "revenue_12m", "revenue_share", "value_score", "potential_score", "potential",
            "expected_loss", "expected_gain", "expected_revenue", "share_of_target", "touches", "playbook"]  # fmt: skip
    return out[cols].rename_axis("tier").reset_index()


def top_accounts(tiers: pd.DataFrame, features: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The `n` largest accounts (revenue of the last 12 months) of each tier, tiers in their fixed order."""
    df = tiers[["customer_id", "tier", "value_score", "potential_score", "potential"]].assign(
        name=features["name"].to_numpy() if "name" in features else tiers["customer_id"].to_numpy(),
        industry=features["industry"].to_numpy() if "industry" in features else "",
        revenue_12m=features["revenue_12m"].to_numpy(),
        tier=tiers["tier"].astype(str).to_numpy(),
    )
    df["order"] = df["tier"].map({t: i for i, t in enumerate(TIERS)})
    df = df.sort_values(["order", "revenue_12m", "customer_id"], ascending=[True, False, True])
    top = df.groupby("tier", sort=False).head(n)
    return top[["tier", "customer_id", "name", "industry", "revenue_12m", "value_score", "potential_score",
                "potential"]].reset_index(drop=True)  # fmt: skip


#: Cells per axis of the tier scatter's grid (`scatter_cells`): its data has at most SCATTER_GRID^2 rows (400,
#: ~55 kB in the report) however many customers there are.
SCATTER_GRID = 20


def _grid_edges(cut: float, n: int) -> tuple[np.ndarray, int]:
    """`n` + 1 cell edges over 0-100 that include `cut`, cells about 100 / n wide and at least one on each side
    of the cut. Returns (edges, number of cells below the cut)."""
    cut = min(max(float(cut), 0.0), 100.0)
    low = min(max(round(n * cut / 100.0), 1), n - 1)
    return np.concatenate([np.linspace(0.0, cut, low + 1), np.linspace(cut, 100.0, n - low + 1)[1:]]), low


def _cell_index(score: np.ndarray, high: np.ndarray, edges: np.ndarray, low: int) -> np.ndarray:
    """The cell of each score, kept on its tier's side of the cut: a score rounded onto the cut line, or all
    scores when there is no potential data (none high), stays with the customer's tier."""
    idx = np.searchsorted(edges, score, side="right") - 1
    return np.where(high, np.clip(idx, low, len(edges) - 2), np.clip(idx, 0, low - 1))


def _tier_codes(tier: pd.Series) -> np.ndarray:
    """Index of each tier in TIERS (strategic 0 .. maintain 3), -1 for anything else; a Categorical (as from
    `tier_customers`) is looked up per category, not per customer."""
    if isinstance(tier.dtype, pd.CategoricalDtype):
        per_category = pd.Index(TIERS).get_indexer(tier.cat.categories.astype(str))
        codes = tier.cat.codes.to_numpy()
        return np.where(codes >= 0, per_category[codes], -1)
    return pd.Index(TIERS).get_indexer(tier.astype(str))


def scatter_cells(tiers: pd.DataFrame, cut: dict[str, float], grid: int = SCATTER_GRID) -> pd.DataFrame:
    """Every customer counted on a fixed `grid` x `grid` grid of value x potential score whose cell edges include
    the tier cut-offs, so that each cell belongs to one tier: the tier scatter's data is `grid`^2 rows whatever
    the number of customers, and its counts are true counts (no sample).

    In: `tier_customers` output and `cutoffs`. Out: one row per cell, empty cells included (customers 0), sorted
    by value then potential: value_from, value_to, potential_from, potential_to (the cell's score range,
    2 decimals), tier (the tier of that part of the grid), customers, monetary (their summed `monetary`, whole
    currency units). Customers sum to the number of rows of `tiers`.
    """
    if grid < 2:
        raise ValueError(f"scatter_cells: grid must be at least 2 cells per axis, got {grid}")
    v_edges, v_low = _grid_edges(cut["value"], grid)
    p_edges, p_low = _grid_edges(cut["potential"], grid)
    codes = _tier_codes(tiers["tier"])
    if (codes < 0).any():
        bad = tiers["tier"].to_numpy()[codes < 0][0]
        raise ValueError(
            f"scatter_cells: tier {bad!r} in row {int(np.argmax(codes < 0))}; expected one of {TIERS}"
        )
    high_v, high_p = codes <= 1, (codes == 0) | (codes == 2)
    vi = _cell_index(tiers["value_score"].to_numpy(dtype=float), high_v, v_edges, v_low)
    pi = _cell_index(tiers["potential_score"].to_numpy(dtype=float), high_p, p_edges, p_low)
    cell = vi * grid + pi
    customers = np.bincount(cell, minlength=grid * grid)
    monetary = np.bincount(cell, weights=tiers["monetary"].to_numpy(dtype=float), minlength=grid * grid)
    v, q = np.divmod(np.arange(grid * grid), grid)
    # the grid's tiers by side of the cut-offs, as in tier_customers: strategic 0 (high value, high potential),
    # profit 1 (high, low), nurture 2 (low, high), maintain 3 (low, low)
    cell_tier = np.where(v >= v_low, np.where(q >= p_low, 0, 1), np.where(q >= p_low, 2, 3))
    return pd.DataFrame(
        {
            "value_from": v_edges[v].round(2),
            "value_to": v_edges[v + 1].round(2),
            "potential_from": p_edges[q].round(2),
            "potential_to": p_edges[q + 1].round(2),
            "tier": np.array(TIERS)[cell_tier],
            "customers": customers.astype(int),
            "monetary": monetary.round(0).astype("int64"),
        }
    )


def cutoffs(tiers: pd.DataFrame, p: Strategy) -> dict[str, float]:
    """The value and potential scores that split high from low (for chart rules and the method sentence)."""
    return {
        "value": _threshold(tiers["value_score"].to_numpy(float), p.value_cutoff, p.cutoff_kind),
        "potential": _threshold(tiers["potential_score"].to_numpy(float), p.potential_cutoff, p.cutoff_kind),
    }


# =============================================================================================== 2. funnel
def _reached(opps: pd.DataFrame, as_of: pd.Timestamp) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Per stage a bool array "reached by as_of"; plus closed and won arrays.

    A later stage implies the earlier ones (a deal that skipped a recorded step still passed it). Dates after
    `as_of` do not count yet.
    """

    def on_time(col: str) -> np.ndarray:
        if col not in opps.columns:
            return np.zeros(len(opps), dtype=bool)
        d = pd.to_datetime(opps[col])
        return (d.notna() & (d <= as_of)).to_numpy()

    status = opps["status"].astype(str).to_numpy()
    closed = on_time("close_date") & np.isin(status, ["won", "lost"])
    won = closed & (status == "won")
    reached: dict[str, np.ndarray] = {"won": won}
    later = won
    for stage in reversed(STAGES[:-1]):
        later = on_time(STAGE_DATE[stage]) | later
        reached[stage] = later
    reached["lead"] = reached["lead"] | np.ones(len(opps), dtype=bool)
    return reached, closed, won


def _window(opps: pd.DataFrame, as_of: Any, months: int) -> pd.DataFrame:
    as_of = pd.Timestamp(as_of)
    lead = pd.to_datetime(opps["lead_date"])
    return opps.loc[(lead > _months_before(as_of, months)) & (lead <= as_of)]


def _stage_rates(opps: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    reached, closed, _ = _reached(opps, as_of)
    rows = []
    for stage, nxt in zip(STAGES[:-1], STAGES[1:], strict=True):
        entered = reached[stage]
        advanced = reached[nxt]
        open_here = entered & ~advanced & ~closed
        decided = int(entered.sum() - open_here.sum())
        days = (
            pd.to_datetime(opps.loc[advanced, STAGE_DATE[nxt]])
            - pd.to_datetime(opps.loc[advanced, STAGE_DATE[stage]])
        ).dt.days
        rows.append(
            {
                "stage": stage,
                "entered": int(entered.sum()),
                "advanced": int(advanced.sum()),
                "open": int(open_here.sum()),
                "dropped": int(decided - advanced.sum()),
                "conversion_rate": advanced.sum() / decided if decided else math.nan,
                "median_days": float(days.median()) if days.notna().any() else math.nan,
            }
        )
    return pd.DataFrame(rows)


FUNNEL_COLUMNS = ("stage", "entered", "advanced", "open", "dropped", "conversion_rate", "median_days",
                  "benchmark_rate", "vs_benchmark", "bottleneck")  # fmt: skip


def funnel(
    opps: pd.DataFrame | None, as_of: Any, p: Strategy, benchmark: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Stage by stage: lead -> needs discovery -> proposal -> negotiation -> won, for leads of the last
    `strategy.funnel_months` months.

    Per stage: entered (reached it), advanced (reached the next), open (still there), dropped (closed lost there),
    conversion_rate = advanced / (entered - open) (deals still open have not had their chance yet), median_days in
    the stage of the deals that advanced. `benchmark` (e.g. the whole company's opportunities) gives
    benchmark_rate per stage; the bottleneck is the stage whose conversion falls furthest below its benchmark
    (lowest rate / benchmark_rate; lowest rate when there is no benchmark): exactly one row has bottleneck True.
    No rows (the same columns) when there is no opportunities table.
    """
    if opps is None:
        return pd.DataFrame({c: pd.Series(dtype="str" if c == "stage" else "bool" if c == "bottleneck" else
                                          "float64") for c in FUNNEL_COLUMNS})  # fmt: skip
    _require(opps, ("lead_date", "status"), "opportunities")
    as_of = pd.Timestamp(as_of)
    out = _stage_rates(_window(opps, as_of, p.funnel_months), as_of)
    if benchmark is not None and len(benchmark):
        bench = _stage_rates(_window(benchmark, as_of, p.funnel_months), as_of)
        out["benchmark_rate"] = bench["conversion_rate"].to_numpy()
    else:
        out["benchmark_rate"] = math.nan
    rel = out["conversion_rate"] / out["benchmark_rate"]
    out["vs_benchmark"] = rel - 1.0
    key = rel if rel.notna().any() else out["conversion_rate"]
    out["bottleneck"] = False
    if key.notna().any():
        out.loc[key.idxmin(), "bottleneck"] = True
    return out


def win_stats(opps: pd.DataFrame, as_of: Any, p: Strategy, by: str | None = None) -> pd.DataFrame:
    """Win rate and cycle time overall (`by` None) or per value of `by` (industry, source, product_line ...),
    for leads of the last `strategy.funnel_months` months.

    Out: [by], leads, open, won, lost, win_rate = won / (won + lost), value_win_rate = won amount / (won + lost
    amount), cycle_days (median lead -> close of won deals), avg_won_amount, avg_lead_amount, won_amount.
    """
    _require(opps, ("lead_date", "status", "amount"), "opportunities")
    as_of = pd.Timestamp(as_of)
    w = _window(opps, as_of, p.funnel_months)
    _, closed, won = _reached(w, as_of)
    amount = w["amount"].to_numpy(dtype=float)
    cycle = (pd.to_datetime(w["close_date"]) - pd.to_datetime(w["lead_date"])).dt.days.to_numpy(dtype=float)
    df = pd.DataFrame(
        {
            "key": w[by].astype(str).to_numpy() if by else np.full(len(w), "all"),
            "lead": 1,
            "open": (~closed).astype(int),
            "won": won.astype(int),
            "lost": (closed & ~won).astype(int),
            "won_amount": np.where(won, amount, 0.0),
            "lost_amount": np.where(closed & ~won, amount, 0.0),
            "amount": amount,
            "cycle": np.where(won, cycle, np.nan),
        }
    )
    if df.empty:
        df = pd.DataFrame([{"key": "all", "lead": 0, "open": 0, "won": 0, "lost": 0, "won_amount": 0.0,
                            "lost_amount": 0.0, "amount": np.nan, "cycle": np.nan}])  # fmt: skip
    g = df.groupby("key", sort=True)
    out = g.agg(
        leads=("lead", "sum"),
        open=("open", "sum"),
        won=("won", "sum"),
        lost=("lost", "sum"),
        won_amount=("won_amount", "sum"),
        lost_amount=("lost_amount", "sum"),
        avg_lead_amount=("amount", "mean"),
        cycle_days=("cycle", "median"),
    )
    decided = out["won"] + out["lost"]
    out["win_rate"] = (out["won"] / decided).where(decided > 0)
    decided_amount = out["won_amount"] + out["lost_amount"]
    out["value_win_rate"] = (out["won_amount"] / decided_amount).where(decided_amount > 0)
    out["avg_won_amount"] = (out["won_amount"] / out["won"]).where(out["won"] > 0)
    out = out.reset_index().rename(columns={"key": by or "scope"})
    cols = [by or "scope", "leads", "open", "won", "lost", "win_rate", "value_win_rate", "cycle_days",
            "avg_won_amount", "avg_lead_amount", "won_amount"]  # fmt: skip
    return out[cols]


def bottleneck(funnel_df: pd.DataFrame) -> pd.Series:
    """The bottleneck row of a `funnel` result."""
    return funnel_df.loc[funnel_df["bottleneck"].astype(bool)].iloc[0]


def installed_base(summary: pd.DataFrame) -> float:
    """Revenue the existing customers are expected to deliver next year (sum of `tier_summary` expected_revenue)."""
    return float(summary["expected_revenue"].sum())


def coverage(
    targets: pd.DataFrame,
    opps: pd.DataFrame,
    as_of: Any,
    p: Strategy,
    funnel_df: pd.DataFrame,
    base_expected: float = 0.0,
    first_year_factor: float = 1.0,
) -> pd.DataFrame:
    """Pipeline coverage for each quarter of the plan (`targets.csv` rows with level quarter).

    pipeline_target = the part of the quarter's target new deals must win: target x `strategy.pipeline_share`, or,
    when that is None, target minus the quarter's share (its share of the year's target) of `base_expected` (what
    the installed base is expected to deliver, `installed_base`), floored at 0.
    win_rate = value win rate of the last `strategy.funnel_months` months, segment by segment where a segment has
    at least `strategy.min_segment_deals` decided deals (weighted by the segments' share of won value), else
    overall; won_value_needed = pipeline_target / `first_year_factor` (`first_year_revenue`: a new customer's
    first-year revenue per unit of won deal value; pipeline is counted in deal value); required_pipeline =
    won_value_needed / win_rate.
    open_pipeline = open deals whose expected close (stage date + the remaining stages' median days) falls in the
    quarter; coverage_ratio = open / required; gap = required - open (>= 0); leads_needed = gap / average lead
    amount (rounded up), and the deals that must reach each later stage (leads x the funnel's conversion rates);
    leads_by = the latest date those leads must enter (quarter end - median cycle days).
    """
    _require(targets, ("level", "period", "start", "end", "target"), "targets")
    _require(opps, ("lead_date", "status", "amount"), "opportunities")
    _require(funnel_df, ("stage", "conversion_rate", "median_days"), "funnel")
    as_of = pd.Timestamp(as_of)
    q = targets.loc[targets["level"].astype(str) == "quarter"].copy()
    if q.empty:
        raise ValueError("targets has no rows with level 'quarter'")
    q["start"] = pd.to_datetime(q["start"])
    q["end"] = pd.to_datetime(q["end"])
    q["target"] = q["target"].astype(float)
    q = q.sort_values("start")

    overall = win_stats(opps, as_of, p).iloc[0]
    win_rate = _blended_win_rate(opps, as_of, p, overall)
    year_total = q["target"].sum()
    if p.pipeline_share is not None:
        pipeline_target = q["target"] * p.pipeline_share
    else:
        base_q = base_expected * q["target"] / year_total if year_total else 0.0
        pipeline_target = (q["target"] - base_q).clip(lower=0.0)

    expected_close = _expected_close(opps, as_of, funnel_df)
    open_amt = opps.loc[expected_close.index, "amount"].astype(float)
    open_pipeline = [
        float(open_amt[(expected_close >= s) & (expected_close <= e)].sum())
        for s, e in zip(q["start"], q["end"], strict=True)
    ]
    rates = funnel_df.set_index("stage")["conversion_rate"].astype(float)
    cycle = (
        overall["cycle_days"] if pd.notna(overall["cycle_days"]) else float(funnel_df["median_days"].sum())
    )
    avg_lead = overall["avg_lead_amount"]

    out = pd.DataFrame(
        {
            "period": q["period"].astype(str).to_numpy(),
            "start": q["start"].dt.date.to_numpy(),
            "end": q["end"].dt.date.to_numpy(),
            "target": q["target"].to_numpy(),
            "pipeline_target": np.asarray(pipeline_target, dtype=float),
            "won_value_needed": np.asarray(pipeline_target, dtype=float) / first_year_factor,
            "win_rate": win_rate,
        }
    )
    out["required_pipeline"] = out["won_value_needed"] / win_rate if win_rate and win_rate > 0 else math.nan
    out["open_pipeline"] = open_pipeline
    out["coverage_ratio"] = (out["open_pipeline"] / out["required_pipeline"]).where(
        out["required_pipeline"] > 0
    )
    out["gap"] = (out["required_pipeline"] - out["open_pipeline"]).clip(lower=0.0)
    leads = (
        np.ceil(out["gap"] / avg_lead) if avg_lead and avg_lead > 0 else pd.Series(math.nan, index=out.index)
    )
    out["leads_needed"] = leads.astype(float)
    running = out["leads_needed"].copy()
    for stage, nxt in zip(STAGES[:-1], STAGES[1:], strict=True):
        running = running * rates.get(stage, math.nan)
        out[f"{nxt}_needed"] = running.round(1)
    out["leads_by"] = (q["end"] - pd.to_timedelta(cycle, unit="D")).dt.date.to_numpy()
    return out


COVERAGE_COLUMNS = ("period", "start", "end", "target", "pipeline_target", "won_value_needed", "win_rate",
                    "required_pipeline",
                    "open_pipeline", "coverage_ratio", "gap", "leads_needed", "discovery_needed", "proposal_needed",
                    "negotiation_needed", "won_needed", "leads_by")  # fmt: skip


def coverage_or_empty(
    targets: pd.DataFrame | None,
    opps: pd.DataFrame | None,
    as_of: Any,
    p: Strategy,
    funnel_df: pd.DataFrame,
    base_expected: float = 0.0,
    first_year_factor: float = 1.0,
) -> pd.DataFrame:
    """`coverage`, or an empty table with its columns when step 2's quarterly targets or the opportunities are
    not available (the report then says so, and step 4 still finds the artefact)."""
    if (
        opps is None
        or targets is None
        or "level" not in targets.columns
        or not (targets["level"].astype(str) == "quarter").any()
    ):
        return pd.DataFrame({c: pd.Series(dtype=float) for c in COVERAGE_COLUMNS})
    return coverage(targets, opps, as_of, p, funnel_df, base_expected, first_year_factor)


def _blended_win_rate(opps: pd.DataFrame, as_of: pd.Timestamp, p: Strategy, overall: pd.Series) -> float:
    """Value win rate, per segment where there are enough decided deals, weighted by the segments' won value."""
    base = overall["value_win_rate"]
    if "industry" not in opps.columns:
        return float(base) if pd.notna(base) else math.nan
    seg = win_stats(opps, as_of, p, by="industry")
    enough = (seg["won"] + seg["lost"]) >= p.min_segment_deals
    rate = seg["value_win_rate"].where(enough, base)
    weight = seg["won_amount"]
    if weight.sum() <= 0 or rate.isna().all():
        return float(base) if pd.notna(base) else math.nan
    # required = sum_s target_s / rate_s with target_s = target x w_s  =>  blended rate = 1 / sum_s (w_s / rate_s)
    w = weight / weight.sum()
    return float(1.0 / (w / rate).sum())


def _expected_close(opps: pd.DataFrame, as_of: pd.Timestamp, funnel_df: pd.DataFrame) -> pd.Series:
    """Expected close date of each open deal: the date it reached its current stage + the median days of that
    stage and the ones after it; deals already past that date are expected to close in the next 30 days."""
    reached, closed, _ = _reached(opps, as_of)
    open_mask = ~closed & (pd.to_datetime(opps["lead_date"]) <= as_of).to_numpy()
    days = funnel_df.set_index("stage")["median_days"].astype(float).fillna(0.0)
    remaining = days[::-1].cumsum()[::-1]  # stage -> days from entering it to close
    current = pd.Series("lead", index=opps.index)
    for stage in STAGES[1:-1]:
        current = current.where(~reached[stage], stage)
    since = pd.Series(pd.NaT, index=opps.index, dtype="datetime64[us]")
    for stage in STAGES[:-1]:
        if STAGE_DATE[stage] in opps.columns:
            since = since.where(current != stage, pd.to_datetime(opps[STAGE_DATE[stage]]))
    eta = since + pd.to_timedelta(current.map(remaining).fillna(0.0), unit="D")
    eta = eta.where(eta > as_of, as_of + pd.Timedelta(days=30))
    return eta[open_mask]


def pipeline_timing(
    opps: pd.DataFrame, as_of: Any, funnel_df: pd.DataFrame, plan_year: int
) -> dict[str, Any]:
    """When the open pipeline is expected to close, relative to the plan year (for the coverage sentence).

    Expected close as in `coverage` (stage date + the funnel's median days of the remaining stages). Out: n_open,
    open_amount, before_plan (amount expected to close before 1 January of `plan_year`), in_plan (within it),
    latest (latest expected close date, None without open deals).
    """
    eta = _expected_close(opps, pd.Timestamp(as_of), funnel_df)
    amount = opps.loc[eta.index, "amount"].astype(float)
    start, end = pd.Timestamp(f"{plan_year}-01-01"), pd.Timestamp(f"{plan_year}-12-31")
    return {
        "n_open": int(len(eta)),
        "open_amount": float(amount.sum()),
        "before_plan": float(amount[eta < start].sum()),
        "in_plan": float(amount[(eta >= start) & (eta <= end)].sum()),
        "latest": eta.max().date() if len(eta) else None,
    }


def leads_last_12m(marketing: pd.DataFrame | None, opps: pd.DataFrame | None, as_of: Any) -> float:
    """Qualified leads the region produced in the 12 months up to `as_of`: the marketing table's leads, else the
    opportunities that entered the funnel (NaN without either)."""
    as_of = pd.Timestamp(as_of)
    if marketing is not None and {"month", "leads"} <= set(marketing.columns):
        m = pd.to_datetime(marketing["month"])
        return float(marketing.loc[(m > _months_before(as_of, 12)) & (m <= as_of), "leads"].sum())
    if opps is not None and "lead_date" in opps.columns:
        d = pd.to_datetime(opps["lead_date"])
        return float(((d > _months_before(as_of, 12)) & (d <= as_of)).sum())
    return math.nan


def acquisition_mix(
    opps: pd.DataFrame,
    customers: pd.DataFrame | None,
    marketing: pd.DataFrame | None,
    as_of: Any,
    p: Strategy,
) -> pd.DataFrame:
    """Leads, wins and cost by lead source (content, events, referral, partner leads ...), last
    `strategy.funnel_months` months.

    Out: source, leads, won, win_rate, won_amount, customers (customers ever acquired by the source, from the
    customers table), spend and marketing_leads (marketing table; NaN when absent), cost_per_lead = spend /
    marketing leads, cost_per_win = spend / won.
    """
    out = win_stats(opps, as_of, p, by="source")[["source", "leads", "won", "win_rate", "won_amount"]]
    if customers is not None and "acquisition_channel" in customers.columns:
        n = customers["acquisition_channel"].astype(str).value_counts()
        out["customers"] = out["source"].map(n).fillna(0).astype(int)
    else:
        out["customers"] = np.nan
    if marketing is not None and {"month", "channel", "spend", "leads"} <= set(marketing.columns):
        as_of = pd.Timestamp(as_of)
        m = marketing.loc[
            (pd.to_datetime(marketing["month"]) > _months_before(as_of, p.funnel_months))
            & (pd.to_datetime(marketing["month"]) <= as_of)
        ]
        agg = m.groupby(m["channel"].astype(str))[["spend", "leads"]].sum()
        out["spend"] = out["source"].map(agg["spend"]).astype(float)
        out["marketing_leads"] = out["source"].map(agg["leads"]).astype(float)
        out["cost_per_lead"] = (out["spend"] / out["marketing_leads"]).where(out["marketing_leads"] > 0)
        out["cost_per_win"] = (out["spend"] / out["won"]).where(out["won"] > 0)
    else:
        for col in ("spend", "marketing_leads", "cost_per_lead", "cost_per_win"):
            out[col] = np.nan
    return out


# =============================================================================================== 3. health
def health(features: pd.DataFrame, p: Strategy, lang: str = "en") -> pd.DataFrame:
    """Customer health score 0-100, churn-risk level and the suggested action.

    Components, each in [0, 1]: usage = usage_frequency / `strategy.usage_full` (capped at 1); satisfaction =
    (satisfaction - 1) / 4 on the 1-5 scale; renewal = renewal_intent; trend = 0.5 + 0.5 x (recent - prior) /
    max(recent, prior) of the revenue of the last `strategy.trend_months` months against the ones before (0 =
    stopped buying, 0.5 = flat or no orders in either, 1 = new). score = 100 x weighted mean
    (`strategy.health_weights`); a missing component counts as 0.5. risk: high below `risk_high_below`, medium
    below `risk_medium_below`, else low. revenue_at_risk = revenue of the last 12 months for high and medium risk,
    0 for low. action from `strategy.health_actions`. Out: the `health` contract + components, sorted by customer.
    """
    _require(features, ("customer_id", "revenue_12m", "revenue_recent", "revenue_prior"), "features")
    usage = (features["usage_frequency"].astype(float) / p.usage_full).clip(0.0, 1.0)
    sat = ((features["satisfaction"].astype(float) - 1.0) / 4.0).clip(0.0, 1.0)
    renew = features["renewal_intent"].astype(float).clip(0.0, 1.0)
    recent = features["revenue_recent"].astype(float).clip(lower=0.0)
    prior = features["revenue_prior"].astype(float).clip(lower=0.0)
    top = np.maximum(recent, prior)
    trend = (0.5 + 0.5 * (recent - prior) / top.where(top > 0)).fillna(0.5)
    parts = {"usage": usage.fillna(0.5), "satisfaction": sat.fillna(0.5), "renewal": renew.fillna(0.5),
             "trend": trend}  # fmt: skip
    w = p.health_weights
    score = sum(w.get(k, 0.0) * v.to_numpy() for k, v in parts.items()) / sum(w.values())
    score = np.round(100.0 * score, 2)
    risk = np.where(score < p.risk_high_below, "high", np.where(score < p.risk_medium_below, "medium", "low"))
    actions = {k: local_text(v, lang) for k, v in p.health_actions.items()}
    return pd.DataFrame(
        {
            "customer_id": features["customer_id"].to_numpy(),
            "health_score": score,
            "risk": risk,
            "revenue_at_risk": np.where(risk == "low", 0.0, features["revenue_12m"].to_numpy(dtype=float)),
            "action": pd.Series(risk).map(actions).fillna("").to_numpy(),
            "usage": usage.round(4).to_numpy(),
            "satisfaction": sat.round(4).to_numpy(),
            "renewal": renew.round(4).to_numpy(),
            "trend": trend.round(4).to_numpy(),
        }
    )


HEALTH_INPUTS = ("usage_frequency", "satisfaction", "renewal_intent")


def health_report(features: pd.DataFrame, p: Strategy, lang: str = "en") -> pd.DataFrame:
    """`health` for the report and the `health` artefact; no rows (the same columns) when no customer has any of
    the health inputs (usage_frequency, satisfaction, renewal_intent: data without a customers table), since
    the revenue trend alone is not a health model."""
    h = health(features, p, lang)
    known = features[[c for c in HEALTH_INPUTS if c in features.columns]].notna().to_numpy().any()
    return h if known else h.iloc[0:0]


def health_summary(h: pd.DataFrame) -> pd.DataFrame:
    """Per risk level (high, medium, low): customers, revenue at risk, mean health score."""
    g = h.groupby("risk").agg(
        customers=("customer_id", "size"),
        revenue_at_risk=("revenue_at_risk", "sum"),
        health=("health_score", "mean"),
    )
    out = g.reindex(list(RISKS))
    out["customers"] = out["customers"].fillna(0).astype(int)
    out["revenue_at_risk"] = out["revenue_at_risk"].fillna(0.0)
    return out.rename_axis("risk").reset_index()


def health_bins(h: pd.DataFrame, width: float = 5.0) -> pd.DataFrame:
    """Histogram of health scores in `width`-point bins by risk level (chart data, at most 100/width x 3 rows)."""
    lo = (np.floor(h["health_score"].to_numpy(float) / width) * width).clip(0.0, 100.0 - width)
    df = pd.DataFrame({"bin_start": lo, "risk": h["risk"].astype(str).to_numpy()})
    out = df.groupby(["bin_start", "risk"]).size().rename("customers").reset_index()
    out["bin_end"] = out["bin_start"] + width
    return out


def at_risk(
    h: pd.DataFrame, features: pd.DataFrame, tiers: pd.DataFrame | None = None, n: int = 20
) -> pd.DataFrame:
    """High- and medium-risk customers sorted by revenue at risk (largest first), with name, tier and action."""
    df = h.assign(
        name=features["name"].to_numpy() if "name" in features else h["customer_id"].to_numpy(),
        industry=features["industry"].to_numpy() if "industry" in features else "",
        tier=tiers["tier"].astype(str).to_numpy() if tiers is not None else "",
    )
    df = df.loc[df["risk"] != "low"].sort_values(["revenue_at_risk", "customer_id"], ascending=[False, True])
    cols = ["customer_id", "name", "industry", "tier", "health_score", "risk", "revenue_at_risk", "action"]
    return df[cols].head(n).reset_index(drop=True)


# =============================================================================================== 4. 4P
def four_p(p: Strategy, goals: pd.DataFrame | None, lang: str = "en") -> pd.DataFrame:
    """The 4P decisions from `strategy.four_p`, each linked to the goal it supports.

    A decision links to the goals.csv rows whose `metric` equals its `supports`; `goal` holds their text ("" when
    none matches or goals.csv is not available) and `linked` says whether one did.
    Out: p, item, segments, tiers, supports, goal, linked.
    """
    goal_by_metric: dict[str, str] = {}
    if goals is not None and {"goal", "metric"} <= set(goals.columns):
        for metric, g in goals.groupby(goals["metric"].astype(str), sort=False):
            goal_by_metric[metric] = "; ".join(g["goal"].astype(str))
    rows = []
    for entry in p.four_p:
        goal = goal_by_metric.get(entry.supports, "")
        rows.append(
            {
                "p": entry.p,
                "item": local_text(entry.item, lang),
                "segments": ", ".join(entry.segments),
                "tiers": ", ".join(entry.tiers),
                "supports": entry.supports,
                "goal": goal,
                "linked": bool(goal),
            }
        )
    order = {k: i for i, k in enumerate(("product", "price", "place", "promotion"))}
    out = pd.DataFrame(rows, columns=["p", "item", "segments", "tiers", "supports", "goal", "linked"])
    return out.sort_values("p", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def channel_mix(orders: pd.DataFrame, as_of: Any, months: int = 12) -> pd.DataFrame:
    """Revenue, margin rate and share by sales channel (direct, partner, online) over the last `months` months,
    with the growth against the `months` before. Out: channel, revenue, share, margin_rate, growth."""
    _require(orders, ("order_date", "channel", "amount", "margin"), "orders")
    as_of = pd.Timestamp(as_of)
    d = orders["order_date"]
    cur = (d > _months_before(as_of, months)) & (d <= as_of)
    prev = (d > _months_before(as_of, 2 * months)) & ~cur & (d <= as_of)
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


# =============================================================================================== upstream, text
def upstream(ctx: Any, name: str) -> pd.DataFrame | None:
    """Artefact `name` of an earlier step of this run, or None when that step has not written it (the notebook
    then says which part is missing instead of failing)."""
    from planning.errors import ArtifactMissing

    try:
        return ctx.load(name)
    except ArtifactMissing:
        return None


def _w(weights: dict[str, float], key: str) -> str:
    return f"{weights.get(key, 0.0) / sum(weights.values()):.0%}"


def describe_method(tiers: pd.DataFrame, p: Strategy, growth: pd.Series, lang: str = "en") -> str:
    """The tiering method in one paragraph, with the weights and cut-offs in force (and a note when segment growth
    from step 1 is missing). Reads `strategy.value_weights`, `potential_weights`, `cutoff_kind`, cut-offs."""
    cut = cutoffs(tiers, p)
    kind = (
        i18n_t(
            "strategy.tiers.kind_quantile",
            lang,
            value_q=f"{p.value_cutoff:.0%}",
            potential_q=f"{p.potential_cutoff:.0%}",
        )
        if p.cutoff_kind == "quantile"
        else i18n_t("strategy.tiers.kind_score", lang)
    )
    vw, pw = p.value_weights, p.potential_weights
    text = i18n_t(
        "strategy.tiers.method",
        lang,
        recency=_w(vw, "recency"),
        frequency=_w(vw, "frequency"),
        monetary=_w(vw, "monetary"),
        complexity=_w(vw, "complexity"),
        months=p.rfm_months,
        headroom=_w(pw, "headroom"),
        segment_growth=_w(pw, "segment_growth"),
        decision_chain=_w(pw, "decision_chain"),
        value_cut=f"{cut['value']:.1f}",
        potential_cut=f"{cut['potential']:.1f}",
        kind=kind,
    )
    if growth is None or growth.empty:
        text += " " + i18n_t("strategy.tiers.growth_missing", lang)
    return text


def describe_tiers(
    summary: pd.DataFrame, target: float, year: int, lang: str = "en", currency: str = "CNY"
) -> str:
    """Strategic accounts' weight, and what the installed base carries of the plan year's target."""
    from planning import i18n

    s = summary.set_index("tier")
    customers = int(s["customers"].sum())
    expected = float(s["expected_revenue"].sum())
    # without strategic accounts (no potential data: customers tiered by value alone) lead with the top tier
    lead = "strategic" if s.loc["strategic", "customers"] > 0 else str(s["revenue_share"].idxmax())
    text = i18n_t(
        "strategy.tiers.summary" if lead == "strategic" else "strategy.tiers.summary_top",
        lang,
        strategic=i18n.number(s.loc[lead, "customers"], lang),
        strategic_share=i18n.pct(s.loc[lead, "customers"] / customers if customers else math.nan, lang),
        customers=i18n.number(customers, lang),
        strategic_revenue=i18n.pct(s.loc[lead, "revenue_share"], lang),
        expected=i18n.money(expected, lang, currency),
        tier=i18n.name("tier", lead, lang),
    )
    if not (target and target > 0):
        return text + " " + i18n_t("strategy.tiers.no_target", lang)
    key = "strategy.tiers.carry" if expected < target else "strategy.tiers.carry_over"
    return (
        text
        + " "
        + i18n_t(
            key,
            lang,
            carry=i18n.pct(expected / target, lang),
            year=year,
            target=i18n.money(target, lang, currency),
            new=i18n.money(target - expected, lang, currency),
        )
    )


def describe_funnel(funnel_df: pd.DataFrame, stats: pd.DataFrame, p: Strategy, lang: str = "en") -> str:
    """Win rate and cycle, and the bottleneck stage named against its benchmark."""
    from planning import i18n

    st = stats.iloc[0]
    decided = int(st["won"] + st["lost"])
    if int(st["leads"]) == 0:
        return i18n_t("strategy.funnel.no_data", lang, months=p.funnel_months)
    text = i18n_t(
        "strategy.funnel.summary",
        lang,
        months=p.funnel_months,
        win_rate=i18n.pct(st["win_rate"], lang),
        won=i18n.number(st["won"], lang),
        decided=i18n.number(decided, lang),
        value_win_rate=i18n.pct(st["value_win_rate"], lang),
        cycle=i18n.number(st["cycle_days"], lang, 0),
    )
    b = bottleneck(funnel_df)
    stage = i18n.name("stage", b["stage"], lang)
    if pd.notna(b["benchmark_rate"]):
        more = i18n_t(
            "strategy.funnel.bottleneck",
            lang,
            stage=stage,
            rate=i18n.pct(b["conversion_rate"], lang),
            benchmark=i18n.pct(b["benchmark_rate"], lang),
            gap=i18n.pct(b["vs_benchmark"], lang, signed=True),
        )
    else:
        more = i18n_t(
            "strategy.funnel.bottleneck_own", lang, stage=stage, rate=i18n.pct(b["conversion_rate"], lang)
        )
    return text + " " + more


def describe_segments(by_segment: pd.DataFrame, p: Strategy, lang: str = "en") -> str:
    """Best and weakest segment by win rate, among segments with at least `strategy.min_segment_deals` decided."""
    from planning import i18n

    col = by_segment.columns[0]
    ok = by_segment.loc[(by_segment["won"] + by_segment["lost"]) >= min(p.min_segment_deals, 10)].dropna(
        subset=["win_rate"]
    )
    if ok.empty:
        ok = by_segment.dropna(subset=["win_rate"])
    if ok.empty:
        return ""
    best, worst = ok.loc[ok["win_rate"].idxmax()], ok.loc[ok["win_rate"].idxmin()]
    kind = "industry" if col == "industry" else "lead_source"
    return i18n_t(
        "strategy.funnel.segments",
        lang,
        best=i18n.name(kind, best[col], lang),
        best_rate=i18n.pct(best["win_rate"], lang),
        worst=i18n.name(kind, worst[col], lang),
        worst_rate=i18n.pct(worst["win_rate"], lang),
    )


def describe_coverage(
    cov: pd.DataFrame | None,
    year: int,
    lang: str = "en",
    currency: str = "CNY",
    kept: dict[str, Any] | None = None,
    leads_12m: float = math.nan,
    timing: dict[str, Any] | None = None,
    first_year: dict[str, Any] | None = None,
) -> str:
    """Pipeline needed for the plan year, how much the open pipeline covers, and the leads to generate by when;
    with `kept` (`retention`) the installed base it rests on, with `first_year` (`first_year_revenue`) the
    first-year revenue per won deal value that turns the revenue need into won deal value, with `leads_12m` the
    leads needed against the leads of the last 12 months, with `timing` (`pipeline_timing`) when the open pipeline
    is expected to close.
    """
    from planning import i18n

    if cov is None or cov.empty:
        return i18n_t("strategy.coverage.missing", lang)
    money = lambda x: i18n.money(x, lang, currency)  # noqa: E731
    parts = []
    if kept is not None:
        parts.append(
            i18n_t(
                f"strategy.coverage.base_{kept['source']}",
                lang,
                base=money(float(cov["target"].sum() - cov["pipeline_target"].sum())),
                nrr=i18n.pct(kept["nrr_used"], lang),
                churn=i18n.pct(kept["churn_used"], lang),
                customers=i18n.number(kept["customers_prior"], lang),
            )
        )
    required = float(cov["required_pipeline"].sum())
    open_ = float(cov["open_pipeline"].sum())
    if required <= 0:
        parts.append(i18n_t("strategy.coverage.covered", lang, open=money(open_)))
        return " ".join(parts)
    if first_year is not None:
        factor = lambda x: i18n.number(x, lang, decimals=2)  # noqa: E731
        capped = ""
        if first_year["source"] == "data" and abs(first_year["measured"] - first_year["used"]) > 1e-9:
            capped = i18n_t("strategy.coverage.first_year_capped", lang, measured=factor(first_year["measured"]),
                            low=factor(FIRST_YEAR_BOUNDS[0]), high=factor(FIRST_YEAR_BOUNDS[1]))  # fmt: skip
        parts.append(
            i18n_t(
                f"strategy.coverage.first_year_{first_year['source']}",
                lang,
                factor=factor(first_year["used"]),
                customers=i18n.number(first_year["customers"], lang),
                start=str(first_year["cohort_start"]),
                end=str(first_year["cohort_end"]),
                revenue=money(first_year["revenue"]),
                won=money(first_year["won_value"]),
                capped=capped,
            )
        )
    first = cov.loc[cov["leads_needed"] > 0].iloc[0] if (cov["leads_needed"] > 0).any() else cov.iloc[0]
    leads = float(cov["leads_needed"].sum())
    won_needed = cov["won_value_needed"] if "won_value_needed" in cov else cov["pipeline_target"]
    parts.append(
        i18n_t(
            "strategy.coverage.summary",
            lang,
            pipeline_target=money(cov["pipeline_target"].sum()),
            won_needed=money(won_needed.sum()),
            year=year,
            win_rate=i18n.pct(cov["win_rate"].iloc[0], lang),
            required=money(required),
            coverage=i18n.pct(open_ / required, lang),
            leads=i18n.number(leads, lang),
            first_leads=i18n.number(first["leads_needed"], lang),
            first_date=str(first["leads_by"]),
        )
    )
    if math.isfinite(leads_12m) and leads_12m > 0:
        parts.append(
            i18n_t(
                "strategy.coverage.leads_check",
                lang,
                ratio=i18n.number(leads / leads_12m, lang, decimals=1),
                actual=i18n.number(leads_12m, lang),
            )
        )
    if timing is not None and timing["n_open"]:
        key = "strategy.coverage.open_before" if timing["in_plan"] <= 0 else "strategy.coverage.open_in_plan"
        parts.append(
            i18n_t(
                key,
                lang,
                n=i18n.number(timing["n_open"], lang),
                open=money(timing["open_amount"]),
                latest=str(timing["latest"]),
                year=year,
                in_plan=money(timing["in_plan"]),
            )
        )
    return " ".join(parts)


def describe_acquisition(mix: pd.DataFrame, lang: str = "en", currency: str = "CNY") -> str:
    """The lead source that converts best and the one that converts worst, with their cost per lead."""
    from planning import i18n

    ok = mix.dropna(subset=["win_rate"])
    if ok.empty:
        return ""
    best, worst = ok.loc[ok["win_rate"].idxmax()], ok.loc[ok["win_rate"].idxmin()]
    return i18n_t(
        "strategy.coverage.acquisition_say",
        lang,
        best=i18n.name("lead_source", best["source"], lang),
        best_rate=i18n.pct(best["win_rate"], lang),
        best_cpl=i18n.money(best["cost_per_lead"], lang, currency),
        worst=i18n.name("lead_source", worst["source"], lang),
        worst_rate=i18n.pct(worst["win_rate"], lang),
        worst_cpl=i18n.money(worst["cost_per_lead"], lang, currency),
    )


def describe_health_method(p: Strategy, lang: str = "en") -> str:
    """The health score's weights and risk thresholds in force (`strategy.health_weights`, risk_*_below)."""
    w = p.health_weights
    return i18n_t(
        "strategy.health.method",
        lang,
        usage=_w(w, "usage"),
        usage_full=f"{p.usage_full:g}",
        satisfaction=_w(w, "satisfaction"),
        renewal=_w(w, "renewal"),
        trend=_w(w, "trend"),
        months=p.trend_months,
        high=f"{p.risk_high_below:g}",
        medium=f"{p.risk_medium_below:g}",
    )


def describe_health(h: pd.DataFrame, features: pd.DataFrame, lang: str = "en", currency: str = "CNY") -> str:
    """How many customers are at risk, the revenue at stake, and the largest case with its action."""
    from planning import i18n

    risky = at_risk(h, features, n=1)
    if risky.empty:
        return i18n_t("strategy.health.none", lang)
    total = float(features["revenue_12m"].sum())
    stake = float(h["revenue_at_risk"].sum())
    top = risky.iloc[0]
    return (
        i18n_t(
            "strategy.health.summary",
            lang,
            high=i18n.number(int((h["risk"] == "high").sum()), lang),
            medium=i18n.number(int((h["risk"] == "medium").sum()), lang),
            revenue=i18n.money(stake, lang, currency),
            share=i18n.pct(stake / total if total else math.nan, lang),
        )
        + " "
        + i18n_t(
            "strategy.health.largest",
            lang,
            name=top["name"],
            amount=i18n.money(top["revenue_at_risk"], lang, currency),
            score=i18n.number(top["health_score"], lang, 0),
            action=top["action"],
        )
    )


def describe_four_p(table: pd.DataFrame, goals: pd.DataFrame | None, lang: str = "en") -> str:
    """How many 4P decisions are linked to a goal of step 2, and which are not."""
    if table.empty:
        return i18n_t("strategy.fourp.empty", lang)
    if goals is None:
        return i18n_t("strategy.fourp.no_goals", lang)
    text = i18n_t("strategy.fourp.linked", lang, linked=int(table["linked"].sum()), total=len(table))
    loose = table.loc[~table["linked"], "item"]
    if len(loose):
        text += " " + i18n_t("strategy.fourp.unlinked", lang, items="; ".join(loose))
    return text


def describe_channels(mix: pd.DataFrame, lang: str = "en") -> str:
    """The largest sales channel's share and the fastest-growing channel."""
    from planning import i18n

    if mix.empty:
        return ""
    top = mix.iloc[0]
    g = mix.dropna(subset=["growth"])
    fastest = g.loc[g["growth"].idxmax()] if len(g) else top
    return i18n_t(
        "strategy.fourp.channels",
        lang,
        top=i18n.name("channel", top["channel"], lang),
        share=i18n.pct(top["share"], lang),
        fastest=i18n.name("channel", fastest["channel"], lang),
        growth=i18n.pct(fastest["growth"], lang, signed=True),
    )


def four_p_display(table: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The 4P table with the P, segments and tiers as display names (for `ctx.table`)."""
    from planning import i18n

    def names(kind: str, text: str) -> str:
        return ", ".join(i18n.name(kind, v.strip(), lang) for v in text.split(",") if v.strip())

    return table.assign(
        p=table["p"].map(lambda v: i18n_t(f"strategy.p.{v}", lang)),
        segments=table["segments"].map(lambda s: names("industry", s)),
        tiers=table["tiers"].map(lambda s: names("tier", s)),
    ).drop(columns=["linked"])


def i18n_t(key: str, lang: str, **fmt: Any) -> str:
    from planning import i18n

    return i18n.t(key, lang, **fmt)


# =============================================================================================== what-if
def whatif_panel(ctx: Any, features: pd.DataFrame) -> Any:
    """JupyterLab sliders for the tier cut-offs and the health weights; every move re-runs `tier_customers` and
    `health` (the batch path's functions) on the precomputed features and redraws the tier counts and risk mix."""
    import ipywidgets as w
    from IPython.display import display

    p = ctx.p.strategy
    lang = ctx.lang
    sliders = {
        "value_cutoff": w.FloatSlider(value=p.value_cutoff, min=0.05, max=0.95, step=0.05,
                                      description=ctx.t("strategy.whatif.value_cutoff")),
        "potential_cutoff": w.FloatSlider(value=p.potential_cutoff, min=0.05, max=0.95, step=0.05,
                                          description=ctx.t("strategy.whatif.potential_cutoff")),
    }  # fmt: skip
    for k, v in p.health_weights.items():
        label = ctx.t("strategy.whatif.weight", name=ctx.t(f"strategy.whatif.{k}"))
        sliders[f"w_{k}"] = w.FloatSlider(value=v, min=0.0, max=1.0, step=0.05, description=label)
    out = w.Output()

    def redraw(_: Any = None) -> None:
        weights = {k[2:]: s.value for k, s in sliders.items() if k.startswith("w_")}
        if not any(v > 0 for v in weights.values()):
            return
        q = p.model_copy(
            update={
                "value_cutoff": sliders["value_cutoff"].value,
                "potential_cutoff": sliders["potential_cutoff"].value,
                "health_weights": weights,
            }
        )
        tiers = tier_customers(features, q, lang)
        h = health(features, q, lang)
        with out:
            out.clear_output(wait=True)
            ctx.table(tier_summary(tiers, features, q)[["tier", "customers", "revenue_12m", "revenue_share"]],
                      money=["revenue_12m"], pct=["revenue_share"], domain="strategy")  # fmt: skip
            ctx.table(health_summary(h), money=["revenue_at_risk"], domain="strategy")

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    box = w.VBox([*sliders.values(), out])
    display(box)
    return box
