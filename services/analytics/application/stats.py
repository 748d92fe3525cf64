"""The tracer endpoint: active incidents grouped by area or ICCS code."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.principal import Principal

from ..repositories.stats import incident_counts as counts


async def incident_counts(
    session: AsyncSession, group_by: str, principal: Principal
) -> dict[str, Any]:
    rows = await counts(  # a station sees its own counts only
        session,
        group_by,
        station_scoped=principal.station_scoped,
        station_id=principal.station_id,
    )
    return {
        "group_by": group_by,
        "rows": [{"key": key, "count": n} for key, n in rows],
        "total": sum(n for _, n in rows),
    }
