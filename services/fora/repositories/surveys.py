"""Survey waves and their anonymous responses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import survey_instruments, survey_responses, survey_waves


async def latest_instrument_version(session: AsyncSession, code: str, *, lock: bool = False) -> int:
    """The highest stored version of an instrument, 0 when there is none."""
    if lock:  # two new versions of one code are numbered one after the other
        await session.execute(
            select(func.pg_advisory_xact_lock(func.hashtext(f"instrument:{code}")))
        )
    query = select(func.max(survey_instruments.c.version)).where(survey_instruments.c.code == code)
    return int(await session.scalar(query) or 0)


async def add_instrument(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(survey_instruments.insert().values(dict(row)))


async def instrument(session: AsyncSession, code: str, version: int) -> Row[Any] | None:
    query = select(survey_instruments).where(
        survey_instruments.c.code == code, survey_instruments.c.version == version
    )
    return (await session.execute(query)).one_or_none()


async def instruments(session: AsyncSession) -> Sequence[Row[Any]]:
    query = select(survey_instruments).order_by(
        survey_instruments.c.code, survey_instruments.c.version
    )
    return (await session.execute(query)).all()


async def published_waves_of_area(session: AsyncSession, area_id: str) -> Sequence[Row[Any]]:
    """Published waves of an area, oldest first (by the day they closed)."""
    query = (
        select(survey_waves)
        .where(survey_waves.c.area_id == area_id, survey_waves.c.published_at.is_not(None))
        .order_by(survey_waves.c.closes_on, survey_waves.c.wave_id)
    )
    return (await session.execute(query)).all()


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
