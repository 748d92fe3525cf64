"""Emitting deadline events exactly once: a `clock_events` row per (complaint, clock, instance,
kind), inserted in the same transaction as the event's outbox row.

Two replicas ticking at once, or a restart in the middle of a tick, can only ever try to insert
the same row twice; the primary key lets one through and the other inserts nothing (and so
publishes nothing).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.contracts.complaints import ComplaintDeadlineApproaching, ComplaintDeadlineBreached

from .casework import CaseKey, publish, status_history
from .clocks import Deadline, RulePack, running_deadlines
from .domain import CLOCKS_STOPPED
from .tables import clock_events, complaints, recommendations

RECOMMENDATION_CLOCK = "recommendation_response"


async def _record_once(
    session: AsyncSession, case: CaseKey, deadline: Deadline, kind: str, now: datetime
) -> bool:
    inserted = await session.execute(
        insert(clock_events)
        .values(
            complaint_id=case.complaint_id,
            clock=deadline.kind,
            instance=deadline.instance,
            kind=kind,
            due_at=deadline.due_at,
            at=now,
        )
        .on_conflict_do_nothing()
        .returning(clock_events.c.clock)
    )
    if inserted.first() is None:
        return False
    if kind == "approaching":
        event = ComplaintDeadlineApproaching(
            complaint_id=case.complaint_id,
            clock=deadline.kind,
            due_at=deadline.due_at,
            warned_at=now,
        )
    else:
        event = ComplaintDeadlineBreached(
            complaint_id=case.complaint_id,
            clock=deadline.kind,
            due_at=deadline.due_at,
            breached_at=now,
        )
    await publish(session, case, event)
    return True


async def emit_for(
    session: AsyncSession, case: CaseKey, deadlines: list[Deadline], now: datetime
) -> int:
    emitted = 0
    for deadline in deadlines:
        if now >= deadline.due_at:
            emitted += await _record_once(session, case, deadline, "breached", now)
        elif now >= deadline.warn_at:
            emitted += await _record_once(session, case, deadline, "approaching", now)
    return emitted


async def emit_due(sessions: async_sessionmaker, pack: RulePack, now: datetime) -> int:
    """One pass over every open complaint and unanswered recommendation; returns events sent."""
    async with sessions() as session:
        open_cases = (
            await session.execute(
                select(complaints.c.complaint_id, complaints.c.governorate_code).where(
                    complaints.c.status.not_in(CLOCKS_STOPPED)
                )
            )
        ).all()
    emitted = 0
    for complaint_id, governorate in open_cases:
        emitted += await _emit_case(sessions, CaseKey(complaint_id, governorate), pack, now)
    return emitted + await _emit_recommendations(sessions, now)


async def _emit_case(
    sessions: async_sessionmaker, case: CaseKey, pack: RulePack, now: datetime
) -> int:
    async with sessions() as session, session.begin():
        history = await status_history(session, case.complaint_id)
        return await emit_for(session, case, running_deadlines(history, pack, now), now)


async def _emit_recommendations(sessions: async_sessionmaker, now: datetime) -> int:
    async with sessions() as session, session.begin():
        rows = (
            await session.execute(
                select(recommendations, complaints.c.governorate_code)
                .join(complaints, complaints.c.complaint_id == recommendations.c.complaint_id)
                .where(recommendations.c.answer.is_(None))
            )
        ).all()
        emitted = 0
        for row in rows:
            warn = row.respond_by - min(timedelta(days=7), (row.respond_by - row.made_at) / 4)
            deadline = Deadline(
                RECOMMENDATION_CLOCK, str(row.recommendation_id), row.respond_by, warn
            )
            case = CaseKey(row.complaint_id, row.governorate_code)
            emitted += await emit_for(session, case, [deadline], now)
        return emitted
