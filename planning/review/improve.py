"""Next week's improvement list: what the review finds worth acting on, carried from review to review until it
is done or dropped (the PDCA log's weekly companion; docs/rhythm.md "Improvement list").

Four kinds of item, each with the numbers that are its evidence (`metric`, `baseline`, `n`, `n_base`):
- swing: a stage's conversion changed abnormally week over week. A stage's conversion in a week = of the deals
  that left the stage that week (reached the next stage, or were lost with it as their furthest stage), the share
  that moved on. Abnormal: both weeks have `swing_min_deals` deals and the two-proportion z exceeds `swing_z`.
- health: a customer whose health score (`strategy.health`) fell by `health_drop` points or more since the
  previous list (28 days without one); `detail` names the component that fell most (why).
- copy: the rep, lead source or industry with the best win rate over the last `copy_days` days, when it beats
  the region's by `copy_z` standard errors on at least `copy_min_deals` closed deals.
- stop: a lead source that was paid for in the last `stop_months` full months and produced no lead, or leads
  without a single won deal.

Carry-forward (`carry`): an open item of the previous list is done, dropped or still open (see `done_from_data`
and the user-editable marks file, `store.read_improvement_marks`); items found again stay one item (`item_id`).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from planning import store
from planning.review.periods import ts
from planning.strategy import health as health_mod
from planning.strategy import tiers
from planning.strategy.funnel import STAGE_DATE, STAGES, reached_stages

if TYPE_CHECKING:
    from planning.params import Params

ITEM_COLUMNS = ["item_id", "kind", "subject", "detail", "metric", "baseline", "n", "n_base"]
LIST_COLUMNS = [*ITEM_COLUMNS, "owner", "opened", "due", "state", "decided_by", "note"]
STATES = ("new", "open", "done", "dropped")
HEALTH_PARTS = ("usage", "satisfaction", "renewal", "trend")
NO_LIST_DAYS = 28  # "since" for health falls when there is no previous list


def _items(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def last_week(as_of: date) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Monday and Sunday of the last complete ISO week ending on or before `as_of`."""
    d = ts(as_of)
    sunday = d - pd.Timedelta(days=(d.day_of_week + 1) % 7)
    return sunday - pd.Timedelta(days=6), sunday


def stage_exits(opps: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Per stage (lead .. negotiation): deals that left it in [start, end] - advanced (reached the next stage in
    the window) and lost (lost in the window with it as their furthest stage) - and rate = advanced / both."""
    reached, closed, won = reached_stages(opps, end)
    close = pd.to_datetime(opps["close_date"])
    lost_in = (closed & ~won) & ((close >= start) & (close <= end)).to_numpy()
    rows = []
    for i, s in enumerate(STAGES[:-1]):
        nxt = STAGES[i + 1]
        when = pd.to_datetime(opps[STAGE_DATE[nxt]]) if STAGE_DATE[nxt] in opps else close
        moved = reached[nxt] & ((when >= start) & (when <= end)).to_numpy()
        furthest = reached[s] & ~reached[nxt]
        lost = lost_in & furthest
        n = int(moved.sum() + lost.sum())
        rows.append((s, nxt, int(moved.sum()), n, moved.sum() / n if n else math.nan))
    return pd.DataFrame(rows, columns=["stage", "next", "advanced", "n", "rate"])


def swings(opps: pd.DataFrame | None, p: Params) -> pd.DataFrame:
    """Abnormal week-over-week conversion swings, stage by stage (module docstring). ITEM_COLUMNS: subject =
    stage, detail = next stage, metric / n = last week's rate / deals, baseline / n_base = the week before's."""
    if opps is None or opps.empty:
        return _items([])
    c = p.review.improve
    start, end = last_week(p.as_of)
    now = stage_exits(opps, start, end)
    before = stage_exits(opps, start - pd.Timedelta(days=7), end - pd.Timedelta(days=7))
    rows = []
    for a, b in zip(now.itertuples(), before.itertuples(), strict=True):
        if a.n < c.swing_min_deals or b.n < c.swing_min_deals:
            continue
        pooled = (a.advanced + b.advanced) / (a.n + b.n)
        se = math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n))
        if se > 0 and abs(a.rate - b.rate) / se > c.swing_z:
            rows.append(
                {"item_id": f"swing:{a.stage}", "kind": "swing", "subject": a.stage, "detail": a.next,
                 "metric": a.rate, "baseline": b.rate, "n": a.n, "n_base": b.n}
            )  # fmt: skip
    return _items(rows)


def health_scores(orders: pd.DataFrame, customers: pd.DataFrame | None, p: Params, day: date) -> pd.DataFrame:
    """Health of every customer as known on `day` (`strategy.health` on the orders up to then): customer_id,
    health_score, the components, revenue_12m."""
    q = p.model_copy(update={"as_of": day})
    feats = tiers.customer_features(orders[orders["order_date"] <= ts(day)], customers, q)
    h = health_mod.health(feats, p.strategy)
    return h.assign(revenue_12m=feats["revenue_12m"].to_numpy(dtype=float))


def health_falls(now: pd.DataFrame, then: pd.DataFrame, p: Params) -> pd.DataFrame:
    """Customers whose score fell by `health_drop` points or more between two `health_scores` frames, the
    `health_max` with the most revenue in the last 12 months; detail = the component that fell most (weighted
    by `strategy.health_weights`), metric / baseline = score now / then."""
    c, w = p.review.improve, p.strategy.health_weights
    m = now.merge(then, on="customer_id", suffixes=("", "_then"))
    m = m[m["health_score_then"] - m["health_score"] >= c.health_drop]
    if m.empty:
        return _items([])
    # a component the data does not have (NaN: no customers table) did not fall
    drops = np.nan_to_num(np.column_stack([(m[f"{k}_then"] - m[k]) * w.get(k, 0.0) for k in HEALTH_PARTS]))
    m = m.assign(why=np.array(HEALTH_PARTS)[drops.argmax(axis=1)])
    m = m.sort_values(["revenue_12m", "customer_id"], ascending=[False, True]).head(c.health_max)
    return _items(
        [
            {"item_id": f"health:{r.customer_id}", "kind": "health", "subject": str(r.customer_id),
             "detail": r.why, "metric": r.health_score, "baseline": r.health_score_then, "n": 0, "n_base": 0}
            for r in m.itertuples()
        ]
    )  # fmt: skip


def best_practices(opps: pd.DataFrame | None, p: Params) -> pd.DataFrame:
    """The rep, lead source and industry whose win rate over the last `copy_days` days beats the region's by
    `copy_z` standard errors (on `copy_min_deals` closed deals or more): detail = rep_id | source | industry,
    subject = its key, metric / n = its win rate / closed deals, baseline / n_base = the region's."""
    if opps is None or opps.empty:
        return _items([])
    c = p.review.improve
    end = ts(p.as_of)
    _, closed, won = reached_stages(opps, end)
    close = pd.to_datetime(opps["close_date"])
    recent = closed & (close > end - pd.Timedelta(days=c.copy_days)).to_numpy()
    d = opps[recent].assign(won=won[recent])
    if len(d) < c.copy_min_deals:
        return _items([])
    base = float(d["won"].mean())
    rows = []
    for dim in ("rep_id", "source", "industry"):
        if dim not in d.columns:
            continue
        g = d.groupby(d[dim].astype(str))["won"].agg(["mean", "size"])
        g = g[g["size"] >= c.copy_min_deals]
        if g.empty:
            continue
        se = np.sqrt(base * (1 - base) / g["size"]) if 0 < base < 1 else pd.Series(np.inf, index=g.index)
        g = g.assign(z=(g["mean"] - base) / se).sort_values(["mean", "size"], ascending=False)
        top = g.iloc[0]
        if top["z"] >= c.copy_z:
            rows.append(
                {"item_id": f"copy:{dim}:{g.index[0]}", "kind": "copy", "subject": str(g.index[0]),
                 "detail": dim, "metric": float(top["mean"]), "baseline": base, "n": int(top["size"]),
                 "n_base": len(d)}
            )  # fmt: skip
    return _items(rows)


def channels_to_stop(marketing: pd.DataFrame | None, opps: pd.DataFrame | None, p: Params) -> pd.DataFrame:
    """Lead sources paid for in the last `stop_months` full months that produced no lead (detail "no_leads"), or
    whose deals closed in that window - at least `copy_min_deals` of them - include no win (detail "no_wins"):
    metric = spend, baseline = leads, n = won deals, n_base = closed deals."""
    if marketing is None or marketing.empty:
        return _items([])
    c, as_of = p.review.improve, p.as_of
    last_full = ts(as_of).to_period("M") - (0 if (ts(as_of) + pd.Timedelta(days=1)).day == 1 else 1)
    first = (last_full - (c.stop_months - 1)).to_timestamp()
    month = pd.to_datetime(marketing["month"])
    m = marketing[(month >= first) & (month <= last_full.to_timestamp())]
    by = m.groupby(m["channel"].astype(str))[["spend", "leads"]].sum()
    won_by, closed_by = pd.Series(dtype=float), pd.Series(dtype=float)
    if opps is not None and len(opps):
        _, closed, won = reached_stages(opps, ts(as_of))
        sel = closed & (pd.to_datetime(opps["close_date"]) >= first).to_numpy()
        src = opps.loc[sel, "source"].astype(str)
        won_by = pd.Series(won[sel], index=src.index).groupby(src).sum()
        closed_by = src.value_counts()
    rows = []
    for source, r in by.iterrows():
        wins, n = int(won_by.get(source, 0)), int(closed_by.get(source, 0))
        no_leads = r["leads"] <= 0
        if r["spend"] <= 0 or not (no_leads or (n >= c.copy_min_deals and wins == 0)):
            continue
        rows.append(
            {"item_id": f"stop:{source}", "kind": "stop", "subject": str(source),
             "detail": "no_leads" if no_leads else "no_wins", "metric": float(r["spend"]),
             "baseline": float(r["leads"]), "n": wins, "n_base": n}
        )  # fmt: skip
    return _items(rows)


def last_month_spend(marketing: pd.DataFrame | None, as_of: date) -> dict[str, float]:
    """Spend per lead source in the last full month before `as_of` (for `done_from_data`)."""
    if marketing is None or marketing.empty:
        return {}
    d = ts(as_of)
    last = d.to_period("M") - (0 if (d + pd.Timedelta(days=1)).day == 1 else 1)
    m = marketing[pd.to_datetime(marketing["month"]).dt.to_period("M") == last]
    return m.groupby(m["channel"].astype(str))["spend"].sum().to_dict()


# ------------------------------------------------------------------------------------------------ carry-forward
def previous_list(root: str | Path, region: str, as_of: date) -> tuple[pd.DataFrame | None, date | None]:
    """The improvement list of the latest earlier complete snapshot (any kind) of `region` that has one, and that
    snapshot's date."""
    for snap in reversed(store.snapshots(root, before=as_of)):
        prev = store.read_optional(snap.region_dir(region), "improvements")
        if prev is not None:
            return prev, snap.as_of
    return None, None


def since(previous: date | None, as_of: date) -> date:
    """The day health falls are measured from: the previous list's date, else `NO_LIST_DAYS` before `as_of`."""
    return previous or as_of - timedelta(days=NO_LIST_DAYS)


def done_from_data(
    item: pd.Series, found: set[str], health_now: dict[str, float], spend: dict[str, float]
) -> bool:
    """Whether the data says an open item is done: a swing no longer found this week; a customer's health back
    at or above its score when the item was opened (`baseline`); a lead source with no spend in the last full
    month. A practice to copy is done only when the marks file says so (adoption is not in the data)."""
    kind = item["kind"]
    if kind == "swing":
        return item["item_id"] not in found
    if kind == "health":
        now = health_now.get(str(item["subject"]))
        return now is not None and now >= float(item["baseline"])
    if kind == "stop":
        return spend.get(str(item["subject"]), 0.0) <= 0
    return False


def carry(
    found: pd.DataFrame,
    previous: pd.DataFrame | None,
    marks: pd.DataFrame | None,
    health_now: dict[str, float],
    spend: dict[str, float],
    p: Params,
) -> pd.DataFrame:
    """This review's list (LIST_COLUMNS): each open item (new | open) of `previous` decided first by the marks
    file (its status for this item, decided_by "file"), else done when `done_from_data` (decided_by "data"), else
    dropped when `drop_after_days` past its due date (decided_by "due"), else open again (opened, owner, due
    kept; evidence updated when found again); then the items `found` now that are not open already, as new (due
    `due_days` after `as_of`; owner "" for narrate to fill from `review.improve.owners`). Items done or dropped
    in the previous list are not repeated.
    """
    c, as_of = p.review.improve, p.as_of
    mark = {} if marks is None else {r.item_id: (r.status, r.note) for r in marks.itertuples()}
    now = found.set_index("item_id")
    ids = set(now.index)
    rows = []
    open_prev = previous[previous["state"].isin(["new", "open"])] if previous is not None else []
    for _, r in open_prev.iterrows() if len(open_prev) else iter(()):
        item = r.to_dict()
        if item["item_id"] in now.index:
            item.update(now.loc[item["item_id"]].to_dict())
        status, note = mark.get(item["item_id"], ("", ""))
        if status in ("done", "dropped"):
            item.update(state=status, decided_by="file", note=note or "")
        elif done_from_data(r, ids, health_now, spend):
            item.update(state="done", decided_by="data", note="")
        elif ts(as_of) > ts(r["due"]) + pd.Timedelta(days=c.drop_after_days):
            item.update(state="dropped", decided_by="due", note="")
        else:
            item.update(state="open", decided_by="", note=note or "")
        rows.append(item)
    carried = {r["item_id"] for r in rows}
    due = (as_of + timedelta(days=c.due_days)).isoformat()
    for item_id, r in now.iterrows():
        if item_id in carried:
            continue
        rows.append({**r.to_dict(), "item_id": item_id, "owner": "", "opened": as_of.isoformat(), "due": due,
                     "state": "new", "decided_by": "", "note": ""})  # fmt: skip
    out = pd.DataFrame(rows, columns=LIST_COLUMNS)
    for col in ("owner", "note", "decided_by"):
        out[col] = out[col].fillna("").astype(str)
    return out.reset_index(drop=True)
