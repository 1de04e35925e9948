"""planning/review/widgets.py: the what-if panel shows only what its thresholds change, counted as the page does."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from frames_review import kpi_values

from planning import i18n, params
from planning.review import root_causes

widgets = pytest.importorskip("planning.review.widgets")


def _panel(monkeypatch):
    monkeypatch.setattr(widgets, "display", lambda *a, **k: None)
    tables: list[pd.DataFrame] = []
    said: list[str] = []
    voice = i18n.Voice("en", "CNY")
    ctx = SimpleNamespace(p=params.Params(), voice=voice, t=voice.t, table=lambda df, **kw: tables.append(df),
                          say=said.append)  # fmt: skip
    values = pd.concat([kpi_values("lead_conversion", 0.085, 0.10), kpi_values("win_rate", 0.3, 0.3)])
    # the qtd row repeats the quarter's window: the page analyses it once, and so does the panel
    pva = pd.DataFrame({"level": ["month", "quarter", "qtd", "ytd"], "variance_pct": [0.05, -0.3, -0.3, 0.1]})
    panel = widgets.whatif_panel(ctx, values, pva)
    return panel, tables, said, pva


def test_default_state_repeats_nothing_and_counts_as_the_page(monkeypatch):
    panel, tables, said, pva = _panel(monkeypatch)
    assert tables == []  # the board above is not repeated
    assert said[0] == "Every KPI light stays as on the board above."
    page = len(root_causes.deviating(pva, params.Params().review.root_cause_threshold))
    assert (
        page == 1 and said[1].startswith(f"{page} plan-vs-actual line would get") and f": {page})" in said[1]
    )


def test_a_threshold_move_lists_only_the_lights_that_change(monkeypatch):
    panel, tables, said, _ = _panel(monkeypatch)
    red, yellow, rc = panel.children[:3]
    red.value = 0.12  # lead conversion 15% below target: yellow on the page, red now
    assert list(tables[-1]["kpi"]) == ["Lead conversion"]
    assert list(tables[-1][["light", "status"]].iloc[0]) == ["yellow", "red"]
    assert "red if more than 12%" in tables[-1]["rule"].iloc[0]
    yellow.value = 0.3  # above red: the lights stop, the 5-Why count does not
    assert said[-2] == "The yellow threshold must not exceed the red one." and "root-cause" in said[-1]
    rc.value = 0.01
    assert said[-1].startswith("3 plan-vs-actual lines")
    assert "Scenario only" in panel.children[-1].children[0].value  # the keep row
