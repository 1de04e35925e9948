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
    assert said == [i18n.t("resources.whatif.same_as_page", "en")]  # the sections above are not repeated
    panel.children[0].value = 0.3  # attrition
    assert len(said) == 3  # capacity and budget sentences
    assert "Scenario only" in panel.children[-1].children[0].value


def test_default_results_are_the_pages_numbers():
    """At the parameters the panel's computation is the page's: `capacity_plan`, `payout_curve`, `allocate`."""
    import pandas as pd

    from planning.resources import budget, capacity, incentives

    p = plan_params()
    base, targets, econ = baseline(), month_targets([250.0, 300.0, 300.0]), channels()
    cap, plan, curve, alloc, _ = widgets.results(base, targets, 1e6, econ, 1200.0, p.resources)
    page_cap, page_plan = capacity.capacity_plan(base, targets, p.resources)
    pd.testing.assert_frame_equal(cap, page_cap)
    pd.testing.assert_frame_equal(curve, incentives.payout_curve(1e6, p.resources))
    pd.testing.assert_frame_equal(alloc, budget.allocate(econ, 1200.0, p.resources))
