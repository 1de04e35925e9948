"""The review's sentences and the wording of its artefacts' text columns, in the report language.

Convention (every step): data arguments first, then the params section if needed, `voice: i18n.Voice` last.
Compute returns numbers and keys; the functions here word them: `kpi_rules` (the board's `rule`),
`root_cause_whys` (the 5-Why lines), `risk_texts` (names, contingencies, evidence) and `pdca_actions` (the action
of a new entry) return the frames the notebook saves, `describe_*` the sentences it shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from planning import i18n
from planning.params.schema import local_text
from planning.review.kpis import KPI_NEEDS, STATUSES, BaselineGap, absent_kpis, missing_kpis
from planning.review.periods import isnan
from planning.review.plan import Plan
from planning.review.resplit import ResplitCheck
from planning.review.root_causes import Why

if TYPE_CHECKING:
    from planning.params import Review


def _text(values: list[str], like: pd.DataFrame) -> pd.Series:
    """A text column for `like`; an empty one keeps the object dtype of an empty compute frame's text columns (a
    plain empty list would make it a float column, shown as a number column in the report's table)."""
    return pd.Series(values, index=like.index, dtype=None if values else object)


# ---------------------------------------------------------------------------------------------- plan of record
def describe_plan(plan: Plan, voice: i18n.Voice) -> str:
    """Which plan the review uses."""
    if plan.source == "snapshot":
        return voice.t(
            "review.plan.snapshot",
            snapshot=plan.snapshot,
            year=plan.year,
            annual=voice.money(plan.annual),
            kind=voice.t(f"review.plan.kinds.{plan.kind or 'plan'}"),
        )
    if plan.source == "data":
        return voice.t("review.plan.data", year=plan.year, annual=voice.money(plan.annual))
    return voice.t("review.plan.none", year=plan.year)


# ---------------------------------------------------------------------------------------------- plan vs actual
def describe_pva_reps(pva: pd.DataFrame, shown: pd.DataFrame, voice: i18n.Voice) -> str:
    """Which reps the plan-vs-actual chart and table show (all, or the ends of how many) and where every rep's
    plan, actual and variance are (artifacts/plan_vs_actual.csv); "" without a rep (no "All 0 reps are shown")."""
    reps = int((pva["level"] == "rep").sum())
    if reps == 0:
        return ""
    listed = int((shown["level"] == "rep").sum())
    fmt = {"reps": voice.number(reps), "file": "artifacts/plan_vs_actual.csv"}
    if listed >= reps:
        return voice.t("review.pva.reps_all", **fmt)
    return voice.t("review.pva.reps_ends", shown=voice.number(listed // 2), **fmt)


def describe_pva(pva: pd.DataFrame, proj: pd.DataFrame, check: ResplitCheck, voice: i18n.Voice) -> str:
    """Year to date against plan, the full-year outlook and whether the quarter needs a re-split."""
    ytd = pva[pva["level"] == "ytd"].iloc[0]
    item = dict(zip(proj["item"], proj["amount"], strict=True))
    if isnan(ytd["plan"]):
        return voice.t(
            "review.pva.no_plan", actual=voice.money(ytd["actual"]), linear=voice.money(item["linear"])
        )
    text = voice.t(
        "review.pva.summary",
        actual=voice.money(ytd["actual"]),
        plan=voice.money(ytd["plan"]),
        completion=voice.pct(ytd["completion"]),
        variance=voice.money(ytd["variance"]),
        seasonal=voice.money(item["seasonal"]),
        annual=voice.money(item["annual_plan"]),
        linear=voice.money(item["linear"]),
    )
    key = "review.pva.resplit_required" if check.required else "review.pva.resplit_ok"
    return text + " " + voice.t(key, quarter=check.quarter, completion=voice.pct(check.completion),
                                threshold=voice.pct(check.threshold))  # fmt: skip


# ---------------------------------------------------------------------------------------------- KPI board
def kpi_rules(board: pd.DataFrame, red: float, yellow: float, voice: i18n.Voice) -> pd.DataFrame:
    """The board (`kpis.kpi_status`) with its `rule` column: how each light is decided, with the thresholds
    `red` / `yellow` (the `kpis` artefact)."""
    rules = [
        voice.t(
            f"review.kpi.rule_{'higher' if hi else 'lower'}",
            ref=voice.t(f"review.kpi.ref_{c}"),
            red=voice.pct(red, 0),
            yellow=voice.pct(yellow, 0),
        )
        for hi, c in zip(board["higher_is_better"], board["compared_with"], strict=True)
    ]
    return board.assign(rule=rules)


def describe_kpis(
    board: pd.DataFrame, tables: Any, voice: i18n.Voice, gaps: dict[str, BaselineGap] | None = None
) -> str:
    """How many KPIs are green / yellow / red (naming the red ones), and which KPIs could not be lit: those whose
    table is not in `tables` (the region's Tables, or None) with the shared sentence naming the file, and those
    without a like-for-like baseline (`gaps`, from `kpis.baseline_gaps`) with the days the data covers."""
    counts = {s: int((board["status"] == s).sum()) for s in STATUSES}
    red = board[board["status"] == "red"].sort_values("shortfall", ascending=False)
    names = ", ".join(voice.t(f"review.kpi.names.{k}") for k in red["kpi"])
    key = "review.kpi.summary" if names else "review.kpi.summary_no_red"
    if board.empty:  # no KPI has a plan or a like-for-like baseline to be lit against: the reasons follow
        key = "review.kpi.summary_none"
    text = voice.t(key, green=counts["green"], yellow=counts["yellow"], red=counts["red"], names=names)
    absent = absent_kpis(board, tables)
    sep = "、" if voice.lang == "zh" else ", "
    for table in sorted({KPI_NEEDS[k] for k in absent}):
        names = sep.join(voice.t(f"review.kpi.names.{k}") for k in absent if KPI_NEEDS[k] == table)
        text += " " + voice.missing(table, voice.t("review.kpi.missing_what", names=names))
    unlit = set(missing_kpis(board))
    no_base = {k: g for k, g in (gaps or {}).items() if k in unlit and k not in absent}
    groups: dict[tuple, list[str]] = {}
    for k, g in no_base.items():
        groups.setdefault((g.table, g.start, g.end, g.covered), []).append(k)
    for (table, start, end, cover), kpis_ in groups.items():
        text += " " + voice.t(
            "review.kpi.no_baseline",
            names=sep.join(voice.t(f"review.kpi.names.{k}") for k in kpis_),
            table=table,
            start=start.date().isoformat(),
            end=end.date().isoformat(),
            covered=(
                f"{cover.start.date().isoformat()} – {cover.end.date().isoformat()}"
                if cover is not None
                else i18n.DASH
            ),
        )
    missing = [k for k in missing_kpis(board) if k not in absent and k not in no_base]
    if missing:
        needs = sorted({KPI_NEEDS.get(k, "orders") for k in missing})
        text += " " + voice.t(
            "review.kpi.missing",
            names=", ".join(voice.t(f"review.kpi.names.{k}") for k in missing),
            tables=", ".join(needs),
        )
    return text


def describe_process_checks(checks: pd.DataFrame, voice: i18n.Voice) -> str:
    """The process-vs-outcome pairs where the process rose while the outcome fell."""
    flagged = checks[checks["flagged"]]
    if flagged.empty:
        return voice.t("review.process.none")
    parts = [
        voice.t(
            f"review.process.{r.check}",
            process=voice.pct(r.process_change),
            outcome=voice.pct(r.outcome_change),
        )
        for r in flagged.itertuples()
    ]
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------- root causes
def _key_label(level: str, key: str, voice: i18n.Voice) -> str:
    if level in ("product_line", "channel"):
        return voice.name(level, key)
    if level == "rep":
        return voice.t("review.why.rep", rep=key)
    return key


def why_text(why: Why | None, voice: i18n.Voice) -> str:
    """One 5-Why line (`root_causes.Why`) as a sentence; "" for None (the data is silent)."""
    if why is None or isinstance(why, str):
        return why or ""
    v = dict(why.values)
    if why.key == "gap":
        v = {
            "item": _key_label(v["level"], v["key"], voice),
            "actual": voice.money(v["actual"]),
            "plan": voice.money(v["plan"]),
            "variance": voice.pct(v["variance_pct"], 1, signed=True),
            "driver": voice.t(f"review.drivers.{v['driver']}"),
            "effect": voice.money(v["effect"]),
        }
    if "source" in v:
        v["source"] = voice.name("lead_source", v["source"])
    if "product" in v:
        v["product"] = voice.name("product_line", v["product"])
    if "stage" in v:
        v["stage"] = voice.name("stage", v["stage"])
    if why.key == "orders_per_lead":
        v.update(now=voice.number(v["now"], 2), ly=voice.number(v["ly"], 2))
    elif why.key in ("funnel_stage", "mix"):
        v.update(now=voice.pct(v["now"], 0), ly=voice.pct(v["ly"], 0))
    elif why.key == "price":
        v.update(
            now=voice.money(v["now"]), ly=voice.money(v["ly"]), change=voice.pct(v["change"], 0, signed=True)
        )
    return voice.t(f"review.why.{why.key}", **v)


def root_cause_whys(rc: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The root causes (`root_causes.root_causes`) with the 5-Why lines worded (the `root_causes` artefact)."""
    whys = {
        c: _text([why_text(w, voice) for w in rc[c]], rc)
        for c in ("why_1", "why_2", "why_3", "why_4", "why_5")
    }
    return rc.assign(**whys)


def describe_root_causes(rc: pd.DataFrame, p: Review, voice: i18n.Voice) -> str:
    """How many lines deviate beyond `review.root_cause_threshold`, and the worded 5-Why of the year to date
    (`rc` as returned by `root_cause_whys`)."""
    if rc.empty:
        return voice.t("review.rc.none", threshold=voice.pct(p.root_cause_threshold))
    keys = rc[["level", "key"]].drop_duplicates()
    ytd = rc[(rc["level"] == "ytd") & rc["largest"]]
    text = voice.t("review.rc.summary", n=len(keys), threshold=voice.pct(p.root_cause_threshold))
    if len(ytd):
        text += " " + " ".join(str(ytd[c].iloc[0]) for c in ("why_1", "why_2", "why_3"))
    else:  # no year-to-date line: say so instead of drawing an empty waterfall
        text += " " + voice.t("review.rc.ytd_within", threshold=voice.pct(p.root_cause_threshold))
    return text.strip()


# ---------------------------------------------------------------------------------------------- accuracy
def snapshot_label(snapshot: Any, voice: i18n.Voice) -> str:
    """An earlier forecast's name as the report shows it: a snapshot date as it is, a back-dated forecast of the
    backtest ("backtest 2025-09-30" in accuracy.csv) in the report's language ("回测 2025-09-30")."""
    text = str(snapshot)
    if text.startswith("backtest "):
        return voice.t("review.accuracy.backtest_label", date=text.removeprefix("backtest "))
    return text


def accuracy_view(table: pd.DataFrame, voice: i18n.Voice) -> pd.DataFrame:
    """The accuracy summary or the per-month accuracy with `snapshot` labelled for the report."""
    out = table.copy()
    if "snapshot" in out:
        out["snapshot"] = [snapshot_label(x, voice) for x in out["snapshot"]]
    return out


def describe_accuracy(acc: pd.DataFrame, summary: pd.DataFrame, voice: i18n.Voice) -> str:
    """How accurate the earlier forecasts (or the backtest) were: the latest and the best MAPE, the bias."""
    if acc.empty:
        return voice.t("review.accuracy.none")
    key = "review.accuracy.backtest" if (acc["source"] == "backtest").all() else "review.accuracy.snapshots"
    best = summary.sort_values("mape").iloc[0]
    latest = summary.iloc[-1]
    return voice.t(
        key,
        n=len(summary),
        months=int(summary["months"].sum()),
        latest=snapshot_label(latest["snapshot"], voice),
        mape=voice.pct(latest["mape"]),
        bias=voice.pct(latest["bias"], 1, signed=True),
        best=snapshot_label(best["snapshot"], voice),
        best_mape=voice.pct(best["mape"]),
    )


# ---------------------------------------------------------------------------------------------- risks and PDCA
def _fmt_signal(signal: str, x: float, voice: i18n.Voice) -> str:
    if signal == "leads":
        return voice.number(x, 0)
    if signal == "price":
        return voice.number(x, 3)
    return voice.pct(x)


def risk_texts(reg: pd.DataFrame, signals: pd.DataFrame, p: Review, voice: i18n.Voice) -> pd.DataFrame:
    """The scored register (`risks.risk_register`) with risk and contingency in the report language (the `_zh`
    texts of `review.risks` in Chinese when given) and the evidence of each risk's data signal (the `risks`
    artefact)."""
    by_name = {r.risk: r for r in p.risks}
    sig = signals.set_index("signal") if len(signals) else pd.DataFrame()
    zh = voice.lang == "zh"
    names, conts, evidence = [], [], []
    for row in reg.itertuples():
        r = by_name[row.risk]
        names.append(r.risk_zh if zh and r.risk_zh else r.risk)
        conts.append(r.contingency_zh if zh and r.contingency_zh else r.contingency)
        text = ""
        if r.signal and r.signal in sig.index:
            s = sig.loc[r.signal]
            text = voice.t(f"review.risk.signal_{r.signal}", value=_fmt_signal(r.signal, s["value"], voice),
                           reference=_fmt_signal(r.signal, s["reference"], voice))  # fmt: skip
        evidence.append(text)
    return reg.assign(risk=_text(names, reg), contingency=_text(conts, reg), evidence=_text(evidence, reg))


def describe_risks(reg: pd.DataFrame, voice: i18n.Voice) -> str:
    """How many risks, the highest score, and the risks whose likelihood a data signal raised."""
    if reg.empty:
        return voice.t("review.risk.none")
    raised = reg[reg["likelihood"] > reg["base_likelihood"]]
    top = reg.iloc[0]
    text = voice.t("review.risk.summary", n=len(reg), top=top["risk"], score=int(top["score"]))
    if len(raised):
        sep = "；" if voice.lang == "zh" else "; "  # names may hold commas (and 、 in Chinese)
        text += " " + voice.t("review.risk.raised", names=sep.join(raised["risk"]))
    return text


def pdca_actions(log: pd.DataFrame, p: Review, voice: i18n.Voice) -> pd.DataFrame:
    """The PDCA log (`pdca.pdca_log`) with every entry's action worded in the report's language from where it
    comes from (`action_key`): the KPI's `review.actions` entry (its `action_zh` in Chinese when given), or the
    default action (the `pdca_log` artefact). A carried or resolved entry keeps the action it was opened with: it
    is worded anew only while params still hold that action (in either language), else its text stays as
    stored; an entry of an older log without a key is recognised by its text (the default action, or the KPI's
    params action, in either language)."""
    zh = voice.lang == "zh"
    default = {i18n.t("review.pdca.default_action", lang) for lang in i18n.LANGUAGES}

    def worded(kpi: str, key: str, state: str, stored: str) -> str:
        a = p.actions.get(kpi)
        own = {a.action, a.action_zh} - {""} if a is not None else set()
        if key == "default" or (not key and stored in default):
            return voice.t("review.pdca.default_action")
        if a is not None and ((key == "params" and state == "new") or stored in own):
            return a.action_zh if zh and a.action_zh else a.action
        return stored

    keys = log["action_key"] if "action_key" in log.columns else pd.Series("", index=log.index)
    text = [
        worded(k, "" if pd.isna(key) else str(key), s, "" if pd.isna(a) else str(a))
        for k, key, s, a in zip(log["kpi"], keys, log["state"], log["action"], strict=True)
    ]
    return log.assign(action=_text(text, log))


def describe_pdca(log: pd.DataFrame, voice: i18n.Voice) -> str:
    """How many PDCA entries are new, carried and resolved."""
    if log.empty:
        return voice.t("review.pdca.none")
    n = {s: int((log["state"] == s).sum()) for s in ("new", "carried", "resolved")}
    return voice.t("review.pdca.summary", **n)


# ------------------------------------------------------------------------------------------------ plan audit
def describe_audit(audit: pd.DataFrame, voice: i18n.Voice) -> str:
    """The region's plan audit (`planning.audit.audit_region`) in one sentence: how many checks, pass, fail and
    skipped, and what a failure means."""
    counts = audit["status"].value_counts()
    failed, skipped = int(counts.get("fail", 0)), int(counts.get("skipped", 0))
    key = "summary_fail" if failed else "summary_pass" if skipped else "summary_clean"  # clean: no table below
    return voice.t(
        f"review.audit.{key}",
        n=len(audit),
        passed=int(counts.get("pass", 0)),
        failed=failed,
        skipped=skipped,
    )
# ---------------------------------------------------------------------------------------------- to date
def describe_to_date(td: pd.DataFrame, voice: i18n.Voice) -> str:
    """Week, month, quarter and year to date against the plan of record, one clause each."""
    parts = []
    for r in td.itertuples():
        period = voice.t(f"review.to_date.periods.{r.period}")
        if isnan(r.plan):
            parts.append(voice.t("review.to_date.no_plan", period=period, actual=voice.money(r.actual)))
        else:
            parts.append(
                voice.t(
                    "review.to_date.clause",
                    period=period,
                    actual=voice.money(r.actual),
                    plan=voice.money(r.plan),
                    completion=voice.pct(r.completion),
                )
            )
    return voice.t("review.to_date.summary", clauses=voice.t("review.to_date.sep").join(parts))


# ---------------------------------------------------------------------------------------------- pipeline
def describe_pipeline(
    stages: pd.DataFrame, deals: pd.DataFrame, landing: pd.DataFrame, p: Any, voice: i18n.Voice
) -> str:
    """How the stage probabilities were measured, what stands in for a missing expected close date, and the
    quarter's and the year's expected landing with its range against target."""
    own = stages[stages["basis"] == "own"]
    basis = voice.t(
        "review.pipeline.basis" if len(own) else "review.pipeline.basis_all_history",  # not "for —"
        months=p.history_months,
        stages=voice.t("review.pipeline.list_sep").join(voice.name("stage", s) for s in own["stage"]) or "—",
        min_closed=p.min_closed,
    )
    n_given = int((deals["close_basis"] == "expected_close_date").sum()) if len(deals) else 0
    close = voice.t("review.pipeline.close_basis", given=n_given, estimated=len(deals) - n_given)
    out = [basis, close]
    for r in landing.itertuples():
        key = "review.pipeline.landing" if not isnan(r.target) else "review.pipeline.landing_no_target"
        out.append(
            voice.t(
                key,
                period=r.period,
                commit=voice.money(r.commit),
                worst=voice.money(r.worst),
                best=voice.money(r.best),
                target=voice.money(r.target),
                completion=voice.pct(r.commit_vs_target),
                run_rate=voice.money(r.run_rate_landing),
            )
        )
    return " ".join(out)


# ---------------------------------------------------------------------------------------------- improvement list
def _subject(kind: str, detail: str, subject: str, voice: i18n.Voice) -> str:
    if kind == "swing":
        return f"{voice.name('stage', subject)} → {voice.name('stage', detail)}"
    if kind == "copy":
        what = {"source": "lead_source", "industry": "industry"}.get(detail)
        return f"{voice.t(f'review.improve.dims.{detail}')}: {voice.name(what, subject) if what else subject}"
    if kind == "stop":
        return voice.name("lead_source", subject)
    return subject


def improvement_texts(items: pd.DataFrame, p: Review, voice: i18n.Voice) -> pd.DataFrame:
    """The improvement list (`improve.carry`) with `subject_text` and `evidence` worded and the owner of a new
    item filled from `review.improve.owners` (the `improvements` artefact); carried items keep their owner."""
    c = p.improve
    subjects, evidence, owners = [], [], []
    for r in items.itertuples():
        subjects.append(_subject(r.kind, r.detail, r.subject, voice))
        fmt = {
            "metric": voice.pct(r.metric) if r.kind in ("swing", "copy") else voice.number(r.metric, 1),
            "baseline": voice.pct(r.baseline) if r.kind in ("swing", "copy") else voice.number(r.baseline, 1),
            "n": voice.number(r.n),
            "n_base": voice.number(r.n_base),
            "why": voice.t(f"review.improve.parts.{r.detail}") if r.kind == "health" else "",
            "spend": voice.money(r.metric),
            "leads": voice.number(r.baseline),
            "months": c.stop_months,
            "days": c.copy_days,
        }
        key = f"review.improve.evidence.{r.kind}" + (f"_{r.detail}" if r.kind == "stop" else "")
        evidence.append(voice.t(key, **fmt))
        owners.append(r.owner or local_text(c.owners.get(r.kind, ""), voice.lang))
    return items.assign(
        subject_text=_text(subjects, items), evidence=_text(evidence, items), owner=_text(owners, items)
    )


def describe_improvements(items: pd.DataFrame, voice: i18n.Voice) -> str:
    """How many items are new, open, done and dropped, and how "done" was decided."""
    if items.empty:
        return voice.t("review.improve.none")
    n = {s: int((items["state"] == s).sum()) for s in ("new", "open", "done", "dropped")}
    return voice.t("review.improve.summary", **n)
