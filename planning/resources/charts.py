"""Charts of step 4 (resources): capacity vs target, headcount, payout curve, attainment spread, budget split,
response curves, cost of sales and the Gantt chart. Each takes an aggregated frame from the step's compute
modules (`capacity`, `incentives`, `budget`, `actions`) and the report language, and returns an `alt.Chart`
(titles, axes and legends translated)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd

from planning import i18n
from planning.charts import MONEY_FORMAT, PALETTE, PCT_FORMAT, money_axis, wrap_label, wrapped_axis

if TYPE_CHECKING:
    from planning.params import Resources


def _t(key: str, lang: str, **fmt: object) -> str:
    return i18n.t(f"resources.charts.{key}", lang, **fmt)


def capacity_chart(cap: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Monthly capacity (bars, with the P10-P90 range as a rule) against the goals step's target (line)."""
    d = cap[["month", "capacity", "capacity_p10", "capacity_p90", "target", "gap"]].copy()
    x = alt.X("month:O", title=_t("month", lang), axis=alt.Axis(labelAngle=-45))
    base = alt.Chart(d)
    bars = base.mark_bar(color=PALETTE[0], opacity=0.75).encode(
        x=x,
        y=alt.Y("capacity:Q", axis=money_axis(lang, _t("revenue", lang))),
        tooltip=[
            alt.Tooltip("month:O", title=_t("month", lang)),
            alt.Tooltip("capacity:Q", title=_t("capacity", lang), format=MONEY_FORMAT),
            alt.Tooltip("target:Q", title=_t("target", lang), format=MONEY_FORMAT),
            alt.Tooltip("gap:Q", title=_t("gap", lang), format=MONEY_FORMAT),
        ],
    )
    band = base.mark_rule(color="#1f2933", strokeWidth=1.5).encode(
        x=x, y="capacity_p10:Q", y2="capacity_p90:Q"
    )
    line = base.mark_line(color=PALETTE[5], point=True).encode(x=x, y="target:Q")
    return alt.layer(bars, band, line).properties(title=_t("capacity_title", lang))


def headcount_chart(cap: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Naive headcount (target / productivity) beside the planned headcount and the productive FTE."""
    series = {
        "naive_headcount": _t("naive_headcount", lang),
        "planned_headcount": _t("planned_headcount", lang),
        "productive_fte": _t("productive_fte", lang),
    }
    d = cap.melt(id_vars="month", value_vars=list(series), var_name="series", value_name="people")
    d["series"] = d["series"].map(series)
    return (
        alt.Chart(d)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title=_t("month", lang), axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("people:Q", title=_t("people", lang)),
            color=alt.Color("series:N", title=None, sort=list(series.values())),
            tooltip=[
                alt.Tooltip("month:O", title=_t("month", lang)),
                alt.Tooltip("series:N", title=_t("series", lang)),
                alt.Tooltip("people:Q", title=_t("people", lang), format=".1f"),
            ],
        )
        .properties(title=_t("headcount_title", lang))
    )


def payout_chart(curve: pd.DataFrame, r: Resources, lang: str = "en") -> alt.LayerChart:
    """A rep's payout against attainment, with the team-rule threshold and 100% of quota marked."""
    d = curve[["attainment", "payout", "rate_applied", "revenue"]]
    line = (
        alt.Chart(d)
        .mark_line(color=PALETTE[0])
        .encode(
            x=alt.X("attainment:Q", title=_t("attainment", lang), axis=alt.Axis(format="%")),
            y=alt.Y("payout:Q", axis=money_axis(lang, _t("payout", lang))),
            tooltip=[
                alt.Tooltip("attainment:Q", title=_t("attainment", lang), format=".0%"),
                alt.Tooltip("payout:Q", title=_t("payout", lang), format=MONEY_FORMAT),
                alt.Tooltip("rate_applied:Q", title=_t("rate_applied", lang), format=".2%"),
            ],
        )
    )
    marks = pd.DataFrame(
        {
            "attainment": [r.team_bonus_threshold, 1.0],
            "label": [_t("team_rule", lang, pct=f"{r.team_bonus_threshold:.0%}"), _t("quota", lang)],
            "y": [10, 26],  # two label rows so the 80% and 100% labels never overlap
        }
    )
    rules = alt.Chart(marks).mark_rule(strokeDash=[4, 3], color="#7f7f7f").encode(x="attainment:Q")
    text = (
        alt.Chart(marks)
        .mark_text(align="left", dx=4, color="#52606d")
        .encode(x="attainment:Q", y=alt.Y("y:Q", scale=None), text="label:N")
    )
    return alt.layer(line, rules, text).properties(title=_t("payout_title", lang))


def attainment_chart(hist: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Simulated distribution of rep attainment (share of rep-years per 10% bin); bins at or above 100% coloured."""
    d = hist.copy()
    d["at_quota"] = d["bin_start"] >= 1.0 - 1e-9
    return (
        alt.Chart(d)
        .mark_bar()
        .encode(
            x=alt.X("bin_start:Q", bin="binned", title=_t("attainment", lang), axis=alt.Axis(format="%")),
            x2="bin_end:Q",
            y=alt.Y("share:Q", title=_t("share_of_reps", lang), axis=alt.Axis(format="%")),
            color=alt.Color(
                "at_quota:N",
                legend=None,
                scale=alt.Scale(domain=[False, True], range=[PALETTE[4], PALETTE[2]]),
            ),
            tooltip=[
                alt.Tooltip("bin_start:Q", title=_t("attainment", lang), format=".0%"),
                alt.Tooltip("share:Q", title=_t("share_of_reps", lang), format=PCT_FORMAT),
            ],
        )
        .properties(title=_t("attainment_title", lang))
    )


def budget_chart(alloc: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Current vs optimal marketing budget per lead source (grouped bars); stopped sources marked in the label."""
    kinds = {"current_budget": _t("current", lang), "optimal_budget": _t("optimal", lang)}
    d = alloc[["channel", "current_budget", "optimal_budget", "stopped"]].copy()
    d["label"] = [
        i18n.name("lead_source", c, lang) + (f" ({_t('stopped', lang)})" if s else "")
        for c, s in zip(d["channel"], d["stopped"], strict=True)
    ]
    d = d.melt(id_vars=["label"], value_vars=list(kinds), var_name="kind", value_name="budget")
    d["kind"] = d["kind"].map(kinds)
    return (
        alt.Chart(d)
        .mark_bar()
        .encode(
            x=alt.X("label:N", title=_t("lead_source", lang), axis=alt.Axis(labelAngle=0, labelLimit=160)),
            xOffset=alt.XOffset("kind:N", sort=list(kinds.values())),
            y=alt.Y("budget:Q", axis=money_axis(lang, _t("budget", lang))),
            color=alt.Color("kind:N", title=None, sort=list(kinds.values())),
            tooltip=[
                alt.Tooltip("label:N", title=_t("lead_source", lang)),
                alt.Tooltip("kind:N", title=_t("series", lang)),
                alt.Tooltip("budget:Q", title=_t("budget", lang), format=MONEY_FORMAT),
            ],
        )
        .properties(title=_t("budget_title", lang))
    )


def response_chart(curves: pd.DataFrame, alloc: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Each lead source's fitted revenue curve over its budget, with its current and optimal budget marked."""
    d = curves.copy()
    d["source"] = [i18n.name("lead_source", c, lang) for c in d["channel"]]
    kinds = {"current": _t("current", lang), "optimal": _t("optimal", lang)}
    pts = pd.concat(
        [
            pd.DataFrame(
                {
                    "source": [i18n.name("lead_source", c, lang) for c in alloc["channel"]],
                    "budget": alloc[f"{'current_' if k == 'current' else 'optimal_'}budget"],
                    "revenue": alloc["current_revenue" if k == "current" else "revenue"],
                    "kind": label,
                }
            )
            for k, label in kinds.items()
        ],
        ignore_index=True,
    )
    color = alt.Color("source:N", title=_t("lead_source", lang), legend=alt.Legend(columns=2))
    lines = (
        alt.Chart(d)
        .mark_line()
        .encode(
            x=alt.X("budget:Q", axis=money_axis(lang, _t("budget", lang))),
            y=alt.Y("revenue:Q", axis=money_axis(lang, _t("expected_revenue", lang))),
            color=color,
        )
    )
    points = (
        alt.Chart(pts)
        .mark_point(size=80, filled=True)
        .encode(
            x="budget:Q",
            y="revenue:Q",
            color=color,
            shape=alt.Shape(
                "kind:N", title=None, sort=list(kinds.values()), legend=alt.Legend(orient="right")
            ),
            tooltip=[
                alt.Tooltip("source:N", title=_t("lead_source", lang)),
                alt.Tooltip("kind:N", title=_t("series", lang)),
                alt.Tooltip("budget:Q", title=_t("budget", lang), format=MONEY_FORMAT),
                alt.Tooltip("revenue:Q", title=_t("expected_revenue", lang), format=MONEY_FORMAT),
            ],
        )
    )
    return alt.layer(lines, points).properties(title=_t("response_title", lang))


def cost_chart(costs: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """The cost of sales by item (horizontal bars coloured by category), without the total row."""
    d = costs[costs["category"] != "total"].copy()

    def label(item: str) -> str:
        try:
            return i18n.t(f"resources.costs.items.{item}", lang)
        except KeyError:
            return item

    d["item_label"] = [wrap_label(label(i), 44) for i in d["item"]]
    lines = max((x.count("\n") + 1 for x in d["item_label"]), default=1)
    d["category_label"] = [i18n.t(f"resources.costs.categories.{c}", lang) for c in d["category"]]
    return (
        alt.Chart(d[["item_label", "category_label", "amount"]])
        .mark_bar()
        .encode(
            y=alt.Y("item_label:N", title=None, sort="-x", axis=wrapped_axis()),
            x=alt.X("amount:Q", axis=money_axis(lang, _t("amount", lang))),
            color=alt.Color("category_label:N", title=_t("category", lang)),
            tooltip=[
                alt.Tooltip("item_label:N", title=_t("item", lang)),
                alt.Tooltip("amount:Q", title=_t("amount", lang), format=MONEY_FORMAT),
            ],
        )
        # the theme's autosize "fit" counts the title, the x axis and the legend below the plot in the height:
        # each row gets 14 px a label line plus 8, and the rest its ~130 px
        .properties(title=_t("cost_title", lang), height=max(120, len(d) * (14 * lines + 8) + 130))
    )


def gantt_chart(plan: pd.DataFrame, as_of: date, lang: str = "en") -> alt.LayerChart:
    """Gantt chart of the action plan: one bar per task from start to end, coloured by goal, sorted by start;
    a dashed rule at `as_of`; tasks without owner or past their deadline get a red outline."""
    d = plan[["task", "goal", "owner", "start", "end", "status", "no_owner", "overdue"]].copy()
    d["owner"] = [i18n.name("role", o, lang) if isinstance(o, str) else o for o in d["owner"]]  # params roles
    d["goal_label"] = [i18n.t(f"resources.goals.{g}", lang) if g in _GOALS else g for g in d["goal"]]
    d["status_label"] = [i18n.t(f"resources.actions.status.{s}", lang) for s in d["status"]]
    d["flagged"] = d["no_owner"] | d["overdue"]
    d["task_label"] = [wrap_label(x, 64) for x in d["task"]]  # whole names on a few lines, never "…"
    order = d.sort_values(["start", "end"])["task_label"].tolist()
    lines = max((x.count("\n") + 1 for x in d["task_label"]), default=1)  # every row as tall as the tallest
    bars = (
        alt.Chart(d)
        .mark_bar(height=14, cornerRadius=2)
        .encode(
            x=alt.X("start:T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=0)),
            x2="end:T",
            y=alt.Y("task_label:N", sort=order, title=None, axis=wrapped_axis()),
            color=alt.Color("goal_label:N", title=_t("goal", lang), legend=alt.Legend(columns=3)),
            stroke=alt.condition("datum.flagged", alt.value("#d9480f"), alt.value(None)),
            strokeWidth=alt.value(2),
            tooltip=[
                alt.Tooltip("task:N", title=_t("task", lang)),
                alt.Tooltip("owner:N", title=_t("owner", lang)),
                alt.Tooltip("start:T", title=_t("start", lang), format="%Y-%m-%d"),
                alt.Tooltip("end:T", title=_t("end", lang), format="%Y-%m-%d"),
                alt.Tooltip("status_label:N", title=_t("status", lang)),
            ],
        )
    )
    today = (
        alt.Chart(pd.DataFrame({"as_of": [str(as_of)]}))
        .mark_rule(strokeDash=[4, 3], color="#1f2933")
        .encode(x="as_of:T")
    )
    return alt.layer(bars, today).properties(
        # as in cost_chart: 14 px a label line plus 8 a row, and ~110 px for title, time axis and legend ("fit")
        title=_t("gantt_title", lang),
        height=max(160, len(d) * (14 * lines + 8) + 110),
        width=900,
    )


_GOALS = ("revenue", "people", "pipeline", "customers", "execution")
