"""The staff directory: where each member of staff is posted, kept by admins. The
conflict-of-interest check reads postings from here (and from the caller's own token), never
from what an assigner types."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation

from ..domain.identifiers import officer_pseudonym
from ..domain.lifecycle import Posting
from ..repositories import staff
from ..schemas import StaffIn


def fields(row: Row[Any]) -> dict[str, Any]:
    return {
        "staff_id": row.staff_id,
        "unit_code": row.unit_code,
        "station_id": row.station_id,
        "governorate_code": row.governorate_code,
        "is_officer": row.officer_pseudonym is not None,
        "updated_by": row.updated_by,
        "updated_at": row.updated_at,
    }


async def posting_of(session: AsyncSession, staff_id: str) -> tuple[Posting, str | None] | None:
    """(posting, officer pseudonym) of a member of staff, or None if not in the directory."""
    row = await staff.get(session, staff_id)
    if row is None:
        return None
    return Posting(row.unit_code, row.station_id, row.governorate_code), row.officer_pseudonym


async def put(
    session: AsyncSession,
    principal: Principal,
    staff_id: str,
    body: StaffIn,
    *,
    pseudonym_key: str,
) -> dict[str, Any]:
    number = body.officer_service_number
    row = await staff.put(
        session,
        {
            "staff_id": staff_id,
            "unit_code": body.unit_code,
            "station_id": body.station_id,
            "governorate_code": body.governorate_code,
            "officer_pseudonym": officer_pseudonym(pseudonym_key, number) if number else None,
            "updated_by": principal.subject,
        },
    )
    return fields(row)


async def get(session: AsyncSession, staff_id: str) -> dict[str, Any]:
    row = await staff.get(session, staff_id)
    if row is None:
        raise RuleViolation.not_found(f"no staff member {staff_id} in the directory")
    return fields(row)


async def listed(
    session: AsyncSession, unit_prefix: str | None, limit: int
) -> list[dict[str, Any]]:
    return [fields(r) for r in await staff.listed(session, unit_prefix, limit)]


async def remove(session: AsyncSession, staff_id: str) -> dict[str, Any]:
    if not await staff.remove(session, staff_id):
        raise RuleViolation.not_found(f"no staff member {staff_id} in the directory")
    return {"staff_id": staff_id, "removed": True}
