"""Step 3's sentences and translated tables: the tiering method and what the tiers carry, the funnel and its
bottleneck, pipeline coverage and lead sources, customer health, the 4P decisions and the channel mix.

Every builder takes the compute modules' frames, then the `strategy` params section where it needs one, and the
`i18n.Voice` last (a notebook passes `ctx.voice`). The `*_table` functions put the planner's texts from params
(playbooks, health actions, 4P items, in the report's language) into the compute frames: `tiers_table` and
`health_table` give the `customer_tiers` and `health` artefacts.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from planning import i18n
from planning.params import Strategy, local_text
from planning.strategy.funnel import Support, bottleneck
from planning.strategy.health import at_risk
from planning.strategy.retention import FIRST_YEAR_BOUNDS
from planning.strategy.tiers import TIERS, cutoffs, tier_codes


# =============================================================================================== planner's texts
def _playbooks(p: Strategy, voice: i18n.Voice) -> list[str]:
    """The action of each tier's playbook, in TIERS order ("" for a tier without one): the planner's text from
    params as written, else the workbook's own text of the tier in the report's language."""

    def action(tier: str) -> str:
        given = p.playbooks[tier].action
        return voice.t(f"strategy.builtin.playbooks.{tier}") if given is None else local_text(given, voice.lang)

    return [action(t) if t in p.playbooks else "" for t in TIERS]


def _labels(codes: np.ndarray, labels: list[str]) -> pd.Categorical | np.ndarray:
    """labels[codes] without building 100,000 Python strings: a Categorical when the labels are distinct."""
    if len(set(labels)) == len(labels):
        return pd.Categorical.from_codes(codes, categories=labels)
    return np.asarray(labels, dtype=object)[codes]


def tiers_table(tiers: pd.DataFrame, p: Strategy, voice: i18n.Voice) -> pd.DataFrame:
    """`tier_customers` output with each customer's playbook (`strategy.playbooks` action) after its tier: the
    `customer_tiers` artefact."""
    out = tiers.copy()
    out.insert(
        out.columns.get_loc("tier") + 1, "playbook", _labels(tier_codes(tiers["tier"]), _playbooks(p, voice))
    )
    return out


def summary_table(summary: pd.DataFrame, p: Strategy, voice: i18n.Voice) -> pd.DataFrame:
    """`tier_summary` output with each tier's playbook as its last column."""
    by_tier = dict(zip(TIERS, _playbooks(p, voice), strict=True))
    return summary.assign(playbook=[by_tier.get(t, "") for t in summary["tier"]])


def health_table(h: pd.DataFrame, p: Strategy, voice: i18n.Voice) -> pd.DataFrame:
    """`health` output with each customer's action (`strategy.health_actions` of its risk level, else the
    workbook's own text of the level in the report's language) after the revenue at risk: the `health` artefact."""
    actions = {
        k: local_text(p.health_actions[k], voice.lang)
        if k in p.health_actions
        else voice.t(f"strategy.builtin.health_actions.{k}")
        for k in ("high", "medium", "low")
    }
    out = h.copy()
    action = pd.Series(h["risk"].to_numpy()).map(actions).fillna("").to_numpy()
    out.insert(out.columns.get_loc("revenue_at_risk") + 1, "action", action)
    return out


def four_p_table(table: pd.DataFrame, p: Strategy, voice: i18n.Voice) -> pd.DataFrame:
    """`four_p` output with each decision's item text in place of its index into `strategy.four_p`."""
    items = [local_text(p.four_p[int(i)].item, voice.lang) for i in table["entry"]]
    out = table.copy()
    out.insert(out.columns.get_loc("entry"), "item", pd.Series(items, index=table.index, dtype=object))
    return out.drop(columns=["entry"])


def revenue_window(table: pd.DataFrame, months: int, voice: i18n.Voice) -> pd.DataFrame:
    """`table` with its column revenue_12m headed by the months it covers: "Revenue (12 months)", or a minimal
    plan's months of history ("Revenue (6 months)"); money columns keep their formatting by name
    (`money_columns`)."""
    return table.rename(columns={"revenue_12m": voice.t("strategy.chart.revenue_12m", months=months)})


def money_columns(columns: list[str], months: int, voice: i18n.Voice) -> list[str]:
    """`columns` with revenue_12m as `revenue_window` heads it."""
    label = voice.t("strategy.chart.revenue_12m", months=months)
    return [label if c == "revenue_12m" else c for c in columns]


def four_p_view(table: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The 4P table (`four_p_table`) with the P, segments and tiers as display names (for `ctx.table`)."""

    def names(kind: str, text: str) -> str:
        return ", ".join(voice.name(kind, v.strip()) for v in text.split(",") if v.strip())

    return table.assign(
        p=table["p"].map(lambda v: voice.t(f"strategy.p.{v}")),
        segments=table["segments"].map(lambda s: names("industry", s)),
        tiers=table["tiers"].map(lambda s: names("tier", s)),
    ).drop(columns=["linked"])


# =============================================================================================== sentences
def _w(weights: dict[str, float], key: str) -> str:
    return f"{weights.get(key, 0.0) / sum(weights.values()):.0%}"


def describe_method(tiers: pd.DataFrame, growth: pd.Series | None, p: Strategy, voice: i18n.Voice) -> str:
    """The tiering method in one paragraph, with the weights and cut-offs in force (and a note when segment growth
    from step 1 is missing). Reads `strategy.value_weights`, `potential_weights`, `cutoff_kind`, cut-offs."""
    cut = cutoffs(tiers, p)
    kind = (
        voice.t(
            "strategy.tiers.kind_quantile",
            value_q=f"{p.value_cutoff:.0%}",
            potential_q=f"{p.potential_cutoff:.0%}",
        )
        if p.cutoff_kind == "quantile"
        else voice.t("strategy.tiers.kind_score")
    )
    vw, pw = p.value_weights, p.potential_weights
    text = voice.t(
        "strategy.tiers.method",
        recency=_w(vw, "recency"),
        frequency=_w(vw, "frequency"),
        monetary=_w(vw, "monetary"),
        complexity=_w(vw, "complexity"),
        months=p.rfm_months,
        headroom=_w(pw, "headroom"),
        segment_growth=_w(pw, "segment_growth"),
        decision_chain=_w(pw, "decision_chain"),
        value_cut=f"{cut['value']:.1f}",
        potential_cut=f"{cut['potential']:.1f}",
        kind=kind,
    )
    if growth is None or growth.empty:
        text += " " + voice.t("strategy.tiers.growth_missing")
    return text


def describe_tiers(summary: pd.DataFrame, target: float, year: int, voice: i18n.Voice, months: int = 0) -> str:
    """Strategic accounts' weight, and what the installed base carries of the plan year's target; in a minimal
    plan (`months` of history, docs/method.md) the top tier's weight and what is not projected instead."""
    s = summary.set_index("tier")
    customers = int(s["customers"].sum())
    expected = float(s["expected_revenue"].sum())
    # without strategic accounts (no potential data: customers tiered by value alone) lead with the top tier
    lead = "strategic" if s.loc["strategic", "customers"] > 0 else str(s["revenue_share"].idxmax())
    if months:
        return voice.t(
            "strategy.tiers.summary_minimal",
            strategic=voice.number(s.loc[lead, "customers"]),
            strategic_share=voice.pct(s.loc[lead, "customers"] / customers if customers else math.nan),
            customers=voice.number(customers),
            strategic_revenue=voice.pct(s.loc[lead, "revenue_share"]),
            tier=voice.name("tier", lead),
            months=months,
        )
    text = voice.t(
        "strategy.tiers.summary" if lead == "strategic" else "strategy.tiers.summary_top",
        strategic=voice.number(s.loc[lead, "customers"]),
        strategic_share=voice.pct(s.loc[lead, "customers"] / customers if customers else math.nan),
        customers=voice.number(customers),
        strategic_revenue=voice.pct(s.loc[lead, "revenue_share"]),
        expected=voice.money(expected),
        tier=voice.name("tier", lead),
    )
    if not (target and target > 0):
        return text + " " + voice.t("strategy.tiers.no_target")
    key = "strategy.tiers.carry" if expected < target else "strategy.tiers.carry_over"
    return (
        text
        + " "
        + voice.t(
            key,
            carry=voice.pct(expected / target),
            year=year,
            target=voice.money(target),
            new=voice.money(target - expected),
        )
    )


def describe_minimal_coverage(months: int, share: float, p: Strategy, growth: float, voice: i18n.Voice) -> str:
    """The minimal plan's coverage assumption (`coverage.minimal_share`): no installed-base projection on `months`
    months, new deals win `share` of the target, from strategy.pipeline_share (`p`) or the growth ambition."""
    why = (
        voice.t("strategy.coverage.why_param")
        if p.pipeline_share is not None
        else voice.t("strategy.coverage.why_growth", g=voice.pct(growth))
    )
    return voice.t("strategy.coverage.minimal", months=months, share=voice.pct(share), why=why)


def describe_support(sup: Support, voice: i18n.Voice) -> str:
    """One sentence on what the opportunities do not support and what is shown instead ("" when they support
    everything): stages without dates, win rate by count when lost / won deals carry no values, the open pipeline
    not counted when open deals carry none (`funnel.support`)."""
    parts = []
    if sup.outcomes_only:
        parts.append(voice.t("strategy.support.no_stage_dates"))
    elif sup.missing_stages:
        names = ", ".join(voice.name("stage", s) for s in sup.missing_stages)
        parts.append(voice.t("strategy.support.some_stage_dates", stages=names))
    if not sup.value_win_rate:
        parts.append(voice.t("strategy.support.count_win_rate"))
    if not sup.open_values:
        parts.append(voice.t("strategy.support.no_open_values"))
    if not parts:
        return ""
    return voice.t("strategy.support.sentence", parts=voice.t("strategy.support.sep").join(parts))


def describe_funnel(
    funnel_df: pd.DataFrame, stats: pd.DataFrame, p: Strategy, months: int, voice: i18n.Voice
) -> str:
    """Win rate (by value only where `stats` has one: `win_stats` leaves it empty when lost or won deals carry no
    values) and cycle, and the bottleneck stage named against its benchmark (none for a lead -> won funnel).
    `months`: the months the leads span (`funnel.lead_months`; fewer than `strategy.funnel_months` on a short
    history)."""
    st = stats.iloc[0]
    decided = int(st["won"] + st["lost"])
    if int(st["leads"]) == 0:
        return voice.t("strategy.funnel.no_data", months=p.funnel_months)
    text = voice.t(
        "strategy.funnel.summary" if pd.notna(st["value_win_rate"]) else "strategy.funnel.summary_count",
        months=months,
        win_rate=voice.pct(st["win_rate"]),
        won=voice.number(st["won"]),
        decided=voice.number(decided),
        value_win_rate=voice.pct(st["value_win_rate"]),
        cycle=voice.number(st["cycle_days"], 0),
    )
    b = bottleneck(funnel_df)
    if b is None:
        return text
    stage = voice.name("stage", b["stage"])
    if pd.notna(b["benchmark_rate"]):
        more = voice.t(
            "strategy.funnel.bottleneck",
            stage=stage,
            rate=voice.pct(b["conversion_rate"]),
            benchmark=voice.pct(b["benchmark_rate"]),
            gap=voice.pct(b["vs_benchmark"], signed=True),
        )
    else:
        more = voice.t("strategy.funnel.bottleneck_own", stage=stage, rate=voice.pct(b["conversion_rate"]))
    return text + " " + more


def describe_segments(by_segment: pd.DataFrame, p: Strategy, voice: i18n.Voice) -> str:
    """Best and weakest segment by win rate, among segments with at least `strategy.min_segment_deals` decided
    (the rule pipeline coverage uses for a segment's own win rate); when none has that many, says so."""
    col = by_segment.columns[0]
    ok = by_segment.loc[(by_segment["won"] + by_segment["lost"]) >= p.min_segment_deals].dropna(subset=["win_rate"])
    if ok.empty:
        if by_segment["win_rate"].notna().any():
            return voice.t("strategy.funnel.segments_few", n=p.min_segment_deals)
        return ""
    best, worst = ok.loc[ok["win_rate"].idxmax()], ok.loc[ok["win_rate"].idxmin()]
    kind = "industry" if col == "industry" else "lead_source"
    return voice.t(
        "strategy.funnel.segments",
        best=voice.name(kind, best[col]),
        best_rate=voice.pct(best["win_rate"]),
        worst=voice.name(kind, worst[col]),
        worst_rate=voice.pct(worst["win_rate"]),
    )


def describe_coverage(
    cov: pd.DataFrame | None,
    year: int,
    kept: dict[str, Any] | None,
    leads_12m: float,
    timing: dict[str, Any] | None,
    first_year: dict[str, Any] | None,
    voice: i18n.Voice,
    sup: Support | None = None,
    share: float | None = None,
) -> str:
    """Pipeline needed for the plan year, how much the open pipeline covers, and the leads to generate by when;
    `sup` (`funnel.support`) says whether the win rate is by value or by deal count and whether open deals carry
    values (else the open pipeline is not counted, and the sentences on it say so instead of showing 0);
    with `kept` (`retention`) the installed base it rests on, with `first_year` (`first_year_revenue`) the
    first-year revenue per won deal value that turns the revenue need into won deal value, with `leads_12m` the
    leads needed against the leads of the last 12 months, with `timing` (`pipeline_timing`) when the open pipeline
    is expected to close (each None / NaN to leave its sentence out). With `share` (the new-deal share of the
    target coverage assumed, fact pipeline_share) the new deals' part is named as that share, not as what the
    installed base leaves.
    """
    if cov is None or cov.empty:
        return voice.t("strategy.coverage.missing")
    money = voice.money
    parts = []
    if kept is not None:
        parts.append(
            voice.t(
                f"strategy.coverage.base_{kept['source']}"
                + ("_unmeasured" if kept["source"] == "plan" and pd.isna(kept.get("nrr", float("nan"))) else ""),
                base=money(float(cov["target"].sum() - cov["pipeline_target"].sum())),
                nrr=voice.pct(kept["nrr_used"]),
                measured=voice.pct(kept.get("nrr", float("nan"))),
                churn=voice.pct(kept["churn_used"]),
                customers=voice.number(kept["customers_prior"]),
            )
        )
    by_value = sup is None or sup.value_win_rate
    open_known = sup is None or sup.open_values
    required = float(cov["required_pipeline"].sum())
    open_ = float(cov["open_pipeline"].sum())
    if required <= 0:
        key = "strategy.coverage.covered" if open_known else "strategy.coverage.covered_unvalued"
        parts.append(voice.t(key, open=money(open_)))
        return " ".join(parts)
    if first_year is not None:
        factor = lambda x: voice.number(x, decimals=2)  # noqa: E731
        capped = ""
        if first_year["source"] == "data" and abs(first_year["measured"] - first_year["used"]) > 1e-9:
            capped = voice.t("strategy.coverage.first_year_capped", measured=factor(first_year["measured"]),
                            low=factor(FIRST_YEAR_BOUNDS[0]), high=factor(FIRST_YEAR_BOUNDS[1]))  # fmt: skip
        parts.append(
            voice.t(
                f"strategy.coverage.first_year_{first_year['source']}",
                factor=factor(first_year["used"]),
                customers=voice.number(first_year["customers"]),
                start=str(first_year["cohort_start"]),
                end=str(first_year["cohort_end"]),
                revenue=money(first_year["revenue"]),
                won=money(first_year["won_value"]),
                capped=capped,
            )
        )
    first = cov.loc[cov["leads_needed"] > 0].iloc[0] if (cov["leads_needed"] > 0).any() else cov.iloc[0]
    leads = float(cov["leads_needed"].sum())
    won_needed = cov["won_value_needed"] if "won_value_needed" in cov else cov["pipeline_target"]
    parts.append(
        voice.t(
            "strategy.coverage.summary"
            + ("" if by_value else "_count")
            + ("" if open_known else "_unvalued"),
            pipeline_target=money(cov["pipeline_target"].sum()),
            whose=voice.t("strategy.coverage.whose_base")
            if share is None
            else voice.t("strategy.coverage.whose_share", share=voice.pct(share)),
            won_needed=money(won_needed.sum()),
            year=year,
            win_rate=voice.pct(cov["win_rate"].iloc[0]),
            required=money(required),
            coverage=voice.pct(open_ / required),
            leads=voice.number(leads),
            first_leads=voice.number(first["leads_needed"]),
            first_date=str(first["leads_by"]),
        )
    )
    if math.isfinite(leads_12m) and leads_12m > 0:
        parts.append(
            voice.t(
                "strategy.coverage.leads_check",
                ratio=voice.number(leads / leads_12m, decimals=1),
                actual=voice.number(leads_12m),
            )
        )
    if timing is not None and timing["n_open"] and open_known:
        key = "strategy.coverage.open_before" if timing["in_plan"] <= 0 else "strategy.coverage.open_in_plan"
        parts.append(
            voice.t(
                key,
                n=voice.number(timing["n_open"]),
                open=money(timing["open_amount"]),
                latest=str(timing["latest"]),
                year=year,
                in_plan=money(timing["in_plan"]),
            )
        )
    return " ".join(parts)


def describe_acquisition(mix: pd.DataFrame, voice: i18n.Voice) -> str:
    """The lead source that converts best and the one that converts worst, with their cost per lead."""
    ok = mix.dropna(subset=["win_rate"])
    if ok.empty:
        return ""
    best, worst = ok.loc[ok["win_rate"].idxmax()], ok.loc[ok["win_rate"].idxmin()]
    return voice.t(
        "strategy.coverage.acquisition_say",
        best=voice.name("lead_source", best["source"]),
        best_rate=voice.pct(best["win_rate"]),
        best_cpl=voice.money(best["cost_per_lead"]),
        worst=voice.name("lead_source", worst["source"]),
        worst_rate=voice.pct(worst["win_rate"]),
        worst_cpl=voice.money(worst["cost_per_lead"]),
    )


def describe_health_method(p: Strategy, voice: i18n.Voice) -> str:
    """The health score's weights and risk thresholds in force (`strategy.health_weights`, risk_*_below)."""
    w = p.health_weights
    return voice.t(
        "strategy.health.method",
        usage=_w(w, "usage"),
        usage_full=f"{p.usage_full:g}",
        satisfaction=_w(w, "satisfaction"),
        renewal=_w(w, "renewal"),
        trend=_w(w, "trend"),
        months=p.trend_months,
        high=f"{p.risk_high_below:g}",
        medium=f"{p.risk_medium_below:g}",
    )


def describe_health(h: pd.DataFrame, features: pd.DataFrame, voice: i18n.Voice) -> str:
    """How many customers are at risk, the revenue at stake, and the largest case with its action."""
    risky = at_risk(h, features, n=1)
    if risky.empty:
        return voice.t("strategy.health.none")
    total = float(features["revenue_12m"].sum())
    stake = float(h["revenue_at_risk"].sum())
    top = risky.iloc[0]
    return (
        voice.t(
            "strategy.health.summary",
            high=voice.number(int((h["risk"] == "high").sum())),
            medium=voice.number(int((h["risk"] == "medium").sum())),
            revenue=voice.money(stake),
            share=voice.pct(stake / total if total else math.nan),
        )
        + " "
        + voice.t(
            "strategy.health.largest",
            name=top["name"],
            amount=voice.money(top["revenue_at_risk"]),
            score=voice.number(top["health_score"], 0),
            action=top["action"],
        )
    )


def describe_four_p(table: pd.DataFrame, goals: pd.DataFrame | None, voice: i18n.Voice) -> str:
    """How many 4P decisions are linked to a goal of step 2, and which are not."""
    if table.empty:
        return voice.t("strategy.fourp.empty")
    if goals is None:
        return voice.t("strategy.fourp.no_goals")
    text = voice.t("strategy.fourp.linked", linked=int(table["linked"].sum()), total=len(table))
    loose = table.loc[~table["linked"], "item"]
    if len(loose):
        text += " " + voice.t("strategy.fourp.unlinked", items="; ".join(loose))
    return text


def describe_channels(mix: pd.DataFrame, voice: i18n.Voice, minimal: bool = False) -> str:
    """The largest sales channel's share and the fastest-growing channel (`minimal`: the share alone, a minimal
    plan's months have no year before)."""
    if mix.empty:
        return ""
    top = mix.iloc[0]
    if minimal:
        return voice.t("strategy.fourp.channels_minimal", top=voice.name("channel", top["channel"]),
                       share=voice.pct(top["share"]))  # fmt: skip
    g = mix.dropna(subset=["growth"])
    fastest = g.loc[g["growth"].idxmax()] if len(g) else top
    return voice.t(
        "strategy.fourp.channels",
        top=voice.name("channel", top["channel"]),
        share=voice.pct(top["share"]),
        fastest=voice.name("channel", fastest["channel"]),
        growth=voice.pct(fastest["growth"], signed=True),
    )
