"""Tiny, consistent artefact frames for the plan audit's tests (tests/test_audit_*.py)."""

from __future__ import annotations

import calendar

import pandas as pd

MONTHS = [f"2027-{m:02d}" for m in range(1, 13)]
MONTH_TARGET = [10.00, 20.00, 30.00] * 4  # each quarter 60.00, the year 240.00


def targets(months: list[float] | None = None, quota: float | None = None) -> pd.DataFrame:
    """year -> quarter -> month -> two half-year 'weeks' whose targets add up exactly; with `quota`, a `quota`
    column: the target x quota / year target at every level (the reps' quotas, flex buffer included)."""
    m = MONTH_TARGET if months is None else months
    rows = [("year", "2027", "2027-01-01", "2027-12-31", round(sum(m), 2))]
    for q in range(4):
        start, end = (
            f"2027-{3 * q + 1:02d}-01",
            f"2027-{3 * q + 3:02d}-{calendar.monthrange(2027, 3 * q + 3)[1]}",
        )
        rows.append(("quarter", f"2027-Q{q + 1}", start, end, round(sum(m[3 * q : 3 * q + 3]), 2)))
    for i, period in enumerate(MONTHS):
        end = f"{period}-{calendar.monthrange(2027, i + 1)[1]}"
        rows.append(("month", period, f"{period}-01", end, m[i]))
    rows.append(("week", "H1", "2027-01-01", "2027-06-30", round(sum(m[:6]), 2)))
    rows.append(("week", "H2", "2027-07-01", "2027-12-31", round(sum(m[6:]), 2)))
    df = pd.DataFrame(rows, columns=["level", "period", "start", "end", "target"])
    if quota is not None:
        df["quota"] = (df["target"] * quota / df["target"].iloc[0]).round(2)
    return df


def target_position(*stated: tuple[str, str, str, str]) -> pd.DataFrame:
    """target_position.csv stating (measure, period, reference, position) for each row given."""
    rows = [(m, p, 0.0, r, float("nan"), 0.0, pos, r != "ambition") for m, p, r, pos in stated]
    cols = ["measure", "period", "amount", "reference", "lower", "upper", "position", "limit"]
    return pd.DataFrame(rows, columns=cols)


def targets_rep() -> pd.DataFrame:
    """Two reps sharing every month's target; R2 a hire ramping over 3 months from March."""
    rows = []
    ramp = {"2027-03": 1 / 3, "2027-04": 2 / 3}
    for month, t in zip(MONTHS, MONTH_TARGET, strict=True):
        r2 = 0.0 if month < "2027-03" else ramp.get(month, 1.0)
        rows.append(("R1", "t1", "current", month, t / 2, 1.0))
        rows.append(("R2", "t1", "hire", month, t / 2, r2))
    return pd.DataFrame(rows, columns=["rep_id", "team", "kind", "month", "target", "ramp"])


def calibration_dimensions(
    market: float = 250.0, team: float = 260.0, resources: float = 245.0
) -> pd.DataFrame:
    rows = [
        ("ambition", "ambition", 230.0, "total"),
        ("market", "market", market, "total"),
        ("team", "hires", 12.0, "delta"),
        ("team", "team", team, "total"),
        ("resources", "existing", 200.0, "start"),
        ("resources", "resources", resources, "total"),
    ]
    df = pd.DataFrame(rows, columns=["dimension", "component", "amount", "kind"])
    df["explanation"] = ""
    return df


def forecast(lower: float = 5.0, upper: float = 31.0) -> pd.DataFrame:
    """The chosen model's interval is `lower`..`upper` every month; another model's is not read."""
    chosen = pd.DataFrame({"month": MONTHS, "model": "ets", "forecast": 20.0, "lower": lower, "upper": upper})
    other = chosen.assign(model="naive", lower=0.0, upper=1.0)
    return pd.concat([chosen.assign(chosen=True), other.assign(chosen=False)], ignore_index=True)


def goals(achievable: bool = True, value: float = 240.0, capacity: float = 245.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "goal": ["Reach 240", "Win 10 customers"],
            "metric": ["revenue", "new_customers"],
            "value": [value, 10.0],
            "unit": ["money", "count"],
            "capacity": [capacity, 12.0],
            "achievable": [achievable, True],
        }
    )


def capacity(monthly: float = 21.0, hires: tuple[float, ...] = (0.0, 0.0, 1.0)) -> pd.DataFrame:
    """Resources' capacity model: `monthly` capacity a month against MONTH_TARGET; one hire in March."""
    h = list(hires) + [0.0] * (12 - len(hires))
    return pd.DataFrame(
        {
            "month": MONTHS,
            "headcount_start": 10.0,
            "hires": h,
            "planned_hires": h,
            "exits": 0.1,
            "capacity": monthly,
            "target": MONTH_TARGET,
        }
    )


def hiring_plan(start: str = "2027-03", productive_from: str = "2027-05", hires: int = 1) -> pd.DataFrame:
    return pd.DataFrame({"start_month": [start], "hires": [hires], "productive_from": [productive_from]})
