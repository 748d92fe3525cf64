"""Analytics JSON endpoints (the dashboard pages come with the analytics issue)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends
from sqlalchemy import func, select

from libs.chassis.auth import Principal, require_roles
from libs.chassis.service import Runtime, runtime

from .tables import incident_facts

router = APIRouter(prefix="/v1/stats", tags=["statistics"])
readers = require_roles("ministry_analyst", "station_officer")

GROUPS = {
    "station": incident_facts.c.station_id,
    "district": incident_facts.c.district_code,
    "governorate": incident_facts.c.governorate_code,
    "iccs": incident_facts.c.iccs_code,
}


@router.get("/incidents", summary="Incident counts grouped by area or ICCS code")
async def incident_counts(
    group_by: Literal["station", "district", "governorate", "iccs"] = "station",
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> dict:
    column = GROUPS[group_by]
    query = (
        select(column.label("key"), func.count().label("count")).group_by(column).order_by(column)
    )
    if principal.station_scoped:  # a station sees its own counts only
        query = query.where(incident_facts.c.station_id == principal.station_id)
    async with rt.sessions() as session:
        rows = (await session.execute(query)).all()
    return {
        "group_by": group_by,
        "rows": [{"key": r.key, "count": r.count} for r in rows],
        "total": sum(r.count for r in rows),
    }
