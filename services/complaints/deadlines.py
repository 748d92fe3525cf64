"""The deadlines pass of the scheduler: one transaction per open complaint (so one slow case
holds no lock on the others), then one for the unanswered recommendations."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.chassis.db import in_transaction

from .application.deadlines import emit_for_case, emit_for_recommendations
from .domain.clocks import RulePack
from .repositories.cases import running_clocks


async def emit_due(
    sessions: async_sessionmaker[AsyncSession], pack: RulePack, now: datetime
) -> int:
    """One pass over every open complaint and unanswered recommendation; returns events sent."""
    async with sessions() as session:
        open_cases = await running_clocks(session)
    emitted = 0
    for complaint_id, governorate in open_cases:
        emitted += await in_transaction(
            sessions,
            partial(
                emit_for_case,
                complaint_id=complaint_id,
                governorate=governorate,
                pack=pack,
                now=now,
            ),
        )
    return emitted + await in_transaction(sessions, partial(emit_for_recommendations, now=now))
