"""Basic consistency checks of a loaded data set: schema kinds, required values, duplicate keys, references
between tables, absurd amounts. `validate_tables(tables)` returns the `Problem`s found (empty when clean).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

import numpy as np
import pandas as pd

from planning.data.schema import KEYS, NOT_NULL, SCHEMA
from planning.data.tables import Tables


@dataclasses.dataclass(frozen=True)
class Problem:
    """One finding of `validate_tables`: where (table, column, first row position), the offending value, what
    was expected, 'error' or 'warning', and how many rows share the problem. `rule` names the check and `args`
    its figures ((name, text) pairs), so a report in another language can say `expected` in its own words
    (`planning.runner.texts.problem_message`; locale/check.yaml `expected.<rule>`)."""

    table: str
    column: str
    row: int | None
    value: str
    expected: str
    severity: str = "error"
    count: int = 1
    rule: str = ""
    args: tuple[tuple[str, str], ...] = ()

    @property
    def message(self) -> str:
        """What is wrong, without the severity (`planning check` prints its own `error:` prefix)."""
        where = f"{self.table}.{self.column}" + (f" row {self.row}" if self.row is not None else "")
        more = f" ({self.count} rows)" if self.count > 1 else ""
        return f"{where}: {self.value!r}{more}; expected {self.expected}"

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def kind_of(s: pd.Series) -> str:
    """The schema kind of a column: 'str', 'date', 'float', 'int' or 'other'."""
    dt = s.dtype
    if isinstance(dt, pd.CategoricalDtype):
        return kind_of(pd.Series(dt.categories))
    if pd.api.types.is_datetime64_any_dtype(dt):
        return "date"
    if pd.api.types.is_bool_dtype(dt):
        return "other"
    if pd.api.types.is_integer_dtype(dt):
        return "int"
    if pd.api.types.is_float_dtype(dt):
        return "float"
    if pd.api.types.is_string_dtype(dt):
        return "str"
    return "other"


def _first(
    table: str,
    column: str,
    df: pd.DataFrame,
    mask,
    expected: str,
    severity: str = "error",
    ident: bool = False,
    rule: str = "",
    **args: str,
) -> Problem | None:
    """The first row where `mask` holds, as a Problem; `ident`: the value names the row's key (order_id ...), which
    a user finds in the export whatever order the table was sorted in."""
    mask = np.asarray(mask, dtype=bool)
    n = int(mask.sum())
    if n == 0:
        return None
    pos = int(np.flatnonzero(mask)[0])
    value = df[column].iloc[pos]
    # year-month-day from the fields: `.date()` fails for a year outside 1..9999 (a "-0" cell read as year 0)
    text = f"{value.year:04d}-{value.month:02d}-{value.day:02d}" if isinstance(value, pd.Timestamp) else str(value)
    key = next((c for c in KEYS.get(table, ()) if c in df.columns and c != column), None)
    if ident and key is not None:
        text = f"{text} ({key} {df[key].iloc[pos]})"
    return Problem(table, column, pos, text, expected, severity, n, rule, tuple(args.items()))


# Extreme values that would pass every other check and break the plan (issue 17 case 12).
MAX_ABS = (
    1e15  # no amount, price or count of a sales plan is this large in any currency; sums of 1e308 overflow
)
FIRST_DATE, LAST_DATE = pd.Timestamp("1970-01-01"), pd.Timestamp("2099-12-31")
MAX_GAP_DAYS = 5 * 366  # orders this far from all the others are a typo (1900 for 2019), not history
MIN_MONTHS = 3  # below this many months of orders a plan has no trend, seasonality or forecast


def extreme_values(name: str, df: pd.DataFrame) -> list[Problem | None]:
    """Numbers that are not finite or beyond MAX_ABS, dates outside 1970-2099, and order dates separated from the
    rest of the history by more than MAX_GAP_DAYS: each an error naming the row's key and what was expected."""
    probs: list[Problem | None] = []
    for col, kind in SCHEMA[name].items():
        if col not in df.columns:
            continue
        k = kind_of(df[col])
        if kind in ("float", "int") and k in ("float", "int"):
            x = df[col].to_numpy(dtype=float, na_value=np.nan)
            bad = np.isinf(x) | (np.abs(np.nan_to_num(x)) > MAX_ABS)
            probs.append(
                _first(
                    name, col, df, bad, f"a finite number within +-{MAX_ABS:.0e}", ident=True, rule="finite",
                    bound=f"{MAX_ABS:.0e}",
                )
            )  # fmt: skip
        elif kind == "date" and k == "date":
            d = df[col]
            bad = (d < FIRST_DATE) | (d > LAST_DATE)
            probs.append(
                _first(
                    name, col, df, bad.fillna(False), "a date between 1970-01-01 and 2099-12-31", ident=True,
                    rule="date_range", first=str(FIRST_DATE.date()), last=str(LAST_DATE.date()),
                )  # fmt: skip
            )
    if name == "orders" and "order_date" in df.columns and kind_of(df["order_date"]) == "date":
        probs.append(_isolated_dates(df))
    return probs


def _isolated_dates(o: pd.DataFrame) -> Problem | None:
    """Order dates cut off from the bulk of the history by a gap over MAX_GAP_DAYS (the smaller side)."""
    days = np.unique(o["order_date"].dropna().to_numpy(dtype="datetime64[D]"))
    if len(days) < 2:
        return None
    gaps = np.flatnonzero(np.diff(days).astype(int) > MAX_GAP_DAYS)
    if not len(gaps):
        return None
    d = o["order_date"].to_numpy(dtype="datetime64[D]")
    bulk_lo, bulk_hi = days[0], days[-1]
    # the bulk: the longest run of days without such a gap (by rows)
    edges = [0, *(gaps + 1), len(days)]
    runs = [(days[a], days[b - 1]) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    bulk_lo, bulk_hi = max(runs, key=lambda r: int(((d >= r[0]) & (d <= r[1])).sum()))
    off = ~((d >= bulk_lo) & (d <= bulk_hi)) & ~pd.isna(o["order_date"]).to_numpy()
    return _first(
        "orders",
        "order_date",
        o,
        off,
        f"a date near the rest of the history ({bulk_lo} to {bulk_hi}; more than {MAX_GAP_DAYS // 366} years "
        "away is taken for a typo in the year)",
        ident=True,
        rule="isolated_date",
        first=str(bulk_lo),
        last=str(bulk_hi),
        years=str(MAX_GAP_DAYS // 366),
    )


ABSURD_FACTOR = 1000  # an order line this many times the 99th percentile of line amounts is rejected
ABSURD_MIN_LINES = 20  # below this many lines a percentile says nothing


def validate_tables(tables: Tables, placeholders: Collection[str] = ()) -> list[Problem]:
    """Basic, vectorised consistency checks of a loaded data set.

    In: `Tables`. Out: list of `Problem` (empty when clean): schema kinds, empty required values, duplicate keys,
    orders.rep_id / opportunities.rep_id not in reps, orders.customer_id not in customers, regions not in the
    regions table (warning), negative unit prices, absurd amounts (over ABSURD_FACTOR x the 99th percentile),
    amount != quantity * unit_price (warning), an order booked
    by a rep not employed on its date (warning). `placeholders`: customer ids that stand for no customer
    (`placeholders.csv`, e.g. the `fill` of anonymous lines), not looked up in customers.
    """
    probs: list[Problem | None] = []
    for name, df in tables.items():
        for col, kind in SCHEMA[name].items():
            if col not in df.columns:
                probs.append(
                    Problem(name, col, None, "<missing>", f"a column of kind {kind}", rule="column", args=(("kind", kind),))
                )
                continue
            k = kind_of(df[col])
            if k != kind and not (kind == "float" and k == "int"):
                probs.append(
                    Problem(name, col, None, str(df[col].dtype), f"kind {kind}", rule="kind", args=(("kind", kind),))
                )
            elif kind == "date" and col in NOT_NULL.get(name, ()):
                probs.append(_first(name, col, df, df[col].isna(), "a date", rule="date"))
        key = [c for c in KEYS[name] if c in df.columns]
        if key and len(key) == len(KEYS[name]):
            dup = df.duplicated(key, keep="first").to_numpy()
            probs.append(_first(name, key[0], df, dup, f"unique {' + '.join(key)}", rule="unique", columns=" + ".join(key)))
    for name, df in tables.items():
        probs += extreme_values(name, df)
    o, reps, cust = tables.orders, tables.reps, tables.customers
    if "unit_price" in o.columns:
        probs.append(_first("orders", "unit_price", o, o["unit_price"] < 0, "a unit price >= 0", rule="unit_price"))
    if {"amount", "quantity", "unit_price"} <= set(o.columns):
        diff = (o["amount"] - o["quantity"] * o["unit_price"]).abs()
        probs.append(
            _first(
                "orders",
                "amount",
                o,
                diff > 0.01 + 1e-9 * o["amount"].abs(),
                "quantity * unit_price",
                "warning",
                rule="line_amount",
            )
        )
    if "amount" in o.columns and len(o) >= ABSURD_MIN_LINES:
        # Relative to the data's own scale, so it holds for any currency: a line a thousand times larger
        # than the 99th percentile is a typo or a unit error (cents as yuan), not a sale.
        size = o["amount"].abs()
        bound = ABSURD_FACTOR * max(float(size.quantile(0.99)), 1.0)
        probs.append(
            _first(
                "orders",
                "amount",
                o,
                size > bound,
                f"an amount within {ABSURD_FACTOR:,}x the 99th percentile "
                f"of line amounts (|amount| <= {bound:,.2f})",
                rule="absurd_amount",
                factor=f"{ABSURD_FACTOR:,}",
                bound=f"{bound:,.2f}",
            )
        )
    if reps is not None and "rep_id" in reps.columns:
        known = reps["rep_id"]
        for name in ("orders", "opportunities", "plan_of_record"):
            df = tables.get(name)
            if df is not None and "rep_id" in df.columns:
                sev = "error" if name == "orders" else "warning"
                probs.append(
                    _first(name, "rep_id", df, ~df["rep_id"].isin(known), "a rep_id of reps", sev, rule="rep_of_reps")
                )
        if {"rep_id", "order_date"} <= set(o.columns) and {"hire_date", "exit_date"} <= set(reps.columns):
            r = reps.drop_duplicates("rep_id").set_index("rep_id")
            hire = o["rep_id"].map(r["hire_date"])
            ex = o["rep_id"].map(r["exit_date"])
            off = (o["order_date"] < hire) | (ex.notna() & (o["order_date"] > ex))
            probs.append(
                _first("orders", "rep_id", o, off, "a rep employed on the order date", "warning", rule="rep_employed")
            )
    if cust is not None and "customer_id" in cust.columns and "customer_id" in o.columns:
        probs.append(
            _first(
                "orders",
                "customer_id",
                o,
                ~o["customer_id"].isin(cust["customer_id"]) & ~o["customer_id"].isin(list(placeholders)),
                "a customer_id of customers",
                rule="customer_of_customers",
            )
        )
    if tables.regions is not None and "region" in tables.regions.columns:
        known_r = tables.regions["region"]
        for name, df in tables.items():
            if name != "regions" and "region" in df.columns:
                probs.append(
                    _first(
                        name, "region", df, ~df["region"].isin(known_r), "a region of regions", "warning",
                        rule="region_of_regions",
                    )  # fmt: skip
                )
    return [p for p in probs if p is not None]
