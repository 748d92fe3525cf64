"""Forum health: load a forum's facts, compute, publish when the quarter's figures changed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal
from libs.chassis.outbox import publish
from libs.contracts.fora import ForumHealthChanged, GroupShare
from libs.reference import load_reference

from ..domain.areas import contains
from ..domain.health import (
    ActionFact,
    ConcernFact,
    Health,
    MeetingFact,
    forum_health,
    period,
    quarter_of,
    roll_up,
)
from ..domain.vocabulary import meeting_kind
from ..repositories import follow_up, health, meetings, registry
from .scope import check_report_area, forum_areas, load_forum


async def health_of(
    session: AsyncSession, forum_ids: Sequence[UUID], start: date, end: date, as_of: date
) -> dict[UUID, Health]:
    """Each forum's health over [start, end], counted up to as_of."""
    if not forum_ids:
        return {}
    targets = await registry.women_targets(session, forum_ids)
    meeting_rows = await meetings.of_fora(session, forum_ids)
    action_rows = await follow_up.actions_of_fora(session, forum_ids)
    concern_rows = await follow_up.concern_facts(session, forum_ids)
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


def _meeting(m: Row[Any]) -> MeetingFact:
    return MeetingFact(
        decision=meeting_kind(load_reference(), m.kind).decision,
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

    Called by every write that moves a figure, in that write's transaction.
    """
    start, end = quarter_of(on)
    figures = (await health_of(session, [forum_id], start, end, today))[forum_id]
    snapshot = figures.as_dict()
    if await health.locked_snapshot(session, forum_id, start) == snapshot:
        return
    await health.save_snapshot(session, forum_id, start, snapshot)
    await publish(session, [health_event(forum_id, figures, datetime.now(UTC))])


def _today() -> date:
    return datetime.now(UTC).date()


async def forum_health_report(
    session: AsyncSession,
    forum_id: UUID,
    principal: Principal,
    start: date | None,
    end: date | None,
    as_of: date | None,
) -> dict[str, Any]:
    """A forum's health; a coordination council's also rolled up with the fora below it."""
    start, end, as_of = period(start, end, as_of, _today())
    forum = await load_forum(session, forum_id, principal)
    ids = [forum_id]
    if forum.forum_type == "coordination_council":
        ids += await registry.council_members(session, forum_id)
    figures = await health_of(session, ids, start, end, as_of)
    out = {"forum_id": forum_id, "as_of": as_of, **figures[forum_id].as_dict()}
    if len(ids) > 1:
        out["rolled_up"] = roll_up(list(figures.values()), start, end, forum.women_target).as_dict()
    return out


async def area_health_report(
    session: AsyncSession,
    area_id: str,
    principal: Principal,
    start: date | None,
    end: date | None,
    as_of: date | None,
    women_target: float,
) -> dict[str, Any]:
    """Every forum of the area in the principal's scope, and the area's roll-up."""
    start, end, as_of = period(start, end, as_of, _today())
    reference = load_reference()
    check_report_area(area_id, principal, ("query", "area_id"))
    rows = [
        r
        for r in await registry.all_fora(session, forum_areas(principal))
        if contains(reference, area_id, r.area_id)
    ]
    figures = await health_of(session, [r.forum_id for r in rows], start, end, as_of)
    return {
        "area_id": area_id,
        "as_of": as_of,
        "fora": [
            {"forum_id": r.forum_id, "name_en": r.name_en, **figures[r.forum_id].as_dict()}
            for r in rows
        ],
        "rolled_up": roll_up(list(figures.values()), start, end, women_target).as_dict(),
    }
