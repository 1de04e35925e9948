"""Customer health: a 0-100 score from usage, satisfaction, renewal intent and the order trend, the churn-risk
level it implies, the revenue at risk, and the customers to call first. The risk levels' actions are filled in by
`narrate.health_table`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.data import require
from planning.params import Strategy

RISKS = ("high", "medium", "low")


def health(features: pd.DataFrame, p: Strategy) -> pd.DataFrame:
    """Customer health score 0-100 and churn-risk level.

    Components, each in [0, 1]: usage = usage_frequency / `strategy.usage_full` (capped at 1); satisfaction =
    (satisfaction - 1) / 4 on the 1-5 scale; renewal = renewal_intent; trend = 0.5 + 0.5 x (recent - prior) /
    max(recent, prior) of the revenue of the last `strategy.trend_months` months against the ones before (0 =
    stopped buying, 0.5 = flat or no orders in either, 1 = new). score = 100 x weighted mean
    (`strategy.health_weights`); a missing component counts as 0.5. risk: high below `risk_high_below`, medium
    below `risk_medium_below`, else low. revenue_at_risk = revenue of the last 12 months for high and medium risk,
    0 for low; a customer whose returns exceed its purchases of the last 12 months (the returns reverse earlier
    purchases) brings no revenue to lose: 0. Out: customer_id, health_score, risk, revenue_at_risk and the components usage, satisfaction,
    renewal, trend, in the order of `features`: the `health` contract once `narrate.health_table` has put the
    action (`strategy.health_actions`) in after revenue_at_risk.
    """
    require(features, "features", ("customer_id", "revenue_12m", "revenue_recent", "revenue_prior"))
    # on arrays: _clip is Series.clip's (NaN and -0.0 kept), the NaN fills and rounding the same as the Series'
    usage = _clip(features["usage_frequency"].astype(float).to_numpy() / p.usage_full, 0.0, 1.0)
    sat = _clip((features["satisfaction"].astype(float).to_numpy() - 1.0) / 4.0, 0.0, 1.0)
    renew = _clip(features["renewal_intent"].astype(float).to_numpy(), 0.0, 1.0)
    recent = _clip(features["revenue_recent"].astype(float).to_numpy(), 0.0, None)
    prior = _clip(features["revenue_prior"].astype(float).to_numpy(), 0.0, None)
    top = np.maximum(recent, prior)
    with np.errstate(invalid="ignore"):  # as quiet as the Series' arithmetic (inf - inf)
        trend = _fill(0.5 + 0.5 * (recent - prior) / np.where(top > 0, top, np.nan), 0.5)
    parts = {"usage": _fill(usage, 0.5), "satisfaction": _fill(sat, 0.5), "renewal": _fill(renew, 0.5),
             "trend": trend}  # fmt: skip
    w = p.health_weights
    score = sum(w.get(k, 0.0) * v for k, v in parts.items()) / sum(w.values())
    score = np.round(100.0 * score, 2)
    risk = np.where(score < p.risk_high_below, "high", np.where(score < p.risk_medium_below, "medium", "low"))
    return pd.DataFrame(
        {
            "customer_id": features["customer_id"].to_numpy(),
            "health_score": score,
            "risk": risk,
            "revenue_at_risk": np.where(
                risk == "low", 0.0, features["revenue_12m"].to_numpy(dtype=float).clip(min=0.0)
            ),
            "usage": usage.round(4),
            "satisfaction": sat.round(4),
            "renewal": renew.round(4),
            "trend": trend.round(4),
        }
    )


def _clip(x: np.ndarray, lower: float, upper: float | None) -> np.ndarray:
    """`pd.Series(x).clip(lower, upper)` on an array: NaN kept, and -0.0 (np.clip would make it 0.0)."""
    x = np.where(x < lower, lower, x)
    return x if upper is None else np.where(x > upper, upper, x)


def _fill(x: np.ndarray, value: float) -> np.ndarray:
    """`fillna(value)` on an array."""
    return np.where(np.isnan(x), value, x)


HEALTH_INPUTS = ("usage_frequency", "satisfaction", "renewal_intent")


def health_report(features: pd.DataFrame, p: Strategy) -> pd.DataFrame:
    """`health` for the report and the `health` artefact; no rows (the same columns) when no customer has any of
    the health inputs (usage_frequency, satisfaction, renewal_intent: data without a customers table), since
    the revenue trend alone is not a health model."""
    h = health(features, p)
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
    """High- and medium-risk customers sorted by revenue at risk (largest first), with name, tier and action.

    In: `h` with its action (`narrate.health_table`), `customer_features` and `tier_customers` (optional) output.
    """
    df = h.assign(
        name=features["name"].to_numpy() if "name" in features else h["customer_id"].to_numpy(),
        industry=features["industry"].to_numpy() if "industry" in features else "",
        tier=tiers["tier"].astype(str).to_numpy() if tiers is not None else "",
    )
    df = df.loc[df["risk"] != "low"].sort_values(["revenue_at_risk", "customer_id"], ascending=[False, True])
    cols = ["customer_id", "name", "industry", "tier", "health_score", "risk", "revenue_at_risk", "action"]
    return df[cols].head(n).reset_index(drop=True)
