"""planning/handover/workbook.py: the quota workbooks of a snapshot (region and company)."""

from __future__ import annotations

import numpy as np
import openpyxl
import pytest
from frames_handover import FORMULA, evaluate, make_snapshot

from planning import store
from planning.handover import workbook


@pytest.fixture
def snap(tmp_path):
    s = make_snapshot(tmp_path, "2026-09-30")
    workbook.write_all(s, store.read_manifest(s))
    return s


def _cents(x: float) -> int:
    return int(round(x * 100))


def test_every_region_and_the_company_get_a_workbook_whose_formulas_equal_the_plan_to_the_cent(snap):
    for region, path in (("east", snap / "east" / "quotas.xlsx"), (None, snap / "quotas.xlsx")):
        wb = openpyxl.load_workbook(path)
        regions = [region] if region else ["east", "north"]
        reps = {r: store.read_artifact(snap / r, "targets_rep") for r in regions}
        targets = sum(
            _cents(store.read_artifact(snap / r, "targets").query("level == 'year'")["target"].iloc[0])
            for r in regions
        )
        assert _cents(evaluate(wb, "Cover", "B10")) == targets
        teams = {t: (r, g) for r, df in reps.items() for t, g in df.groupby("team")}
        assert wb.sheetnames == ["Cover", *sorted(teams, key=lambda t: (regions.index(teams[t][0]), t))]
        for team, (_, g) in teams.items():
            ws = wb[team]
            n = g["rep_id"].nunique()
            total, plan, gap = 2 + n, 3 + n, 4 + n
            wide = g.pivot_table(index="rep_id", columns="month", values="target", aggfunc="sum")
            for j, month in enumerate(sorted(g["month"].unique())):
                col = openpyxl.utils.get_column_letter(4 + j)
                assert _cents(evaluate(wb, team, f"{col}{total}")) == _cents(wide[month].sum())
                assert _cents(evaluate(wb, team, f"{col}{gap}")) == 0
            for q in range(4):
                col = openpyxl.utils.get_column_letter(16 + q)
                months = sorted(g["month"].unique())[3 * q : 3 * q + 3]
                assert _cents(evaluate(wb, team, f"{col}{total}")) == sum(
                    _cents(wide[m].sum()) for m in months
                )
            assert _cents(evaluate(wb, team, f"T{total}")) == int(np.round(g["target"] * 100).sum())
            assert _cents(evaluate(wb, team, f"T{plan}")) == int(np.round(g["target"] * 100).sum())
            for i, rid in enumerate(ws.iter_rows(min_row=2, max_row=1 + n, max_col=1, values_only=True)):
                assert _cents(evaluate(wb, team, f"T{2 + i}")) == _cents(wide.loc[rid[0]].sum())


def test_layout_protection_and_formats(snap):
    wb = openpyxl.load_workbook(snap / "east" / "quotas.xlsx")
    ws = wb["east-1"]
    assert ws.freeze_panes == "D2" and ws.protection.sheet
    assert [c.value for c in ws[1]][:4] == ["Rep ID", "Name", "Kind", "Jan 2027"]
    assert ws["D2"].protection.locked is False and ws["D2"].number_format.startswith('"¥"#,##0.00')
    assert ws["D4"].protection.locked is True and ws["T2"].protection.locked is True  # total row, year
    cover = wb["Cover"]
    labels = {r[0]: r[1] for r in cover.iter_rows(min_row=3, max_row=16, max_col=2, values_only=True)}
    assert labels["Snapshot"] == "2026-09-30" and labels["Plan year"] == 2027
    assert labels["Flex buffer"] == pytest.approx(12_345_678.91 - round(12_345_678.91 / 1.12, 2))
    assert "12.0% on the committed target, included in the reps' targets" in labels[None]


def test_no_cell_starts_with_a_formula_character_unless_it_is_the_workbooks_formula(snap):
    for path in (snap / "east" / "quotas.xlsx", snap / "quotas.xlsx"):
        wb = openpyxl.load_workbook(path)
        names = []
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    if isinstance(v, str) and v[:1] in store.FORMULA_START:
                        assert FORMULA.match(v), (ws.title, v)
                    if isinstance(v, str) and "HYPERLINK" in v:
                        names.append(v)
        assert names == ['\'=HYPERLINK("x")']


def test_same_plan_same_bytes_and_zh_headers(tmp_path):
    s = make_snapshot(tmp_path, "2026-09-30", params_over={"language": "zh"})
    m = store.read_manifest(s)
    first = [p.read_bytes() for p in workbook.write_all(s, m)]
    assert [p.read_bytes() for p in workbook.write_all(s, m)] == first
    wb = openpyxl.load_workbook(s / "east" / "quotas.xlsx")
    assert wb.sheetnames[0] == "封面"
    assert [c.value for c in wb["east-1"][1]][:4] == ["销售代表编号", "姓名", "类型", "2027年1月"]
    assert wb["east-1"]["P1"].value == "第1季度" and wb["east-1"]["T1"].value == "2027 年全年"


def test_sheet_titles_are_valid_and_unique():
    taken: set[str] = set()
    titles = [workbook.sheet_title("east", t, taken, True) for t in ["a/b:c", "x" * 40, "x" * 40, "A/B:C"]]
    assert titles[0] == "east a_b_c" and len(titles[1]) == 31 and titles[2].endswith(" (2)")
    assert titles[3] == "east A_B_C (2)"
