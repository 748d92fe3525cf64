"""Analytics JSON and CSV endpoints under /v1/stats (the same figures as the pages)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from libs.chassis.auth import Principal, require_roles
from libs.chassis.service import Runtime, runtime

from .access import caller
from .tables import incident_facts
from .views import csv_response, load_view

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
        select(column.label("key"), func.count().label("count"))
        .where(incident_facts.c.status == "active")
        .group_by(column)
        .order_by(column)
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


class Params:
    """The filters every view takes."""

    def __init__(
        self,
        start: str | None = Query(None, alias="from", description="first day, YYYY-MM-DD"),
        end: str | None = Query(None, alias="to", description="last day, YYYY-MM-DD"),
        area: str | None = Query(
            None, max_length=32, description="station, district, governorate or national id"
        ),
        category: str | None = Query(
            None,
            max_length=40,
            description="crime: ICCS section or division; accountability: allegation "
            "category; engagement: forum type",
        ),
    ) -> None:
        self.values = {"start": start, "end": end, "area": area, "category": category}


def _view_routes(view: str, summary: str) -> None:
    async def as_json(
        request: Request,
        params: Params = Depends(),
        principal: Principal = Depends(caller),
        rt: Runtime = Depends(runtime),
    ) -> dict:
        return await load_view(view, request, principal, rt, **params.values)

    async def as_csv(
        request: Request,
        params: Params = Depends(),
        table: str | None = Query(None, description="which table of the view (default: first)"),
        principal: Principal = Depends(caller),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        return csv_response(await load_view(view, request, principal, rt, **params.values), table)

    router.add_api_route(f"/{view}", as_json, methods=["GET"], summary=summary)
    router.add_api_route(
        f"/{view}.csv", as_csv, methods=["GET"], summary=f"{summary} (CSV, one table)"
    )


_view_routes("overview", "National overview: the three views by governorate")
_view_routes("crime", "Crime: counts and rates by area, ICCS category and time; band, alerts")
_view_routes("accountability", "Accountability: complaints, clocks, findings, reviews")
_view_routes("engagement", "Community engagement: forum health by area")


# The CSV route first: "{station_id}" would also match "AM-01-S1.csv".
@router.get("/scorecard/{station_id}.csv", summary="A station's scorecard (CSV, one table)")
async def scorecard_csv(
    station_id: str,
    request: Request,
    params: Params = Depends(),
    table: str | None = Query(None),
    principal: Principal = Depends(caller),
    rt: Runtime = Depends(runtime),
) -> Response:
    values = params.values | {"area": station_id}
    return csv_response(await load_view("scorecard", request, principal, rt, **values), table)


@router.get("/scorecard/{station_id}", summary="A station's scorecard (crime, complaints, fora)")
async def scorecard(
    station_id: str,
    request: Request,
    params: Params = Depends(),
    principal: Principal = Depends(caller),
    rt: Runtime = Depends(runtime),
) -> dict:
    return await load_view(
        "scorecard", request, principal, rt, **(params.values | {"area": station_id})
    )
