"""The complainant notifications queue (rows are added with the move that causes them)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import complaints, notifications


async def due(session: AsyncSession, now: datetime, batch: int) -> list[Row[Any]]:
    """Pending notifications whose time has come, with the complaint's reference; locked, and
    skipping those another sender holds."""
    rows = await session.execute(
        select(notifications, complaints.c.reference)
        .join(complaints, complaints.c.complaint_id == notifications.c.complaint_id)
        .where(notifications.c.state == "pending", notifications.c.next_attempt_at <= now)
        .order_by(notifications.c.id)
        .limit(batch)
        .with_for_update(of=notifications, skip_locked=True)
    )
    return list(rows.all())


async def update_one(
    session: AsyncSession, notification_id: int, values: Mapping[str, Any]
) -> None:
    await session.execute(
        update(notifications).where(notifications.c.id == notification_id).values(**values)
    )
