"""Parsing an export's cells: amounts in any number style, dates in the export's style, derived columns, keys.

Numbers: currency symbols / codes, spaces and thousands separators removed, "(12.50)" and a trailing minus
read as negative (`parse_numbers`). Dates: listed strftime formats, ISO 8601, day-first formats, then a per-value
parser (`parse_dates`). Both say which cells were read only after a fix and which are not a number / date.
"""

from __future__ import annotations

import ast
import datetime as _dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from planning.errors import DataError

DEFAULT_CURRENCY = ["$", "¥", "￥", "€", "£", "RMB", "CNY", "USD", "元"]
# Day-first formats tried (vectorised) before the slow per-value parser when `dayfirst` is set.
_DAYFIRST_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")


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


def parse_dates(
    s: pd.Series, formats: list[str] | None = None, dayfirst: bool = False
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Date text in the export's style -> datetime64[us] at midnight.

    Tries each of `formats` (strftime) in order, then ISO 8601, then (dayfirst) common day-first formats and
    finally a per-value parser with `dayfirst`. Excel / Parquet dates are taken as they are. Out: (dates, fixed =
    in none of `formats` nor ISO but still read, bad = non-empty but no date).
    """
    n = len(s)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.astype("datetime64[us]").dt.normalize(), np.zeros(n, bool), np.zeros(n, bool)
    if s.dtype == object and len(s.dropna()) and all(isinstance(v, _dt.date) for v in s.dropna().iloc[:100]):
        out = pd.to_datetime(s, errors="coerce").astype("datetime64[us]").dt.normalize()
        return out, np.zeros(n, bool), (out.isna() & s.notna()).to_numpy()
    txt = as_text(s)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    iso = np.zeros(n, bool)  # read by a listed format or as ISO: as expected, not a fix
    tries = [(f, True) for f in formats or []] + [("ISO8601", True)]
    if dayfirst:
        tries += [(f, False) for f in _DAYFIRST_FORMATS]
    for fmt, is_iso in tries:
        todo = out.isna().to_numpy() & txt.notna().to_numpy()
        if not todo.any():
            break
        got = pd.to_datetime(txt[todo], format=fmt, errors="coerce")
        if isinstance(got.dtype, pd.DatetimeTZDtype):
            got = got.dt.tz_localize(None)
        out.loc[todo] = got.astype("datetime64[us]")
        if is_iso:
            iso[todo] = got.notna().to_numpy()
    todo = out.isna().to_numpy() & txt.notna().to_numpy()
    if todo.any():
        got = pd.to_datetime(txt[todo], format="mixed", dayfirst=dayfirst, errors="coerce")
        if isinstance(got.dtype, pd.DatetimeTZDtype):
            got = got.dt.tz_localize(None)
        out.loc[todo] = got.astype("datetime64[us]")
    out = out.dt.normalize()
    present = txt.notna().to_numpy()
    bad = present & out.isna().to_numpy()
    fixed = present & ~bad & ~iso
    return out, fixed, bad


_ALLOWED_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def derive(expr: str, df: pd.DataFrame, where: str) -> pd.Series:
    """Evaluate `a * b`, `amount / quantity`, `(x - y) * 0.13` over the numeric canonical columns of `df`."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        raise DataError(f"{where}: {expr!r} is not an arithmetic expression of column names") from None

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
            if node.id not in df.columns:
                raise DataError(
                    f"{where}: {expr!r} uses column {node.id!r}, which is not mapped; "
                    f"mapped columns: {', '.join(df.columns)}"
                )
            col = df[node.id]
            if not pd.api.types.is_numeric_dtype(col.dtype):
                raise DataError(f"{where}: {expr!r} uses {node.id!r}, which is not a number column")
            return col.astype("float64")
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
