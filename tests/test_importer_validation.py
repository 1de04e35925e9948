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
