"""planning.goals.widgets: the what-if panel builds its sliders from the parameters and recomputes on a move."""

from __future__ import annotations

import types

import pytest
from frames_goals import tiny

from planning import i18n
from planning.goals import decompose, widgets
from planning.goals.prepare import levers_from
from planning.i18n import Voice


def test_whatif_panel_recomputes_when_a_slider_moves(monkeypatch):
    pytest.importorskip("ipywidgets")
    shown: list = []
    monkeypatch.setattr(widgets, "display", shown.append)
    said: list = []
    monkeypatch.setattr(widgets.disp, "paragraph", said.append)
    _, p, _, inputs = tiny()
    ctx = types.SimpleNamespace(p=p, voice=Voice("en", "CNY"), t=lambda key, **fmt: i18n.t(key, "en", **fmt))
    panel = widgets.whatif_panel(ctx, inputs)
    assert shown == [panel]  # at the parameters' levers: no second waterfall under the page's
    assert said == [i18n.t("goals.whatif.same_as_page", "en")]
    sliders = {s.description: s for s in panel.children[:7]}
    assert len(sliders) == 7 and "Marketing budget (¥)" in sliders
    lead = sliders["Lead conversion"]
    lead.value += lead.step * 0.4  # within half a step: the browser's snap to the grid, not a move
    assert shown == [panel] and len(said) == 2 and said[-1] == said[0]
    buffer = sliders["Flex buffer"]
    assert buffer.value == pytest.approx(p.goals.buffer) and buffer.max == 0.3
    buffer.value = 0.2  # the panel redraws: calibration sentence, waterfall, team table
    buffer.value = 0.25
    before, after = (c.to_dict() for c in shown[1:3])
    rows = [spec["datasets"][spec["data"]["name"]] for spec in (before, after)]
    assert rows[1][-1]["to"] > rows[0][-1]["to"]  # a larger buffer: a larger target


def test_default_levers_reproduce_the_pages_target():
    """The panel computes with `decompose.whatif` on `levers_from(params)`: at default it is the page's plan."""
    _, p, _, inputs = tiny()
    page = decompose.plan(inputs, p)
    panel = decompose.whatif(inputs, levers_from(p, inputs))
    assert panel.targets["target"].sum() == pytest.approx(page.targets["target"].sum())
