"""The import's validation where a reader sees it: the market report's "Imported data" section
(`show_validation`, saving the artefact `validation`) and the snapshot's `validation.json`."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from planning import data
from planning.importer.report import FINDING_COLUMNS, REPORT_FILE, ImportReport, report_of
from planning.importer.writing import SOURCE_ROWS_DIR


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
    view = s.assign(
        file=s["file"].map(lambda x: Path(str(x)).name), table=[_table_name(v, ctx.t) for v in s["table"]]
    )
    ctx.table(view, domain="importer", decimals={"amount": 2})  # to the cent, to compare with the export
    problems = report.findings[report.findings["outcome"] != "fixed"]
    fixes = report.findings[report.findings["outcome"] == "fixed"]
    if len(report.findings):
        shown = findings_view(pd.concat([problems, fixes], ignore_index=True), ctx.t, ctx.lang)
        ctx.table(shown, domain="importer", translate_values=False)
    else:
        ctx.say(ctx.t("importer.validation.clean"))
    ctx.save("validation", validation_table(report))


def findings_view(findings: pd.DataFrame, t: Any, lang: str) -> pd.DataFrame:
    """The findings in the report's language `lang` (`t`: the Context's translate): table, outcome and check named
    (`importer.outcomes`, `importer.checks`); the detail, said by the importer in English, as the check's
    description where the language is not English (the examples keep the export's own values)."""
    out = findings.assign(
        table=[_table_name(v, t) for v in findings["table"]],
        outcome=[t(f"importer.outcomes.{v}") for v in findings["outcome"]],
        check=[t(f"importer.checks.{v}.name") for v in findings["check"]],
    )
    if lang != "en":
        out["detail"] = [_detail(c, d, t) for c, d in zip(findings["check"], findings["detail"], strict=True)]
        out["examples"] = [
            re.sub(r"\brow (\d+)", lambda m: t("importer.row", n=m.group(1)), e) if isinstance(e, str) else ""
            for e in findings["examples"]
        ]
    return out


def _table_name(table: str, t: Any) -> str:
    return t(f"data.tables.{table}") if table in _TABLES else table


def _detail(check: str, detail: str, t: Any) -> str:
    """A finding's detail in the report language: the check's description, with the encoding and its confidence
    (names, not words) where the check is the file's encoding."""
    text = t(f"importer.checks.{check}.detail")
    found = re.match(r"read as (\S+) \(confidence ([0-9.]+)", str(detail)) if check == "encoding" else None
    return (
        t("importer.encoding_detail", text=text, encoding=found.group(1), confidence=found.group(2))
        if found
        else text
    )


_TABLES = frozenset(
    {"regions", "reps", "customers", "orders", "opportunities", "marketing", "market_size", "plan_of_record"}
)


def write_snapshot_report(snapshot: str | os.PathLike, data_dirs: list[str], words: Any = None) -> None:
    """Write `<snapshot>/validation.json` (the import reports of the run's imported data folders, keyed by
    folder); nothing when no data folder was imported. `words`: a function of one report (a dict as stored in
    `import.json`) giving it with its sentences in the run's language (`runner.texts.import_report`)."""
    reports = [
        json.loads((Path(d) / REPORT_FILE).read_text(encoding="utf-8"))
        for d in data_dirs
        if (Path(d) / REPORT_FILE).is_file()
    ]
    if words is not None:
        reports = [words(r) for r in reports]
    if reports:
        Path(snapshot, "validation.json").write_text(
            json.dumps({"imports": reports}, indent=2, ensure_ascii=False), encoding="utf-8"
        )


class ExportTerms:
    """Problems found in an imported data folder, said in the user's terms: the export file and the mapping key
    instead of the cache's `<table>.parquet`, the export's row (`writing.SOURCE_ROWS_DIR`) instead of a position
    in the canonical table (sorted by region and date, perhaps read for one region)."""

    def __init__(
        self,
        data_dir: str | os.PathLike,
        region: str | None = None,
        label: str = "{file} (tables.{table} of {mapping})",
    ):
        """`label`: how an imported table is named, with `{file}`, `{table}`, `{mapping}` (in the run's language:
        `runner.texts.export_label`)."""
        self.data_dir, self.region = Path(data_dir), region
        self.report = report_of(data_dir)
        self.labels: dict[str, str] = {}
        if self.report is not None:
            for s in self.report.summary.itertuples():
                self.labels[s.table] = label.format(file=s.file, table=s.table, mapping=self.report.mapping)

    def text(self, message: str) -> str:
        """`message` with each cache table file named as its export and mapping key."""
        for table, label in self.labels.items():
            for folder in {str(self.data_dir), self.report.data_dir if self.report else ""} - {""}:
                message = message.replace(str(Path(folder) / f"{table}.parquet"), label)
        return message

    def row(self, table: str, pos: int) -> int | None:
        """The export's row of row `pos` of the table as loaded (for `region` when one was given)."""
        # lazy: +11 ms at kernel start (notebook.setup imports the importer via planning.sources)
        import pyarrow.parquet as pq

        rows_file = self.data_dir / SOURCE_ROWS_DIR / f"{table}.parquet"
        if not rows_file.is_file():
            return None
        rows = pq.read_table(rows_file).column("row").to_numpy()
        if self.region is not None and table != "regions":
            names = pq.read_schema(self.data_dir / f"{table}.parquet").names
            if "region" in names:
                region = pq.read_table(self.data_dir / f"{table}.parquet", columns=["region"]).column(
                    "region"
                )
                same = pc.fill_null(pc.equal(region, self.region), False)
                rows = rows[np.flatnonzero(same.to_numpy(zero_copy_only=False))]
        return int(rows[pos]) if 0 <= pos < len(rows) else None

    def file_row(self, table: str, pos: int) -> int | None:
        """Row `pos` of a table read from the data folder's own file (no import), as the user counts it: a CSV's
        row as a spreadsheet shows it (the header is row 1, the first record row 2), a Parquet file's row from 1.
        For one region (`region`), its `pos`-th row of the file. None when the file cannot say."""
        path = data.table_file(self.data_dir, table)
        if path is None or not path.is_file():
            return None
        csv = path.suffix.lower() == ".csv"
        if self.region is not None and table != "regions":
            if csv:
                names = list(pd.read_csv(path, nrows=0).columns)
                region = pd.read_csv(path, usecols=["region"], dtype=str)["region"] if "region" in names else None
            else:
                # lazy: +11 ms at kernel start (notebook.setup imports the importer via planning.sources)
                import pyarrow.parquet as pq

                names = pq.read_schema(path).names
                region = (
                    pq.read_table(path, columns=["region"]).column("region").to_pandas() if "region" in names else None
                )
            if region is not None:
                same = np.flatnonzero((region.astype("string") == self.region).fillna(False).to_numpy(dtype=bool))
                if not 0 <= pos < len(same):
                    return None
                pos = int(same[pos])
        return pos + (2 if csv else 1)

    def problem(self, p: Any, message: Any = None) -> tuple[Any, str]:
        """(the problem with the export's row, its message naming the export file and mapping key). `message`:
        a function of the problem giving its message (in the run's language; default `p.message`)."""
        say = message or (lambda q: q.message)
        if self.report is None or p.table not in self.labels:
            if p.row is not None:
                p = dataclasses.replace(p, row=self.file_row(p.table, p.row))
            return p, say(p)
        if p.row is not None:
            p = dataclasses.replace(p, row=self.row(p.table, p.row))
        return p, f"{self.labels[p.table]}: {say(p)}"
