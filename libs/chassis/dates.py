"""The calendar every service accepts: days from 1900-01-01 to 2199-12-31.

Python's `date` runs from year 1 to 9999 and PostgreSQL's further, but arithmetic at those
edges overflows (`0001-01-01T00:00:00+14:00` is before year 1 in UTC; the day after
9999-12-31 does not exist), which answered 500. No incident, complaint, baseline or report
lies outside these two centuries, so every date, week and month parameter is refused outside
them with a 422 naming the field and the range. Pure: domain modules use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from .errors import RuleViolation

EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
RANGE = f"from {EARLIEST.isoformat()} to {LATEST.isoformat()}"

Field = str | Sequence[str | int]

# Month names as written in Jordan and Iraq (the Levantine/Syriac names, not the Egyptian
# "يناير"): no locale or charting library ships them, so dates are formatted here.
MONTHS_AR = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران",
    "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def month_name(month: int, lang: str, short: bool = False) -> str:
    """A month (1-12) in Arabic ("ar": as in Jordan and Iraq) or English ("Sep" when short)."""
    if lang == "ar":
        return MONTHS_AR[month - 1]
    name = MONTHS_EN[month - 1]
    return name[:3] if short else name


def day_text(day: date, lang: str, short: bool = False) -> str:
    """A day as a reader writes it: "7 أيلول 2026", "7 September 2026" ("7 Sep 2026")."""
    return f"{day.day} {month_name(day.month, lang, short)} {day.year}"


def in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def check_day(day: date, field: Field) -> date:
    """`day`, or a 422 on `field` when it lies outside the accepted calendar."""
    if not in_range(day):
        raise RuleViolation(field, f"must be a date {RANGE}")
    return day


def check_moment(moment: datetime, field: Field) -> datetime:
    """`moment`, or a 422 on `field` when its day (local or UTC) lies outside the calendar."""
    if not in_range(moment.date()) or (
        moment.tzinfo is not None and not in_range(moment.astimezone(UTC).date())
    ):
        raise RuleViolation(field, f"must be a time {RANGE}")
    return moment
