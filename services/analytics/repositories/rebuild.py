"""The rebuild's statements: lock and empty the read models, forget and claim inbox rows."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import READ_MODELS

_CLAIM = text(
    "INSERT INTO inbox (consumer, event_id, event_type)"
    " SELECT :consumer, e.id, e.type FROM unnest(CAST(:ids AS uuid[]), CAST(:types AS text[]))"
    " AS e(id, type) ON CONFLICT DO NOTHING RETURNING event_id"
)


async def lock_and_empty(session: AsyncSession, consumers: Sequence[str]) -> None:
    """Lock the inbox and every read model (readers and the live consumers wait until the
    transaction ends), empty the read models and drop the consumers' inbox rows."""
    names = ", ".join(t.name for t in READ_MODELS)
    await session.execute(text(f"LOCK TABLE inbox, {names} IN ACCESS EXCLUSIVE MODE"))
    await session.execute(text(f"TRUNCATE {names}"))
    await session.execute(
        text("DELETE FROM inbox WHERE consumer = ANY(:names)"), {"names": list(consumers)}
    )


async def claim(
    session: AsyncSession, consumer: str, ids: list[UUID], types: list[str]
) -> set[UUID]:
    """Inbox rows for the events not yet claimed by `consumer`; returns their ids."""
    claimed = await session.execute(_CLAIM, {"consumer": consumer, "ids": ids, "types": types})
    return set(claimed.scalars())


async def inbox_counts(session: AsyncSession, consumers: Sequence[str]) -> dict[str, int]:
    """Events each consumer has applied (its inbox rows): what its read models are made of."""
    rows = await session.execute(
        text(
            "SELECT consumer, count(*) FROM inbox WHERE consumer = ANY(:names) GROUP BY consumer"
        ),
        {"names": list(consumers)},
    )
    counts = dict.fromkeys(consumers, 0)
    counts.update({consumer: int(n) for consumer, n in rows.tuples()})
    return counts
