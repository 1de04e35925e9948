"""Root causes: each plan-vs-actual gap beyond `review.root_cause_threshold` split into drivers (volume: leads
or orders; orders per lead; mix; price) that add up to it exactly, and the 5-Why template on the largest driver.

The evidence lines of the template are returned as `Why` facts (a sentence key and its raw values);
`narrate.root_causes_table` words them in the report language for the `root_causes` artefact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planning.review.periods import div, isnan, month_start, shift_year, ytd_window

if TYPE_CHECKING:
    from datetime import date

    from planning.params import Params

ROOT_CAUSE_COLUMNS = ["level", "key", "plan", "actual", "variance_pct", "driver", "effect", "largest",
                      "why_1", "why_2", "why_3", "why_4", "why_5"]  # fmt: skip


@dataclass(frozen=True)
class Why:
    """One line of a 5-Why template: the sentence `review.why.<key>` and the raw values it is worded from.

    Keys and values: gap (level, key, actual, plan, variance_pct, driver, effect); leads (leads, needed, source,
    now, ly: the source whose leads fell most); leads_no_drop (leads, needed: no source fell); leads_since
    (source, month); orders_per_lead (now, ly: orders per lead, not the KPI lead conversion, which is the share
    of leads won); funnel_stage (stage, now, ly: stage pass rates); mix (product, now, ly: shares); price (product, now, ly: order values, change);
    price_since (product, month); orders (now, needed); no_history.
    """

    key: str
    values: dict[str, Any] = field(default_factory=dict)


def _order_table(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per order: order_id, product (the line of the order with the largest amount), revenue, month."""
    if lines.empty:
        return pd.DataFrame(columns=["order_id", "product", "revenue", "month"])
    return _Lines(lines).orders_of(np.arange(len(lines)))


class _Lines:
    """Order lines prepared once, for the order tables of many slices of them (`orders_of`).

    The casts, the date parsing, the month of each line and a sorted code per order_id are worked out here once
    per `root_causes` call (not per slice and not across calls). Relies on the orders' NOT NULL columns
    (order_id, order_date, amount: planning/data/schema.py)."""

    def __init__(self, lines: pd.DataFrame):
        self.lines = lines
        self.dates = pd.to_datetime(lines["order_date"]).to_numpy()
        self.month = month_start(lines["order_date"]).array
        self.product = lines["product_line"].astype(str).array
        self.amount = lines["amount"].to_numpy()
        # codes in order_id order (sort=True): sorting by code is sorting by order_id
        self.order_code, self.order_ids = pd.factorize(lines["order_id"].astype(str), sort=True)
        self._as_str: dict[str, np.ndarray] = {}

    def where(self, col: str | None, val: str | None, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:
        """Positions of the lines dated within [start, end] (and whose `col`, as text, is `val`)."""
        return _where(self.lines, self._as_str, self.dates, col, val, start, end)

    def orders_of(self, pos: np.ndarray) -> pd.DataFrame:
        """The order table (order_id, product, revenue, month) of the lines at positions `pos` (ascending).

        The same rows as sorting the lines by (order_id, amount descending), keeping each order's first line
        (a stable sort: on a tie in amount the earlier line) and mapping each order's summed amount onto it."""
        if not len(pos):
            return pd.DataFrame(columns=["order_id", "product", "revenue", "month"])
        code, amount = self.order_code[pos], self.amount[pos]
        by_order = np.lexsort((-amount, code))  # stable: order, then amount descending, then position
        c = code[by_order]
        first = np.empty(len(c), dtype=bool)
        first[0], first[1:] = True, c[1:] != c[:-1]
        main = pos[by_order[first]]
        # each order's revenue summed over its lines in table order, by the same groupby sum as per order_id
        revenue = pd.Series(amount).groupby(code, sort=True).sum().to_numpy()
        return pd.DataFrame({"order_id": self.order_ids.take(c[first]).array, "product": self.product.take(main),
                             "revenue": revenue, "month": self.month.take(main)})  # fmt: skip


def _where(frame: pd.DataFrame, as_str: dict[str, np.ndarray], dates: np.ndarray, col: str | None,
           val: str | None, start: pd.Timestamp, end: pd.Timestamp) -> np.ndarray:  # fmt: skip
    """Positions of the rows of `frame` with `dates` in [start, end] and, given `col`, `frame[col].astype(str) ==
    val` (`as_str` keeps each column's text for the next call)."""
    mask = (dates >= start.to_datetime64()) & (dates <= end.to_datetime64())
    if col:
        if col not in as_str:
            as_str[col] = frame[col].astype(str).to_numpy()
        mask &= as_str[col] == val
    return np.flatnonzero(mask)


@dataclass(frozen=True)
class DriverInputs:
    """revenue = leads x conversion (orders per lead) x sum over product lines of share x order value."""

    leads: float  # NaN when leads cannot be attributed (then volume = orders)
    orders: float
    revenue: float
    share: dict[str, float]  # product line -> share of orders
    value: dict[str, float]  # product line -> average order value


def driver_inputs(order_table: pd.DataFrame, leads: float = math.nan) -> DriverInputs:
    n = float(len(order_table))
    rev = float(order_table["revenue"].sum()) if n else 0.0
    if not n:
        return DriverInputs(leads, 0.0, 0.0, {}, {})
    g = order_table.groupby("product")["revenue"]  # size and mean of one grouping (cheaper than .agg of both)
    return DriverInputs(leads, n, rev, (g.size() / n).to_dict(), {k: float(v) for k, v in g.mean().items()})


def decompose(actual: DriverInputs, reference: DriverInputs, plan: float) -> pd.DataFrame:
    """Split the gap actual.revenue - plan into drivers that add up to it exactly.

    The plan is read as `reference` (last year's same window) with last year's conversion, mix and order values
    and the volume the plan needs: reference leads (or orders) * plan / reference revenue. Then, by sequential
    substitution in the order leads -> orders per lead -> mix -> price (average order value per product line):
    each effect is the revenue change when that factor moves from its reference to its actual value. Without
    leads the volume driver is "orders" (leads x conversion). With no reference revenue the whole gap is
    "no_history". Out: driver, effect (sum = actual.revenue - plan).
    """
    gap = actual.revenue - plan
    if reference.revenue <= 0 or reference.orders <= 0:
        return pd.DataFrame({"driver": ["no_history"], "effect": [gap]})
    scale = plan / reference.revenue
    products = sorted(set(reference.share) | set(actual.share))
    # an order value for a product line that did not sell last year is taken as this year's (no price effect)
    v0 = {k: reference.value.get(k, actual.value.get(k, 0.0)) for k in products}
    v1 = {k: actual.value.get(k, 0.0) for k in products}
    s0 = {k: reference.share.get(k, 0.0) for k in products}
    s1 = {k: actual.share.get(k, 0.0) for k in products}
    aov00 = sum(s0[k] * v0[k] for k in products)  # reference mix, reference values
    aov10 = sum(s1[k] * v0[k] for k in products)  # actual mix, reference values
    aov11 = sum(s1[k] * v1[k] for k in products)
    n_ref = reference.orders * scale
    leads_ok = (
        not (isnan(actual.leads) or isnan(reference.leads)) and reference.leads > 0 and actual.leads > 0
    )
    rows = []
    if leads_ok:
        l_ref = reference.leads * scale
        c0 = reference.orders / reference.leads
        rows.append(("leads", (actual.leads - l_ref) * c0 * aov00))
        rows.append(("orders_per_lead", (actual.orders - actual.leads * c0) * aov00))
    else:
        rows.append(("orders", (actual.orders - n_ref) * aov00))
    rows.append(("mix", actual.orders * (aov10 - aov00)))
    rows.append(("price", actual.orders * (aov11 - aov10)))
    effect = np.array([e for _, e in rows], dtype=float)
    # numerical residue from plan * scale rounding is below a cent; put it on the price line so the sum is exact
    # (the column's own Series sum, as before: the residue is the same to the last bit)
    effect[-1] += gap - pd.Series(effect).sum()
    return pd.DataFrame({"driver": [d for d, _ in rows], "effect": effect})


def largest_driver(decomp: pd.DataFrame, gap: float) -> str:
    """The driver that moved revenue most in the direction of the gap (else the largest in size)."""
    same = decomp[np.sign(decomp["effect"]) == np.sign(gap)]
    pick = same if len(same) else decomp
    return str(pick.loc[pick["effect"].abs().idxmax(), "driver"])


def _slice(level: str, key: str, as_of: date) -> tuple[pd.Timestamp, pd.Timestamp, str | None, str | None]:
    """Window and filter of a plan-vs-actual row: (start, end, column, value)."""
    start, end = ytd_window(as_of)
    if level == "month":
        m = pd.Timestamp(f"{key}-01")
        return m, min(m + pd.offsets.MonthEnd(0), end), None, None
    if level in ("quarter", "qtd"):
        y, q = key.split("-Q")
        m = pd.Timestamp(int(y), 3 * int(q) - 2, 1)
        return m, min(m + pd.offsets.QuarterEnd(0), end), None, None
    if level == "ytd":
        return start, end, None, None
    return start, end, {"rep": "rep_id"}.get(level, level), key


def _since(act: pd.Series, ref: pd.Series, threshold: float) -> str | None:
    """First month from which `act` stayed more than `threshold` below `ref` every month (None if it did not)."""
    below = act < ref * (1 - threshold)
    if below.empty or not below.iloc[-1]:
        return None
    i = len(below) - 1
    while i > 0 and below.iloc[i - 1]:
        i -= 1
    return below.index[i].strftime("%Y-%m")


class _Region:
    """A region's tables prepared once per `root_causes` call, for the slices of its deviating rows."""

    def __init__(self, tables: Any):
        self.orders = _Lines(tables.orders)
        opps = getattr(tables, "opportunities", None)
        self.opps = opps if opps is not None and len(opps) > 0 else None
        if self.opps is not None:
            self.lead_dates = pd.to_datetime(self.opps["lead_date"]).to_numpy()
            self.opps_as_str: dict[str, np.ndarray] = {}

    def opps_where(
        self, col: str | None, val: str | None, start: pd.Timestamp, end: pd.Timestamp
    ) -> np.ndarray:
        """Positions of the opportunities with a lead date within [start, end] (and whose `col`, as text, is
        `val`); `_Evidence` takes the rows only when a 5-Why needs them (most slices need just their count)."""
        return _where(self.opps, self.opps_as_str, self.lead_dates, col, val, start, end)


class _Evidence:
    """What the data says about one slice, for the 5-Why lines (all monthly series on this year's months)."""

    def __init__(self, region: _Region, level: str, key: str, as_of: date):
        self.start, self.end, self.col, self.val = _slice(level, key, as_of)
        self.ly_start, self.ly_end = shift_year(self.start), shift_year(self.end)
        lines = region.orders
        # the order tables of this year's and last year's window (each built once, for the drivers and the Whys)
        self.table_now = lines.orders_of(lines.where(self.col, self.val, self.start, self.end))
        self.table_ly = lines.orders_of(lines.where(self.col, self.val, self.ly_start, self.ly_end))
        self.has_leads = region.opps is not None and self.col in (None, "rep_id", "product_line")
        if self.has_leads:
            self._opps = region.opps
            self.pos_now = region.opps_where(self.col, self.val, self.start, self.end)
            self.pos_ly = region.opps_where(self.col, self.val, self.ly_start, self.ly_end)

    @property
    def opps_now(self) -> pd.DataFrame:
        """This year's opportunities of the slice (taken on use: only the leads / orders-per-lead Whys read rows)."""
        return self._opps.take(self.pos_now)

    @property
    def opps_ly(self) -> pd.DataFrame:
        return self._opps.take(self.pos_ly)

    def inputs(self) -> tuple[DriverInputs, DriverInputs]:
        ln = float(len(self.pos_now)) if self.has_leads else math.nan
        ll = float(len(self.pos_ly)) if self.has_leads else math.nan
        return driver_inputs(self.table_now, ln), driver_inputs(self.table_ly, ll)

    def monthly(self, frame: pd.DataFrame, date_col: str, ly: bool, value: str | None = None) -> pd.Series:
        """Monthly count (or sum of `value`) indexed by this year's months."""
        months = pd.date_range(self.start.to_period("M").to_timestamp(), self.end, freq="MS")
        if value is None:  # a count: each row's month as a position in `months`, counted without a groupby
            d = pd.to_datetime(frame[date_col])
            k = (d.dt.year.to_numpy() - months[0].year) * 12 + d.dt.month.to_numpy() - months[0].month
            k = k + 12 if ly else k  # last year's month is this year's twelve months on
            k = k[(k >= 0) & (k < len(months))].astype(int)  # NaT and months outside: not counted
            return pd.Series(np.bincount(k, minlength=len(months)).astype(float), index=months)
        m = month_start(frame[date_col])
        if ly:
            m = m + pd.DateOffset(years=1)
        s = frame.groupby(m)[value].sum() if value else frame.groupby(m).size()
        return s.reindex(months, fill_value=0).astype(float)


def _why_facts(ev: _Evidence, driver: str, act: DriverInputs, ref: DriverInputs, plan: float,
               threshold: float) -> tuple[Why | None, Why | None]:  # fmt: skip
    """(why_2, why_3): the evidence one and two levels down from the largest driver, None where the data is silent."""
    scale = plan / ref.revenue if ref.revenue else math.nan
    if driver == "leads":
        opps_now, opps_ly = ev.opps_now, ev.opps_ly
        by_now = opps_now.groupby(opps_now["source"].astype(str)).size()
        by_ly = opps_ly.groupby(opps_ly["source"].astype(str)).size()
        diff = (by_now.reindex(by_ly.index.union(by_now.index), fill_value=0)
                - by_ly.reindex(by_ly.index.union(by_now.index), fill_value=0))  # fmt: skip
        needed = int(round(ref.leads * scale))
        if diff.empty or float(diff.min()) >= 0:  # no source fell: nothing to name as "the largest drop"
            return Why("leads_no_drop", {"leads": int(act.leads), "needed": needed}), None
        src = str(diff.idxmin())
        why2 = Why("leads", {"leads": int(act.leads), "needed": needed, "source": src,
                             "now": int(by_now.get(src, 0)), "ly": int(by_ly.get(src, 0))})  # fmt: skip
        sel_now, sel_ly = opps_now[opps_now["source"] == src], opps_ly[opps_ly["source"] == src]
        since = _since(
            ev.monthly(sel_now, "lead_date", False), ev.monthly(sel_ly, "lead_date", True), threshold
        )
        return why2, Why("leads_since", {"source": src, "month": since}) if since else None
    if driver == "orders_per_lead":
        c1, c0 = div(act.orders, act.leads), div(ref.orders, ref.leads)
        stages = [("discovery_date", "discovery"), ("proposal_date", "proposal"),
                  ("negotiation_date", "negotiation")]  # fmt: skip
        worst, worst_drop, rates = "", 0.0, {}
        opps_now, opps_ly = ev.opps_now, ev.opps_ly
        prev_now, prev_ly = len(opps_now), len(opps_ly)
        for col, name in stages:
            n_now, n_ly = opps_now[col].notna().sum(), opps_ly[col].notna().sum()
            r_now, r_ly = div(n_now, prev_now), div(n_ly, prev_ly)
            if not isnan(r_now) and not isnan(r_ly) and r_now - r_ly < worst_drop:
                worst, worst_drop, rates = name, r_now - r_ly, (r_now, r_ly)
            prev_now, prev_ly = n_now, n_ly
        why2 = Why("orders_per_lead", {"now": c1, "ly": c0})
        if worst:
            return why2, Why("funnel_stage", {"stage": worst, "now": rates[0], "ly": rates[1]})
        return why2, None
    if driver in ("mix", "price"):
        products = sorted(set(act.share) | set(ref.share))
        if driver == "mix":
            d = {k: act.share.get(k, 0.0) - ref.share.get(k, 0.0) for k in products}
            k = max(d, key=lambda x: abs(d[x]))
            return Why("mix", {"product": k, "now": act.share.get(k, 0.0), "ly": ref.share.get(k, 0.0)}), None
        d = {k: div(act.value.get(k, math.nan), ref.value.get(k, math.nan)) - 1 for k in products}
        d = {k: v for k, v in d.items() if not isnan(v)}
        if not d:
            return None, None
        k = min(d, key=lambda x: d[x]) if act.revenue < plan else max(d, key=lambda x: d[x])
        why2 = Why("price", {"product": k, "now": act.value[k], "ly": ref.value[k], "change": d[k]})
        now_t, ly_t = ev.table_now[ev.table_now["product"] == k], ev.table_ly[ev.table_ly["product"] == k]
        a_now = now_t.groupby("month")["revenue"].mean()
        a_ly = ly_t.groupby(ly_t["month"] + pd.DateOffset(years=1))["revenue"].mean()
        common = a_now.index.intersection(a_ly.index)
        since = _since(a_now[common], a_ly[common], threshold) if len(common) else None
        return why2, Why("price_since", {"product": k, "month": since}) if since else None
    if driver == "orders":
        return Why("orders", {"now": int(act.orders), "needed": int(round(ref.orders * scale))}), None
    return Why("no_history"), None


def deviating(pva: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The plan-vs-actual lines that need a 5-Why: |variance_pct| above `threshold`. The current quarter's "qtd"
    line is the same window as its "quarter" line and is analysed (and counted) once: the report, the shared
    fact root_cause_count and the what-if panel all count these rows."""
    beyond = pva["variance_pct"].abs() > threshold
    return pva[beyond & (pva["level"] != "qtd")] if "level" in pva.columns else pva[beyond]


def root_causes(tables: Any, pva: pd.DataFrame, p: Params) -> pd.DataFrame:
    """Every plan-vs-actual row whose |variance_pct| exceeds `review.root_cause_threshold`, decomposed.

    In: the region's tables up to `p.as_of` (orders; opportunities when there are any), the plan-vs-actual frame.
    One row per (level, key, driver): effect (the drivers of a key add up to its variance), largest (bool),
    and on the largest driver's row a 5-Why template as `Why` facts: why_1 the gap and the driver, why_2 / why_3
    the evidence found one and two levels down (which lead source / funnel stage / product line; since which
    month; None where the data is silent), why_4 / why_5 "" for the team to complete. Out columns
    (ROOT_CAUSE_COLUMNS): level, key, plan, actual, variance_pct, driver, effect, largest, why_1 .. why_5.
    Reads `p.as_of`, `review.root_cause_threshold`.
    """
    threshold = p.review.root_cause_threshold
    hits = deviating(pva, threshold)
    rows = []
    region = _Region(tables) if len(hits) else None
    for r in hits.itertuples():
        ev = _Evidence(region, r.level, str(r.key), p.as_of)
        act, ref = ev.inputs()
        dec = decompose(act, ref, r.plan)
        gap = r.actual - r.plan
        top = largest_driver(dec, gap)
        eff = float(dec["effect"].to_numpy()[dec["driver"].to_numpy() == top][0])
        why1 = Why("gap", {"level": r.level, "key": str(r.key), "actual": r.actual, "plan": r.plan,
                           "variance_pct": r.variance_pct, "driver": top, "effect": eff})  # fmt: skip
        why2, why3 = _why_facts(ev, top, act, ref, r.plan, threshold)
        for d in dec.itertuples():
            is_top = d.driver == top
            whys = (why1, why2, why3, "", "") if is_top else (None, None, None, "", "")
            rows.append((r.level, r.key, r.plan, r.actual, r.variance_pct, d.driver, d.effect, is_top, *whys))
    out = pd.DataFrame(rows, columns=ROOT_CAUSE_COLUMNS)
    # typed even when empty: a boolean mask of an empty object column would select columns instead of rows
    return out.astype(
        {"plan": float, "actual": float, "variance_pct": float, "effect": float, "largest": bool}
    )


def waterfall_data(rc: pd.DataFrame, level: str, key: str) -> pd.DataFrame:
    """Plan -> each driver -> actual of one root-cause key, as step, start, end, kind (for the waterfall chart)."""
    d = rc[(rc["level"] == level) & (rc["key"].astype(str) == str(key))]
    if d.empty:
        return pd.DataFrame(columns=["step", "start", "end", "kind"])
    plan, actual = float(d["plan"].iloc[0]), float(d["actual"].iloc[0])
    rows = [("plan", 0.0, plan, "total")]
    level_now = plan
    for r in d.itertuples():
        rows.append((r.driver, level_now, level_now + r.effect, "up" if r.effect >= 0 else "down"))
        level_now += r.effect
    rows.append(("actual", 0.0, actual, "total"))
    return pd.DataFrame(rows, columns=["step", "start", "end", "kind"])
