"""The import's validation where a reader sees it: the market report's "Imported data" section
(`show_validation`, saving the artefact `validation`) and the snapshot's `validation.json`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd

from planning.importer.report import FINDING_COLUMNS, REPORT_FILE, ImportReport, report_of


def validation_table(report: ImportReport) -> pd.DataFrame:
    """Findings for the report: the per-table accounting rows first (read / kept / dropped), then each problem."""
    rows = []
    for s in report.summary.itertuples():
        rows.append(
            {
                "table": s.table,
                "outcome": "read",
                "check": "",
                "column": "",
                "rows": s.rows_read,
                "detail": Path(s.file).name,
                "examples": "",
            }
        )
        rows.append(
            {
                "table": s.table,
                "outcome": "kept",
                "check": "",
                "column": "",
                "rows": s.rows_kept,
                "detail": f"{s.rows_fixed} of them fixed",
                "examples": "",
            }
        )
        rows.append(
            {
                "table": s.table,
                "outcome": "dropped",
                "check": "",
                "column": "",
                "rows": s.rows_dropped,
                "detail": "",
                "examples": "",
            }
        )
    return pd.concat([pd.DataFrame(rows, columns=FINDING_COLUMNS), report.findings], ignore_index=True)


def show_validation(ctx: Any) -> None:
    """Market report section "Imported data": what the import kept, fixed and dropped, and why.

    Shows nothing when the run's data was not imported through a mapping (e.g. the sample company). Saves the
    artefact `validation` (FINDING_COLUMNS, accounting rows first) into the region's artifacts.
    """
    report = report_of(ctx.data_dir)
    if report is None:
        return
    ctx.h("importer.validation.title")
    s = report.summary
    orders = s[s["table"] == "orders"].iloc[0]
    region = report.regions.get(ctx.region, {"rows": 0, "amount": 0.0})
    ctx.say(
        ctx.t(
            "importer.validation.summary",
            file=Path(str(orders["file"])).name,
            read=f"{int(orders['rows_read']):,}",
            kept=f"{int(orders['rows_kept']):,}",
            fixed=f"{int(orders['rows_fixed']):,}",
            dropped=f"{int(orders['rows_dropped']):,}",
            total=f"{ctx.p.company.currency} {float(orders['amount']):,.2f}",
            region=ctx.region_name,
            region_rows=f"{int(region['rows']):,}",
            region_total=f"{ctx.p.company.currency} {float(region['amount']):,.2f}",
        )
    )
    view = s.assign(file=s["file"].map(lambda x: Path(str(x)).name))
    ctx.table(view, domain="importer", decimals={"amount": 2})  # to the cent, to compare with the export
    problems = report.findings[report.findings["outcome"] != "fixed"]
    fixes = report.findings[report.findings["outcome"] == "fixed"]
    if len(report.findings):
        ctx.table(pd.concat([problems, fixes], ignore_index=True), domain="importer", translate_values=False)
    else:
        ctx.say(ctx.t("importer.validation.clean"))
    ctx.save("validation", validation_table(report))


def write_snapshot_report(snapshot: str | os.PathLike, data_dirs: list[str]) -> None:
    """Write `<snapshot>/validation.json` (the import reports of the run's imported data folders, keyed by
    folder); nothing when no data folder was imported."""
    reports = [
        json.loads((Path(d) / REPORT_FILE).read_text(encoding="utf-8"))
        for d in data_dirs
        if (Path(d) / REPORT_FILE).is_file()
    ]
    if reports:
        Path(snapshot, "validation.json").write_text(
            json.dumps({"imports": reports}, indent=2, ensure_ascii=False), encoding="utf-8"
        )
