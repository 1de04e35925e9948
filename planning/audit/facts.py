"""Shared facts equal wherever they are shown, and hires only where capacity falls short.

Sources: METHOD.md 2. Goals (team dimension: "ramp of new hires", attrition, baseline capacity of the team) and
4. Resources ("hires needed given ramp time and attrition"); issue 16 item 1 (facts computed once) and item 3
(each shared fact equal wherever shown; hires only where capacity falls short). Goals states a fact in
targets_rep / team_capacity / calibration_dimensions, resources in capacity / hiring_plan / incentive_summary.
"""

from __future__ import annotations

import pandas as pd

from planning.audit.result import CENT, Row, listed, missing, money, num, row, skipped
from planning.audit.targets import dimension_totals, year_target


def _month_index(month: str) -> int:
    y, m = str(month)[:7].split("-")
    return int(y) * 12 + int(m) - 1


def _absent(check: str, rule: str, **frames: pd.DataFrame | None) -> list[Row] | None:
    names = [n for n, f in frames.items() if f is None]
    return [missing(check, *names, explanation=rule)] if names else None


def goals_hire_ramps(targets_rep: pd.DataFrame) -> list[tuple[str, int | None]]:
    """(start month, months until fully productive) of each new hire in targets_rep.csv (kind `hire`), sorted:
    from the first month with a ramp above 0 to the first with ramp 1; None when the year ends before."""
    out = []
    hires = targets_rep[targets_rep["kind"] == "hire"].sort_values(["rep_id", "month"])
    for _, rep in hires.groupby("rep_id"):
        started = rep[rep["ramp"] > 0]
        if started.empty:
            continue
        start = str(started["month"].iloc[0])[:7]
        full = started[started["ramp"] >= 1 - 1e-9]
        out.append((start, _month_index(full["month"].iloc[0]) - _month_index(start) if len(full) else None))
    return sorted(out, key=lambda x: (x[0], -1 if x[1] is None else x[1]))


def resources_hire_ramps(hiring_plan: pd.DataFrame) -> list[tuple[str, int]]:
    """(start month, months until fully productive) of each hire in hiring_plan.csv, sorted:
    productive_from - start_month, once per hire."""
    out = []
    for _, h in hiring_plan.iterrows():
        months = _month_index(h["productive_from"]) - _month_index(h["start_month"])
        out += [(str(h["start_month"])[:7], months)] * int(h["hires"])
    return sorted(out)


def _ramps(ramps: list[tuple[str, int | None]]) -> str:
    return ", ".join(f"{s}: {'beyond the year' if m is None else m}" for s, m in ramps) or "none"


def ramp_months_goals_vs_resources(
    targets_rep: pd.DataFrame | None, hiring_plan: pd.DataFrame | None
) -> list[Row]:
    """A hire's start month and months to full productivity are the same in goals (targets_rep.csv: the ramp
    of each hire) and in resources (hiring_plan.csv: productive_from - start_month), hire by hire (METHOD 2
    team dimension, 4 People: one ramp time). A goals ramp that runs past the plan year matches any length
    that also ends after December."""
    check = "ramp_months_goals_vs_resources"
    rule = "One ramp time for a hire in goals and resources (METHOD 2 team dimension; 4 People; issue 16 item 1)."
    if (gone := _absent(check, rule, targets_rep=targets_rep, hiring_plan=hiring_plan)) is not None:
        return gone
    if not {"kind", "ramp"} <= set(targets_rep.columns):
        return [skipped(check, "targets_rep.csv has no kind / ramp columns", rule)]
    goals, res = goals_hire_ramps(targets_rep), resources_hire_ramps(hiring_plan)
    if not goals and not res:
        return [row(check, True, "no hires in goals or resources", rule)]

    def same(g: tuple[str, int | None], r: tuple[str, int]) -> bool:
        if g[0] != r[0]:
            return False
        return g[1] == r[1] or (g[1] is None and int(r[0][5:7]) + r[1] > 12)

    ok = len(goals) == len(res) and all(same(g, r) for g, r in zip(goals, res, strict=True))
    values = f"start month: months to full productivity; goals {_ramps(goals)} vs resources {_ramps(res)}"
    return [row(check, ok, values, rule)]


def ramp_months_stated() -> list[Row]:
    """The ramp length the plan is built on (a parameter, shown in goals' and resources' sentences) is handed on
    as a value: today no artefact carries it, so the check is skipped (issue 16 item 1: ramp months, one
    definition)."""
    return [
        skipped(
            "ramp_months_stated",
            "no artefact holds the ramp length as a value: calibration_dimensions states it only in its "
            "explanation text, the reports' sentences compute their own",
            "Ramp months: one definition, counted the same way everywhere (issue 16 item 1).",
        )
    ]


def attrition_goals_vs_resources(
    capacity: pd.DataFrame | None, calibration_dimensions: pd.DataFrame | None
) -> list[Row]:
    """The attrition rate goals plans with equals the one resources plans with (METHOD 2 team dimension and 4
    People: attrition). Resources' annual rate comes from capacity.csv (exits / headcount a month); goals hands
    on only the attrition's effect (calibration_dimensions team/attrition), not its rate: skipped until it does."""
    check = "attrition_goals_vs_resources"
    rule = "One planned attrition rate in goals and resources (METHOD 2 team dimension; 4 People; issue 16 item 1)."
    if (
        gone := _absent(check, rule, capacity=capacity, calibration_dimensions=calibration_dimensions)
    ) is not None:
        return gone
    cd = calibration_dimensions
    rates = cd.loc[cd["component"] == "attrition", "rate"] if "rate" in cd.columns else pd.Series(dtype=float)
    monthly = (capacity["exits"] / capacity["headcount_start"]).where(capacity["headcount_start"] > 0).mean()
    annual = 1 - (1 - float(monthly)) ** 12
    if rates.empty:
        return [
            skipped(
                check,
                f"resources plans {annual:.2%} a year (capacity.csv exits / headcount); goals writes the "
                "attrition rate only in calibration_dimensions' explanation text",
                rule,
            )
        ]
    goals = float(rates.iloc[0])
    return [
        row(check, abs(goals - annual) < 5e-4, f"goals {goals:.2%} vs resources {annual:.2%} a year", rule)
    ]


def hires_goals_vs_resources(
    targets_rep: pd.DataFrame | None, hiring_plan: pd.DataFrame | None, capacity: pd.DataFrame | None
) -> list[Row]:
    """The number of planned hires is the same in goals (targets_rep.csv reps of kind `hire`), the hiring plan
    (hiring_plan.csv hires) and the capacity model (capacity.csv planned_hires, or hires) (METHOD 4 People)."""
    check = "hires_goals_vs_resources"
    rule = "One number of planned hires in goals, the hiring plan and the capacity model (METHOD 4 People)."
    gone = _absent(check, rule, targets_rep=targets_rep, hiring_plan=hiring_plan, capacity=capacity)
    if gone is not None:
        return gone
    if "kind" not in targets_rep.columns:
        return [skipped(check, "targets_rep.csv has no kind column", rule)]
    goals = int(targets_rep.loc[targets_rep["kind"] == "hire", "rep_id"].nunique())
    plan = float(hiring_plan["hires"].sum())
    cap = float(capacity["planned_hires" if "planned_hires" in capacity.columns else "hires"].sum())
    values = f"goals {goals} vs hiring_plan {num(plan)} vs capacity {num(cap)}"
    return [row(check, abs(goals - plan) < 1e-9 and abs(plan - cap) < 1e-6, values, rule)]


def team_capacity_goals_vs_resources(
    team_capacity: pd.DataFrame | None,
    capacity: pd.DataFrame | None,
    calibration_dimensions: pd.DataFrame | None,
) -> list[Row]:
    """The team's capacity is one figure: goals' monthly team_capacity.csv equals resources' capacity.csv month
    by month, and their year equals calibration_dimensions' team total, to the cent (METHOD 2 team dimension;
    4 People: capacity vs target)."""
    check = "team_capacity_goals_vs_resources"
    rule = "One team capacity in goals and resources (METHOD 2 team dimension; 4 People; issue 16 item 1)."
    gone = _absent(
        check,
        rule,
        team_capacity=team_capacity,
        capacity=capacity,
        calibration_dimensions=calibration_dimensions,
    )
    if gone is not None:
        return gone
    both = (
        team_capacity.set_index("month")["capacity"]
        .to_frame("goals")
        .join(capacity.set_index("month")["capacity"].rename("resources"), how="outer")
    )
    diff = both[(both["goals"] - both["resources"]).abs().fillna(float("inf")) >= CENT]
    team = dimension_totals(calibration_dimensions).get("team", float("nan"))
    bad = [f"{m}: goals {money(g)} vs resources {money(r)}" for m, g, r in diff.itertuples()]
    g_year, r_year = float(both["goals"].sum()), float(both["resources"].sum())
    if abs(g_year - team) >= CENT:
        bad.append(f"calibration team {money(team)} vs team_capacity year {money(g_year)}")
    values = (
        listed(bad)
        if bad
        else f"year: calibration {money(team)} = goals {money(g_year)} = resources {money(r_year)}"
    )
    return [row(check, not bad, values, rule)]


def capacity_vs_incentive_simulation(
    capacity: pd.DataFrame | None, incentive_summary: pd.DataFrame | None
) -> list[Row]:
    """The incentive simulation's expected revenue (incentive_summary.csv expected_revenue) is the team's
    capacity of the same report (capacity.csv, the year), to the cent (METHOD 4: incentives and capacity in one
    resources plan; issue 16: ¥466.7M vs ¥483M)."""
    check = "capacity_vs_incentive_simulation"
    rule = (
        "The incentive simulation expects the revenue the capacity model plans (METHOD 4; issue 16 item 1)."
    )
    if (gone := _absent(check, rule, capacity=capacity, incentive_summary=incentive_summary)) is not None:
        return gone
    expected = incentive_summary.loc[incentive_summary["metric"] == "expected_revenue", "value"]
    if expected.empty:
        return [skipped(check, "incentive_summary.csv has no expected_revenue", rule)]
    cap, sim = float(capacity["capacity"].sum()), float(expected.iloc[0])
    target = float(capacity["target"].sum())
    values = (
        f"capacity {money(cap)} ({cap / target:.1%} of target) vs incentive simulation {money(sim)} "
        f"({sim / target:.1%})"
    )
    return [row(check, abs(cap - sim) < CENT, values, rule)]


def annual_target_shared(
    targets: pd.DataFrame | None,
    calibration: pd.DataFrame | None,
    goals: pd.DataFrame | None,
    capacity: pd.DataFrame | None,
    coverage: pd.DataFrame | None,
) -> list[Row]:
    """The annual target is one figure wherever shown: targets.csv year, calibration.csv's `target`, the
    revenue goal (goals.csv), resources' monthly targets summed (capacity.csv) and strategy's quarterly
    coverage targets summed (coverage.csv), to the cent (METHOD 2: the calibration's waterfall ends at the target
    that is decomposed; 3 pipeline coverage; 4 capacity vs target)."""
    check = "annual_target_shared"
    rule = "One annual target in every step (METHOD 2 calibration and decomposition; 3 coverage; 4 capacity)."
    if targets is None or (year := year_target(targets)) is None:
        return [missing(check, "targets", explanation=rule)]
    shown: dict[str, float] = {}
    if calibration is not None and (calibration["component"] == "target").any():
        shown["calibration"] = float(calibration.loc[calibration["component"] == "target", "amount"].iloc[-1])
    if goals is not None and (goals["metric"] == "revenue").any():
        shown["goals revenue"] = float(goals.loc[goals["metric"] == "revenue", "value"].iloc[0])
    if capacity is not None:
        shown["capacity months"] = float(capacity["target"].sum())
    quarters = None if coverage is None else coverage[coverage["period"].astype(str).str.contains("-Q")]
    if quarters is not None and len(quarters):  # no rows: strategy had no pipeline to cover (no opportunities)
        shown["coverage quarters"] = float(quarters["target"].sum())
    bad = [k for k, v in shown.items() if abs(v - year) >= CENT]
    values = f"targets {money(year)}; " + ", ".join(f"{k} {money(v)}" for k, v in shown.items())
    return [row(check, not bad, values, rule)]


def existing_customer_revenue_shared(calibration_dimensions: pd.DataFrame | None) -> list[Row]:
    """Existing customers' revenue is one figure in goals (calibration_dimensions resources/existing) and
    strategy (its retention view); strategy hands on no artefact with it, so the check is skipped (issue 16:
    goals ¥353.2M vs strategy ¥369.6M in east)."""
    check = "existing_customer_revenue_shared"
    rule = "Existing-customer revenue computed once (issue 16 item 1)."
    value = ""
    if calibration_dimensions is not None:
        ex = calibration_dimensions.loc[calibration_dimensions["component"] == "existing", "amount"]
        value = f"goals {money(float(ex.iloc[0]))}; " if len(ex) else ""
    return [skipped(check, value + "strategy writes its existing-customer revenue to no artefact", rule)]


def hires_only_where_short(
    capacity: pd.DataFrame | None,
    hiring_plan: pd.DataFrame | None,
    calibration_dimensions: pd.DataFrame | None,
    targets: pd.DataFrame | None = None,
    target_position: pd.DataFrame | None = None,
) -> list[Row]:
    """Hires are planned only where the team without them falls short of what the reps are asked to deliver:
    the year's capacity (capacity.csv) less the hires' contribution (calibration_dimensions team/hires) must be
    below the reps' quotas (targets.csv year `quota`: the target + the flex buffer; the year's target,
    capacity.csv target, where targets carry no quota) when hiring_plan.csv has hires. Where goals states the team
    without its hires (target_position.csv reference `team_without_hires`: a hire brings its training uplift and
    tool efficiency too, more than its calibration row) that figure is used (METHOD 4 People: hires
    needed given ramp time and attrition; docs/method.md, the flex buffer; issue 16: northeast keeps 2 hires at
    139.6% of target)."""
    check = "hires_only_where_short"
    rule = "Hires only where capacity without them falls short of the reps' quotas (METHOD 4 People)."
    gone = _absent(
        check, rule, capacity=capacity, hiring_plan=hiring_plan, calibration_dimensions=calibration_dimensions
    )
    if gone is not None:
        return gone
    hires = float(hiring_plan["hires"].sum())
    cap, target = float(capacity["capacity"].sum()), float(capacity["target"].sum())
    if hires <= 0:
        return [
            row(
                check,
                True,
                f"no hires; capacity {money(cap)} vs target {money(target)} ({cap / target:.1%})",
                rule,
            )
        ]
    cd = calibration_dimensions
    part = cd.loc[(cd["dimension"] == "team") & (cd["component"] == "hires"), "amount"]
    if part.empty:
        return [skipped(check, "calibration_dimensions.csv has no team/hires contribution", rule)]
    without = cap - float(part.iloc[0])
    asked, what = target, "target"
    if targets is not None and "quota" in targets.columns and (targets["level"] == "year").sum() == 1:
        asked, what = float(targets.loc[targets["level"] == "year", "quota"].iloc[0]), "quotas"
    tp = target_position
    stated = None if tp is None else tp[tp["reference"] == "team_without_hires"]
    if stated is not None and len(stated):
        without, asked, what = float(stated["upper"].iloc[0]), float(stated["amount"].iloc[0]), "quotas"
    values = (
        f"{num(hires)} hires; capacity without them {money(without)} = {without / asked:.1%} of {what} "
        f"{money(asked)} (with them {cap / asked:.1%})"
    )
    return [row(check, without < asked, values, rule)]
