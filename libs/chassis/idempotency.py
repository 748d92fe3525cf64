"""Idempotency-Key support for POSTs: a retried request never creates a second record.

The key row is inserted in the same transaction as the work. A concurrent retry with the same
key blocks on the primary key until the first commits, then finds the stored response; if the
first rolled back, the retry does the work itself.

Keys are kept for RETENTION (a station retries within minutes or, after an outage, days) and
then swept, so stored responses do not pile up for ever.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .errors import RuleViolation

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
RETENTION = timedelta(days=14)
SWEEP_EVERY_SECONDS = 3600.0
SWEEP_BATCH = 5000

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"%s %s\n%s" % (method.encode(), path.encode(), body)).hexdigest()


def _check_length(key: str) -> None:
    if len(key) > MAX_KEY_LENGTH:
        raise RuleViolation(("header", HEADER), f"must be at most {MAX_KEY_LENGTH} characters")


@dataclass(frozen=True)
class Claim:
    """A key to store with the work's own statement, for a write that is one statement.

    The statement inserts (scope, key, request_hash, status, response) with the work, with no
    ON CONFLICT: a key stored before (a retry), or by a concurrent request, fails the whole
    statement with a unique violation, so nothing of it stays, and the caller then takes
    `write`, which replays the stored answer (after waiting for a concurrent first request).
    """

    scope: str
    key: str
    request_hash: str


async def claim_of(request: Request, scope: str, key: str | None) -> Claim | None:
    """The request's claim on its Idempotency-Key (None without one); the key's length is
    checked first, as `claim` does."""
    if not key:
        return None
    _check_length(key)
    return Claim(scope, key, fingerprint(request.method, _path(request), await request.body()))


async def claim(
    session: AsyncSession, scope: str, key: str, request_hash: str
) -> StoredResponse | None:
    """Claim `key` for this request inside the open transaction.

    None means "new: do the work, then remember()"; otherwise the stored response to replay.
    """
    _check_length(key)
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
        raise RuleViolation(
            ("header", HEADER), f"{key!r} was already used for a different request; use a new key"
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


Work = Callable[[AsyncSession], Awaitable[tuple[int, Any]]]


def _path(request: Request) -> str:
    # What `request.url.path` gives for any path a route matches, without building the URL
    # (its host, scheme and query) on every write.
    path: str = request.scope["path"]
    return path


def scope_of(subject: str, request: Request) -> str:
    """Keys are the caller's own, per route: two stations may both send key "1"."""
    return f"{subject}:{request.method} {_path(request)}"


async def write(
    request: Request,
    sessions: async_sessionmaker[AsyncSession],
    *,
    scope: str,
    key: str | None,
    work: Work,
    response_model: type[BaseModel] | None = None,
    headers: Callable[[Any], dict[str, str]] | None = None,
    kept: Callable[[Any], Any] | None = None,
    replayed: Callable[[AsyncSession, Any], Awaitable[Any]] | None = None,
) -> JSONResponse:
    """The one way to run an HTTP write: one transaction, an optional Idempotency-Key.

    `work(session)` does the write and returns (status, body); the body is serialised through
    `response_model` (the route's declared response), so the client never gets more than the
    model says. With a key, the first request's answer is stored in the same transaction and
    a retry gets it again (header `Idempotent-Replayed: true`) without doing any work.
    `kept(body)` is what is stored (e.g. without a secret), `replayed(session, stored)` what a
    retry is answered (e.g. with a fresh secret). A `RuleViolation` raised by the work rolls
    the whole transaction back, key included.
    """
    async with sessions() as session, session.begin():
        if key:
            stored = await claim(
                session,
                scope,
                key,
                fingerprint(request.method, _path(request), await request.body()),
            )
            if stored is not None:
                answer = await replayed(session, stored.body) if replayed else stored.body
                extra = (headers(answer) if headers else {}) | {"Idempotent-Replayed": "true"}
                return JSONResponse(answer, stored.status_code, extra)
        status, result = await work(session)
        if response_model is not None:
            result = response_model.model_validate(result).model_dump(mode="json")
        result = jsonable_encoder(result)
        if key:
            await remember(session, scope, key, status, kept(result) if kept else result)
    return JSONResponse(result, status, headers(result) if headers else None)


async def delete_expired(session: AsyncSession, retention: timedelta = RETENTION) -> int:
    """Delete up to SWEEP_BATCH keys older than `retention`; returns how many."""
    result = await session.execute(
        text(
            "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY("
            " SELECT ctid FROM idempotency_keys"
            " WHERE created_at < now() - make_interval(secs => :secs) LIMIT :n))"
        ),
        {"secs": retention.total_seconds(), "n": SWEEP_BATCH},
    )
    deleted: int = result.rowcount  # type: ignore[attr-defined]  # a DML result has it
    return deleted


async def sweep_forever(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Every service runs this; replicas sweeping at once only delete the same rows once."""
    while True:
        try:
            while True:  # in batches, so no sweep holds a long transaction
                async with sessions() as session, session.begin():
                    if await delete_expired(session) < SWEEP_BATCH:
                        break
        except Exception as exc:  # the database may be away; the next sweep tries again
            log.warning("idempotency key sweep failed", extra={"error": f"{exc!r}"[:300]})
        await asyncio.sleep(SWEEP_EVERY_SECONDS)
