"""Shared facts equal wherever they are shown, and hires only where capacity falls short.

Sources: METHOD.md 2. Goals (team dimension: "ramp of new hires", attrition, baseline capacity of the team) and
4. Resources ("hires needed given ramp time and attrition"); issue 16 item 1 (facts computed once) and item 3
(each shared fact equal wherever shown; hires only where capacity falls short). Goals states a fact in
targets_rep / team_capacity / calibration_dimensions, resources in capacity / hiring_plan / incentive_summary.
"""

from __future__ import annotations

import math

import pandas as pd

from planning import facts as facts_
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


def _from_goals(hiring_plan: pd.DataFrame) -> pd.DataFrame:
    """The hiring plan's rows of the goals step's planned hires (column `source`, when written: goals |
    additional); resources' additional hires are not in goals' rep targets."""
    if "source" not in hiring_plan.columns:
        return hiring_plan
    return hiring_plan[hiring_plan["source"].astype(str) == "goals"]


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
    of each hire) and in resources (hiring_plan.csv rows of source goals: productive_from - start_month), hire
    by hire (METHOD 2 team dimension, 4 People: one ramp time). A goals ramp that runs past the plan year
    matches any length that also ends after December; resources' additional hires are checked against the
    stated ramp by `ramp_months_shared`."""
    check = "ramp_months_goals_vs_resources"
    rule = "One ramp time for a hire in goals and resources (METHOD 2 team dimension; 4 People; issue 16 item 1)."
    if (gone := _absent(check, rule, targets_rep=targets_rep, hiring_plan=hiring_plan)) is not None:
        return gone
    if not {"kind", "ramp"} <= set(targets_rep.columns):
        return [skipped(check, "targets_rep.csv has no kind / ramp columns", rule)]
    goals, res = goals_hire_ramps(targets_rep), resources_hire_ramps(_from_goals(hiring_plan))
    if not goals and not res:
        return [row(check, True, "no hires in goals or resources", rule)]

    def same(g: tuple[str, int | None], r: tuple[str, int]) -> bool:
        if g[0] != r[0]:
            return False
        return g[1] == r[1] or (g[1] is None and int(r[0][5:7]) + r[1] > 12)

    ok = len(goals) == len(res) and all(same(g, r) for g, r in zip(goals, res, strict=True))
    values = f"start month: months to full productivity; goals {_ramps(goals)} vs resources {_ramps(res)}"
    return [row(check, ok, values, rule)]


def _fact(shared: pd.DataFrame | None, name: str) -> float | None:
    """`facts.value` of a shared-facts frame, looked up in its columns as lists (the audit asks ~30 times)."""
    if shared is None or name not in facts_.FACTS or not {"name", "value"} <= set(shared.columns):
        return facts_.value(shared, name)
    names = shared["name"].tolist()
    if name not in names:
        return None
    v = float(shared["value"].iloc[names.index(name)])
    return v if math.isfinite(v) else None


def _facts_missing(check: str, rule: str, shared: pd.DataFrame | None, *names: str) -> list[Row] | None:
    """A skipped row when the facts artefacts are absent or hold no value for one of `names`."""
    if shared is None:
        return [missing(check, "facts_goals", explanation=rule)]
    empty = [n for n in names if _fact(shared, n) is None]
    if empty:
        owners = sorted({facts_.FACTS[n].owner for n in empty})
        return [skipped(check, f"no value for {', '.join(empty)} in the facts of {', '.join(owners)}", rule)]
    return None


def ramp_months_shared(
    shared: pd.DataFrame | None, targets_rep: pd.DataFrame | None, hiring_plan: pd.DataFrame | None
) -> list[Row]:
    """The ramp the plan states (fact ramp_months: months after the month of hire to full output, training
    included) is the one every hire follows: in the hiring plan (productive_from - start_month) and in goals'
    rep targets (first month at ramp 1 - first month with a ramp above 0), wherever the year shows it (issue 16
    item 1: goals "ramps in over 7 months", resources "needs 6", the hiring plan "5")."""
    check = "ramp_months_shared"
    rule = "Ramp months: one definition, counted the same way everywhere (METHOD 2 team dimension; issue 16)."
    if (gone := _facts_missing(check, rule, shared, "ramp_months")) is not None:
        return gone
    ramp = int(round(_fact(shared, "ramp_months")))
    shown: list[str] = []
    if hiring_plan is not None:
        shown += [f"hiring plan {s}: {m}" for s, m in resources_hire_ramps(hiring_plan) if m != ramp]
    if targets_rep is not None and {"kind", "ramp"} <= set(targets_rep.columns):
        shown += [f"goals {s}: {m}" for s, m in goals_hire_ramps(targets_rep) if m is not None and m != ramp]
    values = f"ramp_months {ramp}" + (f"; differs: {listed(shown)}" if shown else "; every hire the same")
    return [row(check, not shown, values, rule)]


def attrition_shared(shared: pd.DataFrame | None, capacity: pd.DataFrame | None) -> list[Row]:
    """The planned attrition (fact attrition_planned, goals' team dimension) is the rate resources' capacity
    model applies: each month's exits / (heads at the start + hires) = 1 - (1 - rate) ** (1 / 12), to 0.01
    percentage point a year (METHOD 2
    team dimension, 4 People: attrition; issue 16: review's "planned" 0.0% while resources planned 4.5%)."""
    check = "attrition_shared"
    rule = "One planned attrition rate in goals, resources and review; the actual one named apart (issue 16)."
    if (gone := _facts_missing(check, rule, shared, "attrition_planned")) is not None:
        return gone
    planned = float(_fact(shared, "attrition_planned"))
    actual = _fact(shared, "attrition_actual")
    said = f"planned {planned:.2%}, actual {'n/a' if actual is None else f'{actual:.2%}'} a year"
    if capacity is None:
        return [row(check, True, said + "; capacity.csv absent", rule)]
    pop = capacity["headcount_start"] + capacity["hires"]
    monthly = (capacity["exits"] / pop).where(pop > 0).dropna()
    if monthly.empty:
        return [row(check, True, said + "; no heads in capacity.csv", rule)]
    applied = 1 - (1 - monthly) ** 12
    off = applied[(applied - planned).abs() > 1e-4]  # 0.01 pp: capacity.csv holds 6 decimals
    values = said + f"; capacity.csv applies {float(applied.iloc[0]):.2%}"
    if len(off):
        values += f" (differs in {len(off)} months)"
    return [row(check, off.empty, values, rule)]


def hires_goals_vs_resources(
    targets_rep: pd.DataFrame | None, hiring_plan: pd.DataFrame | None, capacity: pd.DataFrame | None
) -> list[Row]:
    """The number of planned hires is the same in goals (targets_rep.csv reps of kind `hire`), the hiring plan
    (hiring_plan.csv hires of source goals; resources' additional hires named apart) and the capacity model
    (capacity.csv planned_hires, or hires) (METHOD 4 People)."""
    check = "hires_goals_vs_resources"
    rule = "One number of planned hires in goals, the hiring plan and the capacity model (METHOD 4 People)."
    gone = _absent(check, rule, targets_rep=targets_rep, hiring_plan=hiring_plan, capacity=capacity)
    if gone is not None:
        return gone
    if "kind" not in targets_rep.columns:
        return [skipped(check, "targets_rep.csv has no kind column", rule)]
    goals = int(targets_rep.loc[targets_rep["kind"] == "hire", "rep_id"].nunique())
    plan = float(_from_goals(hiring_plan)["hires"].sum())
    more = float(hiring_plan["hires"].sum()) - plan  # resources' additional hires: not goals' to carry
    cap = float(capacity["planned_hires" if "planned_hires" in capacity.columns else "hires"].sum())
    values = f"goals {goals} vs hiring_plan {num(plan)} vs capacity {num(cap)}"
    if more:
        values += f" (and {num(more)} additional hires of resources)"
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
    if capacity.empty and not math.isfinite(dimension_totals(calibration_dimensions).get("team", math.nan)):
        return [
            skipped(check, "no team to plan: capacity.csv has no rows, the calibration no team total", rule)
        ]
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
    values = f"capacity {money(cap)} vs incentive simulation {money(sim)}"
    if target > 0:
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
    if capacity is not None and len(capacity):  # no rows without a reps table: the target is not shown there
        shown["capacity months"] = float(capacity["target"].sum())
    quarters = coverage[coverage["period"].astype(str).str.contains("-Q")] if coverage is not None else None
    if quarters is not None and len(quarters):  # no rows without opportunities: the target is not shown there
        shown["coverage quarters"] = float(quarters["target"].sum())
    bad = [k for k, v in shown.items() if abs(v - year) >= CENT]
    values = f"targets {money(year)}; " + ", ".join(f"{k} {money(v)}" for k, v in shown.items())
    return [row(check, not bad, values, rule)]


def existing_customer_revenue_shared(
    shared: pd.DataFrame | None,
    calibration_dimensions: pd.DataFrame | None,
    coverage: pd.DataFrame | None,
) -> list[Row]:
    """Existing customers' plan-year revenue is one figure (fact existing_revenue): goals' resources dimension
    (calibration_dimensions resources/existing) and strategy's installed base, which pipeline coverage takes
    off the target (coverage.csv: target - pipeline_target over the quarters, where no quarter is floored at
    0; not when coverage took a share of the target instead, fact pipeline_share); the planned net revenue retention is it / last12_sales (issue 16: goals ¥353.2M vs strategy ¥369.6M)."""
    check = "existing_customer_revenue_shared"
    rule = "Existing-customer revenue and net revenue retention computed once (issue 16 item 1)."
    names = ("existing_revenue", "nrr_planned", "last12_sales")
    if (gone := _facts_missing(check, rule, shared, *names)) is not None:
        return gone
    fact = float(_fact(shared, "existing_revenue"))
    shown: dict[str, float] = {}
    if calibration_dimensions is not None:
        cd = calibration_dimensions
        ex = cd.loc[(cd["dimension"] == "resources") & (cd["component"] == "existing"), "amount"]
        if len(ex):
            shown["goals calibration"] = float(ex.iloc[0])
    assumed = _fact(shared, "pipeline_share") is not None  # coverage took a share of the target, not the base
    if coverage is not None and "pipeline_target" in coverage.columns and len(coverage) and not assumed:
        q = coverage[coverage["period"].astype(str).str.contains("-Q")]
        if len(q) and (q["pipeline_target"] > 0).all():
            shown["strategy installed base"] = float(q["target"].sum() - q["pipeline_target"].sum())
    bad = [k for k, v in shown.items() if abs(v - fact) >= max(CENT, 1e-9 * abs(fact))]
    nrr = float(_fact(shared, "nrr_planned"))
    implied = fact / float(_fact(shared, "last12_sales"))
    if abs(nrr - implied) > 1e-9:
        bad.append("nrr_planned")
    values = f"fact {money(fact)} (planned NRR {nrr:.2%}); " + (
        ", ".join(f"{k} {money(v)}" for k, v in shown.items()) or "shown nowhere else"
    )
    return [row(check, not bad, values, rule)]


def last12_sales_shared(
    shared: pd.DataFrame | None, calibration_dimensions: pd.DataFrame | None
) -> list[Row]:
    """ "Last 12 months" sales are one figure (fact last12_sales): goals' ambition starts from it
    (calibration_dimensions ambition/last12; a minimal plan's ambition/run_rate, the run rate x 12) (issue 16
    item 1)."""
    check = "last12_sales_shared"
    rule = "Last 12 months' sales computed once (issue 16 item 1)."
    if (gone := _facts_missing(check, rule, shared, "last12_sales")) is not None:
        return gone
    fact = float(_fact(shared, "last12_sales"))
    if calibration_dimensions is None:
        return [missing(check, "calibration_dimensions", explanation=rule)]
    cd = calibration_dimensions
    # the minimal plan starts from the run rate x 12 (docs/method.md, short histories): the fact holds that
    got = cd.loc[(cd["dimension"] == "ambition") & cd["component"].isin(["last12", "run_rate"]), "amount"]
    if got.empty:
        return [
            skipped(check, "calibration_dimensions.csv has no ambition/last12 (nor ambition/run_rate)", rule)
        ]
    shown = float(got.iloc[0])
    return [row(check, abs(shown - fact) < CENT, f"fact {money(fact)} vs calibration {money(shown)}", rule)]


def targets_shared(
    shared: pd.DataFrame | None, targets: pd.DataFrame | None, calibration: pd.DataFrame | None
) -> list[Row]:
    """The target before the flex buffer (fact target_committed) is calibration.csv's `committed` row, the
    target after it (fact target) targets.csv's year, to the cent (METHOD 2: calibration, flex buffer)."""
    check = "targets_shared"
    rule = "The target before and after the flex buffer computed once (METHOD 2; issue 16 item 1)."
    if (gone := _facts_missing(check, rule, shared, "target_committed", "target")) is not None:
        return gone
    before, after = float(_fact(shared, "target_committed")), float(_fact(shared, "target"))
    shown: list[tuple[str, float, float]] = []
    if calibration is not None and (calibration["component"] == "committed").any():
        got = float(calibration.loc[calibration["component"] == "committed", "amount"].iloc[-1])
        shown.append(("calibration committed", got, before))
    if targets is not None and (year := year_target(targets)) is not None:
        shown.append(("targets year", year, after))
    bad = [f"{k} {money(v)} vs fact {money(f)}" for k, v, f in shown if abs(v - f) >= CENT]
    values = f"before buffer {money(before)}, after {money(after)}" + (f"; {listed(bad)}" if bad else "")
    return [row(check, not bad, values, rule)]


def win_rate_shared(shared: pd.DataFrame | None, coverage: pd.DataFrame | None) -> list[Row]:
    """The win rate pipeline coverage divides by (fact coverage_win_rate) is coverage.csv's win_rate in every
    quarter; the count win rate (fact win_rate, won / closed) is named apart (METHOD 3 pipeline coverage)."""
    check = "win_rate_shared"
    rule = "One win rate per definition: coverage's value win rate and the count win rate named apart (issue 16)."
    if (
        (coverage is None or coverage.empty)
        and shared is not None
        and _fact(shared, "coverage_win_rate") is None
    ):
        return [row(check, True, "no opportunities: no win rate computed or shown", rule)]
    if (gone := _facts_missing(check, rule, shared, "coverage_win_rate")) is not None:
        return gone
    fact = float(_fact(shared, "coverage_win_rate"))
    if coverage is None or coverage.empty:
        return [row(check, True, f"coverage_win_rate {fact:.4f}; coverage.csv empty or absent", rule)]
    off = coverage[(coverage["win_rate"] - fact).abs() > 5e-7]
    win = _fact(shared, "win_rate")
    values = f"coverage_win_rate {fact:.4f} (win_rate won / closed {'n/a' if win is None else f'{win:.4f}'})"
    if len(off):
        pairs = zip(off["period"], off["win_rate"], strict=True)
        values += "; coverage.csv " + listed([f"{p}: {w:.4f}" for p, w in pairs])
    return [row(check, off.empty, values, rule)]


def root_cause_count_shared(shared: pd.DataFrame | None, root_causes: pd.DataFrame | None) -> list[Row]:
    """The number of lines needing a 5-Why (fact root_cause_count, which the report and the what-if panel at its
    default state) is the number of lines in root_causes.csv (issue 16: the panel counted 9, the report 8)."""
    check = "root_cause_count_shared"
    rule = "The root-cause count computed once (issue 16 item 1)."
    if (gone := _facts_missing(check, rule, shared, "root_cause_count")) is not None:
        return gone
    fact = int(round(_fact(shared, "root_cause_count")))
    if root_causes is None:
        return [missing(check, "root_causes", explanation=rule)]
    lines = len(root_causes[["level", "key"]].drop_duplicates())
    return [row(check, lines == fact, f"fact {fact} vs root_causes.csv {lines} lines", rule)]


def team_capacity_shared(
    shared: pd.DataFrame | None,
    capacity: pd.DataFrame | None,
    incentive_summary: pd.DataFrame | None,
    targets: pd.DataFrame | None = None,
) -> list[Row]:
    """The team's capacity (fact team_capacity) is capacity.csv's year and the incentive simulation's expected
    revenue, and the expected attainment is it / what the reps are asked to deliver: the year's quotas
    (targets.csv `quota`, the target + the flex buffer), or capacity.csv's target where targets carry no quota
    (METHOD 4; issue 16: ¥466.7M vs ¥483M)."""
    check = "team_capacity_shared"
    rule = "One team capacity in resources and the incentive simulation (METHOD 4; issue 16 item 1)."
    if (gone := _facts_missing(check, rule, shared, "team_capacity", "expected_attainment")) is not None:
        return gone
    fact = float(_fact(shared, "team_capacity"))
    att = float(_fact(shared, "expected_attainment"))
    bad = []
    if capacity is not None:
        year = float(capacity["capacity"].sum())
        if abs(year - fact) >= CENT:
            bad.append(f"capacity.csv {money(year)}")
        target, what = float(capacity["target"].sum()), "target"
        year = None if targets is None else targets[targets["level"] == "year"]
        if (
            year is not None
            and len(year) == 1
            and "quota" in year.columns
            and pd.notna(year["quota"].iloc[0])
        ):
            target, what = float(year["quota"].iloc[0]), "quotas"
        if target > 0 and abs(fact / target - att) > 1e-6:
            bad.append(f"expected attainment {att:.2%} vs capacity / {what} {fact / target:.2%}")
    if incentive_summary is not None:
        sim = incentive_summary.loc[incentive_summary["metric"] == "expected_revenue", "value"]
        if len(sim) and abs(float(sim.iloc[0]) - fact) >= CENT:
            bad.append(f"incentive simulation {money(float(sim.iloc[0]))}")
    values = f"fact {money(fact)}, expected attainment {att:.1%}" + (
        f"; differs: {listed(bad)}" if bad else ""
    )
    return [row(check, not bad, values, rule)]


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
                f"no hires; capacity {money(cap)} vs target {money(target)}"
                + (f" ({cap / target:.1%})" if target > 0 else ""),
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
    if asked <= 0:
        return [
            row(
                check,
                False,
                f"{num(hires)} hires with nothing asked of the team ({what} {money(asked)})",
                rule,
            )
        ]
    values = (
        f"{num(hires)} hires; capacity without them {money(without)} = {without / asked:.1%} of {what} "
        f"{money(asked)} (with them {cap / asked:.1%})"
    )
    return [row(check, without < asked, values, rule)]
