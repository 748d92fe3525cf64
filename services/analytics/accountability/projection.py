"""The complaints consumer's effect on the accountability read models; deadline warnings
change no figure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.complaints import (
    ComplaintClosed,
    ComplaintDeadlineBreached,
    ComplaintFindingRecorded,
    ComplaintReceived,
    ComplaintRecommendationAnswered,
    ComplaintRecommendationMade,
    ComplaintStatusChanged,
    OversightBodyChanged,
    OversightBodyRegistered,
)
from libs.contracts.envelope import Envelope

from ..domain.accountability import review_outcome
from . import repository
from .jurisdictions import apply_body_event


async def _received(session: AsyncSession, e: ComplaintReceived) -> None:
    await repository.insert_complaint(
        session,
        {
            "complaint_id": e.complaint_id,
            "channel": e.channel,
            "station_id": e.station_id,
            "governorate_code": e.governorate_code,
            "received_at": e.received_at,
            "status": "received",
            "anonymous": e.anonymous,
        },
        [
            {"complaint_id": e.complaint_id, "position": i, "category": c}
            for i, c in enumerate(e.allegation_categories)
        ],
    )


async def _status_changed(session: AsyncSession, e: ComplaintStatusChanged) -> None:
    await repository.set_status(session, e.complaint_id, e.to_status)
    outcome = review_outcome(e.from_status, e.to_status)
    if outcome is not None:
        await repository.insert_review(
            session,
            {
                "complaint_id": e.complaint_id,
                "sequence": e.sequence,
                "outcome": outcome,
                "decided_at": e.changed_at,
            },
        )


async def _finding(session: AsyncSession, e: ComplaintFindingRecorded) -> None:
    values = {
        "complaint_id": e.complaint_id,
        "category": e.category,
        "finding": e.finding,
        "recorded_at": e.recorded_at,
    }
    await repository.upsert_finding(session, e.allegation_id, values)


async def _breached(session: AsyncSession, e: ComplaintDeadlineBreached) -> None:
    await repository.insert_breach(
        session,
        {
            "complaint_id": e.complaint_id,
            "clock": e.clock,
            "due_at": e.due_at,
            "breached_at": e.breached_at,
        },
    )


async def _closed(session: AsyncSession, e: ComplaintClosed) -> None:
    await repository.mark_closed(session, e.complaint_id, e.closed_at)


async def _recommended(session: AsyncSession, e: ComplaintRecommendationMade) -> None:
    await repository.insert_recommendation(
        session,
        {
            "recommendation_id": e.recommendation_id,
            "complaint_id": e.complaint_id,
            "oversight_body": e.oversight_body,
            "category": e.category,
            "made_at": e.made_at,
            "respond_by": e.respond_by,
        },
    )


async def _answered(session: AsyncSession, e: ComplaintRecommendationAnswered) -> None:
    await repository.answer_recommendation(session, e.recommendation_id, e.answer, e.answered_at)


HANDLERS: dict[type, Callable[[AsyncSession, Any], Awaitable[None]]] = {
    ComplaintReceived: _received,
    ComplaintStatusChanged: _status_changed,
    ComplaintFindingRecorded: _finding,
    ComplaintDeadlineBreached: _breached,
    ComplaintClosed: _closed,
    ComplaintRecommendationMade: _recommended,
    ComplaintRecommendationAnswered: _answered,
    OversightBodyRegistered: apply_body_event,
    OversightBodyChanged: apply_body_event,
}


async def apply_complaint_events(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    for env in envelopes:
        handler = HANDLERS.get(type(env.data))
        if handler is not None:
            await handler(session, env.data)
