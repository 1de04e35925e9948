"""`planning adjust` (planning/handover/read.py, adjust.py): an edited workbook comes back, is checked cell by cell,
reconciled to the cent and becomes the plan of record; a bad one exits 2 and writes nothing."""

from __future__ import annotations

from datetime import date

import numpy as np
import openpyxl
import pandas as pd
import pytest
from frames_handover import make_snapshot
from typer.testing import CliRunner

from planning import cli, store
from planning.handover import workbook
from planning.review import plan as review_plan

SOURCE, ADJUSTED = "2026-09-30", "2026-10-15"


def _snapshot(root, **kw):
    s = make_snapshot(root, SOURCE, **kw)
    workbook.write_all(s, store.read_manifest(s))
    return s


def _edit(src, dst, edits: dict[tuple[str, str], object], delete_row: tuple[str, int] | None = None):
    wb = openpyxl.load_workbook(src)
    for (sheet, cell), value in edits.items():
        wb[sheet][cell] = value
    if delete_row:
        wb[delete_row[0]].delete_rows(delete_row[1])
    wb.save(dst)
    return dst


def _adjust(root, *files, as_of=ADJUSTED):
    return CliRunner().invoke(cli.app, ["adjust", *map(str, files), "--out", str(root), "--as-of", as_of])


def _team_months(reps: pd.DataFrame) -> dict:
    return (
        reps.assign(c=(reps["target"] * 100).round().astype("int64")).groupby(["team", "month"])["c"].sum()
    ).to_dict()


def test_round_trip_edited_with_openpyxl_becomes_the_plan_of_record(tmp_path):
    snap = _snapshot(tmp_path)
    before = store.read_artifact(snap / "east", "targets_rep")
    january = float(before.query("rep_id == 'R001' and month == '2027-01'")["target"].iloc[0])
    edited = _edit(
        snap / "east" / "quotas.xlsx",
        tmp_path / "east-back.xlsx",
        {("east-1", "D2"): january + 1000.01, ("east-2", "E2"): 0},
    )
    result = _adjust(tmp_path, edited)
    assert result.exit_code == 0, result.stderr
    new = tmp_path / ADJUSTED
    manifest = store.read_manifest(new)
    assert (manifest["kind"], manifest["plan_of_record"], manifest["status"]) == (
        "adjusted",
        SOURCE,
        "complete",
    )
    assert manifest["adjustment"]["workbooks"] == ["east-back.xlsx"]
    after = store.read_artifact(new / "east", "targets_rep")
    assert _team_months(after) == _team_months(before)  # top-down totals stand (rule respread)
    held = after.query("rep_id == 'R001' and month == '2027-01'")["target"].iloc[0]
    assert held == pytest.approx(january + 1000.01, abs=0.001)
    assert after.query("rep_id == 'R003' and month == '2027-02'")["target"].iloc[0] == 0
    assert (
        store.read_artifact(new / "north", "targets_rep")["target"].to_numpy()
        == store.read_artifact(snap / "north", "targets_rep")["target"].to_numpy()
    ).all()
    recon = pd.read_csv(new / "reconciliation.csv")
    company = recon[recon["level"] == "company"].iloc[0]
    assert (
        company["top_down"]
        == pytest.approx(company["reconciled"])
        == pytest.approx(12_345_678.91 + 3_456_789.01)
    )
    # the plan of record and the next review
    assert store.plan_of_record(tmp_path, "2026-12-31").path.name == ADJUSTED
    assert store.plan_of_record(tmp_path, "2026-10-01").path.name == SOURCE
    p = review_plan.find_plan(tmp_path, "east", date(2027, 3, 31), None, None)
    assert p.snapshot == ADJUSTED and p.reps["target"].sum() == pytest.approx(before["target"].sum())
    # what changed, and why
    causes = pd.read_csv(new / f"diff_{SOURCE}" / "causes.csv")
    assert set(zip(causes["scope"], causes["cause"], causes["item"], strict=True)) == {
        ("company", "adjusted", "east-back.xlsx"),
        ("east", "adjusted", "east-back.xlsx"),
    }
    page = (new / f"diff_{SOURCE}" / "index.html").read_text(encoding="utf-8")
    assert "Cause: adjusted by manager workbook east-back.xlsx." in page
    index = (new / "index.html").read_text(encoding="utf-8")
    assert (
        f'href="diff_{SOURCE}/index.html"' in index and f"../{SOURCE}/east/" not in index
    )  # no pages in frames
    assert store.quotas_path(new, "east").is_file() and store.quotas_path(new).is_file()


def test_accept_within_tolerance_takes_the_managers_totals_exactly(tmp_path):
    snap = _snapshot(tmp_path, params_over={"goals.adjustment": {"rule": "accept", "tolerance": 0.05}})
    wb = openpyxl.load_workbook(snap / "quotas.xlsx")
    value = wb["east-1"]["D2"].value
    edited = _edit(snap / "quotas.xlsx", tmp_path / "company.xlsx", {("east-1", "D2"): value + 12_345.67})
    assert _adjust(tmp_path, edited).exit_code == 0
    new = tmp_path / ADJUSTED
    reps = store.read_artifact(new / "east", "targets_rep")
    t = store.read_artifact(new / "east", "targets")
    c = (t["target"] * 100).round().astype("int64")
    year = int(c[t["level"] == "year"].iloc[0])
    assert year == int(round(12_345_678.91 * 100)) + 1_234_567
    assert int(c[t["level"] == "month"].sum()) == int(c[t["level"] == "quarter"].sum()) == year
    by_month = (reps["target"] * 100).round().astype("int64").groupby(reps["month"]).sum()
    assert by_month.tolist() == c[t["level"] == "month"].tolist()
    assert store.read_manifest(new)["adjustment"]["rules"]["east"]["accepted"] is True


BAD = {
    "unknown rep": ({("east-1", "A2"): "R999"}, None, "sheet 'east-1', cell A2: unknown rep 'R999'"),
    "removed rep": ({}, ("east-1", 3), "sheet 'east-1', cell A3"),
    "non-number": ({("east-1", "E2"): "1,000"}, None, "sheet 'east-1', cell E2: '1,000'; expected a number"),
    "negative": (
        {("east-2", "F3"): -5},
        None,
        "sheet 'east-2', cell F3: -5; expected an amount of 0 or more",
    ),
    "outside": ({("east-1", "D4"): 1.5}, None, "sheet 'east-1', cell D4: 1.5; expected '=SUM(D2:D3)'"),
    "plan row": ({("east-2", "D5"): 9.5}, None, "sheet 'east-2', cell D5: 9.5; expected"),
    "cover": ({("Cover", "B3"): "Other Co."}, None, "sheet 'Cover', cell B3: 'Other Co.'"),
    "other snapshot": (
        {("Cover", "B9"): "0123456789abcdef"},
        None,
        "cell B9: plan fingerprint '0123456789abcdef'",
    ),
    "missing snapshot": ({("Cover", "B7"): "2020-01-31"}, None, "cell B7: snapshot '2020-01-31' not found"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_bad_workbook_exits_2_naming_file_sheet_cell_and_writes_nothing(tmp_path, case):
    snap = _snapshot(tmp_path)
    edits, delete_row, message = BAD[case]
    bad = _edit(snap / "east" / "quotas.xlsx", tmp_path / "bad.xlsx", edits, delete_row)
    result = _adjust(tmp_path, bad)
    assert result.exit_code == 2, result.stdout
    assert str(bad) in result.stderr and message in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [SOURCE, "bad.xlsx"]


def test_not_a_workbook_two_for_one_region_and_an_existing_date_exit_2(tmp_path):
    snap = _snapshot(tmp_path)
    text = tmp_path / "notes.xlsx"
    text.write_text("hello", encoding="utf-8")
    r = _adjust(tmp_path, text)
    assert r.exit_code == 2 and "not an Excel workbook" in r.stderr
    r = _adjust(tmp_path, snap / "east" / "quotas.xlsx", snap / "quotas.xlsx")
    assert r.exit_code == 2 and "region 'east' is also in" in r.stderr
    r = _adjust(tmp_path, snap / "east" / "quotas.xlsx", as_of=SOURCE)
    assert r.exit_code == 2 and "already exists" in r.stderr
    r = _adjust(tmp_path, snap / "east" / "quotas.xlsx", as_of="2026-01-01")
    assert r.exit_code == 2 and "expected 2026-09-30 (the workbooks' snapshot) or later" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [SOURCE, "notes.xlsx"]


def test_an_unchanged_workbook_gives_the_same_plan(tmp_path):
    snap = _snapshot(tmp_path)
    assert _adjust(tmp_path, snap / "quotas.xlsx").exit_code == 0
    for r in ("east", "north"):
        a = store.read_artifact(snap / r, "targets_rep")["target"].to_numpy()
        b = store.read_artifact(tmp_path / ADJUSTED / r, "targets_rep")["target"].to_numpy()
        assert np.array_equal(a, b)


@pytest.mark.slow
@pytest.mark.parametrize("rule", ["respread", "accept"])
def test_an_adjusted_real_plan_passes_the_audit(sample_snapshot, tmp_path, rule):
    """Issue 19 x 16: the adjusted plan version agrees with itself (its index target is the annual target, the
    workbook moves the reps' quotas; accepted quotas move the expected attainment with them)."""
    import json
    import shutil

    root = tmp_path / "out"
    snap = root / sample_snapshot.name
    shutil.copytree(sample_snapshot, snap)
    if rule == "accept":  # the managers' totals within 5% are taken as they are
        manifest = store.read_manifest(snap)
        for region, entry in manifest["regions"].items():
            entry["params"]["goals"]["adjustment"] = {"rule": "accept", "tolerance": 0.05}
            params = json.loads((snap / region / "params.json").read_text(encoding="utf-8"))
            params["goals"]["adjustment"] = {"rule": "accept", "tolerance": 0.05}
            (snap / region / "params.json").write_text(json.dumps(params), encoding="utf-8")
        store.write_manifest(snap, manifest)
        workbook.write_all(snap, manifest)
    book = root / sample_snapshot.name / "east" / "quotas.xlsx"
    wb = openpyxl.load_workbook(book)
    sheet = wb.sheetnames[1]
    edited = _edit(book, tmp_path / "east.xlsx", {(sheet, "D2"): float(wb[sheet]["D2"].value) * 1.02})
    done = CliRunner().invoke(cli.app, ["adjust", str(edited), "--out", str(root), "--as-of", "2026-10-15"])
    assert done.exit_code == 0, done.output
    assert store.read_manifest(root / "2026-10-15")["adjustment"]["rules"]["east"]["accepted"] is (rule == "accept")
    audited = CliRunner().invoke(cli.app, ["audit", str(root / "2026-10-15")])
    failed = pd.read_csv(store.audit_path(root / "2026-10-15")).query("status == 'fail'")
    assert audited.exit_code == 0 and failed.empty, failed.to_string()


SOFFICE = __import__("shutil").which("soffice") or __import__("shutil").which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
def test_a_workbook_saved_by_libreoffice_comes_back_like_one_saved_by_openpyxl(tmp_path):
    """Issue 19: a manager edits in LibreOffice and hands the workbook back. LibreOffice rewrites the whole file
    (its own styles, formulas and protection records); the adjustment must read it as it reads openpyxl's."""
    import subprocess

    snap = _snapshot(tmp_path)
    value = openpyxl.load_workbook(snap / "quotas.xlsx")["east-1"]["D2"].value
    edited = _edit(snap / "quotas.xlsx", tmp_path / "company.xlsx", {("east-1", "D2"): value + 12_345.67})
    out = tmp_path / "lo"
    subprocess.run([SOFFICE, "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(out), str(edited)],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    resaved = out / "company.xlsx"
    assert resaved.is_file() and resaved.read_bytes() != edited.read_bytes()
    result = _adjust(tmp_path, resaved)
    assert result.exit_code == 0, result.output
    recon = pd.read_csv(tmp_path / ADJUSTED / "reconciliation.csv")
    company = recon[recon["level"] == "company"].iloc[0]
    assert round(company["gap"], 2) == 12_345.67  # the managers' edit, read from LibreOffice's file
