"""Marketing and the market: the partner-lead collapse, market size and share."""

from __future__ import annotations

from frames_sample import revenue

from planning import sample


def test_market_share_plausible_and_northeast_losing_share(full):
    ms = full["market_size"]
    assert sorted(ms["year"].unique()) == list(range(2022, sample.DEFAULT_END.year + 2))
    share = revenue(full["orders"], ["year", "region"]) / ms.groupby(["year", "region"])["market_size"].sum()
    share = share.dropna().unstack()
    full_years = share.loc[2022:2025]
    assert ((full_years > 0.03) & (full_years < 0.10)).all().all()
    assert share.loc[2025, "northeast"] < share.loc[2022, "northeast"]


def test_partner_leads_collapse_while_spend_continues(small):
    mk = small["marketing"]
    mk = mk.assign(y=mk["month"].dt.year, m=mk["month"].dt.month)
    partner = (
        mk[(mk["channel"] == "partner_leads") & mk["m"].between(4, 9)].groupby("y")[["leads", "spend"]].sum()
    )
    assert partner.loc[2026, "leads"] < 0.3 * partner.loc[2025, "leads"]
    assert partner.loc[2026, "spend"] > 0.8 * partner.loc[2025, "spend"]
    east_events = mk[(mk["channel"] == "events") & (mk["region"] == "east") & mk["m"].between(4, 9)]
    ev = east_events.groupby("y")["leads"].sum()
    assert ev[2026] < 0.6 * ev[2025]
