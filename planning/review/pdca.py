"""The PDCA log: one Act entry per red KPI, carried from snapshot to snapshot until its KPI is no longer red.

The previous log is the `pdca_log` artefact of the most recent earlier complete snapshot that has one, read
through `planning.store`.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from planning import store

if TYPE_CHECKING:
    from planning.params import Params

PDCA_COLUMNS = ["kpi", "act", "action", "action_key", "owner", "opened", "due", "state", "status_now"]

#: Where an entry's action comes from (`action_key`), so that every report words it in its own language: the
#: KPI's `review.actions` entry in params, or the workbook's default action; "" for an entry of a log written
#: before the key was kept (its text is recognised by `narrate.pdca_actions` where it can be).
ACTION_KEYS = ("params", "default", "")


def previous_log(root: str | Path, region: str, as_of: date) -> pd.DataFrame | None:
    """The PDCA log of the most recent earlier complete snapshot of `region` in `root` that has one (text columns)."""
    for snap in reversed(store.snapshots(root, before=as_of)):
        log = store.read_optional(snap.region_dir(region), "pdca_log")
        if log is not None:
            return log
    return None


def pdca_log(board: pd.DataFrame, previous: pd.DataFrame | None, p: Params) -> pd.DataFrame:
    """Act: one entry per red KPI with the act and owner of `review.actions` (stop / fix / standardise; "fix" and
    no owner for a KPI without one) and a due date `review.action_days` after `p.as_of`. Entries of the previous
    log still open are carried forward when their KPI is still red (keeping opened date, action and owner) and
    marked resolved when it is not.

    Out (PDCA_COLUMNS): kpi, act, action, action_key, owner, opened, due, state (new | carried | resolved),
    status_now. The log keeps where an action comes from (`action_key`, ACTION_KEYS) and the action of a new entry
    is "": `narrate.pdca_actions` words every entry in the report's language (an entry carried from an English
    review reads Chinese in a Chinese one).
    """
    as_of, review = p.as_of, p.review
    status = dict(zip(board["kpi"], board["status"], strict=True))
    red = [k for k in board.sort_values("shortfall", ascending=False)["kpi"] if status[k] == "red"]
    prev_open = {}
    if previous is not None and len(previous):
        if "action_key" not in previous.columns:  # a log written before the key was kept
            previous = previous.assign(action_key="")
        for r in previous[previous["state"].isin(["new", "carried"])].itertuples():
            prev_open[r.kpi] = r
    rows = []
    due = (as_of + timedelta(days=review.action_days)).isoformat()
    for k in red:
        if k in prev_open:
            r = prev_open[k]
            rows.append((k, r.act, _text(r.action), _text(r.action_key), r.owner, r.opened, due, "carried", "red"))
            continue
        a = review.actions.get(k)
        act, owner, key = (a.act, a.owner, "params") if a is not None else ("fix", "", "default")
        rows.append((k, act, "", key, owner, as_of.isoformat(), due, "new", "red"))
    for k, r in prev_open.items():
        if k not in red:
            rows.append(
                (k, r.act, _text(r.action), _text(r.action_key), r.owner, r.opened, r.due, "resolved",
                 status.get(k, ""))
            )  # fmt: skip
    return pd.DataFrame(rows, columns=PDCA_COLUMNS)


def _text(v: object) -> str:
    """A text cell of a log read back ("" for an empty one)."""
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
