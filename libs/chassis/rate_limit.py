"""Rate limits kept in PostgreSQL, so they hold across every replica of a service.

Fixed windows: one counter row per (bucket, window). A hit is counted in its own short
transaction, so it sticks even when the request it belongs to fails (a wrong PIN must count).
Bucket keys are stored hashed: a client address is personal data and has no business at rest.

Usage::

    INTAKE = RateLimit("intake", limit=10, window_seconds=3600,
                       message="too many complaints from this address")
    await rate_limit.hit(rt.sessions, INTAKE, client_address)   # 429 once over the limit

A service's migration creates the table: ``for s in rate_limit.V1: op.execute(s)``.

`Backoff` is for guesses (a PIN): after a few free failures each further one makes the key
wait longer (1 s, 2 s, 4 s ... up to a cap), and a success clears it. It delays, it never locks
out: whoever holds the right secret gets in once the (capped) delay has passed. Its table:
``BACKOFF_V1``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import HTTPException, status
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

V1 = (
    """
    CREATE TABLE rate_limits (
        bucket        varchar(64) NOT NULL,
        window_start  timestamptz NOT NULL,
        hits          integer     NOT NULL,
        PRIMARY KEY (bucket, window_start)
    )
    """,
)

BACKOFF_V1 = (
    """
    CREATE TABLE rate_backoffs (
        bucket           varchar(64) PRIMARY KEY,
        failures         integer     NOT NULL,
        last_failure_at  timestamptz NOT NULL,
        blocked_until    timestamptz NOT NULL
    )
    """,
)

_WINDOW = "to_timestamp(floor(extract(epoch FROM now()) / :w) * :w)"


@dataclass(frozen=True)
class RateLimit:
    name: str
    limit: int
    window_seconds: int
    message: str  # says what was limited; the retry time is appended


def _bucket(rule: RateLimit | Backoff, key: str) -> str:
    return hashlib.sha256(f"{rule.name}\x00{key}".encode()).hexdigest()


def _refuse(rule: RateLimit | Backoff, retry_after: float) -> HTTPException:
    seconds = max(1, math.ceil(retry_after))
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        detail=f"{rule.message}; try again in {seconds} seconds",
        headers={"Retry-After": str(seconds)},
    )


async def _count(session: AsyncSession, rule: RateLimit, key: str, add: int) -> tuple[int, float]:
    """Add `add` hits to the current window; return its count and the seconds it has left."""
    params = {"b": _bucket(rule, key), "w": rule.window_seconds, "n": add}
    if add:
        query = (
            f"INSERT INTO rate_limits (bucket, window_start, hits) VALUES (:b, {_WINDOW}, :n)"
            " ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + :n"
            " RETURNING hits, extract(epoch FROM window_start + make_interval(secs => :w) - now())"
        )
    else:
        query = (
            "SELECT hits, extract(epoch FROM window_start + make_interval(secs => :w) - now())"
            f" FROM rate_limits WHERE bucket = :b AND window_start = {_WINDOW}"
        )
    row = (await session.execute(text(query), params)).first()
    return (row[0], float(row[1])) if row else (0, 0.0)


async def hit(sessions: async_sessionmaker[AsyncSession], rule: RateLimit, key: str) -> None:
    """Count one hit for `key`; raise a 429 (with Retry-After) if that went over the limit."""
    async with sessions() as session, session.begin():
        hits, left = await _count(session, rule, key, 1)
    if hits > rule.limit:
        raise _refuse(rule, left)


async def check(sessions: async_sessionmaker[AsyncSession], rule: RateLimit, key: str) -> None:
    """Raise a 429 if `key` has used up its window, without counting a hit."""
    async with sessions() as session, session.begin():
        hits, left = await _count(session, rule, key, 0)
    if hits >= rule.limit:
        raise _refuse(rule, left)


async def purge(session: AsyncSession, older_than_seconds: int = 86400) -> int:
    """Drop counters of windows long gone; returns how many rows went."""
    result = await session.execute(
        text("DELETE FROM rate_limits WHERE window_start < now() - make_interval(secs => :s)"),
        {"s": older_than_seconds},
    )
    return result.rowcount or 0  # type: ignore[attr-defined]  # a DML result has it


@dataclass(frozen=True)
class Backoff:
    """Growing delays after failed guesses, per key (e.g. reference + client address)."""

    name: str
    free: int = 3  # failures allowed before any delay
    base_seconds: float = 1.0  # the first delay; it doubles with each further failure
    max_seconds: float = 900.0  # the cap: a delay, never a lock-out
    forget_seconds: int = 86400  # failures older than this start the count again
    message: str = "too many wrong attempts"

    def delay(self, failures: int) -> float:
        if failures <= self.free:
            return 0.0
        return float(min(self.max_seconds, self.base_seconds * 2 ** (failures - self.free - 1)))


async def wait(sessions: async_sessionmaker[AsyncSession], rule: Backoff, key: str) -> None:
    """Raise a 429 (with Retry-After) while `key` is serving a delay; count nothing."""
    async with sessions() as session:
        until = await session.scalar(
            text("SELECT blocked_until FROM rate_backoffs WHERE bucket = :b"),
            {"b": _bucket(rule, key)},
        )
    left = (until - datetime.now(UTC)).total_seconds() if until else 0.0
    if left > 0:
        raise _refuse(rule, left)


async def failed(sessions: async_sessionmaker[AsyncSession], rule: Backoff, key: str) -> float:
    """Count a failure for `key` (in its own transaction); returns the delay it now serves."""
    bucket = _bucket(rule, key)
    async with sessions() as session, session.begin():
        failures = await session.scalar(
            text(
                "INSERT INTO rate_backoffs (bucket, failures, last_failure_at, blocked_until)"
                " VALUES (:b, 1, now(), now())"
                " ON CONFLICT (bucket) DO UPDATE SET failures = CASE"
                "   WHEN rate_backoffs.last_failure_at < now() - make_interval(secs => :f)"
                "   THEN 1 ELSE rate_backoffs.failures + 1 END,"
                " last_failure_at = now()"
                " RETURNING failures"
            ),
            {"b": bucket, "f": rule.forget_seconds},
        )
        delay = rule.delay(int(failures or 0))
        await session.execute(
            text(
                "UPDATE rate_backoffs SET blocked_until = now() + make_interval(secs => :d)"
                " WHERE bucket = :b"
            ),
            {"b": bucket, "d": delay},
        )
    return delay


async def succeeded(sessions: async_sessionmaker[AsyncSession], rule: Backoff, key: str) -> None:
    """The right answer clears the key's failures."""
    async with sessions() as session, session.begin():
        await session.execute(
            text("DELETE FROM rate_backoffs WHERE bucket = :b"), {"b": _bucket(rule, key)}
        )


async def purge_backoffs(session: AsyncSession, rule_forget_seconds: int = 86400) -> int:
    """Drop failures long forgotten; returns how many rows went."""
    result = await session.execute(
        text(
            "DELETE FROM rate_backoffs"
            " WHERE last_failure_at < now() - make_interval(secs => :s) AND blocked_until < now()"
        ),
        {"s": rule_forget_seconds},
    )
    return result.rowcount or 0  # type: ignore[attr-defined]  # a DML result has it
