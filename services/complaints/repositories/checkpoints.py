"""The Merkle log's stored subtrees and the signed checkpoints (tree heads)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import ledger_checkpoints, ledger_nodes

LOCK = "SELECT pg_advisory_xact_lock(hashtext('jisr.complaints.ledger'))"
TRY_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('jisr.complaints.ledger'))"


async def lock_log(session: AsyncSession) -> None:
    """One writer of the log at a time (sequencing and signing), until the transaction ends."""
    await session.execute(text(LOCK))


async def try_lock_log(session: AsyncSession) -> bool:
    """The log's lock if free: a reader that finds it taken leaves the work to its holder."""
    return bool((await session.execute(text(TRY_LOCK))).scalar())


async def nodes(
    session: AsyncSession, keys: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    wanted = list(keys)
    if not wanted:
        return {}
    rows = await session.execute(
        select(ledger_nodes).where(tuple_(ledger_nodes.c.level, ledger_nodes.c.index).in_(wanted))
    )
    return {(r.level, r._mapping["index"]): r.hash for r in rows}


async def add_nodes(session: AsyncSession, created: Mapping[tuple[int, int], bytes]) -> None:
    if created:
        await session.execute(
            insert(ledger_nodes),
            [{"level": lv, "index": ix, "hash": h} for (lv, ix), h in created.items()],
        )


def _out(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "created_at": row.created_at.isoformat(),
        "body": row.body,
        "signature": row.signature,
        "tree_size": row.tree_size,
        "root_hash": row.root_hash,
    }


async def latest(session: AsyncSession) -> dict[str, Any] | None:
    row = (
        await session.execute(
            select(ledger_checkpoints)
            .where(ledger_checkpoints.c.tree_size.is_not(None))
            .order_by(ledger_checkpoints.c.id.desc())
            .limit(1)
        )
    ).one_or_none()
    return None if row is None else _out(row)


async def listed(session: AsyncSession, after: int, limit: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(ledger_checkpoints)
        .where(ledger_checkpoints.c.tree_size.is_not(None))
        .where(ledger_checkpoints.c.id > after)
        .order_by(ledger_checkpoints.c.id)
        .limit(limit)
    )
    return [_out(r) for r in rows]


async def add(
    session: AsyncSession,
    signed: Mapping[str, str],
    created_at: datetime,
    tree_size: int,
    root_hash: str,
) -> int:
    return int(
        (
            await session.execute(
                insert(ledger_checkpoints)
                .values(**signed, created_at=created_at, tree_size=tree_size, root_hash=root_hash)
                .returning(ledger_checkpoints.c.id)
            )
        ).scalar_one()
    )
