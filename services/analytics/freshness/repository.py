"""The freshness table's statements (tables.applied_event_times)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import applied_event_times as t


async def record_applied(session: AsyncSession, topic: str, latest: datetime, count: int) -> None:
    """`count` more distinct events applied from `topic`, the latest of them at `latest`."""
    statement = insert(t).values(topic=topic, latest_event_at=latest, applied=count)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[t.c.topic],
            set_={
                "latest_event_at": func.greatest(
                    t.c.latest_event_at, statement.excluded.latest_event_at
                ),
                "applied": t.c.applied + statement.excluded.applied,
            },
        )
    )


async def applied_times(session: AsyncSession) -> dict[str, tuple[datetime, int]]:
    """{topic: (latest event time applied, distinct events applied)}; one row per topic."""
    rows = await session.execute(select(t.c.topic, t.c.latest_event_at, t.c.applied))
    return {topic: (latest, int(applied)) for topic, latest, applied in rows.tuples()}
