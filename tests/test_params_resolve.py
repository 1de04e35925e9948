"""planning.params.resolve: the one run input the runner validates and a notebook's setup cell uses."""

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


def test_without_overrides_it_is_the_layered_params(pdir: Path):
    ri = params.resolve("east", params_dir=pdir)
    assert ri.params == params.load("east", pdir).params
    assert ri.files == (pdir / "base.yaml", pdir / "east.yaml")
    assert (ri.region, ri.as_of, ri.plan_year, ri.language) == ("east", date(2026, 9, 30), 2027, "en")


def test_empty_values_mean_params_and_set_ones_override(pdir: Path):
    ri = params.resolve("east", as_of="2026-06-30", plan_year=2028, language="zh", params_dir=pdir)
    assert (ri.as_of, ri.plan_year, ri.language) == (date(2026, 6, 30), 2028, "zh")
    assert params.resolve("east", as_of="", plan_year=0, language="", params_dir=pdir).plan_year == 2027


def test_a_bad_override_is_named_as_set_on_the_command_line(pdir: Path):
    with pytest.raises(ParamsError, match=r"command line: key 'as_of' = '2026-02-30'"):
        params.resolve("east", as_of="2026-02-30", params_dir=pdir)


def run_json(tmp_path: Path, pdir: Path, region: str = "east") -> Path:
    """The params.json the runner writes for a region."""
    path = tmp_path / f"{region}.params.json"
    path.write_text(
        params.resolve(region, params_dir=pdir).params.model_dump_json(indent=2), encoding="utf-8"
    )
    return path


def test_params_json_is_what_the_runner_validated(tmp_path: Path, pdir: Path):
    path = run_json(tmp_path, pdir)
    write(pdir / "east.yaml", "goals:\n  buffer: 0.8\n")  # params/ is not read again
    ri = params.resolve("east", params_json=str(path))
    assert ri.params == params.load_json(path.read_text(encoding="utf-8"))
    assert ri.files == (path,)


def test_the_values_the_runner_injects_change_nothing(tmp_path: Path, pdir: Path):
    path = run_json(tmp_path, pdir)
    p = params.load_json(path.read_text(encoding="utf-8"))
    ri = params.resolve(
        "east", as_of=p.as_of.isoformat(), plan_year=p.plan_year, language=p.language, params_json=str(path)
    )
    assert ri.params == p


def test_parameters_set_next_to_params_json_are_used_not_decorative(tmp_path: Path, pdir: Path):
    path = run_json(tmp_path, pdir)
    ri = params.resolve("east", as_of="2026-03-31", plan_year=2026, language="zh", params_json=str(path))
    assert (ri.as_of, ri.plan_year, ri.language) == (date(2026, 3, 31), 2026, "zh")
    with pytest.raises(ParamsError, match=r"command line: key 'language' = 'fr'"):
        params.resolve("east", language="fr", params_json=str(path))


def test_params_json_of_another_region_is_refused(tmp_path: Path, pdir: Path):
    path = run_json(tmp_path, pdir, "north")
    with pytest.raises(ParamsError, match=r"parameters of region 'north'; expected 'east'"):
        params.resolve("east", params_json=str(path))


def test_missing_params_json_is_a_params_error(tmp_path: Path):
    with pytest.raises(ParamsError, match=r"nowhere\.json: cannot read the run's parameters"):
        params.resolve("east", params_json=str(tmp_path / "nowhere.json"))
