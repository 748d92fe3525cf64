"""Week arithmetic: the ISO week (Monday, UTC) is the unit of every count, baseline and
reporting period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from libs.chassis.dates import check_day
from libs.chassis.errors import RuleViolation

WEEK = timedelta(days=7)
Field = str | Sequence[str | int]


def week_start(moment: datetime | date) -> date:
    """The Monday (UTC) of the ISO week a moment falls in: the unit of every baseline."""
    day = moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def parse_week(value: str, field: Field = "week") -> date:
    """A week as its Monday ("2026-11-09") or ISO week ("2026-W46"); `field` names where the
    value came from, for the error."""
    try:
        if "W" in value:
            return check_day(
                date.fromisocalendar(int(value[:4]), int(value.split("W")[1]), 1), field
            )
        day = check_day(date.fromisoformat(value), field)
    except ValueError:
        raise RuleViolation(
            field, "must be a Monday (YYYY-MM-DD) or an ISO week (YYYY-Www)"
        ) from None
    if day.weekday() != 0:
        raise RuleViolation(field, f"{value} is a {day:%A}; weeks start on Monday")
    return day


def week_of(value: str, field: Field) -> date:
    """The week an ISO week or any date of it names (a baseline's `from` may be a Thursday)."""
    if "W" in value:
        return parse_week(value, field)
    return week_start(parse_day(value, field))


def parse_day(value: str, field: Field) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise RuleViolation(field, str(exc)) from None
    return check_day(day, field)


# The longest windows a request may ask for (the answer grows with them): completeness is one
# row per station and week, a baseline one estimate per week, an evaluation's windows counts.
MAX_COMPLETENESS_WEEKS = 53
MAX_BASELINE_WEEKS = 5 * 53
MAX_WINDOW_DAYS = 5 * 366


def check_window(first: date, last: date, max_weeks: int, field: Field = ("query", "from")) -> None:
    """422 on `field` when `first`..`last` is out of order or spans more than `max_weeks`."""
    if first > last:
        raise RuleViolation(field, "must not be after 'to'")
    if (last - first) // WEEK + 1 > max_weeks:
        raise RuleViolation(field, f"a window may span at most {max_weeks} weeks")


def weeks_between(first: date, last: date) -> list[date]:
    return [first + WEEK * i for i in range((last - first) // WEEK + 1)] if last >= first else []


def default_window(now: datetime, weeks: int = 4) -> tuple[date, date]:
    """The last `weeks` complete weeks before the current one."""
    last = week_start(now) - WEEK
    return last - WEEK * (weeks - 1), last


def check_ended(week: date, now: datetime) -> None:
    """A station closes a week once it is over (a day's grace for time zones)."""
    if week + WEEK > now.date() + timedelta(days=1):
        raise RuleViolation(("path", "week"), f"the week of {week} has not ended yet")


def day_windows(
    before_from: str, before_to: str, after_from: str, after_to: str
) -> tuple[tuple[date, date], tuple[date, date]]:
    """The before and after windows (dates inclusive) from the query; refused unless each
    window is in order and the after window starts after the before window."""
    before = (
        parse_day(before_from, ("query", "before_from")),
        parse_day(before_to, ("query", "before_to")),
    )
    after = (
        parse_day(after_from, ("query", "after_from")),
        parse_day(after_to, ("query", "after_to")),
    )
    for name, (start, end) in (("before_to", before), ("after_to", after)):
        if end < start:
            raise RuleViolation(("query", name), "window ends before it starts")
        if (end - start).days + 1 > MAX_WINDOW_DAYS:
            raise RuleViolation(
                ("query", name), f"a window may span at most {MAX_WINDOW_DAYS} days"
            )
    if before[1] >= after[0]:
        raise RuleViolation(
            ("query", "after_from"), "the after window must start after the before window"
        )
    return before, after
