"""Tests of planning/resources/widgets.py: the what-if panel builds and redraws on a slider change."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from frames_resources import baseline, channels, month_targets, plan_params

from planning import i18n

widgets = pytest.importorskip("planning.resources.widgets")


def test_whatif_panel_redraws_with_the_slider_values():
    p = plan_params()
    said: list[str] = []
    ctx = SimpleNamespace(
        p=p,
        lang="en",
        voice=i18n.Voice("en", "CNY"),
        t=lambda key, **fmt: i18n.t(key, "en", **fmt),
        say=said.append,
    )
    panel = widgets.whatif_panel(
        ctx, baseline(), month_targets([250.0, 300.0, 300.0]), 1e6, channels(), 1200.0
    )
    assert len(said) == 2  # capacity and budget sentences of the first draw
    panel.children[0].children[0].value = 0.3  # attrition
    assert len(said) == 4 and said[2] != said[0]
