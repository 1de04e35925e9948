"""The artefact contract is declared once and documented."""

from __future__ import annotations

from planning import config, contracts


def test_every_artefact_belongs_to_a_step_and_is_documented():
    doc = (config.PROJECT_ROOT / "docs" / "artifacts.md").read_text(encoding="utf-8")
    for name, contract in contracts.ARTIFACTS.items():
        step, columns = contract.step, tuple(contract.columns)
        assert step in config.STEPS
        assert len(columns) == len(set(columns)) > 0
        assert f"| {name} |" in doc, f"docs/artifacts.md does not describe {name}"


def test_context_save_enforces_the_contract(tmp_path):
    import pandas as pd
    import pytest

    from planning.notebook import Context
    from planning.params import Params

    ctx = Context(step="01_market_analysis", p=Params(), data_dir=tmp_path, out_dir=tmp_path)
    ctx.save("seasonality", pd.DataFrame({"month_of_year": [1], "index": [1.0], "extra": [2]}))
    assert (tmp_path / "artifacts" / "seasonality.csv").read_text() == (
        "month_of_year,index,extra\n1,1.000000,2\n"
    )
    with pytest.raises(ValueError, match="lacks contract columns"):
        ctx.save("seasonality", pd.DataFrame({"month_of_year": [1]}))
    with pytest.raises(ValueError, match="belongs to step 02_goals"):
        ctx.save("targets", pd.DataFrame())
    with pytest.raises(FileNotFoundError, match="run step 02_goals"):
        ctx.load("targets")
