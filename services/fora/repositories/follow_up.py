"""Concerns, priorities, actions and their progress notes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Row, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.follow_up import OPEN_STATUSES
from ..tables import (
    action_notes,
    actions,
    agenda_items,
    concerns,
    meeting_reviews,
    meetings,
    priorities,
)

# --- concerns --------------------------------------------------------------------------------


async def add_concern(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(concerns.insert().values(dict(row)))


async def forum_of_concern(session: AsyncSession, concern_id: UUID) -> UUID | None:
    query = select(concerns.c.forum_id).where(concerns.c.concern_id == concern_id)
    return await session.scalar(query)


async def concerns_among(
    session: AsyncSession, forum_id: UUID, concern_ids: Sequence[UUID]
) -> set[UUID]:
    """Which of `concern_ids` are concerns of the forum."""
    query = select(concerns.c.concern_id).where(
        concerns.c.forum_id == forum_id, concerns.c.concern_id.in_(concern_ids)
    )
    return set((await session.scalars(query)).all())


async def concerns_of(session: AsyncSession, forum_id: UUID) -> Sequence[Row[Any]]:
    query = select(concerns).where(concerns.c.forum_id == forum_id).order_by(concerns.c.raised_on)
    return (await session.execute(query)).all()


async def concerns_raised_at(session: AsyncSession, meeting_id: UUID) -> Sequence[Row[Any]]:
    query = select(
        concerns.c.concern_id, concerns.c.category, concerns.c.raised_by_group,
        concerns.c.summary_en, concerns.c.summary_ar,
    ).where(concerns.c.meeting_id == meeting_id)  # fmt: skip
    return (await session.execute(query)).all()


async def concern_facts(session: AsyncSession, forum_ids: Sequence[UUID]) -> Sequence[Row[Any]]:
    """(forum_id, raised_on, on_agenda) of the fora's concerns."""
    on_agenda = exists().where(
        agenda_items.c.concern_id == concerns.c.concern_id, agenda_items.c.meeting_id.is_not(None)
    )
    query = select(concerns.c.forum_id, concerns.c.raised_on, on_agenda.label("on_agenda")).where(
        concerns.c.forum_id.in_(forum_ids)
    )
    return (await session.execute(query)).all()


# --- priorities ------------------------------------------------------------------------------


async def replace_priorities(
    session: AsyncSession, forum_id: UUID, period_start: date, rows: Sequence[Mapping[str, Any]]
) -> None:
    """A new vote for the same period replaces the previous one."""
    await session.execute(
        delete(priorities).where(
            priorities.c.forum_id == forum_id, priorities.c.period_start == period_start
        )
    )
    await session.execute(priorities.insert(), [dict(r) for r in rows])


async def priority(session: AsyncSession, priority_id: UUID) -> Row[Any] | None:
    query = select(priorities).where(priorities.c.priority_id == priority_id)
    return (await session.execute(query)).one_or_none()


async def priorities_of(session: AsyncSession, forum_id: UUID) -> Sequence[Row[Any]]:
    query = (
        select(priorities)
        .where(priorities.c.forum_id == forum_id)
        .order_by(priorities.c.period_start.desc(), priorities.c.rank)
    )
    return (await session.execute(query)).all()


# --- actions ---------------------------------------------------------------------------------


async def add_action(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(actions.insert().values(dict(row)))


async def action(session: AsyncSession, action_id: UUID, *, lock: bool = False) -> Row[Any] | None:
    query = select(actions).where(actions.c.action_id == action_id)
    return (await session.execute(query.with_for_update() if lock else query)).one_or_none()


async def change_action(session: AsyncSession, action_id: UUID, **values: Any) -> None:
    await session.execute(update(actions).where(actions.c.action_id == action_id).values(**values))


async def add_note(
    session: AsyncSession,
    action_id: UUID,
    noted_on: date,
    to_status: str,
    *,
    from_status: str | None = None,
    note: str | None = None,
) -> None:
    await session.execute(
        action_notes.insert().values(
            action_id=action_id, noted_on=noted_on, from_status=from_status,
            to_status=to_status, note=note,
        )
    )  # fmt: skip


async def actions_of(session: AsyncSession, forum_id: UUID) -> Sequence[Row[Any]]:
    query = select(actions).where(actions.c.forum_id == forum_id).order_by(actions.c.due_on)
    return (await session.execute(query)).all()


async def actions_of_fora(session: AsyncSession, forum_ids: Sequence[UUID]) -> Sequence[Row[Any]]:
    return (await session.execute(select(actions).where(actions.c.forum_id.in_(forum_ids)))).all()


async def actions_for_concerns(
    session: AsyncSession, concern_ids: Sequence[UUID]
) -> Sequence[Row[Any]]:
    query = select(
        actions.c.action_id, actions.c.title_en, actions.c.title_ar, actions.c.owner,
        actions.c.due_on, actions.c.status,
    ).where(actions.c.concern_id.in_(concern_ids))  # fmt: skip
    return (await session.execute(query)).all()


async def notes_of(session: AsyncSession, action_ids: Sequence[UUID]) -> Sequence[Row[Any]]:
    query = (
        select(action_notes)
        .where(action_notes.c.action_id.in_(action_ids))
        .order_by(action_notes.c.id)
    )
    return (await session.execute(query)).all()


async def claim_newly_overdue(session: AsyncSession, today: date) -> Sequence[Row[Any]]:
    """Open actions past their due date not yet announced for that date, marked as announced
    (in the caller's transaction: if it rolls back, they are not)."""
    query = (
        update(actions)
        .where(
            actions.c.status.in_(OPEN_STATUSES),
            actions.c.due_on < today,
            or_(
                actions.c.overdue_notified_for.is_(None),
                actions.c.overdue_notified_for != actions.c.due_on,
            ),
        )
        .values(overdue_notified_for=actions.c.due_on)
        .returning(actions)
    )
    return (await session.execute(query)).all()


# --- reviews at meetings ---------------------------------------------------------------------


async def actions_among(
    session: AsyncSession, forum_id: UUID, action_ids: Sequence[UUID]
) -> dict[UUID, Row[Any]]:
    """Which of `action_ids` are actions of the forum."""
    query = select(actions).where(
        actions.c.forum_id == forum_id, actions.c.action_id.in_(action_ids)
    )
    return {r.action_id: r for r in (await session.execute(query)).all()}


async def record_review(
    session: AsyncSession, meeting_id: UUID, action_id: UUID, status: str
) -> None:
    """The meeting reviewed the action (again: its status then is updated)."""
    await session.execute(
        insert(meeting_reviews)
        .values(meeting_id=meeting_id, action_id=action_id, status=status)
        .on_conflict_do_update(index_elements=["meeting_id", "action_id"], set_={"status": status})
    )


async def reviewed_at(session: AsyncSession, meeting_id: UUID) -> Sequence[Row[Any]]:
    """The actions the meeting reviewed, by due date."""
    query = (
        select(actions)
        .join(meeting_reviews, meeting_reviews.c.action_id == actions.c.action_id)
        .where(meeting_reviews.c.meeting_id == meeting_id)
        .order_by(actions.c.due_on, actions.c.action_id)
    )
    return (await session.execute(query)).all()


async def previous_reviews(
    session: AsyncSession, meeting_id: UUID, action_ids: Sequence[UUID], before: date
) -> dict[UUID, date]:
    """Per action, the day of the latest other meeting before `before` that reviewed it."""
    day = func.coalesce(meetings.c.held_on, meetings.c.scheduled_for)
    query = (
        select(meeting_reviews.c.action_id, func.max(day))
        .join(meetings, meetings.c.meeting_id == meeting_reviews.c.meeting_id)
        .where(
            meeting_reviews.c.action_id.in_(action_ids),
            meeting_reviews.c.meeting_id != meeting_id,
            meetings.c.status != "cancelled",
            day < before,
        )
        .group_by(meeting_reviews.c.action_id)
    )
    return dict((await session.execute(query)).tuples().all())
