"""Signed ledger checkpoints and the chain heads they cover."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import complaints, ledger_checkpoints


async def lock_signer(session: AsyncSession) -> None:
    """One signer at a time, so checkpoints form a single sequence."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('jisr.complaints.ckpt'))"))


async def heads(session: AsyncSession) -> list[dict[str, Any]]:
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


async def latest(session: AsyncSession) -> dict[str, Any] | None:
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


async def add(session: AsyncSession, signed: Mapping[str, str], created_at: datetime) -> None:
    await session.execute(insert(ledger_checkpoints).values(**signed, created_at=created_at))
