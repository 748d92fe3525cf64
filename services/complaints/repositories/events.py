"""complaint_events: every event published about a complaint, as published, with its link in
the complaint's chain; the oversight feed reads it by position (given after commit), the
Merkle log by leaf index; signed checkpoints have rows here too (no complaint)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.complaints import ComplaintStatusChanged
from libs.contracts.envelope import Envelope, encode_value

from ..tables import complaint_events, complaints


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
                **_link(env),
            }
            for governorate, env in published
        ],
    )


def _link(env: Envelope) -> dict[str, Any]:
    link = getattr(env.data, "chain", None)
    return {
        "chain_sequence": link.sequence if link else None,
        "chain_hash": link.hash if link else None,
    }


async def record_checkpoint(session: AsyncSession, env: Envelope) -> None:
    """A signed checkpoint's row in the feed: it names no complaint."""
    await session.execute(
        insert(complaint_events).values(
            event_id=env.id, event_type=env.type, data=encode_value(env.data).decode()
        )
    )


async def lock_heads(
    session: AsyncSession, complaint_ids: Sequence[UUID]
) -> dict[UUID, tuple[int, str]]:
    """Lock the complaints (in id order, so two writers never deadlock) and read the last link
    of each one's chain: a chain grows one writer at a time, in commit order."""
    ordered = sorted(set(complaint_ids))
    await session.execute(
        select(complaints.c.complaint_id)
        .where(complaints.c.complaint_id.in_(ordered))
        .order_by(complaints.c.complaint_id)
        .with_for_update()
    )
    rows = await session.execute(
        select(
            complaint_events.c.complaint_id,
            complaint_events.c.chain_sequence,
            complaint_events.c.chain_hash,
        )
        .distinct(complaint_events.c.complaint_id)
        .where(complaint_events.c.complaint_id.in_(ordered))
        .where(complaint_events.c.chain_sequence.is_not(None))
        .order_by(complaint_events.c.complaint_id, complaint_events.c.chain_sequence.desc())
    )
    return {r.complaint_id: (r.chain_sequence, r.chain_hash) for r in rows}


async def unsequenced(session: AsyncSession, limit: int) -> list[Row[Any]]:
    """Committed rows without a feed position yet, oldest first."""
    rows = await session.execute(
        select(
            complaint_events.c.id,
            complaint_events.c.governorate_code,
            complaint_events.c.chain_hash,
        )
        .where(complaint_events.c.position.is_(None))
        .order_by(complaint_events.c.id)
        .limit(limit)
    )
    return list(rows.all())


async def log_end(session: AsyncSession) -> tuple[int, int]:
    """(the last feed position, the Merkle tree's size)."""
    row = (
        await session.execute(
            select(
                func.coalesce(func.max(complaint_events.c.position), 0),
                func.coalesce(func.max(complaint_events.c.leaf_index), -1) + 1,
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def assign(session: AsyncSession, rows: Sequence[tuple[int, int, int | None]]) -> None:
    """(id, position, leaf index) for each sequenced row, in one statement."""
    if not rows:
        return
    ids, positions, leaves = zip(*rows, strict=True)
    await session.execute(
        text(
            "UPDATE complaint_events e SET position = u.p, leaf_index = u.l"
            " FROM unnest(CAST(:ids AS bigint[]), CAST(:ps AS bigint[]), CAST(:ls AS bigint[]))"
            " AS u(id, p, l) WHERE e.id = u.id"
        ),
        {"ids": list(ids), "ps": list(positions), "ls": list(leaves)},
    )


async def chain_of(session: AsyncSession, complaint_id: UUID) -> list[Row[Any]]:
    """The complaint's chained events, oldest first, with their leaf index once sequenced."""
    rows = await session.execute(
        select(
            complaint_events.c.event_type,
            complaint_events.c.data,
            complaint_events.c.leaf_index,
            complaint_events.c.governorate_code,
            complaint_events.c.chain_sequence,
        )
        .where(complaint_events.c.complaint_id == complaint_id)
        .where(complaint_events.c.chain_sequence.is_not(None))
        .order_by(complaint_events.c.chain_sequence)
    )
    return list(rows.all())


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


async def feed(session: AsyncSession, after: int, limit: int) -> list[Row[Any]]:
    """Rows after the feed position `after`, in order. Positions are given after commit, in
    one sequence (see application.ledger.sequence), so a row never appears behind a cursor
    that was already served."""
    query = (
        select(complaint_events)
        .where(complaint_events.c.position > after)
        .order_by(complaint_events.c.position)
        .limit(limit)
    )
    return list((await session.execute(query)).all())
