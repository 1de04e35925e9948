"""Dimensions with many values shown as their top N by sales plus "other" (issue 17 case 1).

An ERP export may map `product_line` to a stock code with thousands of values; a chart, table, segment list or
mix driver over them is unreadable (and a chart over them too large to embed). Every step reads its data through
`group_dimensions`, so that each dimension (product line, channel, industry, size band, lead source) keeps its
`top` values with the most sales and relabels the rest `OTHER`, the same values in every table that holds the
dimension. Rows are relabelled, never dropped or summed here: every total stays exact ("other" = total - the top
values, to the cent), and a step's own group-by does the adding up.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

import pandas as pd

from planning.data.tables import Tables

OTHER = "other"  # the key of the grouped values; `common.yaml` names it ("Other" / "其他")
DEFAULT_TOP = 8  # as params' data.top_values
# order-line columns the ranking reads (every step reads them, so that every step shows the same values)
RANKING_COLUMNS = ("customer_id", "amount", "product_line", "channel")

# dimension -> the (table, column) pairs that hold its values, ranked together (docs/data.md)
DIMENSIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "product_line": (("orders", "product_line"), ("opportunities", "product_line")),
    "channel": (("orders", "channel"),),
    "industry": (
        ("customers", "industry"),
        ("orders", "industry"),  # an export's segment kept on the order lines (extra column)
        ("opportunities", "industry"),
        ("market_size", "industry"),
    ),
    "size_band": (("customers", "size_band"), ("orders", "size_band")),
    "lead_source": (
        ("customers", "acquisition_channel"),
        ("opportunities", "source"),
        ("marketing", "channel"),
    ),
}


@dataclasses.dataclass(frozen=True)
class Grouping:
    """What `group_dimensions` did to one dimension: `values` distinct values in the data, the `shown` ones
    (largest sales first) and how many (`grouped`) became OTHER with their share of sales (NaN when the
    dimension's sales are unknown)."""

    dimension: str
    values: int
    shown: tuple[str, ...]
    grouped: int
    other_share: float


def top_n(ranking: pd.DataFrame, n: int, keep: Iterable[str] = ()) -> list[str]:
    """The values to show of a dimension: the `n` first by sales of `ranking` (index: value; columns: sales,
    rows; see `ranking`), then by rows, then by name, so the same data gives the same choice; plus any of `keep`
    (values the parameters name) that occur. All of them when at most one value would be left over (an "other"
    of one value says less than its name)."""
    order = pd.DataFrame(
        {
            "v": ranking.index.astype(str),
            "s": ranking["sales"].to_numpy(float),
            "r": ranking["rows"].to_numpy(float),
        }
    ).sort_values(["s", "r", "v"], ascending=[False, False, True], kind="stable")
    values = order["v"].tolist()
    if len(values) <= n + 1:
        return values
    wanted = set(keep)
    return values[:n] + [v for v in values[n:] if v in wanted]


def distinct(tables: Tables, dimension: str) -> set[str]:
    """The values of `dimension` over every table that holds it (missing is no value)."""
    out: set[str] = set()
    for table, column in DIMENSIONS[dimension]:
        df = tables.get(table)
        if df is not None and column in df.columns:
            out.update(str(v) for v in pd.unique(df[column].dropna()))
    return out


def ranking(tables: Tables, dimension: str) -> pd.DataFrame:
    """Sales (sum of order `amount`) and rows per value of `dimension`, over every table that holds it: order
    lines by their own column, customer attributes through the customer's order lines (a value no order line
    carries has sales 0). Out: index value; columns sales, rows."""
    orders = tables.orders
    amount = orders["amount"] if "amount" in orders.columns else pd.Series(0.0, index=orders.index)
    sales = pd.Series(dtype=float)
    rows = pd.Series(dtype=float)
    for table, column in DIMENSIONS[dimension]:
        df = tables.get(table)
        if df is None or column not in df.columns:
            continue
        col = df[column].astype("str")
        rows = rows.add(col.value_counts(dropna=True).astype(float), fill_value=0.0)
        if table == "orders":
            sales = sales.add(amount.groupby(col, observed=True).sum(), fill_value=0.0)
        elif table == "customers" and "customer_id" in orders.columns and "customer_id" in df.columns:
            attr = pd.Series(col.to_numpy(), index=df["customer_id"].astype("str").to_numpy())
            attr = attr[~attr.index.duplicated()]
            by = orders["customer_id"].astype("str").map(attr)
            sales = sales.add(amount.groupby(by, observed=True).sum(), fill_value=0.0)
    return pd.DataFrame({"sales": sales.reindex(rows.index).fillna(0.0), "rows": rows})


def group_dimensions(
    tables: Tables, top: int = DEFAULT_TOP, keep: Mapping[str, Iterable[str]] | None = None
) -> tuple[Tables, list[Grouping]]:
    """`tables` with every dimension of more than `top` + 1 values cut to its top `top` by sales (`ranking`)
    plus OTHER, the same values in each table holding it; `keep` (dimension -> values) are shown whatever their
    sales (values the parameters name, e.g. an industry with a market size). Out: (the tables, a Grouping per
    dimension present, grouped or not)."""
    keep = keep or {}
    out = {name: tables.get(name) for name in tables.available()}
    groupings = []
    for dim, places in DIMENSIONS.items():
        values = distinct(tables, dim)
        if not values:
            continue
        if len(values) <= top + 1:  # nothing to group: the sales ranking (a join on 10 M lines) is not needed
            groupings.append(Grouping(dim, len(values), tuple(sorted(values)), 0, float("nan")))
            continue
        rank = ranking(tables, dim)
        shown = top_n(rank, top, keep.get(dim, ()))
        grouped = len(rank) - len(shown)
        share = float("nan")
        if grouped:
            sales = rank["sales"]
            share = float(sales.drop(shown).sum() / sales.sum()) if sales.sum() > 0 else float("nan")
            for table, column in places:
                df = out.get(table)
                if df is None or column not in df.columns:
                    continue
                col = df[column].astype("str")
                relabel = col.where(col.isin(shown) | col.isna(), OTHER)
                out[table] = df.assign(**{column: relabel})
        groupings.append(Grouping(dim, len(rank), tuple(shown), grouped, share))
    return Tables(**out), groupings
