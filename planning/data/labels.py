"""Display names of a data set's keys: the export's own text of each key (`Office Supplies` for the key
`office_supplies`), kept with the canonical tables in `labels.csv` (columns `table`, `column`, `key`, `label`).

The importer writes it (`importer.report.labels_of`: a key's most frequent text in the export, where all its
texts are one spelling); a folder of your own tables may hold one too. Reports show a key by its translation
where the key is one the workbook knows (`locale/common.yaml` `names:`), else by this label, else the key itself:
a customer's own product names are never translated.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from planning.errors import DataError

LABELS_FILE = "labels.csv"
_COLUMNS = ["table", "column", "key", "label"]


def read_labels(data_dir: str | os.PathLike) -> dict[str, dict[str, str]]:
    """column -> key -> label of a data folder ({} without `labels.csv`); a column of several tables (channel of
    orders and of marketing) holds the keys of all of them, the first table's label winning."""
    path = Path(data_dir) / LABELS_FILE
    if not path.is_file():
        return {}
    df = pd.read_csv(path, dtype="str", keep_default_na=False)
    if list(df.columns) != _COLUMNS:
        raise DataError(f"{path}: columns {', '.join(map(str, df.columns))}; expected {','.join(_COLUMNS)}")
    out: dict[str, dict[str, str]] = {}
    for r in df.itertuples(index=False):
        out.setdefault(r.column, {}).setdefault(r.key, r.label)
    return out


def write_labels(data_dir: str | os.PathLike, labels: dict[str, dict[str, dict[str, str]]]) -> None:
    """Write table -> column -> key -> label as `labels.csv` (nothing when there is none)."""
    rows = [(t, c, k, v) for t in labels for c in sorted(labels[t]) for k, v in sorted(labels[t][c].items())]
    if rows:
        pd.DataFrame(rows, columns=_COLUMNS).to_csv(Path(data_dir) / LABELS_FILE, index=False)
