"""Idempotent inbox: apply an event and remember it in one transaction.

A consumer's effect and the row (consumer, event_id) commit together, so a redelivered event —
after a crash between commit and offset commit, a rebalance, or a relay retry — is a no-op.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.contracts.envelope import Envelope

# apply(session, new_envelopes): the projection; runs inside the inbox transaction.
Apply = Callable[[AsyncSession, Sequence[Envelope]], Awaitable[None]]

_CLAIM = text(
    "INSERT INTO inbox (consumer, event_id, event_type)"
    " SELECT :consumer, e.id, e.type FROM unnest(CAST(:ids AS uuid[]), CAST(:types AS text[]))"
    " AS e(id, type) ON CONFLICT DO NOTHING RETURNING event_id"
)


async def apply_once(
    sessions: async_sessionmaker[AsyncSession],
    consumer: str,
    envelopes: Sequence[Envelope],
    apply: Apply,
) -> tuple[int, int]:
    """Apply the envelopes not seen before by this consumer. Returns (applied, duplicates)."""
    unique = list({env.id: env for env in envelopes}.values())
    async with sessions() as session, session.begin():
        claimed = await session.execute(
            _CLAIM,
            {
                "consumer": consumer,
                "ids": [env.id for env in unique],
                "types": [env.type for env in unique],
            },
        )
        new_ids = set(claimed.scalars())
        fresh = [env for env in unique if env.id in new_ids]
        if fresh:
            await apply(session, fresh)
    return len(fresh), len(envelopes) - len(fresh)
