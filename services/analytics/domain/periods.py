"""The time buckets of a view's series: ISO weeks (Mondays, UTC) up to a year, months beyond."""

from __future__ import annotations

from datetime import date, timedelta

from .scope import Filters

WEEKLY_UP_TO_DAYS = 366


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def bucket_of(day: date, unit: str) -> str:
    """The series bucket a day falls in: its week's Monday, or its month."""
    return monday(day).isoformat() if unit == "week" else day.strftime("%Y-%m")


def periods(filters: Filters) -> tuple[str, list[str]]:
    """The unit and the buckets of the series of the filters' period."""
    if (filters.end - filters.start).days < WEEKLY_UP_TO_DAYS:
        first, out = monday(filters.start), []
        while first <= filters.end:
            out.append(first.isoformat())
            first += timedelta(weeks=1)
        return "week", out
    months, day = [], filters.start.replace(day=1)
    while day <= filters.end:
        months.append(day.strftime("%Y-%m"))
        day = (day + timedelta(days=32)).replace(day=1)
    return "month", months
