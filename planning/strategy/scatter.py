"""The tier scatter's data: every customer counted on a fixed grid of value x potential score whose cells never
straddle a tier cut-off, so the chart's embedded data has at most SCATTER_GRID^2 rows however many customers
there are, and its counts are true counts (no sample).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning.strategy.tiers import TIERS, tier_codes

#: Cells per axis of the tier scatter's grid (`scatter_cells`): its data has at most SCATTER_GRID^2 rows (400,
#: ~55 kB in the report) however many customers there are.
SCATTER_GRID = 20


def _grid_edges(cut: float, n: int) -> tuple[np.ndarray, int]:
    """`n` + 1 cell edges over 0-100 that include `cut`, cells about 100 / n wide and at least one on each side
    of the cut. Returns (edges, number of cells below the cut)."""
    cut = min(max(float(cut), 0.0), 100.0)
    low = min(max(round(n * cut / 100.0), 1), n - 1)
    return np.concatenate([np.linspace(0.0, cut, low + 1), np.linspace(cut, 100.0, n - low + 1)[1:]]), low


def _cell_index(score: np.ndarray, high: np.ndarray, edges: np.ndarray, low: int) -> np.ndarray:
    """The cell of each score, kept on its tier's side of the cut: a score rounded onto the cut line, or all
    scores when there is no potential data (none high), stays with the customer's tier."""
    idx = np.searchsorted(edges, score, side="right") - 1
    return np.where(high, np.clip(idx, low, len(edges) - 2), np.clip(idx, 0, low - 1))


def scatter_cells(tiers: pd.DataFrame, cut: dict[str, float], grid: int = SCATTER_GRID) -> pd.DataFrame:
    """Every customer counted on a fixed `grid` x `grid` grid of value x potential score whose cell edges include
    the tier cut-offs, so that each cell belongs to one tier: the tier scatter's data is `grid`^2 rows whatever
    the number of customers, and its counts are true counts (no sample).

    In: `tier_customers` output and `cutoffs`. Out: one row per cell, empty cells included (customers 0), sorted
    by value then potential: value_from, value_to, potential_from, potential_to (the cell's score range,
    2 decimals), tier (the tier of that part of the grid), customers, monetary (their summed `monetary`, whole
    currency units). Customers sum to the number of rows of `tiers`.
    """
    if grid < 2:
        raise ValueError(f"scatter_cells: grid must be at least 2 cells per axis, got {grid}")
    v_edges, v_low = _grid_edges(cut["value"], grid)
    p_edges, p_low = _grid_edges(cut["potential"], grid)
    codes = tier_codes(tiers["tier"])
    if (codes < 0).any():
        bad = tiers["tier"].to_numpy()[codes < 0][0]
        raise ValueError(
            f"scatter_cells: tier {bad!r} in row {int(np.argmax(codes < 0))}; expected one of {TIERS}"
        )
    high_v, high_p = codes <= 1, (codes == 0) | (codes == 2)
    vi = _cell_index(tiers["value_score"].to_numpy(dtype=float), high_v, v_edges, v_low)
    pi = _cell_index(tiers["potential_score"].to_numpy(dtype=float), high_p, p_edges, p_low)
    cell = vi * grid + pi
    customers = np.bincount(cell, minlength=grid * grid)
    monetary = np.bincount(cell, weights=tiers["monetary"].to_numpy(dtype=float), minlength=grid * grid)
    v, q = np.divmod(np.arange(grid * grid), grid)
    # the grid's tiers by side of the cut-offs, as in tier_customers: strategic 0 (high value, high potential),
    # profit 1 (high, low), nurture 2 (low, high), maintain 3 (low, low)
    cell_tier = np.where(v >= v_low, np.where(q >= p_low, 0, 1), np.where(q >= p_low, 2, 3))
    return pd.DataFrame(
        {
            "value_from": v_edges[v].round(2),
            "value_to": v_edges[v + 1].round(2),
            "potential_from": p_edges[q].round(2),
            "potential_to": p_edges[q + 1].round(2),
            "tier": np.array(TIERS)[cell_tier],
            "customers": customers.astype(int),
            "monetary": monetary.round(0).astype("int64"),
        }
    )
