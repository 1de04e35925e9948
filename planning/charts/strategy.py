"""Chart builders of step 3 (strategy): aggregated DataFrames from `planning.strategy` + `lang` in, `alt.Chart`
out. Titles, axes and legends are translated; category labels are display names in the report's language.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from planning import i18n
from planning.charts import KPI_COLORS, PALETTE, PCT_FORMAT, money_axis

TIERS = ("strategic", "profit", "nurture", "maintain")
STAGES = ("lead", "discovery", "proposal", "negotiation")
RISKS = ("high", "medium", "low")
TIER_COLORS = {"strategic": PALETTE[0], "profit": PALETTE[2], "nurture": PALETTE[1], "maintain": "#9aa5b1"}
RISK_COLORS = {"high": KPI_COLORS["red"], "medium": KPI_COLORS["yellow"], "low": KPI_COLORS["green"]}


def _t(key: str, lang: str, **fmt) -> str:
    return i18n.t(f"strategy.chart.{key}", lang, **fmt)


def _tier_scale(lang: str) -> alt.Scale:
    names = [i18n.name("tier", t, lang) for t in TIERS]
    return alt.Scale(domain=names, range=[TIER_COLORS[t] for t in TIERS])


def tier_scatter(cells: pd.DataFrame, cut: dict[str, float], lang: str = "en") -> alt.LayerChart:
    """Value x potential score: one circle per cell of the fixed grid, sized by its customers and coloured by
    tier, with the cut-off rules; the subtitle says that every customer is counted and how wide a cell is.
    In: `strategy.scatter_cells` output (empty cells are in the data and not drawn) and `strategy.cutoffs`.
    The embedded data is one row per grid cell, so the report does not grow with the number of customers."""
    df = cells.assign(tier_name=cells["tier"].map(lambda t: i18n.name("tier", t, lang)))
    widths = pd.concat([df["value_to"] - df["value_from"], df["potential_to"] - df["potential_from"]])
    subtitle = _t(
        "scatter_subtitle",
        lang,
        customers=i18n.number(int(df["customers"].sum()), lang),
        width=i18n.number(float(widths.median()) if len(widths) else 0.0, lang, decimals=0),
    )
    value, potential = _t("value_score", lang), _t("potential_score", lang)
    points = (
        alt.Chart(
            df, title=alt.Title(_t("scatter_title", lang), subtitle=[subtitle, _t("scatter_note", lang)])
        )
        .transform_filter("datum.customers > 0")
        .transform_calculate(
            value_score="(datum.value_from + datum.value_to) / 2",
            potential_score="(datum.potential_from + datum.potential_to) / 2",
            value_range="format(datum.value_from, '.1f') + '–' + format(datum.value_to, '.1f')",
            potential_range="format(datum.potential_from, '.1f') + '–' + format(datum.potential_to, '.1f')",
        )
        .mark_circle(opacity=0.65)
        .encode(
            x=alt.X("value_score:Q", title=value, scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("potential_score:Q", title=potential, scale=alt.Scale(domain=[0, 100])),
            size=alt.Size(
                "customers:Q",
                title=_t("customers", lang),
                scale=alt.Scale(range=[15, 400], zero=False),  # the legend starts at the smallest drawn cell
                legend=alt.Legend(tickMinStep=1, tickCount=4, format=",d"),  # whole customers, 4 fit
            ),
            color=alt.Color("tier_name:N", title=_t("tier", lang), scale=_tier_scale(lang), sort=None),
            tooltip=[
                alt.Tooltip("tier_name:N", title=_t("tier", lang)),
                alt.Tooltip("value_range:N", title=value),
                alt.Tooltip("potential_range:N", title=potential),
                alt.Tooltip("customers:Q", title=_t("customers", lang), format=",.0f"),
                alt.Tooltip("monetary:Q", title=_t("monetary", lang), format=",.0f"),
            ],
        )
    )
    rules = pd.DataFrame({"value": [cut["value"]], "potential": [cut["potential"]]})
    vrule = alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#52606d").encode(x="value:Q")
    prule = alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#52606d").encode(y="potential:Q")
    return alt.layer(points, vrule, prule).properties(height=380)


def tier_bars(summary: pd.DataFrame, lang: str = "en") -> alt.HConcatChart:
    """Customers and revenue of the last 12 months per tier, side by side. In: `strategy.tier_summary` output."""
    df = summary.assign(tier_name=summary["tier"].map(lambda t: i18n.name("tier", t, lang)))
    order = [i18n.name("tier", t, lang) for t in TIERS]
    base = alt.Chart(df).encode(
        y=alt.Y("tier_name:N", title=None, sort=order),
        color=alt.Color("tier_name:N", scale=_tier_scale(lang), legend=None),
    )
    count = base.mark_bar().encode(
        x=alt.X("customers:Q", title=_t("customers", lang)),
        tooltip=[
            alt.Tooltip("tier_name:N", title=_t("tier", lang)),
            alt.Tooltip("customers:Q", format=",.0f", title=_t("customers", lang)),
        ],  # fmt: skip
    )
    revenue = base.mark_bar().encode(
        x=alt.X("revenue_12m:Q", axis=money_axis(lang, _t("revenue_12m", lang))),
        tooltip=[
            alt.Tooltip("tier_name:N", title=_t("tier", lang)),
            alt.Tooltip("revenue_12m:Q", title=_t("revenue_12m", lang), format=",.0f"),
            alt.Tooltip("revenue_share:Q", title=_t("revenue_share", lang), format=PCT_FORMAT),
        ],
    )
    return alt.hconcat(
        count.properties(width=250, height=160), revenue.properties(width=250, height=160)
    ).properties(title=_t("tier_bars_title", lang))


def funnel_chart(funnel: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Deals entering each stage (bars, the bottleneck highlighted) with the stage's conversion rate and its
    benchmark in the tooltip and as a label. In: `strategy.funnel` output."""
    df = funnel.assign(
        stage_name=funnel["stage"].map(lambda s: i18n.name("stage", s, lang)),
        label=funnel["conversion_rate"].map(lambda r: "→ " + i18n.pct(r, lang)),
        kind=funnel["bottleneck"].map(lambda b: _t("bottleneck", lang) if b else _t("other_stage", lang)),
    )
    order = [i18n.name("stage", s, lang) for s in STAGES]
    base = alt.Chart(df, title=_t("funnel_title", lang)).encode(
        y=alt.Y("stage_name:N", title=None, sort=order)
    )
    bars = base.mark_bar().encode(
        x=alt.X("entered:Q", title=_t("entered", lang)),
        color=alt.Color(
            "kind:N",
            title=None,
            scale=alt.Scale(
                domain=[_t("bottleneck", lang), _t("other_stage", lang)],
                range=[KPI_COLORS["red"], PALETTE[0]],
            ),  # fmt: skip
        ),
        tooltip=[
            alt.Tooltip("stage_name:N", title=_t("stage", lang)),
            alt.Tooltip("entered:Q", title=_t("entered", lang), format=",.0f"),
            alt.Tooltip("advanced:Q", title=_t("advanced", lang), format=",.0f"),
            alt.Tooltip("conversion_rate:Q", title=_t("conversion_rate", lang), format=PCT_FORMAT),
            alt.Tooltip("benchmark_rate:Q", title=_t("benchmark_rate", lang), format=PCT_FORMAT),
            alt.Tooltip("median_days:Q", title=_t("median_days", lang), format=".0f"),
        ],
    )
    text = base.mark_text(align="left", dx=4).encode(x="entered:Q", text="label:N")
    return alt.layer(bars, text).properties(height=200)


def coverage_chart(cov: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Per plan quarter: pipeline required (pipeline target / win rate) beside the open pipeline expected to
    close in it. In: `strategy.coverage` output."""
    req, opn = _t("required_pipeline", lang), _t("open_pipeline", lang)
    long = pd.concat(
        [
            pd.DataFrame({"period": cov["period"], "series": req, "amount": cov["required_pipeline"]}),
            pd.DataFrame({"period": cov["period"], "series": opn, "amount": cov["open_pipeline"]}),
        ],
        ignore_index=True,
    ).merge(cov[["period", "coverage_ratio"]], on="period")
    return (
        alt.Chart(long, title=_t("coverage_title", lang))
        .mark_bar()
        .encode(
            x=alt.X("period:N", title=_t("quarter", lang)),
            xOffset=alt.XOffset("series:N", sort=[req, opn]),
            y=alt.Y("amount:Q", axis=money_axis(lang, _t("pipeline", lang))),
            color=alt.Color(
                "series:N", title=None, scale=alt.Scale(domain=[req, opn], range=["#9aa5b1", PALETTE[0]])
            ),
            tooltip=[
                alt.Tooltip("period:N", title=_t("quarter", lang)),
                alt.Tooltip("series:N", title=_t("series", lang)),
                alt.Tooltip("amount:Q", title=_t("amount", lang), format=",.0f"),
                alt.Tooltip("coverage_ratio:Q", title=_t("coverage_ratio", lang), format=PCT_FORMAT),
            ],
        )
    )


def acquisition_chart(mix: pd.DataFrame, lang: str = "en") -> alt.HConcatChart:
    """Leads and win rate by lead source, and cost per lead where spend is known. In: `strategy.acquisition_mix`."""
    df = mix.assign(source_name=mix["source"].map(lambda s: i18n.name("lead_source", s, lang)))
    base = alt.Chart(df).encode(y=alt.Y("source_name:N", title=None, sort="-x"))
    tip = [
        alt.Tooltip("source_name:N", title=_t("source", lang)),
        alt.Tooltip("leads:Q", title=_t("leads", lang), format=",.0f"),
        alt.Tooltip("won:Q", title=_t("won", lang), format=",.0f"),
        alt.Tooltip("win_rate:Q", title=_t("win_rate", lang), format=PCT_FORMAT),
        alt.Tooltip("cost_per_lead:Q", title=_t("cost_per_lead", lang), format=",.0f"),
    ]
    leads = base.mark_bar().encode(x=alt.X("leads:Q", title=_t("leads", lang)), tooltip=tip)
    rate = base.mark_bar(color=PALETTE[2]).encode(
        x=alt.X("win_rate:Q", title=_t("win_rate", lang), axis=alt.Axis(format="%")), tooltip=tip
    )
    charts = [leads.properties(width=170, height=150), rate.properties(width=170, height=150)]
    if mix["cost_per_lead"].notna().any():
        cpl = base.mark_bar(color=PALETTE[1]).encode(
            x=alt.X("cost_per_lead:Q", axis=money_axis(lang, _t("cost_per_lead", lang))), tooltip=tip
        )
        charts.append(cpl.properties(width=170, height=150))
    return alt.hconcat(*charts).properties(title=_t("acquisition_title", lang))


def health_histogram(bins: pd.DataFrame, lang: str = "en") -> alt.Chart:
    """Customers per health-score band, stacked by churn risk. In: `strategy.health_bins` output."""
    names = {r: i18n.t(f"strategy.risk.{r}", lang) for r in RISKS}
    df = bins.assign(risk_name=bins["risk"].map(names))
    return (
        alt.Chart(df, title=_t("health_title", lang))
        .mark_bar()
        .encode(
            x=alt.X(
                "bin_start:Q", bin="binned", title=_t("health_score", lang), scale=alt.Scale(domain=[0, 100])
            ),
            x2="bin_end:Q",
            y=alt.Y("customers:Q", title=_t("customers", lang), stack=True),
            color=alt.Color(
                "risk_name:N",
                title=_t("risk", lang),
                scale=alt.Scale(domain=[names[r] for r in RISKS], range=[RISK_COLORS[r] for r in RISKS]),
            ),
            tooltip=[
                alt.Tooltip("bin_start:Q", title=_t("from", lang)),
                alt.Tooltip("bin_end:Q", title=_t("to", lang)),
                alt.Tooltip("risk_name:N", title=_t("risk", lang)),
                alt.Tooltip("customers:Q", title=_t("customers", lang)),
            ],
        )
    )


def channel_mix_chart(mix: pd.DataFrame, lang: str = "en") -> alt.LayerChart:
    """Revenue of the last 12 months by sales channel with its share as a label. In: `strategy.channel_mix`."""
    df = mix.assign(
        channel_name=mix["channel"].map(lambda c: i18n.name("channel", c, lang)),
        label=mix["share"].map(lambda s: i18n.pct(s, lang)),
    )
    base = alt.Chart(df, title=_t("channel_title", lang)).encode(
        y=alt.Y("channel_name:N", title=None, sort="-x")
    )
    bars = base.mark_bar().encode(
        x=alt.X("revenue:Q", axis=money_axis(lang, _t("revenue_12m", lang))),
        tooltip=[
            alt.Tooltip("channel_name:N", title=_t("channel", lang)),
            alt.Tooltip("revenue:Q", title=_t("revenue_12m", lang), format=",.0f"),
            alt.Tooltip("share:Q", title=_t("revenue_share", lang), format=PCT_FORMAT),
            alt.Tooltip("margin_rate:Q", title=_t("margin_rate", lang), format=PCT_FORMAT),
            alt.Tooltip("growth:Q", title=_t("growth", lang), format="+.1%"),
        ],
    )
    return alt.layer(
        bars, base.mark_text(align="left", dx=4).encode(x="revenue:Q", text="label:N")
    ).properties(height=140)
