"""Community-engagement read models from jisr.fora.activity.v1: fora with their areas,
meetings with attendance, concerns and actions; survey results in survey_projection.py."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.envelope import Envelope
from libs.contracts.fora import (
    ActionStatusChanged,
    ConcernRaised,
    ForumRegistered,
    MeetingHeld,
    SurveyResultsPublished,
)

from .area_columns import area_columns
from .survey_projection import apply_survey_results
from .tables import action_facts, concern_facts, forum_facts, meeting_facts, meeting_groups


def forum_areas(level: str, area_code: str, station_id: str | None) -> dict:
    """The station, district and governorate a forum sits in (None above its level), so
    engagement figures roll up and filter like crime and complaints."""
    return area_columns((station_id or area_code) if level == "station" else area_code)


async def _registered(session: AsyncSession, e: ForumRegistered) -> None:
    await session.execute(
        insert(forum_facts)
        .values(
            forum_id=e.forum_id,
            forum_type=e.forum_type,
            level=e.level,
            area_code=e.area_code,
            registered_at=e.registered_at,
            **forum_areas(e.level, e.area_code, e.station_id),
        )
        .on_conflict_do_nothing()
    )


async def _meeting(session: AsyncSession, e: MeetingHeld) -> None:
    values = {
        "forum_id": e.forum_id,
        "held_on": e.held_on,
        "women": e.attendance.women,
        "men": e.attendance.men,
        "total": e.attendance.total,
        "quorum_met": e.quorum_met,
        "women_only": e.women_only,
    }
    await session.execute(
        insert(meeting_facts)
        .values(meeting_id=e.meeting_id, **values)
        .on_conflict_do_update(index_elements=["meeting_id"], set_=values)
    )
    # A corrected attendance replaces the meeting's group counts.
    await session.execute(delete(meeting_groups).where(meeting_groups.c.meeting_id == e.meeting_id))
    rows = [
        {"meeting_id": e.meeting_id, "group_code": g.group, "attendees": g.count}
        for g in e.groups or ()
    ]
    if rows:
        await session.execute(insert(meeting_groups).on_conflict_do_nothing(), rows)


async def _concern(session: AsyncSession, e: ConcernRaised) -> None:
    await session.execute(
        insert(concern_facts)
        .values(
            concern_id=e.concern_id, forum_id=e.forum_id, category=e.category, raised_at=e.raised_at
        )
        .on_conflict_do_nothing()
    )


async def _action(session: AsyncSession, e: ActionStatusChanged) -> None:
    done_on = e.changed_at.date() if e.to_status == "done" else None
    statement = insert(action_facts).values(
        action_id=e.action_id,
        forum_id=e.forum_id,
        status=e.to_status,
        due_on=e.due_on,
        done_on=done_on,
    )
    changes = {"status": e.to_status, "done_on": done_on}
    if e.due_on is not None:  # a rescheduled action carries its new due date
        changes["due_on"] = e.due_on
    await session.execute(
        statement.on_conflict_do_update(index_elements=["action_id"], set_=changes)
    )


HANDLERS = {
    ForumRegistered: _registered,
    MeetingHeld: _meeting,
    ConcernRaised: _concern,
    ActionStatusChanged: _action,
}


async def apply_fora_events(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    for env in envelopes:
        if isinstance(env.data, SurveyResultsPublished):  # needs the event id, for ties
            await apply_survey_results(session, env.id, env.data)
            continue
        handler = HANDLERS.get(type(env.data))
        if handler is not None:  # members, SARA cases and fora's own health roll-ups: not used
            await handler(session, env.data)
