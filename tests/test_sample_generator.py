"""The generator: determinism, the schema of docs/data.md, scale and argument checks."""

from __future__ import annotations

import pandas as pd
import pytest
from frames_sample import SMALL

from planning import data, sample


def test_same_seed_identical_different_seed_differs(small):
    again = sample.generate(scale=SMALL)
    for name in sample.TABLES:
        pd.testing.assert_frame_equal(small[name], again[name])
    other = sample.generate(scale=SMALL, seed=7)
    assert not small["orders"].equals(other["orders"])
    assert not small["customers"].equals(other["customers"])


def test_every_schema_column_present_with_its_kind(small):
    assert set(small) == set(data.SCHEMA)
    for name, cols in data.SCHEMA.items():
        df = small[name]
        assert list(df.columns) == list(cols), name
        for col, kind in cols.items():
            assert data.kind_of(df[col]) == kind, f"{name}.{col}: {df[col].dtype}"
        assert len(df) > 0, name
    assert data.validate_tables(data.Tables(**small)) == []


def test_scale_multiplies_volume(small, full):
    assert 0.03 < len(small["orders"]) / len(full["orders"]) < 0.07
    assert len(small["reps"]) < len(full["reps"])


def test_bad_arguments():
    with pytest.raises(ValueError, match="scale"):
        sample.generate(scale=0)
    with pytest.raises(ValueError, match="end"):
        sample.generate(end=pd.Timestamp("2022-06-30").date())
