"""The tracer endpoint's counts: active incidents grouped by one column."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import incident_facts

GROUPS = {
    "station": incident_facts.c.station_id,
    "district": incident_facts.c.district_code,
    "governorate": incident_facts.c.governorate_code,
    "iccs": incident_facts.c.iccs_code,
}


async def incident_counts(
    session: AsyncSession, group_by: str, *, station_scoped: bool, station_id: str | None
) -> list[tuple[str, int]]:
    """(key, count) in key order; station-scoped: only `station_id`'s incidents (none when
    the token names no station)."""
    column = GROUPS[group_by]
    query = (
        select(column.label("key"), func.count().label("count"))
        .where(incident_facts.c.status == "active")
        .group_by(column)
        .order_by(column)
    )
    if station_scoped:
        query = query.where(incident_facts.c.station_id == station_id)
    return list((await session.execute(query)).tuples().all())
