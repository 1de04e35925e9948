"""planning.params.schema: the section models, their defaults (the method's numbers) and their validators."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from planning import params


def test_method_defaults():
    p = params.Params()
    assert 0.10 <= p.goals.buffer <= 0.15
    assert p.review.red_below_baseline == 0.20
    assert p.review.root_cause_threshold == 0.10
    assert p.resources.team_bonus_threshold == 0.80
    assert p.resources.team_bonus_uplift == 0.10
    assert p.review.resplit_completion == 0.80


def test_unknown_keys_are_refused_by_every_section():
    with pytest.raises(ValidationError, match="bufer"):
        params.Goals(bufer=0.1)
    with pytest.raises(ValidationError, match="extra"):
        params.Params(markt={})


def test_sections_are_reachable_from_the_package():
    p = params.Params()
    assert isinstance(p.market, params.Market) and isinstance(p.review, params.Review)
    assert isinstance(p.strategy, params.Strategy) and isinstance(p.resources, params.Resources)
