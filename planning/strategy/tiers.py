"""Customer tiers by extended RFM: recency, frequency, monetary + demand complexity (value), wallet headroom,
segment growth and decision-chain length (potential) -> strategic / profit / nurture / maintain, and what each
tier is expected to deliver next year under its playbook.

Scores are percentile ranks, so they need no unit conversions and are robust to the long tail of order values:
a customer's value score is the weighted mean of its ranks on recency (more recent = higher), frequency, monetary
and demand complexity; its potential score the weighted mean of its ranks on wallet headroom, segment growth and
decision-chain length (more people who sign off = more departments that can buy). Ranks are computed once by
`customer_features`; `tier_customers` only weighs them and applies the cut-offs, so re-tiering 100,000 customers
with other weights or cut-offs takes milliseconds. The playbooks' text is filled in by `narrate.tiers_table`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planning.data import require
from planning.params import Params, Strategy
from planning.strategy.health import health
from planning.strategy.history import months_before, pct_rank

TIERS = ("strategic", "profit", "nurture", "maintain")
VALUE_DIMS = {"recency": "rank_recency", "frequency": "rank_frequency", "monetary": "rank_monetary",
              "complexity": "rank_complexity"}  # fmt: skip
POTENTIAL_DIMS = {"headroom": "rank_potential", "segment_growth": "rank_segment_growth",
                  "decision_chain": "rank_decision_chain"}  # fmt: skip


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


def customers_from_orders(orders: pd.DataFrame, p: Params) -> pd.DataFrame:
    """A stand-in customers table for data without one: every buyer of the order lines up to `p.as_of`.

    Out: the customers columns `customer_features` reads. name = customer_id; industry and size_band from the
    order lines when they carry them (an export's extra columns; the customer's latest line), else "unknown";
    demand_complexity, decision_chain_length, wallet_size and the health inputs empty (unknown), so that their
    percentile ranks are the same for every customer (neutral, 0.5).
    """
    require(orders, "orders", ("order_date", "customer_id"))
    o = orders[(orders["order_date"] <= pd.Timestamp(p.as_of)) & orders["customer_id"].notna()]
    o = o.sort_values("order_date", kind="stable")  # anonymous lines (no customer) are no buyer
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


def _at_least(x: np.ndarray, lower: float) -> np.ndarray:
    """`pd.Series(x).clip(lower=lower)` on an array: NaN and -0.0 kept (np.clip would turn -0.0 into 0.0)."""
    return np.where(x < lower, lower, x)


def customer_features(
    orders: pd.DataFrame,
    customers: pd.DataFrame | None,
    p: Params,
    growth: pd.Series | None = None,
    months: int = 0,
) -> pd.DataFrame:
    """One row per customer with the extended-RFM dimensions, health inputs and their percentile ranks.

    In: order lines and customers (docs/data.md), segment growth by industry (`segment_growth`:
    "industry/size_band" first, then "industry"; unknown or None = 0). Reads `as_of`, `strategy.rfm_months`,
    `strategy.trend_months`.
    Out: customer_id, name, industry, size_band, acquisition_channel, recency_days (days since the last order;
    NaN = never ordered), frequency (orders in the RFM window), monetary (revenue in the window, net of returns
    and not below 0: returns beyond the window's purchases reverse purchases made before it), revenue_12m,
    complexity, decision_chain, wallet_size, segment_growth, potential (next year's wallet, grown with the segment,
    minus what the customer buys from us now; >= 0), usage_frequency, satisfaction, renewal_intent,
    revenue_recent / revenue_prior (the last `trend_months` and the ones before), and rank_* columns in [0, 1].
    Without a customers table (None) the buyers of the order lines stand in (`customers_from_orders`): RFM from
    the orders; complexity, decision chain, wallet headroom and segment growth neutral (the same rank for all).
    `months` (a minimal plan's complete months of history, docs/method.md "Short histories"; 0 = a full plan):
    the wallet headroom compares next year's wallet with the customer's revenue annualised, revenue_12m x 12 /
    months, not with the few months' revenue.
    """
    require(orders, "orders", ("order_id", "order_date", "customer_id", "amount"))
    if customers is None:  # potential neutral for everyone (segment growth alone would split on industry)
        customers, growth = customers_from_orders(orders, p), None
    require(
        customers,
        "customers",
        ("customer_id", "industry", "demand_complexity", "decision_chain_length", "wallet_size"),
    )
    as_of, s = pd.Timestamp(p.as_of), p.strategy
    o = orders.loc[orders["order_date"] <= as_of, ["order_id", "order_date", "customer_id", "amount"]]
    # The buyers as integer codes, factorised once (code k: the k-th distinct id; -1: no id, no buyer): the
    # per-buyer figures are grouped by code (groups 0..k in code order) and each customer finds its row by
    # position, not by id string. Group sums are pandas' (compensated, rows in order): the same as by id.
    code, buyers = pd.factorize(o["customer_id"].astype(str))
    date = o["order_date"]
    amount = o["amount"].to_numpy(dtype=float)
    window = (date > months_before(as_of, s.rfm_months)).to_numpy()
    last12 = (date > months_before(as_of, 12)).to_numpy()
    recent = (date > months_before(as_of, s.trend_months)).to_numpy()
    prior = ((date > months_before(as_of, 2 * s.trend_months)).to_numpy()) & ~recent
    buyer = code >= 0
    per = pd.DataFrame(
        {
            "monetary": np.where(window, amount, 0.0)[buyer],
            "revenue_12m": np.where(last12, amount, 0.0)[buyer],
            "revenue_recent": np.where(recent, amount, 0.0)[buyer],
            "revenue_prior": np.where(prior, amount, 0.0)[buyer],
        }
    )
    sums = per.groupby(code[buyer], sort=True).sum()
    last = date[buyer].groupby(code[buyer], sort=True).max()
    # frequency: distinct order ids per buyer in the window (a missing order id counts as one id)
    in_window = window & buyer
    order, order_ids = pd.factorize(o["order_id"].astype(str)[in_window], use_na_sentinel=False)
    n_ids = max(len(order_ids), 1)
    pairs = pd.unique(code[in_window].astype(np.int64) * n_ids + order)
    freq = np.append(np.bincount(pairs // n_ids, minlength=len(buyers)), 0)  # [-1]: 0 for non-buyers

    cust_id = customers["customer_id"].astype(str)
    at = pd.Index(buyers).get_indexer(cust_id)  # each customer's code; -1: no order up to as_of
    totals = sums.reindex(at).fillna(0.0)
    cols = {"customer_id": cust_id.to_numpy()}
    for col in ("name", "industry", "size_band", "acquisition_channel"):
        if col in customers.columns:
            cols[col] = customers[col].astype(str).to_numpy()
    cols["recency_days"] = (as_of - last.reindex(at)).dt.days.to_numpy(dtype=float)
    cols["frequency"] = freq[at]
    for col in ("monetary", "revenue_12m", "revenue_recent", "revenue_prior"):
        cols[col] = totals[col].to_numpy()
    # A return reverses a purchase: returns beyond what the customer bought in a window reverse purchases made
    # before it (the data does not link a return to its sale), so a window's revenue is net of returns but not
    # below zero. RFM's monetary and the health inputs read what the customer bought, not the credit notes.
    cols["monetary"] = _at_least(cols["monetary"], 0.0)
    cols["complexity"] = customers["demand_complexity"].to_numpy(dtype=float)
    cols["decision_chain"] = customers["decision_chain_length"].to_numpy(dtype=float)
    cols["wallet_size"] = customers["wallet_size"].to_numpy(dtype=float)
    g = growth if growth is not None else pd.Series(dtype=float)
    if g.empty:  # no growth known: every lookup below would give NaN, filled with 0
        cols["segment_growth"] = np.zeros(len(customers))
    else:
        industry = customers["industry"].astype(str)
        by_segment = (
            (industry + "/" + customers["size_band"].astype(str)).map(g)
            if "size_band" in customers.columns
            else np.nan
        )
        seg_growth = pd.Series(by_segment, index=customers.index, dtype=float).fillna(industry.map(g).astype(float))
        cols["segment_growth"] = seg_growth.fillna(0.0).to_numpy()
    next_wallet = cols["wallet_size"] * (1.0 + _at_least(cols["segment_growth"], -1.0))
    annual = cols["revenue_12m"] * (12.0 / months if months else 1.0)
    cols["potential"] = _at_least(next_wallet - annual, 0.0)
    for col in ("usage_frequency", "satisfaction", "renewal_intent"):
        cols[col] = customers[col].to_numpy(dtype=float) if col in customers.columns else np.nan
    out = pd.DataFrame(cols)

    out["rank_recency"] = pct_rank(-out["recency_days"])  # fewer days = more recent = higher rank
    out["rank_frequency"] = pct_rank(out["frequency"].astype(float))
    out["rank_monetary"] = pct_rank(out["monetary"])
    out["rank_complexity"] = pct_rank(out["complexity"])
    out["rank_potential"] = pct_rank(out["potential"])
    out["rank_segment_growth"] = pct_rank(out["segment_growth"])
    out["rank_decision_chain"] = pct_rank(out["decision_chain"])
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


def tier_customers(features: pd.DataFrame, p: Strategy) -> pd.DataFrame:
    """Value and potential scores (0-100) and the four tiers, vectorised (100,000 customers in a few ms).

    In: `customer_features` output. Reads `strategy.value_weights`, `potential_weights`, `cutoff_kind`,
    `value_cutoff`, `potential_cutoff`, `playbooks` (touches_per_year). A customer is high value when its value score is at or above
    the cut-off (the `value_cutoff` quantile of all scores, or `value_cutoff` x 100 when `cutoff_kind` is score),
    likewise for potential. strategic = high value + high potential, profit = high value + low potential,
    nurture = low value + high potential, maintain = low value + low potential.
    Out: customer_id, recency_days, frequency, monetary, complexity, potential, value_score, potential_score,
    tier (a Categorical of TIERS), touches_per_year: the `customer_tiers` contract once `narrate.tiers_table` has
    put the playbook in after the tier.
    """
    require(features, "features", ("customer_id", *VALUE_DIMS.values(), *POTENTIAL_DIMS.values()))
    value = _weighted(features, p.value_weights, VALUE_DIMS)
    potential = _weighted(features, p.potential_weights, POTENTIAL_DIMS)
    high_v = value >= _threshold(value, p.value_cutoff, p.cutoff_kind) - 1e-9
    high_p = potential >= _threshold(potential, p.potential_cutoff, p.cutoff_kind) - 1e-9
    if len(potential) > 1 and np.ptp(potential) < 1e-9:  # no potential data (no customers table): none high
        high_p = np.zeros(len(potential), dtype=bool)
    # codes index TIERS: strategic 0, profit 1, nurture 2, maintain 3
    codes = np.where(high_v, np.where(high_p, 0, 1), np.where(high_p, 2, 3))
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
            "touches_per_year": touches[codes],
        }
    )


def tier_codes(tier: pd.Series) -> np.ndarray:
    """Index of each tier in TIERS (strategic 0 .. maintain 3), -1 for anything else; a Categorical (as from
    `tier_customers`) is looked up per category, not per customer."""
    if isinstance(tier.dtype, pd.CategoricalDtype):
        per_category = pd.Index(TIERS).get_indexer(tier.cat.categories.astype(str))
        codes = tier.cat.codes.to_numpy()
        return np.where(codes >= 0, per_category[codes], -1)
    return pd.Index(TIERS).get_indexer(tier.astype(str))


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
) -> pd.DataFrame:
    """Per tier: customers, revenue of the last 12 months, its share, mean scores, wallet potential, the revenue
    the tier is expected to deliver next year and the share of the plan year's `target` it carries.

    With `kept` (`retention`): the base as a whole is expected to deliver revenue_12m x nrr_used. Its loss,
    revenue_12m x churn_used, is spread over customers in proportion to revenue_12m x the churn probability of
    their health risk (`strategy.churn_probability`, relative weights); the change of the customers who stay,
    revenue_12m x (nrr_used - 1 + churn_used): growth is spread in proportion to headroom_capture x potential of
    their tier's playbook (to revenue_12m when no playbook captures headroom) as the expected wins; a shrinking
    base (net retention below 1 - churn: customers who stay buy less) is contraction, part of the expected loss
    in proportion to revenue_12m, never negative wins from headroom. Without `kept` the parameters are read as absolute:
    expected = revenue_12m x (1 - churn probability) + headroom_capture x potential.
    Reads `strategy.playbooks` (headroom_capture, touches_per_year), `churn_probability` and the health keys
    (see `health`). Out columns: tier, customers, revenue_12m, revenue_share, value_score, potential_score,
    potential, expected_loss, expected_gain, expected_revenue, share_of_target, touches (`narrate.summary_table`
    adds the playbook).
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
        change = total * (kept["nrr_used"] - 1.0 + kept["churn_used"])
        loss = _spread(total * kept["churn_used"], rev * churn, rev)
        gain_w = (capture * df["potential"]).to_numpy(dtype=float)
        df["expected_loss"] = loss + (_spread(-change, rev, rev) if change < 0 else 0.0)
        df["expected_gain"] = _spread(max(change, 0.0), gain_w, rev)
    # grouped by tier code (the index in TIERS; -1, not a tier, dropped by the reindex like an unknown name),
    # one sum and one mean over their columns: the same groupby kernels as one named aggregation per column
    g = df.drop(columns="tier").groupby(tier_codes(tiers["tier"]), sort=True)
    sums = g[["revenue_12m", "potential", "expected_loss", "expected_gain", "touches"]].sum()
    means = g[["value_score", "potential_score"]].mean()
    out = pd.DataFrame(
        {
            "customers": g.size(),
            "revenue_12m": sums["revenue_12m"],
            "value_score": means["value_score"],
            "potential_score": means["potential_score"],
            "potential": sums["potential"],
            "expected_loss": sums["expected_loss"],
            "expected_gain": sums["expected_gain"],
            "touches": sums["touches"],
        }
    ).reindex(range(len(TIERS)))
    out.index = pd.Index(list(TIERS))
    out["customers"] = out["customers"].fillna(0).astype(int)
    out = out.fillna({c: 0.0 for c in out.columns if c != "customers"})
    total = out["revenue_12m"].sum()
    out["revenue_share"] = out["revenue_12m"] / total if total else 0.0
    out["expected_revenue"] = out["revenue_12m"] - out["expected_loss"] + out["expected_gain"]
    out["share_of_target"] = out["expected_revenue"] / target if target and target > 0 else math.nan
    cols = ["customers", "revenue_12m", "revenue_share", "value_score", "potential_score", "potential",
            "expected_loss", "expected_gain", "expected_revenue", "share_of_target", "touches"]  # fmt: skip
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


def cutoffs(tiers: pd.DataFrame, p: Strategy) -> dict[str, float]:
    """The value and potential scores that split high from low (for chart rules and the method sentence)."""
    return {
        "value": _threshold(tiers["value_score"].to_numpy(float), p.value_cutoff, p.cutoff_kind),
        "potential": _threshold(tiers["potential_score"].to_numpy(float), p.potential_cutoff, p.cutoff_kind),
    }


#: The tier table's projection of the installed base into the plan year (`tier_summary`).
PROJECTION_COLUMNS = ("expected_loss", "expected_gain", "expected_revenue", "share_of_target")


def without_projection(summary: pd.DataFrame) -> pd.DataFrame:
    """`tier_summary` with its projection (`PROJECTION_COLUMNS`) left empty (NaN): the minimal plan's tiers, whose
    few months measure no retention or churn to project the installed base with (docs/method.md, short
    histories). The tiers, their customers, revenue and scores stay."""
    return summary.assign(**{c: math.nan for c in PROJECTION_COLUMNS})


def installed_base(summary: pd.DataFrame) -> float:
    """Revenue the existing customers are expected to deliver next year (sum of `tier_summary` expected_revenue)."""
    return float(summary["expected_revenue"].sum())
