"""Oversight bodies' registered jurisdictions: written by the complaints consumer from
`oversight_body.registered` / `.changed`, read when an oversight token opens a view."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.complaints import OversightBodyChanged, OversightBodyRegistered

from ..tables import oversight_jurisdictions


async def apply_body_event(
    session: AsyncSession, e: OversightBodyRegistered | OversightBodyChanged
) -> None:
    at = e.registered_at if isinstance(e, OversightBodyRegistered) else e.changed_at
    values = {
        "body_id": e.body_id,
        "national": e.national,
        "governorates": sorted(e.governorates),
        "changed_at": at,
    }
    table = oversight_jurisdictions
    await session.execute(
        insert(table)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["body_id"],
            set_=values,
            # a late redelivery of an older change never undoes a newer one
            where=table.c.changed_at <= at,
        )
    )


async def jurisdiction(session: AsyncSession, body_id: str) -> dict[str, Any] | None:
    """{"national": bool, "governorates": [...]} as registered, or None (not registered)."""
    row = (
        await session.execute(
            select(
                oversight_jurisdictions.c.national, oversight_jurisdictions.c.governorates
            ).where(oversight_jurisdictions.c.body_id == body_id)
        )
    ).one_or_none()
    return (
        None if row is None else {"national": row.national, "governorates": list(row.governorates)}
    )
