"""The ledger's documents and signed checkpoints: every chain head at one moment, signed with
Ed25519 (the chain itself is written with each move: see transitions)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation

from ..domain import ledger
from ..repositories import checkpoints, events
from .access import load_visible


async def document(
    session: AsyncSession,
    complaint_id: UUID,
    key: Ed25519PrivateKey,
    principal: Principal | None = None,
) -> dict[str, Any]:
    """One complaint's chain, the latest signed checkpoint and the key to check it with; for
    a staff or oversight `principal`, if they may see the complaint (a complainant proved it
    with their PIN)."""
    if principal is not None:
        await load_visible(session, principal, complaint_id)
    return {
        "complaint_id": complaint_id,
        "items": await events.ledger_of(session, complaint_id),
        "checkpoint": await checkpoints.latest(session),
        "public_key": ledger.public_pem(key),
    }


async def latest(session: AsyncSession) -> dict[str, Any]:
    found = await checkpoints.latest(session)
    if found is None:
        raise RuleViolation.not_found("no checkpoint signed yet")
    return found


async def sign_if_changed(
    session: AsyncSession, key: Ed25519PrivateKey, now: datetime, *, force: bool = False
) -> dict[str, Any] | None:
    """Sign a new checkpoint if any chain moved since the last one (or `force`)."""
    await checkpoints.lock_signer(session)
    current = await checkpoints.heads(session)
    previous = await checkpoints.latest(session)
    if previous and not force and ledger.checkpoint_heads(previous) == current:
        return None
    body = {
        "created_at": now.isoformat(),
        "heads": current,
        "previous": hashlib.sha256(previous["body"].encode()).hexdigest() if previous else None,
    }
    await checkpoints.add(session, ledger.sign_checkpoint(key, body), now)
    return await checkpoints.latest(session)


async def sign_now(session: AsyncSession, key: Ed25519PrivateKey, now: datetime) -> dict[str, Any]:
    signed = await sign_if_changed(session, key, now, force=True)
    assert signed is not None  # forced: always signs
    return signed
