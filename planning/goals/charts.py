"""Chart builders of step 2 (goals): frames of `planning.goals` (compute and views) + `lang` in, `alt.Chart` out.

Titles, axes and legends are translated (`locale/goals.yaml` `chart:`); months are ISO dates shown in UTC so
every viewer's time zone sees the same month.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from planning import i18n
from planning.charts import MONEY_FORMAT, PALETTE, money_axis, money_legend, wrap_label, wrapped_axis
from planning.goals import narrate


def _t(key: str, lang: str, **fmt) -> str:
    return i18n.t(f"goals.chart.{key}", lang, **fmt)


def _date(month: pd.Series) -> pd.Series:
    return month.astype("str") + "-01"


def _month_x(lang: str) -> alt.X:
    return alt.X("date:T", timeUnit="utcyearmonth", title=_t("month", lang), axis=alt.Axis(format="%Y-%m"))


def forecast_vs_plan(df: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Actual sales, the chosen forecast with its prediction interval (band) and the monthly targets.

    In: `decompose.forecast_vs_plan` (month, series actual|forecast|target, value, lower, upper).
    """
    d = df.copy()
    d["date"] = _date(d["month"])
    names = {s: _t(s, lang) for s in ("actual", "forecast", "target")}
    d["label"] = d["series"].map(names)
    domain = [names["actual"], names["forecast"], names["target"]]
    color = alt.Color(
        "label:N", title=None, scale=alt.Scale(domain=domain, range=[PALETTE[7], PALETTE[0], PALETTE[1]])
    )
    base = alt.Chart(d, title=_t("forecast_title", lang))
    band = (
        base.transform_filter(alt.datum.series == "forecast")
        .mark_area(opacity=0.18, color=PALETTE[0])
        .encode(x=_month_x(lang), y=alt.Y("lower:Q", axis=money_axis(lang, _t("sales", lang))), y2="upper:Q")
    )
    lines = base.mark_line(point=alt.OverlayMarkDef(size=16)).encode(
        x=_month_x(lang),
        y=alt.Y("value:Q", axis=money_axis(lang, _t("sales", lang))),
        color=color,
        strokeDash=alt.StrokeDash(
            "label:N", legend=None, scale=alt.Scale(domain=domain, range=[[1, 0], [5, 3], [1, 0]])
        ),
        tooltip=[
            alt.Tooltip("date:T", timeUnit="utcyearmonth", format="%Y-%m", title=_t("month", lang)),
            alt.Tooltip("label:N", title=_t("series", lang)),
            alt.Tooltip("value:Q", format=MONEY_FORMAT, title=_t("sales", lang)),
            alt.Tooltip("lower:Q", format=MONEY_FORMAT, title=_t("lower", lang)),
            alt.Tooltip("upper:Q", format=MONEY_FORMAT, title=_t("upper", lang)),
        ],
    )
    return band + lines


def backtest_bars(bt: pd.DataFrame, chosen: str, lang: str = "en") -> alt.Chart:
    """MAPE per model and backtest origin, the chosen model highlighted. In: backtest.csv rows + chosen model."""
    d = bt.dropna(subset=["mape"]).copy()
    d["model_name"] = [narrate.model_name(m, i18n.Voice(lang)) for m in d["model"]]
    d["chosen"] = np.where(d["model"] == chosen, _t("chosen", lang), _t("other", lang))
    return (
        alt.Chart(d, title=_t("backtest_title", lang))
        .mark_bar()
        .encode(
            y=alt.Y(
                "model_name:N",
                title=None,
                sort=alt.EncodingSortField("mape", op="mean"),
                axis=alt.Axis(labelLimit=420),  # a combination's name is two models' names
            ),
            x=alt.X("mean(mape):Q", title=_t("mape", lang), axis=alt.Axis(format=".0%")),
            color=alt.Color(
                "chosen:N",
                title=None,
                scale=alt.Scale(
                    domain=[_t("chosen", lang), _t("other", lang)], range=[PALETTE[0], "#9aa5b1"]
                ),
            ),
            tooltip=[
                alt.Tooltip("model_name:N", title=_t("model", lang)),
                alt.Tooltip("mean(mape):Q", format=".1%", title=_t("mape", lang)),
                alt.Tooltip("mean(bias):Q", format="+.1%", title=_t("bias", lang)),
                alt.Tooltip("count(mape):Q", title=_t("origins", lang)),
            ],
        )
        .properties(height=alt.Step(28))
    )


def waterfall(cal: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Baseline -> market increments -> calibration bound -> buffer -> target as floating bars.

    In: `views.calibration_view` (calibration.csv: step, component, amount, kind start|delta|subtotal|total,
    explanation, label). Totals and subtotals are full bars from 0; deltas float from the running total.
    """
    d = cal.sort_values("step").reset_index(drop=True).copy()
    title = "waterfall_title_run_rate" if (d["component"] == "run_rate").any() else "waterfall_title"  # minimal
    level, lo, hi = 0.0, [], []
    for kind, amount in zip(d["kind"], d["amount"], strict=True):
        if kind == "delta":
            lo.append(level)
            level += float(amount)
            hi.append(level)
        else:
            level = float(amount)
            lo.append(0.0)
            hi.append(level)
    d["from"], d["to"] = lo, hi
    d["sign"] = np.where(d["kind"] != "delta", "total", np.where(d["amount"] >= 0, "up", "down"))
    signs = ["total", "up", "down"]
    names = [_t(s, lang) for s in signs]
    d["sign_name"] = d["sign"].map(dict(zip(signs, names, strict=True)))
    d["label"] = d["label"].map(wrap_label)  # horizontal, wrapped labels: rotated Chinese reads sideways
    order = d["label"].tolist()
    return (
        alt.Chart(d, title=_t(title, lang), width=680)
        .mark_bar(size=28)
        .encode(
            x=alt.X("label:N", sort=order, title=None, axis=wrapped_axis()),
            y=alt.Y("from:Q", axis=money_axis(lang, _t("amount", lang))),
            y2="to:Q",
            color=alt.Color(
                "sign_name:N",
                title=None,
                scale=alt.Scale(domain=names, range=[PALETTE[0], PALETTE[2], PALETTE[5]]),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=_t("component", lang)),
                alt.Tooltip("amount:Q", format=MONEY_FORMAT, title=_t("amount", lang)),
                alt.Tooltip("explanation:N", title=_t("explanation", lang)),
            ],
        )
    )


def dimensions(est: pd.DataFrame, committed: float, lang: str = "en") -> alt.Chart:
    """The four calibration estimates as bars with the calibrated target as a rule.

    In: dimension (translated), amount, binding (bool); committed target.
    """
    d = est.dropna(subset=["amount"]).copy()
    d["state"] = np.where(d["binding"], _t("binding", lang), _t("not_binding", lang))
    states = [_t("binding", lang), _t("not_binding", lang)]
    bars = (
        alt.Chart(d, title=_t("dimensions_title", lang))
        .mark_bar()
        .encode(
            y=alt.Y("dimension:N", title=None, sort=None),
            x=alt.X("amount:Q", axis=money_axis(lang, _t("amount", lang))),
            color=alt.Color(
                "state:N", title=None, scale=alt.Scale(domain=states, range=[PALETTE[1], PALETTE[0]])
            ),
            tooltip=[
                alt.Tooltip("dimension:N", title=_t("dimension", lang)),
                alt.Tooltip("amount:Q", format=MONEY_FORMAT, title=_t("amount", lang)),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"committed": [committed], "label": [_t("committed", lang)]}))
        .mark_rule(color=PALETTE[5], strokeDash=[4, 3], strokeWidth=2)
        .encode(
            x="committed:Q",
            tooltip=[alt.Tooltip("committed:Q", format=MONEY_FORMAT, title=_t("committed", lang))],
        )
    )
    return (bars + rule).properties(height=alt.Step(34))


def calendar(targets: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Weekly targets as bars with the monthly targets beneath (two rows, shared time axis).

    In: targets.csv (level, period, start, end, target).
    """
    weeks = targets[targets["level"] == "week"].copy()
    months = targets[targets["level"] == "month"].copy()
    wk = (
        alt.Chart(weeks, title=_t("weeks_title", lang))
        .mark_bar()
        .encode(
            x=alt.X("start:T", title=None, axis=alt.Axis(format="%Y-%m")),
            x2="end:T",
            y=alt.Y("target:Q", axis=money_axis(lang, _t("week_target", lang))),
            tooltip=[
                alt.Tooltip("period:N", title=_t("week", lang)),
                alt.Tooltip("start:T", format="%Y-%m-%d", title=_t("start", lang)),
                alt.Tooltip("end:T", format="%Y-%m-%d", title=_t("end", lang)),
                alt.Tooltip("target:Q", format=MONEY_FORMAT, title=_t("target", lang)),
            ],
        )
        .properties(width=560, height=160)
    )
    mo = (
        alt.Chart(months, title=_t("months_title", lang))
        .mark_bar(color=PALETTE[1])
        .encode(
            x=alt.X("start:T", title=_t("month", lang), axis=alt.Axis(format="%Y-%m")),
            x2="end:T",
            y=alt.Y("target:Q", axis=money_axis(lang, _t("month_target", lang))),
            tooltip=[
                alt.Tooltip("period:N", title=_t("month", lang)),
                alt.Tooltip("target:Q", format=MONEY_FORMAT, title=_t("target", lang)),
            ],
        )
        .properties(width=560, height=160)
    )
    return alt.vconcat(wk, mo).resolve_scale(x="shared")


def rep_heatmap(targets_rep: pd.DataFrame, lang: str = "en", reps: Sequence[str] | None = None) -> alt.Chart:
    """Rep x month quota heatmap (ramped hires start pale). In: targets_rep.csv (rep_id, name, team, month,
    target). `reps`: the rep ids to show, top to bottom (e.g. `views.rep_sheet(..., shown=n)["rep_id"]`, the
    largest and smallest targets); a subtitle then says how many of how many reps are shown. None: every rep, in the
    order of `targets_rep`."""
    d = targets_rep[["rep_id", "name", "team", "month", "target"]]
    total = d["rep_id"].nunique()
    title: str | alt.Title = _t("reps_title", lang)
    if reps is not None:
        order = pd.Index(pd.unique(pd.Series(list(reps), dtype="str")))
        unknown = order.difference(d["rep_id"].astype("str"))
        if len(unknown):
            raise ValueError(f"rep_heatmap: reps {list(unknown)} are not in targets_rep (rep_id)")
        d = d[d["rep_id"].astype("str").isin(order)]
        d = d.iloc[np.argsort(order.get_indexer(d["rep_id"].astype("str")), kind="stable")]
        if len(order) < total:
            subtitle = _t(
                "reps_subtitle", lang, shown=i18n.number(len(order), lang), reps=i18n.number(total, lang)
            )
            title = alt.Title(title, subtitle=subtitle)
    who = d["team"].map(lambda k: i18n.team(k, lang)) + " · " + d["name"].astype(str)
    # Two people of one team with the same name (common names) would share a row: add their rep ids.
    clash = d["rep_id"].groupby(who).transform("nunique") > 1
    d = d.assign(who=who.where(~clash, who + " (" + d["rep_id"].astype(str) + ")"))
    return (
        alt.Chart(d, title=title)
        .mark_rect()
        .encode(
            x=alt.X("month:O", title=_t("month", lang)),
            y=alt.Y("who:N", title=None, sort=None, axis=alt.Axis(labelLimit=0)),  # whole "team · name"
            color=alt.Color(
                "target:Q", scale=alt.Scale(scheme="blues"), legend=money_legend(lang, _t("target", lang))
            ),
            tooltip=[
                alt.Tooltip("name:N", title=_t("rep", lang)),
                alt.Tooltip("team:N", title=_t("team", lang)),
                alt.Tooltip("month:O", title=_t("month", lang)),
                alt.Tooltip("target:Q", format=MONEY_FORMAT, title=_t("target", lang)),
            ],
        )
        .properties(height=alt.Step(16), width=alt.Step(52))  # room for "2027-01" under each month
    )
