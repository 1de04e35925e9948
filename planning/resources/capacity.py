"""People: the team the plan starts from, its month-by-month capacity against the goals' targets, and the hiring
plan that closes the gap given time to hire, ramp and attrition.

- `team_baseline`: the current quota reps measured once in `planning.team` (productivity, ramp, attrition, the
  per-rep spread) plus the goals step's planned hires and house sales;
- `capacity_plan`: capacity.csv (productive FTE x output of a ramped rep, tools, house sales, P10-P90) and the
  hiring plan (`plan_hires`: additional hires only where the gap exceeds `resources.hire_threshold`).
The talent reserve is the gap the plan leaves to overtime and the flex reserve (`remaining_gap`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planning import facts
from planning import team as tm
from planning.data import require
from planning.resources.common import month_str

if TYPE_CHECKING:
    from planning.params import Params, Resources

#: The order-line columns this step reads (`Context.data` reads only these of the orders file: on a 10 M-line
#: history the others would cost seconds and memory for nothing). A new use of another column goes here too.
ORDER_COLUMNS = ("order_date", "rep_id", "channel", "amount")


def monthly_survival(annual_attrition: float) -> float:
    """Share of reps still employed one month later when `annual_attrition` of them leave within a year."""
    return float(tm.survival(1.0, annual_attrition))


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
    ramp_full: int = -1  # months after the month of hire to full output (the shared fact ramp_months)

    def __post_init__(self) -> None:
        if self.ramp_full < 0:  # not handed on: the same definition as the goals step's fact
            self.ramp_full = tm.months_to_full(self.ramp_months, self.training_uplift)

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
        return float(self.house.get(month_str(per), 0.0))


def season_index(seasonality: pd.DataFrame | None) -> dict[int, float]:
    """Month-of-year index from the market step's seasonality.csv (month_of_year, index), rescaled to mean 1.

    Reps sell more in a strong month just as demand is higher, so capacity follows the same profile as the
    targets; without the table every month is 1.0.
    """
    if seasonality is None or seasonality.empty:
        return dict.fromkeys(range(1, 13), 1.0)
    require(seasonality, "seasonality", ("month_of_year", "index"))
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
    p: Params,
    seasonality: pd.DataFrame | None = None,
    targets_rep: pd.DataFrame | None = None,
    team_capacity: pd.DataFrame | None = None,
    shared: pd.DataFrame | None = None,
) -> Baseline:
    """The team of the plan: current quota reps measured by `planning.team.measure` + the goals' planned hires.

    Reads `as_of` (the end of the measurement) and, through `team.measure`, resources.ramp_months,
    ramp_fallback_months, attrition, attrition_months, goals.capacity_basis; goals.training_uplift and tool_efficiency (the levers the target was calibrated with).
    `seasonality` (market step) shapes monthly output; `targets_rep` (goals step) brings the planned hires;
    `team_capacity` (goals step) the monthly sales not carried by quota reps (house accounts).
    `shared` (the goals step's facts, `store.read_facts`): the ramp (ramp_curve_months, ramp_months), the planned
    attrition and the productivity the goals step measured are read from it, not measured again.
    None without a reps table (or one without rows for the region): the people plan cannot be measured.
    """
    if reps is None or reps.empty:
        return None
    require(reps, "reps", ("rep_id", "team", "role", "hire_date", "exit_date"))
    crew = tm.measure(orders, reps, p)
    if crew.productivity <= 0:
        raise ValueError(f"no quota rep has sales in the 12 months before {p.as_of}: cannot measure output")
    current = crew.roster.assign(kind="current")[["rep_id", "team", "kind", "hire_month"]]
    hires = planned_hires(targets_rep).assign(kind="hire")[["rep_id", "team", "kind", "hire_month"]]
    roster = pd.concat([current, hires], ignore_index=True) if len(hires) else current
    house = {}
    if team_capacity is not None and {"month", "house"} <= set(team_capacity.columns):
        house = dict(
            zip(team_capacity["month"].astype(str), team_capacity["house"].astype(float), strict=True)
        )
    curve = facts.value(shared, "ramp_curve_months")
    full = facts.value(shared, "ramp_months")
    return Baseline(
        productivity=facts.value(shared, "productivity", crew.productivity),
        ramp_months=int(crew.ramp_months if curve is None else curve),
        attrition=facts.value(shared, "attrition_planned", crew.attrition),
        roster=roster.reset_index(drop=True),
        first_month=crew.first_month,
        factors=crew.factors,
        season=season_index(seasonality),
        training_uplift=p.goals.training_uplift,
        tool_efficiency=p.goals.tool_efficiency,
        house=house,
        crew=crew,
        ramp_full=-1 if full is None else int(full),
    )


def monthly_targets(targets: pd.DataFrame, p: Params) -> pd.Series:
    """The goals step's monthly targets of the plan year as a Series indexed by Period (targets.csv, level month).

    Reads `plan_year`. Raises ValueError when targets.csv has no month of that year.
    """
    plan_year = p.plan_year
    require(targets, "targets", ("level", "period", "target"))
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
    df.insert(0, "month", [month_str(p) for p in df["per"]])
    df = df.drop(columns="per").reset_index(drop=True)
    full = base.ramp_full
    cohorts = [(pd.Period(h, freq="M"), 1, "goals") for h in base.planned["hire_month"]]
    cohorts += [(base.first_month + h, int(k), "additional") for h, k in hires.items()]
    grouped: dict[tuple[pd.Period, str], int] = {}
    for start, k, source in cohorts:
        grouped[(start, source)] = grouped.get((start, source), 0) + k
    plan = pd.DataFrame(
        [
            {
                "start_month": month_str(start),
                "hires": k,
                "source": source,
                "requisition_by": month_str(start - r.time_to_hire_months),
                "productive_from": month_str(start + full),
            }
            for (start, source), k in sorted(grouped.items(), key=lambda x: (x[0][0], x[0][1] != "goals"))
        ],
        columns=["start_month", "hires", "source", "requisition_by", "productive_from"],
    )
    return df, plan
