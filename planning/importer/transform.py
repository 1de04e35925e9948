"""One source frame -> one canonical table, every row accounted for (the mapping applied, typed, validated).

`import_table` maps a frame read whole; `map_rows` is its core (steps 1-10: missing codes, exclusions,
duplicates, renames and constants, value maps and key normalisation, types, derived columns, fill, required
values, date window), shared with the record batches of a large file (`planning.importer.batches`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from planning.data import DATE_COLUMN, NOT_NULL, SCHEMA, coerce_table
from planning.errors import DataError
from planning.importer import reading
from planning.importer.mapping import TableMapping
from planning.importer.parsing import (
    DAY_FIRST,
    DateMismatch,
    as_text,
    derive,
    is_text,
    mojibake,
    non_ascii,
    parse_dates,
    parse_numbers,
    snake,
)
from planning.importer.report import Findings
from planning.params import yamlsafe

# Columns holding category keys: value maps apply, then (normalize_keys) `Office Supplies` -> `office_supplies`.
KEY_COLUMNS = frozenset(
    {
        "region",
        "product_line",
        "channel",
        "industry",
        "size_band",
        "acquisition_channel",
        "source",
        "status",
        "stage",
        "role",
    }
)


def import_table(
    name: str, raw: pd.DataFrame, tm: TableMapping, source: str = "<frame>"
) -> tuple[pd.DataFrame, Findings]:
    """Map one source frame to canonical table `name` and account for every row.

    In: the table name, the frame as read (`read_source`), its mapping, the file name for messages. Order of
    work: missing codes -> exclude rules -> duplicates -> renames, constants -> value maps -> key normalisation ->
    types (numbers, dates) -> derived columns -> fill -> required values -> date window -> line numbers. Out:
    (canonical frame typed by `data.coerce_table`, orders sorted by region, then order_date, then file order;
    findings). Raises DataError for a mapped column missing from the file, a required column with no mapping,
    a table with no parseable date, a value map violation with `unmapped: error`.
    """
    check_columns(name, list(raw.columns), tm, source)
    f = Findings(name, len(raw), np.arange(len(raw)) + first_row(source, tm))
    dates = DateCheck(name, tm, source, whole=True)
    df = map_rows(name, raw, tm, source, f, _frame_duplicates, dates)
    kept = df.loc[f.alive].reset_index(drop=True)
    f.kept_rows = f.rows[f.alive]
    # 11. line numbers of orders: 1, 2, ... within an order in file order
    if name == "orders" and "line_no" not in kept.columns:
        kept["line_no"] = kept.groupby(kept["order_id"].astype("str"), sort=False).cumcount() + 1
        f.info("line_no", "line_no", len(kept), LINE_NO_DETAIL)
    kept = complete(kept, name, tm, source)
    if name == "orders":
        region = pd.factorize(kept["region"], sort=True)[0]
        order = np.lexsort((np.arange(len(kept)), kept["order_date"].to_numpy().view("int64"), region))
        kept = kept.take(order).reset_index(drop=True)
        f.kept_rows = f.kept_rows[order]
    return kept, f


def first_row(source: str, tm: TableMapping) -> int:
    """The number the user sees on the first data row: the line of a CSV file / the row of an Excel sheet
    (the header is line / row 1 + skip_rows), 1 for Parquet (no lines)."""
    return 1 if reading.format_of(Path(source), tm) == "parquet" else 2 + tm.skip_rows


LINE_NO_DETAIL = "numbered 1, 2, ... within order_id in file order"


def check_columns(name: str, columns: list[str], tm: TableMapping, source: str) -> None:
    """Hard errors of the mapping against the file's header: a mapped or rule column not in the file, a
    required column without a mapping."""
    schema = SCHEMA[name]
    used = _used_columns(tm)
    missing_cols = [c for c in used if c not in columns]
    if missing_cols:
        hint = difflib.get_close_matches(missing_cols[0], columns, n=1)
        raise DataError(
            f"{source}: column {missing_cols[0]!r} (mapped in tables.{name}) is not in the file"
            + (f"; did you mean {hint[0]!r}?" if hint else "")
            + f"; columns found: {_columns_found(columns)}"
        )
    provided = set(tm.columns) | set(tm.constants) | set(tm.derive)
    needed = [c for c in NOT_NULL.get(name, ()) if c not in provided]
    needed += [
        c
        for c, k in schema.items()
        if k == "int" and c not in provided and (name, c) != ("orders", "line_no")
    ]
    if needed:
        raise DataError(
            f"{source}: table {name!r} needs column {needed[0]!r}, which the mapping does not provide; map a "
            f"source column to it (tables.{name}.columns), set a constant or derive it"
        )


def _columns_found(columns: list[str]) -> str:
    """The file's header for a message, cut short: a file that is no export (a log, /etc/passwd) is not echoed."""
    shown = ", ".join(yamlsafe.clip_text(str(c), 40) for c in columns[:20])
    more = f" ... ({len(columns)} columns)" if len(columns) > 20 else ""
    return yamlsafe.clip_text(shown, 300) + more


def _used_columns(tm: TableMapping) -> list[str]:
    return list(dict.fromkeys([*tm.columns.values(), *(r.column for r in tm.exclude)]))


def _frame_duplicates(src: pd.DataFrame, rows: np.ndarray) -> tuple[np.ndarray, pd.Series | None]:
    """Rows identical in every column to an earlier row of the frame, and 'same as row N' for them."""
    dup = src.duplicated(keep="first").to_numpy()
    return dup, (_first_rows(src, dup, rows) if dup.any() else None)


class DateCheck:
    """The hard error "no value is a date" of a required date column: raised at once for a frame read whole,
    after the last record batch for a large file (the first batches may hold no date while later ones do)."""

    def __init__(self, name: str, tm: TableMapping, source: str, whole: bool):
        self.name, self.tm, self.source, self.whole = name, tm, source, whole
        # column -> (convention, decided by the values, row, value) of the first batch that set it
        self.convention: dict[str, tuple[str, bool, Any, Any]] = {}
        self.seen: dict[
            str, list[Any]
        ] = {}  # column -> [any live value, any live date, (row, value) example]

    def __call__(self, col: str, live_present: np.ndarray, bad: np.ndarray, shown: pd.Series, rows) -> None:
        st = self.seen.setdefault(col, [False, False, None])
        if live_present.any():
            if st[2] is None:
                pos = int(np.flatnonzero(live_present)[0])
                st[2] = (rows[pos], shown.iloc[pos])
            st[0] = True
        st[1] = st[1] or bool((live_present & ~bad).any())
        if self.whole:
            self.raise_if_no_date()

    def decide(self, col: str, how: dict[str, Any], shown: pd.Series, rows) -> None:
        """Keep one convention per column across record batches: the first decided by the values wins; a
        batch whose values contradict the default an earlier batch was read with is an error."""
        if not how:
            return
        have = self.convention.get(col)
        here = (how["convention"], how["decided"], rows[how["position"]], shown.iloc[how["position"]])
        if have is not None and have[1] and here[1] and have[0] != here[0]:
            raise DataError(
                f"{self.source}: column {self.tm.columns.get(col, col)!r} (-> {col}) mixes {have[0]} dates "
                f"(row {have[2]} {have[3]!r}) and {here[0]} dates (row {here[2]} {here[3]!r}); expected one "
                "convention per column: correct the export"
            )
        if have is None or (not have[1] and here[1]):
            if have is not None and have[0] != here[0]:
                raise DataError(
                    f"{self.source}: column {self.tm.columns.get(col, col)!r} (-> {col}): the dates up to row "
                    f"{rows[0] - 1} were read {have[0]} (no value told day from month), but row {here[2]} "
                    f"{here[3]!r} is {here[0]}; set tables.{self.name}.date_format: {how['format']!r}"
                )
            self.convention[col] = here

    def mismatch(self, col: str, exc: DateMismatch, shown: pd.Series, rows) -> DataError:
        """The error for dates that do not fit the mapping (or mix day-first and month-first)."""
        column = f"column {self.tm.columns.get(col, col)!r} (-> {col})"
        examples = ", ".join(f"row {int(rows[p])} {str(shown.iloc[p])!r}" for p in exc.positions)
        if exc.other:
            others = ", ".join(f"row {int(rows[p])} {str(shown.iloc[p])!r}" for p in exc.other)
            return DataError(
                f"{self.source}: {column} mixes month-first dates ({examples}) and day-first dates ({others}); "
                "expected one convention per column: correct the export"
            )
        return DataError(
            f"{self.source}: {column}: tables.{self.name}.{exc.given} does not fit the dates "
            f"{examples} (a month cannot be over 12); "
            f"expected date_format: {exc.fits!r}, which fits them"
        )

    def raise_if_no_date(self) -> None:
        for col, (present, good, example) in self.seen.items():
            if present and not good:
                raise DataError(
                    f"{self.source}: column {self.tm.columns.get(col, col)!r} (-> {col}): no value is a date, "
                    f"e.g. row {example[0]}: {example[1]!r}; set tables.{self.name}.date_format "
                    "(e.g. '%d/%m/%Y') or dayfirst: true"
                )


def map_rows(
    name: str,
    raw: pd.DataFrame,
    tm: TableMapping,
    source: str,
    f: Findings,
    duplicates: Callable[[pd.DataFrame, np.ndarray], tuple[np.ndarray, pd.Series | None]],
    dates: DateCheck,
) -> pd.DataFrame:
    """Steps 1-10 of `import_table` on a frame (a whole file or one record batch of it): the mapped frame
    with every source row (`f.alive` marks the ones kept). `duplicates(src, rows)` finds the rows identical
    to an earlier one. Every call into `f` happens whatever the data (see `Findings`)."""
    schema = SCHEMA[name]
    used = _used_columns(tm)

    # 1. missing codes: only the listed values are missing ("NA" stays text unless listed)
    missing_vals = [m for m in tm.missing if m != ""]
    src = raw
    if missing_vals:
        src = raw.copy()
        for c in used:
            if is_text(raw[c]):
                txt = as_text(raw[c])
                hit = txt.isin(missing_vals).to_numpy()
                f.fix_missing(hit, c, txt)
                if hit.any():
                    src[c] = raw[c].where(~hit)

    # 1b. text that looks mis-decoded (a wrong encoding): kept, with a warning naming the rows
    for c in used:
        txt = as_text(src[c]) if is_text(src[c]) else None
        f.note(
            mojibake(txt) if txt is not None else np.zeros(len(src), bool),
            "mojibake",
            c,
            f"text looks mis-decoded (e.g. a CJK character inside a Latin word); check tables.{name}.encoding",
            txt,
        )

    # 2. exclusion rules (on the source text)
    for rule in tm.exclude:
        txt = as_text(src[rule.column])
        m = np.zeros(len(src), bool)
        if rule.in_:
            m |= txt.isin([str(v) for v in rule.in_]).to_numpy()
        for p in rule.startswith:
            m |= txt.str.startswith(str(p)).fillna(False).to_numpy(dtype=bool)
        for p in rule.contains:
            m |= txt.str.contains(str(p), regex=False).fillna(False).to_numpy(dtype=bool)
        if rule.empty:
            m |= txt.isna().to_numpy()
        f.drop(m, "excluded", rule.column, f"excluded by the mapping: {rule.describe()}", txt)

    # 3. duplicate rows (identical in every column of the file)
    dup, first_of = duplicates(src, f.rows)
    if tm.duplicates == "drop":
        f.drop(dup, "duplicate", "*", "identical to an earlier row of the file: dropped", first_of)
    else:
        f.note(dup, "duplicate", "*", "identical to an earlier row of the file: kept", first_of)

    # 4. renames and constants
    out: dict[str, pd.Series] = {}
    for col, s_col in tm.columns.items():
        out[col] = src[s_col]
    for col, v in tm.constants.items():
        out[col] = pd.Series([v] * len(src), index=src.index, dtype=object)
    df = pd.DataFrame(out, index=src.index)

    # 5. value maps and key normalisation (text columns)
    for col in df.columns:
        kind = schema.get(col, "str")
        if kind != "str" and col not in tm.values:
            continue
        txt = as_text(df[col])
        original = txt.str.strip()  # the export's own text: the key's display name in reports
        if col in tm.values:
            vmap = {str(k).strip(): str(v) for k, v in tm.values[col].items()}
            hit = txt.isin(list(vmap)).to_numpy()
            mapped = txt.map(vmap).where(hit, txt)
            other = txt.notna().to_numpy() & ~hit & ~txt.isin(list(vmap.values())).to_numpy()
            policy = tm.unmapped.get(col, "keep")
            if policy == "error" and other.any():
                pos = int(np.flatnonzero(other)[0])
                raise DataError(
                    f"{source}: column {tm.columns.get(col, col)!r} (-> {col}), row {f.rows[pos]}: value "
                    f"{txt.iloc[pos]!r} is not in tables.{name}.values.{col}; expected one of "
                    f"{', '.join(map(repr, vmap))}"
                )
            if policy == "drop":
                f.drop(other, "unmapped_value", col, f"value not in values.{col}: dropped", txt)
            else:
                f.note(other, "unmapped_value", col, f"value not in values.{col}: kept as it is", txt)
            f.info("value_map", col, int((hit & f.alive).sum()), f"values mapped with values.{col}")
            txt = mapped
        if tm.normalize_keys and col in KEY_COLUMNS:
            norm = snake(txt)
            _key_format(f, col, txt, norm)
            txt = norm
            not_ascii = non_ascii(txt)
            f.note(not_ascii, "non_ascii_key", col, f"key is not ASCII; add it to values.{col}", txt)
        if col in KEY_COLUMNS:
            f.count_labels(col, txt, original)
        df[col] = txt

    # 6. types
    for col in list(df.columns):
        kind = schema.get(col)
        if kind in ("float", "int"):
            raw_col = df[col]
            vals, fixed, bad = parse_numbers(raw_col, tm.decimal, tm.thousands, tm.currency)
            shown = as_text(raw_col) if is_text(raw_col) else raw_col
            f.fix(fixed, "number_format", col, "number read after removing currency / separators", shown)
            if col in NOT_NULL.get(name, ()) or kind == "int":
                f.drop(bad, "not_a_number", col, "not a number (required): dropped", shown)
            else:
                f.fix(bad, "not_a_number", col, "not a number: left empty", shown)
            if kind == "int":
                frac = f.alive & ~np.isnan(vals.to_numpy()) & (vals.to_numpy() != np.round(vals.to_numpy()))
                f.drop(frac, "not_whole", col, "not a whole number: dropped", shown)
            df[col] = vals.where(~bad)
        elif kind == "date":
            raw_col = df[col]
            shown = as_text(raw_col) if not pd.api.types.is_datetime64_any_dtype(raw_col.dtype) else raw_col
            how: dict[str, Any] = {}
            try:
                vals, fixed, bad = parse_dates(
                    raw_col, tm.date_format, tm.dayfirst, how, dates.convention.get(col, (None,))[0]
                )
            except DateMismatch as exc:
                raise dates.mismatch(col, exc, shown, f.rows) from None
            dates.decide(col, how, shown, f.rows)
            if col in NOT_NULL.get(name, ()):
                dates(col, f.alive & raw_col.notna().to_numpy(), bad, shown, f.rows)
            f.fix(fixed, "date_format", col, _date_detail(tm, how), shown)
            if tm.date_format:
                f.info(
                    "date_format",
                    col,
                    int((f.alive & ~fixed & ~bad & raw_col.notna().to_numpy()).sum()),
                    f"read with {', '.join(tm.date_format)}",
                )
            else:
                # no date_format: the convention was detected from the values, or is the default
                numeric = np.zeros(len(df), bool)
                if how:
                    numeric = (
                        f.alive
                        & ~bad
                        & shown.astype("str").str.match(r"^\d{1,2}[/.\-]").fillna(False).to_numpy(bool)
                    )
                decided = bool(how.get("decided"))
                f.info(
                    "date_format",
                    col,
                    int(numeric.sum()) if decided else 0,
                    _convention_detail(how, shown, f.rows),
                )
                f.note(
                    numeric if not decided else np.zeros(len(df), bool),
                    "ambiguous_date",
                    col,
                    f"no day over 12 tells day from month: read {how.get('convention', '')} "
                    f"({how.get('format', '')}); set tables.{name}.date_format if that is wrong",
                    shown,
                )
            if col in NOT_NULL.get(name, ()):
                f.drop(bad, "not_a_date", col, "not a date (required): dropped", shown)
            else:
                f.fix(bad, "not_a_date", col, "not a date: left empty", shown)
            df[col] = vals

    # 7. derived columns
    for col, expr in tm.derive.items():
        where = f"{source}: tables.{name}.derive.{col}"
        vals = derive(expr, df, where)
        f.info("derived", col, int(f.alive.sum()), f"{col} = {expr}")
        if col not in NOT_NULL.get(name, ()):  # a required one is dropped as empty below
            f.fix(
                vals.isna().to_numpy(),
                "not_derived",
                col,
                f"no value for {expr} (e.g. a division by 0): left empty",
            )
        df[col] = vals

    # 8. fill empties
    for col, v in tm.fill.items():
        if col not in df.columns:
            df[col] = pd.Series([None] * len(df), index=df.index, dtype=object)
        empty = _empty(df[col])
        if col in PLACEHOLDER_COLUMNS:  # no customer: a placeholder id, kept out of customer-level figures
            f.flag(empty, "placeholder", col, PLACEHOLDER_DETAIL.format(value=v, table=name))
            present = as_text(df[col]).str.strip().eq(str(v)).fillna(False).to_numpy(dtype=bool)
            f.note(present, "placeholder", col, PLACEHOLDER_CLASH.format(value=v), as_text(df[col]))
        else:
            f.fix(empty, "filled", col, f"empty: set to {v!r} (tables.{name}.fill)")
        df[col] = (
            df[col].where(~empty, v)
            if is_text(df[col])
            else df[col].mask(pd.Series(empty, index=df.index), v)
        )

    # 8b. the export's own placeholders: values that stand for no customer
    for col, values in tm.placeholders.items():
        if col in df.columns:
            txt = as_text(df[col])
            hit = txt.str.strip().isin(values).fillna(False).to_numpy(dtype=bool)
            listed = ", ".join(map(repr, values))
            f.flag(hit, "placeholder", col, PLACEHOLDER_LISTED.format(values=listed, table=name), txt)

    # 9. required values
    for col in NOT_NULL.get(name, ()):
        if col in df.columns:
            empty = _empty(df[col])
            f.drop(
                empty, "empty", col, f"{col} is empty (required): dropped; or set tables.{name}.fill.{col}"
            )

    # 10. date window
    dcol = DATE_COLUMN.get(name)
    if dcol in df.columns and (tm.window.start or tm.window.end):
        d = df[dcol]
        if tm.window.start:
            f.drop(
                d < pd.Timestamp(tm.window.start),
                "outside_window",
                dcol,
                f"dated before {tm.window.start}",
                d.dt.strftime("%Y-%m-%d"),
            )
        if tm.window.end:
            f.drop(
                d > pd.Timestamp(tm.window.end),
                "outside_window",
                dcol,
                f"dated after {tm.window.end}",
                d.dt.strftime("%Y-%m-%d"),
            )
    return df


PLACEHOLDER_COLUMNS = frozenset({"customer_id"})
PLACEHOLDER_DETAIL = "no customer: set to {value!r} (tables.{table}.fill), a placeholder: counted in revenue, not as a customer"
PLACEHOLDER_LISTED = (
    "no customer: {values} (tables.{table}.placeholders), a placeholder: counted in revenue, not as a customer"
)
PLACEHOLDER_CLASH = (
    "the export already holds {value!r}: these rows are taken for the placeholder too (anonymous); "
    "choose a fill value the export does not use if they are a real customer"
)


def _key_format(f: Findings, col: str, text: pd.Series, norm: pd.Series) -> None:
    """Key normalisation in the report: written lower-case with '_' is how a key is stored, not a fix (the
    reports show the export's own text, `Findings.count_labels`): an `info` line with an example from the data.
    `text`: after the value maps (a value map's many-to-one is the user's choice). Spellings of one key that
    differ (`office supplies` beside `Office Supplies`) are listed once the whole file is read
    (`report.spelling_items`)."""
    changed = (norm != text).fillna(False).to_numpy(dtype=bool)
    pos = np.flatnonzero(changed & f.alive)
    example = f": {text.iloc[pos[0]]!r} -> {norm.iloc[pos[0]]!r}" if len(pos) else ""
    f.info("key_format", col, int((changed & f.alive).sum()), f"keys written lower-case with '_'{example}")


def complete(kept: pd.DataFrame, name: str, tm: TableMapping, source: str) -> pd.DataFrame:
    """Step 12: every schema column present (unmapped optional ones empty), schema order first, extras
    after (derived ones as numbers, the others as text), typed by `coerce_table`."""
    schema = SCHEMA[name]
    for col, kind in schema.items():
        if col not in kept.columns:
            kept[col] = pd.Series(
                np.full(len(kept), np.nan) if kind == "float" else [None] * len(kept),
                dtype={"float": "float64", "date": "datetime64[us]", "str": "str"}.get(kind, "float64"),
            )
    extras = [c for c in kept.columns if c not in schema]
    for col in extras:
        kept[col] = kept[col].astype("float64") if col in tm.derive else as_text(kept[col])
    kept = kept[[*schema, *extras]]
    return coerce_table(kept, name, source=f"{source} (mapped)")


def _empty(s: pd.Series) -> np.ndarray:
    """Missing or blank text."""
    empty = np.array(s.isna().to_numpy(), dtype=bool)
    if is_text(s):
        empty |= (s.astype("str").str.strip() == "").fillna(False).to_numpy(dtype=bool)
    return empty


def _first_rows(src: pd.DataFrame, dup: np.ndarray, rows: np.ndarray) -> pd.Series:
    """For each duplicate row: 'same as row N' (N = the first row with identical content)."""
    key = pd.util.hash_pandas_object(src, index=False).to_numpy()
    first: dict[int, int] = {}
    out = np.empty(len(src), dtype=object)
    for i, k in enumerate(key):
        if k not in first:
            first[k] = int(rows[i])
        if dup[i]:
            out[i] = f"same as row {first[k]}"
    return pd.Series(out, index=src.index)


def _date_detail(tm: TableMapping, how: dict[str, Any]) -> str:
    conv = how.get("convention") or ("day-first" if tm.dayfirst else "month-first")
    return f"date in none of {', '.join(tm.date_format)}: read {conv} (the column's convention)"


def _convention_detail(how: dict[str, Any], shown: pd.Series, rows: np.ndarray) -> str:
    if not how.get("decided"):
        return ""
    p = how["position"]
    return (
        f"dates read {how['convention']} ({how['format']}): row {int(rows[p])} {str(shown.iloc[p])!r} "
        f"has a {'day' if how['convention'] == DAY_FIRST else 'second number'} over 12"
    )
