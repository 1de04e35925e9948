"""The pipeline: one opportunity per lead, ordered stage dates, the northeast's proposal bottleneck."""

from __future__ import annotations

import pandas as pd


def test_opportunities_follow_leads_and_funnel(full):
    opp, mk = full["opportunities"], full["marketing"]
    per_cell = opp.groupby([opp["lead_date"].dt.to_period("M"), "region", "source"], observed=True).size()
    leads = mk.set_index([mk["month"].dt.to_period("M"), "region", "channel"])["leads"]
    leads.index.names = per_cell.index.names
    assert per_cell.sum() == leads.sum()
    assert (per_cell.reindex(leads.index, fill_value=0) == leads).all()
    # Stage dates are ordered and status/stage agree.
    for a, b in (
        ("lead_date", "discovery_date"),
        ("discovery_date", "proposal_date"),
        ("proposal_date", "negotiation_date"),
    ):
        both = opp[a].notna() & opp[b].notna()
        assert (opp.loc[both, b] >= opp.loc[both, a]).all()
    assert (opp.loc[opp["status"] == "open", "close_date"].isna()).all()
    assert set(opp.loc[opp["status"] == "won", "stage"].unique()) == {"won"}
    assert opp.loc[opp["status"] == "open", "lead_date"].min() > pd.Timestamp("2025-06-01")
    # The northeast's proposal stage is the bottleneck.
    closed = opp[opp["lead_date"] < "2026-01-01"]
    conv = closed.groupby("region", observed=True).apply(
        lambda g: g["negotiation_date"].notna().sum() / g["proposal_date"].notna().sum()
    )
    assert conv["northeast"] < 0.45 < conv.drop("northeast").min()
    win = closed.groupby("source", observed=True)["status"].apply(lambda s: (s == "won").mean())
    assert win["referral"] > win["partner_leads"]
