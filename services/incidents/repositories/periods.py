"""Station reporting periods: which stations closed which weeks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import station_periods


async def insert_closed(
    session: AsyncSession,
    station_id: str,
    week: date,
    incident_count: int,
    closed_at: datetime,
    closed_by: str,
) -> bool:
    """Store a closed week; False when the station had already closed it (nothing stored)."""
    inserted = await session.scalar(
        insert(station_periods)
        .values(
            station_id=station_id,
            week_start=week,
            incident_count=incident_count,
            closed_at=closed_at,
            closed_by=closed_by,
        )
        .on_conflict_do_nothing()
        .returning(station_periods.c.week_start)
    )
    return inserted is not None


async def closed(session: AsyncSession, station_id: str, week: date) -> dict[str, Any]:
    row = (
        await session.execute(
            select(station_periods).where(
                station_periods.c.station_id == station_id,
                station_periods.c.week_start == week,
            )
        )
    ).one()
    return dict(row._mapping)


async def closed_weeks(
    session: AsyncSession, station_ids: Sequence[str], first: date, last: date
) -> dict[str, set[date]]:
    """Per station, its closed weeks within [first, last]."""
    rows = await session.execute(
        text(
            "SELECT station_id, week_start FROM station_periods"
            " WHERE week_start BETWEEN :first AND :last AND station_id = ANY(:stations)"
        ),
        {"first": first, "last": last, "stations": list(station_ids)},
    )
    weeks: dict[str, set[date]] = {}
    for station, week in rows:
        weeks.setdefault(station, set()).add(week)
    return weeks


async def any_closed_by(session: AsyncSession, actor: str) -> bool:
    found = await session.scalar(
        text("SELECT EXISTS (SELECT 1 FROM station_periods WHERE closed_by = :a)"), {"a": actor}
    )
    return bool(found)


async def backfill_closed(
    session: AsyncSession, station_ids: Sequence[str], weeks: Sequence[date], actor: str
) -> int:
    """Every station closes every given week with its current count, in one statement (no
    events: a backfill of history rather than stations reporting live). Returns how many."""
    result = await session.execute(
        text(
            "INSERT INTO station_periods (station_id, week_start, incident_count,"
            " closed_at, closed_by)"
            " SELECT s.id, w.week, coalesce(c.n, 0), now(), :actor"
            " FROM unnest(CAST(:stations AS varchar[])) AS s(id)"
            " CROSS JOIN unnest(CAST(:weeks AS date[])) AS w(week)"
            " LEFT JOIN (SELECT station_id, week_start, count(*) AS n FROM incident_versions"
            "   WHERE valid_to IS NULL AND status = 'active' GROUP BY 1, 2) c"
            "   ON c.station_id = s.id AND c.week_start = w.week"
            " ON CONFLICT DO NOTHING"
        ),
        {"actor": actor, "stations": list(station_ids), "weeks": list(weeks)},
    )
    count: int = result.rowcount  # type: ignore[attr-defined]  # a DML result has it
    return count
