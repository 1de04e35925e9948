"""planning.strategy.scatter: the tier scatter's grid counts every customer in a bounded number of cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames_strategy import ranked

from planning import params
from planning.strategy import scatter, tiers


@pytest.fixture
def p() -> params.Strategy:
    return params.Strategy()


def _tiered(value, potential, tier, monetary=None) -> pd.DataFrame:
    """A `tier_customers`-like frame: given scores and tiers (as read back from customer_tiers.csv)."""
    n = len(value)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(n)],
            "value_score": value,
            "potential_score": potential,
            "tier": tier,
            "monetary": monetary if monetary is not None else [100.0] * n,
        }
    )


def test_scatter_cells_by_hand():
    # grid 4, value cut 50 -> round(4 x 0.5) = 2 cells below: edges 0, 25, 50 | 75, 100;
    # potential cut 40 -> round(4 x 0.4) = 2 cells below: edges 0, 20, 40 | 70, 100.
    tiered = _tiered(
        value=[80.0, 50.0, 50.0, 10.0, 12.0],
        potential=[90.0, 10.0, 45.0, 39.99, 30.0],
        # C2 scores 50.00 (rounded) but is low value: it stays left of the cut, in value cell 25-50
        tier=["strategic", "profit", "nurture", "maintain", "maintain"],
        monetary=[1000.4, 200.0, 30.0, 4.0, 5.0],
    )
    cells = scatter.scatter_cells(tiered, {"value": 50.0, "potential": 40.0}, grid=4)
    assert len(cells) == 16 and cells["customers"].sum() == 5
    full = cells[cells["customers"] > 0].reset_index(drop=True)
    assert full[["value_from", "value_to", "potential_from", "potential_to"]].values.tolist() == [
        [0.0, 25.0, 20.0, 40.0],  # C3 (10, 39.99) and C4 (12, 30): maintain
        [25.0, 50.0, 40.0, 70.0],  # C2 (50 -> kept low value, 45): nurture
        [50.0, 75.0, 0.0, 20.0],  # C1 (50, 10): profit
        [75.0, 100.0, 70.0, 100.0],  # C0 (80, 90): strategic
    ]
    assert full["tier"].tolist() == ["maintain", "nurture", "profit", "strategic"]
    assert full["customers"].tolist() == [2, 1, 1, 1]
    assert full["monetary"].tolist() == [9, 30, 200, 1000]  # 4 + 5; whole currency units
    # every cell's tier follows its side of the cut-offs, empty or not
    high_v, high_p = cells["value_from"] >= 50, cells["potential_from"] >= 40
    expected = np.where(
        high_v, np.where(high_p, "strategic", "profit"), np.where(high_p, "nurture", "maintain")
    )
    assert cells["tier"].tolist() == expected.tolist()


def test_scatter_cells_rows_do_not_depend_on_the_number_of_customers(p):
    rng = np.random.default_rng(7)
    sizes = {}
    for n in (1_000, 100_000):
        f = ranked(rng.random(n).tolist(), rng.random(n).tolist())
        for col in tiers.VALUE_DIMS.values():  # distinct ranks per dimension, as real customers have
            f[col] = rng.random(n)
        tiered = tiers.tier_customers(f, p)
        cells = scatter.scatter_cells(tiered, tiers.cutoffs(tiered, p))
        assert len(cells) == scatter.SCATTER_GRID**2  # 400 rows, empty cells included
        assert cells["customers"].sum() == n
        by_tier = cells.groupby("tier")["customers"].sum()
        assert (
            by_tier.to_dict() == tiered["tier"].astype(str).value_counts().to_dict()
        )  # true counts per tier
        sizes[n] = len(cells)
    assert sizes[1_000] == sizes[100_000]


def test_scatter_cells_rejects_an_unknown_tier_and_a_tiny_grid():
    tiered = _tiered([10.0, 60.0], [10.0, 60.0], ["maintain", "gold"])
    with pytest.raises(ValueError, match=r"tier 'gold' in row 1; expected one of \('strategic'"):
        scatter.scatter_cells(tiered, {"value": 50.0, "potential": 50.0})
    with pytest.raises(ValueError, match="grid must be at least 2"):
        scatter.scatter_cells(tiered.iloc[:1], {"value": 50.0, "potential": 50.0}, grid=1)
