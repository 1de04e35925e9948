"""planning/params/keep.py: keeping a what-if writes exactly the moved keys, validated, and the next run uses them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from frames_params import goals_panel

from planning import config
from planning.errors import ParamsError
from planning.params import keep, load


@pytest.fixture
def params_dir(tmp_path: Path) -> Path:
    out = tmp_path / "params"
    shutil.copytree(config.PARAMS_DIR, out, ignore=shutil.ignore_patterns("local.yaml"))
    return out


def test_set_key_keeps_comments_and_adds_what_is_missing():
    text = "# head\ngoals:\n  buffer: 0.12   # flex reserve\n  other: 1\n# tail\nreview:\n  x: 1\n"
    out = keep.set_key(text, ("goals", "buffer"), 0.17)
    assert "  buffer: 0.17   # flex reserve\n" in out and out.count("\n") == text.count("\n")
    out = keep.set_key(out, ("goals", "tool_efficiency"), 0.05)
    assert "  other: 1\n  tool_efficiency: 0.05\n# tail\n" in out
    out = keep.set_key(out, ("resources", "attrition"), 0.2)
    assert out.endswith("review:\n  x: 1\nresources:\n  attrition: 0.2\n")
    assert (
        keep.set_key("", ("strategy", "health_weights", "usage"), 1e-05)
        == "strategy:\n  health_weights:\n    usage: 0.00001\n"
    )


def test_keeping_a_what_if_writes_only_the_moved_keys(params_dir: Path):
    region_file = params_dir / "east.yaml"
    before = region_file.read_text(encoding="utf-8")
    start = {"goals.buffer": 0.12, "goals.growth_ambition": 0.15}
    values = keep.moved(start, {"goals.buffer": 0.2, "goals.growth_ambition": 0.15 + 1e-12})
    assert values == {"goals.buffer": 0.2}
    planned = keep.plan_keep("east", values, "region", params_dir)
    assert planned.diff_lines() == [f"goals.buffer: {load('east', params_dir).params.goals.buffer} -> 0.2"]
    assert region_file.read_text(encoding="utf-8") == before  # nothing written yet
    keep.write(planned)
    after = region_file.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n")) and after[len(before) :] == "goals:\n  buffer: 0.2\n"
    assert load("east", params_dir).params.goals.buffer == 0.2
    assert load("north", params_dir).params.goals.buffer != 0.2  # the region's file: that region only
    keep.write(keep.plan_keep("north", {"goals.buffer": 0.25}, "local", params_dir))
    assert (params_dir / "local.yaml").read_text(encoding="utf-8") == "goals:\n  buffer: 0.25\n"
    assert load("north", params_dir).params.goals.buffer == 0.25


def test_a_value_the_schema_refuses_is_not_written(params_dir: Path):
    with pytest.raises(ParamsError, match=r"local\.yaml.*goals\.buffer"):
        keep.plan_keep("east", {"goals.buffer": -3.0}, "local", params_dir)
    assert not (params_dir / "local.yaml").exists()
    with pytest.raises(ParamsError, match="nothing to write"):
        keep.plan_keep("east", {}, "local", params_dir)


def test_the_goals_panel_keeps_its_levers_and_the_next_run_plans_with_them(
    params_dir: Path, small_sample: Path, sample_snapshot: Path, tmp_path: Path, monkeypatch
):
    """Move the flex buffer in 02's panel, keep it in the region's file: the next batch run's targets use it."""
    pytest.importorskip("ipywidgets")
    from planning import runner

    panel = goals_panel(params_dir, monkeypatch)
    buffer = panel.children[1]
    assert buffer.description == "Flex buffer"
    new_buffer = round(load("east", params_dir).params.goals.buffer + 0.05, 2)
    buffer.value = new_buffer
    note, row, message = panel.children[-1].children
    target, name, show, write = row.children
    assert name.layout.display == "none"  # the scenario's name: only for a named scenario
    assert "Scenario only" in note.value
    write.click()  # nothing happens before a file is chosen and the changes were shown
    assert write.disabled
    target.value = "region"
    show.click()
    assert "goals.buffer:" in message.value and f"-&gt; {new_buffer}" in message.value and not write.disabled
    assert message.value.count("<div>") == 3  # heading, exactly one key, confirm line (only the moved lever)
    write.click()
    assert "Written to" in message.value
    assert load("east", params_dir).params.goals.buffer == new_buffer

    root = tmp_path / "out"
    result = runner.run(regions=["east"], steps=["01", "02"], data_dir=str(small_sample), out_root=root,
                        params_dir=params_dir, workers=1)  # fmt: skip
    assert all(r.status == "ok" for r in result.results)

    def year(snapshot: Path) -> pd.Series:
        t = pd.read_csv(snapshot / "east" / "artifacts" / "targets.csv")
        return t[t["level"] == "year"].iloc[0]

    before, after = year(sample_snapshot), year(result.snapshot)
    # the flex buffer is over-assigned to the reps: the quotas grow by the new buffer, the calibrated target stays
    assert after["target"] == pytest.approx(before["target"])
    assert after["quota"] == pytest.approx(after["target"] * (1 + new_buffer), rel=1e-6)
    assert after["quota"] > before["quota"]
