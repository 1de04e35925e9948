"""The plan: the annual target, the reps' quotas (target + flex buffer), decomposed year -> quarter -> month ->
week and month -> team -> rep.

`plan(inputs, p)` is the batch run's plan; `whatif(inputs, levers)` the same for any levers (the sliders):

1. `calibration.calibrate`: the four estimates -> the calibrated target, which is the annual target (the
   company's commitment, the plan of record the review measures against);
2. `needed_hires`: planned hires (goals.planned_hires) are kept only where the team without them falls short of
   the reps' quotas (that target + the flex buffer);
3. `flex_buffer`: the buffer (goals.buffer, the 10-15% reserve of the method) is over-assigned to the reps
   (quota padding): their quotas sum to target x (1 + buffer), so the company still reaches its target when
   reps reach 1 / (1 + buffer) of quota, and sudden opportunities are what fills the rest. The only place its
   amount is computed (docs/method.md, "The flex buffer");
4. `split_calendar`: year -> month (seasonality of step 1) -> working day -> ISO week; quarter = its months;
   done for the target and for the quota (targets.csv `target`, `quota`);
5. `split_reps`: the month's quota -> team -> rep (ramp-adjusted capacity x territory potential);
6. `position`: the target and the quota stated against each calibration dimension and the forecast interval
   (target_position.csv); SMART "achievable" is judged on it.

Every split is in integer cents with largest-remainder rounding (`allocate`), so every level sums exactly to its
parent (`sums_exact` checks it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planning.goals import calibration
from planning.goals import forecast as fc
from planning.goals.prepare import Inputs, Levers, levers_from

if TYPE_CHECKING:
    from planning.params import Params

MONTHS = 12
CENT = 0.005  # half a cent: two amounts closer than this are equal
TARGETS_REP_COLUMNS = ["rep_id", "name", "team", "kind", "month", "target", "ramp", "capacity"]


# ------------------------------------------------------------------------------------------------ allocation
def allocate(total: int, weights: Any) -> np.ndarray:
    """Split integer `total` (e.g. cents) over `weights` by largest remainder: exact sum, each part within 1 of
    its proportional share. All-zero weights split evenly. Raises ValueError for a negative total or weight.
    """
    w = np.asarray(weights, dtype=float).reshape(1, -1)
    return allocate_rows(np.array([int(total)], dtype=np.int64), w)[0]


def allocate_rows(totals: Any, weights: Any) -> np.ndarray:
    """Row-wise largest-remainder split: `totals` (n,) integers over `weights` (n, k) -> (n, k) int64.

    Each row sums exactly to its total; ties in the remainders go to the earlier column (deterministic).
    """
    totals = np.asarray(totals, dtype=np.int64)
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or w.shape[0] != totals.shape[0]:
        raise ValueError(f"weights of shape {w.shape} do not match {totals.shape[0]} totals")
    if w.shape[1] == 0:
        if np.any(totals != 0):
            raise ValueError("cannot allocate a non-zero total over zero parts")
        return np.zeros(w.shape, dtype=np.int64)
    if np.any(totals < 0):
        raise ValueError("cannot allocate a negative total")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    s = w.sum(axis=1, keepdims=True)
    w = np.where(s > 0, w, 1.0)
    s = w.sum(axis=1, keepdims=True)
    exact = totals[:, None].astype(float) * (w / s)
    base = np.floor(exact).astype(np.int64)
    # Float rounding on huge totals can push a floor one unit over: take it back from the largest part.
    over = base.sum(axis=1) - totals
    for i in np.nonzero(over > 0)[0]:
        base[i, np.argmax(base[i])] -= over[i]
    rest = totals - base.sum(axis=1)
    frac = exact - base
    order = np.argsort(-frac, axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(w.shape[1])[None, :].repeat(w.shape[0], 0), axis=1)
    return base + (rank < rest[:, None]).astype(np.int64)


def cents(x: float) -> int:
    return int(round(float(x) * 100))


# ------------------------------------------------------------------------------------------------ flex buffer
@dataclass(frozen=True)
class Buffer:
    """The flex buffer over-assigned to the reps above the annual target (quota padding)."""

    target_cents: int  # the annual target in cents: the calibrated target, rounded to the cent
    quota_cents: int  # the reps' quotas in total, cents: target x (1 + buffer), rounded to the cent
    target: float  # the annual target, currency
    quota: float  # the reps' quotas in total, currency
    amount: float  # quota - target (in cents), the buffer's amount


def flex_buffer(committed: float, buffer: float) -> Buffer:
    """The flex buffer (弹性空间, goals.buffer through `Levers.buffer`), over-assigned: the annual target stays the
    calibrated target; the reps' quotas add the buffer on top (quota padding). The reserve is the distance
    between what reps are asked and what the company commits: reps at 1 / (1 + buffer) of quota still deliver
    the target, and a sudden opportunity fills the rest. Out: target and quota in cents and currency, and the
    buffer's amount."""
    target_c = cents(committed)
    quota_c = cents(committed * (1.0 + buffer))
    return Buffer(target_c, quota_c, target_c / 100, quota_c / 100, (quota_c - target_c) / 100)


# ------------------------------------------------------------------------------------------------ hires
def _keep_reps(inputs: Inputs, keep: np.ndarray) -> Inputs:
    """`inputs` with only the roster rows where `keep` is True (their schedule and team index follow)."""
    ros = inputs.roster[keep].reset_index(drop=True)
    teams = sorted(ros["team"].unique().tolist())
    return replace(
        inputs,
        roster=ros,
        tenure=inputs.tenure[keep],
        elapsed=inputs.elapsed[keep],
        teams=teams,
        team_of=np.array([teams.index(t) for t in ros["team"]], dtype=int),
    )


def needed_hires(inputs: Inputs, levers: Levers) -> tuple[Inputs, int]:
    """Planned hires (goals.planned_hires) only where the team without them falls short of what the reps are
    asked to deliver: the quotas, the calibrated target + the flex buffer (METHOD 4: hires needed given ramp time
    and attrition; SMART achievable judges the quotas against the team capacity). The latest-starting hire is
    left out first while the team estimate without it still reaches the quotas calibrated with every hire; an
    earlier hire adds more, so the first one the team cannot spare stops the search. Leaving out a hire never
    lowers the target: under the "min" rule the team without it is still above the minimum.

    Out: the inputs with the needed hires only, and how many planned hires were left out.
    """
    hire = (inputs.roster["kind"] == "hire").to_numpy()
    if not hire.any():
        return inputs, 0
    quota = flex_buffer(calibration.calibrate(inputs, levers).committed, levers.buffer).quota
    keep = np.ones(len(hire), dtype=bool)
    latest_first = inputs.roster.index[hire][
        np.argsort(-inputs.roster.loc[hire, "start"].rank(method="first"))
    ]
    for i in latest_first:
        trial = keep.copy()
        trial[i] = False
        if not calibration.team_dimension(_keep_reps(inputs, trial), levers).total >= quota - CENT:
            break
        keep = trial
    dropped = int(hire.sum() - (hire & keep).sum())
    return (inputs if dropped == 0 else _keep_reps(inputs, keep)), dropped


# ------------------------------------------------------------------------------------------------ the plan
@dataclass
class Plan:
    """One calibration + needed hires + flex buffer + decomposition (the output of `whatif`)."""

    levers: Levers
    dimensions: pd.DataFrame  # calibration.dimensions(): dimension, component, amount, kind, explain(_args)
    estimates: dict[str, float]  # ambition, market, team, resources (NaN when not computable)
    binding: str  # the dimension that set the calibrated target
    committed: float  # calibrated target (= the annual target)
    target: float  # the annual target (the company's commitment), currency
    quota: float  # the reps' quotas in total: target + flex buffer, currency
    calibration: pd.DataFrame  # calibration.waterfall(): step, component, amount, kind, explain(_args)
    targets: pd.DataFrame  # level, period, start, end, target, quota, working_days
    targets_rep: pd.DataFrame  # rep_id, name, team, kind, month, target (the rep's quota), ramp, capacity
    resources: dict[
        str, float
    ]  # leads, customers, extra customers, value per new customer, existing business
    capacity_rep: np.ndarray  # (reps, 12) capacity with all levers
    inputs: Inputs  # the inputs the plan was computed on: the roster holds the needed hires only
    hires_dropped: int = 0  # planned hires left out: the team reaches the target without them


def whatif(inputs: Inputs, levers: Levers) -> Plan:
    """Keep the needed hires, calibrate the target for `levers`, over-assign the flex buffer to the reps and
    decompose to quarter, month, ISO week, team and rep. Pure: the same inputs and levers give the same plan
    (the batch run and the sliders call it)."""
    inputs, dropped = needed_hires(inputs, levers)
    cal = calibration.calibrate(inputs, levers)
    buf = flex_buffer(cal.committed, levers.buffer)
    targets, targets_rep = split(inputs, buf, cal.team.capacity_rep, cal.team.ramp_rep)
    return Plan(
        levers=levers,
        dimensions=calibration.dimensions(inputs, cal, dropped),
        estimates=cal.estimates,
        binding=cal.binding,
        committed=cal.committed,
        target=buf.target,
        quota=buf.quota,
        calibration=calibration.waterfall(inputs, cal, buf.target, buf.amount, buf.quota),
        targets=targets,
        targets_rep=targets_rep,
        resources=cal.resources.as_dict(),
        capacity_rep=cal.team.capacity_rep,
        inputs=inputs,
        hires_dropped=dropped,
    )


def plan(inputs: Inputs, p: Params) -> Plan:
    """The batch plan: `whatif` with the levers the parameters set (`prepare.levers_from`)."""
    return whatif(inputs, levers_from(p, inputs))


# ------------------------------------------------------------------------------------------------ splits
def split_calendar(inputs: Inputs, total_c: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Year -> month (seasonality) -> day (working days) -> week; quarter = its months.

    Out: targets (level year|quarter|month|week, period, start, end, target, working_days) and the months'
    cents (12,).
    """
    y = inputs.plan_year
    month_c = allocate(total_c, inputs.season)
    day_c = np.zeros(len(inputs.day_weight), dtype=np.int64)
    mday = inputs.month_of_day
    for m in range(MONTHS):
        sel = mday == m
        day_c[sel] = allocate(int(month_c[m]), inputs.day_weight[sel])
    week_c = np.bincount(inputs.week_of_day, weights=day_c, minlength=len(inputs.week_labels)).astype(
        np.int64
    )
    week_days = np.bincount(inputs.week_of_day, weights=inputs.day_weight, minlength=len(inputs.week_labels))
    month_days = np.bincount(mday, weights=inputs.day_weight, minlength=MONTHS)
    quarter_c = month_c.reshape(4, 3).sum(axis=1)
    month_starts = pd.date_range(f"{y}-01-01", periods=12, freq="MS")
    month_ends = month_starts + pd.offsets.MonthEnd(0)
    rows = {
        "level": ["year"] + ["quarter"] * 4 + ["month"] * 12 + ["week"] * len(inputs.week_labels),
        "period": [str(y)]
        + [f"{y}-Q{q}" for q in range(1, 5)]
        + [m.strftime("%Y-%m") for m in month_starts]
        + list(inputs.week_labels),
        "start": [f"{y}-01-01"]
        + [f"{y}-{3 * q + 1:02d}-01" for q in range(4)]
        + [m.strftime("%Y-%m-%d") for m in month_starts]
        + list(inputs.week_start),
        "end": [f"{y}-12-31"]
        + [month_ends[3 * q + 2].strftime("%Y-%m-%d") for q in range(4)]
        + [m.strftime("%Y-%m-%d") for m in month_ends]
        + list(inputs.week_end),
        "target": np.concatenate([[total_c], quarter_c, month_c, week_c]) / 100,
        "working_days": np.concatenate(
            [[month_days.sum()], month_days.reshape(4, 3).sum(axis=1), month_days, week_days]
        ).astype(int),
    }
    return pd.DataFrame(rows), month_c


def split_reps(
    inputs: Inputs, month_c: np.ndarray, capacity_rep: np.ndarray, ramp_rep: np.ndarray
) -> pd.DataFrame:
    """Month -> team -> rep, by capacity (reps, 12) x territory potential. Out: targets_rep (rep_id, name, team,
    kind, month, target, ramp, capacity), one row per rep and month; empty without reps."""
    ros = inputs.roster
    n = len(ros)
    if n == 0:
        return pd.DataFrame(columns=TARGETS_REP_COLUMNS)
    weight = capacity_rep * ros["potential"].to_numpy(dtype=float)[:, None]  # (reps, 12)
    team_w = np.zeros((len(inputs.teams), MONTHS))
    np.add.at(team_w, inputs.team_of, weight)
    team_c = allocate_rows(month_c, team_w.T)  # (12, teams)
    rep_c = np.zeros((n, MONTHS), dtype=np.int64)
    for t in range(len(inputs.teams)):
        members = np.nonzero(inputs.team_of == t)[0]
        rep_c[members, :] = allocate_rows(team_c[:, t], weight[members, :].T).T
    months = pd.date_range(f"{inputs.plan_year}-01-01", periods=12, freq="MS").strftime("%Y-%m").tolist()
    return pd.DataFrame(
        {
            "rep_id": np.repeat(ros["rep_id"].to_numpy(), MONTHS),
            "name": np.repeat(ros["name"].to_numpy(), MONTHS),
            "team": np.repeat(ros["team"].to_numpy(), MONTHS),
            "kind": np.repeat(ros["kind"].to_numpy(), MONTHS),
            "month": months * n,
            "target": rep_c.ravel() / 100,
            "ramp": ramp_rep.ravel(),
            "capacity": capacity_rep.ravel(),
        }
    )


def split(
    inputs: Inputs, buf: Buffer, capacity_rep: np.ndarray, ramp_rep: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The target and the quota (`buf`, cents) to targets (year, quarters, months, weeks: `target` and `quota`,
    each level summing exactly to its parent) and the months' quotas to targets_rep (month -> team -> rep)."""
    targets, _ = split_calendar(inputs, buf.target_cents)
    quotas, month_q = split_calendar(inputs, buf.quota_cents)
    targets.insert(targets.columns.get_loc("target") + 1, "quota", quotas["target"].to_numpy())
    return targets, split_reps(inputs, month_q, capacity_rep, ramp_rep)


# ------------------------------------------------------------------------------------------------ checks, rollups
def sums_exact(plan: Plan) -> bool:
    """True when quarters, months and weeks each sum to the year (target and quota) and the reps' quotas to their
    month's quota, in cents."""
    t = plan.targets
    ok = True
    for col in ("target", "quota"):
        c = (t[col] * 100).round().astype("int64")
        year = int(c[t["level"] == "year"].iloc[0])
        ok &= all(int(c[t["level"] == lv].sum()) == year for lv in ("quarter", "month", "week"))
        months = t[t["level"] == "month"].set_index("period")[col].mul(100).round().astype("int64")
        for q in range(4):
            ok &= int(months.iloc[3 * q : 3 * q + 3].sum()) == int(c[t["level"] == "quarter"].iloc[q])
    r = plan.targets_rep
    if len(r):
        by_month = (r["target"] * 100).round().astype("int64").groupby(r["month"]).sum()
        ok &= bool((by_month.reindex(months.index).to_numpy() == months.to_numpy()).all())
    return bool(ok)


def team_targets(plan: Plan) -> pd.DataFrame:
    """Per team: team, reps (current), hires, quota (year), share. Sums exactly to the reps' quotas (the annual
    target + the flex buffer)."""
    r = plan.targets_rep
    if r.empty:
        return pd.DataFrame(columns=["team", "reps", "hires", "quota", "share"])
    people = r.drop_duplicates("rep_id")
    out = (
        r.assign(c=(r["target"] * 100).round().astype("int64"))
        .groupby("team", sort=True)["c"]
        .sum()
        .rename("target")
        .reset_index()
    )
    out["reps"] = (
        out["team"].map(people[people["kind"] == "current"].groupby("team").size()).fillna(0).astype(int)
    )
    out["hires"] = (
        out["team"].map(people[people["kind"] == "hire"].groupby("team").size()).fillna(0).astype(int)
    )
    out["quota"] = out["target"] / 100
    out["share"] = out["quota"] / out["quota"].sum()
    return out[["team", "reps", "hires", "quota", "share"]]


def team_capacity(plan: Plan, inputs: Inputs) -> pd.DataFrame:
    """The team dimension month by month (the artefact the resources step builds its capacity on).

    Out: month "YYYY-MM", reps_capacity (quota reps on their ramp with the training uplift, survival to
    mid-month), tools (x tool efficiency), house (the month's baseline x the share of sales not carried by quota
    reps), capacity (their sum). Over the year capacity sums to the team estimate of the calibration.
    """
    months = pd.period_range(f"{inputs.plan_year}-01", periods=MONTHS, freq="M").strftime("%Y-%m")
    with_tools = plan.capacity_rep.sum(axis=0) if len(plan.capacity_rep) else np.zeros(MONTHS)
    reps = with_tools / (1.0 + plan.levers.tool_efficiency)
    house = inputs.baseline_monthly * inputs.house_share
    return pd.DataFrame(
        {
            "month": list(months),
            "reps_capacity": reps,
            "tools": with_tools - reps,
            "house": house,
            "capacity": with_tools + house,
        }
    )


# ------------------------------------------------------------------------------------------------ vs forecast
def forecast_vs_plan(result: fc.Result, plan: Plan) -> pd.DataFrame:
    """Monthly history (last 24 months), the chosen forecast with its interval, and the plan's monthly targets.

    Out (long, for the chart): month "YYYY-MM", series ("actual" | "forecast" | "target"), value, lower, upper.
    """
    hist = result.history.iloc[-24:]
    rows = [
        pd.DataFrame({"month": hist.index.strftime("%Y-%m"), "series": "actual", "value": hist.to_numpy()}),
    ]
    chosen = result.forecast[result.forecast["chosen"]]
    rows.append(
        pd.DataFrame(
            {
                "month": chosen["month"],
                "series": "forecast",
                "value": chosen["forecast"],
                "lower": chosen["lower"],
                "upper": chosen["upper"],
            }
        )
    )
    months = plan.targets[plan.targets["level"] == "month"]
    rows.append(pd.DataFrame({"month": months["period"], "series": "target", "value": months["target"]}))
    out = pd.concat(rows, ignore_index=True)
    return out[["month", "series", "value", "lower", "upper"]] if "lower" in out else out


def monthly_comparison(result: fc.Result, plan: Plan, p: Params) -> pd.DataFrame:
    """Plan year side by side: month, forecast (chosen model), lower, upper, target, gap (target - forecast),
    quota (the reps' quotas: target + flex buffer).

    Reads plan_year."""
    base = fc.plan_year_baseline(result, p.plan_year)
    months = plan.targets[plan.targets["level"] == "month"].set_index("period")["target"]
    out = pd.DataFrame(
        {
            "month": base["month"],
            "forecast": base["baseline"],
            "lower": base["lower"],
            "upper": base["upper"],
            "target": months.reindex(base["month"]).to_numpy(),
        }
    )
    out["gap"] = out["target"] - out["forecast"]
    quota = plan.targets[plan.targets["level"] == "month"].set_index("period")["quota"]
    out["quota"] = quota.reindex(base["month"]).to_numpy()
    return out


# ------------------------------------------------------------------------------------------------ position
#: What each figure is stated against. A `limit` bounds "achievable": the target must stay within the market,
#: the team and the resources (three-dimensional calibration) and below the forecast's upper bound; the reps'
#: quotas within the team's capacity (what reps can deliver) and below the forecast's upper bound. Ambition is
#: intent and the forecast's lower bound a floor of what is likely: stated, never a limit.
LIMITS = {("target", "market"), ("target", "team"), ("target", "resources"), ("target", "forecast"),
          ("quota", "team"), ("quota", "forecast")}  # fmt: skip
POSITION_COLUMNS = ["measure", "period", "amount", "reference", "lower", "upper", "position", "limit"]


def _position(amount: float, lower: float, upper: float) -> str:
    """below | within | above | unknown: `amount` against [lower, upper] (NaN lower = no floor), to the cent."""
    if not math.isfinite(upper):
        return "unknown"
    if amount > upper + CENT:
        return "above"
    if math.isfinite(lower) and amount < lower - CENT:
        return "below"
    return "within"


def position(plan: Plan) -> pd.DataFrame:
    """The annual target and the reps' quotas stated against each calibration dimension and the chosen forecast's
    interval (goals.interval), for the year and for each month (artefact target_position.csv).

    Out (POSITION_COLUMNS): measure (target | quota), period (the plan year "YYYY" or a month "YYYY-MM"), amount,
    reference (ambition | market | team | resources | forecast; team_without_hires: the team without its planned
    hires, why they are needed, when it has any), lower (the forecast's lower bound; NaN for a dimension), upper
    (the dimension's estimate or the forecast's upper bound), position (below | within | above | unknown when
    the data could not compute the reference), limit (the year's row bounds SMART "achievable",
    `LIMITS`; months and ambition are stated only: a month's 80% band is missed by one month in five even by the
    actual outcome). The year's forecast band sums the months' bounds.
    """
    inputs = plan.inputs
    year = str(inputs.plan_year)
    lo_m, hi_m = inputs.baseline_lower, inputs.baseline_upper
    months = plan.targets[plan.targets["level"] == "month"]
    rows = []
    for measure, amount in (("target", plan.target), ("quota", plan.quota)):
        for ref, est in plan.estimates.items():
            rows.append((measure, year, amount, ref, math.nan, est, _position(amount, math.nan, est),
                         (measure, ref) in LIMITS))  # fmt: skip
        lo, hi = float(np.sum(lo_m)), float(np.sum(hi_m))
        rows.append((measure, year, amount, "forecast", lo, hi, _position(amount, lo, hi),
                     (measure, "forecast") in LIMITS))  # fmt: skip
        for period, value, lo, hi in zip(months["period"], months[measure], lo_m, hi_m, strict=True):
            rows.append((measure, period, float(value), "forecast", float(lo), float(hi),
                         _position(float(value), float(lo), float(hi)), False))  # fmt: skip
    hires = (inputs.roster["kind"] == "hire").to_numpy()
    if (
        hires.any()
    ):  # why the kept hires are needed: the team without them against the quotas (`needed_hires`)
        without = calibration.team_dimension(_keep_reps(inputs, ~hires), plan.levers).total
        rows.append(("quota", year, plan.quota, "team_without_hires", math.nan, without,
                     _position(plan.quota, math.nan, without), False))  # fmt: skip
    return pd.DataFrame(rows, columns=POSITION_COLUMNS)


def within_limits(pos: pd.DataFrame) -> bool:
    """SMART "achievable" of the annual revenue: no limiting row of `position` is above its reference (a
    reference the data could not compute does not count)."""
    return not bool(((pos["limit"]) & (pos["position"] == "above")).any())
