"""planning/facts.py and store.read_facts: the shared facts' catalogue, their artefact and its exact values."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from planning import config, contracts, facts, store


def test_every_fact_has_an_owning_step_a_unit_and_an_artefact():
    for name, f in facts.FACTS.items():
        assert f.owner in config.STEPS, name
        assert f.unit in facts.UNITS, name
        assert f.how, name
    owners = {f.owner for f in facts.FACTS.values()}
    assert {contracts.producer(a) for a in contracts.FACT_ARTIFACTS} == owners


def test_a_step_writes_exactly_its_own_facts():
    with pytest.raises(ValueError, match="missing"):
        facts.frame("05_review", {})
    with pytest.raises(ValueError, match="not its own \\['ramp_months'\\]"):
        facts.frame("05_review", {"root_cause_count": 3, "ramp_months": 5})
    df = facts.frame("05_review", {"root_cause_count": 3})
    assert df.to_dict("records") == [
        {
            "name": "root_cause_count",
            "value": 3.0,
            "unit": "count",
            "owner": "05_review",
            "how": facts.FACTS["root_cause_count"].how,
        }  # fmt: skip
    ]


def test_value_reads_a_fact_or_the_default():
    df = facts.frame("04_resources", {"team_capacity": 12.5, "expected_attainment": None})
    assert facts.value(df, "team_capacity") == 12.5
    assert facts.value(df, "expected_attainment", -1.0) == -1.0  # no value: the owner could not compute it
    assert facts.value(None, "team_capacity") is None  # the owning step has not run
    assert facts.value(df, "ramp_months", 4) == 4  # another step's fact, not in this frame
    with pytest.raises(KeyError, match="not a shared fact"):
        facts.value(df, "ramp")


def test_the_facts_artefacts_read_back_exactly_as_one_table(tmp_path):
    third = 1 / 3
    store.write_artifact(tmp_path, "facts_resources",
                         facts.frame("04_resources", {"team_capacity": 466679397.7381425, "expected_attainment": third}),
                         step="04_resources")  # fmt: skip
    store.write_artifact(tmp_path, "facts_review", facts.frame("05_review", {"root_cause_count": 8}))
    text = store.artifact_path(tmp_path, "facts_resources").read_text(encoding="utf-8")
    assert "466679397.7381425" in text and "0.3333333333333333" in text  # not rounded to 6 decimals
    got = store.read_facts(tmp_path)
    assert list(got["name"]) == ["team_capacity", "expected_attainment", "root_cause_count"]
    assert facts.value(got, "expected_attainment") == third  # bit for bit
    assert facts.value(got, "team_capacity") == 466679397.7381425
    assert store.read_facts(tmp_path / "none") is None


def test_an_empty_value_is_written_empty_and_read_as_no_value(tmp_path):
    df = facts.frame("04_resources", {"team_capacity": None, "expected_attainment": math.nan})
    store.write_artifact(tmp_path, "facts_resources", df)
    got = store.read_artifact(tmp_path, "facts_resources")
    assert got["value"].isna().all()
    assert facts.value(got, "team_capacity") is None
    assert isinstance(got, pd.DataFrame)
