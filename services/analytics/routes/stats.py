"""Analytics JSON and CSV endpoints under /v1/stats (the same figures as the pages)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from libs.chassis.auth import Principal, require_roles
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..access import caller
from ..application import stats, views
from ..baselines_client import baselines_client
from ..dashboard.exports import CsvResponse, view_csv
from ..schemas import CohortView, IncidentCounts, TimedView

router = APIRouter(prefix="/v1/stats", tags=["statistics"])
readers = require_roles("ministry_analyst", "station_officer")
TIMED = ("crime", "scorecard", "overview")


@router.get(
    "/incidents",
    summary="Incident counts grouped by area or ICCS code",
    response_model=IncidentCounts,
)
async def incident_counts(
    group_by: Literal["station", "district", "governorate", "iccs"] = "station",
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await in_transaction(
        rt.sessions, lambda session: stats.incident_counts(session, group_by, principal)
    )


class Params:
    """The filters every view takes."""

    def __init__(
        self,
        start: str | None = Query(
            None,
            alias="from",
            max_length=10,
            description="first day, YYYY-MM-DD, 1900-01-01 to 2199-12-31; at most 5 years",
        ),
        end: str | None = Query(
            None, alias="to", max_length=10, description="last day, YYYY-MM-DD (default: today)"
        ),
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


async def load_view(
    view: str, request: Request, principal: Principal, rt: Runtime, values: dict[str, Any]
) -> dict[str, Any]:
    """The view in one transaction, the expected band fetched from incidents' API."""
    fetch = baselines_client(request).band
    return await in_transaction(
        rt.sessions, lambda session: views.load_view(session, view, principal, fetch, **values)
    )


def _view_routes(view: str, summary: str) -> None:
    async def as_json(
        request: Request,
        params: Params = Depends(),
        principal: Principal = Depends(caller),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        return await load_view(view, request, principal, rt, params.values)

    async def as_csv(
        request: Request,
        params: Params = Depends(),
        table: str | None = Query(None, description="which table of the view (default: first)"),
        principal: Principal = Depends(caller),
        rt: Runtime = Depends(runtime),
    ) -> Response:
        return view_csv(await load_view(view, request, principal, rt, params.values), table)

    model = TimedView if view in TIMED else CohortView
    router.add_api_route(
        f"/{view}", as_json, methods=["GET"], summary=summary, response_model=model
    )
    router.add_api_route(
        f"/{view}.csv",
        as_csv,
        methods=["GET"],
        summary=f"{summary} (CSV, one table)",
        response_class=CsvResponse,
    )


_view_routes("overview", "National overview: the three views by governorate")
_view_routes("crime", "Crime: counts and rates by area, ICCS category and time; band, alerts")
_view_routes("accountability", "Accountability: complaints, clocks, findings, reviews")
_view_routes("engagement", "Community engagement: forum health by area")


# The CSV route first: "{station_id}" would also match "AM-01-S1.csv".
@router.get(
    "/scorecard/{station_id}.csv",
    summary="A station's scorecard (CSV, one table)",
    response_class=CsvResponse,
)
async def scorecard_csv(
    station_id: str,
    request: Request,
    params: Params = Depends(),
    table: str | None = Query(None),
    principal: Principal = Depends(caller),
    rt: Runtime = Depends(runtime),
) -> Response:
    values = params.values | {"area": station_id}
    return view_csv(await load_view("scorecard", request, principal, rt, values), table)


@router.get(
    "/scorecard/{station_id}",
    summary="A station's scorecard (crime, complaints, fora)",
    response_model=TimedView,
)
async def scorecard(
    station_id: str,
    request: Request,
    params: Params = Depends(),
    principal: Principal = Depends(caller),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    values = params.values | {"area": station_id}
    return await load_view("scorecard", request, principal, rt, values)
