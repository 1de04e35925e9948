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


# ------------------------------------------------------------------ issue 18, case 5: rules between keys
def refused(data: dict) -> str:
    with pytest.raises(ValidationError) as exc:
        params.Params.model_validate(data)
    return str(exc.value)


@pytest.mark.adversarial
@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"as_of": "2026-09-30", "plan_year": 2025}, "expected plan_year >= 2026"),
        ({"as_of": "2026-12-31", "plan_year": 2026}, "expected plan_year >= 2027"),
        ({"resources": {"min_share": 0.7, "max_share": 0.5}}, "expected min_share <= max_share"),
        ({"resources": {"max_share": 0.0, "min_share": 0.0}}, "greater than 0"),
        (
            {"review": {"yellow_below_baseline": 0.3, "red_below_baseline": 0.2}},
            "expected yellow_below_baseline <=",
        ),
        ({"market": {"weak_score": 4.0, "strong_score": 3.0}}, "expected weak_score below strong_score"),
        ({"strategy": {"risk_high_below": 70}}, "expected risk_high_below <= risk_medium_below"),
        ({"goals": {"holidays": ["2026-10-01"]}}, "expected every day of goals.holidays in the plan year 2027"),
    ],
)
def test_rules_between_keys_are_schema_errors(data: dict, fragment: str):
    assert fragment in refused(data)


@pytest.mark.adversarial
@pytest.mark.parametrize(
    ("kpi", "value"),
    [("win_rate", 1.5), ("win_rate", 0.0), ("retention", 95), ("lead_conversion", -0.1), ("target_completion", 80),
     ("revenue_growth", -1.0), ("leads", 0), ("cycle_time", -3), ("aov", -1.0)],
)  # fmt: skip
def test_kpi_targets_are_bounded_to_what_the_kpi_means(kpi: str, value: float):
    assert f"< {kpi} <=" in refused({"review": {"kpi_targets": {kpi: value}}})


def test_kpi_targets_within_range_are_kept():
    ok = {
        "win_rate": 0.3,
        "retention": 1.0,
        "revenue_growth": -0.2,
        "target_completion": 1.1,
        "cycle_time": 45,
    }
    assert params.Params.model_validate({"review": {"kpi_targets": ok}}).review.kpi_targets == ok


@pytest.mark.adversarial
@pytest.mark.parametrize(
    "data",
    [
        {"goals": {"buffer": float("nan")}},
        {"resources": {"base_salary": float("inf")}},
        {"market": {"icp_weights": {"sales": float("inf")}}},
        {"review": {"kpi_targets": {"win_rate": float("nan")}}},
        {"market": {"market_size": {"energy": -5.0}}},
        {"strategy": {"churn_probability": {"high": 1.5}}},
        {"resources": {"training_per_person": {"core": -100.0}}},
    ],
)
def test_non_finite_and_negative_amounts_are_refused(data: dict):
    refused(data)


def test_the_edges_of_the_rules_are_allowed():
    p = params.Params.model_validate(
        {
            "as_of": "2026-12-30",
            "plan_year": 2026,  # December is still ahead
            "resources": {"min_share": 0.4, "max_share": 0.4},
            "review": {"yellow_below_baseline": 0.2, "red_below_baseline": 0.2},
            "strategy": {"risk_high_below": 60, "risk_medium_below": 60},
            "goals": {"holidays": ["2026-12-25"]},
        }
    )
    assert p.plan_year == 2026


def test_a_company_named_only_in_english_keeps_its_name_in_chinese_reports():
    from planning.params.schema import Company

    assert Company.model_validate({"name": "Thin Export"}).name_zh == "Thin Export"  # not the sample's name
    assert Company.model_validate({"name": "Thin Export", "name_zh": "薄出口"}).name_zh == "薄出口"
    assert Company().name_zh == "华夏工业装备有限公司"  # the sample company keeps both of its names
