"""Concerns, priorities and actions: what residents raised and what was done about it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.chassis.outbox import publish
from libs.contracts.fora import ActionOverdue, ActionStatusChanged, ConcernRaised
from libs.reference import load_reference

from ..domain import follow_up as rules
from ..domain.follow_up import is_overdue, rank_concerns
from ..domain.vocabulary import event_category
from ..repositories import follow_up, meetings, registry
from ..schemas import ActionIn, ActionProgressIn, ConcernIn, PrioritiesIn
from .health import refresh_health
from .scope import load_forum, owned


def _today() -> date:
    return datetime.now(UTC).date()


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


# --- concerns --------------------------------------------------------------------------------


async def _raised_on(session: AsyncSession, forum: Row[Any], body: ConcernIn) -> date:
    """Check the member and meeting named; the day the concern was raised (by default the
    meeting's, else today)."""
    raised_on = body.raised_on
    member = body.raised_by_member_id
    if member is not None and await registry.forum_of_member(session, member) != forum.forum_id:
        raise RuleViolation("raised_by_member_id", "must be a member of this forum")
    if body.meeting_id is not None:
        meeting = await meetings.meeting(session, body.meeting_id)
        if meeting is None or meeting.forum_id != forum.forum_id:
            raise RuleViolation("meeting_id", "must be a meeting of this forum")
        raised_on = raised_on or meeting.held_on or meeting.scheduled_for
    raised_on = raised_on or _today()
    rules.not_after("raised_on", raised_on, _today())
    return raised_on


async def raise_concern(
    session: AsyncSession, forum_id: UUID, body: ConcernIn, principal: Principal
) -> dict[str, Any]:
    """Record a concern (on its meeting's agenda when raised at one) and publish it."""
    forum = await load_forum(session, forum_id, principal)
    reference = load_reference()
    rules.check_category(reference, body.category)
    raised_on = await _raised_on(session, forum, body)
    area_id = body.area_id or forum.area_id
    rules.check_concern_area(reference, forum.area_id, area_id)
    concern_id = uuid7()
    await follow_up.add_concern(
        session,
        {
            "concern_id": concern_id, "forum_id": forum_id, "meeting_id": body.meeting_id,
            "raised_by_member": body.raised_by_member_id,
            "raised_by_group": body.raised_by_group, "category": body.category,
            "area_id": area_id, "summary_en": body.summary_en, "summary_ar": body.summary_ar,
            "raised_on": raised_on,
        },
    )  # fmt: skip
    if body.meeting_id is not None:
        await meetings.add_agenda_item(
            session,
            {
                "item_id": uuid7(), "forum_id": forum_id, "meeting_id": body.meeting_id,
                "source": "concern", "status": "accepted", "concern_id": concern_id,
                "title_en": body.summary_en or body.category,
                "title_ar": body.summary_ar or body.category, "created_at": datetime.now(UTC),
            },
        )  # fmt: skip
    await publish(
        session,
        [
            ConcernRaised(
                forum_id=forum_id, concern_id=concern_id,
                category=event_category(body.category), area_code=area_id[:16],
                raised_by_group=body.raised_by_group, raised_at=_midnight(raised_on),
            )
        ],
    )  # fmt: skip
    await refresh_health(session, forum_id, raised_on, _today())
    return {"concern_id": concern_id, "raised_on": raised_on, "area_id": area_id}


async def list_concerns(
    session: AsyncSession, forum_id: UUID, principal: Principal
) -> Sequence[Row[Any]]:
    await load_forum(session, forum_id, principal)
    return await follow_up.concerns_of(session, forum_id)


# --- priorities ------------------------------------------------------------------------------


async def set_priorities(
    session: AsyncSession, forum_id: UUID, body: PrioritiesIn, principal: Principal
) -> dict[str, Any]:
    """Rank the candidate concerns; the top ones become the period's priorities (replacing an
    earlier vote for the same period)."""
    await load_forum(session, forum_id, principal)
    known = await follow_up.concerns_among(session, forum_id, body.candidates)
    for i, candidate in enumerate(body.candidates):
        if candidate not in known:
            raise RuleViolation(("candidates", i), "must be a concern of this forum")
    ranked = rank_concerns(body.method, body.candidates, body.votes, body.ballots)
    chosen = [
        {
            "priority_id": uuid7(), "forum_id": forum_id, "concern_id": r.concern_id,
            "period_start": body.period_start, "period_end": body.period_end,
            "rank": r.rank, "score": r.score, "method": body.method,
        }
        for r in ranked[: body.top]
    ]  # fmt: skip
    await follow_up.replace_priorities(session, forum_id, body.period_start, chosen)
    return {"priorities": chosen, "ranking": ranked}


async def list_priorities(
    session: AsyncSession, forum_id: UUID, principal: Principal
) -> Sequence[Row[Any]]:
    await load_forum(session, forum_id, principal)
    return await follow_up.priorities_of(session, forum_id)


# --- actions ---------------------------------------------------------------------------------


def _status_event(
    action: Any, from_status: str | None, to_status: str, due_on: date, on: date
) -> ActionStatusChanged:
    return ActionStatusChanged(
        forum_id=action.forum_id, action_id=action.action_id, concern_id=action.concern_id,
        from_status=from_status, to_status=to_status, due_on=due_on,
        changed_at=_midnight(on), overdue=is_overdue(to_status, due_on, on),
    )  # fmt: skip


async def _action_concern(session: AsyncSession, forum_id: UUID, body: ActionIn) -> UUID | None:
    """The concern the action answers: the priority's, or the one named; of this forum."""
    concern_id = body.concern_id
    if body.priority_id is not None:
        priority = await follow_up.priority(session, body.priority_id)
        if priority is None or priority.forum_id != forum_id:
            raise RuleViolation("priority_id", "must be a priority of this forum")
        if concern_id not in (None, priority.concern_id):
            raise RuleViolation("concern_id", "must be the priority's concern")
        return priority.concern_id
    if concern_id is not None and await follow_up.forum_of_concern(session, concern_id) != forum_id:
        raise RuleViolation("concern_id", "must be a concern of this forum")
    return concern_id


async def create_action(
    session: AsyncSession, forum_id: UUID, body: ActionIn, principal: Principal
) -> dict[str, Any]:
    await load_forum(session, forum_id, principal)
    concern_id = await _action_concern(session, forum_id, body)
    created_on = body.created_on or _today()
    rules.not_after("created_on", created_on, _today())
    action_id = uuid7()
    row = {
        "action_id": action_id, "forum_id": forum_id, "concern_id": concern_id,
        "priority_id": body.priority_id, "title_en": body.title_en,
        "title_ar": body.title_ar, "owner": body.owner, "due_on": body.due_on,
        "status": "open", "created_on": created_on,
    }  # fmt: skip
    await follow_up.add_action(session, row)
    await follow_up.add_note(session, action_id, created_on, "open")
    event = ActionStatusChanged(
        forum_id=forum_id, action_id=action_id, concern_id=concern_id, from_status=None,
        to_status="open", due_on=body.due_on, changed_at=_midnight(created_on),
        overdue=is_overdue("open", body.due_on, created_on),
    )  # fmt: skip
    await publish(session, [event])
    await refresh_health(session, forum_id, body.due_on, _today())
    return row


async def action_progress(
    session: AsyncSession, action_id: UUID, body: ActionProgressIn, principal: Principal
) -> dict[str, Any]:
    """Progress on an action: a note always, a status or due date change perhaps (published)."""
    action = await follow_up.action(session, action_id, lock=True)
    action, _ = await owned(session, action, "action", action_id, principal)
    meeting = None
    if body.meeting_id is not None:
        meeting = await meetings.meeting(session, body.meeting_id)
        if meeting is None or meeting.forum_id != action.forum_id:
            raise RuleViolation("meeting_id", "must be a meeting of the action's forum")
    on = body.on or (meeting.held_on if meeting is not None else None) or _today()
    step = rules.progress(
        action.status, action.due_on, action.closed_on, action.created_on,
        on=on, today=_today(), new_status=body.status, new_due_on=body.due_on,
    )  # fmt: skip
    await follow_up.change_action(
        session, action_id, status=step.status, due_on=step.due_on, closed_on=step.closed_on
    )
    await follow_up.add_note(
        session, action_id, on, step.status, from_status=action.status, note=body.note
    )
    if meeting is not None:
        rules.check_reviewable(meeting.status, meeting.held_on or meeting.scheduled_for,
                               action.created_on, 0)  # fmt: skip
        await follow_up.record_review(session, meeting.meeting_id, action_id, step.status)
    if step.changed:
        await publish(session, [_status_event(action, action.status, step.status, step.due_on, on)])
    for day in {action.due_on, step.due_on}:
        await refresh_health(session, action.forum_id, day, _today())
    return {
        "action_id": action_id, "status": step.status, "due_on": step.due_on,
        "closed_on": step.closed_on,
    }  # fmt: skip


async def list_actions(
    session: AsyncSession, forum_id: UUID, principal: Principal
) -> list[dict[str, Any]]:
    """The forum's actions, each with whether it is overdue and its progress notes."""
    await load_forum(session, forum_id, principal)
    rows = await follow_up.actions_of(session, forum_id)
    notes = await follow_up.notes_of(session, [r.action_id for r in rows])
    today = _today()
    return [
        {
            **r._asdict(),
            "overdue": is_overdue(r.status, r.due_on, today),
            "notes": [n for n in notes if n.action_id == r.action_id],
        }
        for r in rows
    ]


async def get_action(
    session: AsyncSession, action_id: UUID, principal: Principal
) -> dict[str, Any]:
    row = await follow_up.action(session, action_id)
    row, _ = await owned(session, row, "action", action_id, principal)
    return {**row._asdict(), "overdue": is_overdue(row.status, row.due_on, _today())}


async def publish_overdue(session: AsyncSession, today: date) -> int:
    """Publish action.overdue for every action newly overdue on `today`; returns how many.

    The rows are marked in the transaction that stages their events, so a sweep that dies
    publishes nothing and marks nothing."""
    rows = await follow_up.claim_newly_overdue(session, today)
    await publish(
        session,
        [
            ActionOverdue(
                forum_id=r.forum_id, action_id=r.action_id, concern_id=r.concern_id,
                status=r.status, due_on=r.due_on, detected_on=today,
                days_overdue=(today - r.due_on).days,
            )
            for r in rows
        ],
    )  # fmt: skip
    for forum_id, due_on in {(r.forum_id, r.due_on) for r in rows}:
        await refresh_health(session, forum_id, due_on, today)
    return len(rows)
