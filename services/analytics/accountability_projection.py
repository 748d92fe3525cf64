"""Accountability read models from jisr.complaints.status.v1: complaints, their allegation
categories, findings, breached clocks, review outcomes and oversight recommendations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.complaints import (
    ComplaintClosed,
    ComplaintDeadlineBreached,
    ComplaintFindingRecorded,
    ComplaintReceived,
    ComplaintRecommendationAnswered,
    ComplaintRecommendationMade,
    ComplaintStatusChanged,
)
from libs.contracts.envelope import Envelope

from .tables import (
    complaint_breaches,
    complaint_categories,
    complaint_facts,
    complaint_findings,
    complaint_reviews,
    recommendations,
)

# A review decision is the move out of review_requested: back to investigation means upheld.
REVIEW_UPHELD_TO = "formal_investigation"


async def _received(session: AsyncSession, e: ComplaintReceived) -> None:
    await session.execute(
        insert(complaint_facts)
        .values(
            complaint_id=e.complaint_id,
            channel=e.channel,
            station_id=e.station_id,
            governorate_code=e.governorate_code,
            received_at=e.received_at,
            status="received",
            anonymous=e.anonymous,
        )
        .on_conflict_do_nothing()
    )
    rows = [
        {"complaint_id": e.complaint_id, "position": i, "category": c}
        for i, c in enumerate(e.allegation_categories)
    ]
    await session.execute(insert(complaint_categories).on_conflict_do_nothing(), rows)


async def _status_changed(session: AsyncSession, e: ComplaintStatusChanged) -> None:
    await session.execute(
        update(complaint_facts)
        .where(complaint_facts.c.complaint_id == e.complaint_id)
        .values(status=e.to_status)
    )
    if e.from_status == "review_requested":
        outcome = "upheld" if e.to_status == REVIEW_UPHELD_TO else "not_upheld"
        await session.execute(
            insert(complaint_reviews)
            .values(
                complaint_id=e.complaint_id,
                sequence=e.sequence,
                outcome=outcome,
                decided_at=e.changed_at,
            )
            .on_conflict_do_nothing()
        )


async def _finding(session: AsyncSession, e: ComplaintFindingRecorded) -> None:
    values = {
        "complaint_id": e.complaint_id,
        "category": e.category,
        "finding": e.finding,
        "recorded_at": e.recorded_at,
    }
    await session.execute(
        insert(complaint_findings)
        .values(allegation_id=e.allegation_id, **values)
        .on_conflict_do_update(index_elements=["allegation_id"], set_=values)
    )


async def _breached(session: AsyncSession, e: ComplaintDeadlineBreached) -> None:
    await session.execute(
        insert(complaint_breaches)
        .values(
            complaint_id=e.complaint_id, clock=e.clock, due_at=e.due_at, breached_at=e.breached_at
        )
        .on_conflict_do_nothing()
    )


async def _closed(session: AsyncSession, e: ComplaintClosed) -> None:
    first = func.coalesce(complaint_facts.c.first_closed_at, e.closed_at)
    await session.execute(
        update(complaint_facts)
        .where(complaint_facts.c.complaint_id == e.complaint_id)
        .values(first_closed_at=first)
    )


async def _recommended(session: AsyncSession, e: ComplaintRecommendationMade) -> None:
    await session.execute(
        insert(recommendations)
        .values(
            recommendation_id=e.recommendation_id,
            complaint_id=e.complaint_id,
            oversight_body=e.oversight_body,
            category=e.category,
            made_at=e.made_at,
            respond_by=e.respond_by,
        )
        .on_conflict_do_nothing()
    )


async def _answered(session: AsyncSession, e: ComplaintRecommendationAnswered) -> None:
    await session.execute(
        update(recommendations)
        .where(recommendations.c.recommendation_id == e.recommendation_id)
        .values(answer=e.answer, answered_at=e.answered_at)
    )


HANDLERS = {
    ComplaintReceived: _received,
    ComplaintStatusChanged: _status_changed,
    ComplaintFindingRecorded: _finding,
    ComplaintDeadlineBreached: _breached,
    ComplaintClosed: _closed,
    ComplaintRecommendationMade: _recommended,
    ComplaintRecommendationAnswered: _answered,
}


async def apply_complaint_events(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
    for env in envelopes:
        handler = HANDLERS.get(type(env.data))
        if handler is not None:  # deadline warnings change no figure
            await handler(session, env.data)
