"""Tests of planning/market/competitors.py: the strengths-weaknesses matrix, openings and the market increment;
and the `market` params that feed them rejecting bad values."""

from __future__ import annotations

import pandas as pd
import pytest
from frames_market import mp_comp as _mp_comp
from frames_market import params, share_tables
from pydantic import ValidationError

from planning import contracts
from planning.market import competitors, share
from planning.params import Market


@pytest.fixture
def mp_comp() -> Market:
    return _mp_comp()


def test_competitors_openings(mp_comp):
    comp = competitors.competitors(mp_comp)
    assert set(contracts.required_columns("competitors")) <= set(comp.columns)
    opening = comp.groupby("dimension")["opening"].first().to_dict()
    # service: 2.0 and 2.5 are both <= 2.5 -> opening; brand was scored by A only -> unknown for B, no opening.
    assert opening == {"brand": False, "price": False, "service": True}
    op = competitors.openings(mp_comp).set_index("dimension")
    assert op.index[0] == "service" and op.loc["price", "best_competitor"] == "A"


def test_competitors_without_any_is_empty_with_the_columns():
    comp = competitors.competitors(Market())
    assert comp.empty and set(contracts.required_columns("competitors")) <= set(comp.columns)
    assert competitors.openings(Market()).empty


def test_market_increment_share_gain_and_opening(mp_comp):
    orders, customers, ms = share_tables()
    sh = share.market_share(orders, customers, ms, params(mp_comp, as_of="2026-12-31"))
    tam = share.market_size_plan_year(ms, params(mp_comp, plan_year=2027))  # energy 1440, retail 500
    inc = competitors.market_increment(sh, mp_comp, tam).set_index("segment_or_dimension")
    assert inc.loc["energy", "amount"] == pytest.approx(14.4)  # +1 pp x 1440
    assert inc.loc["service", "amount"] == pytest.approx(38.8)  # 2% x (1440 + 500)
    # the sentence that will explain each row (narrate.explain_increment) and what it names
    assert inc.loc["energy", "wording"] == "share_gain" and inc.loc["service", "wording"] == "opening_share"
    assert inc.loc["energy", "share"] == pytest.approx(0.15)
    fixed = mp_comp.model_copy(update={"opening_increment": {"service": 7.0}})
    assert competitors.market_increment(sh, fixed, tam).set_index("segment_or_dimension").loc[
        "service", "amount"
    ] == pytest.approx(7.0)


def test_a_share_gain_is_not_counted_where_the_region_is_losing_share_unless_a_recovery_plan(mp_comp):
    orders, customers, ms = share_tables()
    sh = share.market_share(orders, customers, ms, params(mp_comp, as_of="2026-12-31"))
    tam = share.market_size_plan_year(ms, params(mp_comp, plan_year=2027))
    losing = sh.assign(share_change=sh["share_change"].where(sh["segment"] != "energy", -0.01))
    inc = competitors.market_increment(losing, mp_comp, tam).set_index("segment_or_dimension")
    assert inc.loc["energy", "amount"] == 0.0 and inc.loc["energy", "wording"] == "share_gain_losing"
    assert inc.loc["energy", "share_change"] == pytest.approx(-0.01)
    # A change just inside the threshold is not losing.
    near = sh.assign(share_change=sh["share_change"].where(sh["segment"] != "energy", -0.0049))
    assert competitors.market_increment(near, mp_comp, tam).set_index("segment_or_dimension").loc[
        "energy", "amount"
    ] == pytest.approx(14.4)
    recovery = mp_comp.model_copy(update={"share_recovery": {"energy": 0.01}})
    inc = competitors.market_increment(losing, recovery, tam).set_index("segment_or_dimension")
    assert inc.loc["energy", "amount"] == pytest.approx(14.4) and inc.loc["energy", "wording"] == "share_recovery"


def test_market_increment_unknown_industry(mp_comp):
    _, _, ms = share_tables()
    bad = mp_comp.model_copy(update={"share_gain": {"mining": 0.01}})
    tam = share.market_size_plan_year(ms, params(bad, plan_year=2027))
    with pytest.raises(ValueError, match="mining"):
        competitors.market_increment(pd.DataFrame(), bad, tam)


@pytest.mark.parametrize(
    "bad",
    [
        {"icp_weights": {"revenue": 1.0}},
        {"icp_weights": {"sales": 0.0}},
        {"own_scores": {"price": 6}},
        {"share_gain": {"energy": 5}},
        {"opening_increment": {"service": -1}},
        {"competitors": [{"name": "X", "scores": {"price": 0.5}}]},
    ],
)
def test_market_params_reject_bad_values(bad):
    with pytest.raises(ValidationError):
        Market(**bad)


def test_an_opening_needs_every_competitor_weak_on_the_dimension():
    """Weak means score <= weak_score (the bound included); a dimension only some competitors were scored on
    is no opening, however weak they are (the others are unknown); the column is bool."""
    mp = Market(
        competitors=[
            {"name": "A", "scores": {"price": 2.0, "service": 1.0, "reach": 1.0}},
            {"name": "B", "scores": {"price": 2.5, "service": 1.0}},
        ],
        weak_score=2.0,
    )
    comp = competitors.competitors(mp).set_index(["competitor", "dimension"])
    assert comp["opening"].dtype == bool
    assert comp.loc[("A", "service"), "opening"] and comp.loc[("B", "service"), "opening"]
    assert not comp.loc[("A", "price"), "opening"]  # B at 2.5 is not weak
    assert not comp.loc[("A", "reach"), "opening"]  # B was not scored on reach
