"""The public report's true counts, per column and governorate (suppressed before shown)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..crime.repository import incident_conditions
from ..domain.scope import Filters
from ..tables import complaint_facts, incident_facts


async def _grouped(
    session: AsyncSession, column: ColumnElement[Any], *where: ColumnElement[bool]
) -> dict[str, int]:
    query = select(column, func.count()).where(*where).group_by(column)
    return dict((await session.execute(query)).tuples().all())


async def raw_counts(session: AsyncSession, filters: Filters) -> dict[str, dict[str, int]]:
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
