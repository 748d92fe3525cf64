"""The staff directory: where each member of staff (by token subject) is posted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import staff_directory


async def put(session: AsyncSession, values: Mapping[str, Any]) -> Row[Any]:
    """Create or replace one entry; returns it as stored."""
    statement = insert(staff_directory).values(**values)
    upsert = statement.on_conflict_do_update(
        index_elements=[staff_directory.c.staff_id],
        set_={k: statement.excluded[k] for k in values if k != "staff_id"}
        | {"updated_at": func.now()},
    ).returning(staff_directory)
    return (await session.execute(upsert)).one()


async def get(session: AsyncSession, staff_id: str) -> Row[Any] | None:
    return (
        await session.execute(select(staff_directory).where(staff_directory.c.staff_id == staff_id))
    ).one_or_none()


async def listed(session: AsyncSession, unit_prefix: str | None, limit: int) -> list[Row[Any]]:
    query = select(staff_directory).order_by(staff_directory.c.staff_id).limit(limit)
    if unit_prefix:
        query = query.where(staff_directory.c.unit_code.startswith(unit_prefix, autoescape=True))
    return list((await session.execute(query)).all())


async def remove(session: AsyncSession, staff_id: str) -> bool:
    result = await session.execute(
        delete(staff_directory).where(staff_directory.c.staff_id == staff_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]  # a DML result has it
