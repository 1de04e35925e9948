"""Tests of planning/market/widgets.py: the what-if panel recomputes with the batch functions on each pick, filters
every number it shows or says which ignore the filter, and never repeats the page's sections."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from frames_market import params, seg_tables

from planning import notebook
from planning.data import Tables
from planning.market import segments, trend, widgets
from planning.params import Market


def _ctx(tmp_path: Path, monkeypatch):
    orders, customers, opp = seg_tables()
    orders["product_line"] = ["A", "A", "A", "A", "B", "A", "B"]
    opp["product_line"] = ["A", "B", "A", "B", "A", "A"]
    ctx = notebook.Context(step="01_market_analysis", p=params(Market(min_customers=1)), data_dir=tmp_path,
                           out_dir=tmp_path)  # fmt: skip
    ctx.__dict__["data"] = Tables(orders=orders, customers=customers, opportunities=opp)
    said, tables = [], []
    monkeypatch.setattr(notebook.Context, "say", lambda self, text: said.append(text))
    monkeypatch.setattr(notebook.Context, "table", lambda self, df, **kw: tables.append(df))
    monkeypatch.setattr(widgets, "display", lambda *objs, **kw: None)
    return ctx, said, tables


def test_default_state_is_the_page_and_is_not_repeated(tmp_path: Path, monkeypatch):
    pytest.importorskip("ipywidgets")
    ctx, said, tables = _ctx(tmp_path, monkeypatch)
    d = ctx.data
    dims = tuple(segments.segment_dimensions(d.orders, d.customers))
    tr, segs = widgets.filtered(ctx, "", "", dims)
    pd.testing.assert_frame_equal(
        segs, segments.segments(d.orders, d.customers, d.opportunities, ctx.p, by=dims)
    )
    pd.testing.assert_frame_equal(tr, trend.trend(d.orders, ctx.as_of))
    widgets.whatif_panel(ctx)
    assert tables == [] and said == [ctx.t("market.whatif.same_as_page")]


def test_product_line_reaches_the_win_rate_and_the_channel_says_it_does_not(tmp_path: Path, monkeypatch):
    pytest.importorskip("ipywidgets")
    ctx, said, tables = _ctx(tmp_path, monkeypatch)
    panel = widgets.whatif_panel(ctx)
    product, channel, dimension = panel.children[0].children
    page = widgets.filtered(ctx, "", "", ("industry", "size_band"))[1].set_index("segment")
    product.value = "B"
    shown = widgets.filtered(ctx, "B", "", ("industry", "size_band"))[1].set_index("segment")
    assert len(tables) == 1
    common = shown.index.intersection(page.index)
    assert (
        shown.loc[common, "closed_deals"] != page.loc[common, "closed_deals"]
    ).any()  # deals follow the filter
    dimension.value = "industry"
    assert sorted(tables[-1]["segment"]) == ["Energy", "Retail"]  # the B lines: C1 (energy), C4 (retail)
    channel.value = channel.options[1][1]
    assert said[-1] == ctx.t("market.whatif.channel_blind")


def test_without_a_customers_table_the_panel_opens_on_the_page_and_a_minimal_plan_says_no_growth(
    tmp_path: Path, monkeypatch
):
    """An export without customers segments by nothing: the panel opens on "same as the page" (it once raised
    'table customers is required'); a filtered view of a minimal plan says the months' profile, not a year's trend."""
    pytest.importorskip("ipywidgets")
    ctx, said, tables = _ctx(tmp_path, monkeypatch)
    ctx.__dict__["data"] = Tables(
        orders=ctx.data.orders, customers=None, opportunities=ctx.data.opportunities
    )
    panel = widgets.whatif_panel(ctx)
    assert said == [ctx.t("market.whatif.same_as_page")] and tables == []
    ctx.history_months = 6  # what `planning run` injects for six complete months
    product = panel.children[0].children[0]
    product.value = "B"
    assert tables == [] and any(t.startswith("Minimal plan: in the") for t in said)
    assert not any("year on year" in t for t in said)
