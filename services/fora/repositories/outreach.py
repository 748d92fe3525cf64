"""Outreach and training activities."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import activities
from .registry import reached


async def add(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(activities.insert().values(dict(row)))


async def held_between(
    session: AsyncSession,
    start: date,
    end: date,
    *,
    areas: Collection[str],
    forum_areas: Collection[str] | None,
    record_areas: Collection[str] | None,
) -> Sequence[Row[Any]]:
    """Activities held in [start, end] in `areas`, among those the scope reaches (its fora's
    and its areas' own): the scope is a condition of the query."""
    query = select(activities).where(
        activities.c.held_on.between(start, end),
        activities.c.area_id.in_(sorted(areas)),
        reached(activities.c.forum_id, activities.c.area_id, forum_areas, record_areas),
    )
    return (await session.execute(query.order_by(activities.c.held_on))).all()
