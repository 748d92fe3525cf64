"""The personal-data read audit (the vault's `personal_data_reads`), read back with filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import complaints, personal_data_reads


async def reads(
    session: AsyncSession,
    visible: ColumnElement[bool],
    *,
    actor: str | None,
    complaint_id: UUID | None,
    purpose: str | None,
    since: datetime | None,
    until: datetime | None,
    after: int,
    limit: int,
) -> list[Row[Any]]:
    """Reads of complaints `visible` to the caller, oldest first after the cursor `after`.
    Only who, as what, when, which fields (names, never values) and why."""
    reads_ = personal_data_reads
    query = (
        select(
            reads_.c.id,
            reads_.c.at,
            reads_.c.actor,
            reads_.c.role,
            reads_.c.subject_id.label("complaint_id"),
            reads_.c.fields,
            reads_.c.purpose,
        )
        .join(complaints, complaints.c.complaint_id == reads_.c.subject_id)
        .where(visible)
        .where(reads_.c.id > after)
        .order_by(reads_.c.id)
        .limit(limit)
    )
    if actor is not None:
        query = query.where(reads_.c.actor == actor)
    if complaint_id is not None:
        query = query.where(reads_.c.subject_id == complaint_id)
    if purpose is not None:
        escaped = purpose.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(reads_.c.purpose.ilike(f"%{escaped}%", escape="\\"))
    if since is not None:
        query = query.where(reads_.c.at >= since)
    if until is not None:
        query = query.where(reads_.c.at < until)
    return list((await session.execute(query)).all())
