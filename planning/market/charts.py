"""Chart builders of step 1 (market analysis): aggregated DataFrames from the `planning.market` compute modules
(and narrate's labelled frames) + `lang` in, `alt.Chart` out. Titles, axes and legends are translated; category
labels are display names.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from planning import i18n
from planning.charts import PALETTE, PCT_FORMAT, money_axis
from planning.market.narrate import dimension_name


def _t(key: str, lang: str, **fmt) -> str:
    return i18n.t(f"market.chart.{key}", lang, **fmt)


def _month_date(month: pd.Series) -> pd.Series:
    """ "2026-09" -> "2026-09-01": an ISO date string Vega parses as UTC (shown with utc time units, so every
    viewer's time zone sees the same month)."""
    return month.astype("str") + "-01"


def trend_line(trend: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Monthly sales (solid) with the same month a year earlier (dashed) on the same time axis (none, and not
    named, when the history has no month a year earlier).

    In: `trend.trend` output (month, sales, complete).
    """
    df = trend[["month", "sales"]].copy()
    df["prior"] = df["sales"].shift(12)
    df["date"] = _month_date(df["month"])
    this, prior = _t("this_year", lang), _t("prior_year", lang)
    # a history shorter than 13 months (the minimal plan) has no prior year: no overlay named in title or legend
    overlay = bool(df["prior"].notna().any())
    series = [this, prior] if overlay else [this]
    long = pd.concat(
        [
            pd.DataFrame({"date": df["date"], "series": this, "sales": df["sales"]}),
            pd.DataFrame({"date": df["date"], "series": prior, "sales": df["prior"]}).dropna(),
        ],
        ignore_index=True,
    )
    return (
        alt.Chart(long, title=_t("trend_title" if overlay else "trend_title_alone", lang))
        .mark_line(point=alt.OverlayMarkDef(size=18))
        .encode(
            x=alt.X(
                "date:T", timeUnit="utcyearmonth", title=_t("month", lang), axis=alt.Axis(format="%Y-%m")
            ),
            y=alt.Y("sales:Q", axis=money_axis(lang, _t("sales", lang))),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=series, range=[PALETTE[0], "#9aa5b1"][: len(series)]),
            ),
            # Same field, same title as the colour: Vega-Lite merges both into one legend with dashed symbols.
            strokeDash=alt.StrokeDash(
                "series:N", title=None, scale=alt.Scale(domain=series, range=[[1, 0], [5, 4]][: len(series)])
            ),
            tooltip=[
                alt.Tooltip("date:T", timeUnit="utcyearmonth", title=_t("month", lang), format="%Y-%m"),
                alt.Tooltip("series:N", title=_t("series", lang)),
                alt.Tooltip("sales:Q", title=_t("sales", lang), format=",.0f"),
            ],
        )
    )


def seasonality_bar(season: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Month-of-year index bars with a rule at 1.0 (the average month). In: `trend.seasonality` output."""
    df = season[["month_of_year", "index"]].copy()
    month_names = [f"{m}月" for m in range(1, 13)] if lang == "zh" else [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]  # fmt: skip
    df["label"] = [month_names[m - 1] for m in df["month_of_year"]]
    bars = (
        alt.Chart(df, title=_t("season_title", lang))
        .mark_bar()
        .encode(
            x=alt.X(
                "label:N", sort=month_names, title=_t("month_of_year", lang), axis=alt.Axis(labelAngle=0)
            ),
            y=alt.Y("index:Q", title=_t("index", lang)),
            color=alt.condition(alt.datum.index >= 1, alt.value(PALETTE[0]), alt.value("#9ac1e8")),
            tooltip=[
                alt.Tooltip("label:N", title=_t("month_of_year", lang)),
                alt.Tooltip("index:Q", format=".3f"),
            ],
        )
    )
    rule = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(color="#52606d", strokeDash=[4, 3]).encode(y="y:Q")
    return alt.layer(bars, rule)


def breakdown_small_multiples(
    df: pd.DataFrame, dimension: str, lang: str = "en", columns: int = 2
) -> alt.Chart:
    """One small line chart of monthly sales per value of `dimension` (product_line, channel ...).

    In: `trend.breakdown` output (month, <dimension>, sales, l12m_share); panels ordered by L12M share.
    """
    d = df.copy()
    d["date"] = _month_date(d["month"])
    kind = {"acquisition_channel": "lead_source"}.get(dimension, dimension)
    d["label"] = d[dimension].map(lambda v: i18n.name(kind, v, lang))
    order = list(dict.fromkeys(d.sort_values("l12m_share", ascending=False)["label"]))
    dim_title = i18n.column(dimension, lang, "market")
    return (
        alt.Chart(d, width=260, height=140)
        .mark_line()
        .encode(
            x=alt.X(
                "date:T", timeUnit="utcyearmonth", title=None, axis=alt.Axis(format="%Y", tickCount="year")
            ),
            y=alt.Y("sales:Q", axis=money_axis(lang, _t("sales", lang))),
            color=alt.Color("label:N", legend=None, sort=order),
            tooltip=[
                alt.Tooltip("label:N", title=dim_title),
                alt.Tooltip("date:T", timeUnit="utcyearmonth", title=_t("month", lang), format="%Y-%m"),
                alt.Tooltip("sales:Q", title=_t("sales", lang), format=",.0f"),
            ],
        )
        .facet(facet=alt.Facet("label:N", sort=order, title=None), columns=columns)
        .resolve_scale(y="independent")
        # Inside an English sentence the header reads in lower case: "Monthly sales by product line".
        .properties(title=_t("breakdown_title", lang, dimension=dim_title[:1].lower() + dim_title[1:]))
    )


def share_dumbbell(share: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Our share per industry: previous 12 months (hollow) -> last 12 months (filled), gaining green, losing red.

    In: `share.market_share` output (the `total` row is drawn first, as the region's reference).
    """
    df = share.copy()
    df["label"] = [
        _t("total", lang) if s == "total" else i18n.name("industry", s, lang) for s in df["segment"]
    ]
    df["status_label"] = df["status"].map(lambda s: i18n.t(f"market.status.{s}", lang))
    order = list(df["label"])
    colors = alt.Scale(
        domain=[i18n.t(f"market.status.{s}", lang) for s in ("gaining", "stable", "losing")],
        range=["#2f9e44", "#9aa5b1", "#d9480f"],
    )
    y = alt.Y("label:N", sort=order, title=None)
    tooltip = [
        alt.Tooltip("label:N", title=_t("segment", lang)),
        alt.Tooltip("share_prev:Q", title=_t("prev", lang), format=".2%"),
        alt.Tooltip("share:Q", title=_t("last", lang), format=".2%"),
        alt.Tooltip("market_size:Q", title=_t("market_size", lang), format=",.0f"),
    ]
    rule = alt.Chart(df).mark_rule(strokeWidth=2).encode(
        y=y, x=alt.X("share_prev:Q", title=_t("share", lang), axis=alt.Axis(format=PCT_FORMAT)), x2="share:Q",
        color=alt.Color("status_label:N", scale=colors, title=None), tooltip=tooltip,
    )  # fmt: skip
    prev = (
        alt.Chart(df)
        .mark_point(size=70, filled=False, color="#52606d")
        .encode(y=y, x="share_prev:Q", tooltip=tooltip)
    )
    last = (
        alt.Chart(df)
        .mark_point(size=90, filled=True)
        .encode(
            y=y, x="share:Q", color=alt.Color("status_label:N", scale=colors, title=None), tooltip=tooltip
        )
    )
    return alt.layer(rule, prev, last, title=_t("share_title", lang))


def segments_bubble(segs: pd.DataFrame, lang: str = "en", top: int = 5) -> alt.Chart:
    """CLV (y) against win rate (x) per segment, bubble area = L12M sales; the `top` ICP segments are labelled.

    In: `segments.segments` output with a `label` column (`narrate.label_segments`), or the segment key is shown. Without any
    win rate (no opportunities table) the x axis is the segment's sales growth instead.
    """
    x_field = "win_rate" if segs["win_rate"].notna().any() else "growth"
    x_format = ".0%" if x_field == "win_rate" else "+.0%"
    df = segs.dropna(subset=["clv", x_field]).copy()
    if "label" not in df:
        df["label"] = df["segment"]
    df["top"] = df["icp_rank"] <= top
    title = _t("segments_title" if x_field == "win_rate" else "segments_title_growth", lang)
    base = alt.Chart(df, title=title)
    tooltip = [
        alt.Tooltip("label:N", title=_t("segment", lang)),
        alt.Tooltip("icp_rank:Q", title=_t("rank", lang)),
        alt.Tooltip("sales:Q", title=_t("sales", lang), format=",.0f"),
        alt.Tooltip("clv:Q", title=_t("clv", lang), format=",.0f"),
        alt.Tooltip("win_rate:Q", title=_t("win_rate", lang), format=".1%"),
        alt.Tooltip("growth:Q", title=_t("growth", lang), format="+.1%"),
        alt.Tooltip("customers:Q", title=_t("customers", lang)),
    ]
    points = base.mark_circle(opacity=0.75, stroke="white", strokeWidth=1).encode(
        x=alt.X(f"{x_field}:Q", title=_t(x_field, lang), axis=alt.Axis(format=x_format)),
        y=alt.Y("clv:Q", axis=money_axis(lang, _t("clv", lang))),
        size=alt.Size("sales:Q", legend=None, scale=alt.Scale(range=[30, 900])),
        color=alt.condition(alt.datum.top, alt.value(PALETTE[0]), alt.value("#9aa5b1")),
        tooltip=tooltip,
    )
    # Rank numbers, not names, next to the top bubbles: names collide; the tooltip and the ICP table carry them.
    text = (
        base.transform_filter(alt.datum.top)
        .transform_calculate(rank_label="'#' + datum.icp_rank")
        .mark_text(align="left", dx=8, dy=-8, fontSize=12, fontWeight="bold")
        .encode(x=f"{x_field}:Q", y="clv:Q", text="rank_label:N")
    )
    return alt.layer(points, text)


def competitor_heatmap(
    comp: pd.DataFrame, own_scores: dict[str, float], lang: str = "en", company: str | None = None
) -> alt.Chart:
    """Competitors x dimensions heatmap of scores (1 weak .. 5 strong), our own row first, openings marked ▲.

    In: `competitors.competitors` output (competitor, competitor_zh, dimension, score, opening); `own_scores` from
    params `market.own_scores`.
    """
    voice = i18n.Voice(lang)
    df = comp.copy()
    df["who"] = df["competitor_zh"] if lang == "zh" else df["competitor"]
    us = company or i18n.t("market.competitors.us", lang)
    if own_scores:
        opening = df.groupby("dimension")["opening"].first()
        own = pd.DataFrame({"who": us, "dimension": list(own_scores), "score": list(own_scores.values())})
        own["opening"] = own["dimension"].map(opening).fillna(False).astype(bool)
        df = pd.concat([own, df[["who", "dimension", "score", "opening"]]], ignore_index=True)
    dims = list(dict.fromkeys(comp["dimension"]))
    df["dim_label"] = [
        dimension_name(d, voice) + (" ▲" if o else "")
        for d, o in zip(df["dimension"], df["opening"], strict=True)
    ]
    dim_order = list(dict.fromkeys(df.set_index("dimension").loc[dims, "dim_label"]))
    who_order = list(dict.fromkeys(df["who"]))
    base = alt.Chart(df)
    x = alt.X("dim_label:N", sort=dim_order, title=None, axis=alt.Axis(labelAngle=0, orient="top"))
    y = alt.Y("who:N", sort=who_order, title=None, axis=alt.Axis(labelLimit=260))
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        x=x, y=y,
        color=alt.Color("score:Q", title=_t("score", lang), scale=alt.Scale(domain=[1, 5], scheme="redyellowgreen"),
                        legend=alt.Legend(orient="right", gradientLength=90)),
        tooltip=[alt.Tooltip("who:N", title=_t("competitor", lang)), alt.Tooltip("dim_label:N", title=_t("dimension", lang)),
                 alt.Tooltip("score:Q", title=_t("score", lang), format=".1f")],
    )  # fmt: skip
    text = base.mark_text(fontSize=13).encode(x=x, y=y, text=alt.Text("score:Q", format=".1f"))
    return alt.layer(rect, text, title=_t("competitors_title", lang), height=44 * len(who_order), width=660)


def increment_bar(inc: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Horizontal bars of the market increment per named segment / opening, coloured by source.

    In: `narrate.explain_increment` output with a `label` column (`narrate.label_increment`).
    """
    df = inc.copy()
    if "label" not in df:
        df["label"] = df["segment_or_dimension"]
    df["source_label"] = df["source"].map(lambda s: i18n.t(f"market.increment.sources.{s}", lang))
    return (
        alt.Chart(df, title=_t("increment_title", lang))
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort="-x", title=None),
            x=alt.X("amount:Q", axis=money_axis(lang, _t("amount", lang))),
            color=alt.Color("source_label:N", title=None),
            tooltip=[
                alt.Tooltip("label:N", title=_t("segment", lang)),
                alt.Tooltip("amount:Q", format=",.0f"),
                alt.Tooltip("explanation:N", title=None),
            ],
        )  # fmt: skip
    )
