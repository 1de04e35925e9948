"""Step 5, review (PDCA): plan vs actual, the KPI board, root causes, forecast accuracy, risks and the PDCA log.

The plan of record for the year of `as_of` is the targets of the most recent earlier complete snapshot of the
same region made for that year (`find_plan`), else the data's `plan_of_record` table. Actuals are the region's
orders up to `as_of`. "Last year" always means the same calendar window one year earlier (1 Jan .. the day a
year before `as_of`), so a partial year is compared with a partial year.

Parameter keys read (section `review` unless said otherwise): `red_below_baseline`, `yellow_below_baseline`
(KPI lights), `root_cause_threshold` (5-Why trigger), `resplit_completion` (re-split flag), `kpi_targets`,
`price_drop_alert`, `signal_uplift`, `risks`, `actions`, `action_days`; `resources.attrition` (planned attrition
for the staff-loss signal); `market.clv_max_years` (cap on the customer lifetime in the CLV KPI).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from planning import i18n
from planning.i18n import missing_text

if TYPE_CHECKING:
    from planning.params import Params, Review

#: The order-line columns this step reads (`Context.data` reads only these of the orders file: on a 10 M-line
#: history the others would cost seconds and memory for nothing). A new use of another column goes here too.
ORDER_COLUMNS = (
    "order_id",
    "order_date",
    "customer_id",
    "rep_id",
    "region",
    "product_line",
    "channel",
    "quantity",
    "amount",
    "margin",
)

SNAPSHOT_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PVA_LEVELS = ("ytd", "qtd", "quarter", "month", "rep", "product_line", "channel")
PVA_COLUMNS = ["level", "key", "plan", "actual", "variance", "variance_pct", "completion", "plan_basis"]
STATUSES = ("green", "yellow", "red")
DEFAULT_CLV_YEARS = 10.0


# ============================================================================================== small helpers
def _ts(d: Any) -> pd.Timestamp:
    return pd.Timestamp(d).normalize()


def year_ago(d: date) -> date:
    """The same day one year earlier (29 February -> 28 February)."""
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)


def ytd_window(as_of: date, years_back: int = 0) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(1 January, as_of) of `as_of`'s year, shifted `years_back` years back."""
    end = as_of
    for _ in range(years_back):
        end = year_ago(end)
    return pd.Timestamp(end.year, 1, 1), _ts(end)


def _month_start(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).dt.to_period("M").dt.to_timestamp()


def _between(s: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    s = pd.to_datetime(s)
    return (s >= start) & (s <= end)


def _div(a: float, b: float) -> float:
    return float(a) / float(b) if b and not _isnan(b) and not _isnan(a) else math.nan


def _isnan(x: Any) -> bool:
    try:
        return x is None or math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def _elapsed(month: pd.Timestamp, as_of: date) -> float:
    """Share of calendar month `month` that lies on or before `as_of` (0..1)."""
    days = month.days_in_month
    done = (_ts(as_of) - month).days + 1
    return float(min(max(done, 0), days)) / days


def _quarter_key(m: pd.Timestamp) -> str:
    return f"{m.year}-Q{(m.month - 1) // 3 + 1}"


def _with_variance(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["variance"] = out["actual"] - out["plan"]
    plan = out["plan"].where(out["plan"] != 0)
    out["variance_pct"] = out["variance"] / plan
    out["completion"] = out["actual"] / plan
    return out


# ============================================================================================== snapshots
@dataclass(frozen=True)
class Snapshot:
    """An earlier, complete snapshot folder `<root>/<as-of>/`."""

    as_of: date
    path: Path
    manifest: dict

    def region_dir(self, region: str) -> Path:
        return self.path / region

    def plan_year(self, region: str) -> int | None:
        try:
            return int(self.manifest["regions"][region]["params"]["plan_year"])
        except (KeyError, TypeError, ValueError):
            return None


def snapshot_root(out_dir: str | Path) -> Path:
    """The folder holding the dated snapshots: `<root>/<as-of or temp>/<region>` -> `<root>`."""
    return Path(out_dir).resolve().parent.parent


def earlier_snapshots(root: str | Path, before: date) -> list[Snapshot]:
    """Complete snapshots in `root` dated strictly before `before`, oldest first.

    A snapshot is a folder named YYYY-MM-DD (hidden temp folders start with "." and are ignored) whose
    manifest.json says `"status": "complete"`.
    """
    root = Path(root)
    out = []
    if not root.is_dir():
        return out
    for d in sorted(root.iterdir()):
        if not d.is_dir() or not SNAPSHOT_NAME.match(d.name):
            continue
        try:
            when = date.fromisoformat(d.name)
            manifest = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
        except (ValueError, OSError):
            continue
        if when < before and manifest.get("status") == "complete":
            out.append(Snapshot(when, d, manifest))
    return sorted(out, key=lambda s: s.as_of)


# ============================================================================================== plan of record
@dataclass(frozen=True)
class Plan:
    """The plan the year is reviewed against.

    source: "snapshot" (targets of an earlier snapshot), "data" (the plan_of_record table) or "none".
    months: month (first day), target. reps: rep_id, team, month (first day), target.
    forecast: the snapshot's chosen forecast: month (first day), forecast, lower, upper (empty for "data").
    """

    source: str
    year: int
    months: pd.DataFrame
    reps: pd.DataFrame
    forecast: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["month", "forecast"]))
    snapshot: str = ""
    path: str = ""

    @property
    def annual(self) -> float:
        return float(self.months["target"].sum()) if len(self.months) else math.nan

    @property
    def exists(self) -> bool:
        return self.source != "none" and len(self.months) > 0


def _empty_plan(year: int) -> Plan:
    return Plan(
        "none",
        year,
        pd.DataFrame({"month": pd.Series(dtype="datetime64[us]"), "target": pd.Series(dtype=float)}),
        pd.DataFrame(
            {
                "rep_id": pd.Series(dtype=str),
                "team": pd.Series(dtype=str),
                "month": pd.Series(dtype="datetime64[us]"),
                "target": pd.Series(dtype=float),
            }
        ),
    )


def chosen_forecast(fc: pd.DataFrame) -> pd.DataFrame:
    """Rows of the chosen model of a goals `forecast.csv` as month (first day), forecast, lower, upper."""
    if fc is None or fc.empty:
        return pd.DataFrame(columns=["month", "forecast", "lower", "upper"])
    if "chosen" in fc.columns:
        chosen = fc["chosen"].astype(str).str.lower().isin(["true", "1"])
        fc = fc[chosen]
    out = fc.assign(month=pd.to_datetime(fc["month"].astype(str).str[:7], format="%Y-%m"))
    cols = [c for c in ("month", "forecast", "lower", "upper") if c in out.columns]
    return out[cols].sort_values("month").reset_index(drop=True)


def plan_from_snapshot(snap: Snapshot, region: str, year: int) -> Plan:
    """The plan of `year` in the goals artefacts of an earlier snapshot (targets.csv, targets_rep.csv,
    forecast.csv). Monthly targets come from targets.csv level "month"; the rep split from targets_rep.csv."""
    art = snap.region_dir(region) / "artifacts"
    targets = pd.read_csv(art / "targets.csv")
    reps = pd.read_csv(art / "targets_rep.csv", dtype={"rep_id": str, "team": str, "month": str})
    reps = reps.assign(month=pd.to_datetime(reps["month"].str[:7], format="%Y-%m"))
    reps = reps[reps["month"].dt.year == year].reset_index(drop=True)
    months = targets[targets["level"] == "month"]
    if len(months):
        months = pd.DataFrame(
            {"month": _month_start(months["start"]), "target": months["target"].astype(float)}
        )
    else:
        months = reps.groupby("month", as_index=False)["target"].sum()
    months = months[months["month"].dt.year == year].sort_values("month").reset_index(drop=True)
    fc = chosen_forecast(pd.read_csv(art / "forecast.csv"))
    return Plan(
        "snapshot",
        year,
        months,
        reps[["rep_id", "team", "month", "target"]],
        fc,
        snapshot=snap.as_of.isoformat(),
        path=str(snap.region_dir(region)),
    )


def plan_from_table(plan_of_record: pd.DataFrame | None, reps: pd.DataFrame | None, year: int) -> Plan:
    """The data's `plan_of_record` rows of `year` (already filtered to the region) as a Plan."""
    if plan_of_record is None or plan_of_record.empty:
        return _empty_plan(year)
    por = plan_of_record[plan_of_record["year"].astype(int) == year]
    if por.empty:
        return _empty_plan(year)
    por = por.assign(month=_month_start(por["month"]), rep_id=por["rep_id"].astype(str))
    months = por.groupby("month", as_index=False)["target"].sum().sort_values("month").reset_index(drop=True)
    rep_plan = por.groupby(["rep_id", "month"], as_index=False)["target"].sum()
    teams = (
        {} if reps is None else dict(zip(reps["rep_id"].astype(str), reps["team"].astype(str), strict=False))
    )
    rep_plan["team"] = [teams.get(r, "") for r in rep_plan["rep_id"]]
    return Plan("data", year, months, rep_plan[["rep_id", "team", "month", "target"]])


def find_plan(
    root: str | Path, region: str, as_of: date, plan_of_record: pd.DataFrame | None, reps: pd.DataFrame | None
) -> Plan:
    """The plan of record for `as_of`'s year.

    The most recent earlier complete snapshot in `root` whose plan_year is that year and that holds the
    region's targets.csv, targets_rep.csv and forecast.csv; otherwise the `plan_of_record` table; otherwise an
    empty plan (source "none").
    """
    year = as_of.year
    for snap in reversed(earlier_snapshots(root, as_of)):
        art = snap.region_dir(region) / "artifacts"
        files = ("targets.csv", "targets_rep.csv", "forecast.csv")
        if snap.plan_year(region) == year and all((art / f).is_file() for f in files):
            return plan_from_snapshot(snap, region, year)
    return plan_from_table(plan_of_record, reps, year)


def describe_plan(plan: Plan, ctx: Any) -> str:
    """Which plan the review uses, in the report language."""
    if plan.source == "snapshot":
        return ctx.t(
            "review.plan.snapshot", snapshot=plan.snapshot, year=plan.year, annual=ctx.money(plan.annual)
        )
    if plan.source == "data":
        return ctx.t("review.plan.data", year=plan.year, annual=ctx.money(plan.annual))
    return ctx.t("review.plan.none", year=plan.year)


# ============================================================================================== 1. plan vs actual
def monthly_actuals(orders: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Revenue per calendar month of the orders dated in [start, end]: month (first day), actual; no gaps."""
    months = pd.date_range(start.to_period("M").to_timestamp(), end.to_period("M").to_timestamp(), freq="MS")
    sel = orders[_between(orders["order_date"], start, end)]
    actual = sel["amount"].astype(float).groupby(_month_start(sel["order_date"])).sum()
    return pd.DataFrame({"month": months, "actual": actual.reindex(months, fill_value=0.0).to_numpy()})


def _prorated(plan_months: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Plan to date per month: the full target of past months, the elapsed share of the current one."""
    out = plan_months.copy()
    out["elapsed"] = [_elapsed(m, as_of) for m in out["month"]]
    out["plan"] = out["target"] * out["elapsed"]
    return out


def _mix_plan(orders: pd.DataFrame, dim: str, plan_total: float, as_of: date) -> pd.DataFrame:
    """Split `plan_total` over the values of `dim` by last year's mix in the same window (the plan has no
    product or channel split of its own). Out: key, plan."""
    start, end = ytd_window(as_of, 1)
    ly = orders[_between(orders["order_date"], start, end)]
    if ly.empty or ly["amount"].sum() <= 0:
        start, end = pd.Timestamp.min, ytd_window(as_of)[0] - pd.Timedelta(days=1)
        ly = orders[_between(orders["order_date"], start, end)]
    rev = ly.groupby(ly[dim].astype(str))["amount"].sum()
    rev = rev[rev > 0]
    if rev.empty:
        return pd.DataFrame(columns=["key", "plan"])
    return pd.DataFrame({"key": rev.index, "plan": (plan_total * rev / rev.sum()).to_numpy()})


def plan_vs_actual(orders: pd.DataFrame, plan: Plan, as_of: date) -> pd.DataFrame:
    """Plan vs actual of `as_of`'s year to date.

    In: the region's order lines (order_date, amount, rep_id, product_line, channel) up to `as_of`; the Plan.
    Out (PVA_COLUMNS): level (ytd | qtd | quarter | month | rep | product_line | channel), key, plan (to date:
    the current month pro rata of its days), actual, variance = actual - plan, variance_pct = variance / plan,
    completion = actual / plan, plan_basis ("plan"; "mix_last_year" where the plan is split by last year's mix).
    With no plan the plan columns are NaN.
    """
    start, end = ytd_window(as_of)
    act = monthly_actuals(orders, start, end)
    pm = _prorated(plan.months[plan.months["month"].dt.year == as_of.year], as_of)
    months = act.merge(pm[["month", "plan"]], on="month", how="left")
    if not plan.exists:
        months["plan"] = math.nan
    rows = [months.assign(level="month", key=months["month"].dt.strftime("%Y-%m"))]
    q = months.assign(key=[_quarter_key(m) for m in months["month"]])
    quarters = q.groupby("key", as_index=False)[["plan", "actual"]].sum(min_count=1)
    rows.append(quarters.assign(level="quarter"))
    current_q = _quarter_key(pd.Timestamp(as_of))
    rows.append(quarters[quarters["key"] == current_q].assign(level="qtd"))
    ytd = pd.DataFrame(
        {
            "key": [str(as_of.year)],
            "plan": [months["plan"].sum(min_count=1)],
            "actual": [months["actual"].sum()],
        }
    )
    rows.append(ytd.assign(level="ytd"))

    ytd_orders = orders[_between(orders["order_date"], start, end)]
    rep_act = ytd_orders.groupby(ytd_orders["rep_id"].astype(str))["amount"].sum().rename("actual")
    rp = plan.reps[plan.reps["month"].dt.year == as_of.year]
    rp = rp.assign(plan=rp["target"] * [_elapsed(m, as_of) for m in rp["month"]])
    rep_plan = rp.groupby("rep_id")["plan"].sum()
    reps = pd.concat([rep_plan, rep_act], axis=1).reset_index(names="key")
    reps["actual"] = reps["actual"].fillna(0.0)
    if plan.exists:
        reps["plan"] = reps["plan"].fillna(0.0)
    rows.append(reps.assign(level="rep"))

    plan_total = float(ytd["plan"].iloc[0])
    for dim in ("product_line", "channel"):
        a = (
            ytd_orders.groupby(ytd_orders[dim].astype(str))["amount"]
            .sum()
            .rename("actual")
            .rename_axis("key")
            .reset_index()
        )
        mp = (
            _mix_plan(orders, dim, plan_total, as_of)
            if plan.exists
            else pd.DataFrame(columns=["key", "plan"])
        )
        d = a.merge(mp, on="key", how="outer")
        d["actual"] = d["actual"].fillna(0.0)
        if plan.exists:
            d["plan"] = d["plan"].astype(float).fillna(0.0)
        rows.append(d.assign(level=dim, plan_basis="mix_last_year"))

    out = pd.concat(
        [r[[c for c in ("level", "key", "plan", "actual", "plan_basis") if c in r]] for r in rows]
    )
    out["plan_basis"] = out["plan_basis"].fillna("plan")
    out["plan"] = out["plan"].astype(float)
    out = _with_variance(out)
    order = {lvl: i for i, lvl in enumerate(PVA_LEVELS)}
    out = out.sort_values(["level", "key"], key=lambda s: s.map(order) if s.name == "level" else s)
    return out[PVA_COLUMNS].reset_index(drop=True)


#: Reps the report's plan-vs-actual chart and table show at each end (furthest below and furthest above plan,
#: year to date) when a region has more than twice as many; plan_vs_actual.csv always holds every rep.
PVA_REPS_SHOWN = 10


def pva_shown(pva: pd.DataFrame, shown: int = PVA_REPS_SHOWN) -> pd.DataFrame:
    """The plan-vs-actual rows a report shows: every period, product line and channel row, and the rep rows -
    all of them when there are at most 2 x `shown`, else the `shown` furthest below plan and the `shown` furthest
    above by variance % (ties by rep id; reps without a plan have no variance and are left out). Rows keep their
    order, so a table stays grouped by level; with hundreds of reps the report stays readable and its size
    bounded."""
    if shown < 1:
        raise ValueError(f"pva_shown: shown must be a positive number of reps, got {shown}")
    is_rep = pva["level"] == "rep"
    if int(is_rep.sum()) <= 2 * shown:
        return pva
    ranked = pva[is_rep].dropna(subset=["variance_pct"]).sort_values(["variance_pct", "key"], kind="stable")
    keep = ranked.index[:shown].union(ranked.index[-shown:])
    return pva[~is_rep | pva.index.isin(keep)]


def describe_pva_reps(pva: pd.DataFrame, shown: pd.DataFrame, lang: str) -> str:
    """Which reps the plan-vs-actual chart and table show (all, or the ends of how many) and where every rep's
    plan, actual and variance are (artifacts/plan_vs_actual.csv)."""
    reps = int((pva["level"] == "rep").sum())
    listed = int((shown["level"] == "rep").sum())
    fmt = {"reps": i18n.number(reps, lang), "file": "artifacts/plan_vs_actual.csv"}
    if listed >= reps:
        return i18n.t("review.pva.reps_all", lang, **fmt)
    return i18n.t("review.pva.reps_ends", lang, shown=i18n.number(listed // 2, lang), **fmt)


def pva_display(pva: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Plan vs actual for reading: level and plan basis translated, keys of products / channels named."""
    key = [
        i18n.name(lvl, k, lang) if lvl in ("product_line", "channel") else k
        for lvl, k in zip(pva["level"], pva["key"], strict=True)
    ]
    return pva.assign(
        level=[i18n.t(f"review.pva.levels.{lvl}", lang) for lvl in pva["level"]],
        key=key,
        plan_basis=[i18n.t(f"review.pva.basis.{b}", lang) for b in pva["plan_basis"]],
    )


def projection(pva: pd.DataFrame, plan: Plan, as_of: date) -> pd.DataFrame:
    """Full-year outlook: item, amount.

    items: annual_plan; ytd_plan; ytd_actual; linear (YTD actual / elapsed days * days in the year);
    seasonal (YTD actual / the share of the annual plan due by as_of: the plan's own month profile);
    gap_linear, gap_seasonal (projection - annual plan).
    """
    ytd = pva[pva["level"] == "ytd"].iloc[0]
    start, end = ytd_window(as_of)
    days_year = 366 if pd.Timestamp(as_of).is_leap_year else 365
    elapsed = (end - start).days + 1
    annual = plan.annual if plan.exists else math.nan
    linear = ytd["actual"] / elapsed * days_year
    seasonal = ytd["actual"] / (ytd["plan"] / annual) if plan.exists and ytd["plan"] > 0 else math.nan
    items = {
        "annual_plan": annual,
        "ytd_plan": ytd["plan"],
        "ytd_actual": ytd["actual"],
        "linear": linear,
        "seasonal": seasonal,
        "gap_linear": linear - annual,
        "gap_seasonal": seasonal - annual,
    }
    return pd.DataFrame({"item": list(items), "amount": [float(v) for v in items.values()]})


def projection_display(proj: pd.DataFrame, lang: str) -> pd.DataFrame:
    return proj.assign(item=[i18n.t(f"review.pva.items.{i}", lang) for i in proj["item"]])


@dataclass(frozen=True)
class ResplitCheck:
    quarter: str
    completion: float
    threshold: float

    @property
    def required(self) -> bool:
        return not _isnan(self.completion) and self.completion < self.threshold


def resplit_check(pva: pd.DataFrame, p: Review) -> ResplitCheck:
    """Quarter-to-date completion against `review.resplit_completion` (below it: re-split the remaining target)."""
    qtd = pva[pva["level"] == "qtd"]
    if qtd.empty:
        return ResplitCheck("", math.nan, p.resplit_completion)
    return ResplitCheck(str(qtd["key"].iloc[0]), float(qtd["completion"].iloc[0]), p.resplit_completion)


def resplit(pva: pd.DataFrame, plan: Plan, as_of: date) -> pd.DataFrame:
    """The remaining annual target (annual plan - YTD actual, at least 0) spread over the rest of the year in
    proportion to the plan's remaining months (the current month counts with its unelapsed share).

    Out: month "YYYY-MM", plan (original, remaining part), resplit, change. Sums: resplit = remaining target.
    """
    cols = ["month", "plan", "resplit", "change"]
    if not plan.exists:
        return pd.DataFrame(columns=cols)
    pm = _prorated(plan.months[plan.months["month"].dt.year == as_of.year], as_of)
    pm["remaining"] = pm["target"] * (1 - pm["elapsed"])
    rest = pm[pm["remaining"] > 0]
    if rest.empty:
        return pd.DataFrame(columns=cols)
    ytd_actual = float(pva.loc[pva["level"] == "ytd", "actual"].iloc[0])
    left = max(plan.annual - ytd_actual, 0.0)
    new = left * rest["remaining"] / rest["remaining"].sum()
    return pd.DataFrame(
        {
            "month": rest["month"].dt.strftime("%Y-%m").to_numpy(),
            "plan": rest["remaining"].to_numpy(),
            "resplit": new.to_numpy(),
            "change": (new - rest["remaining"]).to_numpy(),
        }
    )


def describe_pva(pva: pd.DataFrame, proj: pd.DataFrame, check: ResplitCheck, ctx: Any) -> str:
    ytd = pva[pva["level"] == "ytd"].iloc[0]
    item = dict(zip(proj["item"], proj["amount"], strict=True))
    if _isnan(ytd["plan"]):
        return ctx.t("review.pva.no_plan", actual=ctx.money(ytd["actual"]), linear=ctx.money(item["linear"]))
    text = ctx.t(
        "review.pva.summary",
        actual=ctx.money(ytd["actual"]),
        plan=ctx.money(ytd["plan"]),
        completion=ctx.pct(ytd["completion"]),
        variance=ctx.money(ytd["variance"]),
        seasonal=ctx.money(item["seasonal"]),
        annual=ctx.money(item["annual_plan"]),
        linear=ctx.money(item["linear"]),
    )
    key = "review.pva.resplit_required" if check.required else "review.pva.resplit_ok"
    return text + " " + ctx.t(key, quarter=check.quarter, completion=ctx.pct(check.completion),
                              threshold=ctx.pct(check.threshold))  # fmt: skip


# ============================================================================================== 2. KPI board
# kpi, kind, higher is better, unit (how the board formats it)
KPIS: tuple[tuple[str, str, bool, str], ...] = (
    ("target_completion", "outcome", True, "pct"),
    ("revenue_growth", "outcome", True, "pct"),
    ("new_customers", "outcome", True, "count"),
    ("retention", "outcome", True, "pct"),
    ("leads", "process", True, "count"),
    ("lead_conversion", "process", True, "pct"),
    ("proposals", "process", True, "count"),
    ("win_rate", "process", True, "pct"),
    ("cycle_time", "process", False, "days"),
    ("aov", "process", True, "money"),
    ("clv", "process", True, "money"),
    ("productivity", "process", True, "money"),
)
KPI_META = {k: {"kind": kind, "higher": hi, "unit": unit} for k, kind, hi, unit in KPIS}
#: Tables a KPI needs beyond orders (named in the report when they are missing).
KPI_NEEDS = {"leads": "opportunities", "lead_conversion": "opportunities", "proposals": "opportunities",
             "win_rate": "opportunities", "cycle_time": "opportunities", "productivity": "reps",
             "target_completion": "plan_of_record"}  # fmt: skip


def _buyers(orders: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> set:
    sel = orders[_between(orders["order_date"], start, end) & (orders["amount"] > 0)]
    return set(sel["customer_id"].astype(str).unique())  # distinct first: iterating millions of lines is slow


def _retention(orders: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Share of the customers who bought in the calendar year before `start` who bought again in [start, end]."""
    prior = _buyers(orders, pd.Timestamp(start.year - 1, 1, 1), start - pd.Timedelta(days=1))
    return _div(len(prior & _buyers(orders, start, end)), len(prior)) if prior else math.nan


def _clv(orders: pd.DataFrame, end: pd.Timestamp, max_years: float) -> float:
    """Gross margin per customer of the 12 months to `end` times the expected lifetime in years
    (1 / annual churn, churn = share of the previous 12 months' buyers who did not buy again), capped."""
    y1 = end - pd.DateOffset(years=1)
    last = orders[_between(orders["order_date"], y1 + pd.Timedelta(days=1), end)]
    prev = _buyers(orders, y1 - pd.DateOffset(years=1) + pd.Timedelta(days=1), y1)
    now = set(last.loc[last["amount"] > 0, "customer_id"].astype(str).unique())
    if not now or not prev:
        return math.nan
    churn = 1 - len(prev & now) / len(prev)
    life = min(1 / churn, max_years) if churn > 0 else max_years
    return float(last["margin"].sum()) / len(now) * life


def _rep_months(reps: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Quota-carrying rep-months in [start, end]: a rep counts in every month he or she was employed in."""
    r = reps[reps["role"].astype(str) == "rep"]
    total = 0.0
    for m in pd.date_range(start, end, freq="MS"):
        m_end = m + pd.offsets.MonthEnd(0)
        hired = pd.to_datetime(r["hire_date"]) <= m_end
        exit_ = pd.to_datetime(r["exit_date"])
        total += float((hired & (exit_.isna() | (exit_ >= m))).sum())
    return total


def period_metrics(tables: Any, start: pd.Timestamp, end: pd.Timestamp, clv_years: float) -> dict[str, float]:
    """The raw measures of one window [start, end] (NaN where a table is missing).

    revenue, orders, aov (revenue / distinct orders), new_customers (customers table first_order_date in the
    window, else first order in the orders), retention, clv, leads (opportunities entering the funnel; else
    marketing leads), lead_conversion (of those leads, the share won by `end`), proposals (proposal_date in the
    window), win_rate (won / closed in the window), cycle_time (median days lead -> close of deals won in the
    window), productivity (revenue per quota rep-month).
    """
    orders = tables.orders
    sel = orders[_between(orders["order_date"], start, end)]
    revenue = float(sel["amount"].sum())
    n_orders = sel["order_id"].nunique()
    m: dict[str, float] = {"revenue": revenue, "orders": float(n_orders), "aov": _div(revenue, n_orders)}
    cust = getattr(tables, "customers", None)
    if cust is not None and "first_order_date" in cust:
        m["new_customers"] = float(_between(cust["first_order_date"], start, end).sum())
    else:
        first = orders.groupby(orders["customer_id"].astype(str))["order_date"].min()
        m["new_customers"] = float(_between(first, start, end).sum())
    m["retention"] = _retention(orders, start, end)
    m["clv"] = _clv(orders, end, clv_years)
    opps = getattr(tables, "opportunities", None)
    if opps is not None and len(opps):
        lead_in = _between(opps["lead_date"], start, end)
        won_by_end = (opps["status"].astype(str) == "won") & (pd.to_datetime(opps["close_date"]) <= end)
        closed = _between(opps["close_date"], start, end)
        won = closed & (opps["status"].astype(str) == "won")
        lost = closed & (opps["status"].astype(str) == "lost")
        m["leads"] = float(lead_in.sum())
        m["lead_conversion"] = _div((lead_in & won_by_end).sum(), lead_in.sum())
        m["proposals"] = float(_between(opps["proposal_date"], start, end).sum())
        m["win_rate"] = _div(won.sum(), won.sum() + lost.sum())
        days = (
            pd.to_datetime(opps.loc[won, "close_date"]) - pd.to_datetime(opps.loc[won, "lead_date"])
        ).dt.days
        m["cycle_time"] = float(days.median()) if len(days) else math.nan
    else:
        mk = getattr(tables, "marketing", None)
        m["leads"] = (
            float(mk.loc[_between(mk["month"], start, end), "leads"].sum()) if mk is not None else math.nan
        )
        for k in ("lead_conversion", "proposals", "win_rate", "cycle_time"):
            m[k] = math.nan
    reps = getattr(tables, "reps", None)
    rep_months = _rep_months(reps, start, end) if reps is not None else 0.0
    m["productivity"] = _div(revenue, rep_months) if rep_months else math.nan
    return m


def kpi_values(tables: Any, pva: pd.DataFrame, as_of: date, p: Params) -> pd.DataFrame:
    """KPI actual (this year to date), baseline (same window last year) and target, before any status.

    Targets: target_completion 100%; revenue_growth the growth the plan asks for over last year's same window;
    the rest from `review.kpi_targets` (NaN when not set). Out: kpi, kind, unit, higher_is_better, actual,
    baseline, target.
    """
    clv_years = float(getattr(p.market, "clv_max_years", DEFAULT_CLV_YEARS))
    cur = period_metrics(tables, *ytd_window(as_of), clv_years)
    base = period_metrics(tables, *ytd_window(as_of, 1), clv_years)
    base2 = period_metrics(tables, *ytd_window(as_of, 2), clv_years)
    ytd = pva[pva["level"] == "ytd"].iloc[0]
    values = {k: (cur.get(k, math.nan), base.get(k, math.nan), math.nan) for k in KPI_META}
    values["target_completion"] = (ytd["completion"], math.nan, 1.0)
    values["revenue_growth"] = (
        _div(cur["revenue"], base["revenue"]) - 1,
        _div(base["revenue"], base2["revenue"]) - 1,
        _div(ytd["plan"], base["revenue"]) - 1,
    )
    rows = []
    for kpi, (a, b, t) in values.items():
        t = p.review.kpi_targets.get(kpi, t)
        meta = KPI_META[kpi]
        rows.append((kpi, meta["kind"], meta["unit"], meta["higher"], a, b, t))
    cols = ["kpi", "kind", "unit", "higher_is_better", "actual", "baseline", "target"]
    return pd.DataFrame(rows, columns=cols).astype({"actual": float, "baseline": float, "target": float})


def kpi_status(values: pd.DataFrame, red: float, yellow: float, lang: str = "en") -> pd.DataFrame:
    """Traffic lights: each KPI is compared with its target when it has one, else with its baseline.

    shortfall = how far the KPI is on the bad side of the reference, relative to it (growth rates compare the
    levels 1 + growth). red when shortfall > `red` ("more than 20% below baseline" is red, exactly 20% is not),
    yellow when > `yellow`, else green. KPIs without actual or reference get no light and are dropped.
    Out: the input columns plus reference, shortfall, status, rule.
    """
    if yellow > red:
        raise ValueError(f"yellow threshold {yellow} is above the red one {red}")
    out = values.copy()
    use_target = out["target"].notna()
    out["compared_with"] = np.where(use_target, "target", "baseline")
    out["reference"] = out["target"].where(use_target, out["baseline"])
    growth = out["kpi"] == "revenue_growth"
    act = out["actual"] + growth.astype(float)
    ref = out["reference"] + growth.astype(float)
    rel = act / ref.where(ref != 0) - 1
    # rounded so that "exactly 20% below" is exactly 0.2 and not 0.19999999999999996
    out["shortfall"] = np.round(np.where(out["higher_is_better"], -rel, rel), 9)
    out = out[out["shortfall"].notna()].copy()
    sf = out["shortfall"]
    out["status"] = np.select([sf > red, sf > yellow], ["red", "yellow"], "green")
    out["rule"] = [
        i18n.t(
            f"review.kpi.rule_{'higher' if hi else 'lower'}",
            lang,
            ref=i18n.t(f"review.kpi.ref_{c}", lang),
            red=i18n.pct(red, lang, 0),
            yellow=i18n.pct(yellow, lang, 0),
        )
        for hi, c in zip(out["higher_is_better"], out["compared_with"], strict=True)
    ]
    return out.reset_index(drop=True)


def kpi_board(tables: Any, pva: pd.DataFrame, as_of: date, p: Params, lang: str = "en") -> pd.DataFrame:
    """KPI board (`kpis.csv`): kpi, kind, actual, baseline, target, status, rule (+ unit, reference, shortfall)."""
    values = kpi_values(tables, pva, as_of, p)
    return kpi_status(values, p.review.red_below_baseline, p.review.yellow_below_baseline, lang)


def missing_kpis(board: pd.DataFrame) -> list[str]:
    """KPIs the board could not light (no data or no reference)."""
    return [k for k in KPI_META if k not in set(board["kpi"])]


def kpi_display(board: pd.DataFrame, lang: str, currency: str = "CNY") -> pd.DataFrame:
    """The board for reading (`ctx.table(..., domain="review")` translates headers and lights the status):
    translated names, numbers formatted by unit, the rule."""

    def fmt(x: float, unit: str) -> str:
        if unit == "pct":
            return i18n.pct(x, lang)
        if unit == "money":
            return i18n.money(x, lang, currency)
        if unit == "days":
            return i18n.number(x, lang, 0)
        return i18n.number(x, lang)

    rows = []
    for r in board.itertuples():
        rows.append(
            {
                "kpi": i18n.t(f"review.kpi.names.{r.kpi}", lang),
                "kind": i18n.t(f"review.kpi.kinds.{r.kind}", lang),
                "actual": fmt(r.actual, r.unit),
                "baseline": fmt(r.baseline, r.unit),
                "target": fmt(r.target, r.unit),
                "status": r.status,
                "rule": r.rule,
            }
        )
    return pd.DataFrame(rows)


def describe_kpis(board: pd.DataFrame, ctx: Any) -> str:
    counts = {s: int((board["status"] == s).sum()) for s in STATUSES}
    red = board[board["status"] == "red"].sort_values("shortfall", ascending=False)
    names = ", ".join(ctx.t(f"review.kpi.names.{k}") for k in red["kpi"])
    key = "review.kpi.summary" if names else "review.kpi.summary_no_red"
    text = ctx.t(key, green=counts["green"], yellow=counts["yellow"], red=counts["red"], names=names)
    missing = missing_kpis(board)
    # KPIs whose table the data set lacks: the shared sentence naming the file that would light them
    data = getattr(ctx, "data", None)
    absent = [k for k in missing if k in KPI_NEEDS and data is not None and data.get(KPI_NEEDS[k]) is None]
    sep = "、" if ctx.lang == "zh" else ", "
    for table in sorted({KPI_NEEDS[k] for k in absent}):
        names = sep.join(ctx.t(f"review.kpi.names.{k}") for k in absent if KPI_NEEDS[k] == table)
        text += " " + missing_text(table, ctx.t("review.kpi.missing_what", names=names), ctx.lang)
    missing = [k for k in missing if k not in absent]
    if missing:
        tables = sorted({KPI_NEEDS.get(k, "orders") for k in missing})
        text += " " + ctx.t(
            "review.kpi.missing",
            names=", ".join(ctx.t(f"review.kpi.names.{k}") for k in missing),
            tables=", ".join(tables),
        )
    return text


# ============================================================================================== 3. root causes
def _order_table(lines: pd.DataFrame) -> pd.DataFrame:
    """One row per order: order_id, product (the line of the order with the largest amount), revenue, month."""
    if lines.empty:
        return pd.DataFrame(columns=["order_id", "product", "revenue", "month"])
    lines = lines.assign(
        order_id=lines["order_id"].astype(str), product_line=lines["product_line"].astype(str)
    )
    main = lines.sort_values(["order_id", "amount"], ascending=[True, False]).drop_duplicates("order_id")
    rev = lines.groupby("order_id")["amount"].sum()
    out = main[["order_id", "product_line", "order_date"]].rename(columns={"product_line": "product"})
    out["revenue"] = out["order_id"].map(rev).to_numpy()
    out["month"] = _month_start(out["order_date"])
    return out.drop(columns="order_date").reset_index(drop=True)


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
    g = order_table.groupby("product")["revenue"].agg(["size", "mean"])
    return DriverInputs(leads, n, rev, (g["size"] / n).to_dict(), {k: float(v) for k, v in g["mean"].items()})


def decompose(actual: DriverInputs, reference: DriverInputs, plan: float) -> pd.DataFrame:
    """Split the gap actual.revenue - plan into drivers that add up to it exactly.

    The plan is read as `reference` (last year's same window) with last year's conversion, mix and order values
    and the volume the plan needs: reference leads (or orders) * plan / reference revenue. Then, by sequential
    substitution in the order leads -> conversion -> mix -> price (average order value per product line):
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
        not (_isnan(actual.leads) or _isnan(reference.leads)) and reference.leads > 0 and actual.leads > 0
    )
    rows = []
    if leads_ok:
        l_ref = reference.leads * scale
        c0 = reference.orders / reference.leads
        rows.append(("leads", (actual.leads - l_ref) * c0 * aov00))
        rows.append(("conversion", (actual.orders - actual.leads * c0) * aov00))
    else:
        rows.append(("orders", (actual.orders - n_ref) * aov00))
    rows.append(("mix", actual.orders * (aov10 - aov00)))
    rows.append(("price", actual.orders * (aov11 - aov10)))
    out = pd.DataFrame(rows, columns=["driver", "effect"])
    # numerical residue from plan * scale rounding is below a cent; put it on the price line so the sum is exact
    out.loc[out.index[-1], "effect"] += gap - out["effect"].sum()
    return out


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


def _shift_year(ts: pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(year_ago(ts.date()))


def _since(act: pd.Series, ref: pd.Series, threshold: float) -> str | None:
    """First month from which `act` stayed more than `threshold` below `ref` every month (None if it did not)."""
    below = act < ref * (1 - threshold)
    if below.empty or not below.iloc[-1]:
        return None
    i = len(below) - 1
    while i > 0 and below.iloc[i - 1]:
        i -= 1
    return below.index[i].strftime("%Y-%m")


class _Evidence:
    """What the data says about one slice, for the 5-Why lines (all monthly series on this year's months)."""

    def __init__(self, tables: Any, level: str, key: str, as_of: date):
        self.start, self.end, self.col, self.val = _slice(level, key, as_of)
        self.ly_start, self.ly_end = _shift_year(self.start), _shift_year(self.end)
        orders = tables.orders
        if self.col:
            orders = orders[orders[self.col].astype(str) == self.val]
        self.orders_now = orders[_between(orders["order_date"], self.start, self.end)]
        self.orders_ly = orders[_between(orders["order_date"], self.ly_start, self.ly_end)]
        opps = getattr(tables, "opportunities", None)
        self.has_leads = opps is not None and len(opps) > 0 and self.col in (None, "rep_id", "product_line")
        if self.has_leads:
            if self.col:
                opps = opps[opps[self.col].astype(str) == self.val]
            self.opps_now = opps[_between(opps["lead_date"], self.start, self.end)]
            self.opps_ly = opps[_between(opps["lead_date"], self.ly_start, self.ly_end)]

    def inputs(self) -> tuple[DriverInputs, DriverInputs]:
        ln = float(len(self.opps_now)) if self.has_leads else math.nan
        ll = float(len(self.opps_ly)) if self.has_leads else math.nan
        return driver_inputs(_order_table(self.orders_now), ln), driver_inputs(
            _order_table(self.orders_ly), ll
        )

    def monthly(self, frame: pd.DataFrame, date_col: str, ly: bool, value: str | None = None) -> pd.Series:
        """Monthly count (or sum of `value`) indexed by this year's months."""
        months = pd.date_range(self.start.to_period("M").to_timestamp(), self.end, freq="MS")
        m = _month_start(frame[date_col])
        if ly:
            m = m + pd.DateOffset(years=1)
        s = frame.groupby(m)[value].sum() if value else frame.groupby(m).size()
        return s.reindex(months, fill_value=0).astype(float)


def _why_lines(ev: _Evidence, driver: str, act: DriverInputs, ref: DriverInputs, plan: float,
               threshold: float, lang: str, currency: str) -> tuple[str, str]:  # fmt: skip
    """(why_2, why_3): the evidence one and two levels down from the largest driver, "" where the data is silent."""
    money = lambda x: i18n.money(x, lang, currency)  # noqa: E731
    pct = lambda x: i18n.pct(x, lang, 0, signed=True)  # noqa: E731
    t = lambda k, **f: i18n.t(f"review.why.{k}", lang, **f)  # noqa: E731
    scale = plan / ref.revenue if ref.revenue else math.nan
    if driver == "leads":
        by_now = ev.opps_now.groupby(ev.opps_now["source"].astype(str)).size()
        by_ly = ev.opps_ly.groupby(ev.opps_ly["source"].astype(str)).size()
        diff = (by_now.reindex(by_ly.index.union(by_now.index), fill_value=0)
                - by_ly.reindex(by_ly.index.union(by_now.index), fill_value=0))  # fmt: skip
        src = str(diff.idxmin())
        why2 = t("leads", leads=int(act.leads), needed=int(round(ref.leads * scale)),
                 source=i18n.name("lead_source", src, lang), now=int(by_now.get(src, 0)), ly=int(by_ly.get(src, 0)))  # fmt: skip
        sel_now, sel_ly = ev.opps_now[ev.opps_now["source"] == src], ev.opps_ly[ev.opps_ly["source"] == src]
        since = _since(
            ev.monthly(sel_now, "lead_date", False), ev.monthly(sel_ly, "lead_date", True), threshold
        )
        why3 = t("leads_since", source=i18n.name("lead_source", src, lang), month=since) if since else ""
        return why2, why3
    if driver == "conversion":
        c1, c0 = _div(act.orders, act.leads), _div(ref.orders, ref.leads)
        stages = [("discovery_date", "discovery"), ("proposal_date", "proposal"),
                  ("negotiation_date", "negotiation")]  # fmt: skip
        worst, worst_drop, rates = "", 0.0, {}
        prev_now, prev_ly = len(ev.opps_now), len(ev.opps_ly)
        for col, name in stages:
            n_now, n_ly = ev.opps_now[col].notna().sum(), ev.opps_ly[col].notna().sum()
            r_now, r_ly = _div(n_now, prev_now), _div(n_ly, prev_ly)
            if not _isnan(r_now) and not _isnan(r_ly) and r_now - r_ly < worst_drop:
                worst, worst_drop, rates = name, r_now - r_ly, (r_now, r_ly)
            prev_now, prev_ly = n_now, n_ly
        why2 = t("conversion", now=i18n.number(c1, lang, 2), ly=i18n.number(c0, lang, 2))
        if worst:
            why3 = t("conversion_stage", stage=i18n.name("stage", worst, lang),
                     now=i18n.pct(rates[0], lang, 0), ly=i18n.pct(rates[1], lang, 0))  # fmt: skip
        else:
            why3 = ""
        return why2, why3
    if driver in ("mix", "price"):
        products = sorted(set(act.share) | set(ref.share))
        if driver == "mix":
            d = {k: act.share.get(k, 0.0) - ref.share.get(k, 0.0) for k in products}
            k = max(d, key=lambda x: abs(d[x]))
            why2 = t("mix", product=i18n.name("product_line", k, lang), now=i18n.pct(act.share.get(k, 0.0), lang, 0),
                     ly=i18n.pct(ref.share.get(k, 0.0), lang, 0))  # fmt: skip
            return why2, ""
        d = {k: _div(act.value.get(k, math.nan), ref.value.get(k, math.nan)) - 1 for k in products}
        d = {k: v for k, v in d.items() if not _isnan(v)}
        if not d:
            return "", ""
        k = min(d, key=lambda x: d[x]) if act.revenue < plan else max(d, key=lambda x: d[x])
        why2 = t("price", product=i18n.name("product_line", k, lang), now=money(act.value[k]),
                 ly=money(ref.value[k]), change=pct(d[k]))  # fmt: skip
        now_t, ly_t = _order_table(ev.orders_now), _order_table(ev.orders_ly)
        now_t, ly_t = now_t[now_t["product"] == k], ly_t[ly_t["product"] == k]
        a_now = now_t.groupby("month")["revenue"].mean()
        a_ly = ly_t.groupby(ly_t["month"] + pd.DateOffset(years=1))["revenue"].mean()
        common = a_now.index.intersection(a_ly.index)
        since = _since(a_now[common], a_ly[common], threshold) if len(common) else None
        why3 = t("price_since", product=i18n.name("product_line", k, lang), month=since) if since else ""
        return why2, why3
    if driver == "orders":
        return t("orders", now=int(act.orders), needed=int(round(ref.orders * scale))), ""
    return t("no_history"), ""


def root_causes(tables: Any, pva: pd.DataFrame, as_of: date, p: Review, lang: str = "en",
                currency: str = "CNY") -> pd.DataFrame:  # fmt: skip
    """Every plan-vs-actual row whose |variance_pct| exceeds `review.root_cause_threshold`, decomposed.

    One row per (level, key, driver): effect (the drivers of a key add up to its variance), largest (bool),
    and on the largest driver's row a 5-Why template: why_1 the gap and the driver, why_2 / why_3 the evidence
    found one and two levels down (which lead source / funnel stage / product line; since which month),
    why_4 / why_5 empty for the team to complete. Out columns: level, key, plan, actual, variance_pct, driver,
    effect, largest, why_1 .. why_5.
    """
    cols = ["level", "key", "plan", "actual", "variance_pct", "driver", "effect", "largest",
            "why_1", "why_2", "why_3", "why_4", "why_5"]  # fmt: skip
    # the current quarter's "qtd" row is the same window as its "quarter" row: analysed once
    hits = pva[(pva["variance_pct"].abs() > p.root_cause_threshold) & (pva["level"] != "qtd")]
    rows = []
    for r in hits.itertuples():
        ev = _Evidence(tables, r.level, str(r.key), as_of)
        act, ref = ev.inputs()
        dec = decompose(act, ref, r.plan)
        gap = r.actual - r.plan
        top = largest_driver(dec, gap)
        eff = float(dec.loc[dec["driver"] == top, "effect"].iloc[0])
        why1 = i18n.t("review.why.gap", lang, item=_key_label(r.level, str(r.key), lang),
                      actual=i18n.money(r.actual, lang, currency), plan=i18n.money(r.plan, lang, currency),
                      variance=i18n.pct(r.variance_pct, lang, 1, signed=True),
                      driver=i18n.t(f"review.drivers.{top}", lang), effect=i18n.money(eff, lang, currency))  # fmt: skip
        why2, why3 = _why_lines(ev, top, act, ref, r.plan, p.root_cause_threshold, lang, currency)
        for d in dec.itertuples():
            is_top = d.driver == top
            whys = (why1, why2, why3, "", "") if is_top else ("", "", "", "", "")
            rows.append((r.level, r.key, r.plan, r.actual, r.variance_pct, d.driver, d.effect, is_top, *whys))
    out = pd.DataFrame(rows, columns=cols)
    # typed even when empty: a boolean mask of an empty object column would select columns instead of rows
    return out.astype(
        {"plan": float, "actual": float, "variance_pct": float, "effect": float, "largest": bool}
    )


def _key_label(level: str, key: str, lang: str) -> str:
    if level in ("product_line", "channel"):
        return i18n.name(level, key, lang)
    if level == "rep":
        return i18n.t("review.why.rep", lang, rep=key)
    return key


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


def five_why(rc: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The 5-Why template: one row per analysed key (its largest driver), for reading."""
    t = rc[rc["largest"]].reset_index(drop=True)
    return t.assign(driver=[i18n.t(f"review.drivers.{d}", lang) for d in t["driver"]])[
        ["key", "variance_pct", "driver", "why_1", "why_2", "why_3", "why_4", "why_5"]
    ]


def describe_root_causes(rc: pd.DataFrame, ctx: Any) -> str:
    if rc.empty:
        return ctx.t("review.rc.none", threshold=ctx.pct(ctx.p.review.root_cause_threshold))
    keys = rc[["level", "key"]].drop_duplicates()
    ytd = rc[(rc["level"] == "ytd") & rc["largest"]]
    text = ctx.t("review.rc.summary", n=len(keys), threshold=ctx.pct(ctx.p.review.root_cause_threshold))
    if len(ytd):
        text += (
            " "
            + str(ytd["why_1"].iloc[0])
            + " "
            + str(ytd["why_2"].iloc[0])
            + " "
            + str(ytd["why_3"].iloc[0])
        )
    return text.strip()


#: (process KPI, outcome KPI, what it means when the process rose and the outcome fell)
PROCESS_CHECKS = (("proposals", "win_rate", "proposal_fit"), ("leads", "lead_conversion", "lead_quality"),
                  ("leads", "new_customers", "lead_to_customer"))  # fmt: skip


def process_checks(board: pd.DataFrame) -> pd.DataFrame:
    """Process vs outcome: for each pair, the change of both against their baselines (relative) and whether the
    process rose while the outcome fell. Out: check, process_kpi, process_change, outcome_kpi, outcome_change,
    flagged."""
    v = board.set_index("kpi")
    rows = []
    for proc, outc, name in PROCESS_CHECKS:
        if proc not in v.index or outc not in v.index:
            continue
        pc = _div(v.at[proc, "actual"], v.at[proc, "baseline"]) - 1
        oc = _div(v.at[outc, "actual"], v.at[outc, "baseline"]) - 1
        rows.append((name, proc, pc, outc, oc, bool(pc > 0 and oc < 0)))
    return pd.DataFrame(rows, columns=["check", "process_kpi", "process_change", "outcome_kpi", "outcome_change",
                                       "flagged"])  # fmt: skip


def describe_process_checks(checks: pd.DataFrame, ctx: Any) -> str:
    flagged = checks[checks["flagged"]]
    if flagged.empty:
        return ctx.t("review.process.none")
    parts = [
        ctx.t(
            f"review.process.{r.check}", process=ctx.pct(r.process_change), outcome=ctx.pct(r.outcome_change)
        )
        for r in flagged.itertuples()
    ]
    return " ".join(parts)


# ============================================================================================== 4. forecast accuracy
def snapshot_forecasts(root: str | Path, region: str, as_of: date) -> pd.DataFrame:
    """The chosen forecast of every earlier complete snapshot of `region`: snapshot, snapshot_date, month,
    forecast (months after the snapshot's own as_of only)."""
    frames = []
    for snap in earlier_snapshots(root, as_of):
        f = snap.region_dir(region) / "artifacts" / "forecast.csv"
        if not f.is_file():
            continue
        fc = chosen_forecast(pd.read_csv(f))
        fc = fc[fc["month"] > pd.Timestamp(snap.as_of)]
        frames.append(fc.assign(snapshot=snap.as_of.isoformat(), snapshot_date=pd.Timestamp(snap.as_of)))
    if not frames:
        return pd.DataFrame(columns=["snapshot", "snapshot_date", "month", "forecast"])
    return pd.concat(frames, ignore_index=True)[["snapshot", "snapshot_date", "month", "forecast"]]


def forecast_accuracy(forecasts: pd.DataFrame, orders: pd.DataFrame, as_of: date, source: str = "snapshot"
                      ) -> pd.DataFrame:  # fmt: skip
    """Forecast vs actual for the months that have fully happened by `as_of`.

    In: snapshot, snapshot_date, month (first day), forecast. Out: snapshot, month "YYYY-MM", horizon_months
    (months after the snapshot's month), forecast, actual, error = forecast - actual, ape = |error| / actual
    (NaN when actual is 0), source.
    """
    cols = ["snapshot", "month", "horizon_months", "forecast", "actual", "error", "ape", "source"]
    if forecasts.empty:
        return pd.DataFrame(columns=cols)
    last_full = _ts(as_of) + pd.Timedelta(days=1)
    fc = forecasts[forecasts["month"] + pd.offsets.MonthEnd(0) < last_full].copy()
    if fc.empty:
        return pd.DataFrame(columns=cols)
    act = monthly_actuals(orders, fc["month"].min(), fc["month"].max() + pd.offsets.MonthEnd(0))
    fc = fc.merge(act, on="month", how="left")
    fc["error"] = fc["forecast"] - fc["actual"]
    fc["ape"] = fc["error"].abs() / fc["actual"].where(fc["actual"] > 0)
    sd = pd.to_datetime(fc["snapshot_date"])
    fc["horizon_months"] = (fc["month"].dt.year - sd.dt.year) * 12 + fc["month"].dt.month - sd.dt.month
    fc["month"] = fc["month"].dt.strftime("%Y-%m")
    fc["source"] = source
    return fc[cols].sort_values(["snapshot", "month"]).reset_index(drop=True)


def accuracy_summary(acc: pd.DataFrame) -> pd.DataFrame:
    """Per snapshot: months compared, MAPE (mean APE), bias = sum(error) / sum(actual) (positive = too high)."""
    if acc.empty:
        return pd.DataFrame(columns=["snapshot", "months", "mape", "bias"])
    g = acc.groupby("snapshot")
    return pd.DataFrame(
        {
            "months": g.size(),
            "mape": g["ape"].mean(),
            "bias": g["error"].sum() / g["actual"].sum().where(g["actual"].sum() > 0),
        }
    ).reset_index()


def backtest_forecasts(orders: pd.DataFrame, as_of: date, model: str = "seasonal_naive",
                       lookbacks: tuple[int, ...] = (12, 6)) -> pd.DataFrame:  # fmt: skip
    """With no earlier snapshots: the goals step's forecasting method re-run as if at the end of the last
    complete month `lookbacks` months before `as_of`, on the sales known then.

    `model` is the model the goals step chose in this run (`forecast.csv`, chosen); it is refitted at each
    back-dated origin with `planning.forecast.predict`, which is what the goals step itself runs. Origins with
    less history than the model needs (`forecast.MIN_TRAIN`) are skipped. Out like `snapshot_forecasts`,
    snapshot = "backtest <YYYY-MM-DD>".
    """
    from planning import forecast

    y = forecast.monthly_sales(orders, as_of)
    frames = []
    for back in lookbacks:
        cut = len(y) - back
        if cut < forecast.MIN_TRAIN.get(model, 12) or back < 1:
            continue
        origin = y.index[cut - 1] + pd.offsets.MonthEnd(0)
        try:
            pred = forecast.predict(model, y.to_numpy(dtype=float)[:cut], back)
        except (ValueError, np.linalg.LinAlgError):
            continue
        frames.append(
            pd.DataFrame(
                {
                    "snapshot": f"backtest {origin.date().isoformat()}",
                    "snapshot_date": origin,
                    "month": y.index[cut:],
                    "forecast": pred.mean,
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["snapshot", "snapshot_date", "month", "forecast"])
    return pd.concat(frames, ignore_index=True)


def chosen_model(artifacts_dir: str | Path) -> str:
    """The model the goals step chose in this run (its `forecast.csv`, rows with chosen true); seasonal naive
    when the goals step has not written one."""
    f = Path(artifacts_dir) / "forecast.csv"
    if not f.is_file():
        return "seasonal_naive"
    fc = pd.read_csv(f)
    if "model" not in fc or "chosen" not in fc:
        return "seasonal_naive"
    chosen = fc[fc["chosen"].astype(str).str.lower().isin(["true", "1"])]
    return str(chosen["model"].iloc[0]) if len(chosen) else "seasonal_naive"


def accuracy_review(root: str | Path, region: str, as_of: date, orders: pd.DataFrame,
                    artifacts_dir: str | Path) -> pd.DataFrame:  # fmt: skip
    """`forecast_accuracy` of the earlier snapshots' forecasts; when there is none with a month that has
    happened since, the backtest of this run's chosen model (`backtest_forecasts`, source "backtest")."""
    acc = forecast_accuracy(snapshot_forecasts(root, region, as_of), orders, as_of)
    if len(acc):
        return acc
    model = chosen_model(artifacts_dir)
    return forecast_accuracy(backtest_forecasts(orders, as_of, model), orders, as_of, source="backtest")


def describe_accuracy(acc: pd.DataFrame, summary: pd.DataFrame, ctx: Any) -> str:
    if acc.empty:
        return ctx.t("review.accuracy.none")
    key = "review.accuracy.backtest" if (acc["source"] == "backtest").all() else "review.accuracy.snapshots"
    best = summary.sort_values("mape").iloc[0]
    latest = summary.iloc[-1]
    return ctx.t(
        key,
        n=len(summary),
        months=int(summary["months"].sum()),
        latest=latest["snapshot"],
        mape=ctx.pct(latest["mape"]),
        bias=i18n.pct(latest["bias"], ctx.lang, 1, signed=True),
        best=best["snapshot"],
        best_mape=ctx.pct(best["mape"]),
    )


# ============================================================================================== 5. risks and PDCA
def risk_signals(tables: Any, board: pd.DataFrame, as_of: date, p: Params) -> pd.DataFrame:
    """Data signals that raise a risk's likelihood. Out: signal, value, reference, triggered, evidence_key.

    attrition: quota reps who left in the 12 months to as_of / average headcount, against
      `resources.attrition` (else the 12 months before); price: like-for-like price index this year to date vs
      last year (sum q1 p1 / sum q1 p0 over product lines) below 1 - `review.price_drop_alert`; leads and
      retention: their KPI more than `review.yellow_below_baseline` below baseline.
    """
    rows = []
    reps = getattr(tables, "reps", None)
    if reps is not None and len(reps):
        r = reps[reps["role"].astype(str) == "rep"]
        end = _ts(as_of)

        def rate(e: pd.Timestamp) -> float:
            s = e - pd.DateOffset(years=1)
            hire, ex = pd.to_datetime(r["hire_date"]), pd.to_datetime(r["exit_date"])
            head = lambda d: float(((hire <= d) & (ex.isna() | (ex > d))).sum())  # noqa: E731
            avg = (head(s) + head(e)) / 2
            return _div(float(((ex > s) & (ex <= e)).sum()), avg)

        now = rate(end)
        planned = (
            p.resources.attrition
            if getattr(p.resources, "attrition", None) is not None
            else rate(_shift_year(end))
        )
        rows.append(("attrition", now, planned, bool(now > planned), "attrition"))
    o = tables.orders
    o = o[o["quantity"] > 0]
    now_o = o[_between(o["order_date"], *ytd_window(as_of))]
    ly_o = o[_between(o["order_date"], *ytd_window(as_of, 1))]
    if len(now_o) and len(ly_o):
        g1 = now_o.groupby(now_o["product_line"].astype(str))[["amount", "quantity"]].sum()
        g0 = ly_o.groupby(ly_o["product_line"].astype(str))[["amount", "quantity"]].sum()
        common = g1.index.intersection(g0.index)
        p0 = g0.loc[common, "amount"] / g0.loc[common, "quantity"]
        index = _div(g1.loc[common, "amount"].sum(), (g1.loc[common, "quantity"] * p0).sum())
        rows.append(("price", index, 1.0, bool(index < 1 - p.review.price_drop_alert), "price"))
    v = board.set_index("kpi")
    for sig in ("leads", "retention"):
        if sig in v.index:
            a, b = float(v.at[sig, "actual"]), float(v.at[sig, "baseline"])
            rows.append((sig, a, b, bool(a < b * (1 - p.review.yellow_below_baseline)), sig))
    return pd.DataFrame(rows, columns=["signal", "value", "reference", "triggered", "evidence_key"])


def risk_register(p: Review, signals: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The params risk register scored: likelihood (+ `review.signal_uplift` when its data signal fired, at most
    5) x impact = score. Out: risk, kind, likelihood, impact, score, contingency, owner, status, signal,
    base_likelihood, evidence; highest score first."""
    sig = signals.set_index("signal") if len(signals) else pd.DataFrame()
    rows = []
    for r in p.risks:
        base = r.likelihood
        evidence = ""
        like = base
        if r.signal and r.signal in sig.index:
            s = sig.loc[r.signal]
            evidence = i18n.t(f"review.risk.signal_{r.signal}", lang, value=_fmt_signal(r.signal, s["value"], lang),
                              reference=_fmt_signal(r.signal, s["reference"], lang))  # fmt: skip
            if s["triggered"]:
                like = min(5, base + p.signal_uplift)
        name = r.risk_zh if lang == "zh" and r.risk_zh else r.risk
        cont = r.contingency_zh if lang == "zh" and r.contingency_zh else r.contingency
        rows.append(
            (name, r.kind, like, r.impact, like * r.impact, cont, r.owner, r.status, r.signal, base, evidence)
        )
    cols = ["risk", "kind", "likelihood", "impact", "score", "contingency", "owner", "status", "signal",
            "base_likelihood", "evidence"]  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def risk_display(reg: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The register for reading: kind and status translated, the columns a risk review looks at."""
    cols = ["risk", "kind", "likelihood", "impact", "score", "contingency", "owner", "status", "evidence"]
    out = reg[cols].copy()
    out["kind"] = [i18n.t(f"review.risk.kinds.{k}", lang) for k in out["kind"]]
    out["status"] = [i18n.t(f"review.risk.statuses.{k}", lang) for k in out["status"]]
    return out.rename(columns={"status": "risk_status"})


def _fmt_signal(signal: str, x: float, lang: str) -> str:
    if signal == "leads":
        return i18n.number(x, lang, 0)
    if signal == "price":
        return i18n.number(x, lang, 3)
    return i18n.pct(x, lang)


def describe_risks(reg: pd.DataFrame, ctx: Any) -> str:
    if reg.empty:
        return ctx.t("review.risk.none")
    raised = reg[reg["likelihood"] > reg["base_likelihood"]]
    top = reg.iloc[0]
    text = ctx.t("review.risk.summary", n=len(reg), top=top["risk"], score=int(top["score"]))
    if len(raised):
        text += " " + ctx.t("review.risk.raised", names="; ".join(raised["risk"]))
    return text


PDCA_COLUMNS = ["kpi", "act", "action", "owner", "opened", "due", "state", "status_now"]


def previous_log(root: str | Path, region: str, as_of: date) -> pd.DataFrame | None:
    """The PDCA log of the most recent earlier complete snapshot of `region` that has one."""
    for snap in reversed(earlier_snapshots(root, as_of)):
        f = snap.region_dir(region) / "artifacts" / "pdca_log.csv"
        if f.is_file():
            return pd.read_csv(f, dtype=str)
    return None


def pdca_log(board: pd.DataFrame, previous: pd.DataFrame | None, as_of: date, p: Review, lang: str = "en"
             ) -> pd.DataFrame:  # fmt: skip
    """Act: one entry per red KPI with the action from `review.actions` (stop / fix / standardise), its owner
    and a due date `review.action_days` after as_of. Entries of the previous log still open are carried forward
    when their KPI is still red (keeping opened date, action and owner) and marked resolved when it is not.
    Out (PDCA_COLUMNS): kpi, act, action, owner, opened, due, state (new | carried | resolved), status_now.
    """
    status = dict(zip(board["kpi"], board["status"], strict=True))
    red = [k for k in board.sort_values("shortfall", ascending=False)["kpi"] if status[k] == "red"]
    prev_open = {}
    if previous is not None and len(previous):
        for r in previous[previous["state"].isin(["new", "carried"])].itertuples():
            prev_open[r.kpi] = r
    rows = []
    due = (as_of + timedelta(days=p.action_days)).isoformat()
    for k in red:
        if k in prev_open:
            r = prev_open[k]
            rows.append((k, r.act, r.action, r.owner, r.opened, due, "carried", "red"))
            continue
        a = p.actions.get(k)
        if a is not None:
            text = a.action_zh if lang == "zh" and a.action_zh else a.action
            rows.append((k, a.act, text, a.owner, as_of.isoformat(), due, "new", "red"))
        else:
            rows.append((k, "fix", i18n.t("review.pdca.default_action", lang), "", as_of.isoformat(), due, "new",
                         "red"))  # fmt: skip
    for k, r in prev_open.items():
        if k not in red:
            rows.append((k, r.act, r.action, r.owner, r.opened, r.due, "resolved", status.get(k, "")))
    return pd.DataFrame(rows, columns=PDCA_COLUMNS)


def describe_pdca(log: pd.DataFrame, ctx: Any) -> str:
    if log.empty:
        return ctx.t("review.pdca.none")
    n = {s: int((log["state"] == s).sum()) for s in ("new", "carried", "resolved")}
    return ctx.t("review.pdca.summary", **n)


def pdca_display(log: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = log.assign(
        kpi=[i18n.t(f"review.kpi.names.{k}", lang) for k in log["kpi"]],
        act=[i18n.t(f"review.pdca.acts.{a}", lang) for a in log["act"]],
        state=[i18n.t(f"review.pdca.states.{s}", lang) for s in log["state"]],
    )
    return out


# ============================================================================================== widget
def whatif_panel(ctx: Any, values: pd.DataFrame, pva: pd.DataFrame) -> None:
    """Sliders for the red / yellow thresholds and the root-cause trigger; re-lights the board with the same
    `kpi_status` the batch run uses and counts the plan-vs-actual rows that would need a 5-Why."""
    import ipywidgets as w
    from IPython.display import display

    r = ctx.p.review
    pct = dict(min=0.0, max=0.5, step=0.01, readout_format=".0%", continuous_update=False)
    red = w.FloatSlider(value=r.red_below_baseline, description=ctx.t("review.whatif.red"), **pct)
    yellow = w.FloatSlider(value=r.yellow_below_baseline, description=ctx.t("review.whatif.yellow"), **pct)
    rc = w.FloatSlider(value=r.root_cause_threshold, description=ctx.t("review.whatif.root_cause"), **pct)
    out = w.Output()

    def redraw(_: Any = None) -> None:
        out.clear_output(wait=True)
        with out:
            if yellow.value > red.value:
                print(ctx.t("review.whatif.order"))
                return
            board = kpi_status(values, red.value, yellow.value, ctx.lang)
            ctx.table(kpi_display(board, ctx.lang, ctx.p.company.currency), domain="review")
            n = int((pva["variance_pct"].abs() > rc.value).sum())
            print(ctx.t("review.whatif.root_cause_rows", n=n))

    for s in (red, yellow, rc):
        s.observe(redraw, names="value")
    redraw()
    display(w.VBox([w.HBox([red, yellow, rc]), out]))
