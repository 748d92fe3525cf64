"""SARA cases."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import sara_cases


async def add(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(sara_cases.insert().values(dict(row)))


async def case(session: AsyncSession, case_id: UUID, *, lock: bool = False) -> Row[Any] | None:
    query = select(sara_cases).where(sara_cases.c.case_id == case_id)
    return (await session.execute(query.with_for_update() if lock else query)).one_or_none()


async def change(session: AsyncSession, case_id: UUID, **values: Any) -> None:
    await session.execute(
        update(sara_cases).where(sara_cases.c.case_id == case_id).values(**values)
    )
