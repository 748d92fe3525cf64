"""The before/after evaluation's statements of its own: complaints received and closed in a
window, and the survey waves the page's suggested defaults are picked from. Incident counts
and survey cells are the crime and survey repositories' (the same conditions as their views).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.evaluation import Window
from ..repositories.areas import area_clause
from ..tables import complaint_facts, survey_waves

SUGGESTION_WAVES = 1000  # the newest waves the page's defaults look at


def _bounds(window: Window) -> tuple[datetime, datetime]:
    """The window as [first instant, first instant after) in UTC."""
    first = datetime.combine(window.first, time.min, UTC)
    return first, datetime.combine(window.last + timedelta(days=1), time.min, UTC)


async def complaint_counts(session: AsyncSession, area: str, window: Window) -> tuple[int, int]:
    """(received in the window, first closed in the window) of the complaints about the area
    (a complaint naming no station counts in its governorate only)."""
    c = complaint_facts.c
    start, end = _bounds(window)
    received = (c.received_at >= start) & (c.received_at < end)
    closed = (c.first_closed_at >= start) & (c.first_closed_at < end)
    query = select(func.count().filter(received), func.count().filter(closed)).where(
        area_clause(complaint_facts, area), received | closed
    )
    row = (await session.execute(query)).one()
    return int(row[0]), int(row[1])


async def waves_closing(
    session: AsyncSession, first: date, last: date
) -> Sequence[tuple[str, date]]:
    """(area, closing day) of the newest waves closing between the two days (bounded)."""
    w = survey_waves.c
    query = (
        select(w.area_id, w.closes_on)
        .where(w.closes_on >= first, w.closes_on <= last)
        .order_by(w.closes_on.desc(), w.area_id)
        .limit(SUGGESTION_WAVES)
    )
    return (await session.execute(query)).tuples().all()
