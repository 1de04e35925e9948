"""Target 3: the pure functions behind the what-if panels, timed on the sizes the issue names.

- goals: `decompose.whatif(inputs, levers)` - calibration plus decomposition to weeks and to 1,000 reps - and the
  waterfall's explanation texts (`views.calibration_view`): exactly what the sliders compute
  (`goals.widgets.whatif_panel` -> `redraw`). The inputs are prepared from a sample region with
  `goals.prepare.prepare` (real forecast, seasonality, team curve), then the roster is widened to `reps` reps in
  teams of `team_size` (the region's reps repeated with new ids; tenure, survival and territory potential copied).
- strategy: `tiers.tier_customers(features, params)` on `customers` customers: the extended-RFM features of
  the sample company (`tiers.customer_features`) drawn with replacement up to that count, new ids.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np


def goals_inputs(data_dir: str | Path, region: str, reps: int = 1000, team_size: int = 10) -> tuple[Any, Any]:
    """(Inputs widened to `reps` reps, the levers the parameters set) for `region` of the data in `data_dir`."""
    from planning import data, params
    from planning.goals import forecast, prepare
    from planning.market import trend as market_trend

    p = params.load(region).params
    tables = data.load_tables(data_dir, region=region, as_of=p.as_of)
    trend = market_trend.trend(tables.orders, p.as_of)
    season = market_trend.seasonality(trend, p.market.seasonality_years)
    result = forecast.baseline_forecast(tables.orders, p)
    inputs = prepare.prepare(tables, p, result, season, None)
    return widen(inputs, reps, team_size), prepare.levers_from(p, inputs)


def widen(inputs: Any, reps: int, team_size: int = 10) -> Any:
    """`inputs` with its roster repeated (cyclically) to `reps` reps in teams of `team_size`."""
    n = len(inputs.roster)
    if n == 0:
        raise ValueError("the region has no quota reps to widen the roster from")
    idx = np.arange(reps) % n
    team_of = np.arange(reps) // team_size
    teams = [f"team-{t + 1:03d}" for t in range(int(team_of.max()) + 1)]
    roster = inputs.roster.iloc[idx].reset_index(drop=True)
    roster = roster.assign(
        rep_id=[f"B{i + 1:04d}" for i in range(reps)],
        name=[f"Rep {i + 1:04d}" for i in range(reps)],
        team=[teams[t] for t in team_of],
    )
    return replace(
        inputs,
        roster=roster,
        tenure=inputs.tenure[idx],
        elapsed=inputs.elapsed[idx],
        teams=teams,
        team_of=team_of,
    )


def goals_recompute(inputs: Any, levers: Any, explain: bool = True) -> Any:
    """One slider move: `decompose.whatif`, as `goals.widgets.whatif_panel` calls it, and (`explain`) the
    waterfall with its explanation texts the panel shows (English, the sample's currency)."""
    from planning.goals import decompose, views
    from planning.i18n import Voice

    plan = decompose.whatif(inputs, levers)
    if explain:
        views.calibration_view(plan, Voice("en", "CNY"))
    return plan


def strategy_features(data_dir: str | Path, customers: int = 100_000, seed: int = 11) -> tuple[Any, Any]:
    """(features of `customers` customers, the strategy parameters) from the whole sample company."""
    from planning import data, params
    from planning.strategy import tiers

    p = params.load(params.region_keys()[0]).params
    tables = data.load_tables(data_dir, as_of=p.as_of)
    features = tiers.customer_features(tables.orders, tables.customers, p)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(features), customers)
    big = features.iloc[pick].reset_index(drop=True)
    big["customer_id"] = [f"X{i:07d}" for i in range(customers)]
    return big, p.strategy


def strategy_recompute(features: Any, sp: Any) -> Any:
    """One slider move of the tier cut-offs: `tier_customers`, as `strategy.widgets.whatif_panel` calls it."""
    from planning.strategy import tiers

    return tiers.tier_customers(features, sp)
