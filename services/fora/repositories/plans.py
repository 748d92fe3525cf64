"""Community safety plans and the progress recorded against their indicators."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import plan_progress, plans


async def add(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(plans.insert().values(dict(row)))


async def plan(session: AsyncSession, plan_id: UUID) -> Row[Any] | None:
    return (await session.execute(select(plans).where(plans.c.plan_id == plan_id))).one_or_none()


async def record(
    session: AsyncSession,
    plan_id: UUID,
    period: str,
    recorded_on: date,
    indicator_id: UUID,
    value: float | None,
    rating: str | None,
    note: str | None,
    origin: str = "manual",
    as_of: date | None = None,
) -> None:
    """A period's value of an indicator, typed in (manual) or computed from its source, and
    the day it is as of; recording it again replaces it."""
    await session.execute(
        insert(plan_progress)
        .values(
            plan_id=plan_id, indicator_id=indicator_id, period=period, recorded_on=recorded_on,
            value=value, rating=rating, note=note, origin=origin, as_of=as_of,
        )
        .on_conflict_do_update(
            index_elements=["plan_id", "indicator_id", "period"],
            set_={"value": value, "rating": rating, "note": note, "origin": origin,
                  "as_of": as_of, "recorded_on": recorded_on},
        )
    )  # fmt: skip


async def progress(session: AsyncSession, plan_id: UUID) -> Sequence[Row[Any]]:
    """The plan's recorded values, by period (oldest first)."""
    query = (
        select(plan_progress)
        .where(plan_progress.c.plan_id == plan_id)
        .order_by(plan_progress.c.period)
    )
    return (await session.execute(query)).all()
