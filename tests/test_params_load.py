"""planning.params.load: the layered loader, valid files, each kind of invalid file, and the error messages."""

from __future__ import annotations

import os
import time
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


# ------------------------------------------------------------------ issue 18, case 4: hostile YAML documents
def billion_laughs(levels: int = 9, width: int = 9, top: str = "") -> str:
    """The classic alias bomb: each level repeats the one before `width` times (width**levels values)."""
    names = [f"l{i}" for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * width) + "]"]
    for prev, name in zip(names, names[1:], strict=False):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * width) + "]")
    return "\n".join(lines) + "\n" + top


def _timed_error(f, *args) -> tuple[str, float]:
    start = time.perf_counter()
    with pytest.raises(ParamsError) as exc:
        f(*args)
    return str(exc.value), time.perf_counter() - start


@pytest.mark.adversarial
def test_billion_laughs_is_refused_fast_naming_the_file_and_the_limit(pdir: Path):
    write(pdir / "local.yaml", billion_laughs(top="goals:\n  holidays: *l8\n"))
    message, seconds = _timed_error(params.load, "east", pdir)
    assert seconds < 0.5, seconds
    assert message.startswith(f"{pdir / 'local.yaml'}: "), message
    assert "holds 926,177,117 values once its 73 aliases are expanded; expected at most 100,000" in message
    assert len(message) < 400


@pytest.mark.adversarial
def test_too_many_aliases_are_refused(tmp_path: Path):
    f = tmp_path / "p.yaml"
    write(f, "a: &a 1\nb: [" + ", ".join(["*a"] * 101) + "]\n")
    message, seconds = _timed_error(params.read_yaml, f)
    assert "more than 100 aliases" in message and message.startswith(str(f)) and seconds < 0.5
    write(f, "a: &a 1\nb: [" + ", ".join(["*a"] * 100) + "]\n")  # at the limit: fine
    assert len(params.read_yaml(f)["b"]) == 100


@pytest.mark.adversarial
def test_an_expansion_over_the_value_limit_is_refused_even_with_few_aliases(tmp_path: Path):
    f = tmp_path / "p.yaml"
    write(f, billion_laughs(levels=3, width=50))  # 3 levels of 50: 125,000 strings from 100 aliases
    message, _ = _timed_error(params.read_yaml, f)
    assert "values once its 100 aliases are expanded" in message


@pytest.mark.adversarial
def test_recursive_aliases_and_deep_nesting_are_refused(tmp_path: Path):
    f = tmp_path / "p.yaml"
    write(f, "a: &a [1, *a]\n")
    assert "refers to a node that contains it" in _timed_error(params.read_yaml, f)[0]
    write(f, "a: " + "[" * 5000 + "]" * 5000 + "\n")
    message, seconds = _timed_error(params.read_yaml, f)
    assert "nested more than 64 levels" in message and seconds < 1.0


@pytest.mark.adversarial
def test_a_file_over_1_mib_is_refused_before_it_is_read(tmp_path: Path):
    f = tmp_path / "p.yaml"
    write(f, "# " + "x" * (1 << 20) + "\n")
    message, seconds = _timed_error(params.read_yaml, f)
    assert f"{f}: 1,048,579 bytes, too large; expected at most 1,048,576 bytes" in message and seconds < 0.5


@pytest.mark.adversarial
def test_a_folder_or_fifo_given_as_a_params_file_is_named_not_hung_on(tmp_path: Path):
    (tmp_path / "d.yaml").mkdir()
    assert "d.yaml: a folder; expected a YAML file" in _timed_error(params.read_yaml, tmp_path / "d.yaml")[0]
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "f.yaml")
        assert "not a regular file" in _timed_error(params.read_yaml, tmp_path / "f.yaml")[0]


@pytest.mark.adversarial
def test_error_values_are_cut_to_200_characters(pdir: Path):
    write(pdir / "local.yaml", "goals:\n  buffer: '" + "9" * 100_000 + "'\n")
    message, _ = _timed_error(params.load, "east", pdir)
    assert "local.yaml: key 'goals.buffer' = '" + "9" * 199 + "… (100002 characters): " in message
    assert len(message) < 500
    write(pdir / "local.yaml", "region:\n  key: '" + "w" * 10_000 + "'\n")
    assert len(_timed_error(params.load, "east", pdir)[0]) < 500


def test_anchors_and_merge_keys_within_the_limits_still_work(tmp_path: Path):
    f = tmp_path / "p.yaml"
    write(f, "x: &base {a: 1, b: 2}\ny:\n  <<: *base\n  b: 3\n")
    assert params.read_yaml(f) == {"x": {"a": 1, "b": 2}, "y": {"a": 1, "b": 3}}


# ------------------------------------------------------------------ issue 18, case 5: rules between keys
@pytest.mark.adversarial
@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "resources:\n  min_share: 0.7\n  max_share: 0.5\n",
            "local.yaml: keys 'resources.min_share' = 0.7 and 'resources.max_share' = 0.5: expected min_share <= "
            "max_share",
        ),
        (
            "review:\n  yellow_below_baseline: 0.3\n",
            "local.yaml: keys 'review.yellow_below_baseline' = 0.3 and 'review.red_below_baseline' = 0.2 (from ",
        ),
        (
            "review:\n  kpi_targets: {win_rate: 1.5}\n",
            "local.yaml: key 'review.kpi_targets.win_rate' = 1.5: expected 0 < win_rate <= 1 as a fraction",
        ),
        (
            "plan_year: 2025\n",
            "local.yaml: keys 'plan_year' = 2025 and 'as_of' = '2026-09-30' (from ",
        ),
    ],
)
def test_a_broken_rule_names_the_files_keys_values_and_expectation(pdir: Path, text: str, line: str):
    write(pdir / "local.yaml", text)
    with pytest.raises(ParamsError) as exc:
        params.load("east", pdir)
    assert str(exc.value).startswith(str(pdir / line.split(":")[0])), str(exc.value)
    assert line in str(exc.value), str(exc.value)
    assert len(str(exc.value).splitlines()) == 1


@pytest.mark.adversarial
def test_a_command_line_plan_year_before_the_as_of_year_names_the_command_line(pdir: Path):
    with pytest.raises(
        ParamsError, match=r"^command line: keys 'plan_year' = 2020 and 'as_of' = '2026-09-30'"
    ):
        params.resolve("east", plan_year=2020, params_dir=pdir)
