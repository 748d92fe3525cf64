"""The deadlines pass of the scheduler: one transaction per open complaint (so one slow case
holds no lock on the others), then one for the unanswered recommendations; and one whole
scheduler pass as of a given instant (`one_pass`: the scheduler's tick, the admin API and
`jisr complaints clocks run --at`)."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.chassis.db import in_transaction
from libs.chassis.personal_data import PersonalDataVault
from libs.contracts.base import EventModel

from .application.deadlines import emit_for_case, emit_for_recommendations
from .application.notifications import dispatch_due
from .config import ComplaintsConfig
from .domain.clocks import RulePack
from .repositories.cases import running_clocks


async def due_events(
    sessions: async_sessionmaker[AsyncSession], pack: RulePack, now: datetime
) -> list[EventModel]:
    """One pass over every open complaint and unanswered recommendation: the events sent.
    Each (complaint, clock, instance, kind) is sent once ever (clock_events' primary key), so
    a pass at any instant, repeated or racing the scheduler, adds nothing twice."""
    async with sessions() as session:
        open_cases = await running_clocks(session)
    emitted: list[EventModel] = []
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


async def emit_due(
    sessions: async_sessionmaker[AsyncSession], pack: RulePack, now: datetime
) -> int:
    """`due_events`, counted."""
    return len(await due_events(sessions, pack, now))


def _described(event: EventModel) -> dict[str, Any]:
    data = event.model_dump()
    return {
        "complaint_id": data["complaint_id"],
        "type": event.event_type,
        "clock": data["clock"],
        "due_at": data["due_at"],
    }


async def one_pass(
    sessions: async_sessionmaker[AsyncSession],
    vault: PersonalDataVault,
    config: ComplaintsConfig,
    at: datetime,
    *,
    notifications: bool = True,
) -> dict[str, Any]:
    """One scheduler pass as of `at`: the deadline events due by then, and (unless told not
    to) the complainant messages due by then."""
    emitted = await due_events(sessions, config.pack, at)
    sent = 0
    if notifications:
        async with sessions() as session, session.begin():
            sent = await dispatch_due(
                session,
                vault,
                config.channels,
                at,
                max_attempts=config.notify_max_attempts,
                backoff_seconds=config.notify_backoff_seconds,
            )
    return {
        "at": at,
        "deadline_events": [_described(e) for e in emitted],
        "notifications_sent": sent,
    }
