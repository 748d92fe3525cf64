"""Idempotency-Key support for POSTs: a retried request never creates a second record.

The key row is inserted in the same transaction as the work. A concurrent retry with the same
key blocks on the primary key until the first commits, then finds the stored response; if the
first rolled back, the retry does the work itself.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"%s %s\n%s" % (method.encode(), path.encode(), body)).hexdigest()


async def claim(
    session: AsyncSession, scope: str, key: str, request_hash: str
) -> StoredResponse | None:
    """Claim `key` for this request inside the open transaction.

    None means "new: do the work, then remember()"; otherwise the stored response to replay.
    """
    if len(key) > MAX_KEY_LENGTH:
        raise HTTPException(422, f"{HEADER} must be at most {MAX_KEY_LENGTH} characters")
    inserted = await session.execute(
        text(
            "INSERT INTO idempotency_keys (scope, key, request_hash) VALUES (:s, :k, :h)"
            " ON CONFLICT DO NOTHING RETURNING key"
        ),
        {"s": scope, "k": key, "h": request_hash},
    )
    if inserted.first() is not None:
        return None
    row = (
        await session.execute(
            text(
                "SELECT request_hash, status_code, response FROM idempotency_keys"
                " WHERE scope = :s AND key = :k"
            ),
            {"s": scope, "k": key},
        )
    ).one()
    if row.request_hash != request_hash:
        raise HTTPException(
            422, f"{HEADER} {key!r} was already used for a different request; use a new key"
        )
    return StoredResponse(row.status_code, row.response)


async def remember(
    session: AsyncSession, scope: str, key: str, status_code: int, body: Any
) -> None:
    await session.execute(
        text(
            "UPDATE idempotency_keys SET status_code = :c, response = CAST(:r AS jsonb)"
            " WHERE scope = :s AND key = :k"
        ),
        {"s": scope, "k": key, "c": status_code, "r": json.dumps(body, default=str)},
    )
