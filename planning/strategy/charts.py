"""Chart builders of step 3 (strategy): aggregated DataFrames of the compute modules + the `i18n.Voice` in,
`alt.Chart` out. Titles, axes and legends are translated; category labels are display names in the report's
language.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from planning import i18n
from planning.charts import KPI_COLORS, PALETTE, PCT_FORMAT, money_axis
from planning.strategy.funnel import STAGES
from planning.strategy.health import RISKS
from planning.strategy.tiers import TIERS

TIER_COLORS = {"strategic": PALETTE[0], "profit": PALETTE[2], "nurture": PALETTE[1], "maintain": "#9aa5b1"}
RISK_COLORS = {"high": KPI_COLORS["red"], "medium": KPI_COLORS["yellow"], "low": KPI_COLORS["green"]}


def _t(key: str, voice: i18n.Voice, **fmt) -> str:
    return voice.t(f"strategy.chart.{key}", **fmt)


def _tier_scale(voice: i18n.Voice) -> alt.Scale:
    names = [voice.name("tier", t) for t in TIERS]
    return alt.Scale(domain=names, range=[TIER_COLORS[t] for t in TIERS])


def tier_scatter(cells: pd.DataFrame, cut: dict[str, float], voice: i18n.Voice) -> alt.LayerChart:
    """Value x potential score: one circle per cell of the fixed grid, sized by its customers and coloured by
    tier, with the cut-off rules; the subtitle says that every customer is counted and how wide a cell is.
    In: `scatter.scatter_cells` output (empty cells are in the data and not drawn) and `tiers.cutoffs`.
    The embedded data is one row per grid cell, so the report does not grow with the number of customers."""
    df = cells.assign(tier_name=cells["tier"].map(lambda t: voice.name("tier", t)))
    widths = pd.concat([df["value_to"] - df["value_from"], df["potential_to"] - df["potential_from"]])
    subtitle = _t(
        "scatter_subtitle",
        voice,
        customers=voice.number(int(df["customers"].sum())),
        width=voice.number(float(widths.median()) if len(widths) else 0.0, decimals=0),
    )
    value, potential = _t("value_score", voice), _t("potential_score", voice)
    points = (
        alt.Chart(
            df, title=alt.Title(_t("scatter_title", voice), subtitle=[subtitle, _t("scatter_note", voice)])
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
                title=_t("customers", voice),
                scale=alt.Scale(range=[15, 400], zero=False),  # the legend starts at the smallest drawn cell
                legend=alt.Legend(tickMinStep=1, tickCount=4, format=",d"),  # whole customers, 4 fit
            ),
            color=alt.Color("tier_name:N", title=_t("tier", voice), scale=_tier_scale(voice), sort=None),
            tooltip=[
                alt.Tooltip("tier_name:N", title=_t("tier", voice)),
                alt.Tooltip("value_range:N", title=value),
                alt.Tooltip("potential_range:N", title=potential),
                alt.Tooltip("customers:Q", title=_t("customers", voice), format=",.0f"),
                alt.Tooltip("monetary:Q", title=_t("monetary", voice), format=",.0f"),
            ],
        )
    )
    rules = pd.DataFrame({"value": [cut["value"]], "potential": [cut["potential"]]})
    vrule = alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#52606d").encode(x="value:Q")
    prule = alt.Chart(rules).mark_rule(strokeDash=[4, 4], color="#52606d").encode(y="potential:Q")
    return alt.layer(points, vrule, prule).properties(height=380)


def tier_bars(summary: pd.DataFrame, months: int, voice: i18n.Voice) -> alt.HConcatChart:
    """Customers and revenue of the last 12 months per tier, side by side. In: `tiers.tier_summary` output."""
    df = summary.assign(tier_name=summary["tier"].map(lambda t: voice.name("tier", t)))
    order = [voice.name("tier", t) for t in TIERS]
    base = alt.Chart(df).encode(
        y=alt.Y("tier_name:N", title=None, sort=order),
        color=alt.Color("tier_name:N", scale=_tier_scale(voice), legend=None),
    )
    count = base.mark_bar().encode(
        x=alt.X("customers:Q", title=_t("customers", voice)),
        tooltip=[
            alt.Tooltip("tier_name:N", title=_t("tier", voice)),
            alt.Tooltip("customers:Q", format=",.0f", title=_t("customers", voice)),
        ],  # fmt: skip
    )
    revenue = base.mark_bar().encode(
        x=alt.X("revenue_12m:Q", axis=money_axis(voice.lang, _t("revenue_12m", voice, months=months))),
        tooltip=[
            alt.Tooltip("tier_name:N", title=_t("tier", voice)),
            alt.Tooltip("revenue_12m:Q", title=_t("revenue_12m", voice, months=months), format=",.0f"),
            alt.Tooltip("revenue_share:Q", title=_t("revenue_share", voice), format=PCT_FORMAT),
        ],
    )
    return alt.hconcat(
        count.properties(width=250, height=160), revenue.properties(width=250, height=160)
    ).properties(title=_t("tier_bars_title", voice))


def outcome_chart(funnel: pd.DataFrame, months: int, voice: i18n.Voice) -> alt.LayerChart:
    """How the leads ended - won, lost, still open - for a funnel without stage dates (`funnel.funnel` has the one
    row lead -> won: advanced = won, dropped = lost, open)."""
    row = funnel.iloc[0]
    df = pd.DataFrame(
        {
            "outcome": ["won", "lost", "open"],
            "deals": [int(row["advanced"]), int(row["dropped"]), int(row["open"])],
        }
    )
    df["outcome_name"] = df["outcome"].map(lambda s: voice.name("stage", s))
    df["share"] = df["deals"] / max(int(row["entered"]), 1)
    names = list(df["outcome_name"])
    base = alt.Chart(df, title=_t("outcome_title", voice, months=months)).encode(
        y=alt.Y("outcome_name:N", title=None, sort=names)
    )
    scale = _label_room(df["deals"])  # its share label right of the longest bar
    bars = base.mark_bar().encode(
        x=alt.X("deals:Q", title=_t("deals", voice), scale=scale),
        color=alt.Color(
            "outcome_name:N",
            legend=None,
            scale=alt.Scale(domain=names, range=[KPI_COLORS["green"], KPI_COLORS["red"], "#9aa5b1"]),
        ),
        tooltip=[
            alt.Tooltip("outcome_name:N", title=_t("stage", voice)),
            alt.Tooltip("deals:Q", title=_t("deals", voice), format=",.0f"),
            alt.Tooltip("share:Q", title=_t("share_of_leads", voice), format=PCT_FORMAT),
        ],
    )
    text = base.mark_text(align="left", dx=4).encode(x="deals:Q", text=alt.Text("share:Q", format=".0%"))
    return alt.layer(bars, text).properties(height=120)


def _label_room(values: pd.Series) -> Any:
    """An x scale ending 18 % beyond the longest bar, so the label written right of it fits (a nice axis end may
    leave no room); the default scale when there is no bar."""
    top = float(pd.to_numeric(values, errors="coerce").max()) if len(values) else 0.0
    return alt.Scale(domainMax=top * 1.18, nice=False) if top > 0 else alt.Undefined


def funnel_chart(funnel: pd.DataFrame, months: int, voice: i18n.Voice) -> alt.LayerChart:
    """Deals entering each stage (bars, the bottleneck highlighted) with the stage's conversion rate and its
    benchmark in the tooltip and as a label. In: `funnel.funnel` output; one row (no stage dates): how the
    leads ended (`outcome_chart`)."""
    if len(funnel) == 1:
        return outcome_chart(funnel, months, voice)
    df = funnel.assign(
        stage_name=funnel["stage"].map(lambda s: voice.name("stage", s)),
        label=funnel["conversion_rate"].map(lambda r: "→ " + voice.pct(r)),
        kind=funnel["bottleneck"].map(lambda b: _t("bottleneck", voice) if b else _t("other_stage", voice)),
    )
    order = [voice.name("stage", s) for s in STAGES[:-1] if s in set(funnel["stage"])]  # before won
    base = alt.Chart(df, title=_t("funnel_title", voice, months=months)).encode(
        y=alt.Y("stage_name:N", title=None, sort=order)
    )
    scale = _label_room(df["entered"])  # its "→ 61.1%" label right of the longest bar
    bars = base.mark_bar().encode(
        x=alt.X("entered:Q", title=_t("entered", voice), scale=scale),
        color=alt.Color(
            "kind:N",
            title=None,
            scale=alt.Scale(
                domain=[_t("bottleneck", voice), _t("other_stage", voice)],
                range=[KPI_COLORS["red"], PALETTE[0]],
            ),  # fmt: skip
        ),
        tooltip=[
            alt.Tooltip("stage_name:N", title=_t("stage", voice)),
            alt.Tooltip("entered:Q", title=_t("entered", voice), format=",.0f"),
            alt.Tooltip("advanced:Q", title=_t("advanced", voice), format=",.0f"),
            alt.Tooltip("conversion_rate:Q", title=_t("conversion_rate", voice), format=PCT_FORMAT),
            alt.Tooltip("benchmark_rate:Q", title=_t("benchmark_rate", voice), format=PCT_FORMAT),
            alt.Tooltip("median_days:Q", title=_t("median_days", voice), format=".0f"),
        ],
    )
    text = base.mark_text(align="left", dx=4).encode(x="entered:Q", text="label:N")
    return alt.layer(bars, text).properties(height=200)


def coverage_chart(cov: pd.DataFrame, voice: i18n.Voice) -> alt.Chart:
    """Per plan quarter: pipeline required (pipeline target / win rate) beside the open pipeline expected to
    close in it. In: `coverage.coverage` output."""
    req, opn = _t("required_pipeline", voice), _t("open_pipeline", voice)
    long = pd.concat(
        [
            pd.DataFrame({"period": cov["period"], "series": req, "amount": cov["required_pipeline"]}),
            pd.DataFrame({"period": cov["period"], "series": opn, "amount": cov["open_pipeline"]}),
        ],
        ignore_index=True,
    ).merge(cov[["period", "coverage_ratio"]], on="period")
    series = [name for name in (req, opn) if long.loc[long["series"] == name, "amount"].notna().any()]
    long = long[
        long["series"].isin(series)
    ]  # open deals without values: no open-pipeline bars or legend entry
    return (
        alt.Chart(long, title=_t("coverage_title", voice))
        .mark_bar()
        .encode(
            x=alt.X("period:N", title=_t("quarter", voice)),
            xOffset=alt.XOffset("series:N", sort=series),
            y=alt.Y("amount:Q", axis=money_axis(voice.lang, _t("pipeline", voice))),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=series, range=[{req: "#9aa5b1", opn: PALETTE[0]}[n] for n in series]),
            ),
            tooltip=[
                alt.Tooltip("period:N", title=_t("quarter", voice)),
                alt.Tooltip("series:N", title=_t("series", voice)),
                alt.Tooltip("amount:Q", title=_t("amount", voice), format=",.0f"),
                alt.Tooltip("coverage_ratio:Q", title=_t("coverage_ratio", voice), format=PCT_FORMAT),
            ],
        )
    )


def acquisition_chart(mix: pd.DataFrame, voice: i18n.Voice) -> alt.HConcatChart:
    """Leads and win rate by lead source, and cost per lead where spend is known. In: `coverage.acquisition_mix`."""
    df = mix.assign(source_name=mix["source"].map(lambda s: voice.name("lead_source", s)))
    base = alt.Chart(df).encode(y=alt.Y("source_name:N", title=None, sort="-x"))
    tip = [
        alt.Tooltip("source_name:N", title=_t("source", voice)),
        alt.Tooltip("leads:Q", title=_t("leads", voice), format=",.0f"),
        alt.Tooltip("won:Q", title=_t("won", voice), format=",.0f"),
        alt.Tooltip("win_rate:Q", title=_t("win_rate", voice), format=PCT_FORMAT),
        alt.Tooltip("cost_per_lead:Q", title=_t("cost_per_lead", voice), format=",.0f"),
    ]
    leads = base.mark_bar().encode(x=alt.X("leads:Q", title=_t("leads", voice)), tooltip=tip)
    rate = base.mark_bar(color=PALETTE[2]).encode(
        x=alt.X("win_rate:Q", title=_t("win_rate", voice), axis=alt.Axis(format="%")), tooltip=tip
    )
    charts = [leads.properties(width=170, height=150), rate.properties(width=170, height=150)]
    if mix["cost_per_lead"].notna().any():
        cpl = base.mark_bar(color=PALETTE[1]).encode(
            x=alt.X("cost_per_lead:Q", axis=money_axis(voice.lang, _t("cost_per_lead", voice))), tooltip=tip
        )
        charts.append(cpl.properties(width=170, height=150))
    return alt.hconcat(*charts).properties(title=_t("acquisition_title", voice))


def health_histogram(bins: pd.DataFrame, voice: i18n.Voice) -> alt.Chart:
    """Customers per health-score band, stacked by churn risk. In: `health.health_bins` output."""
    names = {r: voice.t(f"strategy.risk.{r}") for r in RISKS}
    df = bins.assign(risk_name=bins["risk"].map(names))
    return (
        alt.Chart(df, title=_t("health_title", voice))
        .mark_bar()
        .encode(
            x=alt.X(
                "bin_start:Q", bin="binned", title=_t("health_score", voice), scale=alt.Scale(domain=[0, 100])
            ),
            x2="bin_end:Q",
            y=alt.Y("customers:Q", title=_t("customers", voice), stack=True),
            color=alt.Color(
                "risk_name:N",
                title=_t("risk", voice),
                scale=alt.Scale(domain=[names[r] for r in RISKS], range=[RISK_COLORS[r] for r in RISKS]),
            ),
            tooltip=[
                alt.Tooltip("bin_start:Q", title=_t("from", voice)),
                alt.Tooltip("bin_end:Q", title=_t("to", voice)),
                alt.Tooltip("risk_name:N", title=_t("risk", voice)),
                alt.Tooltip("customers:Q", title=_t("customers", voice)),
            ],
        )
    )


def channel_mix_chart(mix: pd.DataFrame, months: int, voice: i18n.Voice) -> alt.LayerChart:
    """Revenue of the last `months` months (12; a minimal plan's months of history) by sales channel with its
    share as a label. In: `fourp.channel_mix`."""
    df = mix.assign(
        channel_name=mix["channel"].map(lambda c: voice.name("channel", c)),
        label=mix["share"].map(lambda s: voice.pct(s)),
    )
    base = alt.Chart(df, title=_t("channel_title", voice, months=months)).encode(
        y=alt.Y("channel_name:N", title=None, sort="-x")
    )
    bars = base.mark_bar().encode(
        x=alt.X("revenue:Q", axis=money_axis(voice.lang, _t("revenue_12m", voice, months=months))),
        tooltip=[
            alt.Tooltip("channel_name:N", title=_t("channel", voice)),
            alt.Tooltip("revenue:Q", title=_t("revenue_12m", voice, months=months), format=",.0f"),
            alt.Tooltip("share:Q", title=_t("revenue_share", voice), format=PCT_FORMAT),
            alt.Tooltip("margin_rate:Q", title=_t("margin_rate", voice), format=PCT_FORMAT),
            alt.Tooltip("growth:Q", title=_t("growth", voice), format="+.1%"),
        ],
    )
    return alt.layer(
        bars, base.mark_text(align="left", dx=4).encode(x="revenue:Q", text="label:N")
    ).properties(height=140)
