"""The review's tables for reading: labels, levels and states translated, numbers formatted by unit.

Convention (every step): data arguments first, `voice: i18n.Voice` last. `ctx.table(..., domain="review")`
translates the headers.
"""

from __future__ import annotations

import pandas as pd

from planning import display, i18n


def pva_view(pva: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """Plan vs actual for reading: level and plan basis translated, keys of products / channels named."""
    key = [
        voice.name(lvl, k) if lvl in ("product_line", "channel") else k
        for lvl, k in zip(pva["level"], pva["key"], strict=True)
    ]
    return pva.assign(
        level=[voice.t(f"review.pva.levels.{lvl}") for lvl in pva["level"]],
        key=key,
        plan_basis=[voice.t(f"review.pva.basis.{b}") for b in pva["plan_basis"]],
    )


def projection_view(proj: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The full-year outlook with its items named."""
    return proj.assign(item=[voice.t(f"review.pva.items.{i}") for i in proj["item"]])


def kpi_view(board: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The board for reading (`ctx.table(..., domain="review")` lights the status): translated names, numbers
    formatted by unit, the rule (`board` as returned by `narrate.kpi_rules`)."""

    def fmt(x: float, unit: str) -> str:
        if unit == "pct":
            return voice.pct(x)
        if unit == "money":
            return voice.money(x)
        if unit == "days":
            return voice.number(x, 0)
        return voice.number(x)

    rows = []
    for r in board.itertuples():
        rows.append(
            {
                "kpi": voice.t(f"review.kpi.names.{r.kpi}"),
                "kind": voice.t(f"review.kpi.kinds.{r.kind}"),
                "actual": fmt(r.actual, r.unit),
                "baseline": fmt(r.baseline, r.unit),
                "target": fmt(r.target, r.unit),
                "status": r.status,
                "rule": r.rule,
            }
        )
    return pd.DataFrame(rows)


def five_why_view(rc: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The 5-Why template: one row per analysed key (its largest driver), for reading (`rc` as returned by
    `narrate.root_cause_whys`)."""
    t = rc[rc["largest"]].reset_index(drop=True)
    return t.assign(driver=[voice.t(f"review.drivers.{d}") for d in t["driver"]])[
        ["key", "variance_pct", "driver", "why_1", "why_2", "why_3", "why_4", "why_5"]
    ]


def risk_view(reg: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The register for reading: kind and status translated, the columns a risk review looks at."""
    cols = ["risk", "kind", "likelihood", "impact", "score", "contingency", "owner", "status", "evidence"]
    out = reg[cols].copy()
    out["kind"] = [voice.t(f"review.risk.kinds.{k}") for k in out["kind"]]
    out["status"] = [voice.t(f"review.risk.statuses.{k}") for k in out["status"]]
    return out.rename(columns={"status": "risk_status"})


def pdca_view(log: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The PDCA log for reading: KPI, act and state translated (where an action comes from is not shown)."""
    return log.drop(columns=["action_key"], errors="ignore").assign(
        kpi=[voice.t(f"review.kpi.names.{k}") for k in log["kpi"]],
        act=[voice.t(f"review.pdca.acts.{a}") for a in log["act"]],
        state=[voice.t(f"review.pdca.states.{s}") for s in log["state"]],
    )


def audit_view(audit: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The failed and skipped checks of the region's plan audit for the report, failures first: status and
    check in the report language (`display.audit_check`); their figures are in the snapshot's audit.csv and the
    index (the audit's own wording)."""
    shown = audit[audit["status"] != "pass"].copy()
    shown["order"] = (shown["status"] != "fail").astype(int)
    out = shown.sort_values(["order", "check"], kind="stable")[["status", "check"]]
    out["status"] = [voice.t(f"review.audit.status.{s}") for s in out["status"]]
    out["check"] = [display.audit_check(c, voice.lang) for c in out["check"]]
    return out.reset_index(drop=True)
#: The to-date table's comparison with the same days last year (none in a minimal plan's history).
LAST_YEAR = ("actual_last_year", "growth")


def to_date_view(td: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """Week / month / quarter / year to date with the periods named."""
    out = td.assign(period=[voice.t(f"review.to_date.periods.{x}") for x in td["period"]])
    return out[
        ["period", "start", "end", "plan", "actual", "variance", "completion", "actual_last_year", "growth"]
    ]


def stages_view(stages: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """Stage probabilities with stages and bases named."""
    return stages.assign(
        stage=[voice.name("stage", s) for s in stages["stage"]],
        basis=[voice.t(f"review.pipeline.bases.{b}") for b in stages["basis"]],
    )


def landing_view(landing: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """Expected landing of the quarter and the year, horizons named."""
    out = landing.assign(horizon=[voice.t(f"review.pipeline.horizons.{h}") for h in landing["horizon"]])
    return out.drop(columns=["remaining_days", "pipeline_share"])


def improvements_view(items: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """Next week's improvement list for reading: kind and state named, the worded subject and evidence.

    The "decided" column is shown only when some item was decided (by the data, the file or its due date): on a
    list of open items it would be an empty column."""
    out = items.assign(
        kind=[voice.t(f"review.improve.kinds.{k}") for k in items["kind"]],
        state=[voice.t(f"review.improve.states.{s}") for s in items["state"]],
        decided_by=[voice.t(f"review.improve.decided.{d}") if d else "" for d in items["decided_by"]],
        subject=items["subject_text"],
    )
    columns = ["kind", "subject", "evidence", "owner", "opened", "due", "state", "decided_by"]
    if not (items["decided_by"].fillna("") != "").any():
        columns.remove("decided_by")
    return out[columns]


def forecast_view(forecast: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """Open deals by month of expected close (the month column named for what it is)."""
    return forecast.rename(columns={"month": "close_month"})
