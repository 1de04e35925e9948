"""The mapping file (planning/importer/mapping.py): malformed keys, unknown tables, unset variables and
missing input files are errors naming the file and the key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from planning import importer
from planning.errors import DataError


def test_mapping_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    m = tmp_path / "m.yaml"
    m.write_text("tables:\n  sales:\n    file: x.csv\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown table 'sales'"):
        importer.load_mapping(m)
    m.write_text("tables:\n  orders:\n    file: x.csv\n    colums: {}\n", encoding="utf-8")
    with pytest.raises(DataError, match="tables.orders.colums"):
        importer.load_mapping(m)
    monkeypatch.delenv("NO_SUCH_DIR_VAR", raising=False)
    m.write_text("tables:\n  orders:\n    file: ${NO_SUCH_DIR_VAR}/x.csv\n", encoding="utf-8")
    with pytest.raises(DataError, match="environment variable NO_SUCH_DIR_VAR is not set"):
        importer.load_mapping(m)
    m.write_text("tables:\n  orders:\n    file: missing.csv\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing.csv not found"):
        importer.load_mapping(m)


@pytest.mark.adversarial
def test_an_export_file_that_is_a_folder_or_fifo_is_named_as_such(tmp_path: Path) -> None:
    """It was reported as "not found" (issue 18, case 6)."""
    m = tmp_path / "m.yaml"
    (tmp_path / "export.csv").mkdir()
    os.mkfifo(tmp_path / "pipe.csv")
    for name, kind in (("export.csv", "is a folder"), ("pipe.csv", "is a FIFO (named pipe)")):
        m.write_text(f"tables:\n  orders:\n    file: {name}\n", encoding="utf-8")
        with pytest.raises(DataError) as exc:
            importer.load_mapping(m)
        assert f"tables.orders.file: {tmp_path / name} {kind}; expected the export file" in str(exc.value)
