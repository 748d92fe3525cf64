"""Outreach and training activities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import activities


async def add(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(activities.insert().values(dict(row)))


async def held_between(session: AsyncSession, start: date, end: date) -> Sequence[Row[Any]]:
    query = select(activities).where(activities.c.held_on.between(start, end))
    return (await session.execute(query)).all()
