"""The scheduler's leadership: a session-level advisory lock held on a connection of its own,
so it goes with the process if the process dies."""

from __future__ import annotations

import asyncpg


async def try_lead(conn: asyncpg.Connection, lock: str) -> bool:
    return bool(await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", lock))


async def still_connected(conn: asyncpg.Connection) -> None:
    """Raises if the connection (and with it the lock) is gone."""
    await conn.fetchval("SELECT 1")
