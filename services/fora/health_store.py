"""Forum health from the database: load a forum's facts, compute, publish when it changed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from uuid import UUID

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.fora import ForumHealthChanged, GroupShare

from .domain.health import ActionFact, ConcernFact, Health, MeetingFact, forum_health, quarter_of
from .events import publish
from .tables import actions, agenda_items, concerns, fora, health_snapshots, meetings


async def health_of(
    session: AsyncSession, forum_ids: Sequence[UUID], start: date, end: date, as_of: date
) -> dict[UUID, Health]:
    """Each forum's health over [start, end], counted up to as_of."""
    if not forum_ids:
        return {}
    targets = dict(
        (
            await session.execute(
                select(fora.c.forum_id, fora.c.women_target).where(fora.c.forum_id.in_(forum_ids))
            )
        )
        .tuples()
        .all()
    )
    meeting_rows = (
        await session.execute(select(meetings).where(meetings.c.forum_id.in_(forum_ids)))
    ).all()
    action_rows = (
        await session.execute(select(actions).where(actions.c.forum_id.in_(forum_ids)))
    ).all()
    on_agenda = exists().where(
        agenda_items.c.concern_id == concerns.c.concern_id, agenda_items.c.meeting_id.is_not(None)
    )
    concern_rows = (
        await session.execute(
            select(concerns.c.forum_id, concerns.c.raised_on, on_agenda.label("on_agenda")).where(
                concerns.c.forum_id.in_(forum_ids)
            )
        )
    ).all()
    return {
        forum_id: forum_health(
            start,
            end,
            as_of,
            [_meeting(m) for m in meeting_rows if m.forum_id == forum_id],
            [
                ActionFact(a.due_on, a.status, a.closed_on)
                for a in action_rows
                if a.forum_id == forum_id
            ],
            [ConcernFact(c.raised_on, c.on_agenda) for c in concern_rows if c.forum_id == forum_id],
            women_target=targets[forum_id],
        )
        for forum_id in forum_ids
    }


def _meeting(m) -> MeetingFact:
    return MeetingFact(
        scheduled_for=m.scheduled_for,
        kind=m.kind,
        status=m.status,
        held_on=m.held_on,
        quorum_met=bool(m.quorum_met),
        attendees=m.total or 0,
        women=m.women or 0,
        groups=m.groups or {},
    )


def health_event(forum_id: UUID, health: Health, now: datetime) -> ForumHealthChanged:
    return ForumHealthChanged(
        forum_id=forum_id,
        period_start=health.period_start,
        period_end=health.period_end,
        meetings_planned=health.meetings_planned,
        meetings_held=health.meetings_held,
        meetings_with_quorum=health.meetings_with_quorum,
        women_only_sessions=health.women_only_sessions,
        attendees=health.attendees,
        women_attendees=health.women_attendees,
        women_share=None if health.women_share is None else round(health.women_share, 4),
        women_target=round(health.women_target, 4),
        meets_women_target=health.meets_women_target,
        group_shares=[
            GroupShare(group=g, share=round(s, 4)) for g, s in health.group_shares.items()
        ],
        actions_due=health.actions_due,
        actions_closed_on_time=health.actions_closed_on_time,
        concerns_raised=health.concerns_raised,
        concerns_on_agenda=health.concerns_on_agenda,
        computed_at=now,
    )


async def refresh_health(session: AsyncSession, forum_id: UUID, on: date, today: date) -> None:
    """Recompute the forum's health for the quarter holding `on`; publish it if it changed.

    The snapshot row is locked (upsert) so concurrent writes to one forum publish in turn.
    """
    start, end = quarter_of(on)
    health = (await health_of(session, [forum_id], start, end, today))[forum_id]
    figures = health.as_dict()
    previous = (
        await session.execute(
            select(health_snapshots.c.figures)
            .where(health_snapshots.c.forum_id == forum_id)
            .where(health_snapshots.c.period_start == start)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if previous == figures:
        return
    await session.execute(
        insert(health_snapshots)
        .values(forum_id=forum_id, period_start=start, figures=figures)
        .on_conflict_do_update(
            index_elements=["forum_id", "period_start"], set_={"figures": figures}
        )
    )
    await publish(session, health_event(forum_id, health, datetime.now(UTC)))
