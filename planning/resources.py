"""Step 4, resources (资源配置): people, money, incentives and the action plan that carry the goals.

Four parts, each a set of pure functions (data frames and the `resources` parameter section in, data frames out):

1. Capacity and hiring: the team's measured productivity, ramp and attrition (`team_baseline`), month-by-month
   capacity against the goals step's monthly targets with the hires needed to close the gap (`capacity_plan`).
2. Incentives: a plan made of parts (commission, target-achievement bonus, above-target accelerator, the 80% team
   rule, a new hire's first-deal "growth fund"); its payout curve (`payout_curve`) and a Monte Carlo of rep
   attainment (`simulate_incentives`, `incentive_summary`).
3. Budget: per lead source a response curve leads = a * spend^b fitted log-log (b < 1: diminishing returns), an
   allocation maximising expected revenue under the total budget and per-channel bounds (`allocate`, SLSQP), and
   the rest of the cost of sales (`cost_of_sales`).
4. Action plan: planner tasks from params plus tasks derived from the plan (`action_plan`), a WBS (`wbs`).

Months are "YYYY-MM" strings in every artefact, as in the goals step's `targets.csv`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import optimize

from planning import contracts, i18n
from planning import team as tm

if TYPE_CHECKING:
    from planning.params import Params, Resources

#: The order-line columns this step reads (`Context.data` reads only these of the orders file: on a 10 M-line
#: history the others would cost seconds and memory for nothing). A new use of another column goes here too.
ORDER_COLUMNS = ("order_date", "rep_id", "channel", "amount")

STAGES = ("lead", "discovery", "proposal", "negotiation", "won")


# =============================================================================================== helpers
def _period(ts: Any) -> pd.Period:
    return pd.Timestamp(ts).to_period("M")


def _month_str(per: pd.Period) -> str:
    return per.strftime("%Y-%m")


def _require(df: pd.DataFrame | None, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """`df` if it has `columns`; a ValueError naming the table and the missing columns otherwise."""
    if df is None:
        raise ValueError(f"table {name!r} is required for this part of the resources step and is missing")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"table {name!r} lacks columns {missing}; has {list(df.columns)}")
    return df


def local_text(value: Any, lang: str) -> str:
    """A planner's text from params: a plain string, or {en: ..., zh: ...} (falls back to the other language)."""
    if isinstance(value, dict):
        return str(value.get(lang) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def monthly_survival(annual_attrition: float) -> float:
    """Share of reps still employed one month later when `annual_attrition` of them leave within a year."""
    return float(tm.survival(1.0, annual_attrition))


# =============================================================================================== 1. capacity
@dataclass
class Baseline:
    """The team capacity is built from: measured once in `planning.team` (the goals step uses the same numbers).

    The roster holds the current quota reps and the goals step's planned hires (kind current | hire); the hires
    this step adds come on top of it (`plan_hires`).
    """

    productivity: float  # annual output of a fully ramped quota rep (`team.measure`)
    ramp_months: int
    attrition: float  # annual
    roster: pd.DataFrame  # rep_id, team, kind (current | hire), hire_month (Period)
    first_month: pd.Period  # first month of the horizon (the month after as_of)
    factors: np.ndarray = field(default_factory=lambda: np.ones(1))  # per-rep output / productivity
    season: dict[int, float] = field(default_factory=lambda: dict.fromkeys(range(1, 13), 1.0))
    training_uplift: float = 0.0  # goals.training_uplift: ramping reps reach full output sooner
    tool_efficiency: float = 0.0  # goals.tool_efficiency: every rep's output x (1 + efficiency)
    house: dict[str, float] = field(
        default_factory=dict
    )  # month "YYYY-MM" -> sales not carried by quota reps
    crew: tm.Team | None = None  # the measurement behind it (for the report)

    @property
    def team(self) -> pd.DataFrame:
        """The current quota reps (roster rows of kind current)."""
        return self.roster[self.roster["kind"] == "current"]

    @property
    def planned(self) -> pd.DataFrame:
        """The goals step's planned hires (roster rows of kind hire)."""
        return self.roster[self.roster["kind"] == "hire"]

    @property
    def managers(self) -> int:
        return self.crew.managers if self.crew else 0

    @property
    def ramp_measured(self) -> float | None:
        return self.crew.ramp_measured if self.crew else None

    @property
    def ramp_reps(self) -> int:
        return self.crew.ramp_reps if self.crew else 0

    @property
    def attrition_measured(self) -> float | None:
        return self.crew.attrition_measured if self.crew else None

    @property
    def exits(self) -> int:
        return self.crew.exits if self.crew else 0

    @property
    def avg_headcount(self) -> float:
        return self.crew.avg_headcount if self.crew else float(len(self.team))

    def output(self, per: pd.Period) -> float:
        """Expected sales of one fully ramped rep in month `per`: productivity / 12 x the month's seasonal index
        x (1 + tool efficiency)."""
        return self.productivity / 12.0 * self.season.get(per.month, 1.0) * (1.0 + self.tool_efficiency)

    def house_sales(self, per: pd.Period) -> float:
        return float(self.house.get(_month_str(per), 0.0))


def season_index(seasonality: pd.DataFrame | None) -> dict[int, float]:
    """Month-of-year index from the market step's seasonality.csv (month_of_year, index), rescaled to mean 1.

    Reps sell more in a strong month just as demand is higher, so capacity follows the same profile as the
    targets; without the table every month is 1.0.
    """
    if seasonality is None or seasonality.empty:
        return dict.fromkeys(range(1, 13), 1.0)
    _require(seasonality, "seasonality", ("month_of_year", "index"))
    idx = seasonality.set_index("month_of_year")["index"].astype(float).reindex(range(1, 13)).fillna(1.0)
    idx = idx / idx.mean()
    return {int(k): float(v) for k, v in idx.items()}


def planned_hires(targets_rep: pd.DataFrame | None) -> pd.DataFrame:
    """The goals step's planned hires from targets_rep.csv: rep_id, team, hire_month (Period).

    A hire is a row of kind "hire"; it starts in its first month with a ramp above 0 (or, without the ramp
    column, a target above 0). Empty without targets_rep or without the `kind` column.
    """
    cols = ["rep_id", "team", "hire_month"]
    if targets_rep is None or "kind" not in targets_rep.columns:
        return pd.DataFrame(columns=cols)
    h = targets_rep[targets_rep["kind"].astype(str) == "hire"]
    if h.empty:
        return pd.DataFrame(columns=cols)
    active = h["ramp"].astype(float) > 0 if "ramp" in h.columns else h["target"].astype(float) > 0
    first = h[active].groupby(["rep_id", "team"], as_index=False)["month"].min()
    first["hire_month"] = pd.PeriodIndex(first["month"].astype(str), freq="M")
    return first[cols].sort_values(["hire_month", "rep_id"]).reset_index(drop=True)


def team_baseline(
    orders: pd.DataFrame,
    reps: pd.DataFrame | None,
    as_of: date,
    p: Params,
    seasonality: pd.DataFrame | None = None,
    targets_rep: pd.DataFrame | None = None,
    team_capacity: pd.DataFrame | None = None,
) -> Baseline:
    """The team of the plan: current quota reps measured by `planning.team.measure` + the goals' planned hires.

    Reads (through `team.measure`) resources.ramp_months, ramp_fallback_months, attrition, attrition_months,
    goals.capacity_basis; goals.training_uplift and tool_efficiency (the levers the target was calibrated with).
    `seasonality` (market step) shapes monthly output; `targets_rep` (goals step) brings the planned hires;
    `team_capacity` (goals step) the monthly sales not carried by quota reps (house accounts).
    None without a reps table (or one without rows for the region): the people plan cannot be measured.
    """
    if reps is None or reps.empty:
        return None
    _require(reps, "reps", ("rep_id", "team", "role", "hire_date", "exit_date"))
    crew = tm.measure(orders, reps, as_of, p)
    if crew.productivity <= 0:
        raise ValueError(f"no quota rep has sales in the 12 months before {as_of}: cannot measure output")
    current = crew.roster.assign(kind="current")[["rep_id", "team", "kind", "hire_month"]]
    hires = planned_hires(targets_rep).assign(kind="hire")[["rep_id", "team", "kind", "hire_month"]]
    roster = pd.concat([current, hires], ignore_index=True) if len(hires) else current
    house = {}
    if team_capacity is not None and {"month", "house"} <= set(team_capacity.columns):
        house = dict(
            zip(team_capacity["month"].astype(str), team_capacity["house"].astype(float), strict=True)
        )
    return Baseline(
        productivity=crew.productivity,
        ramp_months=crew.ramp_months,
        attrition=crew.attrition,
        roster=roster.reset_index(drop=True),
        first_month=crew.first_month,
        factors=crew.factors,
        season=season_index(seasonality),
        training_uplift=p.goals.training_uplift,
        tool_efficiency=p.goals.tool_efficiency,
        house=house,
        crew=crew,
    )


def monthly_targets(targets: pd.DataFrame, plan_year: int) -> pd.Series:
    """The goals step's monthly targets of `plan_year` as a Series indexed by Period (targets.csv, level month)."""
    _require(targets, "targets", ("level", "period", "target"))
    m = targets[targets["level"] == "month"].copy()
    m["per"] = pd.PeriodIndex(m["period"].astype(str), freq="M")
    m = m[m["per"].dt.year == plan_year]
    if m.empty:
        raise ValueError(
            f"targets.csv has no monthly targets for {plan_year}: run the goals step for that year"
        )
    return m.set_index("per")["target"].astype(float).sort_index()


def _cohorts(base: Baseline, additional: dict[int, int], n_months: int) -> dict[str, np.ndarray]:
    """Month by month over the horizon: heads at the start, hires, population, ramping heads and productive FTE
    of the roster (current reps + the goals' planned hires) plus `additional` hires (month index -> count).

    FTE = sum of `team.ramp` (with the training uplift) x `team.survival` at mid-month: the same arithmetic as
    the goals step's team dimension.
    """
    months = pd.period_range(base.first_month, periods=n_months, freq="M")
    ros = base.roster
    hire_month = list(ros["hire_month"]) + [base.first_month + h for h in additional]
    current = np.r_[(ros["kind"] == "current").to_numpy(), np.zeros(len(additional), dtype=bool)]
    count = np.r_[np.ones(len(ros)), np.array(list(additional.values()), dtype=float)]
    if len(hire_month) == 0:
        zero = np.zeros(n_months)
        return {k: zero for k in ("headcount_start", "hires", "population", "ramping", "productive_fte")}
    tenure, elapsed = tm.schedule(hire_month, current, base.first_month, months)
    share = tm.ramp(tenure, base.ramp_months, base.training_uplift)
    alive = tm.survival(elapsed, base.attrition) * (elapsed > 0)
    s = monthly_survival(base.attrition)
    idx = np.arange(n_months)[None, :]
    start = np.array([(pd.Period(h, freq="M") - base.first_month).n for h in hire_month], dtype=float)[
        :, None
    ]
    # heads at the start of a month: current reps from month 0, hires from the month after they start
    at_start = np.where(current[:, None], s**idx, np.where(idx > start, s ** (idx - start), 0.0))
    starting = (idx == start) & ~current[:, None]
    w = count[:, None]
    return {
        "headcount_start": (w * at_start).sum(axis=0),
        "hires": (w * starting).sum(axis=0),
        "population": (w * (at_start + starting)).sum(axis=0),
        "ramping": (w * alive * ((share < 1.0) & (tenure >= 1))).sum(axis=0),
        "productive_fte": (w * share * alive).sum(axis=0),
    }


def plan_hires(base: Baseline, targets: pd.Series, r: Resources) -> dict[int, int]:
    """Hires beyond the goals' planned ones, per month index (0 = `base.first_month`), to close each month's gap.

    Reads `resources.time_to_hire_months` and `hire_threshold`. Month by month: the FTE a month needs is (target -
    house sales) / the output of a ramped rep that month; the roster (current reps and planned hires on their
    ramp, decayed by attrition) supplies its FTE, earlier additional hires count as fully productive heads
    (decayed). A shortfall is hired at month - ramp (fully ramped when needed), at the earliest
    `time_to_hire_months` after planning starts, one whole person at a time while the gap left from that month to
    the end of the targets (`remaining_gap`) exceeds `hire_threshold` x a ramped rep's output over those months,
    and at most the heads that close the month's shortfall (rounded up). A smaller gap is left to overtime and the
    flex reserve: a hire for it would sit above target for the rest of the year. Months before hires can ramp
    keep a gap.
    """
    s = monthly_survival(base.attrition)
    months = np.array([(per - base.first_month).n for per in targets.index])
    n = int(months.max()) + 1
    have_roster = _cohorts(base, {}, n)["productive_fte"]
    out = np.array([base.output(base.first_month + int(m)) for m in months])
    house = np.array([base.house_sales(base.first_month + int(m)) for m in months])
    need = np.where(
        out > 0, np.maximum(targets.to_numpy(dtype=float) - house, 0.0) / np.where(out > 0, out, 1), 0
    )
    earliest = r.time_to_hire_months
    hires: dict[int, int] = {}
    for i, m in enumerate(months):
        if m < 0:
            continue
        have = have_roster[np.maximum(months, 0)] + sum(
            c * s ** (months - h + 0.5) * (months >= h) for h, c in hires.items()
        )
        short = need[i] - have[i]
        if short <= 1e-9:
            continue
        h = max(int(m) - base.ramp_months, earliest)
        if h > m:  # cannot start before the month is over: the gap stays
            continue
        later = months >= m
        heads = s ** (months - h + 0.5) * later  # one more head from month m on, decayed by attrition
        limit = r.hire_threshold * float(out[later].sum())
        full = math.ceil(short / s ** (m - h + 0.5) - 1e-9)
        k = 0
        while k < full and remaining_gap(need - have - k * heads, out, later) > limit + 1e-9:
            k += 1
        if k:
            hires[h] = hires.get(h, 0) + k
    return dict(sorted(hires.items()))


def remaining_gap(short_fte: np.ndarray, out: np.ndarray, months: np.ndarray) -> float:
    """Money the team falls short by over the selected `months`: sum of the positive FTE shortfalls x the output
    of a ramped rep in each month."""
    return float((np.maximum(short_fte, 0.0) * out)[months].sum())


def capacity_plan(
    base: Baseline, targets: pd.Series, r: Resources, hires: dict[int, int] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Month-by-month capacity of the plan year and the hiring plan behind it.

    In: `base` (team_baseline: current reps + the goals' planned hires), `targets` (monthly_targets), `hires`
    (additional hires, month index -> count; default `plan_hires`). Reads `resources.time_to_hire_months`,
    `simulations`, `seed`.
    Out 1 (capacity.csv): month, headcount_start, hires (planned_hires from goals + additional_hires), exits,
    ramping, productive_fte (ramp with training uplift x survival), reps_capacity (FTE x output of a ramped rep x
    the month's seasonal index), tools (reps_capacity x tool efficiency), house (sales not carried by quota
    reps, from the goals step), capacity (their sum: the goals step's team dimension, month by month), target,
    gap = target - capacity, naive_headcount ((target - house) / output per rep), planned_headcount
    (headcount_start + hires), capacity_p10/p50/p90 (rep capacity at the 10th / 50th / 90th percentile of the
    team's average output, bootstrapped from the per-rep spread, plus house). Months between as_of and the plan
    year are simulated (hires then ramp into January) but not listed.
    Out 2 (hiring plan): start_month, hires, source (goals | additional), requisition_by (start - time to hire),
    productive_from (first month at full output).
    """
    hires = plan_hires(base, targets, r) if hires is None else hires
    s = monthly_survival(base.attrition)
    n = (targets.index.max() - base.first_month).n + 1
    c = _cohorts(base, hires, n)
    planned_c = _cohorts(replace(base, roster=base.planned), {}, n)["hires"] if len(base.planned) else 0.0
    months = pd.period_range(base.first_month, periods=n, freq="M")
    out = np.array([base.output(per) / (1.0 + base.tool_efficiency) for per in months])
    df = pd.DataFrame(
        {
            "per": months,
            "headcount_start": c["headcount_start"],
            "hires": c["hires"],
            "planned_hires": planned_c if np.ndim(planned_c) else np.zeros(n),
            "exits": c["population"] * (1.0 - s),
            "ramping": c["ramping"],
            "productive_fte": c["productive_fte"],
        }
    )
    df["additional_hires"] = df["hires"] - df["planned_hires"]
    df["reps_capacity"] = df["productive_fte"] * out
    df["tools"] = df["reps_capacity"] * base.tool_efficiency
    df["house"] = [base.house_sales(per) for per in months]
    df["capacity"] = df["reps_capacity"] + df["tools"] + df["house"]
    df = df[df["per"].isin(targets.index)].copy()
    df["target"] = targets.reindex(df["per"]).to_numpy()
    df["gap"] = df["target"] - df["capacity"]
    df["naive_headcount"] = (df["target"] - df["house"]).clip(lower=0.0) / np.array(
        [base.output(per) for per in df["per"]]
    )
    df["planned_headcount"] = df["headcount_start"] + df["hires"]
    rng = np.random.default_rng(r.seed)
    quant = {}
    for heads in sorted({max(1, round(x)) for x in df["planned_headcount"]}):
        draws = rng.choice(base.factors, size=(r.simulations, heads)).mean(axis=1)
        quant[heads] = np.quantile(draws, [0.1, 0.5, 0.9])
    q = np.array([quant[max(1, round(x))] for x in df["planned_headcount"]])
    for j, name in enumerate(("capacity_p10", "capacity_p50", "capacity_p90")):
        df[name] = (df["reps_capacity"] + df["tools"]) * q[:, j] + df["house"]
    df.insert(0, "month", [_month_str(p) for p in df["per"]])
    df = df.drop(columns="per").reset_index(drop=True)
    full = tm.months_to_full(base.ramp_months, base.training_uplift)
    cohorts = [(pd.Period(h, freq="M"), 1, "goals") for h in base.planned["hire_month"]]
    cohorts += [(base.first_month + h, int(k), "additional") for h, k in hires.items()]
    grouped: dict[tuple[pd.Period, str], int] = {}
    for start, k, source in cohorts:
        grouped[(start, source)] = grouped.get((start, source), 0) + k
    plan = pd.DataFrame(
        [
            {
                "start_month": _month_str(start),
                "hires": k,
                "source": source,
                "requisition_by": _month_str(start - r.time_to_hire_months),
                "productive_from": _month_str(start + full),
            }
            for (start, source), k in sorted(grouped.items(), key=lambda x: (x[0][0], x[0][1] != "goals"))
        ],
        columns=["start_month", "hires", "source", "requisition_by", "productive_from"],
    )
    return df, plan


def describe_capacity(cap: pd.DataFrame, plan: pd.DataFrame, base: Baseline, ctx: Any) -> str:
    """One generated paragraph: the year's target vs capacity, the hires and when to open requisitions."""
    target, capacity = cap["target"].sum(), cap["capacity"].sum()
    hires = int(plan["hires"].sum())
    planned = int(plan.loc[plan["source"] == "goals", "hires"].sum())
    text = ctx.t(
        "resources.capacity.summary",
        target=ctx.money(target),
        capacity=ctx.money(capacity),
        coverage=ctx.pct(capacity / target if target else float("nan")),
        planned_hires=planned,
        more=hires - planned,
        first=plan["requisition_by"].min() if hires else "—",
        naive=f"{cap['naive_headcount'].mean():.1f}",
        planned=f"{cap['planned_headcount'].mean():.1f}",
    )
    short = cap[cap["gap"] > 0]
    if len(short):
        # A gap under `resources.hire_threshold` of a ramped rep's output over the plan year gets no hire (see
        # `plan_hires`): say so, with the figures, rather than blame the ramp.
        rep_year = sum(base.output(pd.Period(m, freq="M")) for m in cap["month"])
        limit = ctx.p.resources.hire_threshold * rep_year
        below = short["gap"].sum() <= limit
        text += " " + ctx.t(
            "resources.capacity.below_threshold" if below else "resources.capacity.residual_gap",
            months=len(short),
            gap=ctx.money(short["gap"].sum()),
            worst=short.loc[short["gap"].idxmax(), "month"],
            share=ctx.pct(short["gap"].sum() / rep_year if rep_year > 0 else float("nan")),
            threshold=ctx.pct(ctx.p.resources.hire_threshold),
            limit=ctx.money(limit),
        )
    return text


def describe_baseline(base: Baseline, ctx: Any) -> str:
    r = ctx.p.resources
    ramp_src = (
        ctx.t("resources.baseline.from_params")
        if r.ramp_months is not None
        else ctx.t("resources.baseline.measured", n=base.ramp_reps)
        if base.ramp_measured is not None
        else ctx.t("resources.baseline.fallback", n=base.ramp_reps)
    )
    att_src = (
        ctx.t("resources.baseline.from_params")
        if r.attrition is not None
        else ctx.t(
            "resources.baseline.attrition_measured",
            exits=base.exits,
            heads=f"{base.avg_headcount:.1f}",
            months=r.attrition_months,
        )
    )
    return ctx.t(
        "resources.baseline.summary",
        reps=len(base.team),
        productivity=ctx.money(base.productivity / 12.0),
        ramp=base.ramp_months,
        ramp_src=ramp_src,
        attrition=ctx.pct(base.attrition),
        att_src=att_src,
        p10=ctx.pct(float(np.quantile(base.factors, 0.1))),
        p90=ctx.pct(float(np.quantile(base.factors, 0.9))),
    )


def hiring_table(plan: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The hiring plan for display: the source (planned in goals | additional) translated."""
    return plan.assign(source=[i18n.t(f"resources.hiring.source.{x}", lang) for x in plan["source"]])


def describe_hiring(plan: pd.DataFrame, base: Baseline, ctx: Any) -> str:
    if plan.empty:
        return ctx.t("resources.hiring.none")
    return ctx.t(
        "resources.hiring.summary",
        time_to_hire=ctx.p.resources.time_to_hire_months,
        ramp=tm.months_to_full(base.ramp_months, base.training_uplift),
    )


def baseline_table(base: Baseline, lang: str, currency: str = "CNY") -> pd.DataFrame:
    """The measured team assumptions as a small two-column table (translated labels)."""
    rows = [
        ("current_reps", i18n.number(len(base.team), lang)),
        ("managers", i18n.number(base.managers, lang)),
        ("productivity", i18n.money(base.productivity / 12.0, lang, currency)),
        ("ramp_months", i18n.number(base.ramp_months, lang)),
        ("ramp_measured", i18n.number(base.ramp_measured, lang)),
        ("attrition", i18n.pct(base.attrition, lang)),
        ("attrition_measured", i18n.pct(base.attrition_measured, lang)),
        ("spread_p10", i18n.pct(float(np.quantile(base.factors, 0.1)), lang)),
        ("spread_p90", i18n.pct(float(np.quantile(base.factors, 0.9)), lang)),
    ]
    return pd.DataFrame(
        {
            i18n.t("resources.columns.assumption", lang): [
                i18n.t(f"resources.baseline.rows.{k}", lang) for k, _ in rows
            ],
            i18n.t("resources.columns.value", lang): [v for _, v in rows],
        }
    )


# =============================================================================================== 2. incentives
def payout(
    attainment: np.ndarray | float,
    quota: np.ndarray | float,
    team_attainment: np.ndarray | float,
    r: Resources,
) -> dict[str, np.ndarray]:
    """Annual variable pay of reps at `attainment` of `quota` whose team is at `team_attainment`.

    Reads `resources.base_commission`, `team_bonus_threshold`, `team_bonus_uplift`, `accelerator`,
    `achievement_bonus`. rate = base * (1 + uplift) when the team reaches the threshold, else base;
    commission = rate * min(att, 1) * quota + rate * accelerator * max(att - 1, 0) * quota (the incremental
    breakthrough bonus is the accelerated part); achievement bonus = achievement_bonus * quota when att >= 1.
    Out: dict of arrays rate_applied, commission, accelerator_pay, achievement_bonus, payout.
    """
    att = np.asarray(attainment, dtype=float)
    q = np.asarray(quota, dtype=float)
    team = np.asarray(team_attainment, dtype=float)
    # 1e-9: a team at exactly 80.0% computed in floating point (e.g. 0.8000000000000002 or 0.7999999999999999)
    lifted = team >= r.team_bonus_threshold - 1e-9
    rate = r.base_commission * np.where(lifted, 1.0 + r.team_bonus_uplift, 1.0)
    base_part = rate * np.minimum(att, 1.0) * q
    accel = rate * r.accelerator * np.maximum(att - 1.0, 0.0) * q
    bonus = np.where(att >= 1.0 - 1e-9, r.achievement_bonus * q, 0.0)
    return {
        "rate_applied": rate,
        "commission": base_part,
        "accelerator_pay": accel,
        "achievement_bonus": bonus,
        "payout": base_part + accel + bonus,
    }


def payout_curve(quota: float, r: Resources, max_attainment: float = 1.5, step: float = 0.01) -> pd.DataFrame:
    """incentives.csv: the payout of a rep with annual `quota` for attainment 0 .. `max_attainment`.

    The team is assumed to move with the rep (team attainment = the rep's), so the 80% team rule shows as a step.
    Out: attainment, revenue, rate_applied, commission, accelerator_pay, achievement_bonus, payout, pay_ratio
    (payout / revenue).
    """
    att = np.round(np.arange(0.0, max_attainment + step / 2, step), 6)
    parts = payout(att, quota, att, r)
    df = pd.DataFrame({"attainment": att, "revenue": att * quota, **parts})
    df["pay_ratio"] = np.where(df["revenue"] > 0, df["payout"] / df["revenue"].where(df["revenue"] > 0), 0.0)
    return df


def rep_quotas(targets_rep: pd.DataFrame, plan_year: int) -> pd.DataFrame:
    """Annual quota per rep of `plan_year` from the goals step's targets_rep.csv: rep_id, team, quota."""
    _require(targets_rep, "targets_rep", ("rep_id", "team", "month", "target"))
    t = targets_rep[targets_rep["month"].astype(str).str[:4] == str(plan_year)]
    if t.empty:
        raise ValueError(f"targets_rep.csv has no rows for {plan_year}: run the goals step for that year")
    return t.groupby(["rep_id", "team"], as_index=False)["target"].sum().rename(columns={"target": "quota"})


def expected_output(quotas: pd.DataFrame, base: Baseline, plan_year: int) -> pd.DataFrame:
    """`quotas` with `expected`: what each rep sells in `plan_year` at the team's average productivity if they
    stay the year (current reps and the goals' planned hires on their ramp with the training uplift, seasonal
    output, tool efficiency; `team.ramp`, the same curve the quotas were set with). A rep not on the roster
    counts as fully ramped. Out: rep_id, team, quota, expected, ratio (expected / quota).
    """
    months = pd.period_range(f"{plan_year}-01", periods=12, freq="M")
    ros = base.roster.set_index("rep_id")
    hire = [ros["hire_month"].get(r, months[0] - 120) for r in quotas["rep_id"]]
    current = np.array([ros["kind"].get(r, "current") == "current" for r in quotas["rep_id"]], dtype=bool)
    tenure, _ = tm.schedule(hire, current, base.first_month, months)
    share = tm.ramp(tenure, base.ramp_months, base.training_uplift)
    out = np.array([base.output(per) for per in months])
    q = quotas.copy()
    q["expected"] = (share * out[None, :]).sum(axis=1)
    q["ratio"] = (q["expected"] / q["quota"].where(q["quota"] > 0)).fillna(0.0)
    return q


def historical_attainment(
    orders: pd.DataFrame, plan_of_record: pd.DataFrame | None, base: Baseline, as_of: date
) -> np.ndarray:
    """Reference only: each quota rep's actual / plan-of-record target in the year of `as_of` up to `as_of`
    (reps with >= `team.MIN_REP_MONTHS` months of target; empty without a plan of record).

    It says how the current year's quotas were met; the plan year's attainment is simulated against the new
    quotas (`simulate_incentives` with `expected_output`), not drawn from this.
    """
    if plan_of_record is None or plan_of_record.empty:
        return np.array([])
    por = plan_of_record.copy()
    por["per"] = pd.to_datetime(por["month"]).dt.to_period("M")
    last = tm.last_month(as_of)
    por = por[(por["per"].dt.year == as_of.year) & (por["per"] <= last)]
    # isin of a str column walks its argument in Python: pass the few distinct reps, not every order line.
    por = por[por["rep_id"].isin(base.team["rep_id"]) | por["rep_id"].isin(orders["rep_id"].unique())]
    if por.empty:
        return np.array([])
    o = orders[["order_date", "rep_id", "amount"]].copy()
    o["per"] = pd.to_datetime(o["order_date"]).dt.to_period("M")
    o = o[(o["per"].dt.year == as_of.year) & (o["per"] <= last)]
    actual = o.groupby("rep_id")["amount"].sum()
    plan = por.groupby("rep_id").agg(target=("target", "sum"), months=("per", "nunique"))
    plan = plan[(plan["months"] >= tm.MIN_REP_MONTHS) & (plan["target"] > 0)]
    return (actual.reindex(plan.index).fillna(0.0) / plan["target"]).to_numpy()


def simulate_incentives(
    quotas: pd.DataFrame, draws: np.ndarray, r: Resources, sims: int | None = None, seed: int | None = None
) -> pd.DataFrame:
    """Monte Carlo of the incentive plan against the plan year's quotas.

    Each rep's output is the rep's `expected` output (`expected_output`; without the column: the quota) x a
    factor drawn (with replacement) from `draws`, the spread of per-rep output around the average
    (`Baseline.factors`); attainment = output / quota. Reads `resources.simulations`, `seed` and the payout keys
    (see `payout`). A team's attainment is its members' revenue / quota; the team rule lifts the rate of every
    member of a team at or above the threshold.
    Out: one row per simulation x rep: sim, rep_id, team, quota, attainment, team_attainment, revenue, payout.
    """
    sims = r.simulations if sims is None else sims
    rng = np.random.default_rng(r.seed if seed is None else seed)
    n = len(quotas)
    if n == 0:
        raise ValueError("no rep quotas to simulate")
    if len(draws) == 0:
        raise ValueError("no historical attainment to draw from")
    q = quotas["quota"].to_numpy(dtype=float)
    teams, team_idx = np.unique(quotas["team"].to_numpy(dtype=str), return_inverse=True)
    expected = quotas["expected"].to_numpy(dtype=float) if "expected" in quotas.columns else q
    rev = rng.choice(np.asarray(draws, dtype=float), size=(sims, n)) * expected[None, :]
    att = rev / np.where(q > 0, q, np.nan)[None, :]
    att = np.nan_to_num(att, nan=0.0)
    team_rev = np.zeros((sims, len(teams)))
    team_q = np.bincount(team_idx, weights=q, minlength=len(teams))
    for j in range(len(teams)):
        team_rev[:, j] = rev[:, team_idx == j].sum(axis=1)
    team_att = (team_rev / np.where(team_q > 0, team_q, np.nan))[:, team_idx]
    pay = payout(att, q[None, :], team_att, r)["payout"]
    return pd.DataFrame(
        {
            "sim": np.repeat(np.arange(sims), n),
            "rep_id": np.tile(quotas["rep_id"].to_numpy(), sims),
            "team": np.tile(quotas["team"].to_numpy(), sims),
            "quota": np.tile(q, sims),
            "attainment": att.ravel(),
            "team_attainment": team_att.ravel(),
            "revenue": rev.ravel(),
            "payout": pay.ravel(),
        }
    )


def incentive_summary(sim: pd.DataFrame, quotas: pd.DataFrame, new_hires: int, r: Resources) -> pd.DataFrame:
    """The expected cost of the incentive plan: metric, value, unit (money | pct | number).

    Rows: expected_cost (mean over simulations of total variable pay + growth fund), cost_p10 / cost_p90,
    expected_revenue, cost_of_sales_pct (expected cost / expected revenue), share_at_quota (reps >= 100%),
    team_rule_share (teams reaching the threshold), cost_at_100 / cost_at_120 (everyone at 100% / 120%),
    growth_fund (new hires x first-deal bonus, `resources.new_hire_first_deal_bonus`).
    """
    growth_fund = new_hires * r.new_hire_first_deal_bonus
    per_sim = sim.groupby("sim").agg(cost=("payout", "sum"), revenue=("revenue", "sum"))
    per_sim["cost"] += growth_fund
    team_lift = (
        sim.drop_duplicates(["sim", "team"])["team_attainment"] >= r.team_bonus_threshold - 1e-9
    ).mean()
    q = quotas["quota"].to_numpy(dtype=float)
    at = {
        a: float(payout(np.full_like(q, a), q, np.full_like(q, a), r)["payout"].sum()) + growth_fund
        for a in (1.0, 1.2)
    }
    rows = [
        ("expected_cost", per_sim["cost"].mean(), "money"),
        ("cost_p10", per_sim["cost"].quantile(0.1), "money"),
        ("cost_p90", per_sim["cost"].quantile(0.9), "money"),
        ("expected_revenue", per_sim["revenue"].mean(), "money"),
        ("cost_of_sales_pct", per_sim["cost"].mean() / per_sim["revenue"].mean(), "pct"),
        ("share_at_quota", (sim["attainment"] >= 1.0 - 1e-9).mean(), "pct"),
        ("team_rule_share", float(team_lift), "pct"),
        ("cost_at_100", at[1.0], "money"),
        ("cost_at_120", at[1.2], "money"),
        ("growth_fund", growth_fund, "money"),
    ]
    return pd.DataFrame(rows, columns=["metric", "value", "unit"])


def attainment_histogram(sim: pd.DataFrame, width: float = 0.1) -> pd.DataFrame:
    """Simulated rep attainment binned for charting: bin_start, bin_end, share (of all simulated rep-years)."""
    top = max(1.6, float(np.ceil(sim["attainment"].quantile(0.99) / width) * width))
    edges = np.round(np.arange(0.0, top + width / 2, width), 6)
    clipped = sim["attainment"].clip(upper=edges[-1] - 1e-9)
    counts, _ = np.histogram(clipped, bins=edges)
    return pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "share": counts / counts.sum()})


def summary_table(summary: pd.DataFrame, lang: str, currency: str = "CNY") -> pd.DataFrame:
    """`incentive_summary` with translated metric names and formatted values, for display."""
    fmt = {
        "money": lambda v: i18n.money(v, lang, currency),
        "pct": lambda v: i18n.pct(v, lang),
        "number": lambda v: i18n.number(v, lang),
    }
    return pd.DataFrame(
        {
            i18n.t("resources.columns.metric", lang): [
                i18n.t(f"resources.incentives.metrics.{m}", lang) for m in summary["metric"]
            ],
            i18n.t("resources.columns.value", lang): [
                fmt[u](v) for v, u in zip(summary["value"], summary["unit"], strict=True)
            ],
        }
    )


def describe_incentive_plan(quota: float, ctx: Any) -> str:
    """The incentive plan's parts in one sentence (all numbers from `resources` params)."""
    r = ctx.p.resources
    return ctx.t(
        "resources.incentives.plan",
        base=ctx.pct(r.base_commission),
        accel=f"{r.accelerator:g}",
        bonus=ctx.pct(r.achievement_bonus),
        uplift=ctx.pct(r.team_bonus_uplift),
        threshold=ctx.pct(r.team_bonus_threshold),
        growth=ctx.money(r.new_hire_first_deal_bonus),
        quota=ctx.money(quota),
    )


def describe_attainment_source(
    quotas: pd.DataFrame, draws: np.ndarray, reference: np.ndarray, sim: pd.DataFrame, ctx: Any
) -> str:
    """How attainment is simulated (new quotas x the output spread) and, for reference, how this year's plan of
    record is being met (`historical_attainment`)."""
    text = ctx.t(
        "resources.incentives.source.simulated",
        year=ctx.plan_year,
        n=len(draws),
        p10=ctx.pct(float(np.quantile(draws, 0.1))),
        p90=ctx.pct(float(np.quantile(draws, 0.9))),
        ratio=ctx.pct(float(quotas["expected"].sum() / quotas["quota"].sum())),
        median=ctx.pct(float(sim["attainment"].median())),
    )
    if len(reference):
        text += " " + ctx.t(
            "resources.incentives.source.reference",
            year=ctx.as_of.year,
            n=len(reference),
            at_plan=ctx.pct(float((reference >= 1.0 - 1e-9).mean())),
            median=ctx.pct(float(np.median(reference))),
        )
    return text


def describe_incentives(summary: pd.DataFrame, ctx: Any) -> str:
    s = summary.set_index("metric")["value"]
    r = ctx.p.resources
    return ctx.t(
        "resources.incentives.summary",
        cost=ctx.money(s["expected_cost"]),
        p10=ctx.money(s["cost_p10"]),
        p90=ctx.money(s["cost_p90"]),
        pct=ctx.pct(s["cost_of_sales_pct"]),
        at_quota=ctx.pct(s["share_at_quota"]),
        teams=ctx.pct(s["team_rule_share"]),
        threshold=ctx.pct(r.team_bonus_threshold),
        c100=ctx.money(s["cost_at_100"]),
        c120=ctx.money(s["cost_at_120"]),
    )


# =============================================================================================== 3. budget
def fit_response(spend: np.ndarray, leads: np.ndarray, max_elasticity: float) -> tuple[float, float, float]:
    """Fit leads = a * spend^b by least squares on log(leads) = log(a) + b log(spend) (months with both > 0).

    b is clipped to [0, max_elasticity] (diminishing returns; a spend series that moved in step with its leads
    cannot show saturation, so the cap is a stated assumption), and log(a) refitted for the clipped b.
    Out: (a, b, r2 of the unclipped fit; NaN with fewer than 3 months or no spread in spend).
    """
    s = np.asarray(spend, dtype=float)
    y = np.asarray(leads, dtype=float)
    ok = (s > 0) & (y > 0)
    ls, ly = np.log(s[ok]), np.log(y[ok])
    if ok.sum() == 0:
        return 0.0, 0.0, float("nan")
    r2 = float("nan")
    b = max_elasticity
    if ok.sum() >= 3 and np.ptp(ls) > 1e-9:
        b_fit, _ = np.polyfit(ls, ly, 1)
        pred = np.polyval([b_fit, ly.mean() - b_fit * ls.mean()], ls)
        ss = ((ly - ly.mean()) ** 2).sum()
        r2 = float(1 - ((ly - pred) ** 2).sum() / ss) if ss > 0 else float("nan")
        b = float(np.clip(b_fit, 0.0, max_elasticity))
    log_a = float(np.mean(ly - b * ls))
    return math.exp(log_a), b, r2


def channel_economics(
    marketing: pd.DataFrame, opportunities: pd.DataFrame | None, as_of: date, r: Resources
) -> pd.DataFrame:
    """Per lead source: the last `history_months` of spend and leads, the response curve, win rate and AOV.

    Reads `resources.history_months`, `recent_months`, `max_elasticity`, `stopped_drop`.
    - elasticity b from the whole history (log-log fit of monthly leads on spend); the level a from the last
      `recent_months` months with that b, so a channel that stopped producing is valued at what it yields now;
    - win_rate = won / (won + lost) of opportunities of the source decided in the window, AOV = mean won amount;
      when the recent `recent_months` win rate is lower it is used (a source whose leads stopped converting);
    - stopped: leads per spend, or the win rate, in the recent months more than `stopped_drop` below the
      months before them in the window.
    Out: channel, spend_12m, leads_12m, cost_per_lead, a, b, r2, win_rate, aov, revenue_per_lead,
    yield_drop, win_rate_drop, stopped.
    """
    m = _require(marketing, "marketing", ("month", "channel", "spend", "leads")).copy()
    m["per"] = pd.to_datetime(m["month"]).dt.to_period("M")
    last = _period(as_of)
    m = m[m["per"] <= last]
    if m.empty:
        raise ValueError(f"the marketing table has no rows on or before {as_of}")
    window_start = last - r.history_months + 1
    recent_start = last - r.recent_months + 1
    opps = None
    if opportunities is not None and not opportunities.empty:
        opps = opportunities.copy()
        opps["closed"] = pd.to_datetime(opps["close_date"])
        opps = opps[opps["status"].isin(["won", "lost"]) & opps["closed"].notna()]
        opps["per"] = opps["closed"].dt.to_period("M")
        opps = opps[(opps["per"] >= window_start) & (opps["per"] <= last)]
    rows = []
    for ch, g in m.groupby("channel", sort=True):
        g = g.sort_values("per")
        win = g[g["per"] >= window_start]
        recent = g[g["per"] >= recent_start]
        before = win[win["per"] < recent_start]
        _, b, r2 = fit_response(g["spend"].to_numpy(), g["leads"].to_numpy(), r.max_elasticity)
        ok = (recent["spend"] > 0) & (recent["leads"] > 0)
        if ok.any():
            a = math.exp(
                float(np.mean(np.log(recent.loc[ok, "leads"]) - b * np.log(recent.loc[ok, "spend"])))
            )
        else:
            a = 0.0
        yield_recent = recent["leads"].sum() / recent["spend"].sum() if recent["spend"].sum() > 0 else 0.0
        yield_before = (
            before["leads"].sum() / before["spend"].sum() if before["spend"].sum() > 0 else float("nan")
        )
        yield_drop = 1.0 - yield_recent / yield_before if yield_before and yield_before > 0 else float("nan")
        win_rate = aov = wr_recent = wr_before = float("nan")
        if opps is not None:
            o = opps[opps["source"] == ch]
            won = o[o["status"] == "won"]
            if len(o):
                win_rate = len(won) / len(o)
            if len(won):
                aov = float(won["amount"].mean())
            o_recent = o[o["per"] >= recent_start]
            o_before = o[o["per"] < recent_start]
            if len(o_recent):
                wr_recent = (o_recent["status"] == "won").mean()
            if len(o_before):
                wr_before = (o_before["status"] == "won").mean()
        wr_drop = 1.0 - wr_recent / wr_before if wr_before and wr_before > 0 else float("nan")
        used_wr = min(win_rate, wr_recent) if not math.isnan(wr_recent) else win_rate
        stopped = bool((yield_drop > r.stopped_drop) or (wr_drop > r.stopped_drop))
        rows.append(
            {
                "channel": ch,
                "spend_12m": float(win["spend"].sum()),
                "leads_12m": float(win["leads"].sum()),
                "cost_per_lead": float(win["spend"].sum() / win["leads"].sum())
                if win["leads"].sum()
                else np.nan,
                "a": a,
                "b": b,
                "r2": r2,
                "win_rate": used_wr,
                "aov": aov,
                "revenue_per_lead": (used_wr * aov) if not (math.isnan(used_wr) or math.isnan(aov)) else 0.0,
                "yield_drop": yield_drop,
                "win_rate_drop": wr_drop,
                "stopped": stopped,
            }
        )
    out = pd.DataFrame(rows)
    out["revenue_per_lead"] = out["revenue_per_lead"].fillna(0.0)
    return out


def annual_leads(budget: np.ndarray | float, a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """Leads a year from an annual budget spread evenly over 12 months: 12 * a * (budget / 12)^b."""
    x = np.maximum(np.asarray(budget, dtype=float), 0.0)
    return 12.0 * np.asarray(a, dtype=float) * (x / 12.0) ** np.asarray(b, dtype=float)


def total_budget(econ: pd.DataFrame | None, p: Params) -> float:
    """The plan-year marketing budget: `resources.marketing_budget`, else `goals.marketing_budget`, else the
    last `history_months` months' spend (`econ`, from `channel_economics`; NaN when it is None: no marketing
    table)."""
    if p.resources.marketing_budget > 0:
        return float(p.resources.marketing_budget)
    if p.goals.marketing_budget > 0:
        return float(p.goals.marketing_budget)
    return float(econ["spend_12m"].sum()) if econ is not None else float("nan")


def allocate(econ: pd.DataFrame, total: float, r: Resources) -> pd.DataFrame:
    """budget.csv: the split of `total` across channels that maximises expected revenue, beside the current one.

    Reads `resources.min_share`, `max_share`, `max_growth`. Revenue of a channel = annual_leads(x) *
    revenue_per_lead; it is concave (b <= 1), so SLSQP on the shares (sum = 1, each within [min_share,
    max_share], and at most (1 + max_growth) x its current share: the fitted curve is unknown far beyond the
    spend observed) finds the optimum. The growth cap is dropped when the capped channels cannot absorb `total`.
    current_budget = the last months' split scaled to `total`.
    Out: channel, current_budget, optimal_budget, leads, customers, revenue, roi ((revenue - budget) / budget),
    current_leads, current_customers, current_revenue, current_roi, cost_per_lead, b, win_rate, aov, stopped.
    Raises ValueError when the bounds cannot hold the budget (n * max_share < 1 or n * min_share > 1).
    """
    n = len(econ)
    if n == 0:
        raise ValueError("no marketing channels to allocate")
    lo, hi = r.min_share, r.max_share
    if n * hi < 1 - 1e-9 or n * lo > 1 + 1e-9 or lo > hi:
        raise ValueError(
            f"budget shares cannot add up to 100% with {n} channels between min_share={lo} and max_share={hi}"
        )
    a = econ["a"].to_numpy(float)
    b = econ["b"].to_numpy(float)
    rpl = econ["revenue_per_lead"].to_numpy(float)
    spend = econ["spend_12m"].to_numpy(float)
    current = spend / spend.sum() * total if spend.sum() > 0 else np.full(n, total / n)

    def revenue(shares: np.ndarray) -> float:
        return float((annual_leads(shares * total, a, b) * rpl).sum())

    def neg(shares: np.ndarray) -> float:
        return -revenue(shares) / max(total, 1.0)

    def grad(shares: np.ndarray) -> np.ndarray:
        x = np.maximum(shares * total / 12.0, 1e-9)
        # d/ds [12 a (s T / 12)^b rpl] = a b (s T / 12)^(b - 1) T rpl
        return -(a * b * x ** (b - 1.0) * total * rpl) / max(total, 1.0)

    cur_share = current / total if total > 0 else np.full(n, 1 / n)
    upper = np.maximum(np.minimum(hi, cur_share * (1.0 + r.max_growth)), lo)
    if upper.sum() < 1.0 - 1e-9:
        upper = np.full(n, hi)
    start = np.clip(cur_share, lo, upper)
    best = None
    for x0 in (start / start.sum(), np.full(n, 1.0 / n)):
        res = optimize.minimize(
            neg,
            np.clip(x0, lo, upper),
            jac=grad,
            method="SLSQP",
            bounds=list(zip(np.full(n, lo), upper, strict=True)),
            constraints=[{"type": "eq", "fun": lambda s: s.sum() - 1.0, "jac": lambda s: np.ones_like(s)}],
            options={"ftol": 1e-12, "maxiter": 500},
        )
        if res.success and (best is None or res.fun < best.fun):
            best = res
    if best is None:
        raise RuntimeError(f"budget optimisation did not converge: {res.message}")
    shares = np.clip(best.x, lo, upper)
    shares = shares / shares.sum()
    optimal = shares * total
    out = pd.DataFrame({"channel": econ["channel"], "current_budget": current, "optimal_budget": optimal})
    for prefix, x in (("", optimal), ("current_", current)):
        leads = annual_leads(x, a, b)
        out[f"{prefix}leads"] = leads
        out[f"{prefix}customers"] = leads * econ["win_rate"].fillna(0.0).to_numpy()
        out[f"{prefix}revenue"] = leads * rpl
        out[f"{prefix}roi"] = np.where(x > 0, (leads * rpl - x) / np.where(x > 0, x, 1.0), np.nan)
    for col in ("cost_per_lead", "b", "win_rate", "aov", "stopped"):
        out[col] = econ[col].to_numpy()
    return out


def response_curves(alloc: pd.DataFrame, econ: pd.DataFrame, points: int = 41) -> pd.DataFrame:
    """Revenue of each channel for budgets from 0 to 1.5x the largest current or optimal budget (for the chart).

    Out: channel, budget, revenue.
    """
    top = 1.5 * float(max(alloc["current_budget"].max(), alloc["optimal_budget"].max()))
    grid = np.linspace(0.0, top, points)
    rows = [
        pd.DataFrame(
            {
                "channel": c.channel,
                "budget": grid,
                "revenue": annual_leads(grid, c.a, c.b) * c.revenue_per_lead,
            }
        )
        for c in econ.itertuples()
    ]
    return pd.concat(rows, ignore_index=True)


def describe_budget_method(ctx: Any) -> str:
    r = ctx.p.resources
    return ctx.t(
        "resources.budget.method",
        cap=f"{r.max_elasticity:g}",
        recent=r.recent_months,
        lo=ctx.pct(r.min_share),
        hi=ctx.pct(r.max_share),
        growth=ctx.pct(r.max_growth),
    )


def describe_budget(alloc: pd.DataFrame, ctx: Any) -> str:
    cur, opt = alloc["current_revenue"].sum(), alloc["revenue"].sum()
    moved = (alloc["optimal_budget"] - alloc["current_budget"]).abs().sum() / 2
    top = alloc.loc[(alloc["optimal_budget"] - alloc["current_budget"]).idxmax()]
    text = ctx.t(
        "resources.budget.summary",
        total=ctx.money(alloc["optimal_budget"].sum()),
        current=ctx.money(cur),
        optimal=ctx.money(opt),
        lift=ctx.pct(opt / cur - 1 if cur else float("nan")),
        moved=ctx.money(moved),
        top=ctx.name("lead_source", top["channel"]),
    )
    stopped = alloc[alloc["stopped"]]
    for row in stopped.itertuples():
        text += " " + ctx.t(
            "resources.budget.stopped",
            channel=ctx.name("lead_source", row.channel),
            current=ctx.money(row.current_budget),
            optimal=ctx.money(row.optimal_budget),
        )
    return text


def cost_of_sales(
    cap: pd.DataFrame,
    base: Baseline | None,
    inc_summary: pd.DataFrame,
    new_hires: int,
    marketing_total: float,
    revenue_target: float,
    r: Resources,
    lang: str = "en",
) -> pd.DataFrame:
    """The whole plan-year budget of the sales organisation: category, item, amount, basis, share.

    Reads `resources.base_salary`, `travel_per_rep`, `training_per_person`, `tools`.
    Average reps = mean planned headcount of the plan year; variable pay = the expected cost of the incentive
    plan (includes the growth fund); training: new hires x new-hire rate, current reps x core rate,
    managers x manager rate. The last row is the total; `share` is the amount / revenue target.
    Lines the data cannot price are left out: marketing when `marketing_total` is NaN (no marketing table and
    no budget in params); compensation, travel and training without a team (`base` None: no reps table).
    """
    rows = []
    if math.isfinite(marketing_total):
        rows.append(("marketing", "marketing", marketing_total, ""))
    if base is not None:
        avg_reps = float(cap["planned_headcount"].mean())
        inc = inc_summary.set_index("metric")["value"]
        rows += [
            (
                "compensation",
                "base_salary",
                avg_reps * r.base_salary,
                f"{avg_reps:.1f} x {r.base_salary:,.0f}",
            ),
            ("compensation", "variable_pay", float(inc["expected_cost"]), ""),
            ("travel", "travel", avg_reps * r.travel_per_rep, f"{avg_reps:.1f} x {r.travel_per_rep:,.0f}"),
        ]
        train = r.training_per_person
        for level, count in (("new_hires", new_hires), ("core", len(base.team)), ("managers", base.managers)):
            rate = float(train.get(level, 0.0))
            rows.append(("training", f"training_{level}", count * rate, f"{count} x {rate:,.0f}"))
    for tool in r.tools:
        basis = f"+{tool.efficiency:.0%}" if tool.efficiency else ""
        rows.append(("tools", local_text(tool.name, lang), float(tool.cost), basis))
    df = pd.DataFrame(rows, columns=["category", "item", "amount", "basis"])
    total = float(df["amount"].sum())
    df = pd.concat(
        [df, pd.DataFrame([{"category": "total", "item": "total", "amount": total, "basis": ""}])],
        ignore_index=True,
    )
    df["share"] = df["amount"] / revenue_target if revenue_target else np.nan
    return df


def has_item(costs: pd.DataFrame, item: str) -> bool:
    """Whether `cost_of_sales` priced line `item` (e.g. "marketing")."""
    return bool((costs["item"] == item).any())


def no_rows(name: str) -> pd.DataFrame:
    """Artefact `name` with its contract columns and no rows: what a part the data cannot compute hands on."""
    return pd.DataFrame(columns=list(contracts.required_columns(name)))


def cost_table(costs: pd.DataFrame, lang: str, currency: str = "CNY") -> pd.DataFrame:
    """`cost_of_sales` with translated labels and formatted numbers for display."""

    def label(item: str) -> str:
        try:
            return i18n.t(f"resources.costs.items.{item}", lang)
        except KeyError:
            return item  # a tool's own name from params

    return pd.DataFrame(
        {
            i18n.t("resources.columns.category", lang): [
                i18n.t(f"resources.costs.categories.{c}", lang) for c in costs["category"]
            ],
            i18n.t("resources.columns.item", lang): [label(i) for i in costs["item"]],
            i18n.t("resources.columns.amount", lang): [
                i18n.money(v, lang, currency, compact=False) for v in costs["amount"]
            ],
            i18n.t("resources.columns.share_of_target", lang): [i18n.pct(v, lang, 2) for v in costs["share"]],
            i18n.t("resources.columns.basis", lang): costs["basis"].tolist(),
        }
    )


def describe_costs(costs: pd.DataFrame, revenue_target: float, ctx: Any) -> str:
    total = float(costs.loc[costs["category"] == "total", "amount"].iloc[0])
    code = ctx.p.company.currency.upper()
    symbol = i18n.CURRENCY_SYMBOLS.get(code, code + " ")
    return ctx.t(
        "resources.costs.summary",
        total=ctx.money(total),
        target=ctx.money(revenue_target),
        pct=ctx.pct(total / revenue_target if revenue_target else float("nan")),
        one=f"{symbol}1",
        ret=f"{symbol}{revenue_target / total:.1f}" if total else "—",
    )


# =============================================================================================== 4. action plan
ACTION_COLUMNS = [
    "task",
    "goal",
    "owner",
    "start",
    "end",
    "depends_on",
    "kpi",
    "status",
    "source",
    "no_owner",
    "overdue",
]


def _status(declared: str, start: date, end: date, as_of: date) -> str:
    """planned | in_progress | done | overdue (not done and its end is before as_of)."""
    if declared == "done":
        return "done"
    if end < as_of:
        return "overdue"
    if declared == "in_progress" or start <= as_of:
        return "in_progress"
    return "planned"


def derived_tasks(
    hiring: pd.DataFrame,
    tiers: pd.DataFrame | None,
    funnel: pd.DataFrame | None,
    alloc: pd.DataFrame | None,
    p: Params,
    lang: str = "en",
) -> list[dict[str, Any]]:
    """Tasks that follow from the plan itself (texts from locale/resources.yaml, owners from `resources.owners`).

    - one hiring task per cohort: requisition_by .. start month (KPI productive FTE);
    - training of each hire cohort in its first month, core reps and managers in Q1 (`training_per_person` levels);
    - a playbook roll-out per customer tier of the strategy step's customer_tiers.csv (Q1, KPI tier revenue);
    - fixing the funnel's bottleneck stage (funnel.csv `bottleneck`; else the lowest conversion) in H1;
    - moving the marketing budget to the optimal split in January, and screening each stopped lead source.
    """
    year = p.plan_year
    owners = p.resources.owners

    def owner(kind: str) -> str:
        return local_text(owners.get(kind, ""), lang)

    def t(key: str, **fmt: Any) -> str:
        return i18n.t(f"resources.tasks.{key}", lang, **fmt)

    q1 = (date(year, 1, 1), date(year, 3, 31))
    tasks: list[dict[str, Any]] = []
    for row in hiring.itertuples():
        start = pd.Period(row.requisition_by, freq="M").start_time.date()
        first_day = pd.Period(row.start_month, freq="M").start_time.date()
        end = first_day - pd.Timedelta(days=1) if first_day > start else first_day
        tasks.append(
            {
                "task": t("hire", n=row.hires, start=row.start_month, productive=row.productive_from),
                "goal": "people",
                "owner": owner("hiring"),
                "start": start,
                "end": end,
                "depends_on": "",
                "kpi": "productive_fte",
            }
        )
        tasks.append(
            {
                "task": t("train_new", n=row.hires, start=row.start_month),
                "goal": "people",
                "owner": owner("training"),
                "start": first_day,
                "end": pd.Period(row.start_month, freq="M").end_time.date(),
                "depends_on": tasks[-1]["task"],
                "kpi": "ramp_months",
            }
        )
    tasks.append({"task": t("train_core"), "goal": "people", "owner": owner("training"), "start": q1[0],
                  "end": q1[1], "depends_on": "", "kpi": "win_rate"})  # fmt: skip
    tasks.append({"task": t("train_managers"), "goal": "people", "owner": owner("training"), "start": q1[0],
                  "end": date(year, 2, 28), "depends_on": "", "kpi": "target_completion"})  # fmt: skip
    if tiers is not None and "tier" in tiers.columns and len(tiers):
        counts = tiers.groupby("tier").size()
        books = (
            tiers.groupby("tier")["playbook"].first() if "playbook" in tiers.columns else pd.Series(dtype=str)
        )
        for tier in ("strategic", "profit", "nurture", "maintain"):
            if tier not in counts:
                continue
            tasks.append(
                {
                    "task": t(
                        "playbook",
                        tier=i18n.name("tier", tier, lang),
                        n=int(counts[tier]),
                        playbook=str(books.get(tier, "")),
                    ),
                    "goal": "customers",
                    "owner": owner("playbook"),
                    "start": q1[0],
                    "end": q1[1],
                    "depends_on": "",
                    "kpi": f"revenue_{tier}",
                }
            )
    if funnel is not None and len(funnel) and "conversion_rate" in funnel.columns:
        f = funnel[funnel["stage"].isin(STAGES[:-1])]
        flagged = (
            f[f["bottleneck"].astype(str).str.lower().isin(["true", "1"])] if "bottleneck" in f.columns else f
        )
        stage_row = (
            (flagged if len(flagged) else f).sort_values("conversion_rate").iloc[0] if len(f) else None
        )
        if stage_row is not None:
            tasks.append(
                {
                    "task": t(
                        "funnel",
                        stage=i18n.name("stage", stage_row["stage"], lang),
                        rate=i18n.pct(stage_row["conversion_rate"], lang),
                    ),
                    "goal": "pipeline",
                    "owner": owner("funnel"),
                    "start": q1[0],
                    "end": date(year, 6, 30),
                    "depends_on": "",
                    "kpi": f"conversion_{stage_row['stage']}",
                }
            )
    if alloc is not None and len(alloc):
        tasks.append(
            {
                "task": t("budget"),
                "goal": "pipeline",
                "owner": owner("budget"),
                "start": date(year, 1, 1),
                "end": date(year, 1, 31),
                "depends_on": "",
                "kpi": "revenue_per_marketing_yuan",
            }
        )
        for row in alloc[alloc["stopped"]].itertuples():
            tasks.append(
                {
                    "task": t("screen_channel", channel=i18n.name("lead_source", row.channel, lang)),
                    "goal": "pipeline",
                    "owner": owner("budget"),
                    "start": date(year, 1, 1),
                    "end": date(year, 2, 28),
                    "depends_on": "",
                    "kpi": "lead_conversion",
                }
            )
    return tasks


def action_plan(derived: list[dict[str, Any]], p: Params, lang: str = "en") -> pd.DataFrame:
    """action_plan.csv: the planner's tasks (`resources.tasks`) followed by the derived ones.

    Columns: task, goal, owner, start, end (ISO dates), depends_on, kpi, status (planned | in_progress | done |
    overdue against `as_of`), source (params | derived), no_owner, overdue (flags for the report).
    """
    rows = []
    for task in p.resources.tasks:
        rows.append(
            {
                "task": local_text(task.task, lang),
                "goal": task.goal,
                "owner": local_text(task.owner, lang),
                "start": task.start,
                "end": task.end,
                "depends_on": _depends_text(task.depends_on, p, lang),
                "kpi": task.kpi,
                "declared": task.status,
                "source": "params",
            }
        )
    for task in derived:
        rows.append({**task, "declared": "planned", "source": "derived"})
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=ACTION_COLUMNS)
    df["start"] = pd.to_datetime(df["start"]).dt.date
    df["end"] = pd.to_datetime(df["end"]).dt.date
    df["status"] = [
        _status(d, s, e, p.as_of) for d, s, e in zip(df["declared"], df["start"], df["end"], strict=True)
    ]
    df["no_owner"] = df["owner"].fillna("").str.strip() == ""
    df["overdue"] = df["status"] == "overdue"
    df["start"] = df["start"].astype(str)
    df["end"] = df["end"].astype(str)
    return df[ACTION_COLUMNS].reset_index(drop=True)


def _depends_text(depends_on: str, p: Params, lang: str) -> str:
    """A dependency names another params task by its English text; show that task's text in `lang`."""
    if not depends_on:
        return ""
    for task in p.resources.tasks:
        if local_text(task.task, "en") == depends_on:
            return local_text(task.task, lang)
    return depends_on


def wbs(plan: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Work breakdown structure: tasks grouped by goal and numbered 1, 1.1, 1.2 ... (display table, translated)."""
    goals = list(dict.fromkeys(plan["goal"]))
    rows = []
    for i, goal in enumerate(goals, start=1):
        rows.append({"wbs": f"{i}", "task": i18n.t(f"resources.goals.{goal}", lang) if _has_goal(goal) else goal,
                     "owner": "", "start": "", "end": "", "kpi": "", "flag": ""})  # fmt: skip
        for j, row in enumerate(plan[plan["goal"] == goal].itertuples(), start=1):
            flags = []
            if row.no_owner:
                flags.append(i18n.t("resources.actions.flag_no_owner", lang))
            if row.overdue:
                flags.append(i18n.t("resources.actions.flag_overdue", lang))
            rows.append(
                {
                    "wbs": f"{i}.{j}",
                    "task": row.task,
                    "owner": i18n.name("role", row.owner, lang) if isinstance(row.owner, str) else row.owner,
                    "start": row.start,
                    "end": row.end,
                    "kpi": i18n.name("metric", row.kpi, lang) if isinstance(row.kpi, str) else row.kpi,
                    "flag": "; ".join(flags),
                }
            )
    df = pd.DataFrame(rows, columns=["wbs", "task", "owner", "start", "end", "kpi", "flag"])
    return df.rename(columns={c: i18n.t(f"resources.columns.{c}", lang) for c in df.columns})


def _has_goal(goal: str) -> bool:
    try:
        i18n.t(f"resources.goals.{goal}", "en")
    except KeyError:
        return False
    return True


def describe_actions(plan: pd.DataFrame, ctx: Any) -> str:
    text = ctx.t(
        "resources.actions.summary",
        n=len(plan),
        params=int((plan["source"] == "params").sum()),
        derived=int((plan["source"] == "derived").sum()),
    )
    if plan["no_owner"].any() or plan["overdue"].any():
        text += " " + ctx.t(
            "resources.actions.flags",
            no_owner=int(plan["no_owner"].sum()),
            overdue=int(plan["overdue"].sum()),
        )
    return text


# =============================================================================================== what-if panel
def whatif_panel(
    ctx: Any, base: Baseline, targets: pd.Series, quota: float, econ: pd.DataFrame, total: float
) -> Any:
    """Show an interactive panel (JupyterLab only): sliders for attrition, ramp, total budget and commission.

    Each change re-runs the same pure functions the batch path uses (`capacity_plan`, `payout_curve`,
    `allocate`) with the slider values and redraws the capacity gap, the payout curve and the allocation.
    """
    import ipywidgets as w
    from IPython.display import display

    from planning.charts import resources as rc

    r = ctx.p.resources
    lang = ctx.lang
    style = {"description_width": "initial"}
    sliders = {
        "attrition": w.FloatSlider(value=base.attrition, min=0.0, max=0.6, step=0.01, readout_format=".0%",
                                   description=ctx.t("resources.whatif.attrition"), style=style),
        "ramp": w.IntSlider(value=base.ramp_months, min=0, max=12, description=ctx.t("resources.whatif.ramp"),
                            style=style),
        "budget": w.FloatSlider(value=total, min=total * 0.5, max=total * 1.5, step=total / 100,
                                readout_format=",.0f", description=ctx.t("resources.whatif.budget"), style=style),
        "commission": w.FloatSlider(value=r.base_commission, min=0.0, max=0.10, step=0.0025, readout_format=".2%",
                                    description=ctx.t("resources.whatif.commission"), style=style),
        "threshold": w.FloatSlider(value=r.team_bonus_threshold, min=0.5, max=1.0, step=0.05, readout_format=".0%",
                                   description=ctx.t("resources.whatif.threshold"), style=style),
        "uplift": w.FloatSlider(value=r.team_bonus_uplift, min=0.0, max=0.5, step=0.05, readout_format=".0%",
                                description=ctx.t("resources.whatif.uplift"), style=style),
    }  # fmt: skip
    out = w.Output()

    def redraw(_: Any = None) -> None:
        rr = r.model_copy(
            update={
                "attrition": sliders["attrition"].value,
                "ramp_months": sliders["ramp"].value,
                "base_commission": sliders["commission"].value,
                "team_bonus_threshold": sliders["threshold"].value,
                "team_bonus_uplift": sliders["uplift"].value,
            }
        )
        b = Baseline(**{**base.__dict__, "attrition": rr.attrition, "ramp_months": rr.ramp_months})
        cap, plan = capacity_plan(b, targets, rr)
        curve = payout_curve(quota, rr)
        alloc = allocate(econ, sliders["budget"].value, rr)
        with out:
            out.clear_output(wait=True)
            display(rc.capacity_chart(cap, lang))
            display(rc.payout_chart(curve, rr, lang))
            display(rc.budget_chart(alloc, lang))
            ctx.say(describe_capacity(cap, plan, b, ctx))
            ctx.say(describe_budget(alloc, ctx))

    for s in sliders.values():
        s.observe(redraw, names="value")
    redraw()
    panel = w.VBox([w.HBox(list(sliders.values())[:3]), w.HBox(list(sliders.values())[3:]), out])
    display(panel)
    return panel
