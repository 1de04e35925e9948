"""planning/audit/steps.py: a step marked ok has its upstream and its own artefacts."""

from __future__ import annotations

from planning import config, contracts
from planning.audit import steps

ALL = [n for n in contracts.ARTIFACTS if not contracts.ARTIFACTS[n].optional]


def by_step(rows):
    return {r["check"].split(":", 1)[1]: r for r in rows}


def test_every_step_ok_with_every_artefact_passes():
    rows = steps.step_status_vs_artefacts(dict.fromkeys(config.STEPS, "ok"), ALL)
    assert [r["status"] for r in rows] == ["pass"] * len(config.STEPS)


def test_strategy_run_alone_without_goals_artefacts_fails():
    present = contracts.of_step("03_strategy")
    rows = by_step(steps.step_status_vs_artefacts({"03_strategy": "ok"}, present))
    r = rows["03_strategy"]
    assert r["status"] == "fail"
    assert r["values"].startswith("status ok but upstream missing: market_trend; seasonality; segments;")
    assert rows["01_market_analysis"]["status"] == "skipped"


def test_a_step_ok_without_its_own_artefact_fails():
    present = [n for n in ALL if n != "hiring_plan"]
    rows = by_step(steps.step_status_vs_artefacts(dict.fromkeys(config.STEPS, "ok"), present))
    assert rows["04_resources"]["values"] == "status ok but own missing: hiring_plan"
    # The review reads the goals' plan and forecast only (config.STEP_INPUTS): resources' hiring plan is not its
    # input.
    assert rows["05_review"]["status"] == "pass"


def test_a_review_after_goals_alone_is_not_partial():
    present = [*contracts.of_step("01_market_analysis"), *contracts.of_step("02_goals"),
               *contracts.of_step("05_review")]  # fmt: skip
    rows = by_step(steps.step_status_vs_artefacts(dict.fromkeys(("01_market_analysis", "02_goals", "05_review"),
                                                                "ok"), present))  # fmt: skip
    assert rows["05_review"]["status"] == "pass"


def test_a_failed_step_is_left_to_the_run():
    rows = by_step(steps.step_status_vs_artefacts({"02_goals": "failed"}, []))
    assert rows["02_goals"]["status"] == "skipped"
