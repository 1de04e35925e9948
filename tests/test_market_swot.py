"""Tests of planning/market/swot.py: which SWOT rules fire on hand-made share and competitor frames."""

from __future__ import annotations

from frames_market import mp_comp, params, share_tables

from planning.market import competitors, share, swot


def test_swot_rules_fire():
    mp = mp_comp()
    orders, customers, ms = share_tables()
    sh = share.market_share(orders, customers, ms, params(mp, as_of="2026-12-31"))
    sw = swot.swot(mp, sh, competitors.competitors(mp))
    data = sw[sw["source"] == "data"]
    got = set(zip(data["quadrant"], data["rule"], data["key"], strict=True))
    assert got == {
        ("S", "share_gain", "energy"),  # +5 pp
        ("W", "share_loss", "retail"),  # -2 pp
        ("O", "fast_market", "energy"),  # market +20% vs total +13.3% (+2 pp margin)
        ("O", "opening", "service"),
        ("S", "opening_filled", "service"),  # our 4.5 >= strong 4.0
        ("T", "competitor_strength", "A/price"),  # A 4.5 on price, we 2.0
    }
    retail = data.set_index("key").loc["retail", "facts"]
    assert (
        retail["share"] == 40 / 500 and round(retail["change"], 4) == -0.02
    )  # the numbers its sentence shows
    assert len(sw[sw["source"] == "params"]) == 2
    assert list(sw["quadrant"]) == sorted(sw["quadrant"], key="SWOT".index)


def test_swot_without_data_signals_has_only_the_planners_entries():
    mp = mp_comp().model_copy(update={"competitors": []})
    sw = swot.swot(mp, share.market_share(*share_tables()[:2], None, params(mp)), competitors.competitors(mp))
    assert list(sw["source"]) == ["params", "params"] and list(sw["quadrant"]) == ["S", "T"]
