"""Deadline events, exactly once: a `clock_events` row per (complaint, clock, instance, kind),
inserted in the same transaction as the event's outbox row.

Two replicas ticking at once, or a restart in the middle of a tick, can only ever try to insert
the same row twice; the primary key lets one through and the other inserts nothing (and so
publishes nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.base import EventModel
from libs.contracts.complaints import ComplaintDeadlineApproaching, ComplaintDeadlineBreached

from ..domain.clocks import Deadline, RulePack, running_deadlines, status_history
from ..domain.oversight import recommendation_deadline
from ..repositories import clocks, events, oversight
from .events import emit_all


def _event(complaint_id: UUID, deadline: Deadline, kind: str, now: datetime) -> EventModel:
    if kind == "approaching":
        return ComplaintDeadlineApproaching(
            complaint_id=complaint_id, clock=deadline.kind, due_at=deadline.due_at, warned_at=now
        )
    return ComplaintDeadlineBreached(
        complaint_id=complaint_id, clock=deadline.kind, due_at=deadline.due_at, breached_at=now
    )


async def _due_events(
    session: AsyncSession,
    complaint_id: UUID,
    deadlines: Sequence[Deadline],
    now: datetime,
) -> list[EventModel]:
    """The events of the deadlines that are due and not yet recorded (recording them)."""
    out: list[EventModel] = []
    for deadline in deadlines:
        if now >= deadline.due_at:
            kind = "breached"
        elif now >= deadline.warn_at:
            kind = "approaching"
        else:
            continue
        if await clocks.record_once(session, complaint_id, deadline, kind, now):
            out.append(_event(complaint_id, deadline, kind, now))
    return out


async def emit_for_case(
    session: AsyncSession, complaint_id: UUID, governorate: str, pack: RulePack, now: datetime
) -> list[EventModel]:
    """One complaint's running clocks; returns the events emitted."""
    history = status_history(await events.ledger_entries(session, complaint_id))
    due = await _due_events(session, complaint_id, running_deadlines(history, pack, now), now)
    await emit_all(session, [(governorate, e) for e in due])
    return due


async def emit_for_recommendations(session: AsyncSession, now: datetime) -> list[EventModel]:
    """The ministry's answer clock of every unanswered recommendation."""
    due: list[tuple[str, EventModel]] = []
    for row in await oversight.unanswered(session):
        deadline = recommendation_deadline(str(row.recommendation_id), row.made_at, row.respond_by)
        found = await _due_events(session, row.complaint_id, [deadline], now)
        due += [(row.governorate_code, e) for e in found]
    await emit_all(session, due)
    return [e for _, e in due]
