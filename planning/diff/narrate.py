"""The comparison in the report language: one summary and one cause sentence per scope, and the tables a reader
sees (values translated: regions, tiers, KPI names, statuses). Takes the Diff first and an `i18n.Voice` last."""

from __future__ import annotations

import pandas as pd

from planning.diff.compute import COMPANY, NONE, Diff
from planning.i18n import Voice

MAX_ITEMS = 4  # parameter keys / tables named in a cause sentence before "…"


def scope_name(scope: str, diff: Diff, voice: Voice) -> str:
    """A region's display name (from the snapshot's parameters, else the translation table); the company's."""
    if scope == COMPANY:
        return voice.name("region", "company")
    for side in (diff.new, diff.old):
        region = side.params(scope).get("region") or {}
        shown = region.get("name_zh") if voice.lang == "zh" else region.get("name")
        if shown:
            return str(shown)
    return voice.name("region", scope)


def describe_target(diff: Diff, scope: str, voice: Voice) -> str:
    """ "East China: annual target ¥428.7M → ¥458.7M (+¥30.0M, +7.0%).\""""
    t = diff.targets
    row = t[(t["scope"] == scope) & (t["level"] == "year")]
    name = scope_name(scope, diff, voice)
    if row.empty:
        return ""
    r = row.iloc[0]
    if r["status"] in ("added", "removed", "same"):
        return voice.t(
            f"diff.summary.target_{r['status']}",
            scope=name,
            old=voice.money(r["old"]),
            new=voice.money(r["new"]),
        )
    return voice.t(
        "diff.summary.target",
        scope=name,
        old=voice.money(r["old"]),
        new=voice.money(r["new"]),
        change=voice.money(r["change"], signed=True),
        pct=voice.pct(r["change_pct"], signed=True),
    )


def describe_cause(diff: Diff, scope: str, voice: Voice) -> str:
    """The cause of a scope's changes from the manifests; where more than one kind changed, says so."""
    c = diff.causes[diff.causes["scope"] == scope]
    kinds = diff.cause_kinds(scope)
    if not kinds:
        return voice.t("diff.cause.none")
    parts = []
    for kind in kinds:
        rows = c[c["cause"] == kind]
        if kind in ("params", "scenario", "code", "as_of"):
            items = [
                f"{i}: {o or '—'} → {n or '—'}" if kind != "code" or i == "commit" else i
                for i, o, n in zip(rows["item"], rows["old"], rows["new"], strict=True)
            ]
            if kind == "as_of":
                items = [f"{o} → {n}" for o, n in zip(rows["old"], rows["new"], strict=True)]
        elif kind == "regions":
            items = [voice.t(f"diff.cause.region_{i}") for i in rows["item"]]
        else:
            items = list(rows["item"])
        items = list(dict.fromkeys(items))
        shown = ", ".join(items[:MAX_ITEMS]) + (
            f", … (+{len(items) - MAX_ITEMS})" if len(items) > MAX_ITEMS else ""
        )
        scenario = diff.new.manifest.get("scenario") or diff.old.manifest.get("scenario") or {}
        parts.append(voice.t(f"diff.cause.kinds.{kind}", items=shown, name=scenario.get("name", "")))
    if len(kinds) == 1:
        return voice.t("diff.cause.one", what=parts[0])
    return voice.t("diff.cause.several", what="; ".join(parts))


def describe_scope(diff: Diff, scope: str, voice: Voice) -> list[str]:
    """The summary of one scope: its annual target, reps (regions), KPI lights and tiers, then the cause."""
    out = [describe_target(diff, scope, voice)]
    if scope != COMPANY:
        reps = diff.targets[(diff.targets["scope"] == scope) & (diff.targets["level"] == "rep")]
        counts = reps["status"].value_counts()
        if counts.get("added", 0) or counts.get("removed", 0) or counts.get("changed", 0):
            out.append(
                voice.t(
                    "diff.summary.reps",
                    added=int(counts.get("added", 0)),
                    removed=int(counts.get("removed", 0)),
                    changed=int(counts.get("changed", 0)),
                )
            )
    n_kpi = int((diff.kpis["scope"] == scope).sum())
    if n_kpi:
        out.append(voice.t("diff.summary.kpis", n=n_kpi))
    n_tier = int(diff.tiers.loc[diff.tiers["scope"] == scope, "customers"].sum())
    if n_tier:
        out.append(voice.t("diff.summary.tiers", n=n_tier))
    out.append(describe_cause(diff, scope, voice))
    return [s for s in out if s]


# ------------------------------------------------------------------------------------------------ tables
def _value(kind: str, v: object, voice: Voice) -> str:
    if v == NONE or v is None or (isinstance(v, float) and pd.isna(v)):
        return voice.t("diff.status.none")
    return voice.name(kind, v)


def targets_view(
    diff: Diff, levels: tuple[str, ...], voice: Voice, changed_only: bool = False
) -> pd.DataFrame:
    """Targets of some levels: scope (translated), level, key, name, team, before, after, change, change %, status."""
    t = diff.targets[diff.targets["level"].isin(levels)].copy()
    if changed_only:
        t = t[t["status"] != "same"]
    t["scope"] = [scope_name(s, diff, voice) for s in t["scope"]]
    t["key"] = [
        scope_name(k, diff, voice) if lv == "region" else k
        for k, lv in zip(t["key"], t["level"], strict=True)
    ]
    t["key"] = [voice.team(k) if lv == "team" else k for k, lv in zip(t["key"], t["level"], strict=True)]
    t["team"] = [voice.team(x) if x else x for x in t["team"]]
    t["level"] = [voice.t(f"diff.level.{lv}") for lv in t["level"]]
    t["status"] = [voice.t(f"diff.status.{s}") for s in t["status"]]
    return t


def kpis_view(diff: Diff, voice: Voice) -> pd.DataFrame:
    k = diff.kpis.copy()
    k["scope"] = [scope_name(s, diff, voice) for s in k["scope"]]
    k["kpi"] = [voice.name("metric", x) for x in k["kpi"]]
    return k  # old_status / new_status stay keys: the table shows them as lights


def tiers_view(diff: Diff, voice: Voice) -> pd.DataFrame:
    t = diff.tiers.copy()
    t["scope"] = [scope_name(s, diff, voice) for s in t["scope"]]
    t["from_tier"] = [_value("tier", x, voice) for x in t["from_tier"]]
    t["to_tier"] = [_value("tier", x, voice) for x in t["to_tier"]]
    return t


def figures_view(diff: Diff, voice: Voice) -> pd.DataFrame:
    f = diff.figures.copy()
    f["scope"] = [scope_name(s, diff, voice) for s in f["scope"]]
    f["figure"] = [voice.t(f"diff.figure.{x}") for x in f["figure"]]
    return f


def causes_view(diff: Diff, voice: Voice) -> pd.DataFrame:
    c = diff.causes.copy()
    c["scope"] = [scope_name(s, diff, voice) for s in c["scope"]]
    c["cause"] = [voice.t(f"diff.cause_label.{x}") for x in c["cause"]]
    return c
