"""The mapping file (planning/importer/mapping.py): malformed keys, unknown tables, unset variables and
missing input files are errors naming the file and the key."""

from __future__ import annotations

import os
import re
import time
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


# ------------------------------------------------------------------ issue 18, case 4: hostile mapping files
def _bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["l0: &l0 [" + ", ".join(['"lol"'] * width) + "]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.adversarial
def test_alias_bomb_in_a_mapping_is_refused_fast_with_a_short_message(tmp_path: Path) -> None:
    m = tmp_path / "m.yaml"
    m.write_text(_bomb() + "tables:\n  orders:\n    file: x.csv\n    missing: *l8\n", encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(DataError) as exc:
        importer.load_mapping(m)
    assert time.perf_counter() - start < 0.5
    message = str(exc.value)
    assert message.startswith(f"{m}: holds ") and "aliases are expanded; expected at most 100,000" in message
    assert len(message) < 400  # was 663 MB: the expanded value in the validation error


@pytest.mark.adversarial
def test_mapping_error_values_are_cut_to_200_characters(tmp_path: Path) -> None:
    m = tmp_path / "m.yaml"
    big = "[" + ", ".join(str(i) for i in range(20_000)) + "]"
    m.write_text(f"tables:\n  orders:\n    file: x.csv\n    skip_rows: {big}\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        importer.load_mapping(m)
    message = str(exc.value)
    assert "key 'tables.orders.skip_rows' = [0, 1, 2," in message and "… (" in message
    assert len(message) < 500


@pytest.mark.adversarial
@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("tables:\n  orders:\n    file: a.csv\n    file: b.csv\n", "line 4, column 5: duplicate key 'file'"),
        ("a: &a [*a]\ntables: {}\n", "refers to a node that contains it"),
        ("tables: " + "[" * 200 + "]" * 200 + "\n", "nested more than 64 levels"),
        ("tables: [unclosed\n", "malformed YAML"),
    ],
)
def test_mapping_yaml_problems_name_the_file_and_the_place(tmp_path: Path, text: str, fragment: str) -> None:
    m = tmp_path / "m.yaml"
    m.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(fragment)) as exc:
        importer.load_mapping(m)
    assert str(exc.value).startswith(f"{m}: ")


@pytest.mark.adversarial
def test_a_mapping_over_1_mib_or_a_folder_is_refused(tmp_path: Path) -> None:
    m = tmp_path / "m.yaml"
    m.write_text("# " + "x" * (1 << 20) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="bytes, too large; expected at most 1,048,576 bytes"):
        importer.load_mapping(m)
    (tmp_path / "d.yaml").mkdir()
    with pytest.raises(DataError, match="d.yaml: not a file"):
        importer.load_mapping(tmp_path / "d.yaml")


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


def test_a_yaml_file_that_is_no_mapping_is_named_by_its_keys_not_its_values(tmp_path: Path) -> None:
    p = tmp_path / "base.yaml"
    p.write_text("company: {name: Secret Co, token: abc123}\nas_of: 2024-01-01\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        importer.load_mapping(p)
    assert str(exc.value) == (
        f"{p}: not a mapping file: no 'tables:' key (found company, as_of); expected YAML with a 'tables:' key "
        "naming the export files (docs/import.md)"
    )
    p.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(DataError, match="not a mapping file: it holds a list"):
        importer.load_mapping(p)
