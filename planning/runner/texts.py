"""What the checks before a run say, in the run's language (`language` in params, or `--language`):
`planning check`'s lines, the data problems of `<as-of>.validation.json` and of the manifest's `data_warnings`,
the import report of the snapshot's `validation.json` (issue 17 case 13); and what `planning run` prints while it
works and when it ends (`run_start`, `run_summary`).

Only sentences are translated (locale/check.yaml, locale/importer.yaml); machine keys stay as they are in every
language: the `error:` / `warning:` prefixes, JSON keys, table, column and check keys, severities and outcomes in
JSON, file paths and the export's own values. The English texts are the ones the checks always printed.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

from planning import i18n
from planning.importer.report import ImportReport
from planning.importer.validation import findings_view


def _t(lang: str) -> Any:
    return lambda key, **fmt: i18n.t(key, lang, **fmt)


# ---------------------------------------------------------------------------------------------- data problems
def problem_message(p: Any, lang: str) -> str:
    """A data problem (`data.validate.Problem`) without its severity: where, the value, what was expected. English
    is the problem's own message; another language words `expected` from the problem's rule and figures (a
    problem without a rule keeps its English expectation)."""
    if lang == "en":
        return p.message
    expected = i18n.t(f"check.expected.{p.rule}", lang, **dict(p.args)) if p.rule else p.expected
    return i18n.t(
        "check.problem",
        lang,
        where=f"{p.table}.{p.column}" + (i18n.t("check.row", lang, row=p.row) if p.row is not None else ""),
        value=repr(p.value),
        more=i18n.t("check.rows", lang, count=p.count) if p.count > 1 else "",
        expected=expected,
    )


def export_label(lang: str) -> str:
    """How an imported table is named in a message: its export file and mapping key (`importer.ExportTerms`)."""
    return i18n.t("check.export_label", lang, file="{file}", table="{table}", mapping="{mapping}")


def as_of_outside(as_of: str, before: bool, file: Any, first: str, last: str, days: int, lang: str) -> str:
    """The problem of an as_of outside the orders' date range (`checks.validate_data`)."""
    return i18n.t(
        "check.as_of_outside",
        lang,
        as_of=as_of,
        where=i18n.t(f"check.as_of_{'before' if before else 'after'}", lang),
        file=file,
        first=first,
        last=last,
        days=days,
    )


def history_span(n: int, first: str, last: str, any_order: bool, lang: str) -> str:
    """A region's history as `checks.short_history` counts it: its `n` complete months from `first` to `last`
    (months `YYYY-MM`); with none, the orders' first and last dates (`any_order`) or no order at all."""
    if not any_order:
        return i18n.t("check.history.no_order", lang)
    key = "months" if n else "no_complete_month"
    return i18n.t(f"check.history.{key}", lang, n=n, first=first, last=last)


def history_region(region: str, span: str, as_of: str, lang: str) -> str:
    """The value of a minimal plan's warning: the region and its history up to `as_of`."""
    return i18n.t("check.history.region", lang, region=region, span=span, as_of=as_of)


def history_too_short(source: Any, region: str, span: str, as_of: str, least: int, full: int, lang: str) -> str:
    """The error of a region with fewer than `least` complete months: no plan at all."""
    return i18n.t(
        "check.history.too_short", lang, source=source, region=repr(region), span=span, as_of=as_of,
        min=least, full=full,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------- planning check
def params_ok(keys: list[str], lang: str) -> str:
    return i18n.t("check.params_ok", lang, n=len(keys), regions=", ".join(keys))


def import_ok(lang: str) -> str:
    return i18n.t("check.import_ok", lang)


def skipped(what: str, lang: str) -> str:
    """The note on a YAML file of params/ that is no region's (`params.skipped_files`: what it is, in English,
    naming the top-level key that gave it away)."""
    found = re.search(r"top-level key '(\w+)'", what)
    if lang != "en" and found and found.group(1) in _NOT_REGION:
        what = i18n.t(f"check.not_region.{_NOT_REGION[found.group(1)]}", lang, name=found.group(1))
    return i18n.t("check.skipped", lang, what=what)


_NOT_REGION = {"tables": "mapping"}  # params.load.NOT_REGION_MARKERS: top-level key -> locale key


def checked_lines(summary: dict, keys: list[str], subset: bool, lang: str) -> list[str]:
    """What `planning check` looked at: every table with its rows, the optional tables not supplied, the data's
    regions against the ones planned, the orders' date range."""
    if not summary:
        return []
    t = _t(lang)
    tables = ", ".join(f"{name} {rows:,}" for name, rows in summary["tables"].items())
    out = [t("check.tables", tables=tables)]
    if summary["missing"]:
        out.append(t("check.not_supplied", tables=", ".join(summary["missing"])))
    data_regions = summary["regions"]
    if subset:  # --region: only these regions' rows were read
        out.append(t("check.regions_subset", regions=", ".join(keys)))
    else:
        out.append(t("check.regions", n=len(keys), total=len(data_regions), regions=", ".join(data_regions)))
    if summary.get("first"):
        out.append(t("check.orders", first=summary["first"], last=summary["last"]))
    return out


def warning_lines(warnings: list[Any], lang: str) -> list[str]:
    """The data's warnings: a count, then one indented `warning: ...` line each."""
    if not warnings:
        return [i18n.t("check.warnings_none", lang)]
    return [i18n.t("check.warnings", lang, n=len(warnings))] + [
        f"  {p.severity}: {problem_message(p, lang)}" for p in warnings
    ]


def data_ok(path: Any, lang: str) -> str:
    return i18n.t("check.data_ok", lang, path=path)


def dimension_lines(groupings: list[Any], top: int, other_name: str, lang: str) -> list[str]:
    """Per dimension (`data.Grouping`) the count of distinct values and whether the reports group all but the
    `top` largest as "other"."""
    t = _t(lang)
    out = []
    for g in groupings:
        name = g.dimension if lang == "en" else f"{t(f'data.dimensions.{g.dimension}')}（{g.dimension}）"
        values = f"{g.values:,}"
        if not g.grouped:
            out.append(t("check.dimension_each", dimension=name, values=values))
            continue
        share = "" if math.isnan(g.other_share) else t("check.dimension_share", share=f"{g.other_share:.1%}")
        out.append(
            t(
                "check.dimension_grouped",
                dimension=name,
                values=values,
                shown=len(g.shown),
                other=f"{g.grouped:,}",
                share=share,
                other_name=other_name if lang == "en" else i18n.name("any", other_name, lang),
                top=top,
            )
        )
    return out


def anonymous_line(ids: list[str], amount: float, share: float, lang: str) -> str:
    return i18n.t(
        "check.anonymous", lang, ids=", ".join(map(repr, ids)), amount=f"{amount:,.2f}", share=f"{share:.1%}"
    )


# ---------------------------------------------------------------------------------------------- the import
def import_lines(report: ImportReport, lang: str) -> list[str]:
    """The import's accounting for `planning check`: per table rows read / kept / fixed / dropped, per region the
    orders kept, then every finding (outcome, table.column, rows, what was done, example rows). In a language
    other than English the outcome, what was done and the example rows are said as in the report's section
    (`importer.findings_view`); table and column keys and the export's values stay as they are."""
    t = _t(lang)
    out = []
    for r in report.summary.itertuples():
        amount = r.amount if isinstance(r.amount, float) and r.amount == r.amount else None
        out.append(
            t(
                "check.import_table",
                table=r.table,
                read=r.rows_read,
                file=Path(r.file).name,
                kept=r.rows_kept,
                fixed=r.rows_fixed,
                dropped=r.rows_dropped,
                total=t("check.import_total", amount=f"{amount:,.2f}") if amount is not None else "",
            )
        )
    for region, v in report.regions.items():
        out.append(t("check.import_region", region=region, rows=v["rows"], amount=f"{v['amount']:,.2f}"))
    shown = report.findings if lang == "en" else findings_view(report.findings, t, lang)
    for f, s in zip(report.findings.itertuples(), shown.itertuples(), strict=True):
        ex = f" [{s.examples}]" if isinstance(s.examples, str) and s.examples else ""
        outcome = f"{f.outcome:<8}" if lang == "en" else s.outcome
        out.append(
            t(
                "check.import_finding",
                outcome=outcome,
                table=f.table,
                column=f.column,
                rows=f.rows,
                detail=s.detail,
                examples=ex,
            )
        )
    return out


def import_report(report: dict[str, Any], lang: str) -> dict[str, Any]:
    """An import report as stored (`import.json`) with its sentences in `lang`: each finding's `detail` and
    `examples` (`importer.findings_view`), and `language`; every key, count and value as stored."""
    out = {**report, "language": lang}
    if lang == "en" or not report.get("findings"):
        return out
    rep = ImportReport.from_json(json.dumps(report, default=str))
    shown = findings_view(rep.findings, _t(lang), lang)
    out["findings"] = [
        {**f, "detail": d, "examples": e}
        for f, d, e in zip(report["findings"], shown["detail"], shown["examples"], strict=True)
    ]
    return out


# ---------------------------------------------------------------------------------------------- planning run
def run_start(notebooks: int, regions: int, steps: int, workers: int, reused: int, data: str, out: str, lang: str) -> str:
    """The start line of a run and its data and output folders."""
    t = _t(lang)
    again = t("check.run.again", n=reused) if reused else ""
    return "\n".join(
        [
            t("check.run.start", notebooks=notebooks, regions=regions, steps=steps, workers=workers, again=again),
            t("check.run.data", path=data),
            t("check.run.output", path=out),
        ]
    )


def run_summary(result: Any, lang: str) -> list[str]:
    """What `planning run` prints when it ends (`runner.RunResult`): notebooks ok, the plan audit's failures and
    count, partial and failed steps, and where a failed update was kept or which one this run swept."""
    t = _t(lang)
    ok = sum(r.status == "ok" for r in result.results)
    reused = sum(r.reused for r in result.results)
    again = t("check.run.done_again", n=reused) if reused else ""
    out = [t("check.run.done", ok=ok, total=len(result.results), again=again, index=result.snapshot / "index.html")]
    if result.audit is not None:
        failed = result.audit[result.audit["status"] == "fail"]
        out += [f"audit fail: {a.region} / {a.check}: {a.values}" for a in failed.itertuples()]
        out.append(t("check.run.audit", n=len(result.audit), fail=len(failed), path=result.snapshot / "audit.csv"))
    for r in result.results:
        if r.status == "partial" and r.error:
            out.append(f"partial: {r.region} / {r.step}: {r.error.get('message')}")
        if r.status == "failed" and r.error:
            cell = f", cell {r.error['cell']}" if r.error.get("cell") else ""
            see = t("check.run.see", path=result.snapshot / r.region / f"{r.step}.ipynb")
            out.append(f"error: {r.region} / {r.step}{cell}: {r.error.get('message')}{see}")
    kept, swept = getattr(result, "failed_kept", None), getattr(result, "failed_swept", None)
    if kept is not None:
        snapshot = kept.with_name(kept.name.removesuffix(".failed"))
        out.append(t("check.run.failed_kept", snapshot=snapshot, failed=kept, as_of=snapshot.name))
    if swept is not None:
        out.append(t("check.run.failed_swept", failed=swept, as_of=swept.name.removesuffix(".failed")))
    return out
