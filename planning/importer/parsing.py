"""Parsing an export's cells: amounts in any number style, dates in the export's style, derived columns, keys.

Numbers: currency symbols / codes, spaces and thousands separators removed, "(12.50)" and a trailing minus
read as negative (`parse_numbers`). Dates: listed strftime formats, ISO 8601, day-first formats, then a per-value
parser (`parse_dates`). Both say which cells were read only after a fix and which are not a number / date.
"""

from __future__ import annotations

import ast
import datetime as _dt
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from planning.errors import DataError

DEFAULT_CURRENCY = ["$", "¥", "￥", "€", "£", "RMB", "CNY", "USD", "元"]


def is_text(s: pd.Series) -> bool:
    return s.dtype == "str" or s.dtype == object or isinstance(s.dtype, pd.StringDtype)


def as_text(s: pd.Series) -> pd.Series:
    """Any column -> trimmed text with missing kept missing (Excel numbers as their shortest repr)."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.strftime("%Y-%m-%d %H:%M:%S").astype("str")
    if s.dtype == object:
        s = s.map(lambda v: v if v is None or isinstance(v, str) or pd.isna(v) else _text_of(v))
    return s.astype("str").str.strip()


def _text_of(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, _dt.datetime | pd.Timestamp):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    return str(v)


_PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"  # '12', '-0.5', '1.5e3': nothing to clean
_PLAIN_CHARS = set("0123456789.+-eE")


def _plain_numbers(txt: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Which cells of a text column are plain decimal numbers, and their values (NaN elsewhere), parsed in
    Arrow: the same doubles as `pd.to_numeric` (correctly rounded), without a Python object per cell."""
    arr = pa.array(txt.astype("str"), type=pa.large_string())
    is_plain = pc.fill_null(pc.match_substring_regex(arr, _PLAIN_NUMBER), False)
    mask = is_plain.to_numpy(zero_copy_only=False)
    vals = np.full(len(txt), np.nan)
    if mask.any():
        vals[mask] = pc.cast(pc.filter(arr, is_plain), pa.float64()).to_numpy(zero_copy_only=False)
    return mask, vals


def _to_numeric(txt: pd.Series) -> np.ndarray:
    """`pd.to_numeric(txt, errors="coerce")` as float64: plain numbers parsed in Arrow, the rest by pandas."""
    mask, vals = _plain_numbers(txt)
    rest = ~mask & txt.notna().to_numpy()
    if rest.any():
        vals[rest] = pd.to_numeric(txt[rest], errors="coerce").astype("float64").to_numpy()
    return vals


def parse_numbers(
    s: pd.Series, decimal: str = ".", thousands: str = ",", currency: list[str] | None = None
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Text amounts -> float64.

    Removes currency symbols / codes, spaces and the thousands separator, reads `decimal` as the decimal point
    and "(12.50)" as -12.50. In: a column (text or already numeric). Out: (values, fixed = parsed only after
    cleaning, bad = non-empty but not a number); missing stays NaN.
    """
    n = len(s)
    if not is_text(s) and pd.api.types.is_numeric_dtype(s.dtype):
        return s.astype("float64"), np.zeros(n, bool), np.zeros(n, bool)
    txt = as_text(s)
    present = txt.notna().to_numpy()
    symbols = currency if currency is not None else DEFAULT_CURRENCY
    if decimal == "." and not (set(thousands) | set("".join(symbols))) & _PLAIN_CHARS:
        mask, vals = _plain_numbers(txt)
        if (mask | ~present).all():  # every cell a plain number: the cleaning below would change nothing
            return pd.Series(vals, index=s.index, dtype="float64"), np.zeros(n, bool), np.zeros(n, bool)
    plain = _to_numeric(txt)
    t = txt
    paren = t.str.match(r"^\(.*\)$").fillna(False).to_numpy(dtype=bool)
    t = t.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    for sym in sorted(symbols, key=len, reverse=True):
        t = t.str.replace(sym, "", regex=False)
    t = t.str.replace(r"\s+", "", regex=True)
    if thousands:
        t = t.str.replace(thousands, "", regex=False)
    if decimal != ".":
        t = t.str.replace(decimal, ".", regex=False)
    t = t.str.replace(r"^(\d[\d.]*)-$", r"-\1", regex=True)  # trailing minus of some ERP exports
    vals = _to_numeric(t)
    vals = np.where(paren, -vals, vals)
    fixed = present & ~np.isnan(vals) & np.isnan(plain)
    # "1,234" with "," as thousands must not be read as plain 1.234 when the decimal is ","
    if decimal != ".":
        fixed = present & ~np.isnan(vals) & (plain != vals)
    bad = present & np.isnan(vals)
    return pd.Series(vals, index=s.index, dtype="float64"), fixed, bad


# A numeric date with the year last: day and month in either order (03/01/19, 13.01.2019, 1-3-2019 10:30).
_NUMERIC_DATE = r"^(\d{1,2})([/.\-])(\d{1,2})([/.\-])(\d{4}|\d{2})(?:[ T]+(\d{1,2}:\d{2}(?::\d{2})?))?$"
DAY_FIRST, MONTH_FIRST = "day-first", "month-first"


class DateMismatch(ValueError):
    """The column's dates do not fit the mapping's `date_format` / `dayfirst` (or mix both conventions).
    `positions`: frame positions of example values; `fits`: the format that reads them; `given`: what the
    mapping set (or "" when the column itself mixes day-first and month-first dates)."""

    def __init__(self, positions: list[int], fits: str, given: str, other: list[int] | None = None):
        super().__init__(f"dates fit {fits}, not {given}")
        self.positions, self.fits, self.given, self.other = positions, fits, given, other or []


def _convention_of(formats: list[str]) -> str | None:
    """day-first / month-first of the first listed format with the year last (e.g. '%d/%m/%y'), else None."""
    for fmt in formats:
        d, m, y = (fmt.find(x) for x in ("%d", "%m", "%y" if "%y" in fmt else "%Y"))
        if min(d, m, y) >= 0 and y > max(d, m):
            return DAY_FIRST if d < m else MONTH_FIRST
    return None


def _format_of(sep: str, year: str, time: str | None, convention: str) -> str:
    first, second = ("%d", "%m") if convention == DAY_FIRST else ("%m", "%d")
    fmt = f"{first}{sep}{second}{sep}{'%Y' if len(year) == 4 else '%y'}"
    if isinstance(time, str) and time:
        fmt += " %H:%M:%S" if time.count(":") == 2 else " %H:%M"
    return fmt


def parse_dates(
    s: pd.Series,
    formats: list[str] | None = None,
    dayfirst: bool = False,
    how: dict[str, Any] | None = None,
    convention: str | None = None,
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Date text in the export's style -> datetime64[us] at midnight, one convention per column.

    Tries each of `formats` (strftime) in order, then ISO 8601. Numeric dates with the year last (03/01/19)
    are read with one convention for the whole column: the values decide (a first number over 12 is a day:
    day-first; a second one over 12: month-first), else `convention` (decided by earlier record batches),
    else the listed format's, else `dayfirst`. Other text (3 Jan 2019) goes to a per-value parser. Excel /
    Parquet dates are taken as they are. Out: (dates, fixed = not in `formats` / ISO but read, only when
    `formats` are listed; bad = non-empty but no date); `how` (when given) gets the convention, whether the
    values decided it, an example position and the format. Raises DateMismatch when the values contradict
    `formats` / `dayfirst: true` or mix both conventions.
    """
    n = len(s)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.astype("datetime64[us]").dt.normalize(), np.zeros(n, bool), np.zeros(n, bool)
    if s.dtype == object and len(s.dropna()) and all(isinstance(v, _dt.date) for v in s.dropna().iloc[:100]):
        out = pd.to_datetime(s, errors="coerce").astype("datetime64[us]").dt.normalize()
        return out, np.zeros(n, bool), (out.isna() & s.notna()).to_numpy()
    formats = formats or []
    txt = as_text(s)
    present = txt.notna().to_numpy()
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    for fmt in [*formats, "ISO8601"]:
        todo = out.isna().to_numpy() & present
        if not todo.any():
            break
        got = pd.to_datetime(txt[todo], format=fmt, errors="coerce")
        if isinstance(got.dtype, pd.DatetimeTZDtype):
            got = got.dt.tz_localize(None)
        out.loc[todo] = got.astype("datetime64[us]")
    expected = out.notna().to_numpy()  # read by a listed format or as ISO: not a fix

    # numeric dates, year last: one convention for the column, decided by the values where they can
    # worked out once per distinct text (a date column of millions of rows holds a few thousand days)
    codes, uniques = pd.factorize(txt)
    parts = pd.Series(uniques, dtype="str").str.extract(_NUMERIC_DATE)
    num_u = parts[0].notna().to_numpy()
    a = pd.to_numeric(parts[0], errors="coerce").to_numpy()
    b = pd.to_numeric(parts[2], errors="coerce").to_numpy()

    def per_row(x: np.ndarray) -> np.ndarray:
        return np.append(x, False)[codes]

    numeric = per_row(num_u)
    day_ev, month_ev = per_row(num_u & (a > 12) & (b <= 12)), per_row(num_u & (b > 12) & (a <= 12))

    def format_at(pos: int, conv: str) -> str:
        u = codes[pos]
        return _format_of(parts.iloc[u, 1], parts.iloc[u, 4], parts.iloc[u, 5], conv)

    listed = _convention_of(formats)
    if day_ev.any() and month_ev.any():
        raise DateMismatch(
            list(np.flatnonzero(month_ev)[:3]), MONTH_FIRST, DAY_FIRST, list(np.flatnonzero(day_ev)[:3])
        )
    evidence = day_ev if day_ev.any() else month_ev if month_ev.any() else None
    if evidence is not None:
        conv = DAY_FIRST if evidence is day_ev else MONTH_FIRST
    else:
        conv = convention or listed or (DAY_FIRST if dayfirst else MONTH_FIRST)
    given = (f"date_format {', '.join(formats)}", listed) if listed else ("dayfirst: true", DAY_FIRST)
    if evidence is not None and (listed or dayfirst) and given[1] != conv:
        pos = list(np.flatnonzero(evidence)[:3])
        p0 = pos[0]
        raise DateMismatch(pos, format_at(p0, conv), given[0])
    todo = ~expected & present & numeric
    if todo.any():
        need = np.unique(codes[todo])
        p = parts.iloc[need]
        day, month = (p[0], p[2]) if conv == DAY_FIRST else (p[2], p[0])
        year = p[4].where(p[4].str.len() == 4, (p[4].astype("float") + 0).map(_century))
        iso = year + "-" + month.str.zfill(2) + "-" + day.str.zfill(2) + (" " + p[5]).fillna("")
        vals = np.full(len(parts), np.datetime64("NaT"), "datetime64[us]")
        vals[need] = pd.to_datetime(iso, format="ISO8601", errors="coerce").to_numpy("datetime64[us]")
        out.loc[todo] = vals[codes[todo]]
    todo = out.isna().to_numpy() & present & ~numeric
    if todo.any():  # text months and other styles
        got = pd.to_datetime(txt[todo], format="mixed", dayfirst=conv == DAY_FIRST, errors="coerce")
        if isinstance(got.dtype, pd.DatetimeTZDtype):
            got = got.dt.tz_localize(None)
        out.loc[todo] = got.astype("datetime64[us]")
    out = out.dt.normalize()
    bad = present & out.isna().to_numpy()
    # a fix: read by the per-value parser, or (with formats listed) by the column's convention
    fixed = present & ~bad & ~expected & (~numeric if not formats else True)
    if how is not None and numeric.any():
        p0 = int(np.flatnonzero(evidence if evidence is not None else numeric)[0])
        how.update(
            convention=conv,
            decided=evidence is not None,
            position=p0,
            format=format_at(p0, conv),
            rows=int((numeric & ~expected & ~bad).sum()),
        )
    return out, fixed, bad


def _century(y: float) -> str:
    """A two-digit year as strptime's %y reads it: 69-99 -> 19xx, 00-68 -> 20xx."""
    return str(int(y) + (1900 if y >= 69 else 2000))


_ALLOWED_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


_QUOTED = re.compile(r"`([^`]+)`")


def _parse_expression(expr: str, where: str) -> tuple[ast.Expression, dict[str, str]]:
    """The expression's syntax tree, and the names written in backticks (`Unit Cost`) by the placeholder
    identifiers that stand for them in the tree."""
    quoted: dict[str, str] = {}

    def repl(m: re.Match) -> str:
        ident = f"__col{len(quoted)}__"
        quoted[ident] = m.group(1)
        return ident

    try:
        tree = ast.parse(_QUOTED.sub(repl, expr), mode="eval")
    except SyntaxError:
        raise DataError(f"{where}: {expr!r} is not an arithmetic expression of column names") from None
    for node in ast.walk(tree):
        ok = isinstance(node, ast.Expression | ast.Name | ast.Load | ast.USub | ast.operator) or (
            isinstance(node, ast.BinOp) and type(node.op) in _ALLOWED_OPS
        )
        ok = ok or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub))
        ok = ok or (isinstance(node, ast.Constant) and isinstance(node.value, int | float))
        if not ok or (isinstance(node, ast.operator) and type(node) not in _ALLOWED_OPS):
            raise DataError(f"{where}: {expr!r}: only + - * / ( ) numbers and column names are allowed")
    return tree, quoted


def expression_names(expr: str, where: str = "derive") -> list[str]:
    """The column names an arithmetic expression uses (backticked names as written), each once."""
    tree, quoted = _parse_expression(expr, where)
    names = [quoted.get(n.id, n.id) for n in ast.walk(tree) if isinstance(n, ast.Name)]
    return list(dict.fromkeys(names))


def derive(
    expr: str,
    df: pd.DataFrame,
    where: str,
    source: Callable[[str], pd.Series | None] | None = None,
) -> pd.Series:
    """Evaluate `a * b`, `amount / quantity`, `(x - y) * 0.13` over the numeric columns of `df` (the canonical
    columns mapped so far); a name that is not one of them is looked up with `source` (a column of the file or a
    lookup, read as a number; None when there is no such column). A name with spaces or other characters is
    written in backticks: `` amount * (1 - `Discount Rate`) ``."""
    tree, quoted = _parse_expression(expr, where)

    def column(name: str) -> pd.Series:
        if name in df.columns:
            col = df[name]
            if not pd.api.types.is_numeric_dtype(col.dtype):
                raise DataError(f"{where}: {expr!r} uses {name!r}, which is not a number column")
            return col.astype("float64")
        col = source(name) if source is not None else None
        if col is None:
            raise DataError(
                f"{where}: {expr!r} uses column {name!r}, which is neither a mapped column nor a column of the "
                f"file; mapped columns: {', '.join(map(str, df.columns))}"
            )
        return col.astype("float64")

    def ev(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _ALLOWED_OPS:
            a, b = ev(node.left), ev(node.right)
            op = _ALLOWED_OPS[type(node.op)]
            return {"+": a + b, "-": a - b, "*": a * b}[op] if op != "/" else a / b
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name):
            return column(quoted.get(node.id, node.id))
        raise DataError(f"{where}: {expr!r}: only + - * / ( ) numbers and column names are allowed")

    res = ev(tree)
    if not isinstance(res, pd.Series):
        res = pd.Series(float(res), index=df.index)
    return res.replace([np.inf, -np.inf], np.nan)


def snake(s: pd.Series) -> pd.Series:
    """Key text lower-case with '_' for spaces, '/' and '&'; worked out once per distinct value (a key column
    holds a handful of values in millions of rows)."""
    codes, uniques = pd.factorize(s)
    u = pd.Series(uniques, dtype="str")
    u = (
        u.str.strip()
        .str.lower()
        .str.replace(r"[\s/&]+", "_", regex=True)
        .str.replace(r"_+", "_", regex=True)
        .str.strip("_")
    )
    return pd.Series(np.append(u.to_numpy(dtype=object), None)[codes], index=s.index, dtype="str")


def non_ascii(s: pd.Series) -> np.ndarray:
    """Text with a character outside ASCII (missing is not), per distinct value."""
    codes, uniques = pd.factorize(s)
    return ~np.array([str(u).isascii() for u in uniques] + [True], bool)[codes]


# Signs of text decoded with the wrong code page: a CJK character inside a Latin word ("Berguvsv刧en": cp1252
# read as GB18030), UTF-8 read as a single-byte code page ("Ã©", "â€™"), the replacement character.
_MOJIBAKE = (
    r"[A-Za-z][\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]+[A-Za-z]"
    r"|[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac|\ufffd"
)


def mojibake(s: pd.Series) -> np.ndarray:
    """Text that looks mis-decoded (see _MOJIBAKE), per distinct value; missing is not."""
    codes, uniques = pd.factorize(s)
    if not len(uniques):
        return np.zeros(len(s), bool)
    hit = pd.Series(uniques, dtype="str").str.contains(_MOJIBAKE, regex=True).fillna(False).to_numpy(bool)
    return np.append(hit, False)[codes]
