"""Sentences of step 2 (goals): the forecast, the calibration, the decomposition, SMART goals, the reps.

Every builder takes its data first and the `i18n.Voice` last. `explained` turns the explanation keys the
compute modules put into calibration.csv / calibration_dimensions.csv (`explain`, `explain_args`) into the
artefacts' `explanation` text; `smart_frame` writes the derived SMART goals' sentences into goals.csv.
Translated display tables are in `planning.goals.views`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from planning import i18n
from planning.goals import forecast as fc
from planning.goals.calendar import changed_days
from planning.goals.decompose import Plan, sums_exact, within_limits
from planning.goals.prepare import Inputs
from planning.goals.smart import unit


def model_name(model: str, voice: i18n.Voice) -> str:
    """A model's name; a combination "a+b" as "Mean of A and B"."""
    parts = fc.members(model)
    if len(parts) > 1:
        names = [voice.t(f"goals.models.{m}") for m in parts]
        return voice.t("goals.models.combination", models=" + ".join(names))
    return voice.t(f"goals.models.{model}")


# ------------------------------------------------------------------------------------------------ explanations
def explain_text(key: str, args: dict[str, Any], voice: i18n.Voice) -> str:
    """One explanation of the calibration: `goals.explain.<key>` with its numbers formatted by their names
    (m_* and amount: money; p_*: percent; other floats: numbers; `model`: the model's name; `missing`: the
    dimensions the data could not compute). Key "": the text in args["text"] as it is (step 1's own words)."""
    if not key:
        return str(args.get("text", ""))
    out: dict[str, Any] = {}
    for k, v in args.items():
        if k == "model":
            out[k] = model_name(v, voice)
        elif k == "missing":
            sep = "、" if voice.lang == "zh" else ", "
            names = sep.join(voice.t(f"goals.dimensions.{d}") for d in v)
            out[k] = names.lower() if voice.lang == "en" else names
        elif isinstance(v, float) and k.startswith(("m_", "amount")):
            out[k] = voice.money(v)
        elif isinstance(v, float) and k.startswith("p_"):
            out[k] = voice.pct(v)
        elif isinstance(v, float):
            out[k] = voice.number(v, decimals=1 if abs(v) < 100 else 0)
        else:
            out[k] = v
    return voice.t(f"goals.explain.{key}", **out)


def explained(frame: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """`frame` (calibration.waterfall or calibration.dimensions) with the `explanation` text in place of its
    explain keys, before `kind`: the artefact as saved."""
    texts = [explain_text(k, a, voice) for k, a in zip(frame["explain"], frame["explain_args"], strict=True)]
    out = frame.drop(columns=["explain", "explain_args"])
    out.insert(out.columns.get_loc("kind"), "explanation", texts)
    return out


def calibration_frame(plan: Plan, voice: i18n.Voice) -> pd.DataFrame:
    """calibration.csv: step, component, amount, explanation, kind."""
    return explained(plan.calibration, voice)


def dimensions_frame(plan: Plan, voice: i18n.Voice) -> pd.DataFrame:
    """calibration_dimensions.csv: dimension, component, amount, explanation, kind."""
    return explained(plan.dimensions, voice)


# ------------------------------------------------------------------------------------------------ forecast
def describe_run_rate(result: fc.Result, voice: i18n.Voice) -> str:
    """The minimal plan's run rate (`forecast.run_rate`): the complete months, their sales, a month's and a
    year's run rate."""
    y = result.history
    rate = float(y.sum()) / len(y)
    return voice.t(
        "goals.forecast.run_rate",
        months=len(y),
        first=f"{y.index[0]:%Y-%m}",
        last=f"{y.index[-1]:%Y-%m}",
        sales=voice.money(float(y.sum())),
        monthly=voice.money(rate),
        annual=voice.money(rate * 12),
    )


def describe_forecast(result: fc.Result, plan_year: int, voice: i18n.Voice) -> str:
    """Which model was chosen and why, and what it forecasts for the plan year (one paragraph)."""
    base = fc.plan_year_baseline(result, plan_year)
    total = float(base["baseline"].sum())
    last12 = float(result.history.iloc[-12:].sum())
    growth = total / last12 - 1 if last12 > 0 else math.nan
    text = voice.t(
        "goals.forecast.summary",
        year=plan_year,
        total=voice.money(total),
        lower=voice.money(float(base["lower"].sum())),
        upper=voice.money(float(base["upper"].sum())),
        growth=voice.pct(growth, signed=True),
        model=model_name(result.chosen, voice),
        level=voice.pct(result.level, decimals=0),
    )
    if result.reason == "backtest" or result.reason == "short_history":
        s = result.summary
        best = s[s["model"] == result.chosen].iloc[0]
        parts = fc.members(result.chosen)
        others = "; ".join(
            f"{model_name(r.model, voice)} {voice.pct(r.mape)}"
            for r in s.itertuples(index=False)
            if r.model != result.chosen
        )
        text += " " + voice.t(
            "goals.forecast.why_combined"
            if len(parts) > 1
            else (
                "goals.forecast.why" if others else "goals.forecast.why_alone"
            ),  # one model: no "against —"
            model=model_name(result.chosen, voice),
            best=", ".join(model_name(m, voice) for m in parts),
            mape=voice.pct(float(best["mape"])),
            bias=voice.pct(float(best["bias"]), signed=True),
            origins=int(best["origins"]),
            others=others or i18n.DASH,
            level=voice.pct(result.level, decimals=0),
        )
    if any(m.startswith("pooled") for m in fc.members(result.chosen)):
        text += " " + (
            voice.t("goals.forecast.pooled", peers=result.pooled)
            if result.pooled
            else voice.t("goals.forecast.pooled_own")
        )
        if result.holiday != "none":
            text += " " + voice.t("goals.forecast.holiday", year=plan_year)
    if result.reason != "backtest":
        text += " " + voice.t(
            f"goals.forecast.{result.reason}",
            months=len(result.history),
            models=", ".join(model_name(m, voice) for m in result.tier),
        )
    return text


# ------------------------------------------------------------------------------------------------ calibration
def describe_calibration(plan: Plan, inputs: Inputs, voice: i18n.Voice) -> str:
    """The calibration in one paragraph: the four estimates, the binding one, the annual target and the reps'
    quotas (target + the flex buffer over-assigned)."""
    e = plan.estimates
    if inputs.minimal:  # the run rate, no market possibility (docs/method.md, short histories)
        return voice.t(
            "goals.calibration.summary_minimal",
            ambition=voice.money(e["ambition"]),
            run_rate=voice.money(inputs.last12),
            g=voice.pct(plan.levers.growth_ambition),
            team=voice.money(e["team"]),
            resources=voice.money(e["resources"]),
            binding=voice.t(f"goals.dimensions.{plan.binding}"),
            buffer=voice.pct(plan.levers.buffer),
            target=voice.money(plan.target),
            quota=voice.money(plan.quota),
            reach=voice.pct(plan.target / plan.quota if plan.quota > 0 else math.nan),
            growth=voice.pct(plan.target / inputs.last12 - 1 if inputs.last12 > 0 else math.nan, signed=True),
        )
    return voice.t(
        "goals.calibration.summary",
        ambition=voice.money(e["ambition"]),
        market=voice.money(e["market"]),
        team=voice.money(e["team"]),
        resources=voice.money(e["resources"]),
        binding=voice.t(f"goals.dimensions.{plan.binding}"),
        committed=voice.money(plan.committed),
        buffer=voice.pct(plan.levers.buffer),
        target=voice.money(plan.target),
        quota=voice.money(plan.quota),
        reach=voice.pct(plan.target / plan.quota if plan.quota > 0 else math.nan),
        growth=voice.pct(plan.target / inputs.last12 - 1 if inputs.last12 > 0 else math.nan, signed=True),
    )


def describe_position(pos: pd.DataFrame, interval: float, voice: i18n.Voice) -> str:
    """The annual target and the reps' quotas against each limit (`decompose.position`), whether the revenue is
    achievable, and the months of the target outside their forecast band. `interval`: goals.interval."""
    year = pos[pos["period"].str.len() == 4]
    parts = []
    for measure in ("target", "quota"):
        rows = year[(year["measure"] == measure) & year["limit"]]
        items = []
        for r in rows.itertuples(index=False):
            if r.position == "unknown":
                continue
            items.append(
                voice.t(
                    f"goals.position.{r.position}",
                    reference=voice.t(f"goals.position.references.{r.reference}"),
                    upper=voice.money(r.upper),
                    share=voice.pct(r.amount / r.upper if r.upper else math.nan),
                )
            )
        amount = float(rows["amount"].iloc[0]) if len(rows) else math.nan
        none = voice.t(
            "goals.position.none"
        )  # a minimal plan's target: no forecast, no market, maybe no team
        parts.append(
            voice.t(f"goals.position.{measure}", amount=voice.money(amount), items="; ".join(items) or none)
        )
    ok = within_limits(pos)
    checked = (year["limit"] & (year["position"] != "unknown")).any()  # none: a minimal plan without reps
    key = "achievable" if ok else "not_achievable"
    parts.append(voice.t(f"goals.position.{key if checked else 'unchecked'}"))
    months = pos[(pos["measure"] == "target") & (pos["period"].str.len() == 7)]
    outside = months[months["position"].isin(["above", "below"])]
    if months["position"].eq("unknown").all():  # no forecast interval (the minimal plan's run rate)
        return " ".join(parts)
    if outside.empty:
        parts.append(voice.t("goals.position.months_inside", n=len(months), interval=voice.pct(interval, 0)))
    else:
        listed = voice.listing(
            voice.aside(r.period, voice.t(f"goals.position.month_{r.position}")) for r in outside.itertuples()
        )
        parts.append(
            voice.t(
                "goals.position.months_outside",
                k=len(outside),
                n=len(months),
                interval=voice.pct(interval, 0),
                months=listed,
            )
        )
    return " ".join(parts)


def describe_decomposition(plan: Plan, voice: i18n.Voice) -> str:
    """Peak and low month, number of weeks, and the check that every level sums to its parent."""
    t = plan.targets
    months = t[t["level"] == "month"]
    peak = months.loc[months["target"].idxmax()]
    low = months.loc[months["target"].idxmin()]
    return voice.t(
        "goals.calendar.summary_minimal" if plan.inputs.minimal else "goals.calendar.summary",
        target=voice.money(plan.target),
        peak=peak["period"],
        peak_value=voice.money(float(peak["target"])),
        low=low["period"],
        low_value=voice.money(float(low["target"])),
        weeks=int((t["level"] == "week").sum()),
        check=voice.t("goals.calendar.exact" if sums_exact(plan) else "goals.calendar.inexact"),
    )


def describe_working_days(inputs: Inputs, country: str, voice: i18n.Voice) -> str:
    """How many working days the plan year has and what took days away or added them (the calendar table)."""
    d = changed_days(inputs.calendar)
    off = d["change"] == "off"
    return voice.t(
        "goals.days.summary",
        year=inputs.plan_year,
        days=int(inputs.calendar["weight"].sum()),
        public=int((off & (d["source"] == "country")).sum()),
        makeup=int((~off & (d["source"] == "country")).sum()),
        own_off=int((off & (d["source"] == "params")).sum()),
        own_on=int((~off & (d["source"] == "params")).sum()),
        country=country or i18n.DASH,
    ) + ("" if country else " " + voice.t("goals.days.no_country"))


# ------------------------------------------------------------------------------------------------ SMART
def metric_text(metric: str, value: float, voice: i18n.Voice) -> str:
    """A goal's value as its unit shows it (money, count or percent); a dash when unknown."""
    if value is None or not math.isfinite(value):
        return i18n.DASH
    u = unit(metric)
    if u == "money":
        return voice.money(value)
    if u == "count":
        return voice.number(value, decimals=0)
    return voice.pct(value)


def smart_frame(goals_df: pd.DataFrame, inputs: Inputs, voice: i18n.Voice) -> pd.DataFrame:
    """goals.csv: `smart.smart_goals` with each derived goal's sentence ("Grow revenue in East to ... in 2027")
    in `goal` (the planner's goals keep their own text) and without the `derived` flag."""
    region = voice.name("region", inputs.region)
    out = goals_df.copy()
    out["goal"] = [
        voice.t(f"goals.smart.text.{m}", region=region, year=inputs.plan_year, value=metric_text(m, v, voice))
        if derived
        else text
        for text, m, v, derived in zip(out["goal"], out["metric"], out["value"], out["derived"], strict=True)
    ]
    return out.drop(columns=["derived"])


def describe_smart(goals_df: pd.DataFrame, voice: i18n.Voice) -> str:
    failing = goals_df[~goals_df["smart"]]
    if failing.empty:
        return voice.t("goals.smart.all_pass", n=len(goals_df))
    names = {
        c: voice.t(f"goals.columns.{c}")
        for c in ("specific", "measurable", "achievable", "relevant", "time_bound")
    }
    parts = []
    for r in failing.itertuples(index=False):
        missing = [names[c] for c in names if not getattr(r, c)]
        parts.append(f"«{r.goal}»: {', '.join(missing)}")
    return voice.t("goals.smart.some_fail", n=len(goals_df), k=len(failing), items="; ".join(parts))


def describe_unset(unset_df: pd.DataFrame, voice: i18n.Voice) -> str:
    """One sentence naming the derived goals the data gives no number for and what each needs ("" for none)."""
    if unset_df.empty:
        return ""
    items = voice.t("goals.smart.sep").join(
        voice.t(
            "goals.smart.needs_item",
            metric=voice.t(f"goals.metrics.{m}"),
            needs=voice.t(f"goals.smart.needs.{m}"),
        )
        for m in unset_df["metric"]
    )
    return voice.t("goals.smart.unset", items=items)


# ------------------------------------------------------------------------------------------------ reps
def describe_reps(inputs: Inputs, ramp_months: int, voice: i18n.Voice, hires_dropped: int = 0) -> str:
    """Who carries the quotas and when hires are fully productive (`ramp_months`: the shared fact, facts_goals);
    `hires_dropped` planned hires left out (the team reaches the target without them, `decompose.needed_hires`)."""
    ros = inputs.roster
    if ros.empty:
        return voice.t("goals.reps.no_reps")
    hires = ros[ros["kind"] == "hire"]
    dropped = " " + voice.t("goals.reps.hires_dropped", n=hires_dropped) if hires_dropped else ""
    return (
        voice.t(
            "goals.reps.summary",
            reps=int((ros["kind"] == "current").sum()),
            hires=len(hires),
            first_hire=str(hires["start"].min()) if len(hires) else voice.t("goals.reps.no_hires"),
            ramp=int(ramp_months),
        )
        + dropped
    )


def describe_rep_sheet(plan: Plan, sheet: pd.DataFrame, voice: i18n.Voice) -> str:
    """Which reps the report's quota sheet lists (all, or the largest and smallest targets of how many), the
    spread of annual targets over every rep, and where the full per-rep targets are (targets_rep.csv)."""
    r = plan.targets_rep
    if r.empty:
        return voice.t("goals.reps.no_reps")
    year = (r["target"] * 100).round().astype("int64").groupby(r["rep_id"]).sum() / 100
    fmt = {
        "reps": voice.number(len(year)),
        "low": voice.money(year.min()),
        "median": voice.money(year.median()),
        "high": voice.money(year.max()),
        "file": "artifacts/targets_rep.csv",
    }
    if len(sheet) >= len(year):
        return voice.t("goals.reps.sheet_all", **fmt)
    return voice.t("goals.reps.sheet_ends", shown=voice.number(len(sheet) // 2), **fmt)
