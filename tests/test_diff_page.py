"""planning/diff/page.py and narrate.py, `planning diff` and the index link: the page en / zh, CSVs, exit 2."""

from __future__ import annotations

import importlib

import pandas as pd
from frames_handover import make_snapshot
from typer.testing import CliRunner

from planning import cli, store
from planning.diff import compute, narrate
from planning.i18n import Voice

run_mod = importlib.import_module("planning.runner.run")

OLD, NEW = "2026-06-30", "2026-09-30"


def _two(tmp_path, **new):
    make_snapshot(tmp_path, OLD)
    return make_snapshot(tmp_path, NEW, **new)


def test_planning_diff_writes_page_csvs_and_links_the_index(tmp_path):
    snap = _two(tmp_path, params_over={"goals.buffer": 0.15}, totals={"east": 13e6, "north": 3456789.01})
    result = CliRunner().invoke(cli.app, ["diff", OLD, NEW, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    folder = snap / f"diff_{OLD}"
    assert {p.name for p in folder.iterdir()} == {"index.html", "targets.csv", "kpis.csv", "tiers.csv",
                                                  "figures.csv", "causes.csv"}  # fmt: skip
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "Changes since 2026-06-30" in page and "goals.buffer: 0.12 → 0.15" in page
    assert "http" not in page.replace("http-equiv", "")  # offline
    index = (snap / "index.html").read_text(encoding="utf-8")
    assert f'href="diff_{OLD}/index.html"' in index
    assert '<td class="num">¥1</td>' not in page and '<td class="num">1</td>' in page  # hires: a count
    targets = pd.read_csv(folder / "targets.csv")
    assert set(targets["level"]) == {"year", "quarter", "month", "region", "team", "rep"}


def test_zh_page_and_several_causes_said_so(tmp_path):
    _two(tmp_path, commit="zzz999", data={"orders.parquet": "c" * 64, "reps.parquet": "b" * 64})
    d = compute.compare(compute.open_snapshot(OLD, tmp_path), compute.open_snapshot(NEW, tmp_path))
    en = narrate.describe_cause(d, "east", Voice("en", "CNY"))
    assert en.startswith("More than one thing changed") and "orders.parquet" in en and "abc123 → zzz999" in en
    zh = narrate.describe_cause(d, "east", Voice("zh", "CNY"))
    assert zh.startswith("有多项同时变化")
    result = CliRunner().invoke(cli.app, ["diff", OLD, NEW, "--out", str(tmp_path), "--language", "zh"])
    assert result.exit_code == 0
    page = (tmp_path / NEW / f"diff_{OLD}" / "index.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in page and "自 2026-06-30 以来的变化" in page and "华东" in page


def test_formula_text_in_names_is_escaped_in_the_csv(tmp_path):
    _two(tmp_path, drop_rep="R002")
    CliRunner().invoke(cli.app, ["diff", OLD, NEW, "--out", str(tmp_path)])
    text = (tmp_path / NEW / f"diff_{OLD}" / "targets.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_missing_incomplete_and_same_snapshot_exit_2(tmp_path):
    make_snapshot(tmp_path, OLD)
    make_snapshot(tmp_path, NEW, status="incomplete")
    runner = CliRunner()
    r = runner.invoke(cli.app, ["diff", OLD, "2026-12-31", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "2026-12-31: no such snapshot" in r.stderr
    r = runner.invoke(cli.app, ["diff", OLD, NEW, "--out", str(tmp_path)])
    assert r.exit_code == 2 and "incomplete" in r.stderr
    r = runner.invoke(cli.app, ["diff", OLD, OLD, "--out", str(tmp_path)])
    assert r.exit_code == 2 and "the same snapshot" in r.stderr
    assert not (tmp_path / NEW / f"diff_{OLD}").exists()


def test_a_run_writes_changes_since_the_previous_complete_snapshot(tmp_path):
    make_snapshot(tmp_path, "2026-03-31")
    make_snapshot(tmp_path, OLD)
    make_snapshot(tmp_path, "2026-08-31", status="incomplete")
    tmp = make_snapshot(tmp_path / "work", NEW)  # the run's folder before it is published
    run_mod._hand_over(tmp, tmp_path / NEW, tmp_path)
    assert store.diffs(tmp) == [OLD]


def test_a_run_writes_quota_workbooks_and_survives_a_failing_one(tmp_path, monkeypatch, capsys):
    tmp = make_snapshot(tmp_path / "work", NEW)
    run_mod._hand_over(tmp, tmp_path / NEW, tmp_path)
    assert store.quotas_path(tmp, "east").is_file() and store.quotas_path(tmp).is_file()

    def broken(*a, **kw):
        raise OSError("disk full")

    monkeypatch.setattr(run_mod.workbook, "write_all", broken)
    make_snapshot(tmp_path, OLD)
    run_mod._hand_over(tmp, tmp_path / NEW, tmp_path)
    assert "note: quota workbooks not written: OSError: disk full" in capsys.readouterr().err
    assert store.diffs(tmp) == [OLD]  # the comparison is still written
