"""Complaints brought in from before jisr: stored once per source reference."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import allegations, complaints


async def add_new(
    session: AsyncSession,
    cases: Sequence[Mapping[str, Any]],
    rows: Sequence[Mapping[str, Any]],
) -> set[UUID]:
    """Insert the complaints whose source reference is not stored yet (also when a concurrent
    import is storing it: the conflict waits for it), and their allegations; returns the ids
    inserted. One statement each."""
    if not cases:
        return set()
    inserted = set(
        (
            await session.execute(
                insert(complaints)
                .values(list(cases))
                .on_conflict_do_nothing(index_elements=["source_reference"])
                .returning(complaints.c.complaint_id)
            )
        ).scalars()
    )
    kept = [r for r in rows if r["complaint_id"] in inserted]
    if kept:
        await session.execute(allegations.insert(), kept)
    return inserted


async def stored_sources(session: AsyncSession, sources: Sequence[str]) -> set[str]:
    """Which of these source references are stored already."""
    if not sources:
        return set()
    rows = await session.execute(
        select(complaints.c.source_reference).where(
            complaints.c.source_reference.in_(sorted(set(sources)))
        )
    )
    return set(rows.scalars())
