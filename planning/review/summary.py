"""The box the review report opens with: year- and quarter-to-date against plan, KPIs off track, root-cause
lines; decisions: each red KPI, a quarter to re-split, high risks. Narrate layer, reads the step's artefacts."""

from __future__ import annotations

import pandas as pd

from planning import i18n

Summary = tuple[list[tuple[str, str]], list[str]]


def _kpi_value(value: float, unit: str, voice: i18n.Voice) -> str:
    if unit == "pct":
        return voice.pct(value)
    if unit == "money":
        return voice.money(value)
    return voice.number(value)


def summary(
    pva: pd.DataFrame,
    kpis: pd.DataFrame,
    causes: pd.DataFrame,
    resplit: pd.DataFrame,
    risks: pd.DataFrame,
    voice: i18n.Voice,
) -> Summary:
    numbers: list[tuple[str, str]] = []
    decisions: list[str] = []
    for level, key in (("ytd", "summary.review.completion"), ("qtd", "summary.review.quarter")):
        row = pva[pva["level"] == level] if len(pva) else pva
        if len(row) and pd.notna(row["completion"].iloc[0]):
            numbers.append((voice.t(key), voice.pct(row["completion"].iloc[0])))
    red = kpis[kpis["status"] == "red"] if len(kpis) else kpis
    numbers.append((voice.t("summary.review.red"), voice.number(len(red))))
    if len(causes):
        numbers.append(
            (voice.t("summary.review.causes"), voice.number(len(causes[["level", "key"]].drop_duplicates())))
        )
    if len(resplit) and resplit["required"].astype(bool).any():  # first: it changes every later target
        decisions.append(
            voice.t("summary.review.resplit", completion=voice.pct(resplit["quarter_completion"].iloc[0]))
        )
    for r in red.itertuples():
        decisions.append(
            voice.t(
                "summary.review.off_track",
                kpi=voice.t(f"review.kpi.names.{r.kpi}")
                if _known(f"review.kpi.names.{r.kpi}", voice)
                else r.kpi,
                actual=_kpi_value(r.actual, r.unit, voice),
                reference=_kpi_value(r.reference, r.unit, voice),
            )
        )
    if len(risks):
        for r in risks[risks["score"] >= 15].itertuples():
            decisions.append(voice.t("summary.review.risk", risk=r.risk, owner=r.owner))
    return numbers[:5], decisions


def _known(key: str, voice: i18n.Voice) -> bool:
    try:
        voice.t(key)
    except KeyError:
        return False
    return True
