"""The one store of the workbook: where snapshots, regions, artefacts and manifests live, and how they are read.

Layout (docs/artifacts.md):

    <root>/<as-of>/manifest.json                 what ran, with which parameters, data and code
    <root>/<as-of>/<region>/artifacts/<name>.csv  the tables each step hands to the next

Only this module knows these paths. Artefacts are written through `write_artifact` (contract checked,
deterministic CSV, formula-safe text, atomic replace) and read through `read_artifact` (contract types applied,
a clear error naming the step to run when the file is missing). `write_csv` is the one CSV writer of the
workbook: every table a person may open in a spreadsheet goes through it. Snapshots are found with `snapshots`, manifests read and written with
`read_manifest` / `write_manifest`. The Context of a notebook, the review's plan of record, the runner, the
report and the index all go through here, as kedro's DataCatalog is the only thing that knows where a dataset
is stored.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planning import contracts
from planning.data import read as data_read
from planning.errors import ArtifactInvalid, ArtifactMissing

MANIFEST = "manifest.json"
AUDIT = "audit.csv"  # the plan audit of a snapshot (`planning audit`, planning/audit/)
ARTIFACTS_DIR = "artifacts"
SNAPSHOT_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # published snapshots; temp folders start with "."
SCENARIO_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}\+[a-z][a-z0-9_-]{0,39}$")  # `planning run --scenario`: apart

_READ_TYPES = {"str": "str", "date": "str"}  # CSV text columns the reader must not turn into numbers
_CAST = {"int": "int64", "float": "float64", "bool": "bool"}


# ------------------------------------------------------------------------------------------------ artefacts
def artifacts_dir(region_dir: str | os.PathLike) -> Path:
    """The folder of a region's artefacts in a snapshot (or in `outputs/interactive/<region>`)."""
    return Path(region_dir) / ARTIFACTS_DIR


def artifact_path(region_dir: str | os.PathLike, name: str) -> Path:
    return artifacts_dir(region_dir) / f"{name}.csv"


def has_artifacts(region_dir: str | os.PathLike, *names: str) -> bool:
    """True when every one of `names` was written for the region."""
    return all(artifact_path(region_dir, n).is_file() for n in names)


def check_contract(name: str, df: pd.DataFrame, step: str | None = None) -> None:
    """Raise ArtifactInvalid when `df` lacks a contract column of artefact `name` or `step` does not own it."""
    contract = contracts.ARTIFACTS.get(name)
    if contract is None:
        raise ArtifactInvalid(
            f"artefact {name!r} is not declared in planning/contracts.py (and docs/artifacts.md)"
        )
    if step is not None and contract.step != step:
        raise ArtifactInvalid(f"artefact {name!r} belongs to step {contract.step}, not {step}")
    missing = [c for c in contract.columns if c not in df.columns]
    if missing:
        raise ArtifactInvalid(f"artefact {name!r} lacks contract columns {missing}; has {list(df.columns)}")


def write_artifact(
    region_dir: str | os.PathLike, name: str, df: pd.DataFrame, step: str | None = None
) -> Path:
    """Write artefact `name` as CSV (`write_csv`): contract checked, deterministic, formula-safe, atomic."""
    check_contract(name, df, step)
    if name in contracts.FACT_ARTIFACTS:  # a shared fact is read back as computed, not rounded to 6 decimals
        df = df.assign(value=[exact_number(v) for v in df["value"]])
    folder = artifacts_dir(region_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return write_csv(folder / f"{name}.csv", df)


def exact_number(value: Any) -> str:
    """A number as text that reads back to the same float (the shortest such text); "" for NaN / None."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return repr(float(value))


# Spreadsheet formula injection (OWASP "CSV Injection"): Excel and LibreOffice evaluate a cell that starts with
# one of these characters as a formula (`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`, `@SUM(...)`); a tab or a line
# break first hides the formula from a reader's eye.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# A text cell that is a plain number ("-5", "+10%", "-1.5e3") is read by a spreadsheet as that number and
# runs nothing: it is left as it is.
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")
_ESCAPED = re.compile(r"^'+[=+\-@\t\r\n]")  # a text `escape_formula` prefixed (or that began so)
_ESCAPE_FIRST = frozenset(FORMULA_START) | {"'"}  # first characters of the texts `escape_formula` may change


def escape_formula(value: Any) -> Any:
    """A text cell made safe to open in a spreadsheet: prefixed with a single quote when it starts with a
    formula character (`FORMULA_START`) and is not a plain number; other values unchanged.

    Carriage returns become line feeds first (the CSV writer does not quote a field for a lone CR, which would
    split the row). Reversible otherwise (`unescape_formula`): a text that already starts with quotes before a
    formula character gets one more, so reading back gives the text as written.
    """
    if not isinstance(value, str) or not value:
        return value
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    if value[0] == "'" and _ESCAPED.match(value):
        return "'" + value
    return value


def unescape_formula(value: Any) -> Any:
    """The text `escape_formula` was given (one leading quote removed before a formula character)."""
    if isinstance(value, str) and value[:1] == "'" and _ESCAPED.match(value):
        return value[1:]
    return value


def _text_columns(df: pd.DataFrame) -> list[str]:
    """The columns that may hold text, judged by their dtype (object, string, categorical) without looking at
    the values (pandas' `is_string_dtype` of a column scans an object column's values: ~1.4 ms a column)."""
    return [
        c
        for c, t in df.dtypes.items()
        if not (isinstance(t, np.dtype) and t.kind in _NEVER_TEXT)
        and (
            pd.api.types.is_object_dtype(t)
            or pd.api.types.is_string_dtype(t)
            or isinstance(t, pd.CategoricalDtype)
        )
    ]


_NEVER_TEXT = "biufcmM"  # numpy kinds of bools, numbers and dates: none of the three tests above holds for them


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with every formula-leading text cell escaped (`escape_formula`); numbers, dates and booleans are
    never touched (a negative number is a number). A copy only when a cell changes."""
    out = df
    for c in _text_columns(df):
        # most columns hold no cell `escape_formula` would change: a text starting with a formula character or
        # a quote, or holding a carriage return; found in one pass over the values, without an object Series
        # (`to_numpy(dtype=object)` holds the same texts as `astype(object)`)
        if not any(
            isinstance(v, str) and v and (v[0] in _ESCAPE_FIRST or "\r" in v)
            for v in df[c].to_numpy(dtype=object)
        ):
            continue
        values = df[c].astype(object)
        escaped = values.map(escape_formula)
        changed = escaped.ne(values) & values.notna()
        if changed.any():
            if out is df:
                out = df.copy()
            out[c] = escaped
    return out


def write_csv(path: str | os.PathLike, df: pd.DataFrame) -> Path:
    """Write `df` as UTF-8 CSV to `path`, replaced atomically: the workbook's one CSV writer.

    Floats are written with 6 decimals and dates as YYYY-MM-DD, so the same plan gives the same bytes. Text
    cells that a spreadsheet would run as a formula are prefixed with a single quote (`escape_formula`, OWASP
    CSV Injection); `read_artifact` removes the quote again.
    """
    path = Path(path)
    df = escape_formulas(df)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False, lineterminator="\n", float_format="%.6f", date_format="%Y-%m-%d")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for key in [k for k in _READ if k[0] == str(path)]:  # what this process read of the file before
        del _READ[key]
    return path


def read_artifact(
    region_dir: str | os.PathLike, name: str, region: str = "", **read_csv: Any
) -> pd.DataFrame:
    """Read artefact `name` of a region, with the contract's column types.

    Text and date columns stay text (an id such as "007" keeps its zeros), with the quote `write_csv` put before
    a formula-leading text removed; int, float and bool columns are checked and cast, so an empty artefact still
    has typed columns. Raises ArtifactMissing (naming the step to run)
    when the file is not there, ArtifactInvalid when a value does not fit its column's type.
    """
    path = artifact_path(region_dir, name)
    contract = contracts.ARTIFACTS.get(name)
    if not path.is_file():
        region = region or Path(region_dir).name
        if contract is None:
            raise ArtifactMissing(
                f"{path}: artefact {name!r} not found (and not declared in planning/contracts.py)"
            )
        step = contract.step
        raise ArtifactMissing(
            f"{path}: artefact {name!r} not found; run step {step} for region {region!r} first "
            f"(`planning run --region {region} --step {step[:2]}` or open notebooks/{step}.ipynb)"
        )
    if contract is None:
        return _unescape(pd.read_csv(path, **read_csv))
    if read_csv:  # a caller's own reading options: read as asked
        return _read_typed(path, contract, read_csv)
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino)
    return data_read.remembered(  # a region's artefacts: one folder
        _READ, key, lambda k: Path(k[0]).parent, lambda: _read_typed(path, contract, {}), _READ_BUDGET
    )


# Artefacts this process read last, of one region: the later steps of a region read the earlier steps' artefacts
# again and again (~75 reads of ~30 files a region, ~0.14 s); a repeat (same file, size and modification time) is
# a shallow copy of the frame read first, which pandas' copy-on-write keeps from the caller's changes. At most
# `_READ_BUDGET` bytes of frames (`data.read.remembered`).
_READ: OrderedDict[tuple, tuple[pd.DataFrame, int]] = OrderedDict()
_READ_BUDGET = 64 << 20


def _read_typed(path: Path, contract: Any, read_csv: dict[str, Any]) -> pd.DataFrame:
    dtype = {c: _READ_TYPES[t] for c, t in contract.columns.items() if t in _READ_TYPES}
    dtype.update(read_csv.pop("dtype", None) or {})
    if read_csv:  # a caller's own reading options
        df = _unescape(pd.read_csv(path, dtype=dtype, **read_csv))
    else:
        data = path.read_bytes()
        df = pd.read_csv(io.BytesIO(data), dtype=dtype)
        if _FIELD_QUOTE.search(data):
            df = _unescape(df)
    types = dict(zip(df.columns, df.dtypes))  # read_csv keeps names unique ("a", "a.1")
    for column, kind in contract.columns.items():
        if kind not in _CAST or column not in types or str(types[column]) == _CAST[kind]:
            continue
        df[column] = _cast(df[column], kind, path, column)
    return df


# A text `write_csv` escaped starts with a quote, and a field that starts with one starts the file or follows a comma
# or a line break, right after its opening double quote if it has one. Without such bytes in the file (most
# artefacts: `'` is rare and mostly an apostrophe inside a text) no value read from it can need `_unescape`.
_FIELD_QUOTE = re.compile(rb"(?:\A|[,\r\n])\"?'")


def _unescape(df: pd.DataFrame) -> pd.DataFrame:
    for c in _text_columns(df):
        col = df[c]
        if isinstance(col.dtype, pd.StringDtype):  # a text column as read: one vectorised look at first letters
            quoted = bool(col.str.startswith("'", na=False).any())
        else:
            quoted = any(isinstance(v, str) and v[:1] == "'" for v in col.to_numpy(dtype=object))
        if quoted:
            df[c] = col.map(unescape_formula)
    return df


def _cast(values: pd.Series, kind: str, path: Path, column: str) -> pd.Series:
    """`values` as the contract's `kind`; an int column with gaps becomes float (NaN is not an int)."""
    if kind == "bool":
        text = values.astype("str").str.strip().str.lower()
        ok = text.isin(["true", "false"]) | values.isna()
        if not ok.all():
            return _bad(values, ~ok, path, column, "True or False")
        return text.map({"true": True, "false": False}).astype("boolean" if values.isna().any() else "bool")
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        return _bad(values, bad, path, column, "a number")
    if kind == "int" and not numbers.isna().any() and (numbers % 1 == 0).all():
        return numbers.astype("int64")
    return numbers.astype("float64")


def _bad(values: pd.Series, bad: pd.Series, path: Path, column: str, expected: str) -> pd.Series:
    pos = int(bad.to_numpy().nonzero()[0][0])
    raise ArtifactInvalid(
        f"{path}: line {pos + 2}, column {column!r}: {values.iloc[pos]!r}; expected {expected}"
    )


def empty_frame() -> pd.DataFrame:
    """A frame without rows or columns (an artefact a part did not write, read as nothing)."""
    return pd.DataFrame()


def frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """Rows (tuples) as a frame with `columns`, for an artefact built from a few values (`notebook.Context`
    keeps pandas out of its module imports)."""
    return pd.DataFrame(rows, columns=columns)


def read_optional(region_dir: str | os.PathLike, name: str, **read_csv: Any) -> pd.DataFrame | None:
    """Artefact `name` of a region, or None when it was not written."""
    if not artifact_path(region_dir, name).is_file():
        return None
    return read_artifact(region_dir, name, **read_csv)


def read_facts(region_dir: str | os.PathLike) -> pd.DataFrame | None:
    """The region's shared facts (planning/facts.py) as one table: every step's facts artefact that was written
    (name, value, unit, owner, how), in step order; None when no step has written its facts."""
    frames = [f for name in contracts.FACT_ARTIFACTS if (f := read_optional(region_dir, name)) is not None]
    return pd.concat(frames, ignore_index=True) if frames else None


def remove_step_outputs(region_dir: str | os.PathLike, step: str) -> None:
    """Delete the artefacts `step` owns in a region (before it is re-run, so no stale table survives)."""
    for name in contracts.of_step(step):
        artifact_path(region_dir, name).unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------ manifests
def manifest_path(snapshot: str | os.PathLike) -> Path:
    return Path(snapshot) / MANIFEST


def is_snapshot(path: str | os.PathLike) -> bool:
    """True for a folder that holds a manifest (published or being assembled)."""
    return manifest_path(path).is_file()


def read_manifest(snapshot: str | os.PathLike) -> dict[str, Any] | None:
    """The manifest of a snapshot, or None when it is missing or unreadable."""
    try:
        manifest = json.loads(manifest_path(snapshot).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def write_manifest(snapshot: str | os.PathLike, manifest: dict[str, Any]) -> Path:
    """Write a snapshot's manifest (UTF-8 JSON, indented), replacing it atomically."""
    return write_json(manifest_path(snapshot), manifest)


def write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write `obj` as indented UTF-8 JSON to `path`, replacing it atomically."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(obj, indent=2, ensure_ascii=False))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def region_dir(snapshot: str | os.PathLike, region: str) -> Path:
    """The folder of `region` in a snapshot (`<snapshot>/<region>`)."""
    return Path(snapshot) / region


def audit_path(snapshot: str | os.PathLike) -> Path:
    """Where a snapshot's plan audit is written: `<snapshot>/audit.csv`."""
    return Path(snapshot) / AUDIT


def write_audit(snapshot: str | os.PathLike, df: pd.DataFrame) -> Path:
    """Write a snapshot's plan audit (`planning audit`) as `<snapshot>/audit.csv` (`write_csv`: atomic,
    formula-safe). A snapshot-level file beside the manifest, not an artefact of a step."""
    return write_csv(audit_path(snapshot), df)


PDF_DIR = "pdf"  # `planning pdf`: <snapshot>/pdf/index.pdf, <snapshot>/pdf/<region>/<step>.pdf


def report_pages(snapshot: str | os.PathLike) -> list[Path]:
    """The HTML reports of a snapshot: index.html first, then every region's step reports (`<region>/NN_*.html`)
    and any further pages a snapshot holds (`diff_*/*.html`), in name order."""
    snapshot = Path(snapshot)
    pages = [snapshot / "index.html"] if (snapshot / "index.html").is_file() else []
    for d in sorted(p for p in snapshot.iterdir() if p.is_dir() and not p.name.startswith((".", PDF_DIR))):
        pages += sorted(d.glob("*.html"))
    return pages


def pdf_path(snapshot: str | os.PathLike, page: str | os.PathLike) -> Path:
    """Where `planning pdf` prints a report page of `snapshot`: the same relative path under `<snapshot>/pdf/`."""
    snapshot = Path(snapshot)
    return snapshot / PDF_DIR / Path(page).relative_to(snapshot).with_suffix(".pdf")


# ------------------------------------------------------------------------------------------------ snapshots
@dataclass(frozen=True)
class Snapshot:
    """A published, dated snapshot: its as-of date, folder and manifest."""

    as_of: date
    path: Path
    manifest: dict

    def region_dir(self, region: str) -> Path:
        return self.path / region

    @property
    def complete(self) -> bool:
        return self.manifest.get("status") == "complete"

    @property
    def kind(self) -> str:
        """What made the snapshot (`KINDS`); a manifest without `kind` is a plan (older snapshots)."""
        return snapshot_kind(self.manifest)

    def plan_year(self, region: str) -> int | None:
        try:
            return int(self.manifest["regions"][region]["params"]["plan_year"])
        except (KeyError, TypeError, ValueError):
            return None


def snapshot_dir(root: str | os.PathLike, as_of: date | str) -> Path:
    """Where the snapshot of `as_of` is (or will be) published under `root`."""
    return Path(root) / (as_of.isoformat() if isinstance(as_of, date) else str(as_of))


def snapshot_root(region_dir: str | os.PathLike) -> Path:
    """The folder holding the dated snapshots, from a region folder: `<root>/<as-of or temp>/<region>` -> `<root>`."""
    return Path(region_dir).resolve().parent.parent


def snapshots(root: str | os.PathLike, before: date | None = None, complete: bool = True) -> list[Snapshot]:
    """Published snapshots in `root`, oldest first: folders named YYYY-MM-DD with a readable manifest.

    `before`: only those dated strictly earlier. `complete`: only those whose manifest says
    `"status": "complete"`. Hidden temp folders (".<as-of>.tmp-...") are never snapshots.
    """
    root = Path(root)
    if not root.is_dir():
        return []
    out = []
    for d in root.iterdir():
        if not d.is_dir() or not SNAPSHOT_NAME.match(d.name):
            continue
        try:
            when = date.fromisoformat(d.name)
        except ValueError:
            continue
        manifest = read_manifest(d)
        if manifest is None or (before is not None and when >= before):
            continue
        snap = Snapshot(when, d, manifest)
        if complete and not snap.complete:
            continue
        out.append(snap)
    return sorted(out, key=lambda s: s.as_of)


# ------------------------------------------------------------------------------------------------ kinds, plan of record
#: What made a snapshot (manifest "kind"; docs/architecture.md "Snapshot kinds"): a `planning run`, a review-only
#: run, the managers' workbook adjustment (`planning adjust`), a quarterly re-plan, a named scenario (`planning run
#: --scenario NAME`, published as `<as-of>+<name>/`: never a plan of record, not listed by `snapshots`). No "kind"
#: means "plan".
KINDS = ("plan", "review", "adjusted", "replan", "scenario")
#: The kinds whose targets are a plan the year can be reviewed against.
PLAN_KINDS = ("plan", "adjusted", "replan")


def kind_of(manifest: dict[str, Any]) -> str:
    """A manifest's kind ("plan" for a manifest written before kinds existed)."""
    kind = manifest.get("kind") or "plan"
    return kind if kind in KINDS else "plan"


def diff_dir(snapshot: str | os.PathLike, old: str) -> Path:
    """Where `planning diff OLD NEW` writes its page and CSVs: `<NEW>/diff_<OLD>/` (OLD: the earlier snapshot's
    folder name)."""
    return Path(snapshot) / f"diff_{old}"


def diffs(snapshot: str | os.PathLike) -> list[str]:
    """The earlier snapshots a snapshot holds a comparison with (`diff_<OLD>/index.html`), newest first."""
    snapshot = Path(snapshot)
    if not snapshot.is_dir():
        return []
    found = [
        d.name[len("diff_") :]
        for d in snapshot.iterdir()
        if d.is_dir() and d.name.startswith("diff_") and (d / "index.html").is_file()
    ]
    return sorted(found, reverse=True)


def quotas_path(snapshot: str | os.PathLike, region: str | None = None) -> Path:
    """The quota workbook of a region (`<snapshot>/<region>/quotas.xlsx`) or of the company
    (`<snapshot>/quotas.xlsx`)."""
    return (Path(snapshot) / region if region else Path(snapshot)) / "quotas.xlsx"


def snapshot_kind(manifest: dict[str, Any] | None) -> str:
    """`kind_of` a manifest that may be missing (None: "plan")."""
    return kind_of(manifest or {})


def plan_of_record(
    root: str | os.PathLike, as_of: date | str, region: str | None = None, year: int | None = None
) -> Snapshot | None:
    """The plan of record for `as_of`: the latest complete snapshot in `root` dated at or before `as_of` whose
    kind is a plan version (`PLAN_KINDS`: plan, adjusted, replan); None when there is none.

    `region`: only snapshots holding that region's `targets` artefact; `year`: only those planning that year
    (the region's `plan_year`, or any region's when `region` is not given).
    """
    when = as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of))
    for snap in reversed(snapshots(root)):
        if snap.as_of > when or snap.kind not in PLAN_KINDS:
            continue
        if region is not None and not has_artifacts(snap.region_dir(region), "targets"):
            continue
        if year is not None:
            regions = [region] if region is not None else list(snap.manifest.get("regions") or {})
            if not any(snap.plan_year(r) == year for r in regions):
                continue
        return snap
    return None


def relative_to_root(root: str | os.PathLike, snapshot: str | os.PathLike) -> str:
    """A snapshot's path as the manifests record it (`plan_of_record`): relative to the output root."""
    return Path(snapshot).resolve().relative_to(Path(root).resolve()).as_posix()


# ------------------------------------------------------------------------------------------------ improvement marks
IMPROVEMENT_MARKS = (
    "improvements.csv"  # <root>/improvements.csv: a user's done / dropped marks (docs/rhythm.md)
)
MARK_COLUMNS = ("region", "item_id", "status", "note")
MARK_STATUSES = ("done", "dropped", "open")


def improvement_marks_path(root: str | os.PathLike) -> Path:
    """The user-editable file that marks improvement items done or dropped: `<root>/improvements.csv`."""
    return Path(root) / IMPROVEMENT_MARKS


def read_improvement_marks(root: str | os.PathLike, region: str) -> pd.DataFrame | None:
    """The marks of `region` in `<root>/improvements.csv` (item_id, status, note), None when there is no file.

    Raises ArtifactInvalid naming the file, line and value when a column is missing or a status is not one of
    done, dropped, open.
    """
    path = improvement_marks_path(root)
    if not path.is_file():
        return None
    df = _unescape(pd.read_csv(path, dtype=str, keep_default_na=False))
    missing = [c for c in MARK_COLUMNS if c not in df.columns]
    if missing:
        raise ArtifactInvalid(
            f"{path}: columns {missing} missing; expected the header {','.join(MARK_COLUMNS)} (has {list(df.columns)})"
        )
    status = df["status"].str.strip().str.lower()
    bad = ~status.isin(MARK_STATUSES)
    if bad.any():
        line = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise ArtifactInvalid(
            f"{path}: line {line}, column 'status': {df['status'][bad].iloc[0]!r}; expected one of "
            f"{', '.join(MARK_STATUSES)}"
        )
    out = df.assign(status=status, item_id=df["item_id"].str.strip())
    return out.loc[out["region"].str.strip() == region, ["item_id", "status", "note"]].reset_index(drop=True)
