"""The public transparency report: a month's crime and complaints per governorate.

Counts from 1 to 4 are published as "<5" (and a second cell withheld where a total would
reveal a lone small one); rates of withheld counts are withheld too. Only codes, area names
and counts: nothing about a person.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference import load_reference

from . import figures
from .crime_view import incident_conditions
from .scope import Filters, field_error
from .tables import complaint_facts, incident_facts

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
COLUMNS = ("incidents", "complaints_received", "complaints_closed")


def month_filters(month: str | None, today: date) -> Filters:
    """The month's filters; default: the last full month. 422 naming `month` when wrong."""
    reference = load_reference()
    if month is None:
        first_of_this = today.replace(day=1)
        last = date.fromordinal(first_of_this.toordinal() - 1)
        month = last.strftime("%Y-%m")
    if not MONTH.match(month):
        raise field_error("month", f"must be YYYY-MM, got {month!r}")
    year, number = int(month[:4]), int(month[5:])
    start = date(year, number, 1)
    if start > today:
        raise field_error("month", "must not be in the future")
    end = date(year, number, calendar.monthrange(year, number)[1])
    return Filters(start, end, reference.national_code, None)


async def _grouped(session: AsyncSession, column, *where) -> dict[str, int]:
    query = select(column, func.count()).where(*where).group_by(column)
    return dict((await session.execute(query)).all())


async def raw_counts(session: AsyncSession, filters: Filters) -> dict[str, dict[str, int]]:
    """Per column, per governorate: the true counts (never published as they are)."""
    c = complaint_facts.c
    return {
        "incidents": await _grouped(
            session, incident_facts.c.governorate_code, *incident_conditions(filters)
        ),
        "complaints_received": await _grouped(
            session,
            c.governorate_code,
            c.received_at >= filters.start_at,
            c.received_at < filters.end_before,
        ),
        "complaints_closed": await _grouped(
            session,
            c.governorate_code,
            c.first_closed_at >= filters.start_at,
            c.first_closed_at < filters.end_before,
        ),
    }


def publishable(raw: dict[str, dict[str, int]], governorates: list[str]) -> dict[str, dict]:
    """Suppressed cells per column, the national total included (pure)."""
    out: dict[str, dict] = {}
    for column in COLUMNS:
        counts = {g: raw[column].get(g, 0) for g in governorates}
        shown = figures.suppress_column(counts)
        shown["total"] = figures.suppress(sum(counts.values()))
        out[column] = shown
    return out


async def public_report(session: AsyncSession, month: str | None, now: datetime) -> dict:
    reference = load_reference()
    filters = month_filters(month, now.astimezone(UTC).date())
    governorates = sorted(reference.governorates)
    raw = await raw_counts(session, filters)
    shown = publishable(raw, governorates)
    rows = []
    for g in governorates:
        item = reference.governorates[g]
        incidents = shown["incidents"][g]
        rate = (
            figures.rate_per_100k(incidents, item.population)
            if isinstance(incidents, int)
            else incidents
        )
        rows.append(
            {"governorate": g, "name_en": item.name_en, "name_ar": item.name_ar}
            | {column: shown[column][g] for column in COLUMNS}
            | {"incidents_per_100k": rate}
        )
    population = sum(g.population for g in reference.governorates.values())
    total_incidents = shown["incidents"]["total"]
    total = {
        "governorate": reference.national_code,
        "name_en": "National",
        "name_ar": "المستوى الوطني",
        **{column: shown[column]["total"] for column in COLUMNS},
        "incidents_per_100k": figures.rate_per_100k(total_incidents, population)
        if isinstance(total_incidents, int)
        else total_incidents,
    }
    return {
        "report": "public",
        "month": filters.start.strftime("%Y-%m"),
        "rows": rows,
        "total": total,
        "rule": 'counts from 1 to 4 are shown as "<5"; "x" marks a count withheld so that a '
        "small one cannot be worked out from the total",
    }
