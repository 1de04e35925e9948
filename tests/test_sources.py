"""planning/sources.py: which folder of canonical tables a run plans on.

In order: the override (`--data`, a notebook's `data_dir`), an imported export (`data.mapping`), `data.dir`
(relative to the project root), else the embedded sample company. The importer and the sample generator are
stood in for: these tests only check which one is asked, with what, and what comes back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from planning import config, importer, sample, sources
from planning.errors import DataError
from planning.params import DataSection, Params


def _params(**data: object) -> Params:
    return Params(data=DataSection(**data))


@pytest.fixture
def calls(monkeypatch) -> list[tuple]:
    """What the importer and the sample generator were asked (each answers with a fixed folder)."""
    out: list[tuple] = []

    def fake_import(p):
        out.append(("import", p.data.mapping))
        return "/imported/abc123"  # a str: sources turns it into a Path

    def fake_sample(scale=1.0):
        out.append(("sample", scale))
        return Path("/generated/sample")

    monkeypatch.setattr(importer, "resolve_data_dir", fake_import)
    monkeypatch.setattr(sample, "ensure_sample", fake_sample)
    return out


def test_the_override_wins_over_everything_and_is_resolved(tmp_path, calls):
    p = _params(dir="data/crm", mapping="crm.yaml", sample_scale=0.5)
    assert sources.resolve_dir(p, str(tmp_path / "a" / ".." / "b")) == tmp_path / "b"
    assert sources.resolve_dir(p, tmp_path / "b") == tmp_path / "b"  # a PathLike too
    assert calls == []  # neither imported nor generated


def test_a_relative_override_is_relative_to_the_working_directory(tmp_path, monkeypatch, calls):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path / "project")
    assert sources.resolve_dir(_params(dir="data/crm"), "mine") == tmp_path / "mine"


def test_an_empty_override_means_none(tmp_path, monkeypatch, calls):
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    for empty in ("", None):
        assert sources.resolve_dir(_params(dir="crm"), empty) == tmp_path / "crm"
    assert sources.resolve_dir(_params(dir="crm")) == tmp_path / "crm"


def test_data_dir_is_relative_to_the_project_root(tmp_path, monkeypatch, calls):
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    monkeypatch.chdir(tmp_path.parent)  # not the working directory
    assert sources.resolve_dir(_params(dir="data/crm")) == tmp_path / "data" / "crm"
    assert sources.resolve_dir(_params(dir="data/../exports")) == tmp_path / "exports"
    elsewhere = tmp_path.parent / "elsewhere"
    assert sources.resolve_dir(_params(dir=str(elsewhere))) == elsewhere  # an absolute one stays
    assert calls == []


def test_a_mapping_is_imported_and_wins_over_data_dir(calls):
    p = _params(dir="data/crm", mapping="exports/crm.yaml")
    assert sources.resolve_dir(p) == Path("/imported/abc123")
    assert calls == [("import", "exports/crm.yaml")]


def test_nothing_set_means_the_sample_company_at_the_params_scale(calls):
    assert sources.resolve_dir(_params()) == Path("/generated/sample")
    assert sources.resolve_dir(_params(sample_scale=0.25)) == Path("/generated/sample")
    assert calls == [("sample", 1.0), ("sample", 0.25)]


def test_a_mapping_that_does_not_exist_is_a_data_error(tmp_path):
    missing = tmp_path / "nope.yaml"  # the real importer: it fails before importing anything
    with pytest.raises(DataError, match=f"{missing}: mapping file not found"):
        sources.resolve_dir(_params(mapping=str(missing)))
    assert list(tmp_path.iterdir()) == []


def test_data_dir_expands_the_home_folder(calls, monkeypatch, tmp_path) -> None:
    """`data.dir: ~/exports/canon` is the user's home folder, as `--data ~/...` and `data.mapping` are (it was read
    as a folder named '~' inside the project)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert sources.resolve_dir(_params(dir="~/exports/canon")) == tmp_path / "exports" / "canon"
    assert sources.resolve_dir(_params(dir="data/canon")) == (config.PROJECT_ROOT / "data" / "canon").resolve()
    assert calls == []
