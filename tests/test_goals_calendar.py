"""planning.goals.calendar: working days from the holidays package for company.country, plus the planner's days."""

from __future__ import annotations

from datetime import date

import pytest

from planning.goals import calendar
from planning.params import resolve
from planning.runner import check_calendar
from planning.errors import ParamsError


def week_days(cal, week: str) -> float:
    return float(cal.loc[cal["week"] == week, "weight"].sum())


def test_weekends_only_without_a_country_and_planner_days_apply():
    cal = calendar.working_calendar(2026, "", off=[date(2026, 1, 1)])
    assert cal["week"].nunique() == 53 and cal["week"].iloc[-1] == "2026-W53"
    # January 2026: 22 weekdays, minus the planner's New Year's Day = 21
    assert cal.loc[cal["month"] == 0, "weight"].sum() == 21
    assert calendar.changed_days(cal)["source"].tolist() == ["params"]


def test_china_2027_spring_festival_and_national_day_weeks_have_fewer_working_days():
    cal = calendar.working_calendar(2027, "CN")
    plain = calendar.working_calendar(2027, "")
    assert plain["weight"].sum() == 261  # Mon-Fri of 2027
    assert cal["weight"].sum() < 261
    assert week_days(cal, "2027-W06") < 5  # Spring Festival (Feb 6, 2027)
    assert week_days(cal, "2027-W39") < 5 and week_days(cal, "2027-W40") < 5  # National Day (Oct 1)
    days = calendar.changed_days(cal)
    assert {"春节", "国庆节"} <= set(days["holiday_zh"])
    assert (days["change"] == "off").all() and (days["source"] == "country").all()


def test_official_make_up_working_days_count_when_the_package_has_them():
    cal = calendar.working_calendar(2026, "CN")
    days = calendar.changed_days(cal).set_index("day")
    # 2026-02-14 and 2026-02-28 are Saturdays worked to bridge the Spring Festival (State Council notice)
    assert days.loc["2026-02-14", "change"] == "on" and days.loc["2026-02-28", "change"] == "on"
    assert cal.set_index("day").loc["2026-02-14", "weight"] == 1.0


def test_planner_days_win_over_the_package():
    # work on National Day, take a normal Tuesday off
    cal = calendar.working_calendar(2027, "CN", off=[date(2027, 3, 2)], on=[date(2027, 10, 1)])
    by_day = cal.set_index("day")
    assert by_day.loc["2027-10-01", "weight"] == 1.0 and by_day.loc["2027-03-02", "weight"] == 0.0
    changed = calendar.changed_days(cal).set_index("day")
    assert "2027-10-01" not in changed.index.strftime("%Y-%m-%d")  # a worked weekday is no change at all
    assert changed.loc["2027-03-02", "source"] == "params"


def test_unknown_country_is_refused_naming_the_files_and_key(tmp_path):
    (tmp_path / "base.yaml").write_text("company:\n  country: XX\n", encoding="utf-8")
    (tmp_path / "east.yaml").write_text("region:\n  name: East\n", encoding="utf-8")
    ri = resolve("east", params_dir=tmp_path)
    with pytest.raises(ParamsError, match=r"base\.yaml.*company\.country 'XX'.*ISO 3166"):
        check_calendar({"east": ri})
    assert calendar.supported("CN") and calendar.supported("") and not calendar.supported("XX")
