"""clock_events: one row per deadline event ever emitted; its primary key makes it once."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.clocks import Deadline
from ..tables import clock_events


async def record_once(
    session: AsyncSession, complaint_id: UUID, deadline: Deadline, kind: str, now: datetime
) -> bool:
    """Whether this (complaint, clock, instance, kind) is new; a replica that got there first
    leaves nothing to insert."""
    inserted = await session.execute(
        insert(clock_events)
        .values(
            complaint_id=complaint_id,
            clock=deadline.kind,
            instance=deadline.instance,
            kind=kind,
            due_at=deadline.due_at,
            at=now,
        )
        .on_conflict_do_nothing()
        .returning(clock_events.c.clock)
    )
    return inserted.first() is not None
