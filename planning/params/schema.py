"""The parameter schema: one pydantic model per section of params/*.yaml, and `Params` holding them all.

Each step owns a section (`market`, `goals`, `strategy`, `resources`, `review`); its docstrings say which keys a
function reads. Defaults are the numbers of the planning method (docs/method.md): a 10-15% flex buffer, red when
lead conversion is more than 20% below its baseline, a root-cause analysis beyond a 10% deviation, the team bonus
step at 80% of target. Every model forbids unknown keys, so a misspelt key is an error, not a silent default, and
every number must be finite (`.nan` / `.inf` are refused).

Rules between keys are checked here too (model validators raising `cross_key`), so that a run fails before any
notebook starts (exit 2), not in the notebook that would trip over them (README "Parameters"):
plan_year not before the as-of year and not already over; every goals.holiday in the plan year;
market.weak_score below market.strong_score; strategy.risk_high_below <= strategy.risk_medium_below;
resources.min_share <= resources.max_share; review.yellow_below_baseline <= review.red_below_baseline; and each
review.kpi_targets value within the range its KPI can take (`KPI_TARGET_RANGES`: rates within 0..1).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from planning.params.basics import (  # noqa: F401 (re-exported: the schema's building blocks)
    Fraction,
    LocalText,
    NonNegative,
    Probability,
    _Model,
    cross_key,
    local_text,
)
from planning.params.rhythm import Improve, Pipeline


class Company(_Model):
    name: str = "Huaxia Industrial Equipment Co."  # display name in English reports
    name_zh: str = "华夏工业装备有限公司"  # display name in Chinese reports
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")  # ISO 4217 code
    # ISO 3166 alpha-2 code whose public holidays leave the working calendar (the `holidays` package;
    # planning check / run refuse a code it does not know); "" = Monday-Friday only
    country: str = Field(default="CN", pattern=r"^([A-Z]{2})?$")

    @model_validator(mode="after")
    def _own_name_in_chinese(self) -> Company:
        """A company that names itself but not in Chinese is called by its name in Chinese reports too, not by
        the sample company's Chinese name (the default)."""
        if "name" in self.model_fields_set and "name_zh" not in self.model_fields_set:
            self.name_zh = self.name
        return self


class Region(_Model):
    key: str = ""  # set from the file name params/<key>.yaml
    name: str = ""  # English display name; empty = from the data's regions table
    name_zh: str = ""  # Chinese display name


class DataSection(_Model):
    dir: str = ""  # folder of canonical tables (docs/data.md); empty = the embedded sample company
    sample_scale: float = Field(
        default=1.0, gt=0.0, le=1000.0
    )  # size of the sample company (1 = ~100k lines)
    mapping: str = ""  # mapping YAML of a CRM / ERP export (docs/import.md); set = import it, `dir` unused
    # values of a dimension (product line, channel, industry, size band, lead source) shown one by one, those
    # with the most sales; the rest are grouped as "other" in every chart, table, segment and mix driver
    top_values: int = Field(default=8, ge=2, le=50)


class RunSection(_Model):
    execution_timeout: int = Field(default=600, ge=10, le=86_400)  # seconds a notebook cell may take
    workers: int = Field(default=0, ge=0, le=64)  # parallel regions; 0 = number of CPU cores
    # Also embed a static SVG of every chart, for mail previewers that run no JavaScript. Off by default: it
    # costs ~0.5-1 s per chart (about 90% of a report's display time) and grows with the chart's data.
    static_charts: bool = False
    # A running Dask cluster's scheduler (tcp://HOST:PORT) to run the regions on instead of the process pool;
    # empty = the process pool. `--cluster local:N` / `--scheduler` / `--workers` on the command line win.
    scheduler: str = Field(default="", pattern=r"^$|^(tcp|tls)://[^\s/]+:\d{1,5}$")
    # How a worker (process pool or Dask) executes a step notebook: "shell" = in its own process, by an IPython
    # shell (no kernel to start or talk to: planning/runner/shell.py); "kernel" = in a Jupyter kernel, as papermill
    # does.
    engine: Literal["shell", "kernel"] = "shell"


ICP_METRICS = ("sales", "clv", "win_rate", "growth")


def _check_score(dim: str, s: float) -> None:
    if not 1.0 <= s <= 5.0:
        raise ValueError(f"score of {dim!r} is {s}, expected 1..5")


class Competitor(_Model):
    name: str
    name_zh: str = ""  # display name in Chinese reports; empty = name
    scores: dict[str, float]  # dimension -> score 1 (weak) .. 5 (strong)

    @field_validator("scores")
    @classmethod
    def _score_range(cls, v: dict[str, float]) -> dict[str, float]:
        for dim, s in v.items():
            _check_score(dim, s)
        return v


class Need(_Model):
    """A customer pain point or need found in surveys / interviews, linked to the segments it applies to."""

    need: LocalText  # the pain point in the customer's words
    segments: list[str] = []  # industries (or industry/size_band) it applies to; empty = all
    unmet: bool = False  # nobody (including us) serves it today -> a new sales scenario
    scenario: LocalText = ""  # the sales scenario it opens
    evidence: LocalText = ""  # where it comes from, e.g. "14 of 40 customer interviews, 2026 Q2"


class Market(_Model):
    """Step 1 (market analysis)."""

    seasonality_years: int = Field(default=3, ge=1, le=10)  # years the month-of-year profile averages
    clv_max_years: float = Field(default=10.0, gt=0.0, le=50.0)  # cap on the expected customer lifetime
    min_customers: int = Field(default=5, ge=1)  # active customers a segment needs for its own ICP rank
    # Weights of the ideal-customer-profile score (percentile ranks of these segment metrics).
    icp_weights: dict[str, float] = {"sales": 0.3, "clv": 0.3, "win_rate": 0.2, "growth": 0.2}
    market_size: dict[str, NonNegative] = {}  # industry -> annual TAM; used when the data has no market_size
    market_growth: float = Field(default=0.0, ge=-0.5, le=2.0)  # annual TAM growth used with `market_size`
    share_threshold: float = Field(default=0.005, ge=0.0, le=1.0)  # share change (0.005 = 0.5 pp) that counts
    growth_margin: float = Field(default=0.02, ge=0.0, le=1.0)  # faster industry market = opportunity
    competitors: list[Competitor] = []  # strengths-weaknesses matrix
    own_scores: dict[str, float] = {}  # our own score on the competitors' dimensions, 1..5
    weak_score: float = Field(default=2.5, ge=1.0, le=5.0)  # a competitor scoring <= this is weak there
    strong_score: float = Field(default=4.0, ge=1.0, le=5.0)  # a competitor scoring >= this is strong there
    opening_share: dict[str, float] = {}  # dimension -> share of the plan-year regional TAM its opening wins
    opening_increment: dict[str, float] = {}  # dimension -> increment (currency); overrides opening_share
    share_gain: dict[str, float] = {}  # industry -> planned share gain in the plan year (0.005 = +0.5 pp)
    # industry -> share gain committed even where the region is losing share there (a recovery plan); a
    # share_gain in an industry where the region lost share_threshold or more is not counted
    share_recovery: dict[str, float] = {}
    needs: list[Need] = []  # customer pain points / unmet needs with the segments they apply to
    swot: dict[Literal["S", "W", "O", "T"], list[LocalText]] = {}  # entries from interviews and workshops

    @field_validator("own_scores")
    @classmethod
    def _own_range(cls, v: dict[str, float]) -> dict[str, float]:
        for dim, s in v.items():
            _check_score(dim, s)
        return v

    @model_validator(mode="after")
    def _weak_below_strong(self) -> Market:
        if self.weak_score >= self.strong_score:
            raise cross_key(
                "expected weak_score below strong_score (a score cannot be weak and strong at once)",
                weak_score=self.weak_score,
                strong_score=self.strong_score,
            )
        return self

    @field_validator("icp_weights")
    @classmethod
    def _icp_weights(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(ICP_METRICS))
        if unknown:
            raise ValueError(f"unknown ICP metric(s) {unknown}, expected some of {list(ICP_METRICS)}")
        if any(w < 0 for w in v.values()) or not any(w > 0 for w in v.values()):
            raise ValueError(f"weights {v} must be >= 0 with at least one > 0")
        return v

    @field_validator("opening_share", "share_gain", "share_recovery")
    @classmethod
    def _fractions(cls, v: dict[str, float]) -> dict[str, float]:
        for key, x in v.items():
            if not -1.0 <= x <= 1.0:
                raise ValueError(f"{key!r}: {x} is not a fraction (expected -1..1, e.g. 0.005 for 0.5 pp)")
        return v

    @field_validator("opening_increment")
    @classmethod
    def _non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        for key, x in v.items():
            if x < 0:
                raise ValueError(f"{key!r}: increment {x} is negative, expected an amount >= 0")
        return v


class PlannedHire(_Model):
    team: str = ""  # team key (e.g. east-1); empty = the team with the fewest quota reps
    start_month: int = Field(default=1, ge=1, le=12)  # month of the plan year the hire starts
    count: int = Field(default=1, ge=1, le=100)  # people hired on these terms


class SmartGoal(_Model):
    goal: LocalText  # the goal as the planner wrote it
    metric: str = ""  # one of planning.goals.METRICS (revenue, new_customers, leads, lead_conversion, ...)
    value: float | None = None  # the number (fractions for rates: 0.18 = 18%)
    deadline: date | None = None  # the date it is due
    relevant_to: str = ""  # the segment (industry) or strategy lever it serves


class Adjustment(_Model):
    """How `planning adjust` reconciles the managers' quota workbooks with the top-down plan (docs/handover.md).

    respread: the top-down totals stand (each team's month); the reps the managers edited keep their numbers where
    the team's month allows, the rest of it is re-spread over the other reps by capacity. accept: the managers'
    numbers are taken as they are (the totals become theirs) when the region's year differs from the top-down
    target by at most `tolerance` of it; beyond that, re-spread as above."""

    rule: Literal["respread", "accept"] = "respread"
    tolerance: float = Field(
        default=0.02, ge=0.0, le=0.5
    )  # accept: the largest gap taken, share of the target


class Goals(_Model):
    """Step 2 (goals)."""

    growth_ambition: float = Field(default=0.15, ge=-0.5, le=3.0)  # strategic intent: growth over last year
    buffer: float = Field(default=0.12, ge=0.0, le=0.30)  # flex reserve on top of the target (method: 10-15%)
    combine: Literal["min", "ambition"] = "min"  # min: lowest of ambition, market, team, resources
    training_uplift: float = Field(default=0.30, ge=0.0, le=2.0)  # new-hire productivity uplift from training
    tool_efficiency: float = Field(
        default=0.20, ge=0.0, le=2.0
    )  # follow-up efficiency from tools (CRM, AI calls)
    marketing_budget: float = Field(default=0.0, ge=0.0)  # plan-year budget; 0 = last 12 months' spend
    cost_per_lead: float = Field(default=0.0, ge=0.0)  # 0 = measured from the data
    lead_conversion: float = Field(default=0.0, ge=0.0, le=1.0)  # lead -> customer; 0 = measured
    average_order_value: float = Field(default=0.0, ge=0.0)  # 0 = measured
    orders_per_new_customer: float = Field(default=0.0, ge=0.0, le=1000.0)  # in its first year; 0 = measured
    capacity_basis: Literal["latest", "mean"] = "latest"  # per-rep output: latest of 3 periods or mean
    planned_hires: list[PlannedHire] = []  # quota reps joining in the plan year ("HIRE-01" ...)
    territory_weight: float = Field(default=0.3, ge=0.0, le=1.0)  # weight of account headroom in rep quotas
    holidays: list[date] = []  # extra days off in the plan year, beyond company.country's public holidays
    workdays: list[date] = []  # extra working days (e.g. a make-up Saturday), or a public holiday worked
    smart: list[SmartGoal] = []  # goals the planner wrote, checked against the SMART criteria
    forecast_horizon: int = Field(default=12, ge=1, le=36)  # months of backtest horizon
    backtest_origins: int = Field(default=3, ge=1, le=24)  # rolling origins of the backtest
    backtest_step: int = Field(default=3, ge=1, le=12)  # months between backtest origins
    interval: float = Field(default=0.80, gt=0.0, lt=1.0)  # coverage of the forecast's prediction interval
    # moving holiday the forecast follows: lunar_new_year = Spring Festival slowdown (moves Jan <-> Feb)
    forecast_holiday: Literal["none", "lunar_new_year"] = "none"
    adjustment: Adjustment = Adjustment()  # managers' quota workbooks handed back (`planning adjust`)


TierName = Literal["strategic", "profit", "nurture", "maintain"]


class Playbook(_Model):
    action: LocalText | None = None  # what every account of the tier gets; None = the workbook's own text of the
    # tier in the report's language (locale/strategy.yaml builtin.playbooks)
    touches_per_year: int = Field(ge=0, le=365)  # planned contacts per account a year (workload for step 4)
    headroom_capture: float = Fraction  # share of the wallet headroom the playbook is expected to win a year


class FourP(_Model):
    p: Literal["product", "price", "place", "promotion"]  # which of the 4P
    item: LocalText  # the decision, one sentence
    segments: list[str] = []  # industries it serves; empty = all
    tiers: list[TierName] = []  # customer tiers it serves; empty = all
    supports: str = ""  # metric of the goal it supports (goals.csv `metric`, e.g. revenue, new_customers)


def _weights(v: dict[str, float], known: set[str]) -> dict[str, float]:
    unknown = sorted(set(v) - known)
    if unknown:
        raise ValueError(f"unknown dimension(s) {unknown}, expected some of {sorted(known)}")
    if any(w < 0 for w in v.values()) or not any(w > 0 for w in v.values()):
        raise ValueError(f"weights {v} must be >= 0 with at least one > 0")
    return v


class Strategy(_Model):
    """Step 3 (strategy)."""

    rfm_months: int = Field(default=24, ge=3, le=120)  # history window of frequency and monetary
    value_weights: dict[str, float] = {"recency": 0.2, "frequency": 0.25, "monetary": 0.4, "complexity": 0.15}
    potential_weights: dict[str, float] = {"headroom": 0.5, "segment_growth": 0.3, "decision_chain": 0.2}
    cutoff_kind: Literal["quantile", "score"] = "quantile"  # cut-offs are quantiles, or scores / 100
    value_cutoff: float = Field(default=0.5, gt=0.0, lt=1.0)  # value score at or above this = high value
    potential_cutoff: float = Field(default=0.5, gt=0.0, lt=1.0)  # potential score at or above this = high
    playbooks: dict[TierName, Playbook] = {
        "strategic": Playbook(touches_per_year=24, headroom_capture=0.02),
        "profit": Playbook(touches_per_year=8, headroom_capture=0.01),
        "nurture": Playbook(touches_per_year=6, headroom_capture=0.015),
        "maintain": Playbook(touches_per_year=2, headroom_capture=0.0),
    }  # tier -> what it gets (default: the workbook's text, in en and zh), contacts a year, share of its wallet
    # headroom expected to be won
    churn_probability: dict[Literal["high", "medium", "low"], Probability] = {
        "high": 0.50,
        "medium": 0.20,
        "low": 0.05,
    }  # relative churn risk by health level; scaled so the base loses the measured gross churn
    net_retention: float | None = Field(default=None, ge=0.0, le=5.0)  # revenue kept + grown from last year's
    # customers (1.04 = 104%); None = measured: last 12 months' revenue of the customers active in the 12 before
    gross_churn: float | None = Field(default=None, ge=0.0, le=1.0)  # revenue share lost with customers
    # who stopped buying; None = measured
    funnel_months: int = Field(default=12, ge=1, le=60)  # leads of the last N months make the funnel
    pipeline_share: float | None = Field(default=None, ge=0.0, le=1.0)  # share of target new pipeline must
    # win; None = the part of the target the installed base is not expected to deliver
    first_year_revenue_factor: float | None = Field(default=None, ge=1.0, le=5.0)  # a new customer's first
    # 12 months' revenue / the won deal value that brought it; None = measured on the last complete yearly cohort
    min_segment_deals: int = Field(default=30, ge=1)  # decided deals a segment needs for its own win rate
    health_weights: dict[str, float] = {"usage": 0.30, "satisfaction": 0.30, "renewal": 0.25, "trend": 0.15}
    usage_full: float = Field(default=7.0, gt=0.0)  # product sessions / week that count as full usage
    trend_months: int = Field(default=6, ge=1, le=24)  # order trend: last N months versus the N before
    risk_high_below: float = Field(
        default=40.0, ge=0.0, le=100.0
    )  # health score below this = high churn risk
    risk_medium_below: float = Field(default=60.0, ge=0.0, le=100.0)  # below this = medium risk
    health_actions: dict[Literal["high", "medium", "low"], LocalText] = {}  # risk level -> action; a level
    # not given gets the workbook's text in the report's language (locale/strategy.yaml builtin.health_actions)
    four_p: list[FourP] = []  # product, price, place (channel), promotion decisions

    @field_validator("value_weights")
    @classmethod
    def _value_weights(cls, v: dict[str, float]) -> dict[str, float]:
        return _weights(v, {"recency", "frequency", "monetary", "complexity"})

    @field_validator("potential_weights")
    @classmethod
    def _potential_weights(cls, v: dict[str, float]) -> dict[str, float]:
        return _weights(v, {"headroom", "segment_growth", "decision_chain"})

    @field_validator("health_weights")
    @classmethod
    def _health_weights(cls, v: dict[str, float]) -> dict[str, float]:
        return _weights(v, {"usage", "satisfaction", "renewal", "trend"})

    @model_validator(mode="after")
    def _risk_order(self) -> Strategy:
        if self.risk_medium_below < self.risk_high_below:
            raise cross_key(
                "expected risk_high_below <= risk_medium_below (high risk lies below medium risk)",
                risk_high_below=self.risk_high_below,
                risk_medium_below=self.risk_medium_below,
            )
        return self


class Tool(_Model):
    """A sales tool in the budget (CRM upgrade, AI calling ...) and the efficiency it is expected to bring."""

    name: LocalText  # one string, or {en: ..., zh: ...}
    cost: float = Field(ge=0.0)  # plan-year cost
    efficiency: float = Field(default=0.0, ge=0.0, le=2.0)  # e.g. 0.20 = follow-up efficiency +20%


class Task(_Model):
    """One task of the action plan, as a planner writes it."""

    task: LocalText  # one string, or {en: ..., zh: ...}
    goal: str = "execution"  # groups the WBS: revenue, people, pipeline, customers, execution
    owner: LocalText = ""  # empty = flagged in the report (every task needs an owner)
    start: date
    end: date
    depends_on: str = ""  # text of the task that must finish first
    kpi: str = ""  # the KPI the task moves
    status: Literal["planned", "in_progress", "done"] = "planned"

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, v: date, info: Any) -> date:
        start = info.data.get("start")
        if start is not None and v < start:
            raise ValueError(f"end {v} is before start {start}")
        return v


TaskKind = Literal["hiring", "playbook", "funnel", "training", "budget"]


class Resources(_Model):
    """Step 4 (resources)."""

    ramp_months: int | None = Field(default=None, ge=0, le=24)  # months to full productivity; None = measured
    ramp_fallback_months: int = Field(default=5, ge=0, le=24)  # ramp when under 3 hires are measurable
    time_to_hire_months: int = Field(default=2, ge=0, le=12)  # from opening a requisition to the first day
    hire_threshold: float = Field(default=0.5, ge=0.0, le=3.0)  # hire when the remaining gap exceeds
    # this many fully ramped reps' remaining-year output; a smaller gap is left to overtime / the flex reserve
    attrition: float | None = Field(default=None, ge=0.0, le=1.0)  # annual; None = measured from the data
    history_months: int = Field(default=12, ge=3, le=36)  # window for per-rep output and marketing spend
    attrition_months: int = Field(default=36, ge=6, le=120)  # window for measured attrition (exits are rare)
    simulations: int = Field(default=2000, ge=100, le=100_000)  # Monte Carlo draws of rep attainment
    seed: int = Field(default=2027, ge=0)  # random seed of the simulations (same inputs -> same report)
    base_commission: float = Field(default=0.03, ge=0.0, le=0.5)  # commission rate on revenue up to quota
    achievement_bonus: float = Field(default=0.01, ge=0.0, le=0.5)  # share of annual quota paid at 100%
    accelerator: float = Field(default=1.5, ge=1.0, le=5.0)  # commission multiplier on revenue above quota
    team_bonus_threshold: float = Field(default=0.80, ge=0.0, le=2.0)  # team attainment that lifts every rate
    team_bonus_uplift: float = Field(default=0.10, ge=0.0, le=2.0)  # +10% on each person's commission rate
    new_hire_first_deal_bonus: float = Field(default=5000.0, ge=0.0)  # the "growth fund"
    base_salary: float = Field(default=180_000.0, ge=0.0)  # annual fixed pay of a quota-carrying rep
    travel_per_rep: float = Field(default=36_000.0, ge=0.0)  # annual travel budget per rep
    training_per_person: dict[Literal["new_hires", "core", "managers"], NonNegative] = {
        "new_hires": 8_000.0,  # product + basic selling
        "core": 6_000.0,  # key-account negotiation + teamwork
        "managers": 12_000.0,  # target decomposition + motivation
    }
    tools: list[Tool] = []  # CRM, AI calling ... with their efficiency factors
    marketing_budget: float = Field(default=0.0, ge=0.0)  # 0 = goals.marketing_budget, else last 12m spend
    min_share: float = Field(default=0.05, ge=0.0, le=1.0)  # least share of the budget any channel keeps
    max_share: float = Field(default=0.60, gt=0.0, le=1.0)  # most share of the budget one channel may take
    max_growth: float = Field(default=1.0, ge=0.0, le=20.0)  # a channel may grow at most +100% vs last 12m
    max_elasticity: float = Field(default=0.95, gt=0.0, lt=1.0)  # cap on fitted b in leads = a*spend^b
    stopped_drop: float = Field(default=0.50, ge=0.0, le=1.0)  # recent yield this far below before = stopped
    recent_months: int = Field(default=6, ge=1, le=12)  # "recent" window for the stopped-channel check
    owners: dict[TaskKind, LocalText] = {}  # owner of the tasks derived from the plan, by kind
    tasks: list[Task] = []  # the action plan's planner-written tasks

    @model_validator(mode="after")
    def _share_bounds(self) -> Resources:
        if self.min_share > self.max_share:
            raise cross_key(
                "expected min_share <= max_share (every channel keeps at least min_share, none takes more than "
                "max_share)",
                min_share=self.min_share,
                max_share=self.max_share,
            )
        return self


class Risk(_Model):
    """One entry of the risk register (reviewed monthly)."""

    risk: str  # short name, English
    risk_zh: str = ""  # short name, Chinese (empty = the English one)
    kind: Literal["external", "internal"]  # external: policy, competitors; internal: people, supply
    likelihood: int = Field(ge=1, le=5)  # 1 (rare) .. 5 (almost certain), the planner's estimate
    impact: int = Field(ge=1, le=5)  # 1 (minor) .. 5 (severe)
    contingency: str  # the prepared response
    contingency_zh: str = ""
    owner: str  # who watches it
    status: Literal["open", "mitigating", "closed"] = "open"
    signal: Literal["", "attrition", "price", "leads", "retention"] = ""  # data signal raising likelihood


KpiName = Literal[
    "target_completion",
    "revenue_growth",
    "new_customers",
    "retention",
    "leads",
    "lead_conversion",
    "proposals",
    "win_rate",
    "cycle_time",
    "aov",
    "clv",
    "productivity",
]  # the KPIs of the review board (planning/review/kpis.py)

#: The values a `review.kpi_targets` entry may take, by KPI: low < target <= high. Rates are fractions (0.30 =
#: 30%); target_completion is attainment (1.0 = 100%) and revenue_growth is relative to last year (-1 would be no
#: revenue at all), both capped like goals.growth_ambition; counts, days and money are positive (a target of 0
#: leaves the KPI no reference to be lit against).
KPI_TARGET_RANGES: dict[str, tuple[float, float]] = {
    "target_completion": (0.0, 2.0),
    "revenue_growth": (-1.0, 3.0),
    "new_customers": (0.0, 1e9),
    "retention": (0.0, 1.0),
    "leads": (0.0, 1e9),
    "lead_conversion": (0.0, 1.0),
    "proposals": (0.0, 1e9),
    "win_rate": (0.0, 1.0),
    "cycle_time": (0.0, 3650.0),
    "aov": (0.0, 1e15),
    "clv": (0.0, 1e15),
    "productivity": (0.0, 1e15),
}
RATE_KPIS = ("retention", "lead_conversion", "win_rate", "target_completion", "revenue_growth")


class Action(_Model):
    """The action the PDCA log proposes when a KPI turns red."""

    act: Literal["stop", "fix", "standardise"]  # stop what does not work, fix it, or copy what works
    action: str  # English
    action_zh: str = ""  # Chinese (empty = the English one)
    owner: str


class Review(_Model):
    """Step 5 (review, PDCA)."""

    red_below_baseline: float = Field(default=0.20, ge=0.0, le=1.0)  # KPI this far below baseline = red
    yellow_below_baseline: float = Field(default=0.10, ge=0.0, le=1.0)  # KPI this far below baseline = yellow
    root_cause_threshold: float = Field(default=0.10, ge=0.0, le=1.0)  # deviation that triggers a 5-Why
    resplit_completion: float = Field(default=0.80, ge=0.0, le=1.0)  # quarterly completion below = re-split
    kpi_targets: dict[KpiName, float] = {}  # targets for KPIs the plan does not carry (kpi name -> value)
    price_drop_alert: float = Field(
        default=0.05, ge=0.0, le=1.0
    )  # price index this far down = price-war signal
    signal_uplift: int = Field(default=1, ge=0, le=4)  # likelihood points a triggered data signal adds
    action_days: int = Field(default=30, ge=1, le=365)  # days until a PDCA action is due (monthly review)
    risks: list[Risk] = []  # the risk register
    actions: dict[KpiName, Action] = {}  # KPI name -> action proposed when it is red
    pipeline: Pipeline = Pipeline()  # the in-quarter forecast from open opportunities
    improve: Improve = Improve()  # next week's improvement list

    @field_validator("kpi_targets")
    @classmethod
    def _target_ranges(cls, v: dict[str, float]) -> dict[str, float]:
        for kpi, x in v.items():
            low, high = KPI_TARGET_RANGES[kpi]
            if not low < x <= high:
                unit = " as a fraction (0.30 = 30%)" if kpi in RATE_KPIS else ""
                raise cross_key(f"expected {low:g} < {kpi} <= {high:g}{unit}", **{kpi: x})
        return v

    @model_validator(mode="after")
    def _yellow_before_red(self) -> Review:
        if self.yellow_below_baseline > self.red_below_baseline:
            raise cross_key(
                "expected yellow_below_baseline <= red_below_baseline (a KPI turns yellow before it turns red)",
                yellow_below_baseline=self.yellow_below_baseline,
                red_below_baseline=self.red_below_baseline,
            )
        return self

    @field_validator("risks")
    @classmethod
    def _unique_risks(cls, v: list[Risk]) -> list[Risk]:
        names = [r.risk for r in v]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"risk names must be unique, repeated: {dupes}")
        return v


class Params(_Model):
    """Everything a run of one region needs."""

    company: Company = Company()
    language: Literal["en", "zh"] = "en"  # language of the reports
    as_of: date = date(2026, 9, 30)  # planning date: history is used up to and including it
    plan_year: int = Field(default=2027, ge=2000, le=2100)  # the year being planned
    data: DataSection = DataSection()
    run: RunSection = RunSection()
    region: Region = Region()
    market: Market = Market()
    goals: Goals = Goals()
    strategy: Strategy = Strategy()
    resources: Resources = Resources()
    review: Review = Review()

    @model_validator(mode="after")
    def _plan_year_after_as_of(self) -> Params:
        year_over = (self.as_of.month, self.as_of.day) == (12, 31)
        if self.plan_year < self.as_of.year or (self.plan_year == self.as_of.year and year_over):
            first = self.as_of.year + 1 if year_over else self.as_of.year
            raise cross_key(
                f"expected plan_year >= {first} (the year being planned cannot lie before or end on the "
                "planning date)",
                plan_year=self.plan_year,
                as_of=self.as_of.isoformat(),
            )
        for key in ("holidays", "workdays"):
            for i, day in enumerate(getattr(self.goals, key)):
                if day.year != self.plan_year:
                    raise cross_key(
                        f"expected every day of goals.{key} in the plan year {self.plan_year}",
                        **{f"goals.{key}.{i}": day.isoformat(), "plan_year": self.plan_year},
                    )
        return self
