"""The translated display tables of step 1 (market analysis): the frames a planner reads in the report, built
from the compute modules' (and narrate's) frames with display names and translated labels.

Convention: data arguments first, then the params section if needed, `voice: i18n.Voice` last.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from planning import i18n
from planning.market import competitors
from planning.market.narrate import dimension_name, label_increment, label_segments, needs_table

if TYPE_CHECKING:
    from planning.params import Market


def sales_column(months: int, voice: i18n.Voice) -> str:
    """The header of the segments' sales in `segments_view`: the column key `sales` ("Sales (L12M)"), or on a
    minimal plan of `months` months of history the months themselves ("Sales (6 months)")."""
    return voice.t("market.sales_months", months=months) if months else "sales"


def segments_view(segs: pd.DataFrame, by: Sequence[str], voice: i18n.Voice, months: int = 0) -> pd.DataFrame:
    """The ICP table a planner reads: display name first, then the ranking metrics; the sales headed by
    `sales_column` (a minimal plan's `months`)."""
    cols = ["icp_rank", "label", "customers", "sales", "avg_order_value", "clv", "win_rate", "closed_deals",
            "growth"]  # fmt: skip
    if segs["win_rate"].isna().all():  # no opportunities: the report says so instead of a column of dashes
        cols = [c for c in cols if c not in ("win_rate", "closed_deals")]
    # a minimal plan's segments (`segments.MINIMAL_EMPTY`): no column of dashes for what needs two periods
    cols = [c for c in cols if c not in ("clv", "growth") or segs[c].notna().any()]
    return label_segments(segs, by, voice)[cols].rename(
        columns={"label": "segment", "sales": sales_column(months, voice)}
    )


def share_view(share: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """Market size, our sales and share per industry (and the total), share change in percentage points."""
    out = share[
        ["segment", "market_size", "our_sales", "share", "share_change", "market_growth", "our_growth"]
    ].copy()
    out["segment"] = [voice.t("market.chart.total") if s == "total" else voice.name("industry", s)
                      for s in out["segment"]]  # fmt: skip
    out["share_change"] = out["share_change"] * 100  # percentage points
    out["share_status"] = [voice.t(f"market.status.{s}") for s in share["status"]]
    return out


def swot_view(sw: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The SWOT table (from `narrate.swot_table`) with translated quadrants and sources."""
    out = sw[["quadrant", "item", "source", "evidence"]].copy()
    out["quadrant"] = [voice.t(f"market.swot.quadrants.{q}") for q in out["quadrant"]]
    out["source"] = [voice.t(f"market.swot.sources.{s}") for s in out["source"]]
    return out.rename(columns={"source": "swot_source"})


def needs_view(nd: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The needs table (from `needs.needs`) in the voice's language, `unmet` as yes / no."""
    out = needs_table(nd, voice)
    out["unmet"] = [voice.t(f"market.flags.{str(bool(u)).lower()}") for u in out["unmet"]]
    return out


def increment_view(inc: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The market increment (from `narrate.explain_increment`): source, display name, amount, explanation."""
    out = label_increment(inc, voice)
    out["source"] = [voice.t(f"market.increment.sources.{s}") for s in out["source"]]
    out = out[["source", "label", "amount", "explanation"]].rename(
        columns={"source": "increment_source", "label": "segment_or_dimension"}
    )
    return out


def openings_view(mp: Market, voice: i18n.Voice) -> pd.DataFrame:
    """Per competitive dimension: the best competitor and score, our own score, whether it is an opening."""
    op = competitors.openings(mp)
    out = op.copy()
    out["dimension"] = [dimension_name(d, voice) for d in op["dimension"]]
    if voice.lang == "zh":
        zh = {c.name: c.name_zh or c.name for c in mp.competitors}
        out["best_competitor"] = out["best_competitor"].map(zh)
    out["opening"] = [voice.t(f"market.flags.{str(bool(o)).lower()}") for o in op["opening"]]
    return out
