"""The working calendar of the plan year (阶梯式目标: weeks share their month's target by working days).

Working days are Monday-Friday minus the public holidays of `company.country`, taken from the maintained
`holidays` package (China: Spring Festival, National Day ... and the official make-up working days on weekends
where the package has them), minus the planner's own days off (`goals.holidays`) and plus the planner's own
working days (`goals.workdays`, e.g. a make-up Saturday announced after the package's release). Why a package
and not a hand-kept list: public holidays move every year (lunar calendar, State Council notices) and the
package is maintained against the official announcements.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import holidays as holiday_calendars
import numpy as np
import pandas as pd

DAY_COLUMNS = ["date", "weekday", "change", "name", "name_zh", "source"]


def supported(country: str) -> bool:
    """True when the holidays package knows `country` (ISO 3166 alpha-2; "" = weekends only)."""
    return country == "" or country in holiday_calendars.list_supported_countries()


def day_changes(
    plan_year: int, country: str = "", off: Iterable[date] = (), on: Iterable[date] = ()
) -> pd.DataFrame:
    """The days of `plan_year` whose working status differs from "Monday-Friday works".

    Out: date (datetime64), weekday (0 = Monday), change ("off": a weekday that is not worked; "on": a weekend day
    that is worked), name (the holiday's name, "" for the planner's own days), source ("country": the holidays
    package for `country`; "params": goals.holidays / goals.workdays). The planner's days win over the package's.
    """
    rows: dict[date, tuple[str, str, str, str]] = {}
    if country:
        cal = holiday_calendars.country_holidays(country, years=plan_year)
        langs = getattr(cal, "supported_languages", ())
        zh = (
            holiday_calendars.country_holidays(country, years=plan_year, language="zh_CN")
            if "zh_CN" in langs
            else cal
        )
        for d, name in cal.items():
            if d.year == plan_year and d.weekday() < 5:
                rows[d] = ("off", name, zh.get(d, name), "country")
        for d in getattr(cal, "weekend_workdays", ()):
            if d.year == plan_year:
                rows[d] = ("on", "", "", "country")
    for d in off:
        rows[d] = ("off", "", "", "params")
    for d in on:
        rows[d] = ("on", "", "", "params")
    rows = {d: v for d, v in rows.items() if (v[0] == "off") == (d.weekday() < 5)}  # real changes only
    out = pd.DataFrame(
        [(pd.Timestamp(d), d.weekday(), *v) for d, v in sorted(rows.items())], columns=DAY_COLUMNS
    )
    out["weekday"] = out["weekday"].astype(int)
    return out


def working_calendar(
    plan_year: int, country: str = "", off: Iterable[date] = (), on: Iterable[date] = ()
) -> pd.DataFrame:
    """Every day of `plan_year`: day, month (0-11), week ("YYYY-Www" ISO week), weight (1 = working day), and for
    the days `day_changes` lists: change ("off" | "on", "" otherwise), holiday / holiday_zh (names), source. A
    month without a working day weighs all its days equally (so a target can still be spread)."""
    days = pd.date_range(f"{plan_year}-01-01", f"{plan_year}-12-31", freq="D")
    iso = days.isocalendar()
    week = [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)]
    changes = day_changes(plan_year, country, off, on).set_index("date").reindex(days)
    change = changes["change"].fillna("").to_numpy()
    weight = np.where(
        change == "off", 0.0, np.where(change == "on", 1.0, (days.day_of_week < 5).astype(float))
    )
    cal = pd.DataFrame(
        {
            "day": days,
            "month": days.month - 1,
            "week": week,
            "weight": weight,
            "change": change,
            "holiday": changes["name"].fillna("").to_numpy(),
            "holiday_zh": changes["name_zh"].fillna("").to_numpy(),
            "source": changes["source"].fillna("").to_numpy(),
        }
    )
    empty = cal.groupby("month")["weight"].transform("sum") == 0
    cal.loc[empty, "weight"] = 1.0
    return cal


def changed_days(cal: pd.DataFrame) -> pd.DataFrame:
    """The rows of a `working_calendar` whose working status was changed (public holidays, make-up days, the
    planner's days), in date order: day, week, change, holiday, holiday_zh, source."""
    return cal.loc[
        cal["change"] != "", ["day", "week", "change", "holiday", "holiday_zh", "source"]
    ].reset_index(drop=True)
