"""Every statement on the accountability read models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.accountability import Complaint
from ..domain.scope import Filters
from ..repositories.areas import area_clause
from ..tables import (
    complaint_breaches,
    complaint_categories,
    complaint_facts,
    complaint_findings,
    complaint_reviews,
    recommendations,
)

# --- written by the projection ---------------------------------------------------------------


async def insert_complaint(
    session: AsyncSession, values: dict[str, Any], categories: list[dict[str, Any]]
) -> None:
    await session.execute(insert(complaint_facts).values(**values).on_conflict_do_nothing())
    await session.execute(insert(complaint_categories).on_conflict_do_nothing(), categories)


async def set_status(session: AsyncSession, complaint_id: UUID, status: str) -> None:
    await session.execute(
        update(complaint_facts)
        .where(complaint_facts.c.complaint_id == complaint_id)
        .values(status=status)
    )


async def insert_review(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(complaint_reviews).values(**values).on_conflict_do_nothing())


async def upsert_finding(session: AsyncSession, allegation_id: UUID, values: dict) -> None:
    await session.execute(
        insert(complaint_findings)
        .values(allegation_id=allegation_id, **values)
        .on_conflict_do_update(index_elements=["allegation_id"], set_=values)
    )


async def insert_breach(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(complaint_breaches).values(**values).on_conflict_do_nothing())


async def mark_closed(session: AsyncSession, complaint_id: UUID, closed_at: datetime) -> None:
    """Days to close run to the first close: a reopened complaint closing again keeps it."""
    first = func.coalesce(complaint_facts.c.first_closed_at, closed_at)
    await session.execute(
        update(complaint_facts)
        .where(complaint_facts.c.complaint_id == complaint_id)
        .values(first_closed_at=first)
    )


async def insert_recommendation(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(recommendations).values(**values).on_conflict_do_nothing())


async def answer_recommendation(
    session: AsyncSession, recommendation_id: UUID, answer: str, answered_at: datetime
) -> None:
    await session.execute(
        update(recommendations)
        .where(recommendations.c.recommendation_id == recommendation_id)
        .values(answer=answer, answered_at=answered_at)
    )


# --- read by the view ------------------------------------------------------------------------


def _cohort_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    c = complaint_facts.c
    clauses = [
        c.received_at >= filters.start_at,
        c.received_at < filters.end_before,
        area_clause(complaint_facts, filters.area),
    ]
    if filters.category:
        clauses.append(
            exists().where(
                and_(
                    complaint_categories.c.complaint_id == c.complaint_id,
                    complaint_categories.c.category == filters.category,
                )
            )
        )
    return clauses


async def load_cohort(session: AsyncSession, filters: Filters) -> list[Complaint]:
    c = complaint_facts.c
    rows = (
        await session.execute(
            select(
                c.complaint_id, c.station_id, c.governorate_code, c.received_at, c.first_closed_at
            ).where(*_cohort_conditions(filters))
        )
    ).all()
    cohort = {r.complaint_id: Complaint(*r) for r in rows}
    if not cohort:
        return []
    ids = list(cohort)
    for table, column, attr in (
        (complaint_categories, complaint_categories.c.category, "categories"),
        (complaint_findings, complaint_findings.c.finding, "findings"),
    ):
        query = select(table.c.complaint_id, column).where(table.c.complaint_id.in_(ids))
        for cid, value in (await session.execute(query)).all():
            getattr(cohort[cid], attr).append(value)
    query = select(complaint_breaches.c.complaint_id, complaint_breaches.c.clock).where(
        complaint_breaches.c.complaint_id.in_(ids)
    )
    for cid, clock in (await session.execute(query)).all():
        cohort[cid].clocks.add(clock)
    return list(cohort.values())


async def review_outcomes(session: AsyncSession, complaint_ids: list[object]) -> list[str]:
    if not complaint_ids:
        return []
    query = select(complaint_reviews.c.outcome).where(
        complaint_reviews.c.complaint_id.in_(complaint_ids)
    )
    return list((await session.execute(query)).scalars())


async def recommendations_made(
    session: AsyncSession, filters: Filters
) -> Sequence[tuple[str, str | None, datetime]]:
    """(body, answer, respond_by) of the recommendations made in the period on complaints in
    the area."""
    r, c = recommendations.c, complaint_facts.c
    query = (
        select(r.oversight_body, r.answer, r.respond_by)
        .select_from(recommendations.join(complaint_facts, r.complaint_id == c.complaint_id))
        .where(
            r.made_at >= filters.start_at,
            r.made_at < filters.end_before,
            area_clause(complaint_facts, filters.area),
        )
    )
    return (await session.execute(query)).tuples().all()
