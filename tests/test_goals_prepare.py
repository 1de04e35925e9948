"""planning.goals.prepare: the working calendar, seasonality weights, the levers from params or measured."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest
from frames_goals import params, tiny

from planning.goals import prepare


def test_season_weights_have_mean_one_and_fall_back_to_flat():
    s = pd.DataFrame({"month_of_year": range(1, 13), "index": [2.0] * 6 + [1.0] * 6})
    w = prepare.season_weights(s)
    assert w.mean() == pytest.approx(1) and w[0] == pytest.approx(2 / 1.5) and w[-1] == pytest.approx(1 / 1.5)
    assert prepare.season_weights(s.iloc[:11]).tolist() == [1.0] * 12  # a month missing, no history: flat
    assert np.all(prepare.season_weights(None) == 1.0)


def test_levers_fall_back_to_the_measured_values():
    _, p, _, inputs = tiny()
    lv = prepare.levers_from(p, inputs)
    # lead conversion and budget are not set (0): measured, 1 new customer of 120 leads, 12 x 1,000 spend
    assert lv.lead_conversion == pytest.approx(1 / 120) and lv.marketing_budget == pytest.approx(12_000)
    assert (lv.growth_ambition, lv.buffer, lv.attrition) == (0.10, 0.10, 0.0)  # as the params set them
    set_p = params(lead_conversion=0.2, marketing_budget=5.0)
    assert prepare.levers_from(set_p, inputs).lead_conversion == 0.2
    assert prepare.levers_from(set_p, inputs).marketing_budget == 5.0
    measured = dataclasses.replace(inputs, measured=prepare.Measured(0.0, 0.0, 0.3))
    no_attrition = p.model_copy(update={"resources": p.resources.model_copy(update={"attrition": None})})
    assert prepare.levers_from(no_attrition, measured).attrition == 0.3


def test_prepare_places_the_current_reps_on_the_plan_year():
    _, _, _, inputs = tiny()
    assert inputs.roster["rep_id"].tolist() == ["R1", "R2"] and inputs.teams == ["t1", "t2"]
    assert inputs.tenure.shape == (2, 12) and (inputs.tenure > 12).all()  # hired 2020: fully ramped
    assert len(inputs.week_labels) == 53 and inputs.week_labels[0] == "2026-W53"
