"""Survey waves and their anonymous responses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import survey_responses, survey_waves


async def add_wave(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(survey_waves.insert().values(dict(row)))


async def wave(session: AsyncSession, wave_id: UUID, *, lock: bool = False) -> Row[Any] | None:
    query = select(survey_waves).where(survey_waves.c.wave_id == wave_id)
    return (await session.execute(query.with_for_update() if lock else query)).one_or_none()


async def wave_exists(session: AsyncSession, wave_id: UUID) -> bool:
    query = select(survey_waves.c.wave_id).where(survey_waves.c.wave_id == wave_id)
    return await session.scalar(query) is not None


async def waves_of(session: AsyncSession, forum_id: UUID) -> list[UUID]:
    query = select(survey_waves.c.wave_id).where(survey_waves.c.forum_id == forum_id)
    return list((await session.scalars(query)).all())


async def mark_published(session: AsyncSession, wave_id: UUID, at: datetime) -> None:
    await session.execute(
        update(survey_waves).where(survey_waves.c.wave_id == wave_id).values(published_at=at)
    )


async def add_response(session: AsyncSession, wave_id: UUID, row: Mapping[str, Any]) -> None:
    await session.execute(survey_responses.insert().values(wave_id=wave_id, **row))


async def responses(session: AsyncSession, wave_id: UUID) -> Sequence[Row[Any]]:
    query = select(survey_responses).where(survey_responses.c.wave_id == wave_id)
    return (await session.execute(query)).all()
