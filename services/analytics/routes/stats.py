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
from ..dashboard.exports import CsvResponse, csv_file, view_csv
from ..domain.scope import field_error
from ..evaluations_client import evaluations_fetch
from ..freshness.watch import watch_of
from ..schemas import CohortView, EvaluationView, IncidentCounts, TimedView

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
            description="crime, sara: ICCS section or division; accountability: allegation "
            "category; engagement, membership: forum type; outreach: activity kind; plans: "
            "indicator source",
        ),
    ) -> None:
        self.values = {"start": start, "end": end, "area": area, "category": category}


async def load_view(
    view: str, request: Request, principal: Principal, rt: Runtime, values: dict[str, Any]
) -> dict[str, Any]:
    """The view in one transaction, the expected band fetched from incidents' API."""
    fetch = baselines_client(request).band
    result = await in_transaction(
        rt.sessions, lambda session: views.load_view(session, view, principal, fetch, **values)
    )
    return result | {"freshness": watch_of(rt).block}  # how current these figures are


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
_view_routes("outreach", "Outreach and trainings: activities, participants, beneficiaries")
_view_routes("membership", "Forum membership by group and gender; women's share vs target")
_view_routes("plans", "Safety plans: each indicator's baseline, target, value, status, trend")
_view_routes("sara", "SARA cases by stage, problem type and area; their assessments")


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


# --- the before/after evaluation (evaluation.view) ---------------------------------------------


class EvaluationParams:
    """A pilot and a comparison area, the programme's start and two equally long windows."""

    def __init__(
        self,
        treated: str | None = Query(None, max_length=32, description="the pilot area"),
        comparison: str | None = Query(None, max_length=32, description="the comparison area"),
        start: str | None = Query(None, max_length=10, description="the programme's first day"),
        days: int | None = Query(
            None, description="each window's length in days (default 90), 1 to 732"
        ),
        before_from: str | None = Query(None, max_length=10, description="default: from days"),
        before_to: str | None = Query(None, max_length=10, description="default: start - 1"),
        after_from: str | None = Query(None, max_length=10, description="default: start"),
        after_to: str | None = Query(
            None, max_length=10, description="default: from days; at most today"
        ),
        category: str | None = Query(
            None, max_length=4, description="ICCS section or division (incidents only)"
        ),
    ) -> None:
        self.values: dict[str, Any] = {
            "treated": treated,
            "comparison": comparison,
            "start": start,
            "days": days,
            "before_from": before_from,
            "before_to": before_to,
            "after_from": after_from,
            "after_to": after_to,
            "category": category,
        }


async def load_evaluation(
    request: Request,
    principal: Principal,
    rt: Runtime,
    values: dict[str, Any],
    *,
    suggest: bool = False,
) -> dict[str, Any]:
    """The evaluation in one transaction, the WDD and E-test asked of incidents' API."""
    fetch = evaluations_fetch(request)
    result = await in_transaction(
        rt.sessions,
        lambda session: views.load_evaluation(
            session, principal, fetch, values, suggest=suggest
        ),
    )
    return result | {"freshness": watch_of(rt).block}


def evaluation_csv(result: dict[str, Any], table: str | None) -> Response:
    """One table of the evaluation (default: its first); 422 naming `table` otherwise."""
    name = table or next(iter(result["tables"]))
    if name not in result["tables"]:
        raise field_error("table", f"choose one of {', '.join(result['tables'])}")
    f = result["filters"]
    filename = f"jisr-evaluation-{name}-{f['treated']}-{f['comparison']}-{f['start']}.csv"
    return csv_file(result["tables"][name], filename)


@router.get(
    "/evaluation",
    summary="Before/after evaluation: pilot vs comparison area (incidents, WDD, complaints, "
    "survey shares)",
    response_model=EvaluationView,
)
async def evaluation(
    request: Request,
    params: EvaluationParams = Depends(),
    principal: Principal = Depends(caller),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await load_evaluation(request, principal, rt, params.values)


@router.get(
    "/evaluation.csv",
    summary="Before/after evaluation (CSV, one table)",
    response_class=CsvResponse,
)
async def evaluation_as_csv(
    request: Request,
    params: EvaluationParams = Depends(),
    table: str | None = Query(None, description="which table (default: incidents)"),
    principal: Principal = Depends(caller),
    rt: Runtime = Depends(runtime),
) -> Response:
    return evaluation_csv(await load_evaluation(request, principal, rt, params.values), table)
