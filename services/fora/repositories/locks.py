"""Advisory locks: one replica at a time does a job."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def try_transaction_lock(session: AsyncSession, name: str) -> bool:
    """Take the named lock until the transaction ends; False if another holds it."""
    query = text("SELECT pg_try_advisory_xact_lock(hashtext(:lock))")
    return bool(await session.scalar(query, {"lock": name}))
