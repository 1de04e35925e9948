"""planning/handover/reconcile.py: exact sums to the cent whatever the totals, edited reps held where allowed."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from planning.handover.reconcile import reconcile

AMOUNT = st.integers(min_value=0, max_value=10**13)  # up to ¥100 billion a cell, in cents


@st.composite
def regions(draw):
    n = draw(st.integers(min_value=1, max_value=6))
    plan = draw(
        arrays(np.int64, (n, 12), elements=st.one_of(AMOUNT, st.sampled_from([0, 1, 3, 99, 10**13 - 1])))
    )
    team_of = draw(arrays(np.int64, (n,), elements=st.integers(0, 2)))
    edit = draw(arrays(np.bool_, (n, 12)))
    other = draw(arrays(np.int64, (n, 12), elements=st.one_of(AMOUNT, st.just(0), st.just(1))))
    managers = np.where(edit, other, plan)
    capacity = draw(arrays(np.float64, (n, 12), elements=st.sampled_from([0.0, 0.5, 1.0, 3.3, 1e9])))
    return plan, managers, capacity, team_of


def _team_months(cents, team_of):
    return {(t, m): int(cents[team_of == t, m].sum()) for t in np.unique(team_of) for m in range(12)}


@settings(max_examples=60, deadline=None)
@given(regions())
def test_respread_keeps_every_team_month_to_the_cent(case):
    plan, managers, capacity, team_of = case
    r = reconcile(plan, managers, capacity, team_of, "respread")
    assert not r.accepted
    assert (r.cents >= 0).all()
    assert _team_months(r.cents, team_of) == _team_months(plan, team_of)
    assert int(r.cents.sum()) == int(plan.sum())
    assert (r.cents[r.held] == managers[r.held]).all()
    for t in np.unique(team_of):  # edited cells are held wherever the team's month allows it
        for m in range(12):
            idx = team_of == t
            e = (managers != plan)[idx, m]
            if e.any() and not e.all() and managers[idx, m][e].sum() <= plan[idx, m].sum():
                assert r.held[idx, m][e].all()


@settings(max_examples=40, deadline=None)
@given(regions(), st.floats(min_value=0.0, max_value=0.5))
def test_accept_within_tolerance_takes_the_managers_numbers(case, tolerance):
    plan, managers, capacity, team_of = case
    r = reconcile(plan, managers, capacity, team_of, "accept", tolerance)
    within = abs(int(managers.sum()) - int(plan.sum())) <= tolerance * int(plan.sum())
    assert r.accepted == within
    if within:
        assert (r.cents == managers).all()
    else:
        assert _team_months(r.cents, team_of) == _team_months(plan, team_of)


def test_an_edit_is_held_and_the_rest_respread_by_capacity():
    plan = np.array([[100_00] * 12, [200_00] * 12, [300_00] * 12])
    managers = plan.copy()
    managers[0, 0] = 150_00  # +¥50 in January
    capacity = np.array([[1.0] * 12, [1.0] * 12, [3.0] * 12])
    r = reconcile(plan, managers, capacity, np.array([0, 0, 0]))
    assert r.cents[0, 0] == 150_00
    assert r.cents[1:, 0].tolist() == [180_00, 270_00]  # ¥450 in the plan's proportions 2 : 3
    assert (r.cents[:, 1:] == plan[:, 1:]).all()
    assert r.gap == 50_00


def test_capacity_splits_what_the_plan_gave_nobody():
    plan = np.array([[0, 0], [0, 0], [90_00, 90_00]])
    managers = np.array([[0, 0], [0, 0], [30_00, 90_00]])  # the third rep gives ¥60 back in month 1
    r = reconcile(plan, managers, np.array([[1.0, 1.0], [2.0, 2.0], [1.0, 1.0]]), np.array([0, 0, 0]))
    assert r.cents[:, 0].tolist() == [20_00, 40_00, 30_00]
    assert r.cents[:, 1].tolist() == [0, 0, 90_00]
