"""Meetings: schedule, agenda, attendance and quorum, minutes, the closing report."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from libs.chassis.auth import Principal
from libs.chassis.db import in_transaction
from libs.chassis.personal_data import PersonalDataVault
from libs.chassis.service import Runtime, runtime

from ..access import readers, writers
from ..application import meetings
from ..schemas import (
    AgendaItemAddedOut,
    AgendaItemIn,
    AttendanceIn,
    AttendanceOut,
    ClosingReportOut,
    MeetingIn,
    MeetingOut,
    MeetingStatusOut,
    MeetingWithAgendaOut,
    MinutesIn,
    MinutesOut,
    MinutesRecordedOut,
    ReviewIn,
    ReviewOut,
    ScheduledMeetingOut,
)
from ..vault import vault
from . import Key, write

router = APIRouter(prefix="/v1", tags=["meetings"])


@router.post(
    "/fora/{forum_id}/meetings",
    status_code=201,
    response_model=ScheduledMeetingOut,
    summary="Schedule a meeting",
)
async def schedule_meeting(
    request: Request,
    forum_id: UUID,
    body: MeetingIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, ScheduledMeetingOut,
        partial(meetings.schedule, forum_id=forum_id, body=body, principal=principal),
    )  # fmt: skip


@router.get(
    "/fora/{forum_id}/meetings",
    response_model=list[MeetingOut],
    summary="A forum's meetings, by date",
)
async def list_meetings(
    forum_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions, partial(meetings.list_meetings, forum_id=forum_id, principal=principal)
    )


@router.get(
    "/meetings/{meeting_id}",
    response_model=MeetingWithAgendaOut,
    summary="A meeting with its agenda",
)
async def get_meeting(
    meeting_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions, partial(meetings.get_meeting, meeting_id=meeting_id, principal=principal)
    )


@router.post(
    "/meetings/{meeting_id}/agenda",
    status_code=201,
    response_model=AgendaItemAddedOut,
    summary="Add an agenda item",
)
async def add_agenda_item(
    request: Request,
    meeting_id: UUID,
    body: AgendaItemIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, AgendaItemAddedOut,
        partial(meetings.add_agenda_item, meeting_id=meeting_id, body=body, principal=principal),
    )  # fmt: skip


@router.post(
    "/meetings/{meeting_id}/attendance",
    response_model=AttendanceOut,
    summary="Record attendance: the meeting is held",
)
async def record_attendance(
    request: Request,
    meeting_id: UUID,
    body: AttendanceIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, AttendanceOut,
        partial(meetings.record_attendance, meeting_id=meeting_id, body=body, principal=principal),
        status=200,
    )  # fmt: skip


@router.put(
    "/meetings/{meeting_id}/minutes",
    response_model=MinutesRecordedOut,
    summary="Minutes, in Arabic or English",
)
async def put_minutes(
    meeting_id: UUID,
    body: MinutesIn,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
    sealer: PersonalDataVault = Depends(vault),
) -> Any:
    """Minutes name the people who spoke: they are sealed in the vault, like member names."""
    return await in_transaction(
        rt.sessions,
        partial(
            meetings.put_minutes, meeting_id=meeting_id, body=body, principal=principal,
            sealer=sealer,
        ),
    )  # fmt: skip


@router.get(
    "/meetings/{meeting_id}/minutes",
    response_model=MinutesOut,
    summary="The minutes (every read is audited)",
)
async def get_minutes(
    meeting_id: UUID,
    purpose: str = Query(..., min_length=3, max_length=200, description="Why they are read"),
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
    sealer: PersonalDataVault = Depends(vault),
) -> Any:
    return await in_transaction(
        rt.sessions,
        partial(
            meetings.get_minutes, meeting_id=meeting_id, purpose=purpose, principal=principal,
            sealer=sealer,
        ),
    )  # fmt: skip


@router.post(
    "/meetings/{meeting_id}/cancel",
    response_model=MeetingStatusOut,
    summary="Cancel a scheduled meeting",
)
async def cancel_meeting(
    meeting_id: UUID, principal: Principal = Depends(writers), rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions, partial(meetings.cancel, meeting_id=meeting_id, principal=principal)
    )


@router.get(
    "/meetings/{meeting_id}/report",
    response_model=ClosingReportOut,
    summary="The closing report of a held meeting",
)
async def closing_report(
    meeting_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions, partial(meetings.closing_report, meeting_id=meeting_id, principal=principal)
    )


@router.post(
    "/meetings/{meeting_id}/reviews",
    response_model=ReviewOut,
    summary="Record the actions of earlier meetings this meeting reviewed (a follow-up meeting)",
)
async def review_actions(
    request: Request,
    meeting_id: UUID,
    body: ReviewIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, ReviewOut,
        partial(meetings.review_actions, meeting_id=meeting_id, body=body, principal=principal),
        status=200,
    )  # fmt: skip


@router.get(
    "/meetings/{meeting_id}/reviews",
    response_model=ReviewOut,
    summary="The actions a meeting reviewed, their progress since the previous review, closed",
)
async def meeting_reviews(
    meeting_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions, partial(meetings.reviews, meeting_id=meeting_id, principal=principal)
    )
