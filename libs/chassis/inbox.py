"""Idempotent inbox: apply an event and remember it in one transaction.

A consumer's effect and the row (consumer, event_id) commit together, so a redelivered event —
after a crash between commit and offset commit, a rebalance, or a relay retry — is a no-op.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from uuid import UUID

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.contracts.envelope import Envelope

from .db import driver_connection

# apply(session, new_envelopes): the projection; runs inside the inbox transaction.
Apply = Callable[[AsyncSession, Sequence[Envelope]], Awaitable[None]]

_SEEN = "SELECT event_id FROM inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])"
_RECORD = (
    "INSERT INTO inbox (consumer, event_id, event_type)"
    " SELECT $1, e.id, e.type FROM unnest($2::uuid[], $3::text[]) AS e(id, type)"
)
# Safe against a concurrent claim of the same events (two members of a group during a
# rebalance), and two to three times the work of the two statements above (measured: the
# speculative insertion and RETURNING of ON CONFLICT): used only after a race was detected.
_CLAIM = _RECORD + " ON CONFLICT DO NOTHING RETURNING event_id"


class Raced(Exception):
    """Another transaction claimed one of the events meanwhile (the transaction is aborted)."""


async def claim_unseen(
    session: AsyncSession, consumer: str, envelopes: Sequence[Envelope], *, raced: bool = False
) -> list[Envelope]:
    """Inbox rows for the envelopes `consumer` has not claimed yet; returns those envelopes
    (the first of each id), in order.

    The ids already claimed are looked up, and the rest inserted without ON CONFLICT: a
    concurrent claim of one of them raises Raced (the caller retries the transaction with
    `raced=True`, which claims with ON CONFLICT DO NOTHING instead)."""
    unique = list({env.id: env for env in envelopes}.values())
    raw = await driver_connection(session)
    if raced:
        claimed = {r[0] for r in await raw.fetch(_CLAIM, consumer, *_columns(unique))}
        return [env for env in unique if env.id in claimed]
    seen = {r[0] for r in await raw.fetch(_SEEN, consumer, [env.id for env in unique])}
    fresh = [env for env in unique if env.id not in seen]
    if fresh:
        try:
            await raw.execute(_RECORD, consumer, *_columns(fresh))
        except asyncpg.UniqueViolationError as exc:
            raise Raced() from exc
    return fresh


def _columns(envelopes: Sequence[Envelope]) -> tuple[list[UUID], list[str]]:
    return [env.id for env in envelopes], [env.type for env in envelopes]


async def apply_once(
    sessions: async_sessionmaker[AsyncSession],
    consumer: str,
    envelopes: Sequence[Envelope],
    apply: Apply,
) -> tuple[int, int]:
    """Apply the envelopes not seen before by this consumer. Returns (applied, duplicates)."""
    for raced in (False, True):
        try:
            async with sessions() as session, session.begin():
                fresh = await claim_unseen(session, consumer, envelopes, raced=raced)
                if fresh:
                    await apply(session, fresh)
            return len(fresh), len(envelopes) - len(fresh)
        except Raced:
            continue
    raise AssertionError("unreachable: the ON CONFLICT claim never races")
