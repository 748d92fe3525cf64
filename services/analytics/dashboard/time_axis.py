"""The time axis of a chart: which periods are unfinished, and tick labels in the page's
language.

Series buckets are ISO weeks ("2026-09-07", the Monday) or months ("2026-09"). A bucket the
filters' period does not cover whole (the current week, a month cut by `from`/`to`) holds
fewer days than the others: drawn like them it reads as a collapse, so the chart draws it
apart. Plotly has no Arabic locale bundled (and its "ar" names are the Egyptian ones), so the
ticks are written here with the names used in Jordan and Iraq (libs.chassis.dates).
Pure.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from libs.chassis.dates import day_text, month_name

from ..domain.labels import Lang

WEEK = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MONTH = re.compile(r"^\d{4}-\d{2}$")
MAX_TICKS = 6  # "تشرين الثاني" is ~60 px: six fit level on the narrowest chart


def is_period(value: object) -> bool:
    return isinstance(value, str) and bool(WEEK.match(value) or MONTH.match(value))


def span(period: str) -> tuple[date, date]:
    """A bucket's first and last day."""
    if WEEK.match(period):
        first = date.fromisoformat(period)
        return first, first + timedelta(days=6)
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def axis_value(period: str) -> str:
    """Where Plotly's date axis puts the bucket: its first day."""
    return span(period)[0].isoformat()


def partial(period: str, start: date, end: date) -> bool:
    """Does the filters' period [start, end] cover only part of the bucket?"""
    first, last = span(period)
    return first < start or last > end


def covered(period: str, start: date, end: date) -> tuple[date, date]:
    """The days of the bucket inside [start, end]."""
    first, last = span(period)
    return max(first, start), min(last, end)


def label(period: str, lang: Lang) -> str:
    """The bucket in words: "week of 7 Sep 2026" is written "7 Sep 2026"; a month "Sep 2026"
    (Arabic: "7 أيلول 2026", "أيلول 2026")."""
    first, _ = span(period)
    if WEEK.match(period):
        return day_text(first, lang, short=True)
    return f"{month_name(first.month, lang, short=True)} {first.year}"


def ticks(periods: list[str], lang: Lang) -> tuple[list[str], list[str]]:
    """Tick positions and texts: at most MAX_TICKS, each at a bucket's first day. Weeks are
    labelled by day when few, else the first week of every n-th month by its month; the year
    is written on the first tick and where it changes."""
    if not periods:
        return [], []
    weekly = bool(WEEK.match(periods[0]))
    if weekly and len(periods) <= MAX_TICKS:
        chosen = periods
    elif weekly:
        starts = [p for i, p in enumerate(periods) if i == 0 or p[:7] != periods[i - 1][:7]]
        chosen = starts[:: -(-len(starts) // MAX_TICKS)]
    else:
        chosen = periods[:: -(-len(periods) // MAX_TICKS)]
    texts, year = [], None
    by_day = weekly and len(periods) <= MAX_TICKS
    for p in chosen:
        first, _ = span(p)
        text = (
            f"{first.day} {month_name(first.month, lang, short=True)}"
            if by_day
            else month_name(first.month, lang, short=True)
        )
        if first.year != year:
            text += f"<br>{first.year}"
            year = first.year
        texts.append(text)
    return [axis_value(p) for p in chosen], texts
