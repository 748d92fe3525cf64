"""Meetings: schedule, agenda, attendance and quorum, minutes, the closing report."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from uuid6 import uuid7

from libs.chassis import idempotency
from libs.chassis.auth import Principal
from libs.chassis.personal_data import PersonalDataVault
from libs.chassis.service import Runtime, runtime
from libs.contracts.fora import (
    AgeBand,
    AgeBandCount,
    Attendance,
    Gender,
    Group,
    GroupCount,
    MeetingHeld,
)

from ..access import load_forum, load_owned, readers, writers
from ..domain.meetings import MeetingKind, Person, QuorumRule, WalkIns, quorum, tally
from ..events import publish
from ..health_store import refresh_health
from ..tables import actions, agenda_items, concerns, meeting_attendance, meetings, members
from ..vault import vault
from ..writes import RuleError, run_write

MINUTES_FIELD = "minutes"
router = APIRouter(prefix="/v1", tags=["meetings"])
Key = Header(None, alias=idempotency.HEADER)


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheduled_for: date
    kind: MeetingKind = "regular"


class WalkInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(ge=1, le=10_000)
    gender: Gender | None = None
    age_band: AgeBand | None = None
    group: Group | None = None


class AttendanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    held_on: date
    members_present: list[UUID] = Field(default_factory=list, max_length=500)
    walk_ins: list[WalkInIn] = Field(default_factory=list, max_length=100)


class AgendaItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    concern_id: UUID | None = None
    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)


class MinutesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Literal["ar", "en"]
    text: str = Field(min_length=1, max_length=50_000)


def _today() -> date:
    return datetime.now(UTC).date()


@router.post("/fora/{forum_id}/meetings", status_code=201, summary="Schedule a meeting")
async def schedule_meeting(
    request: Request,
    forum_id: UUID,
    body: MeetingIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
):
    async def work(session):
        await load_forum(session, forum_id, principal)
        meeting_id = uuid7()
        await session.execute(
            meetings.insert().values(
                meeting_id=meeting_id, forum_id=forum_id, kind=body.kind,
                scheduled_for=body.scheduled_for, status="scheduled",
            )
        )  # fmt: skip
        attached = 0
        if body.kind == "regular" and body.scheduled_for >= _today():
            # Items proposed while no meeting was ahead (alerts) wait for this one.
            attached = (
                await session.execute(
                    update(agenda_items)
                    .where(agenda_items.c.forum_id == forum_id, agenda_items.c.meeting_id.is_(None))
                    .values(meeting_id=meeting_id)
                )
            ).rowcount
        return 201, {
            "meeting_id": meeting_id, "forum_id": forum_id, "kind": body.kind,
            "scheduled_for": body.scheduled_for, "status": "scheduled",
            "pending_items_attached": attached,
        }  # fmt: skip

    return await run_write(request, rt, principal, idempotency_key, work)


@router.get("/fora/{forum_id}/meetings", summary="A forum's meetings, by date")
async def list_meetings(
    forum_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> list[dict]:
    async with rt.sessions() as session:
        await load_forum(session, forum_id, principal)
        rows = await session.execute(
            select(meetings)
            .where(meetings.c.forum_id == forum_id)
            .order_by(meetings.c.scheduled_for)
        )
        return [_meeting_out(r) for r in rows]


def _meeting_out(row) -> dict:
    out = row._asdict()
    out.pop("walk_in_counts", None)
    return out


async def _agenda(session, meeting_id: UUID) -> list[dict]:
    rows = await session.execute(
        select(agenda_items)
        .where(agenda_items.c.meeting_id == meeting_id)
        .order_by(agenda_items.c.created_at)
    )
    return [
        {k: v for k, v in r._asdict().items() if k not in ("forum_id", "meeting_id")} for r in rows
    ]


@router.get("/meetings/{meeting_id}", summary="A meeting with its agenda")
async def get_meeting(
    meeting_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> dict:
    async with rt.sessions() as session:
        row, _ = await load_owned(session, meetings, "meeting_id", meeting_id, principal)
        return {**_meeting_out(row), "agenda": await _agenda(session, meeting_id)}


@router.post("/meetings/{meeting_id}/agenda", status_code=201, summary="Add an agenda item")
async def add_agenda_item(
    request: Request,
    meeting_id: UUID,
    body: AgendaItemIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
):
    async def work(session):
        meeting, _ = await load_owned(session, meetings, "meeting_id", meeting_id, principal)
        if body.concern_id is not None:
            owner = await session.scalar(
                select(concerns.c.forum_id).where(concerns.c.concern_id == body.concern_id)
            )
            if owner != meeting.forum_id:
                raise RuleError("concern_id", "must be a concern of this meeting's forum")
        item_id = uuid7()
        await session.execute(
            agenda_items.insert().values(
                item_id=item_id, forum_id=meeting.forum_id, meeting_id=meeting_id,
                source="concern" if body.concern_id else "other", status="accepted",
                concern_id=body.concern_id, title_en=body.title_en, title_ar=body.title_ar,
                created_at=datetime.now(UTC),
            )
        )  # fmt: skip
        if body.concern_id is not None:
            await refresh_health(session, meeting.forum_id, meeting.scheduled_for, _today())
        return 201, {"item_id": item_id, "meeting_id": meeting_id}

    return await run_write(request, rt, principal, idempotency_key, work)


async def _roll(session, forum_id: UUID, on: date) -> dict[UUID, Person]:
    """The members on the day: joined by then and not yet left."""
    rows = await session.execute(
        select(members).where(
            members.c.forum_id == forum_id,
            members.c.joined_on <= on,
            (members.c.left_on.is_(None)) | (members.c.left_on > on),
        )
    )
    return {r.member_id: Person(r.gender, r.age_band, r.represents) for r in rows}


def _check_attendance(meeting, body: AttendanceIn, roll: dict[UUID, Person]) -> None:
    if meeting.status != "scheduled":
        raise RuleError("meeting", f"is {meeting.status}; attendance is recorded once")
    if body.held_on > _today():
        raise RuleError("held_on", "must not be in the future")
    for i, member_id in enumerate(body.members_present):
        if member_id not in roll:
            raise RuleError(("members_present", i), f"{member_id} is not a member on that day")
    if len(set(body.members_present)) != len(body.members_present):
        raise RuleError("members_present", "lists a member twice")
    if meeting.kind == "women_only":
        men = [m for m in body.members_present if roll[m].gender == "male"]
        if men or any(w.gender == "male" for w in body.walk_ins):
            raise RuleError("members_present", "a women-only session has no male attendees")


@router.post("/meetings/{meeting_id}/attendance", summary="Record attendance: the meeting is held")
async def record_attendance(
    request: Request,
    meeting_id: UUID,
    body: AttendanceIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
):
    async def work(session):
        meeting, forum = await load_owned(
            session, meetings, "meeting_id", meeting_id, principal, lock=True
        )
        roll = await _roll(session, forum.forum_id, body.held_on)
        _check_attendance(meeting, body, roll)
        present = [roll[m] for m in body.members_present]
        walk_ins = [WalkIns(w.count, w.gender, w.age_band, w.group) for w in body.walk_ins]
        counts = tally(present, walk_ins)
        met, needed = quorum(QuorumRule(**forum.quorum), meeting.kind, present, list(roll.values()))
        await session.execute(
            update(meetings).where(meetings.c.meeting_id == meeting_id).values(
                status="held", held_on=body.held_on, quorum_met=met,
                members_present=counts.members_present, walk_ins=counts.walk_ins,
                women=counts.women, men=counts.men, total=counts.total, groups=counts.groups,
                age_bands=counts.age_bands,
                walk_in_counts=[w.model_dump() for w in body.walk_ins],
            )
        )  # fmt: skip
        if body.members_present:
            await session.execute(
                meeting_attendance.insert(),
                [{"meeting_id": meeting_id, "member_id": m} for m in body.members_present],
            )
        await publish(session, _held_event(meeting, body.held_on, counts, met))
        await refresh_health(session, forum.forum_id, body.held_on, _today())
        return 200, {
            "meeting_id": meeting_id, "status": "held", "quorum_met": met,
            "quorum_needed": needed,
            "attendance": {
                "members_present": counts.members_present, "walk_ins": counts.walk_ins,
                "total": counts.total, "women": counts.women, "men": counts.men,
                "groups": counts.groups, "age_bands": counts.age_bands,
            },
        }  # fmt: skip

    return await run_write(request, rt, principal, idempotency_key, work)


def _held_event(meeting, held_on: date, counts, met: bool) -> MeetingHeld:
    return MeetingHeld(
        forum_id=meeting.forum_id,
        meeting_id=meeting.meeting_id,
        held_on=held_on,
        attendance=Attendance(women=counts.women, men=counts.men, total=counts.total),
        quorum_met=met,
        women_only=meeting.kind == "women_only",
        groups=[GroupCount(group=g, count=n) for g, n in counts.groups.items()],
        age_bands=[AgeBandCount(age_band=a, count=n) for a, n in counts.age_bands.items()],
        members_present=counts.members_present,
        walk_ins=counts.walk_ins,
    )


@router.put("/meetings/{meeting_id}/minutes", summary="Minutes, in Arabic or English")
async def put_minutes(
    meeting_id: UUID,
    body: MinutesIn,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
    sealer: PersonalDataVault = Depends(vault),
) -> dict:
    """Minutes name the people who spoke: they are sealed in the vault, like member names."""
    async with rt.sessions() as session, session.begin():
        meeting, _ = await load_owned(session, meetings, "meeting_id", meeting_id, principal)
        if meeting.status != "held":
            raise HTTPException(409, "minutes are kept for a held meeting: record attendance first")
        await sealer.seal(session, meeting_id, {MINUTES_FIELD: body.text})
        await session.execute(
            update(meetings)
            .where(meetings.c.meeting_id == meeting_id)
            .values(minutes_language=body.language, minutes_recorded_at=datetime.now(UTC))
        )
    return {"meeting_id": meeting_id, "minutes_language": body.language}


@router.get("/meetings/{meeting_id}/minutes", summary="The minutes (every read is audited)")
async def get_minutes(
    meeting_id: UUID,
    purpose: str = Query(..., min_length=3, max_length=200, description="Why they are read"),
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
    sealer: PersonalDataVault = Depends(vault),
) -> dict:
    async with rt.sessions() as session, session.begin():
        meeting, _ = await load_owned(session, meetings, "meeting_id", meeting_id, principal)
        if meeting.minutes_recorded_at is None:
            raise HTTPException(404, f"no minutes recorded for meeting {meeting_id}")
        sealed = await sealer.unseal(
            session, meeting_id, principal=principal, purpose=purpose, fields=[MINUTES_FIELD]
        )
    if sealed is None:
        raise HTTPException(410, f"the minutes of meeting {meeting_id} were erased")
    return {
        "meeting_id": meeting_id,
        "language": meeting.minutes_language,
        "recorded_at": meeting.minutes_recorded_at,
        "text": sealed[MINUTES_FIELD],
    }


@router.post("/meetings/{meeting_id}/cancel", summary="Cancel a scheduled meeting")
async def cancel_meeting(
    meeting_id: UUID, principal: Principal = Depends(writers), rt: Runtime = Depends(runtime)
) -> dict:
    async with rt.sessions() as session, session.begin():
        meeting, _ = await load_owned(
            session, meetings, "meeting_id", meeting_id, principal, lock=True
        )
        if meeting.status != "scheduled":
            raise HTTPException(409, f"meeting is {meeting.status}")
        await session.execute(
            update(meetings).where(meetings.c.meeting_id == meeting_id).values(status="cancelled")
        )
        await refresh_health(session, meeting.forum_id, meeting.scheduled_for, _today())
    return {"meeting_id": meeting_id, "status": "cancelled"}


@router.get("/meetings/{meeting_id}/report", summary="The closing report of a held meeting")
async def closing_report(
    meeting_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> dict:
    async with rt.sessions() as session:
        meeting, forum = await load_owned(session, meetings, "meeting_id", meeting_id, principal)
        if meeting.status != "held":
            raise HTTPException(409, f"meeting is {meeting.status}: no closing report yet")
        raised = (
            await session.execute(
                select(concerns.c.concern_id, concerns.c.category, concerns.c.raised_by_group,
                       concerns.c.summary_en, concerns.c.summary_ar)
                .where(concerns.c.meeting_id == meeting_id)
            )
        ).all()  # fmt: skip
        agreed = (
            await session.execute(
                select(actions.c.action_id, actions.c.title_en, actions.c.title_ar,
                       actions.c.owner, actions.c.due_on, actions.c.status)
                .where(actions.c.concern_id.in_([c.concern_id for c in raised]))
            )
        ).all()  # fmt: skip
        agenda = await _agenda(session, meeting_id)
    return {
        "forum": {"forum_id": forum.forum_id, "name_en": forum.name_en, "name_ar": forum.name_ar},
        "meeting": _meeting_out(meeting),
        "quorum_rule": forum.quorum,
        "agenda": agenda,
        "concerns_raised": [c._asdict() for c in raised],
        "actions_agreed": [a._asdict() for a in agreed],
        "minutes": {
            "language": meeting.minutes_language,
            "recorded": meeting.minutes_recorded_at is not None,
        },
    }
