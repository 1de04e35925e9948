"""The review's rhythm sections of the parameter schema (docs/rhythm.md): `review.pipeline` (the in-quarter
forecast from open opportunities) and `review.improve` (next week's improvement list)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from planning.params.basics import LocalText, _Model, cross_key

OpenStage = Literal["lead", "discovery", "proposal", "negotiation"]
_STAGE_ORDER = ("lead", "discovery", "proposal", "negotiation")


class Pipeline(_Model):
    """The in-quarter forecast from open opportunities (docs/rhythm.md "Pipeline forecast")."""

    history_months: int = Field(default=24, ge=3, le=120)  # deals closed in the last N months give stage odds
    min_closed: int = Field(default=10, ge=1, le=100000)  # closed deals a stage needs for its own probability
    worst_from: OpenStage = "negotiation"  # worst case: open deals at or beyond this stage, weighted
    commit_from: OpenStage = "lead"  # commit: open deals at or beyond this stage, weighted (lead = all)
    best_full_from: OpenStage = "proposal"  # best case: deals at or beyond this stage at full amount
    run_rate_days: int = Field(default=90, ge=7, le=730)  # run rate: revenue per day over the last N days

    @model_validator(mode="after")
    def _worst_after_commit(self) -> Pipeline:
        if _STAGE_ORDER.index(self.worst_from) < _STAGE_ORDER.index(self.commit_from):
            raise cross_key(
                "expected worst_from at or beyond commit_from (the worst case counts fewer deals than commit)",
                worst_from=self.worst_from,
                commit_from=self.commit_from,
            )
        return self


ImprovementKind = Literal["swing", "health", "copy", "stop"]


class Improve(_Model):
    """Next week's improvement list (docs/rhythm.md "Improvement list")."""

    swing_z: float = Field(default=2.0, gt=0.0, le=10.0)  # a week-over-week change beyond z standard errors
    swing_min_deals: int = Field(default=5, ge=1, le=100000)  # deals leaving a stage in each of the two weeks
    health_drop: float = Field(default=10.0, gt=0.0, le=100.0)  # score points lost since the last list
    health_max: int = Field(default=5, ge=0, le=100)  # customers listed at most (largest revenue first)
    copy_days: int = Field(default=180, ge=7, le=730)  # closed deals of the last N days compare win rates
    copy_min_deals: int = Field(default=8, ge=1, le=100000)  # closed deals a rep / channel / segment needs
    copy_z: float = Field(default=1.5, gt=0.0, le=10.0)  # win rate this many standard errors above the region
    stop_months: int = Field(default=3, ge=1, le=24)  # spend and no lead / no win in the last N months
    due_days: int = Field(default=7, ge=1, le=365)  # an item is due at the next weekly review
    drop_after_days: int = Field(default=28, ge=1, le=365)  # open this long past its due date = dropped
    owners: dict[ImprovementKind, LocalText] = {
        "swing": {"en": "Sales operations", "zh": "销售运营"},
        "health": {"en": "Key account manager", "zh": "大客户经理"},
        "copy": {"en": "Sales enablement", "zh": "销售赋能"},
        "stop": {"en": "Marketing manager", "zh": "市场经理"},
    }
