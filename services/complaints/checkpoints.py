"""Signed checkpoints of the ledger: every chain head at one moment, signed with Ed25519."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from . import ledger
from .tables import complaints, ledger_checkpoints


async def heads(session: AsyncSession) -> list[dict]:
    rows = await session.execute(
        select(
            complaints.c.complaint_id,
            complaints.c.ledger_sequence,
            complaints.c.ledger_head,
            complaints.c.governorate_code,
        )
        .where(complaints.c.ledger_sequence > 0)
        .order_by(complaints.c.complaint_id)
    )
    return [
        {
            "complaint_id": str(r.complaint_id),
            "sequence": r.ledger_sequence,
            "hash": r.ledger_head,
            "governorate": r.governorate_code,
        }
        for r in rows
    ]


async def latest(session: AsyncSession) -> dict | None:
    row = (
        await session.execute(
            select(ledger_checkpoints).order_by(ledger_checkpoints.c.id.desc()).limit(1)
        )
    ).one_or_none()
    if row is None:
        return None
    return {
        "id": row.id,
        "created_at": row.created_at.isoformat(),
        "body": row.body,
        "signature": row.signature,
    }


async def sign_if_changed(
    session: AsyncSession, key: Ed25519PrivateKey, now: datetime, *, force: bool = False
) -> dict | None:
    """Sign a new checkpoint if any chain moved since the last one (or `force`)."""
    # One signer at a time, so checkpoints form a single sequence.
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('jisr.complaints.ckpt'))"))
    current = await heads(session)
    previous = await latest(session)
    if previous and not force and json.loads(previous["body"])["heads"] == current:
        return None
    body = {
        "created_at": now.isoformat(),
        "heads": current,
        "previous": hashlib.sha256(previous["body"].encode()).hexdigest() if previous else None,
    }
    signed = ledger.sign_checkpoint(key, body)
    await session.execute(insert(ledger_checkpoints).values(**signed, created_at=now))
    return await latest(session)


def head_in(checkpoint: dict | None, complaint_id: str) -> dict | None:
    if checkpoint is None:
        return None
    heads_ = json.loads(checkpoint["body"])["heads"]
    return next((h for h in heads_ if h["complaint_id"] == complaint_id), None)
