"""planning/review/widgets.py: the what-if panel re-lights the board with the batch run's rules."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from frames_review import kpi_values

from planning import i18n, params

widgets = pytest.importorskip("planning.review.widgets")


def test_whatif_panel_relights_the_board(monkeypatch):
    monkeypatch.setattr(widgets, "display", lambda *a, **k: None)
    shown: list[pd.DataFrame] = []
    voice = i18n.Voice("en", "CNY")
    ctx = SimpleNamespace(p=params.Params(), voice=voice, t=voice.t, table=lambda df, **kw: shown.append(df))
    values = pd.concat([kpi_values("lead_conversion", 0.085, 0.10), kpi_values("win_rate", 0.3, 0.3)])
    pva = pd.DataFrame({"variance_pct": [0.05, -0.3]})
    widgets.whatif_panel(ctx, values, pva)
    assert list(shown[-1]["status"]) == ["yellow", "green"]  # 15% below: yellow at the default 20% / 10%
    assert "red if more than 20% below last year" in shown[-1]["rule"].iloc[0]
