"""Import a CRM / ERP export into the canonical tables of docs/data.md (docs/import.md).

The import is an ETL step in front of the workbook: `materialize(mapping_file)` reads the user's files as they
are (CSV in any common encoding and number / date style, Excel .xlsx / .xls, Parquet), applies the mapping
(column renames, constants, value maps, derived columns, filters), writes the canonical tables as Parquet into a
cache folder keyed by the content hash of the inputs and the mapping (`data/imported/<hash>/`), and returns a
validation report that accounts for every input row: kept, fixed (how) or dropped (why), with counts per problem
and example rows. `planning.sources` calls it (`resolve_data_dir`) when `data.mapping` is set in params.

Hard errors (unreadable file, a mapped column that is not in the file, a required column without a mapping, no
parseable date at all) raise `planning.errors.DataError` naming the file, the column and an example value.

Large files (CSV / Parquet over 64 MB, or `engine: duckdb`) are never held in memory whole: they are read in
record batches of `reading.CHUNK_ROWS` rows, each batch is mapped and validated by the same code as a small
file, duplicates are found across batches by 128-bit row keys, and the canonical rows go to Parquet
incrementally. The output and the report are the same as for a small file read whole.

Where what lives (imports one way, top to bottom):
- `parsing.py`     cells: parse_numbers, parse_dates, derived columns, key normalisation
- `mapping.py`     the mapping YAML: Mapping, TableMapping, Rule, Window, load_mapping
- `reading.py`     files as they are: read_source (whole), source_batches (record batches), encodings
- `lookups.py`     columns from a second file or sheet by key: load_lookups (applied in transform.map_rows)
- `report.py`      the accounting: Findings, ImportReport (import.json, validation.csv), report_of
- `transform.py`   one frame -> one canonical table: import_table, map_rows
- `writing.py`     canonical Parquet in fixed row groups (ParquetSink), totals
- `batches.py`     large files: import_large, SeenRows (duplicates across batches), orders sorted in DuckDB
- `cache.py`       materialize (once per content), cache_key, CACHE_DIR, resolve_data_dir
- `validation.py`  the report section and the snapshot's validation.json: show_validation,
                   validation_table, write_snapshot_report; ExportTerms (checks' problems named by export file,
                   mapping key and export row)
"""

from __future__ import annotations

from planning.importer.cache import cache_key, materialize, resolve_data_dir
from planning.importer.mapping import Lookup, Mapping, Rule, TableMapping, Window, load_mapping
from planning.importer.parsing import parse_dates, parse_numbers
from planning.importer.reading import read_source
from planning.importer.report import (
    FINDING_COLUMNS,
    FINDINGS_FILE,
    REPORT_FILE,
    SUMMARY_COLUMNS,
    ImportReport,
    report_of,
)
from planning.importer.transform import import_table
from planning.importer.validation import ExportTerms, show_validation, validation_table, write_snapshot_report

__all__ = [
    "ExportTerms",
    "Lookup",
    "Mapping",
    "TableMapping",
    "Rule",
    "Window",
    "ImportReport",
    "FINDING_COLUMNS",
    "SUMMARY_COLUMNS",
    "REPORT_FILE",
    "FINDINGS_FILE",
    "load_mapping",
    "materialize",
    "cache_key",
    "import_table",
    "read_source",
    "parse_numbers",
    "parse_dates",
    "report_of",
    "resolve_data_dir",
    "show_validation",
    "validation_table",
    "write_snapshot_report",
]
