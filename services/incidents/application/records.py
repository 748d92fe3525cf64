"""Reading incident records, within the station scope of the caller."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal, ensure_station_access
from libs.chassis.errors import RuleViolation

from ..repositories import incidents


async def incident(
    session: AsyncSession, incident_id: UUID, principal: Principal
) -> dict[str, Any]:
    """One incident with its offences; a station officer reads only their station's."""
    found = await incidents.one(session, incident_id)
    if found is None:
        raise RuleViolation.not_found(f"no incident {incident_id}")
    ensure_station_access(principal, found["station_id"])
    return {**found, "iccs_codes": [o["iccs_code"] for o in found["offences"]]}


async def newest(
    session: AsyncSession, principal: Principal, station_id: str | None, limit: int
) -> list[dict[str, Any]]:
    if principal.station_scoped:
        ensure_station_access(principal, station_id or principal.station_id or "")
        # The scope is part of the query, whatever the parameters say.
        station_id = principal.station_id
    return await incidents.newest(session, station_id, limit)
