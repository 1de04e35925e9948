"""The "changes since" page: `<NEW>/diff_<OLD>/index.html` (offline, the reports' look) and its CSVs
(targets, kpis, tiers, figures, causes), written through `planning.store`."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pandas as pd

from planning import display, report, store
from planning.diff import narrate
from planning.diff.compute import COMPANY, Diff, Side, compare
from planning.i18n import Voice

MAX_REPS = 25  # rep rows on the page (largest changes first); targets.csv has them all
MAX_ROWS = 60


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _voice(side: Side, lang: str | None) -> Voice:
    params = next((side.params(r) for r in side.regions if side.params(r)), {})
    lang = lang or params.get("language") or "en"
    currency = (params.get("company") or {}).get("currency") or "CNY"
    return Voice(lang if lang in ("en", "zh") else "en", currency)


def _table(df: pd.DataFrame, voice: Voice, money=(), pct=(), max_rows: int | None = MAX_ROWS) -> str:
    if df.empty:
        return f'<p class="table-note">{_e(voice.t("diff.status.none"))}</p>'
    return display.table_html(
        df.reset_index(drop=True),
        voice.lang,
        max_rows,
        domain="diff",
        money=list(money),
        pct=list(pct),
        currency=voice.currency,
        translate_values=False,
    )


def _kpi_table(diff: Diff, voice: Voice) -> str:
    view = narrate.kpis_view(diff, voice)
    if view.empty:
        return f'<p class="table-note">{_e(voice.t("diff.status.none"))}</p>'
    col = lambda c: _e(voice.t(f"diff.columns.{c}"))  # noqa: E731

    def light(s: str) -> str:
        if s in display.KPI_VALUES:
            return f'<td class="kpi-{s}">{display.kpi_html(s, voice.lang)}</td>'
        return f"<td>{_e(voice.t('diff.status.none'))}</td>"

    rows = "".join(
        f"<tr><td>{_e(r.scope)}</td><td>{_e(r.kpi)}</td>{light(r.old_status)}{light(r.new_status)}</tr>"
        for r in view.itertuples()
    )
    head = "".join(f"<th>{col(c)}</th>" for c in ("scope", "kpi", "old_status", "new_status"))
    return f'<table class="planning-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _reps(diff: Diff, voice: Voice) -> str:
    view = narrate.targets_view(diff, ("rep",), voice, changed_only=True)
    if view.empty:
        return _table(view, voice)
    view = view.assign(_a=view["change"].abs(), _k=(view["status"] == voice.t("diff.status.changed")))
    view = view.sort_values(["_k", "_a"], ascending=[True, False]).drop(columns=["_a", "_k", "level"])
    note = ""
    if len(view) > MAX_REPS:
        note = f'<p class="table-note">{_e(voice.t("diff.more_reps", n=MAX_REPS))}</p>'
    return _table(view.head(MAX_REPS), voice, ("old", "new", "change"), ("change_pct",), None) + note


def _figures(diff: Diff, voice: Voice) -> str:
    """The forecast (money) and the hires (a count) in two tables."""
    view = narrate.figures_view(diff, voice)
    is_forecast = (diff.figures["figure"] == "forecast").to_numpy()
    return _table(view[is_forecast], voice, ("old", "new", "change"), ("change_pct",)) + _table(
        view[~is_forecast], voice, (), ("change_pct",)
    )


def page_html(diff: Diff, voice: Voice) -> str:
    """The page: summary and cause per scope, then the tables; links to the CSVs and back to NEW's index."""
    t = voice.t
    money, pct = ("old", "new", "change"), ("change_pct",)
    scopes = [COMPANY, *diff.regions]
    summary = "".join(
        f"<h3>{_e(narrate.scope_name(s, diff, voice))}</h3>"
        + "".join(display.paragraph_html(x) for x in narrate.describe_scope(diff, s, voice))
        for s in scopes
    )
    sections = [
        ("summary", summary),
        ("causes", _table(narrate.causes_view(diff, voice), voice)),
        (
            "periods",
            _table(
                narrate.targets_view(diff, ("year", "quarter"), voice).drop(columns=["name", "team"]),
                voice,
                money,
                pct,
            ),
        ),
        (
            "teams",
            _table(
                narrate.targets_view(diff, ("region", "quota", "team"), voice).drop(columns=["name", "team"]),
                voice,
                money,
                pct,
            ),
        ),
        (
            "months",
            _table(
                narrate.targets_view(diff, ("month",), voice, changed_only=True).drop(
                    columns=["name", "team", "level"]
                ),
                voice,
                money,
                pct,
            ),
        ),
        ("reps", _reps(diff, voice)),
        ("kpis", _kpi_table(diff, voice)),
        ("tiers", _table(narrate.tiers_view(diff, voice), voice)),
        ("figures", _figures(diff, voice)),
    ]
    links = " · ".join(f'<a href="{n}.csv">{n}.csv</a>' for n in diff.frames())
    body = "".join(
        f'<h2 id="sec-{i}">{_e(t(f"diff.sections.{k}"))}</h2>\n{v}\n' for i, (k, v) in enumerate(sections, 1)
    )
    body += f'<h2 id="sec-csv">{_e(t("diff.csv"))}</h2><p>{links}</p>'
    toc = "".join(
        f'<li class="toc-h2"><a href="#sec-{i}">{_e(t(f"diff.sections.{k}"))}</a></li>'
        for i, (k, _) in enumerate(sections, 1)
    )
    params = next((diff.new.params(r) for r in diff.new.regions if diff.new.params(r)), {})
    company = params.get("company") or {}
    company_name = (company.get("name_zh") if voice.lang == "zh" else None) or company.get("name") or ""
    title = t("diff.title", old=diff.old.name)
    fields = [
        (t("diff.old"), diff.old.name),
        (t("diff.new"), diff.new.name),
        (voice.t("common.report.plan_year"), params.get("plan_year", "")),
        (voice.t("common.report.commit"), diff.new.manifest.get("commit", "")),
    ]
    meta = "".join(f'<div class="field"><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>' for k, v in fields if v)
    lang_attr = "zh-CN" if voice.lang == "zh" else "en"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang_attr}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="planning.diff">\n<title>{_e(title)}</title>\n'
        f"<style>{report._css()}</style>\n</head>\n<body>\n"
        '<header class="report-header">\n'
        f'<a class="back" href="../index.html">← {_e(t("diff.back", new=diff.new.name))}</a>\n'
        f'<div class="company">{_e(company_name)}</div>\n'
        f'<div class="report-title">{_e(title)}</div>\n'
        f'<dl class="meta">{meta}</dl>\n</header>\n'
        f'<div class="layout">\n<nav class="toc"><div class="toc-title">{_e(voice.t("common.report.contents"))}'
        f'</div><ol>{toc}</ol></nav>\n<main class="report-body">\n{body}\n</main>\n</div>\n'
        f'<footer class="report-footer">{_e(t("diff.footer", old=diff.old.name, new=diff.new.name))}</footer>\n'
        "</body>\n</html>\n"
    )


def write(diff: Diff, lang: str | None = None) -> Path:
    """Write the comparison into `<NEW>/diff_<OLD>/`: index.html and the CSVs. Returns the page's path."""
    folder = store.diff_dir(diff.new.path, diff.old.name)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in diff.frames().items():
        store.write_csv(folder / f"{name}.csv", frame)
    page = folder / "index.html"
    page.write_text(page_html(diff, _voice(diff.new, lang)), encoding="utf-8")
    return page


def diff_snapshots(old: Side, new: Side, lang: str | None = None) -> Path:
    """Compare two opened snapshots and write the page (`write`)."""
    return write(compare(old, new), lang)
