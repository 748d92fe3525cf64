"""Concerns, priorities and actions: what residents raised and what was done about it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import SimpleNamespace
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import delete, select, update
from uuid6 import uuid7

from libs.chassis import idempotency
from libs.chassis.auth import Principal
from libs.chassis.service import Runtime, runtime
from libs.contracts.fora import ActionStatus, ActionStatusChanged, ConcernRaised, Group
from libs.reference import load_reference
from libs.reference.concerns import COMMUNITY_CONCERNS

from ..access import load_forum, load_owned, readers, writers
from ..domain.areas import UnknownArea, contains
from ..domain.follow_up import InvalidTransition, check_transition, is_overdue, rank_concerns
from ..domain.vocabulary import event_category, is_iccs_category
from ..events import publish
from ..health_store import refresh_health
from ..tables import action_notes, actions, agenda_items, concerns, meetings, members, priorities
from ..writes import RuleError, run_write

router = APIRouter(prefix="/v1", tags=["concerns and actions"])
Key = Header(None, alias=idempotency.HEADER)
PUBLIC_TEXT = "Shown on the public page: no names or other personal details"


class ConcernIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str = Field(
        pattern=r"^(\d{2}|\d{4}|[a-z_]{3,32})$",
        description='An ICCS section or division ("05", "0501") or a community concern code',
    )
    raised_by_group: Group
    raised_by_member_id: UUID | None = None
    meeting_id: UUID | None = Field(None, description="Raised at this meeting: on its agenda")
    area_id: str | None = Field(None, max_length=32, description="Default: the forum's area")
    summary_en: str | None = Field(None, max_length=500, description=PUBLIC_TEXT)
    summary_ar: str | None = Field(None, max_length=500, description=PUBLIC_TEXT)
    raised_on: date | None = None


class PrioritiesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period_start: date
    period_end: date
    candidates: list[UUID] = Field(min_length=1, max_length=100)
    method: Literal["votes", "ranking"] = "votes"
    votes: dict[UUID, int] | None = None
    ballots: list[list[UUID]] | None = Field(None, max_length=1000)
    top: int = Field(3, ge=1, le=20)

    @model_validator(mode="after")
    def _inputs_match_method(self) -> PrioritiesIn:
        if self.period_end < self.period_start:
            raise ValueError("period_end: must not be before period_start")
        if self.method == "votes" and self.votes is None:
            raise ValueError("votes: required when method is votes")
        if self.method == "ranking" and not self.ballots:
            raise ValueError("ballots: required when method is ranking")
        return self


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    concern_id: UUID | None = None
    priority_id: UUID | None = None
    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)
    owner: str = Field(
        pattern=r"^[a-z][a-z0-9_]{1,63}$",
        description="A role or an agency code, e.g. police_liaison, municipality",
    )
    due_on: date
    created_on: date | None = None


class ProgressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ActionStatus | None = None
    note: str | None = Field(None, max_length=2000)
    due_on: date | None = Field(None, description="Reschedule")
    on: date | None = Field(None, description="When it happened (default today)")


def _today() -> date:
    return datetime.now(UTC).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _check_category(category: str) -> None:
    if is_iccs_category(category):
        if not load_reference().is_valid_iccs(category):
            raise RuleError("category", f"{category!r} is not an ICCS section or division")
    elif category not in COMMUNITY_CONCERNS:
        raise RuleError(
            "category", f"unknown community concern; one of {sorted(COMMUNITY_CONCERNS)}"
        )


async def _check_concern_links(session, forum, body: ConcernIn) -> date:
    """Validate member, meeting and area; return the day the concern was raised."""
    raised_on = body.raised_on
    if body.raised_by_member_id is not None:
        owner = await session.scalar(
            select(members.c.forum_id).where(members.c.member_id == body.raised_by_member_id)
        )
        if owner != forum.forum_id:
            raise RuleError("raised_by_member_id", "must be a member of this forum")
    if body.meeting_id is not None:
        meeting = (
            await session.execute(select(meetings).where(meetings.c.meeting_id == body.meeting_id))
        ).one_or_none()
        if meeting is None or meeting.forum_id != forum.forum_id:
            raise RuleError("meeting_id", "must be a meeting of this forum")
        raised_on = raised_on or meeting.held_on or meeting.scheduled_for
    raised_on = raised_on or _today()
    if raised_on > _today():
        raise RuleError("raised_on", "must not be in the future")
    area_id = body.area_id or forum.area_id
    try:
        inside = contains(load_reference(), forum.area_id, area_id)
    except UnknownArea as exc:
        raise RuleError("area_id", exc.args[0]) from exc
    if not inside:
        raise RuleError("area_id", f"must lie within the forum's area {forum.area_id}")
    return raised_on


@router.post("/fora/{forum_id}/concerns", status_code=201, summary="Record a concern")
async def raise_concern(
    request: Request,
    forum_id: UUID,
    body: ConcernIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
):
    async def work(session):
        forum = await load_forum(session, forum_id, principal)
        _check_category(body.category)
        raised_on = await _check_concern_links(session, forum, body)
        concern_id, area_id = uuid7(), body.area_id or forum.area_id
        await session.execute(
            concerns.insert().values(
                concern_id=concern_id, forum_id=forum_id, meeting_id=body.meeting_id,
                raised_by_member=body.raised_by_member_id, raised_by_group=body.raised_by_group,
                category=body.category, area_id=area_id, summary_en=body.summary_en,
                summary_ar=body.summary_ar, raised_on=raised_on,
            )
        )  # fmt: skip
        if body.meeting_id is not None:
            await session.execute(
                agenda_items.insert().values(
                    item_id=uuid7(), forum_id=forum_id, meeting_id=body.meeting_id,
                    source="concern", status="accepted", concern_id=concern_id,
                    title_en=body.summary_en or body.category,
                    title_ar=body.summary_ar or body.category, created_at=datetime.now(UTC),
                )
            )  # fmt: skip
        await publish(
            session,
            ConcernRaised(
                forum_id=forum_id, concern_id=concern_id,
                category=event_category(body.category), area_code=area_id[:16],
                raised_by_group=body.raised_by_group, raised_at=_midnight(raised_on),
            ),
        )  # fmt: skip
        await refresh_health(session, forum_id, raised_on, _today())
        return 201, {"concern_id": concern_id, "raised_on": raised_on, "area_id": area_id}

    return await run_write(request, rt, principal, idempotency_key, work)


@router.get("/fora/{forum_id}/concerns", summary="A forum's concerns")
async def list_concerns(
    forum_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> list[dict]:
    async with rt.sessions() as session:
        await load_forum(session, forum_id, principal)
        rows = await session.execute(
            select(concerns).where(concerns.c.forum_id == forum_id).order_by(concerns.c.raised_on)
        )
        return [r._asdict() for r in rows]


@router.post("/fora/{forum_id}/priorities", summary="Set the forum's priorities for a period")
async def set_priorities(
    request: Request,
    forum_id: UUID,
    body: PrioritiesIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
):
    async def work(session):
        await load_forum(session, forum_id, principal)
        known = set(
            (
                await session.scalars(
                    select(concerns.c.concern_id).where(
                        concerns.c.forum_id == forum_id,
                        concerns.c.concern_id.in_(body.candidates),
                    )
                )
            ).all()
        )
        for i, candidate in enumerate(body.candidates):
            if candidate not in known:
                raise RuleError(("candidates", i), "must be a concern of this forum")
        try:
            ranked = rank_concerns(body.method, body.candidates, body.votes, body.ballots)
        except ValueError as exc:
            raise RuleError(body.method, str(exc)) from exc
        # A new vote for the same period replaces the previous one.
        await session.execute(
            delete(priorities).where(
                priorities.c.forum_id == forum_id, priorities.c.period_start == body.period_start
            )
        )
        chosen = [
            {
                "priority_id": uuid7(), "forum_id": forum_id, "concern_id": r.concern_id,
                "period_start": body.period_start, "period_end": body.period_end,
                "rank": r.rank, "score": r.score, "method": body.method,
            }
            for r in ranked[: body.top]
        ]  # fmt: skip
        await session.execute(priorities.insert(), chosen)
        return 200, {
            "priorities": chosen,
            "ranking": [{"concern_id": r.concern_id, "rank": r.rank, "score": r.score}
                        for r in ranked],
        }  # fmt: skip

    return await run_write(request, rt, principal, idempotency_key, work)


@router.get("/fora/{forum_id}/priorities", summary="The forum's priorities, newest period first")
async def list_priorities(
    forum_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> list[dict]:
    async with rt.sessions() as session:
        await load_forum(session, forum_id, principal)
        rows = await session.execute(
            select(priorities)
            .where(priorities.c.forum_id == forum_id)
            .order_by(priorities.c.period_start.desc(), priorities.c.rank)
        )
        return [r._asdict() for r in rows]


def _status_event(row, from_status, to_status, due_on, on: date) -> ActionStatusChanged:
    return ActionStatusChanged(
        forum_id=row.forum_id, action_id=row.action_id, concern_id=row.concern_id,
        from_status=from_status, to_status=to_status, due_on=due_on,
        changed_at=_midnight(on), overdue=is_overdue(to_status, due_on, on),
    )  # fmt: skip


async def _check_action_links(session, forum_id: UUID, body: ActionIn) -> UUID | None:
    concern_id = body.concern_id
    if body.priority_id is not None:
        priority = (
            await session.execute(
                select(priorities).where(priorities.c.priority_id == body.priority_id)
            )
        ).one_or_none()
        if priority is None or priority.forum_id != forum_id:
            raise RuleError("priority_id", "must be a priority of this forum")
        if concern_id not in (None, priority.concern_id):
            raise RuleError("concern_id", "must be the priority's concern")
        concern_id = priority.concern_id
    elif concern_id is not None:
        owner = await session.scalar(
            select(concerns.c.forum_id).where(concerns.c.concern_id == concern_id)
        )
        if owner != forum_id:
            raise RuleError("concern_id", "must be a concern of this forum")
    return concern_id


@router.post("/fora/{forum_id}/actions", status_code=201, summary="Agree an action")
async def create_action(
    request: Request,
    forum_id: UUID,
    body: ActionIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
):
    async def work(session):
        await load_forum(session, forum_id, principal)
        concern_id = await _check_action_links(session, forum_id, body)
        created_on = body.created_on or _today()
        if created_on > _today():
            raise RuleError("created_on", "must not be in the future")
        row = {
            "action_id": uuid7(), "forum_id": forum_id, "concern_id": concern_id,
            "priority_id": body.priority_id, "title_en": body.title_en,
            "title_ar": body.title_ar, "owner": body.owner, "due_on": body.due_on,
            "status": "open", "created_on": created_on,
        }  # fmt: skip
        await session.execute(actions.insert().values(row))
        await session.execute(
            action_notes.insert().values(
                action_id=row["action_id"], noted_on=created_on, to_status="open"
            )
        )
        await publish(
            session, _status_event(SimpleNamespace(**row), None, "open", body.due_on, created_on)
        )
        await refresh_health(session, forum_id, body.due_on, _today())
        return 201, row

    return await run_write(request, rt, principal, idempotency_key, work)


@router.post("/actions/{action_id}/progress", summary="Progress on an action: status and a note")
async def action_progress(
    request: Request,
    action_id: UUID,
    body: ProgressIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
):
    async def work(session):
        row, _ = await load_owned(session, actions, "action_id", action_id, principal, lock=True)
        on = body.on or _today()
        if on > _today():
            raise RuleError("on", "must not be in the future")
        if on < row.created_on:
            raise RuleError("on", f"must not be before the action was agreed ({row.created_on})")
        status, due_on = body.status or row.status, body.due_on or row.due_on
        if body.status and body.status != row.status:
            try:
                check_transition(row.status, body.status)
            except InvalidTransition as exc:
                raise RuleError("status", str(exc)) from exc
        closed_on = on if status == "done" and row.status != "done" else row.closed_on
        if status != "done":
            closed_on = None
        await session.execute(
            update(actions).where(actions.c.action_id == action_id)
            .values(status=status, due_on=due_on, closed_on=closed_on)
        )  # fmt: skip
        await session.execute(
            action_notes.insert().values(
                action_id=action_id, noted_on=on, from_status=row.status, to_status=status,
                note=body.note,
            )
        )  # fmt: skip
        if status != row.status or due_on != row.due_on:
            await publish(session, _status_event(row, row.status, status, due_on, on))
        for day in {row.due_on, due_on}:
            await refresh_health(session, row.forum_id, day, _today())
        return 200, {"action_id": action_id, "status": status, "due_on": due_on,
                     "closed_on": closed_on}  # fmt: skip

    return await run_write(request, rt, principal, idempotency_key, work)


@router.get("/fora/{forum_id}/actions", summary="A forum's actions with their progress notes")
async def list_actions(
    forum_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> list[dict]:
    async with rt.sessions() as session:
        await load_forum(session, forum_id, principal)
        rows = (
            await session.execute(
                select(actions).where(actions.c.forum_id == forum_id).order_by(actions.c.due_on)
            )
        ).all()
        notes = (
            await session.execute(
                select(action_notes)
                .where(action_notes.c.action_id.in_([r.action_id for r in rows]))
                .order_by(action_notes.c.id)
            )
        ).all()
    today = _today()
    return [
        {
            **r._asdict(),
            "overdue": is_overdue(r.status, r.due_on, today),
            "notes": [n._asdict() for n in notes if n.action_id == r.action_id],
        }
        for r in rows
    ]


@router.get("/actions/{action_id}", summary="One action")
async def get_action(
    action_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> dict:
    async with rt.sessions() as session:
        row, _ = await load_owned(session, actions, "action_id", action_id, principal)
    return {**row._asdict(), "overdue": is_overdue(row.status, row.due_on, _today())}
