"""notebooks/03_strategy: one smoke run of steps 1-3 writes the step's artefacts to their contracts."""

from __future__ import annotations

import pandas as pd
import pytest

from planning import contracts
from planning.strategy import tiers


@pytest.mark.slow
def test_notebook_smoke(small_sample, tmp_path):
    from planning import runner

    result = runner.run(
        regions=["east"],
        steps=["01_market_analysis", "02_goals", "03_strategy"],
        data_dir=str(small_sample),
        out_root=tmp_path,
        workers=1,
    )
    assert result.ok, result.results
    art = next(tmp_path.rglob("east/artifacts"))
    for name in ("customer_tiers", "funnel", "coverage", "health"):
        df = pd.read_csv(art / f"{name}.csv")
        assert set(contracts.required_columns(name)) <= set(df.columns), name
    tiered = pd.read_csv(art / "customer_tiers.csv")
    assert set(tiered["tier"]) <= set(tiers.TIERS) and tiered["customer_id"].is_unique
    assert tiered["value_score"].between(0, 100).all()
    funnel = pd.read_csv(art / "funnel.csv")
    assert funnel["bottleneck"].sum() == 1
    health = pd.read_csv(art / "health.csv")
    assert health["health_score"].between(0, 100).all()
