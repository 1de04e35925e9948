"""planning.params.load: the layered loader, valid files, each kind of invalid file, and the error messages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from frames_params import params_copy, write

from planning import params
from planning.errors import ParamsError


@pytest.fixture
def pdir(tmp_path: Path) -> Path:
    return params_copy(tmp_path)


def test_project_params_are_valid_for_every_region():
    keys = params.region_keys()
    assert len(keys) >= 6
    for key in keys:
        loaded = params.load(key)
        assert loaded.params.region.key == key
        assert loaded.params.region.name and loaded.params.region.name_zh


def test_layers_region_overrides_base_and_local_overrides_both(pdir: Path):
    write(pdir / "base.yaml", "goals:\n  buffer: 0.11\n  growth_ambition: 0.10\nlanguage: en\n")
    write(pdir / "east.yaml", "region:\n  name: East\ngoals:\n  buffer: 0.13\n")
    p = params.load("east", pdir).params
    assert (p.goals.buffer, p.goals.growth_ambition) == (0.13, 0.10)
    write(pdir / "local.yaml", "goals:\n  growth_ambition: 0.2\nlanguage: zh\n")
    p = params.load("east", pdir).params
    assert (p.goals.buffer, p.goals.growth_ambition, p.language) == (0.13, 0.2, "zh")
    assert "local" not in params.region_keys(pdir) and "base" not in params.region_keys(pdir)


def test_dates_are_dates(pdir: Path):
    p = params.load("east", pdir, overrides={"as_of": "2026-06-30"}).params
    assert p.as_of == date(2026, 6, 30)


@pytest.mark.parametrize(
    "yaml_text, expected",
    [
        ("goals:\n  buffer: 0.8\n", ["east.yaml", "goals.buffer", "0.8", "less than or equal to 0.3"]),
        (
            "resources:\n  base_commission: -0.1\n",
            ["resources.base_commission", "-0.1", "greater than or equal"],
        ),
        ("goals:\n  lead_conversion: 1.5\n", ["goals.lead_conversion", "1.5"]),
        ("goals:\n  marketing_budget: -100\n", ["goals.marketing_budget", "-100"]),
        ("goals:\n  buffer: lots\n", ["goals.buffer", "'lots'", "valid number"]),
        ("as_of: 2026/09/30\n", ["as_of", "2026/09/30", "date"]),
        ("language: fr\n", ["language", "'fr'", "'en' or 'zh'"]),
        ("goals:\n  bufer: 0.1\n", ["unknown key 'goals.bufer'", "did you mean 'buffer'"]),
        ("markt:\n  weak_score: 2\n", ["unknown key 'markt'", "did you mean 'market'"]),
    ],
)
def test_invalid_values_name_file_key_value_and_expectation(pdir: Path, yaml_text: str, expected: list[str]):
    write(pdir / "east.yaml", "region:\n  name: East\n" + yaml_text)
    with pytest.raises(ParamsError) as err:
        params.load("east", pdir)
    msg = str(err.value)
    for fragment in expected:
        assert fragment in msg, msg


def test_error_names_the_file_that_set_the_bad_value(pdir: Path):
    write(pdir / "local.yaml", "goals:\n  buffer: 0.5\n")
    with pytest.raises(ParamsError, match=r"local\.yaml: key 'goals\.buffer' = 0\.5"):
        params.load("east", pdir)


def test_malformed_yaml_gives_line_and_column(pdir: Path):
    write(pdir / "east.yaml", "region:\n  name: East\ngoals: [unclosed\n")
    with pytest.raises(ParamsError, match=r"east\.yaml: line \d+, column \d+: malformed YAML"):
        params.load("east", pdir)


def test_duplicate_keys_are_rejected(pdir: Path):
    write(pdir / "east.yaml", "goals:\n  buffer: 0.1\n  buffer: 0.12\n")
    with pytest.raises(ParamsError, match=r"east\.yaml: line 3, column 3: duplicate key 'buffer'"):
        params.load("east", pdir)


def test_missing_region_file_lists_known_regions(pdir: Path):
    with pytest.raises(ParamsError, match=r"nowhere\.yaml: no parameters for region 'nowhere'.*east"):
        params.load("nowhere", pdir)


@pytest.mark.parametrize("key", ["../etc", "/abs", "East", "a b", "x\x00y", "con", "", "1abc"])
def test_unsafe_region_keys_are_rejected(key: str):
    with pytest.raises(ParamsError, match="not a valid region key"):
        params.check_region_key(key)


def test_region_key_in_file_must_match_file_name(pdir: Path):
    write(pdir / "east.yaml", "region:\n  key: west\n")
    with pytest.raises(ParamsError, match=r"region\.key' = 'west': expected 'east'"):
        params.load("east", pdir)


def test_top_level_must_be_a_mapping(pdir: Path):
    write(pdir / "east.yaml", "- a\n- b\n")
    with pytest.raises(ParamsError, match="top level is a list, expected a mapping"):
        params.load("east", pdir)


def test_json_round_trip_for_notebooks():
    p = params.load("east").params
    assert params.load_json(p.model_dump_json()) == p


def test_read_yaml_parses_a_file_once_but_sees_edits_and_hands_out_copies(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("goals:\n  buffer: 0.12\n", encoding="utf-8")
    first = params.read_yaml(f)
    first["goals"]["buffer"] = 99  # a caller changing its copy
    assert params.read_yaml(f) == {"goals": {"buffer": 0.12}}
    f.write_text("goals:\n  buffer: 0.15\n", encoding="utf-8")
    assert params.read_yaml(f) == {"goals": {"buffer": 0.15}}
