"""planning/whatif.py: an untouched slider reads as its exact start value even after the browser snapped it."""

from __future__ import annotations

import pytest

from planning import whatif


def test_a_slider_snapped_by_the_browser_reads_as_its_start():
    w = pytest.importorskip("ipywidgets")
    sliders = {
        "attrition": w.FloatSlider(value=0.1364, min=0, max=0.6, step=0.01),
        "ramp": w.IntSlider(value=5),
    }
    readings = whatif.Readings(sliders)
    sliders["attrition"].value = 0.14  # what the browser sends back after drawing the slider
    assert readings() == {"attrition": 0.1364, "ramp": 5} and not readings.moved()
    sliders["attrition"].value = 0.15  # a move of one step
    sliders["ramp"].value = 6
    assert readings() == {"attrition": 0.15, "ramp": 6} and readings.moved()


def test_sliders_get_a_full_label_and_a_wide_track():
    pytest.importorskip("ipywidgets")
    style = whatif.slider_style()
    assert (
        style["style"]["description_width"] == whatif.LABEL_WIDTH
        and style["layout"].width == whatif.SLIDER_WIDTH
    )
