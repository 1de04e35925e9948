"""planning.goals.widgets: the what-if panel builds its sliders from the parameters and recomputes on a move."""

from __future__ import annotations

import types

import pytest
from frames_goals import tiny

from planning.goals import widgets
from planning import i18n
from planning.i18n import Voice


def test_whatif_panel_recomputes_when_a_slider_moves(monkeypatch):
    pytest.importorskip("ipywidgets")
    shown: list = []
    monkeypatch.setattr(widgets, "display", shown.append)
    _, p, _, inputs = tiny()
    ctx = types.SimpleNamespace(p=p, voice=Voice("en", "CNY"), t=lambda key, **fmt: i18n.t(key, "en", **fmt))
    panel = widgets.whatif_panel(ctx, inputs)
    assert shown[-1] is panel and len(shown) == 2  # the waterfall of the parameters' levers, then the panel
    sliders = {s.description: s for s in panel.children[:7]}
    assert len(sliders) == 7
    buffer = next(s for s in sliders.values() if s.value == pytest.approx(p.goals.buffer) and s.max == 0.3)
    buffer.value = 0.2  # the panel redraws: calibration sentence, waterfall, team table
    assert len(shown) == 3
    before, after = (c.to_dict() for c in (shown[0], shown[2]))
    rows = [spec["datasets"][spec["data"]["name"]] for spec in (before, after)]
    assert rows[1][-1]["to"] > rows[0][-1]["to"]  # a larger buffer: a larger target
