"""The action plan: the planner's tasks from params and the tasks that follow from the plan itself, each with a
goal, an owner, dates, a dependency and a KPI; statuses and flags against the planning date. The Gantt chart is
`charts.gantt_chart`, the work breakdown structure (WBS) `views.wbs`.

Derived tasks are computed as keys and values (`derived_tasks`); their wording, in the report's language, comes
from `narrate.word_tasks`, and `action_plan` puts the worded tasks after the planner's.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from planning.params import local_text

if TYPE_CHECKING:
    from planning.params import Params

STAGES = ("lead", "discovery", "proposal", "negotiation", "won")

ACTION_COLUMNS = [
    "task",
    "goal",
    "owner",
    "start",
    "end",
    "depends_on",
    "kpi",
    "status",
    "source",
    "no_owner",
    "overdue",
]


def _status(declared: str, start: date, end: date, as_of: date) -> str:
    """planned | in_progress | done | overdue (not done and its end is before as_of)."""
    if declared == "done":
        return "done"
    if end < as_of:
        return "overdue"
    if declared == "in_progress" or start <= as_of:
        return "in_progress"
    return "planned"


def _task(
    key: str, goal: str, role: str, start: date, end: date, kpi: str, /, after: int | None = None, **fmt: Any
) -> dict[str, Any]:
    """One derived task (see `derived_tasks`); `fmt` holds the values its text quotes."""
    return {
        "key": key,
        "fmt": fmt,
        "goal": goal,
        "role": role,
        "start": start,
        "end": end,
        "after": after,
        "kpi": kpi,
    }


def derived_tasks(
    hiring: pd.DataFrame,
    tiers: pd.DataFrame | None,
    funnel: pd.DataFrame | None,
    alloc: pd.DataFrame | None,
    p: Params,
    *,
    core_reps: int,
    managers: int,
) -> list[dict[str, Any]]:
    """Tasks that follow from the plan itself, as keys and values (worded by `narrate.word_tasks`).

    Reads `plan_year`. Each task: key (a text of locale/resources.yaml `resources.tasks`), fmt (its values:
    counts, months, a tier / stage / lead-source key, a conversion rate), goal, role (the kind of owner, a key of
    `resources.owners`), start, end (dates), after (index of the task it depends on, or None), kpi.
    - one hiring task per cohort: requisition_by .. start month (KPI productive FTE);
    - training of each hire cohort in its first month, the `core_reps` current quota reps and the `managers` in
      Q1 (`training_per_person` levels), each only when there is someone to train (0 without a reps table);
    - a playbook roll-out per customer tier of the strategy step's customer_tiers.csv (Q1, KPI tier revenue);
    - fixing the funnel's bottleneck stage (funnel.csv `bottleneck`; else the lowest conversion) in H1, when the
      funnel has stages to compare (one row lead -> won, an export without stage dates, has none);
    - moving the marketing budget to the optimal split in January, and screening each stopped lead source.
    """
    year = p.plan_year
    q1 = (date(year, 1, 1), date(year, 3, 31))
    tasks: list[dict[str, Any]] = []
    for row in hiring.itertuples():
        start = pd.Period(row.requisition_by, freq="M").start_time.date()
        first_day = pd.Period(row.start_month, freq="M").start_time.date()
        end = first_day - pd.Timedelta(days=1) if first_day > start else first_day
        tasks.append(
            _task(
                "hire",
                "people",
                "hiring",
                start,
                end,
                "productive_fte",
                n=row.hires,
                start=row.start_month,
                productive=row.productive_from,
            )
        )
        last = pd.Period(row.start_month, freq="M").end_time.date()
        tasks.append(
            _task(
                "train_new",
                "people",
                "training",
                first_day,
                last,
                "ramp_months",
                after=len(tasks) - 1,
                n=row.hires,
                start=row.start_month,
            )
        )
    if core_reps > 0:
        tasks.append(_task("train_core", "people", "training", q1[0], q1[1], "win_rate"))
    if managers > 0:
        tasks.append(
            _task("train_managers", "people", "training", q1[0], date(year, 2, 28), "target_completion")
        )
    if tiers is not None and "tier" in tiers.columns and len(tiers):
        counts = tiers.groupby("tier").size()
        books = (
            tiers.groupby("tier")["playbook"].first() if "playbook" in tiers.columns else pd.Series(dtype=str)
        )
        for tier in ("strategic", "profit", "nurture", "maintain"):
            if tier not in counts:
                continue
            tasks.append(
                _task(
                    "playbook",
                    "customers",
                    "playbook",
                    q1[0],
                    q1[1],
                    f"revenue_{tier}",
                    tier=tier,
                    n=int(counts[tier]),
                    playbook=str(books.get(tier, "")),
                )
            )
    if funnel is not None and len(funnel) and "conversion_rate" in funnel.columns:
        f = funnel[funnel["stage"].isin(STAGES[:-1])]
        flagged = (
            f[f["bottleneck"].astype(str).str.lower().isin(["true", "1"])] if "bottleneck" in f.columns else f
        )
        stage_row = (
            (flagged if len(flagged) else f).sort_values("conversion_rate").iloc[0] if len(f) else None
        )
        if stage_row is not None and len(f) > 1:
            tasks.append(
                _task(
                    "funnel",
                    "pipeline",
                    "funnel",
                    q1[0],
                    date(year, 6, 30),
                    f"conversion_{stage_row['stage']}",
                    stage=stage_row["stage"],
                    rate=stage_row["conversion_rate"],
                )
            )
    if alloc is not None and len(alloc):
        tasks.append(
            _task(
                "budget",
                "pipeline",
                "budget",
                date(year, 1, 1),
                date(year, 1, 31),
                "revenue_per_marketing_yuan",
            )
        )
        for row in alloc[alloc["stopped"]].itertuples():
            tasks.append(
                _task(
                    "screen_channel",
                    "pipeline",
                    "budget",
                    date(year, 1, 1),
                    date(year, 2, 28),
                    "lead_conversion",
                    channel=row.channel,
                )
            )
    return tasks


def action_plan(derived: list[dict[str, Any]], p: Params, lang: str = "en") -> pd.DataFrame:
    """action_plan.csv: the planner's tasks (`resources.tasks`, their texts in `lang`) followed by the derived
    ones, worded (`narrate.word_tasks`: task, goal, owner, start, end, depends_on, kpi). Reads `as_of`.

    Columns: task, goal, owner, start, end (ISO dates), depends_on, kpi, status (planned | in_progress | done |
    overdue against `as_of`), source (params | derived), no_owner, overdue (flags for the report).
    """
    rows = []
    for task in p.resources.tasks:
        rows.append(
            {
                "task": local_text(task.task, lang),
                "goal": task.goal,
                "owner": local_text(task.owner, lang),
                "start": task.start,
                "end": task.end,
                "depends_on": _depends_text(task.depends_on, p, lang),
                "kpi": task.kpi,
                "declared": task.status,
                "source": "params",
            }
        )
    for task in derived:
        rows.append({**task, "declared": "planned", "source": "derived"})
    df = pd.DataFrame(rows)
    if df.empty:
        return pd.DataFrame(columns=ACTION_COLUMNS)
    df["start"] = pd.to_datetime(df["start"]).dt.date
    df["end"] = pd.to_datetime(df["end"]).dt.date
    df["status"] = [
        _status(d, s, e, p.as_of) for d, s, e in zip(df["declared"], df["start"], df["end"], strict=True)
    ]
    df["no_owner"] = df["owner"].fillna("").str.strip() == ""
    df["overdue"] = df["status"] == "overdue"
    df["start"] = df["start"].astype(str)
    df["end"] = df["end"].astype(str)
    return df[ACTION_COLUMNS].reset_index(drop=True)


def _depends_text(depends_on: str, p: Params, lang: str) -> str:
    """A dependency names another params task by its English text; show that task's text in `lang`."""
    if not depends_on:
        return ""
    for task in p.resources.tasks:
        if local_text(task.task, "en") == depends_on:
            return local_text(task.task, lang)
    return depends_on
