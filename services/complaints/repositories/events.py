"""complaint_events: every event published about a complaint, as published. The oversight
feed reads it by cursor; the status changes in it (sequence set) are the ledger."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Row, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.complaints import ComplaintStatusChanged
from libs.contracts.envelope import Envelope, encode_value

from ..tables import complaint_events


async def record(session: AsyncSession, published: Sequence[tuple[str, Envelope]]) -> None:
    """One row per published (governorate, envelope), in one statement, under the envelope's
    id; every complaints event names its complaint."""
    if not published:
        return
    await session.execute(
        insert(complaint_events),
        [
            {
                "complaint_id": env.data.complaint_id,  # type: ignore[attr-defined]
                "governorate_code": governorate,
                "event_id": env.id,
                "event_type": env.type,
                "sequence": (
                    env.data.sequence if isinstance(env.data, ComplaintStatusChanged) else None
                ),
                "data": encode_value(env.data).decode(),
            }
            for governorate, env in published
        ],
    )


async def ledger_entries(session: AsyncSession, complaint_id: UUID) -> list[ComplaintStatusChanged]:
    """The complaint's ledger, oldest first."""
    rows = (
        await session.execute(
            select(complaint_events.c.data)
            .where(complaint_events.c.complaint_id == complaint_id)
            .where(complaint_events.c.sequence.is_not(None))
            .order_by(complaint_events.c.sequence)
        )
    ).scalars()
    return [ComplaintStatusChanged.model_validate_json(data) for data in rows]


async def ledger_of(session: AsyncSession, complaint_id: UUID) -> list[dict[str, Any]]:
    """The ledger as published: {"type", "data"} in publication order."""
    rows = await session.execute(
        select(complaint_events.c.event_type, complaint_events.c.data)
        .where(complaint_events.c.complaint_id == complaint_id)
        .where(complaint_events.c.sequence.is_not(None))
        .order_by(complaint_events.c.id)
    )
    return [{"type": r.event_type, "data": json.loads(r.data)} for r in rows]


async def timeline(session: AsyncSession, complaint_id: UUID) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(complaint_events.c.event_type, complaint_events.c.data, complaint_events.c.at)
        .where(complaint_events.c.complaint_id == complaint_id)
        .order_by(complaint_events.c.id)
    )
    return [{"type": r.event_type, "at": r.at, "data": json.loads(r.data)} for r in rows]


async def feed(
    session: AsyncSession, after: int, limit: int, governorates: Sequence[str] | None
) -> list[Row[Any]]:
    """Events after the cursor, in order; only those of `governorates` unless None."""
    query = (
        select(complaint_events)
        .where(complaint_events.c.id > after)
        .order_by(complaint_events.c.id)
        .limit(limit)
    )
    if governorates is not None:
        query = query.where(complaint_events.c.governorate_code.in_(list(governorates)))
    return list((await session.execute(query)).all())
