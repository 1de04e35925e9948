"""The import's validation in the report (planning/importer/validation.py): every input row accounted for."""

from __future__ import annotations

from pathlib import Path

from frames_importer import CN_EXPORT, CN_MAPPING, write_mapping

from planning import importer


def test_validation_table_accounts_for_every_row(tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_bytes(CN_EXPORT.encode("gbk"))
    _, report = importer.materialize(
        write_mapping(tmp_path, {"orders": CN_MAPPING}), cache_dir=tmp_path / "c"
    )
    v = importer.validation_table(report)
    acc = v[v["check"] == ""].set_index("outcome")["rows"]
    assert acc.to_dict() == {"read": 9, "kept": 4, "dropped": 5}
    dropped_by_reason = v[(v["outcome"] == "dropped") & (v["check"] != "")]["rows"].sum()
    assert dropped_by_reason == acc["dropped"]
    assert list(v.columns) == importer.FINDING_COLUMNS


def test_a_data_folders_own_file_names_rows_as_the_user_counts_them(tmp_path):
    """Not imported: a CSV's row as a spreadsheet shows it (header = row 1), a Parquet row from 1, and for one
    region its rows of the file (it said "row 0", a position in the table as loaded)."""
    import pandas as pd

    from planning.importer.validation import ExportTerms

    df = pd.DataFrame({"region": ["north", "east", "north", "east"], "x": [1, 2, 3, 4]})
    df.to_csv(tmp_path / "orders.csv", index=False)
    df.to_parquet(tmp_path / "customers.parquet")
    every, east = ExportTerms(tmp_path), ExportTerms(tmp_path, region="east")
    assert every.file_row("orders", 0) == 2 and every.file_row("customers", 0) == 1
    assert east.file_row("orders", 1) == 5 and east.file_row("customers", 0) == 2  # east's 2nd: the CSV's 4th record
    assert east.file_row("orders", 2) is None and every.file_row("missing", 0) is None
