"""An edited quota workbook read back against the snapshot it was written in.

The cover names the snapshot (cell B7) and its plan fingerprint (B9). The snapshot's own workbook is built again
(`workbook.build`) and every cell compared with the returned one: a locked cell must hold what it held (rep ids
and names, sheets, formulas, the plan rows, the cover), an unlocked one (a rep's month) a number >= 0. Every
problem is one line naming the file, sheet, cell, value and what was expected; any problem is a WorkbookError
(exit 2) and nothing is written.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
from openpyxl.utils import get_column_letter

from planning import store
from planning.errors import SnapshotInvalid, WorkbookError
from planning.handover import workbook
from planning.handover.workbook import FIRST_MONTH_COL, Layout

SNAPSHOT_CELL, FINGERPRINT_CELL = "B7", "B9"
COVER_TITLES = ("Cover", "封面")
MAX_PROBLEMS = 25


@dataclass
class Returned:
    """A returned workbook that passed every check: the snapshot it belongs to and the managers' numbers."""

    path: Path
    snapshot: Path
    manifest: dict[str, Any]
    regions: list[str]
    layout: Layout
    managers: dict[tuple[str, str], np.ndarray]  # (region, rep_id) -> cents (12,)


def _shown(value: Any) -> str:
    return "empty" if value is None else repr(value)


def _same(a: Any, b: Any) -> bool:
    """Equal as a spreadsheet keeps them: numbers to the cent (an app may save 0.0 as 0), text exactly."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) < 0.005
    if a in (None, "") and b in (None, ""):
        return True
    return a == b


def _open(path: Path) -> Any:
    if not path.is_file():
        raise WorkbookError(
            f"{path}: no such file; expected a quota workbook (.xlsx) written by `planning run`"
        )
    try:
        return openpyxl.load_workbook(path)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise WorkbookError(
            f"{path}: not an Excel workbook ({type(exc).__name__}); expected a quota workbook saved as .xlsx"
        ) from None


def _source(path: Path, wb: Any, root: Path) -> tuple[Path, dict[str, Any], list[str], bool]:
    """The snapshot the cover names, and the regions whose fingerprint the cover carries."""
    cover_title = next((t for t in COVER_TITLES if t in wb.sheetnames), None)
    if cover_title is None:
        raise WorkbookError(
            f"{path}: no cover sheet (sheets: {', '.join(wb.sheetnames[:8])}); expected the sheet "
            f"{' / '.join(COVER_TITLES)} the quota workbook starts with"
        )
    cover = wb[cover_title]
    name, fp = cover[SNAPSHOT_CELL].value, cover[FINGERPRINT_CELL].value
    where = f"{path}: sheet '{cover_title}', cell"
    if not isinstance(name, str) or not store.SNAPSHOT_NAME.match(name):
        raise WorkbookError(
            f"{where} {SNAPSHOT_CELL}: {_shown(name)}; expected the snapshot's date YYYY-MM-DD"
        )
    snapshot = store.snapshot_dir(root, name)
    manifest = store.read_manifest(snapshot)
    if manifest is None:
        raise WorkbookError(
            f"{where} {SNAPSHOT_CELL}: snapshot {name!r} not found under {root}; expected the snapshot the "
            "workbook was written in (use --out for another snapshot root)"
        )
    if manifest.get("status") != "complete":
        raise SnapshotInvalid(f"{snapshot}: the snapshot the workbook {path} comes from is incomplete")
    regions = [
        r
        for r in manifest.get("regions") or {}
        if store.has_artifacts(store.region_dir(snapshot, r), "targets_rep")
    ]
    candidates = {workbook.fingerprint(snapshot, regions, True): (regions, True)} if regions else {}
    candidates.update({workbook.fingerprint(snapshot, [r]): ([r], False) for r in regions})
    if fp not in candidates:
        raise WorkbookError(
            f"{where} {FINGERPRINT_CELL}: plan fingerprint {_shown(fp)}; expected one of snapshot {name}'s "
            f"({', '.join(sorted(candidates))}): the workbook comes from another snapshot, or from {name} "
            "before it was run again"
        )
    return snapshot, manifest, *candidates[fp]


def read(path: str | Path, root: str | Path) -> Returned:
    """Read and check a returned quota workbook (see the module docstring). Raises WorkbookError."""
    path, root = Path(path), Path(root)
    wb = _open(path)
    snapshot, manifest, regions, company = _source(path, wb, root)
    expected, layout = workbook.build(snapshot, manifest, regions, company)
    problems: list[str] = []
    missing = [t for t in expected.sheetnames if t not in wb.sheetnames]
    extra = [t for t in wb.sheetnames if t not in expected.sheetnames]
    for t in missing:
        problems.append(
            f"{path}: sheet '{t}' is missing; expected the sheets {', '.join(expected.sheetnames)}"
        )
    for t in extra:
        problems.append(
            f"{path}: sheet '{t}' was added; expected only the sheets {', '.join(expected.sheetnames)}"
        )
    editable: dict[str, set[tuple[int, int]]] = {}
    for spec in layout.sheets:
        editable[spec.title] = {
            (spec.first_row + i, FIRST_MONTH_COL + j) for i in range(len(spec.reps)) for j in range(12)
        }
    for title in expected.sheetnames:
        if title in wb.sheetnames:
            problems += _compare_sheet(
                path, wb[title], expected[title], editable.get(title, set()), layout, title
            )
    if problems:
        more = len(problems) - MAX_PROBLEMS
        lines = problems[:MAX_PROBLEMS] + ([f"... and {more} more problems"] if more > 0 else [])
        raise WorkbookError("\n".join(lines))
    managers = {}
    for spec in layout.sheets:
        ws = wb[spec.title]
        for i, rid in enumerate(spec.reps):
            row = [ws.cell(spec.first_row + i, FIRST_MONTH_COL + j).value for j in range(12)]
            managers[(spec.region, rid)] = np.array([round(float(v) * 100) for v in row], dtype=np.int64)
    return Returned(path, snapshot, manifest, regions, layout, managers)


def _compare_sheet(
    path: Path, ws: Any, exp: Any, editable: set[tuple[int, int]], layout: Layout, title: str
) -> list[str]:
    out = []
    spec = next((s for s in layout.sheets if s.title == title), None)
    if spec is not None:
        reps = _rep_problems(path, ws, exp, spec, {rid for (_, rid) in layout.plan})
        if reps:
            return [
                *reps,
                f"{path}: sheet '{title}': its rows do not match the plan's reps; the rest of the sheet was not "
                "compared (restore the rows, or start again from the snapshot's workbook)",
            ]
    for r in range(1, max(ws.max_row, exp.max_row) + 1):
        for c in range(1, max(ws.max_column, exp.max_column) + 1):
            got, want = ws.cell(r, c).value, exp.cell(r, c).value
            where = f"{path}: sheet '{title}', cell {get_column_letter(c)}{r}"
            if (r, c) in editable:
                problem = _amount_problem(got)
                if problem:
                    out.append(f"{where}: {_shown(got)}; expected {problem}")
                continue
            if _same(got, want):
                continue
            formula = isinstance(want, str) and want.startswith("=")
            what = "a formula" if formula else "a cell outside the editable ones"
            out.append(
                f"{where}: {_shown(got)}; expected {_shown(want)} ({what}: only the reps' months may change)"
            )
    return out


def _rep_problems(path: Path, ws: Any, exp: Any, spec: Any, known: set[str]) -> list[str]:
    """Rows of reps that are not the plan's (column A from the first rep to the gap row): an unknown rep, a rep
    removed or moved, a row inserted."""
    out = []
    for r in range(spec.first_row, spec.gap_row + 1):
        got, want = ws.cell(r, 1).value, exp.cell(r, 1).value
        if _same(got, want):
            continue
        where = f"{path}: sheet '{ws.title}', cell A{r}"
        rep = str(store.unescape_formula(got)) if got not in (None, "") else ""
        if rep and rep not in known:
            out.append(
                f"{where}: unknown rep {got!r}; expected {_shown(want)} (reps of team {spec.team}: "
                f"{', '.join(spec.reps)}); reps are added or removed in the data, not here"
            )
        elif want not in (None, ""):
            out.append(
                f"{where}: {_shown(got)}; expected rep {want!r}: a rep of the plan was removed or moved"
            )
        else:
            out.append(f"{where}: {_shown(got)}; expected {_shown(want)}: a row was inserted")
    return out


def _amount_problem(value: Any) -> str:
    """What is wrong with an editable cell's value, or "" when it is a usable amount."""
    if value is None:
        return "a number (0 for no target)"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "a number (an amount in the currency, without text or thousands separators)"
    if not math.isfinite(float(value)):
        return "a finite number"
    if value < 0:
        return "an amount of 0 or more"
    return ""
