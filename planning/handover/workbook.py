"""The quota workbook: `<snapshot>/<region>/quotas.xlsx` per region and `<snapshot>/quotas.xlsx` for the company.

A cover sheet (company, region, as-of, plan year, snapshot, parameters hash, plan fingerprint, the flex buffer as
the plan's calibration states it, what to edit and what not), then a sheet per team: reps x months (the only
unlocked cells), quarter and year totals, the team's total, its top-down plan and the gap as formulas, frozen
header, currency formats, headers in the run's language. Text that would start with a formula character is
quoted (`store.escape_formula`): no cell is a formula unless written here as one.

`build` makes the workbook in memory; `read.py` builds the same for the snapshot a returned workbook names and
compares every locked cell with it. Files are written with fixed timestamps, so a rerun gives the same bytes.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from planning import i18n, store

FIRST_MONTH_COL = 4  # D: columns A rep id, B name, C kind, then 12 months, 4 quarters, the year
HEADER_ROW = 1
EDITABLE_FILL = PatternFill("solid", fgColor="FFFFFF")
LOCKED_FILL = PatternFill("solid", fgColor="F1F3F5")
TOTAL_FONT = Font(bold=True)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass
class TeamSheet:
    """One team's sheet: where its reps and totals are."""

    title: str
    region: str
    team: str
    reps: list[str]  # rep ids, row 2 onwards
    first_row: int = HEADER_ROW + 1

    @property
    def total_row(self) -> int:
        return self.first_row + len(self.reps)

    @property
    def plan_row(self) -> int:
        return self.total_row + 1

    @property
    def gap_row(self) -> int:
        return self.total_row + 2


@dataclass
class Layout:
    """What a built workbook holds: its team sheets and the plan it was built from (cents, reps x 12)."""

    sheets: list[TeamSheet] = field(default_factory=list)
    plan: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # (region, rep_id) -> cents (12,)


# ------------------------------------------------------------------------------------------------ the plan read
def region_plan(snapshot: Path, region: str) -> pd.DataFrame:
    """targets_rep of a region (rep_id, name, team, kind, month, target, capacity), months in order."""
    reps = store.read_artifact(store.region_dir(snapshot, region), "targets_rep", region=region)
    for col, default in (("name", ""), ("kind", "current"), ("capacity", 0.0)):
        if col not in reps:
            reps[col] = default
    return reps


def fingerprint(snapshot: Path, regions: list[str], company: bool = False) -> str:
    """A short hash of the regions' rep split as written (`targets_rep.csv` bytes): a workbook from another
    snapshot, or from this one before it was re-run, has another."""
    h = hashlib.sha256(b"company" if company else b"region")
    for r in regions:
        h.update(r.encode())
        h.update(store.artifact_path(store.region_dir(snapshot, r), "targets_rep").read_bytes())
    return h.hexdigest()[:16]


def params_hash(manifest: dict[str, Any], regions: list[str]) -> str:
    entries = manifest.get("regions") or {}
    text = json.dumps({r: (entries.get(r) or {}).get("params") for r in regions}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def buffer_of(snapshot: Path, region: str) -> tuple[float, float, float] | None:
    """(annual target, buffer, reps' quotas) from the region's calibration artefact (rows target, buffer, quota:
    the flex buffer over-assigned to the reps, docs/method.md; snapshots before: committed, buffer, target), as
    the plan states them; None when it does not."""
    cal = store.read_optional(store.region_dir(snapshot, region), "calibration")
    if cal is None:
        return None
    amount = dict(zip(cal["component"].astype(str), cal["amount"].astype(float), strict=False))
    if {"target", "buffer", "quota"} <= set(amount):  # the buffer over-assigned to the reps (docs/method.md)
        return amount["target"], amount["buffer"], amount["quota"]
    if not {"committed", "buffer", "target"} <= set(amount):
        return None
    return amount["committed"], amount["buffer"], amount["target"]


# ------------------------------------------------------------------------------------------------ building
def _text(value: Any) -> Any:
    return store.escape_formula(value) if isinstance(value, str) else value


def sheet_title(region: str, team: str, taken: set[str], company: bool) -> str:
    """A valid, unique sheet name (<= 31 characters, none of []:*?/\\) for a team."""
    base = _BAD_SHEET_CHARS.sub("_", f"{region} {team}" if company and not team.startswith(region) else team)
    base = base.strip("'") or "team"
    title, n = base[:31], 2
    while title.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title)
    return title


def _currency_format(voice: i18n.Voice) -> str:
    sym = i18n.CURRENCY_SYMBOLS.get(voice.currency.upper(), voice.currency.upper() + " ")
    return f'"{sym}"#,##0.00;-"{sym}"#,##0.00'


def _month_header(month: str, voice: i18n.Voice) -> str:
    y, m = month.split("-")
    return f"{y}年{int(m)}月" if voice.lang == "zh" else pd.Timestamp(f"{month}-01").strftime("%b %Y")


def _styles(wb: Workbook, voice: i18n.Voice) -> dict[str, Any]:
    """One cell per style of the team sheets, styled once: cells copy its style array (`cell._style`), which
    costs a tenth of setting fill, font, protection and number format on each (openpyxl hashes every style)."""
    ws = wb.create_sheet("_styles")
    money = _currency_format(voice)
    kinds = {
        "header": dict(
            font=TOTAL_FONT, fill=LOCKED_FILL, alignment=Alignment(horizontal="center", wrap_text=True)
        ),
        "header_left": dict(font=TOTAL_FONT, fill=LOCKED_FILL, alignment=Alignment(wrap_text=True)),
        "edit": dict(protection=Protection(locked=False), fill=EDITABLE_FILL, number_format=money),
        "sum": dict(fill=LOCKED_FILL, number_format=money),
        "sum_bold": dict(fill=LOCKED_FILL, number_format=money, font=TOTAL_FONT),
        "bold": dict(font=TOTAL_FONT),
    }
    out = {}
    for i, (kind, attrs) in enumerate(kinds.items(), 1):
        cell = ws.cell(1, i)
        for attr, value in attrs.items():
            setattr(cell, attr, value)
        out[kind] = cell._style
    wb.remove(ws)
    return out


def _put(ws: Any, row: int, col: int, value: Any, style: Any = None) -> None:
    cell = ws.cell(row, col, value)
    if style is not None:
        cell._style = copy.copy(style)


def _team_sheet(
    wb: Workbook, spec: TeamSheet, reps: pd.DataFrame, plan_year: int, voice: i18n.Voice, st: dict[str, Any]
) -> None:
    ws = wb.create_sheet(spec.title)
    months = [f"{plan_year}-{m:02d}" for m in range(1, 13)]
    heads = [voice.t("handover.sheet.rep_id"), voice.t("handover.sheet.name"), voice.t("handover.sheet.kind")]
    heads += [_month_header(m, voice) for m in months]
    heads += [voice.t("handover.sheet.quarter", q=q) for q in range(1, 5)]
    heads += [voice.t("handover.sheet.year", year=plan_year)]
    for c, h in enumerate(heads, 1):
        _put(ws, HEADER_ROW, c, _text(h), st["header" if c > 3 else "header_left"])
    m0 = FIRST_MONTH_COL
    mcol = [get_column_letter(m0 + i) for i in range(12)]
    qcol0, ycol = m0 + 12, m0 + 16
    wide = reps.pivot_table(index="rep_id", columns="month", values="target", aggfunc="sum")
    wide = wide.reindex(columns=months).fillna(0.0)
    first = reps.drop_duplicates("rep_id").set_index("rep_id")
    for i, rid in enumerate(spec.reps):
        row = spec.first_row + i
        kind = str(first.at[rid, "kind"])
        shown = voice.t(f"handover.kind.{kind}") if kind in ("current", "hire") else kind
        for c, v in enumerate((rid, str(first.at[rid, "name"]), shown), 1):
            _put(ws, row, c, _text(v))
        for j, v in enumerate(wide.loc[rid].to_numpy()):
            _put(ws, row, m0 + j, float(v), st["edit"])
    team_plan = wide.sum(axis=0).to_numpy() if len(wide) else [0.0] * 12
    last = spec.total_row - 1
    for j in range(12):
        col = mcol[j]
        total = f"=SUM({col}{spec.first_row}:{col}{last})" if spec.reps else 0
        _put(ws, spec.total_row, m0 + j, total, st["sum_bold"])
        _put(ws, spec.plan_row, m0 + j, round(float(team_plan[j]), 2), st["sum"])
        _put(ws, spec.gap_row, m0 + j, f"={col}{spec.total_row}-{col}{spec.plan_row}", st["sum"])
    for row in [*range(spec.first_row, spec.total_row), spec.total_row, spec.plan_row]:
        bold = st["sum_bold"] if row == spec.total_row else st["sum"]
        for q in range(4):
            _put(ws, row, qcol0 + q, f"=SUM({mcol[3 * q]}{row}:{mcol[3 * q + 2]}{row})", bold)
        _put(ws, row, ycol, f"=SUM({mcol[0]}{row}:{mcol[11]}{row})", st["sum_bold"])
    for q in range(5):
        col = get_column_letter(qcol0 + q)
        _put(ws, spec.gap_row, qcol0 + q, f"={col}{spec.total_row}-{col}{spec.plan_row}", st["sum"])
    for row, key in ((spec.total_row, "total"), (spec.plan_row, "plan"), (spec.gap_row, "gap")):
        _put(ws, row, 2, _text(voice.t(f"handover.sheet.{key}")), st["bold"])
    ws.freeze_panes = ws.cell(spec.first_row, m0)
    for col, width in (("A", 12), ("B", 22), ("C", 13)):
        ws.column_dimensions[col].width = width
    for c in range(m0, ycol + 1):
        ws.column_dimensions[get_column_letter(c)].width = 15
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False  # widths and heights may change


def _cover(wb: Workbook, info: dict[str, Any], sheets: list[TeamSheet], voice: i18n.Voice) -> None:
    ws = wb.active
    ws.title = voice.t("handover.cover.sheet")
    money = _currency_format(voice)
    t = lambda k, **kw: voice.t(f"handover.cover.{k}", **kw)  # noqa: E731
    ws.cell(1, 1, _text(t("title", plan_year=info["plan_year"]))).font = Font(bold=True, size=14)
    rows = [
        ("company", info["company"]),
        ("region", info["region"]),
        ("as_of", info["as_of"]),
        ("plan_year", info["plan_year"]),
        ("snapshot", info["snapshot"]),
        ("params_hash", info["params_hash"]),
        ("fingerprint", info["fingerprint"]),
        (
            "target",
            "="
            + "+".join(f"'{s.title}'!{get_column_letter(FIRST_MONTH_COL + 16)}{s.total_row}" for s in sheets)
            if sheets
            else 0,
        ),
        ("committed", info["committed"]),
        ("buffer", info["buffer"]),
        ("", info["buffer_text"]),
        ("edit", t("edit_text")),
        ("keep", t("keep_text")),
        ("hand_back", t("hand_back_text")),
    ]
    for i, (key, value) in enumerate(rows, start=3):
        ws.cell(i, 1, _text(t(key) if key else "")).font = TOTAL_FONT
        cell = ws.cell(i, 2, value if isinstance(value, int | float) or key == "target" else _text(value))
        if key in ("target", "committed", "buffer"):
            cell.number_format = money
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    head = 3 + len(rows) + 1
    for c, k in enumerate(("sheet_name", "region", "team", "reps"), 1):
        ws.cell(head, c, _text(t(k))).font = TOTAL_FONT
    for i, s in enumerate(sheets, head + 1):
        for c, v in enumerate(
            (s.title, info["region_names"].get(s.region, s.region), voice.team(s.team), len(s.reps)), 1
        ):
            ws.cell(i, c, _text(v) if isinstance(v, str) else v)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 28, 70
    ws.column_dimensions["C"].width, ws.column_dimensions["D"].width = 16, 8
    ws.protection.sheet = True


def build(
    snapshot: Path,
    manifest: dict[str, Any],
    regions: list[str],
    company: bool,
    plans: dict[str, pd.DataFrame] | None = None,
) -> tuple[Workbook, Layout]:
    """The quota workbook of `regions` of a snapshot (one region, or every region for the company's); `plans`:
    the regions' targets_rep already read (`region_plan`)."""
    entries = manifest.get("regions") or {}
    params = (entries.get(regions[0]) or {}).get("params") or {}
    lang = params.get("language") if params.get("language") in i18n.LANGUAGES else "en"
    comp = params.get("company") or {}
    voice = i18n.Voice(lang, comp.get("currency") or "CNY")
    plan_year = int(params.get("plan_year") or 0)
    layout, taken, frames = Layout(), {voice.t("handover.cover.sheet")}, {}
    region_names = {}
    for r in regions:
        rp = (entries.get(r) or {}).get("params") or {}
        meta = rp.get("region") or {}
        region_names[r] = (meta.get("name_zh") if lang == "zh" else meta.get("name")) or voice.name(
            "region", r
        )
        reps = plans[r] if plans and r in plans else region_plan(snapshot, r)
        reps = reps[reps["month"].astype(str).str[:4] == str(plan_year)]
        frames[r] = reps
        months = [f"{plan_year}-{m:02d}" for m in range(1, 13)]
        wide = reps.pivot_table(index="rep_id", columns="month", values="target", aggfunc="sum")
        cents = np.round(wide.reindex(columns=months).fillna(0.0).to_numpy() * 100).astype(np.int64)
        for rid, row in zip(wide.index.astype(str), cents, strict=True):
            layout.plan[(r, rid)] = row
        for team in sorted(reps["team"].astype(str).unique()):
            ids = list(dict.fromkeys(reps.loc[reps["team"] == team, "rep_id"].astype(str)))
            layout.sheets.append(TeamSheet(sheet_title(r, team, taken, company), r, team, ids))
    buffers = [buffer_of(snapshot, r) for r in regions]
    total = sum(int(c.sum()) for c in layout.plan.values()) / 100
    info = {
        "company": (comp.get("name_zh") if lang == "zh" else None) or comp.get("name") or "",
        "region": voice.t("handover.cover.all_regions", n=len(regions))
        if company
        else region_names[regions[0]],
        "region_names": region_names,
        "as_of": str(params.get("as_of") or ""),
        "plan_year": plan_year,
        "snapshot": Path(snapshot).name if not manifest.get("snapshot") else str(manifest["snapshot"]),
        "params_hash": params_hash(manifest, regions),
        "fingerprint": fingerprint(snapshot, regions, company),
    }
    info.update(_buffer_info(buffers, total, voice))
    wb = Workbook()
    _cover(wb, info, layout.sheets, voice)
    styles = _styles(wb, voice)
    for spec in layout.sheets:
        reps = frames[spec.region]
        _team_sheet(wb, spec, reps[reps["team"].astype(str) == spec.team], plan_year, voice, styles)
    return wb, layout


def _buffer_info(buffers: list, total: float, voice: i18n.Voice) -> dict[str, Any]:
    """The flex buffer as the plans' calibrations state it, and whether the reps' targets include it."""
    if not buffers or any(b is None for b in buffers):
        return {"committed": "", "buffer": "", "buffer_text": voice.t("handover.cover.buffer_unknown")}
    committed = sum(b[0] for b in buffers)
    buffer = sum(b[1] for b in buffers)
    target = sum(b[2] for b in buffers)
    pct = voice.pct(buffer / committed if committed else None)
    inside = abs(round(target * 100) - round(total * 100)) <= len(buffers)  # the reps carry the target
    key = "buffer_in" if inside else "buffer_out"
    return {
        "committed": round(committed, 2),
        "buffer": round(buffer, 2),
        "buffer_text": voice.t(f"handover.cover.{key}", pct=pct),
    }


# ------------------------------------------------------------------------------------------------ writing
FIXED_TIME = (2000, 1, 1, 0, 0, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def save(wb: Workbook, path: Path, as_of: str) -> Path:
    """Save `wb` atomically with fixed timestamps (document properties: the as-of date; zip entries: a constant),
    so the same plan gives the same bytes."""
    when = datetime.fromisoformat(as_of) if as_of else datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = when
    wb.properties.creator = "planning"
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps "modified" with the clock on saving
                data = _MODIFIED.sub(
                    rb"\g<1>" + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", data
                )
            dst.writestr(info, data)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(out.getvalue())
    tmp.replace(path)
    return path


def write_region(snapshot: Path, manifest: dict[str, Any], region: str, plans=None) -> Path | None:
    """Write `<region>/quotas.xlsx` when the region has a rep split (None otherwise). `manifest` needs only the
    region's `params` entry and the snapshot's name: `planning run` writes each region's workbook as soon as its
    steps are done (runner.ahead), before the manifest exists."""
    if not store.has_artifacts(store.region_dir(snapshot, region), "targets_rep"):
        return None
    params = ((manifest.get("regions") or {}).get(region) or {}).get("params") or {}
    wb, _ = build(snapshot, manifest, [region], company=False, plans=plans)
    return save(wb, store.quotas_path(snapshot, region), str(params.get("as_of") or ""))


def write_all(snapshot: Path, manifest: dict[str, Any], written: Iterable[str] = ()) -> list[Path]:
    """Write `<region>/quotas.xlsx` for every region with a rep split (but the regions already `written`), and
    the company's `quotas.xlsx`."""
    regions = [
        r
        for r in manifest.get("regions") or {}
        if store.has_artifacts(store.region_dir(snapshot, r), "targets_rep")
    ]
    out, plans, written = [], {r: region_plan(snapshot, r) for r in regions}, set(written)
    for r in regions:
        if r in written:
            out.append(store.quotas_path(snapshot, r))
            continue
        out.append(write_region(snapshot, manifest, r, plans))
    if regions:
        params = ((manifest.get("regions") or {}).get(regions[0]) or {}).get("params") or {}
        wb, _ = build(snapshot, manifest, regions, company=True, plans=plans)
        out.append(save(wb, store.quotas_path(snapshot), str(params.get("as_of") or "")))
    return out
