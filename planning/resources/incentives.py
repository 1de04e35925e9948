"""Incentives: a plan made of parts rather than one commission rate, its payout curve and its expected cost.

- `payout`: commission (rate x attainment up to 100%), the breakthrough (accelerator) bonus above quota, the
  target-achievement bonus at quota, and the team collaboration bonus: the 80% team rule lifts every member's
  rate by `resources.team_bonus_uplift` once the team reaches `team_bonus_threshold`;
- `payout_curve` (incentives.csv), a Monte Carlo of rep attainment against the plan year's quotas
  (`rep_quotas`, `expected_output`, `simulate_incentives`) and its cost (`incentive_summary`, with the new hires'
  first-deal growth fund);
- `historical_attainment`: how this year's plan of record is being met, for reference.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planning import team as tm
from planning.data import require

if TYPE_CHECKING:
    from planning.params import Params, Resources
    from planning.resources.capacity import Baseline


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


def rep_quotas(targets_rep: pd.DataFrame, p: Params) -> pd.DataFrame:
    """Annual quota per rep of the plan year from the goals step's targets_rep.csv: rep_id, team, quota.

    Reads `plan_year`.
    """
    plan_year = p.plan_year
    require(targets_rep, "targets_rep", ("rep_id", "team", "month", "target"))
    t = targets_rep[targets_rep["month"].astype(str).str[:4] == str(plan_year)]
    if t.empty:
        raise ValueError(f"targets_rep.csv has no rows for {plan_year}: run the goals step for that year")
    return t.groupby(["rep_id", "team"], as_index=False)["target"].sum().rename(columns={"target": "quota"})


def expected_output(
    quotas: pd.DataFrame, base: Baseline, p: Params, capacity: float | None = None
) -> pd.DataFrame:
    """`quotas` with `expected`: what each rep sells in the plan year (`plan_year`).

    Each rep's modelled output is the capacity model's (`capacity._cohorts`): a ramped rep's seasonal output
    with tools x `team.ramp` (the training uplift included, the same curve the quotas were set with) x
    `team.survival` (the planned attrition); a rep not on the roster counts as fully ramped. With `capacity`
    (the team's capacity of the plan year, the shared fact team_capacity: capacity.csv summed, house sales and
    resources' additional hires included) the outputs are scaled to add up to it, so that the incentive
    simulation expects the revenue the capacity model plans. Out: rep_id, team, quota, expected, ratio
    (expected / quota).
    """
    months = pd.period_range(f"{p.plan_year}-01", periods=12, freq="M")
    ros = base.roster.set_index("rep_id")
    hire = [ros["hire_month"].get(r, months[0] - 120) for r in quotas["rep_id"]]
    current = np.array([ros["kind"].get(r, "current") == "current" for r in quotas["rep_id"]], dtype=bool)
    tenure, elapsed = tm.schedule(hire, current, base.first_month, months)
    share = tm.ramp(tenure, base.ramp_months, base.training_uplift)
    alive = tm.survival(elapsed, base.attrition) * (elapsed > 0)
    out = np.array([base.output(per) for per in months])
    q = quotas.copy()
    modelled = (share * alive * out[None, :]).sum(axis=1)
    total = float(modelled.sum())
    q["expected"] = modelled * (capacity / total) if capacity is not None and total > 0 else modelled
    q["ratio"] = (q["expected"] / q["quota"].where(q["quota"] > 0)).fillna(0.0)
    return q


def historical_attainment(
    orders: pd.DataFrame, plan_of_record: pd.DataFrame | None, base: Baseline, p: Params
) -> np.ndarray:
    """Reference only: each quota rep's actual / plan-of-record target in the year of `as_of` up to `as_of`
    (reps with >= `team.MIN_REP_MONTHS` months of target; empty without a plan of record). Reads `as_of`.

    It says how the current year's quotas were met; the plan year's attainment is simulated against the new
    quotas (`simulate_incentives` with `expected_output`), not drawn from this.
    """
    if plan_of_record is None or plan_of_record.empty:
        return np.array([])
    as_of = p.as_of
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
    (`Baseline.factors`) rescaled to mean 1, so that the simulation's expectation is the expected output;
    attainment = output / quota. Reads `resources.simulations`, `seed` and the payout keys
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
    d = np.asarray(draws, dtype=float)
    d = d / d.mean() if d.mean() > 0 else np.ones_like(d)
    rev = rng.choice(d, size=(sims, n)) * expected[None, :]
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
    expected_revenue (the reps' expected output summed: the team's capacity, see `expected_output`),
    simulated_revenue (the mean over simulations, within sampling error of it), cost_of_sales_pct (expected cost / expected revenue), share_at_quota (reps >= 100%),
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
    expected = float(quotas["expected"].sum()) if "expected" in quotas.columns else float(q.sum())
    at = {
        a: float(payout(np.full_like(q, a), q, np.full_like(q, a), r)["payout"].sum()) + growth_fund
        for a in (1.0, 1.2)
    }
    rows = [
        ("expected_cost", per_sim["cost"].mean(), "money"),
        ("cost_p10", per_sim["cost"].quantile(0.1), "money"),
        ("cost_p90", per_sim["cost"].quantile(0.9), "money"),
        ("expected_revenue", expected, "money"),
        ("simulated_revenue", per_sim["revenue"].mean(), "money"),
        ("cost_of_sales_pct", per_sim["cost"].mean() / expected if expected > 0 else float("nan"), "pct"),
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
