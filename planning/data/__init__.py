"""The canonical tables of `docs/data.md`: read them from a folder, filter by region / as-of date, validate.

One folder holds one data set, one file per table: `<table>.parquet` or `<table>.csv` (parquet wins when both
exist). `load_tables(data_dir, region=..., as_of=...)` returns a `Tables` with typed columns (kinds in
`planning.data.read`). Problems with a file raise `DataError` naming the file, the column, an example value
(with its row) and what was expected.

Where what lives:
- `schema.py`    SCHEMA (table -> column -> kind), TABLES, REQUIRED_TABLES, OPTIONAL_TABLES, KEYS,
                 DATE_COLUMN, NOT_NULL
- `read.py`      one file: table_file, file_kind / require_file (what a path is when not a file), read_table (region and as-of pushed into the scan), coerce_table,
                 types_mapper (Arrow -> pandas dtypes, shared with the importer)
- `tables.py`    one data set: Tables (filter by region / as of), load_tables, check_regions, fingerprint
- `validate.py`  Problem, kind_of, validate_tables
- `dimensions.py` the top N values of a dimension by sales plus "other" (group_dimensions, top_n), as every step
                 reads a dimension
- `labels.py`    display names of keys (labels.csv): the export's own text of each key
- `placeholders.py` ids that stand for no customer (placeholders.csv): anonymize, anonymous_revenue

This package does not know where a run's folder comes from (`planning.sources` decides: an override, an
imported export, `data.dir` or the sample company).
"""

from __future__ import annotations

from planning.data.dimensions import (
    DEFAULT_TOP,
    DIMENSIONS,
    OTHER,
    RANKING_COLUMNS,
    Grouping,
    group_dimensions,
    top_n,
)
from planning.data.labels import LABELS_FILE, read_labels, write_labels
from planning.data.placeholders import (
    PLACEHOLDERS_FILE,
    anonymize,
    anonymous_revenue,
    read_placeholders,
    write_placeholders,
)
from planning.data.read import coerce_table, file_kind, read_table, require_file, table_file, types_mapper
from planning.data.schema import (
    DATE_COLUMN,
    KEYS,
    NOT_NULL,
    OPTIONAL_TABLES,
    REQUIRED_TABLES,
    SCHEMA,
    TABLES,
)
from planning.data.tables import Tables, check_regions, fingerprint, load_tables, require
from planning.data.validate import ABSURD_FACTOR, ABSURD_MIN_LINES, Problem, kind_of, validate_tables
from planning.errors import DataError

__all__ = [
    "SCHEMA",
    "REQUIRED_TABLES",
    "OPTIONAL_TABLES",
    "TABLES",
    "KEYS",
    "DATE_COLUMN",
    "NOT_NULL",
    "ABSURD_FACTOR",
    "ABSURD_MIN_LINES",
    "DataError",
    "Problem",
    "Tables",
    "table_file",
    "file_kind",
    "require_file",
    "read_table",
    "require",
    "coerce_table",
    "types_mapper",
    "load_tables",
    "check_regions",
    "validate_tables",
    "fingerprint",
    "kind_of",
    "DEFAULT_TOP",
    "DIMENSIONS",
    "OTHER",
    "RANKING_COLUMNS",
    "Grouping",
    "group_dimensions",
    "top_n",
    "PLACEHOLDERS_FILE",
    "LABELS_FILE",
    "read_labels",
    "write_labels",
    "anonymize",
    "anonymous_revenue",
    "read_placeholders",
    "write_placeholders",
]
