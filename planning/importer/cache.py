"""`materialize`: import the files a mapping names into a canonical data folder, once per content.

The folder is `<cache>/<hash>` (`cache_key`: the mapping as validated, every input file's content and the
import code), written to a temporary folder and published by a rename; `resolve_data_dir(p)` is the entry
point of a run whose params set `data.mapping`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from planning import config, data, store
from planning.importer import batches, reading, transform, writing
from planning.importer.lookups import load_lookups
from planning.importer.mapping import Mapping, TableMapping, expand, load_mapping
from planning.importer.report import (
    FINDING_COLUMNS,
    FINDINGS_FILE,
    REPORT_FILE,
    SUMMARY_COLUMNS,
    ImportReport,
    TableResult,
    labels_of,
    report_of,
    spelling_items,
)

CACHE_DIR: Path = config.PROJECT_ROOT / "data" / "imported"
_HASH_MEMO: dict[tuple[str, int, int], str] = {}


def _file_hash(path: Path) -> str:
    st = path.stat()
    memo_key = (str(path), st.st_size, st.st_mtime_ns)
    if memo_key not in _HASH_MEMO:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(8 << 20), b""):
                h.update(chunk)
        _HASH_MEMO[memo_key] = h.hexdigest()
    return _HASH_MEMO[memo_key]


def _code_hash() -> str:
    """Hash of the import code: every module of `planning.importer` and `planning.data`."""
    h = hashlib.sha256()
    for package in (Path(__file__).parent, Path(data.__file__).parent):
        for mod in sorted(package.glob("*.py")):
            h.update(mod.read_bytes())
    return h.hexdigest()


def cache_key(mapping: Mapping, files: dict[str, Path]) -> str:
    """Content hash of the mapping (as validated), every input file and the import code."""
    h = hashlib.sha256()
    h.update(mapping.model_dump_json(by_alias=True, exclude={"tables": {"__all__": {"file"}}}).encode())
    for name in sorted(files):
        h.update(f"{name}:{_file_hash(files[name])}".encode())
    h.update(_code_hash().encode())
    return h.hexdigest()[:20]


def materialize(
    mapping_file: str | os.PathLike, cache_dir: str | os.PathLike | None = None, force: bool = False
) -> tuple[Path, ImportReport]:
    """Import the files a mapping names into a canonical data folder, once per content.

    In: the mapping YAML; the cache folder (default: the mapping's `cache_dir`, else data/imported/ of the
    project); `force` re-imports. Out: (folder with `<table>.parquet`, `import.json`, `validation.csv`; the
    report). The folder is `<cache>/<hash>` with the hash over the mapping, the inputs' content and this code,
    so an unchanged export is not read twice and a changed one never reuses a stale import. Tables are
    written in row groups of ROW_GROUP_ROWS rows, orders sorted by region, order_date and file order; the
    same inputs give the same bytes. Raises DataError (see the module docstring).
    """
    mapping_file = Path(mapping_file).resolve()
    mapping, files = load_mapping(mapping_file)
    key = cache_key(mapping, files)
    root = Path(
        cache_dir or (mapping.cache_dir and expand(mapping.cache_dir, str(mapping_file))) or CACHE_DIR
    )
    if not root.is_absolute():
        root = mapping_file.parent / root
    final = root / key
    if (final / REPORT_FILE).is_file() and not force:
        return final, report_of(final)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.tmp-", dir=root))
    try:
        report = _import_all(mapping, files, key, mapping_file, tmp)
        report.data_dir = str(final)
        store.write_csv(tmp / FINDINGS_FILE, report.findings)  # formula-safe: holds the export's own values
        (tmp / REPORT_FILE).write_text(report.to_json(), encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not (final / REPORT_FILE).is_file():  # another process published the same import first: use it
            raise
    return final, report


def _import_all(
    mapping: Mapping, files: dict[str, Path], key: str, mapping_file: Path, out_dir: Path
) -> ImportReport:
    """Import every table of the mapping into `out_dir` (`<table>.parquet`); the report of the import."""
    work = out_dir / ".work"  # staged tables and DuckDB's spill files of large imports
    summary, findings, sources = [], [], {}
    regions: dict[str, dict[str, float]] = {}
    labels: dict[str, dict[str, dict[str, str]]] = {}  # table -> key column -> key -> the export's text
    placeholders: dict[str, set[str]] = {}  # id column -> placeholder values filled
    try:
        for name, tm in mapping.tables.items():
            out_file = out_dir / f"{name}.parquet"
            res = _import_file(name, files[name], tm, out_file, work, load_lookups(name, tm, files))
            res.info["sha256"] = _file_hash(files[name])
            sources[name] = res.info
            findings += [*_encoding_item(name, res), *res.items, *spelling_items(name, res.labels)]
            if names := labels_of(res.labels):
                labels[name] = names
            placeholders_of(tm, res.items, placeholders)
            amount, by_region = writing.totals(out_file, by_region=name == "orders")
            if name == "orders":
                regions = by_region
            summary.append(
                {
                    "table": name,
                    "file": str(files[name]),
                    "rows_read": res.rows_read,
                    "rows_kept": res.rows_kept,
                    "rows_fixed": res.rows_fixed,
                    "rows_dropped": res.rows_dropped,
                    "amount": amount,
                }
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    data.write_placeholders(out_dir, placeholders)
    data.write_labels(out_dir, labels)
    return ImportReport(
        key=key,
        mapping=str(mapping_file),
        summary=pd.DataFrame(summary, columns=SUMMARY_COLUMNS),
        findings=pd.DataFrame(findings, columns=FINDING_COLUMNS),
        sources=sources,
        regions=regions,
        placeholders={c: sorted(v) for c, v in placeholders.items()},
        labels=labels,
    )


def placeholders_of(tm: TableMapping, items: list[dict[str, Any]], found: dict[str, set[str]]) -> None:
    """Add to `found` (column -> values) the placeholders a table's import flagged: its `fill` of customer_id
    when it filled a row, the export's values listed in `placeholders` (whether or not they occur)."""
    flagged = {i["column"] for i in items if i["check"] == "placeholder" and i["outcome"] == "info"}
    for col in flagged & set(tm.fill):
        found.setdefault(col, set()).add(str(tm.fill[col]))
    for col, values in tm.placeholders.items():
        found.setdefault(col, set()).update(values)


def _encoding_item(name: str, res: TableResult) -> list[dict[str, Any]]:
    """The report's line on how a text file was decoded: the encoding, its confidence and how it was found."""
    info = res.info
    if "encoding" not in info:
        return []
    detail = (
        f"read as {info['encoding']} (confidence {float(info.get('encoding_confidence', 1.0)):.2f}; "
        f"{info.get('encoding_detected_by', '')})"
    )
    return [
        {
            "table": name,
            "outcome": "info",
            "check": "encoding",
            "column": "*",
            "rows": res.rows_read,
            "detail": detail,
            "examples": "",
        }
    ]


def _import_file(
    name: str,
    path: Path,
    tm: TableMapping,
    out_file: Path,
    work_dir: Path,
    lookups: dict[str, dict[str, str]],
) -> TableResult:
    """Import one table file into `out_file` (canonical Parquet): read whole, or in record batches when it
    is large (`reading.is_large`); `lookups` as `lookups.load_lookups` returns them."""
    if reading.is_large(path, tm, reading.format_of(path, tm)):
        return batches.import_large(name, path, tm, out_file, work_dir, lookups)
    raw, info = reading.read_source(path, tm)
    df, f = transform.import_table(name, raw, tm, source=str(path), lookups=lookups)
    table = writing.to_arrow(df)
    sink = writing.ParquetSink(out_file, table.schema, by_region=name == "orders")  # sorted by region
    sink.write(table)
    sink.close()
    writing.write_source_rows(out_file.parent, name, f.kept_rows)
    kept = int(f.alive.sum())
    return TableResult(
        len(raw), kept, int((f.fixed & f.alive).sum()), len(raw) - kept, f.items, info, f.labels
    )


def resolve_data_dir(p: Any) -> Path | None:
    """The imported data folder for params `p` when `data.mapping` is set (mapping path relative to the
    project root, like `data.dir`), else None."""
    if not getattr(p.data, "mapping", ""):
        return None
    mapping = Path(expand(p.data.mapping, "data.mapping"))
    mapping = mapping if mapping.is_absolute() else config.PROJECT_ROOT / mapping
    return materialize(mapping)[0]
