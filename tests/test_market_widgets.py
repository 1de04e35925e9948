"""Tests of planning/market/widgets.py: the what-if panel recomputes with the batch functions on each pick."""

from __future__ import annotations

from pathlib import Path

import pytest
from frames_market import params, seg_tables

from planning import notebook
from planning.data import Tables
from planning.market import widgets
from planning.params import Market


def test_whatif_panel_redraws_on_a_new_pick(tmp_path: Path, monkeypatch):
    pytest.importorskip("ipywidgets")
    orders, customers, opp = seg_tables()
    ctx = notebook.Context(step="01_market_analysis", p=params(Market(min_customers=1)), data_dir=tmp_path,
                           out_dir=tmp_path)  # fmt: skip
    ctx.__dict__["data"] = Tables(orders=orders, customers=customers, opportunities=opp)
    said, tables = [], []
    monkeypatch.setattr(notebook.Context, "say", lambda self, text: said.append(text))
    monkeypatch.setattr(notebook.Context, "table", lambda self, df, **kw: tables.append(df))
    monkeypatch.setattr(widgets, "display", lambda *objs, **kw: None)
    panel = widgets.whatif_panel(ctx)
    assert len(said) == 1 and len(tables) == 1 and len(tables[0]) == 2  # energy/large, retail/small
    product, channel, dimension = panel.children[0].children
    dimension.value = "industry"
    assert len(said) == 2 and sorted(tables[-1]["segment"]) == ["Energy", "Retail"]
