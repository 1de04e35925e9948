"""Tests of planning/market/needs.py: needs linked to the segments they name."""

from __future__ import annotations

import pytest
from frames_market import params, seg_tables

from planning.market import needs, segments
from planning.params import Market


def test_needs_link_industries_full_keys_and_all_segments():
    orders, customers, opp = seg_tables()
    segs = segments.segments(orders, customers, opp, params(Market(min_customers=1)))
    mp = Market(
        needs=[
            {"need": "Faster delivery", "segments": ["energy"], "unmet": True},  # every energy size band
            {"need": {"en": "Invoices", "zh": "发票"}, "segments": ["retail/small"]},
            {"need": "Training"},  # all segments
        ]
    )
    nd = needs.needs(mp, segs)
    assert nd["segments"].tolist() == [("energy",), ("retail/small",), ()]
    # energy/large L12M: C1, C2 -> 400 sales; P12M 250 -> growth 0.6. retail/small: C4 60, no P12M buyer.
    assert nd[["customers", "sales"]].values.tolist() == [[2, 400.0], [1, 60.0], [3, 460.0]]
    assert nd["growth"].iloc[0] == pytest.approx(400 / 250 - 1)
    assert nd["need"].iloc[1] == {"en": "Invoices", "zh": "发票"}  # params text as given: narrate words it
    assert nd["unmet"].tolist() == [True, False, False]
    assert needs.needs(Market(), segs).empty
