"""Meetings: schedule, agenda, attendance and quorum, minutes, the closing report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.chassis.outbox import publish
from libs.chassis.personal_data import PersonalDataVault
from libs.contracts.fora import AgeBandCount, Attendance, GroupCount, MeetingHeld
from libs.reference import load_reference

from ..domain import follow_up as follow_up_rules
from ..domain import meetings as rules
from ..domain.meetings import Person, QuorumRule, Tally, WalkIns, quorum, tally
from ..domain.vocabulary import MeetingKind, meeting_kind
from ..repositories import follow_up, meetings, registry
from ..schemas import AgendaItemIn, AttendanceIn, MeetingIn, MinutesIn, ReviewIn
from .health import refresh_health
from .scope import load_forum, owned

MINUTES_FIELD = "minutes"


def _today() -> date:
    return datetime.now(UTC).date()


async def _meeting(
    session: AsyncSession, meeting_id: UUID, principal: Principal, *, lock: bool = False
) -> tuple[Row[Any], Row[Any]]:
    row = await meetings.meeting(session, meeting_id, lock=lock)
    return await owned(session, row, "meeting", meeting_id, principal)


async def schedule(
    session: AsyncSession, forum_id: UUID, body: MeetingIn, principal: Principal
) -> dict[str, Any]:
    await load_forum(session, forum_id, principal)
    meeting_id = uuid7()
    row = {
        "meeting_id": meeting_id, "forum_id": forum_id, "kind": body.kind,
        "scheduled_for": body.scheduled_for, "status": "scheduled",
    }  # fmt: skip
    await meetings.add(session, row)
    attached = 0
    kind = meeting_kind(load_reference(), body.kind)
    if rules.attaches_pending_items(kind, body.scheduled_for, _today()):
        attached = await meetings.attach_pending_items(session, forum_id, meeting_id)
    return {**row, "pending_items_attached": attached}


async def list_meetings(
    session: AsyncSession, forum_id: UUID, principal: Principal
) -> Sequence[Row[Any]]:
    await load_forum(session, forum_id, principal)
    return await meetings.of_forum(session, forum_id)


async def get_meeting(
    session: AsyncSession, meeting_id: UUID, principal: Principal
) -> dict[str, Any]:
    meeting, _ = await _meeting(session, meeting_id, principal)
    return {**meeting._asdict(), "agenda": await meetings.agenda(session, meeting_id)}


async def add_agenda_item(
    session: AsyncSession, meeting_id: UUID, body: AgendaItemIn, principal: Principal
) -> dict[str, Any]:
    meeting, _ = await _meeting(session, meeting_id, principal)
    if body.concern_id is not None:
        owner = await follow_up.forum_of_concern(session, body.concern_id)
        if owner != meeting.forum_id:
            raise RuleViolation("concern_id", "must be a concern of this meeting's forum")
    item_id = uuid7()
    await meetings.add_agenda_item(
        session,
        {
            "item_id": item_id, "forum_id": meeting.forum_id, "meeting_id": meeting_id,
            "source": "concern" if body.concern_id else "other", "status": "accepted",
            "concern_id": body.concern_id, "title_en": body.title_en,
            "title_ar": body.title_ar, "created_at": datetime.now(UTC),
        },
    )  # fmt: skip
    if body.concern_id is not None:
        await refresh_health(session, meeting.forum_id, meeting.scheduled_for, _today())
    return {"item_id": item_id, "meeting_id": meeting_id}


async def record_attendance(
    session: AsyncSession, meeting_id: UUID, body: AttendanceIn, principal: Principal
) -> dict[str, Any]:
    """The meeting is held: who came, whether quorum was met, and the counts published."""
    meeting, forum = await _meeting(session, meeting_id, principal, lock=True)
    roll = {
        r.member_id: Person(r.gender, r.age_band, r.represents)
        for r in await registry.roll(session, forum.forum_id, body.held_on)
    }
    walk_ins = [WalkIns(w.count, w.gender, w.age_band, w.group) for w in body.walk_ins]
    kind = meeting_kind(load_reference(), meeting.kind)
    rules.check_attendance(
        meeting.status, kind, body.held_on, _today(), body.members_present, roll, walk_ins
    )
    present = [roll[m] for m in body.members_present]
    counts = tally(present, walk_ins)
    met, needed = quorum(QuorumRule(**forum.quorum), kind, present, list(roll.values()))
    await meetings.change(
        session, meeting_id, status="held", held_on=body.held_on, quorum_met=met,
        members_present=counts.members_present, walk_ins=counts.walk_ins, women=counts.women,
        men=counts.men, total=counts.total, groups=counts.groups, age_bands=counts.age_bands,
        walk_in_counts=[w.model_dump() for w in body.walk_ins],
    )  # fmt: skip
    await meetings.add_attendance(session, meeting_id, body.members_present)
    await publish(session, [_held_event(meeting, kind, body.held_on, counts, met)])
    await refresh_health(session, forum.forum_id, body.held_on, _today())
    return {
        "meeting_id": meeting_id, "status": "held", "quorum_met": met, "quorum_needed": needed,
        "attendance": {
            "members_present": counts.members_present, "walk_ins": counts.walk_ins,
            "total": counts.total, "women": counts.women, "men": counts.men,
            "groups": counts.groups, "age_bands": counts.age_bands,
        },
    }  # fmt: skip


def _held_event(
    meeting: Row[Any], kind: MeetingKind, held_on: date, counts: Tally, met: bool | None
) -> MeetingHeld:
    return MeetingHeld(
        forum_id=meeting.forum_id,
        meeting_id=meeting.meeting_id,
        held_on=held_on,
        attendance=Attendance(women=counts.women, men=counts.men, total=counts.total),
        quorum_met=bool(met),
        quorum_applies=met is not None,
        women_only=kind.women_only,
        kind=kind.code,
        groups=[GroupCount(group=g, count=n) for g, n in counts.groups.items()],
        age_bands=[AgeBandCount(age_band=a, count=n) for a, n in counts.age_bands.items()],
        members_present=counts.members_present,
        walk_ins=counts.walk_ins,
    )


async def put_minutes(
    session: AsyncSession,
    meeting_id: UUID,
    body: MinutesIn,
    principal: Principal,
    sealer: PersonalDataVault,
) -> dict[str, Any]:
    """Minutes name the people who spoke: they are sealed in the vault, like member names."""
    meeting, _ = await _meeting(session, meeting_id, principal)
    rules.check_held(meeting.status, "minutes are kept for a held meeting: record attendance first")
    await sealer.seal(session, meeting_id, {MINUTES_FIELD: body.text})
    await meetings.change(
        session, meeting_id, minutes_language=body.language, minutes_recorded_at=datetime.now(UTC)
    )
    return {"meeting_id": meeting_id, "minutes_language": body.language}


async def get_minutes(
    session: AsyncSession,
    meeting_id: UUID,
    purpose: str,
    principal: Principal,
    sealer: PersonalDataVault,
) -> dict[str, Any]:
    """The minutes; the read is audited (in this transaction)."""
    meeting, _ = await _meeting(session, meeting_id, principal)
    if meeting.minutes_recorded_at is None:
        raise RuleViolation.not_found(f"no minutes recorded for meeting {meeting_id}")
    sealed = await sealer.unseal(
        session, meeting_id, principal=principal, purpose=purpose, fields=[MINUTES_FIELD]
    )
    if sealed is None:
        raise RuleViolation(
            None, f"the minutes of meeting {meeting_id} were erased", status=410, code="gone"
        )
    return {
        "meeting_id": meeting_id,
        "language": meeting.minutes_language,
        "recorded_at": meeting.minutes_recorded_at,
        "text": sealed[MINUTES_FIELD],
    }


async def cancel(session: AsyncSession, meeting_id: UUID, principal: Principal) -> dict[str, Any]:
    meeting, _ = await _meeting(session, meeting_id, principal, lock=True)
    rules.check_cancellable(meeting.status)
    await meetings.change(session, meeting_id, status="cancelled")
    await refresh_health(session, meeting.forum_id, meeting.scheduled_for, _today())
    return {"meeting_id": meeting_id, "status": "cancelled"}


async def closing_report(
    session: AsyncSession, meeting_id: UUID, principal: Principal
) -> dict[str, Any]:
    meeting, forum = await _meeting(session, meeting_id, principal)
    rules.check_held(meeting.status, f"meeting is {meeting.status}: no closing report yet")
    raised = await follow_up.concerns_raised_at(session, meeting_id)
    agreed = await follow_up.actions_for_concerns(session, [c.concern_id for c in raised])
    reviewed = await _reviewed(session, meeting)
    return {
        "actions_reviewed": reviewed,
        "review_counts": follow_up_rules.review_counts(reviewed),
        "forum": forum,
        "meeting": meeting,
        "quorum_rule": forum.quorum,
        "agenda": await meetings.agenda(session, meeting_id),
        "concerns_raised": raised,
        "actions_agreed": agreed,
        "minutes": {
            "language": meeting.minutes_language,
            "recorded": meeting.minutes_recorded_at is not None,
        },
    }


# --- follow-up: the actions a meeting reviewed -----------------------------------------------


def meeting_day(meeting: Row[Any]) -> date:
    return meeting.held_on or meeting.scheduled_for


async def _reviewed(session: AsyncSession, meeting: Row[Any]) -> list[dict[str, Any]]:
    """Each action the meeting reviewed, with its progress since the previous review."""
    rows = await follow_up.reviewed_at(session, meeting.meeting_id)
    ids = [r.action_id for r in rows]
    day = meeting_day(meeting)
    previous = await follow_up.previous_reviews(session, meeting.meeting_id, ids, day)
    notes = await follow_up.notes_of(session, ids)
    return [
        follow_up_rules.reviewed_action(
            r._asdict(),
            [
                follow_up_rules.Note(n.id, n.noted_on, n.from_status, n.to_status, n.note)
                for n in notes
                if n.action_id == r.action_id
            ],
            day,
            previous.get(r.action_id),
        )
        for r in rows
    ]


async def mark_reviewed(
    session: AsyncSession, meeting: Row[Any], action_ids: list[UUID]
) -> None:
    """The meeting reviewed these actions of its forum, agreed before it (422 otherwise)."""
    known = await follow_up.actions_among(session, meeting.forum_id, action_ids)
    for i, action_id in enumerate(action_ids):
        action = known.get(action_id)
        if action is None:
            raise RuleViolation(("action_ids", i), "must be an action of this meeting's forum")
        follow_up_rules.check_reviewable(
            meeting.status, meeting_day(meeting), action.created_on, i
        )
        await follow_up.record_review(session, meeting.meeting_id, action_id, action.status)


async def review_actions(
    session: AsyncSession, meeting_id: UUID, body: ReviewIn, principal: Principal
) -> dict[str, Any]:
    """Record that the meeting (a follow-up meeting, typically) reviewed these actions."""
    meeting, _ = await _meeting(session, meeting_id, principal, lock=True)
    await mark_reviewed(session, meeting, list(dict.fromkeys(body.action_ids)))
    return await reviews(session, meeting_id, principal)


async def reviews(session: AsyncSession, meeting_id: UUID, principal: Principal) -> dict[str, Any]:
    meeting, _ = await _meeting(session, meeting_id, principal)
    reviewed = await _reviewed(session, meeting)
    return {
        "meeting_id": meeting_id,
        "reviewed_on": meeting_day(meeting),
        "actions": reviewed,
        "counts": follow_up_rules.review_counts(reviewed),
    }
