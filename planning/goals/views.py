"""Translated display tables of step 2 (goals): data first, the `i18n.Voice` last.

The report's tables and the charts' input frames: calibration components with labels, the four estimates,
the capacity curve, the backtest summary, SMART checks, the calendar and the reps' quota sheet.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from planning import i18n
from planning.goals import forecast as fc
from planning.goals.calendar import changed_days
from planning.goals.decompose import Plan, team_targets
from planning.goals.narrate import calibration_frame, dimensions_frame, metric_text, model_name
from planning.goals.prepare import Inputs
from planning.goals.smart import METRICS

#: Reps the report's quota sheet and heatmap show at each end (largest and smallest annual targets) when a
#: region has more than twice as many; the artefact targets_rep.csv always holds every rep.
REP_SHEET_SHOWN = 10


def component_label(component: str, voice: i18n.Voice) -> str:
    """A calibration component's name; a market increment of step 1 ("<source>: <segment or competitive
    dimension>", market_increment.csv) as "<source> (<segment>)" in the report language."""
    try:
        return voice.t(f"goals.components.{component}")
    except KeyError:
        source, _, segment = component.partition(": ")
        if not segment:
            return component
        seg = voice.segment(segment)
        if seg == segment:
            seg = voice.name("product_line", segment)
        if seg == segment:
            try:
                seg = voice.t(f"market.dimensions.{segment}")
            except KeyError:
                pass
        try:
            source = voice.t(f"market.increment.sources.{source}")
        except KeyError:
            pass
        return voice.t("goals.components.increment", source=source, segment=seg)


def calibration_view(plan: Plan, voice: i18n.Voice) -> pd.DataFrame:
    """calibration.csv with a translated `label` per component (for the waterfall chart and the table)."""
    out = calibration_frame(plan, voice)
    out["label"] = [component_label(c, voice) for c in out["component"]]
    return out


def dimensions_view(plan: Plan, voice: i18n.Voice) -> pd.DataFrame:
    """calibration_dimensions with translated dimension and component names (report table)."""
    d = dimensions_frame(plan, voice)
    d["dimension"] = [voice.t(f"goals.dimensions.{x}") for x in d["dimension"]]
    d["component"] = [component_label(c, voice) for c in d["component"]]
    return d[["dimension", "component", "amount", "explanation"]]


def estimates_view(plan: Plan, voice: i18n.Voice) -> pd.DataFrame:
    """The four estimates: dimension (translated), amount, binding."""
    return pd.DataFrame(
        {
            "dimension": [voice.t(f"goals.dimensions.{k}") for k in plan.estimates],
            "amount": list(plan.estimates.values()),
            "binding": [k == plan.binding for k in plan.estimates],
        }
    )


def curve_view(inputs: Inputs) -> pd.DataFrame:
    """The capacity curve (last 3 periods) as a report table."""
    cols = ["period", "sales", "rep_fte", "per_rep", "lead_conversion", "aov", "retention", "attrition"]
    c = inputs.curve
    return c[[x for x in cols if x in c]] if len(c) else pd.DataFrame(columns=cols)


def backtest_table(result: fc.Result, voice: i18n.Voice) -> pd.DataFrame:
    """The backtest summary as a report table: model, origins, MAPE, bias, chosen (translated headers later)."""
    s = result.summary.copy()
    if s.empty:
        return s
    s["chosen"] = s["model"] == result.chosen
    s["model"] = [model_name(m, voice) for m in s["model"]]
    return s


def smart_table(goals_df: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """goals.csv for the report: formatted value and ✓ / ✗ per criterion."""
    out = goals_df[["goal", "metric", "value", "deadline", "relevant_to"]].copy()
    out["metric"] = [voice.t(f"goals.metrics.{m}") if m in METRICS else m or i18n.DASH for m in out["metric"]]
    out["value"] = [
        metric_text(m, v, voice) for m, v in zip(goals_df["metric"], goals_df["value"], strict=True)
    ]
    for c in ("specific", "measurable", "achievable", "relevant", "time_bound"):
        out[c] = np.where(goals_df[c], "✓", "✗")
    return out


def calendar_table(plan: Plan) -> pd.DataFrame:
    """targets.csv without the week rows (year, quarters, months) for the report table."""
    return plan.targets[plan.targets["level"] != "week"].reset_index(drop=True)


def days_table(inputs: Inputs, voice: i18n.Voice) -> pd.DataFrame:
    """The days the working calendar changed (public holidays of company.country, make-up working days, the
    planner's goals.holidays / goals.workdays): date, ISO week, change, holiday name (in the report's language),
    source. Empty when nothing changed."""
    d = changed_days(inputs.calendar)
    name = d["holiday_zh"] if voice.lang == "zh" else d["holiday"]
    return pd.DataFrame(
        {
            "date": d["day"].dt.strftime("%Y-%m-%d"),
            "week": d["week"],
            "change": [voice.t(f"goals.days.{c}") for c in d["change"]],
            "holiday": name.where(name != "", i18n.DASH),
            "source": [voice.t(f"goals.days.source_{s}") for s in d["source"]],
        }
    )


def rep_sheet(plan: Plan, voice: i18n.Voice, shown: int | None = None) -> pd.DataFrame:
    """The quota sheet a manager forwards: one row per rep, one column per month, the year (exact sums) and the
    rep's rank by annual target (1 = largest; equal targets share a rank).

    `shown` None: every rep, by team and rep id. `shown` n: when there are more than 2n reps, only the n largest
    and the n smallest annual targets, largest first (ties by team and rep id), so that the report's table stays
    readable with hundreds of reps; with 2n reps or fewer, every rep by team. targets_rep.csv has every rep.
    """
    if shown is not None and shown < 1:
        raise ValueError(f"rep_sheet: shown must be a positive number of reps or None, got {shown}")
    r = plan.targets_rep
    if r.empty:
        return pd.DataFrame()
    wide = r.pivot_table(
        index=["team", "rep_id", "name", "kind"], columns="month", values="target", aggfunc="sum"
    )
    wide.columns = [str(c) for c in wide.columns]
    c = (wide * 100).round().astype("int64")
    wide["year"] = c.sum(axis=1) / 100
    wide = wide.reset_index()
    wide.insert(0, "rank", c.sum(axis=1).rank(method="min", ascending=False).astype(int).to_numpy())
    if shown is not None and len(wide) > 2 * shown:
        by_size = wide.sort_values(["rank", "team", "rep_id"], kind="stable")
        wide = pd.concat([by_size.head(shown), by_size.tail(shown)]).reset_index(drop=True)
    wide["kind"] = [voice.t(f"goals.kind.{k}") for k in wide["kind"]]
    wide["team"] = [voice.team(k) for k in wide["team"]]
    return wide


def team_table(plan: Plan, voice: i18n.Voice) -> pd.DataFrame:
    """`decompose.team_targets` for the report: teams by their display names ("East China team 1", "华东 1 组")."""
    out = team_targets(plan)
    out["team"] = [voice.team(k) for k in out["team"]]
    return out


def money_columns(sheet: pd.DataFrame) -> list[str]:
    """Month ("YYYY-MM") and "year" columns of `rep_sheet` (shown as money)."""
    return [c for c in sheet.columns if c == "year" or (len(c) == 7 and c[4] == "-" and c[:4].isdigit())]
