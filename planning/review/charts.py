"""Charts of step 5 (review): aggregated frames from the review's compute modules in, `alt.Chart` out, every label
translated into `lang`; the theme and shared encodings come from `planning.charts`."""

from __future__ import annotations

import altair as alt
import pandas as pd

from planning import i18n
from planning.charts import (
    KPI_COLORS,
    MONEY_FORMAT,
    PALETTE,
    PCT_FORMAT,
    money_axis,
    wrap_label,
    wrapped_axis,
)


def plan_actual_months(pva: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Monthly actual (bars) against the plan to date (line with points) of the year."""
    m = pva[pva["level"] == "month"][["key", "plan", "actual"]]
    t = lambda k: i18n.t(f"review.pva.{k}", lang)  # noqa: E731
    long = m.melt("key", var_name="series", value_name="amount").dropna(subset=["amount"])
    long["series"] = long["series"].map({"plan": t("plan"), "actual": t("actual")})
    color = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=[t("actual"), t("plan")], range=[PALETTE[0], PALETTE[1]]),
    )
    x = alt.X("key:O", title=i18n.column("month", lang), axis=alt.Axis(labelAngle=0))
    y = alt.Y("amount:Q", title=i18n.column("revenue", lang), axis=money_axis(lang))
    tip = [alt.Tooltip("key:O", title=i18n.column("month", lang)), alt.Tooltip("series:N", title=" "),
           alt.Tooltip("amount:Q", format=MONEY_FORMAT, title=i18n.column("amount", lang))]  # fmt: skip
    base = alt.Chart(long).encode(x=x, y=y, color=color, tooltip=tip)
    bars = base.transform_filter(alt.datum.series == t("actual")).mark_bar(opacity=0.85)
    line = base.transform_filter(alt.datum.series == t("plan")).mark_line(point=True)
    return alt.layer(bars, line).properties(title=i18n.t("review.pva.month_title", lang))


def variance_bars(pva: pd.DataFrame, threshold: float, lang: str = "en") -> alt.FacetChart | alt.Chart:
    """Variance % vs plan per rep, product line and channel (year to date); bars beyond the root-cause
    threshold are coloured (red below, green above)."""
    d = pva[pva["level"].isin(["rep", "product_line", "channel"])].dropna(subset=["variance_pct"]).copy()
    d["label"] = [
        i18n.name(lvl, k, lang) if lvl != "rep" else str(k)
        for lvl, k in zip(d["level"], d["key"], strict=True)
    ]
    d["group"] = [i18n.t(f"review.pva.levels.{lvl}", lang) for lvl in d["level"]]
    # Grey within the threshold (yellow means "watch" on the KPI board); every colour named in the legend.
    t = i18n.pct(threshold, lang, 0)
    names = {
        "below": i18n.t("review.pva.flag_below", lang, threshold=t),
        "within": i18n.t("review.pva.flag_within", lang, threshold=t),
        "above": i18n.t("review.pva.flag_above", lang, threshold=t),
    }
    d["flag"] = [
        names["below"] if v < -threshold else names["above"] if v > threshold else names["within"]
        for v in d["variance_pct"]
    ]
    return (
        alt.Chart(d)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort="x"),
            x=alt.X(
                "variance_pct:Q", title=i18n.t("review.pva.variance_pct", lang), axis=alt.Axis(format="%")
            ),
            color=alt.Color(
                "flag:N",
                scale=alt.Scale(
                    domain=list(names.values()), range=[KPI_COLORS["red"], "#9aa5b1", KPI_COLORS["green"]]
                ),
                legend=alt.Legend(title=None),
            ),
            row=alt.Row("group:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")),
            tooltip=[
                alt.Tooltip("label:N", title=i18n.column("key", lang, "review")),
                alt.Tooltip("plan:Q", format=MONEY_FORMAT, title=i18n.column("plan", lang, "review")),
                alt.Tooltip("actual:Q", format=MONEY_FORMAT, title=i18n.column("actual", lang)),
                alt.Tooltip(
                    "variance_pct:Q", format=PCT_FORMAT, title=i18n.column("variance_pct", lang, "review")
                ),
            ],
        )
        .properties(width=480, height=alt.Step(18))
        .resolve_scale(y="independent")
        .properties(title=i18n.t("review.pva.breakdown_title", lang))
    )


def resplit_chart(rs: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Remaining months: original plan vs the re-split target (grouped bars)."""
    t = lambda k: i18n.t(f"review.pva.{k}", lang)  # noqa: E731
    long = rs[["month", "plan", "resplit"]].melt("month", var_name="series", value_name="amount")
    long["series"] = long["series"].map({"plan": t("plan"), "resplit": t("resplit")})
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("month:O", title=i18n.column("month", lang), axis=alt.Axis(labelAngle=0)),
            xOffset="series:N",
            y=alt.Y("amount:Q", title=i18n.column("target", lang), axis=money_axis(lang)),
            color=alt.Color("series:N", title=None, scale=alt.Scale(range=[PALETTE[1], PALETTE[0]])),
            tooltip=[
                alt.Tooltip("month:O", title=i18n.column("month", lang)),
                alt.Tooltip("series:N", title=" "),
                alt.Tooltip("amount:Q", format=MONEY_FORMAT, title=i18n.column("amount", lang)),
            ],  # fmt: skip
        )
        .properties(title=i18n.t("review.pva.resplit_title", lang), height=220)
    )


def kpi_chart(board: pd.DataFrame, red: float, yellow: float, lang: str = "en") -> alt.LayerChart:
    """Each KPI's deviation from its reference (positive = better), coloured by its light, with the yellow and
    red thresholds as rules."""
    d = board[["kpi", "status", "shortfall", "rule"]].copy()
    d["deviation"] = -d["shortfall"]
    d["name"] = [i18n.t(f"review.kpi.names.{k}", lang) for k in d["kpi"]]
    d["light"] = [i18n.name("kpi_status", s, lang) for s in d["status"]]
    x = alt.X("deviation:Q", title=i18n.t("review.kpi.deviation", lang), axis=alt.Axis(format="%"),
              scale=alt.Scale(domain=[-1, 1], clamp=True))  # fmt: skip
    bars = (
        alt.Chart(d)
        .mark_bar()
        .encode(
            y=alt.Y("name:N", title=None, sort=list(d["name"])),
            x=x,
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=list(KPI_COLORS), range=list(KPI_COLORS.values())),
                legend=None,
            ),  # fmt: skip
            tooltip=[
                alt.Tooltip("name:N", title=i18n.column("kpi", lang)),
                alt.Tooltip("light:N", title=i18n.column("status", lang)),
                alt.Tooltip("deviation:Q", format=PCT_FORMAT, title=i18n.t("review.kpi.deviation", lang)),
                alt.Tooltip("rule:N", title=i18n.column("rule", lang, "review")),
            ],  # fmt: skip
        )
    )
    lines = pd.DataFrame({"x": [-red, -yellow], "status": ["red", "yellow"]})
    rules = (
        alt.Chart(lines)
        .mark_rule(strokeDash=[4, 3])
        .encode(
            x="x:Q",
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=list(KPI_COLORS), range=list(KPI_COLORS.values())),
                legend=None,
            ),
        )  # fmt: skip
    )
    return alt.layer(bars, rules).properties(
        title=i18n.t("review.kpi.chart_title", lang), height=alt.Step(20)
    )


def waterfall(wf: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Plan -> driver effects -> actual (bars floating from start to end; totals from zero)."""
    d = wf.copy()
    d["label"] = [wrap_label(i18n.t(f"review.drivers.{s}", lang)) for s in d["step"]]  # horizontal labels
    d["delta"] = d["end"] - d["start"]
    colors = {"total": PALETTE[0], "up": KPI_COLORS["green"], "down": KPI_COLORS["red"]}
    base = alt.Chart(d).encode(x=alt.X("label:N", sort=list(d["label"]), title=None, axis=wrapped_axis()))
    bars = base.mark_bar().encode(
        y=alt.Y("start:Q", title=i18n.t("review.rc.amount", lang), axis=money_axis(lang)),
        y2="end:Q",
        color=alt.Color(
            "kind:N", scale=alt.Scale(domain=list(colors), range=list(colors.values())), legend=None
        ),
        tooltip=[
            alt.Tooltip("label:N", title=i18n.t("review.rc.step", lang)),
            alt.Tooltip("delta:Q", format=MONEY_FORMAT, title=i18n.column("effect", lang, "review")),
        ],  # fmt: skip
    )
    return alt.layer(bars).properties(title=i18n.t("review.rc.waterfall_title", lang))


def accuracy_chart(acc: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """APE per month, one line per earlier snapshot (or back-dated forecast)."""
    return (
        alt.Chart(acc.dropna(subset=["ape"]))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title=i18n.column("month", lang), axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("ape:Q", title=i18n.t("review.accuracy.ape", lang), axis=alt.Axis(format="%")),
            color=alt.Color("snapshot:N", title=i18n.column("snapshot", lang, "review")),
            tooltip=[
                alt.Tooltip("snapshot:N", title=i18n.column("snapshot", lang, "review")),
                alt.Tooltip("month:O", title=i18n.column("month", lang)),
                alt.Tooltip("forecast:Q", format=MONEY_FORMAT, title=i18n.t("review.pva.plan", lang)),
                alt.Tooltip("actual:Q", format=MONEY_FORMAT, title=i18n.column("actual", lang)),
                alt.Tooltip("ape:Q", format=PCT_FORMAT, title=i18n.t("review.accuracy.ape", lang)),
            ],  # fmt: skip
        )
        .properties(title=i18n.t("review.accuracy.chart_title", lang), height=240)
    )


def risk_heatmap(reg: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Likelihood x impact grid (1..5 each) coloured by score; each cell lists how many risks sit there."""
    grid = pd.DataFrame(
        [(lk, im) for lk in range(1, 6) for im in range(1, 6)], columns=["likelihood", "impact"]
    )
    grid["score"] = grid["likelihood"] * grid["impact"]
    cells = (
        reg.groupby(["likelihood", "impact"])
        .agg(n=("risk", "size"), names=("risk", " / ".join))
        .reset_index()
    )
    grid = grid.merge(cells, on=["likelihood", "impact"], how="left")
    grid["n"] = grid["n"].fillna(0).astype(int)
    grid["names"] = grid["names"].fillna("")
    grid["label"] = grid["n"].map(lambda n: str(n) if n else "")
    x = alt.X("impact:O", title=i18n.column("impact", lang, "review"), axis=alt.Axis(labelAngle=0))
    y = alt.Y("likelihood:O", title=i18n.column("likelihood", lang, "review"), sort="descending")
    rect = (
        alt.Chart(grid)
        .mark_rect(stroke="white")
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "score:Q",
                scale=alt.Scale(domain=[1, 25], range=["#e9f5ec", "#f2b705", "#d9480f"]),
                title=i18n.column("score", lang, "review"),
            ),  # fmt: skip
            tooltip=[
                alt.Tooltip("score:Q", title=i18n.column("score", lang, "review")),
                alt.Tooltip("names:N", title=i18n.column("risk", lang, "review")),
            ],  # fmt: skip
        )
    )
    text = alt.Chart(grid).mark_text(fontSize=16, fontWeight="bold").encode(x=x, y=y, text="label:N")
    return alt.layer(rect, text).properties(
        title=i18n.t("review.risk.heatmap_title", lang), width=300, height=300
    )
