"""Tests of planning/resources/training.py: training priced by level."""

from __future__ import annotations

import pytest
from frames_resources import res_section

from planning.resources import training


def test_training_costs_by_level():
    # 2 new hires x 8,000 + 10 core x 3,000 + 2 managers x 0 (level not priced)
    r = res_section(training_per_person={"new_hires": 8000.0, "core": 3000.0})
    rows = training.training_costs(2, 10, 2, r)
    assert [row[1] for row in rows] == ["training_new_hires", "training_core", "training_managers"]
    assert [row[2] for row in rows] == pytest.approx([16_000, 30_000, 0])
    assert rows[0] == ("training", "training_new_hires", 16_000.0, "2 x 8,000")
