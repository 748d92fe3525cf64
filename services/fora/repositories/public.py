"""What the public page may read beyond a forum's own records: its published survey waves."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import survey_waves


async def published_waves_of(session: AsyncSession, forum_id: UUID) -> list[UUID]:
    """The forum's waves whose results were published (`POST /surveys/{w}/publish`); a wave
    never published is not on the public page at all."""
    query = (
        select(survey_waves.c.wave_id)
        .where(survey_waves.c.forum_id == forum_id, survey_waves.c.published_at.is_not(None))
        .order_by(survey_waves.c.opens_on)
    )
    return list((await session.scalars(query)).all())
