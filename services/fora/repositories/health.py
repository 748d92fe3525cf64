"""Forum health snapshots: the figures last published per forum and quarter."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import health_snapshots


async def locked_snapshot(session: AsyncSession, forum_id: UUID, start: date) -> Any | None:
    """The figures last published for the quarter, locked so concurrent writes to one forum
    publish in turn."""
    query = (
        select(health_snapshots.c.figures)
        .where(health_snapshots.c.forum_id == forum_id)
        .where(health_snapshots.c.period_start == start)
        .with_for_update()
    )
    return (await session.execute(query)).scalar_one_or_none()


async def save_snapshot(
    session: AsyncSession, forum_id: UUID, start: date, figures: dict[str, Any]
) -> None:
    await session.execute(
        insert(health_snapshots)
        .values(forum_id=forum_id, period_start=start, figures=figures)
        .on_conflict_do_update(
            index_elements=["forum_id", "period_start"], set_={"figures": figures}
        )
    )
