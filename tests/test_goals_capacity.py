"""planning.goals.capacity: the ramp curve, the capacity curve by hand, the roster with planned hires."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames_goals import params, tables, tiny

from planning.goals import capacity


def test_ramp_curve_and_training_uplift():
    # ramp 2: tenure 1, 2, 3 -> 1/3, 2/3, 1 (same curve as resources.ramp_factor with tenure from 0)
    assert capacity.ramp(np.array([0, 1, 2, 3, 9]), 2) == pytest.approx([0, 1 / 3, 2 / 3, 1, 1])
    # +50% training: 1/3 -> 0.5, 2/3 -> 1.0 (capped)
    assert capacity.ramp(np.array([1, 2, 3]), 2, 0.5) == pytest.approx([0.5, 1, 1])
    assert capacity.ramp(np.array([0, 1]), 0) == pytest.approx([0, 1])


def test_capacity_curve_by_hand():
    t, p, _, _ = tiny()
    curve = capacity.capacity_curve(t, p, ramp_months=2)
    assert curve["period"].tolist() == ["2024-10..2025-09", "2025-10..2026-09"]  # only full periods
    first, last = curve.iloc[0], curve.iloc[1]
    # Period 1: 2 reps x 12 x 100 = 2,400 sales; R1, R2 12 months each + R3 Oct-Mar 6 months = 30 rep-months
    assert first["sales"] == 2400 and first["rep_fte"] == pytest.approx(30 / 12)
    assert first["per_rep"] == pytest.approx(2400 / 2.5)
    assert first["exits"] == 1 and first["attrition"] == pytest.approx(1 / 2.5)
    # Period 2: 2 reps x 12 months -> 2,400 / 2 = 1,200 a year per rep; C2 is new: 1 customer from 120 leads
    assert last["per_rep"] == pytest.approx(1200)
    assert last["new_customers"] == 1 and last["lead_conversion"] == pytest.approx(1 / 120)
    assert last["cost_per_lead"] == pytest.approx(100) and last["aov"] == pytest.approx(100)
    assert last["retention"] == pytest.approx(1.0)  # C1 bought in both periods


def test_roster_adds_hires_to_the_smallest_team():
    t = tables()
    p = params(planned_hires=[{"team": "", "start_month": 4, "count": 2}])  # as_of 2026-09-30, plan 2027
    r = capacity.roster(t.reps, p)
    assert r["rep_id"].tolist() == ["R1", "R2", "HIRE-01", "HIRE-02"]
    # t1 and t2 have one rep each -> HIRE-01 to t1 (first by name), HIRE-02 to t2
    assert r["team"].tolist() == ["t1", "t2", "t1", "t2"]
    assert r["hire_month"].iloc[2] == pd.Timestamp("2027-04-01")


def test_territory_potential_tilts_toward_headroom():
    # R1's account C1 has 2,400 wallet - 1,200 bought = 1,200 headroom; give C2 a 3,600 wallet: 2,400 headroom.
    # Mean headroom 1,800; weight 0.5: R1 0.5 + 0.5 x 1200/1800 = 5/6, R2 0.5 + 0.5 x 2400/1800 = 7/6; a hire 1.
    t = tables()
    t.customers = t.customers.assign(wallet_size=[2400.0, 3600.0])
    idx = capacity.territory_potential(t, ["R1", "R2", "HIRE-01"], params(territory_weight=0.5))
    assert idx == pytest.approx([5 / 6, 7 / 6, 1.0])
    assert capacity.territory_potential(t, ["R1", "R2"], params(territory_weight=0.0)).tolist() == [1.0, 1.0]
