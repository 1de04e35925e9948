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

PDCA_COLUMNS = ["kpi", "act", "action", "owner", "opened", "due", "state", "status_now"]


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

    Out (PDCA_COLUMNS): kpi, act, action, owner, opened, due, state (new | carried | resolved), status_now. The
    action of a new entry is "": `narrate.pdca_table` fills it in the report language.
    """
    as_of, review = p.as_of, p.review
    status = dict(zip(board["kpi"], board["status"], strict=True))
    red = [k for k in board.sort_values("shortfall", ascending=False)["kpi"] if status[k] == "red"]
    prev_open = {}
    if previous is not None and len(previous):
        for r in previous[previous["state"].isin(["new", "carried"])].itertuples():
            prev_open[r.kpi] = r
    rows = []
    due = (as_of + timedelta(days=review.action_days)).isoformat()
    for k in red:
        if k in prev_open:
            r = prev_open[k]
            rows.append((k, r.act, r.action, r.owner, r.opened, due, "carried", "red"))
            continue
        a = review.actions.get(k)
        act, owner = (a.act, a.owner) if a is not None else ("fix", "")
        rows.append((k, act, "", owner, as_of.isoformat(), due, "new", "red"))
    for k, r in prev_open.items():
        if k not in red:
            rows.append((k, r.act, r.action, r.owner, r.opened, r.due, "resolved", status.get(k, "")))
    return pd.DataFrame(rows, columns=PDCA_COLUMNS)
