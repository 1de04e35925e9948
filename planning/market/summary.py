"""The box the market report opens with: key numbers and the items for decision, read from the step's artefacts.

Narrate layer: artefact frames in, (numbers, decisions) out, words through `voice` (planning/locale/summary.yaml).
"""

from __future__ import annotations

import math

import pandas as pd

from planning import i18n

Summary = tuple[list[tuple[str, str]], list[str]]


def summary(
    trend: pd.DataFrame, segments: pd.DataFrame, share: pd.DataFrame, voice: i18n.Voice, months: int = 0
) -> Summary:
    """Last 12 complete months' sales and growth, the share of the sized segments, the ICP segment; decisions:
    segments losing share in a growing market, the ICP segment to prioritise. `months`: a minimal plan's complete
    months of history (docs/method.md, short histories): their sales, and no growth."""
    done = trend[trend["complete"].astype(bool)] if "complete" in trend else trend
    last12, prev12 = done["sales"].tail(12).sum(), done["sales"].iloc[-24:-12].sum()
    growth = last12 / prev12 - 1 if len(done) >= 24 and prev12 > 0 else math.nan
    numbers = [
        (voice.t("summary.market.last12"), voice.money(last12)),
        (voice.t("summary.market.growth"), voice.pct(growth, signed=True)),
    ]
    if months:
        numbers = [
            (voice.t("summary.market.months", months=months), voice.money(done["sales"].tail(months).sum()))
        ]
    decisions = []
    sized = share[(share["market_size"] > 0) & (share["segment"] != "total")] if len(share) else share
    if len(sized):
        numbers.append(
            (
                voice.t("summary.market.share"),
                voice.pct(sized["our_sales"].sum() / sized["market_size"].sum()),
            )
        )
        for r in sized[(sized["status"] == "losing") & (sized["market_growth"] > 0)].itertuples():
            decisions.append(
                voice.t(
                    "summary.market.losing",
                    segment=voice.segment(r.segment),
                    change=voice.t("summary.pp", value=f"{r.share_change * 100:+.1f}"),
                    growth=voice.pct(r.market_growth, signed=True),
                )
            )
    if len(segments) and "icp_rank" in segments:
        top = segments.sort_values("icp_rank").iloc[0]
        numbers.append((voice.t("summary.market.icp"), voice.segment(top["segment"])))
        decisions.append(
            voice.t(
                "summary.market.prioritise_minimal" if months else "summary.market.prioritise",
                segment=voice.segment(top["segment"]),
                sales=voice.money(top["sales"]),
                growth=voice.pct(top["growth"], signed=True),
                months=months,
            )
        )
    return numbers, decisions
