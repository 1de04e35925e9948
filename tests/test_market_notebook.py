"""The market notebook (notebooks/01_market_analysis) run through the runner on the small sample: its artefacts
agree with independent pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from planning import contracts


@pytest.mark.slow
def test_notebook_writes_artefacts_that_agree_with_pandas(small_sample, tmp_path):
    from planning import data, params, runner

    result = runner.run(
        regions=["east"], steps=["01"], data_dir=str(small_sample), out_root=tmp_path, workers=1
    )
    assert result.ok, result.results
    art = result.snapshot / "east" / "artifacts"
    for name in ("market_trend", "seasonality", "segments", "market_share", "competitors", "swot"):
        df = pd.read_csv(art / f"{name}.csv")
        assert set(contracts.required_columns(name)) <= set(df.columns), name
    p = params.load("east").params
    t = data.load_tables(small_sample, region="east", as_of=p.as_of)
    # Independent pandas: every order line's amount is in the trend; L12M share = L12M sales / day-weighted TAM.
    trend = pd.read_csv(art / "market_trend.csv")
    assert trend["sales"].sum() == pytest.approx(t.orders["amount"].sum(), rel=1e-9)
    season = pd.read_csv(art / "seasonality.csv")
    assert len(season) == 12 and season["index"].sum() == pytest.approx(12.0, abs=1e-9)
    share = pd.read_csv(art / "market_share.csv").set_index("segment")
    start = pd.Timestamp(p.as_of) - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    l12m = t.orders.loc[t.orders["order_date"] >= start, "amount"].sum()
    assert share.loc["total", "our_sales"] == pytest.approx(l12m, rel=1e-6)
    ms = t.market_size.groupby("year")["market_size"].sum()
    days_prev = (pd.Timestamp(p.as_of.year - 1, 12, 31) - start).days + 1
    tam = ms[p.as_of.year - 1] * days_prev / 365 + ms[p.as_of.year] * (365 - days_prev) / 365
    assert share.loc["total", "market_size"] == pytest.approx(tam, rel=1e-6)
    inc = pd.read_csv(art / "market_increment.csv")
    assert list(inc.columns[:4]) == ["source", "segment_or_dimension", "amount", "explanation"]
    assert (inc["amount"] > 0).all()
