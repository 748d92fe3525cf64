"""The complainant's own view, reached with the reference and the PIN: status, next deadline
and the complaint's chain with the signed head covering it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from libs.chassis import rate_limit
from libs.chassis.errors import RuleViolation
from libs.chassis.rate_limit import RateLimit

from ..domain import ledger
from ..domain.clocks import RulePack, next_deadline, status_history
from ..domain.identifiers import normalise_reference
from ..domain.texts import clock_text, status_text
from ..pins import pin_matches
from ..repositories import cases, checkpoints, events

NOT_FOUND = "no complaint with this reference and PIN"


async def tracked(
    sessions: async_sessionmaker[AsyncSession], limit: RateLimit, reference: str, pin: str | None
) -> Row[Any]:
    """The complaint behind a reference, if the PIN is right.

    Unlike the other use cases this takes the session factory: a wrong PIN is counted in a
    transaction of its own, which must commit although the request fails.
    """
    normalised = normalise_reference(reference)
    await rate_limit.check(sessions, limit, normalised)
    async with sessions() as session:
        row = await cases.by_reference(session, normalised)
    # Same answer for an unknown reference and a wrong PIN: nothing to enumerate.
    if row is None or not pin or not await pin_matches(pin, row.pin_hash):
        await rate_limit.hit(sessions, limit, normalised)
        raise RuleViolation.not_found(NOT_FOUND)
    return row


def head_in(checkpoint: dict[str, Any] | None, complaint_id: str) -> dict[str, Any] | None:
    if checkpoint is None:
        return None
    heads = ledger.checkpoint_heads(checkpoint)
    return next((h for h in heads if h["complaint_id"] == complaint_id), None)


async def status_of(
    session: AsyncSession, row: Row[Any], language: str, pack: RulePack, now: datetime
) -> dict[str, Any]:
    complaint_id: UUID = row.complaint_id
    history = status_history(await events.ledger_entries(session, complaint_id))
    entries = await events.ledger_of(session, complaint_id)
    checkpoint = await checkpoints.latest(session)
    deadline = next_deadline(history, pack, now)
    head = head_in(checkpoint, str(complaint_id))
    chain = [e["data"] for e in entries]
    return {
        "reference": row.reference,
        "status": row.status,
        "status_text": status_text(row.status, language),
        "since": row.status_since,
        "next_deadline": (
            {
                "clock": deadline.kind,
                "text": clock_text(deadline.kind, language),
                "due_at": deadline.due_at,
            }
            if deadline
            else None
        ),
        "ledger": {
            "verified": ledger.verify_chain(str(complaint_id), chain) == [],
            "entries": [
                {
                    "sequence": data["sequence"],
                    "status": data["to_status"],
                    "at": data["changed_at"],
                    "prev_hash": data["prev_hash"],
                    "hash": data["hash"],
                }
                for data in chain
            ],
            "signed_checkpoint": (
                {"id": checkpoint["id"], "sequence": head["sequence"], "hash": head["hash"]}
                if checkpoint and head
                else None
            ),
        },
    }
