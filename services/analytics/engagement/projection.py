"""The fora consumer's effect: fora, meetings, concerns and actions here, survey results in
the survey package, programme work (activities, membership counts, plan indicators, SARA
cases) in the programme package. Fora's own health roll-ups are not used."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.envelope import Envelope
from libs.contracts.fora import (
    ActionStatusChanged,
    ConcernRaised,
    ForumRegistered,
    MeetingHeld,
    SurveyResultsPublished,
)

from ..domain.engagement import action_done_on, forum_areas
from ..programme.projection import apply_programme_event
from ..survey.projection import apply_survey_results
from . import repository


async def _registered(session: AsyncSession, e: ForumRegistered) -> None:
    await repository.insert_forum(
        session,
        {
            "forum_id": e.forum_id,
            "forum_type": e.forum_type,
            "level": e.level,
            "area_code": e.area_code,
            "registered_at": e.registered_at,
            **forum_areas(e.level, e.area_code, e.station_id),
        },
    )


async def _meeting(session: AsyncSession, e: MeetingHeld) -> None:
    values = {
        "forum_id": e.forum_id,
        "held_on": e.held_on,
        "women": e.attendance.women,
        "men": e.attendance.men,
        "total": e.attendance.total,
        "quorum_met": e.quorum_met,
        "quorum_applies": e.quorum_applies,
        "women_only": e.women_only,
    }
    groups = [
        {"meeting_id": e.meeting_id, "group_code": g.group, "attendees": g.count}
        for g in e.groups or ()
    ]
    await repository.upsert_meeting(session, e.meeting_id, values, groups)


async def _concern(session: AsyncSession, e: ConcernRaised) -> None:
    await repository.insert_concern(
        session,
        {
            "concern_id": e.concern_id,
            "forum_id": e.forum_id,
            "category": e.category,
            "raised_at": e.raised_at,
        },
    )


async def _action(session: AsyncSession, e: ActionStatusChanged) -> None:
    done_on = action_done_on(e.to_status, e.changed_at.date())
    values = {
        "action_id": e.action_id,
        "forum_id": e.forum_id,
        "status": e.to_status,
        "due_on": e.due_on,
        "done_on": done_on,
    }
    changes: dict[str, Any] = {"status": e.to_status, "done_on": done_on}
    if e.due_on is not None:  # a rescheduled action carries its new due date
        changes["due_on"] = e.due_on
    await repository.upsert_action(session, values, changes)


HANDLERS: dict[type, Callable[[AsyncSession, Any], Awaitable[None]]] = {
    ForumRegistered: _registered,
    MeetingHeld: _meeting,
    ConcernRaised: _concern,
    ActionStatusChanged: _action,
}


async def apply_fora_events(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    for env in envelopes:
        await apply_programme_event(session, env)  # activities, membership, plans, SARA
        if isinstance(env.data, SurveyResultsPublished):  # needs the event id, for ties
            await apply_survey_results(session, env.id, env.data)
            continue
        handler = HANDLERS.get(type(env.data))
        if handler is not None:
            await handler(session, env.data)
