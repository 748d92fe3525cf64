"""Oversight bodies and their recommendations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import complaints, oversight_bodies, recommendations


async def put_body(session: AsyncSession, values: Mapping[str, Any]) -> None:
    await session.execute(
        insert(oversight_bodies)
        .values(**values)
        .on_conflict_do_update(index_elements=["body_id"], set_=dict(values))
    )


async def add_recommendation(session: AsyncSession, values: Mapping[str, Any]) -> None:
    await session.execute(insert(recommendations).values(**values))


async def lock_recommendation(session: AsyncSession, recommendation_id: UUID) -> Row[Any] | None:
    """The recommendation (locked) with its complaint's governorate."""
    return (
        await session.execute(
            select(recommendations, complaints.c.governorate_code)
            .join(complaints)
            .where(recommendations.c.recommendation_id == recommendation_id)
            .with_for_update(of=recommendations)
        )
    ).one_or_none()


async def answer(
    session: AsyncSession,
    recommendation_id: UUID,
    *,
    answer: str,
    reason: str | None,
    text: str | None,
    by: str,
    at: datetime,
) -> None:
    await session.execute(
        update(recommendations)
        .where(recommendations.c.recommendation_id == recommendation_id)
        .values(
            answer=answer, answer_reason=reason, answer_text=text, answered_by=by, answered_at=at
        )
    )


async def of_complaint(session: AsyncSession, complaint_id: UUID) -> list[Row[Any]]:
    rows = await session.execute(
        select(recommendations).where(recommendations.c.complaint_id == complaint_id)
    )
    return list(rows.all())


async def visible(
    session: AsyncSession,
    visible: ColumnElement[bool],
    unanswered: bool,
    *,
    after: UUID | None = None,
    limit: int = 200,
) -> list[Row[Any]]:
    """A page of the recommendations `visible` lets through, by id (uuid7: oldest first)."""
    r = recommendations.c
    query = select(recommendations).join(complaints).where(visible)
    if unanswered:
        query = query.where(r.answer.is_(None))
    if after is not None:
        query = query.where(r.recommendation_id > after)
    query = query.order_by(r.recommendation_id).limit(limit)
    return list((await session.execute(query)).all())


async def unanswered(session: AsyncSession) -> list[Row[Any]]:
    """Every recommendation still waiting for the ministry, with its complaint's governorate."""
    rows = await session.execute(
        select(recommendations, complaints.c.governorate_code)
        .join(complaints, complaints.c.complaint_id == recommendations.c.complaint_id)
        .where(recommendations.c.answer.is_(None))
    )
    return list(rows.all())
