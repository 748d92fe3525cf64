"""Baselines, alerts and before/after evaluations: the ministry's statistical views."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from libs.chassis.auth import require_roles
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime
from libs.contracts.baselines import BaselineMethod
from libs.contracts.incidents import AgeBand, Sex
from libs.reference import load_reference

from ..application import alerts, baselines, evaluations
from ..domain.series_filters import SeriesFilter
from ..schemas import Alert, Baseline, BaselineMethods, BeforeAfterResult, Evaluated

router = APIRouter(prefix="/v1", tags=["baselines"])
analysts = require_roles("ministry_analyst", "forum_coordinator", "admin")
METHOD_HELP = "a method of GET /v1/baselines/methods (default: the rule pack's alert method)"


@router.get(
    "/baselines/methods",
    dependencies=[Depends(analysts)],
    response_model=BaselineMethods,
    summary="The baseline methods: what each computes, its version, reference and parameters",
)
async def list_methods() -> dict[str, Any]:
    return baselines.methods()


@router.get(
    "/baselines",
    dependencies=[Depends(analysts)],
    response_model=Baseline,
    summary="Weekly baseline of an area",
)
async def get_baselines(
    area: str = Query(..., max_length=32, description="station, district, governorate or JO"),
    category: str | None = Query(
        None,
        pattern=r"^\d{2}(\d{2})?$",
        description="ICCS level 1 or 2; may be left out with a filter below (all categories)",
    ),
    week_from: str | None = Query(
        None, alias="from", max_length=16, description="date or ISO week"
    ),
    week_to: str | None = Query(None, alias="to", max_length=16, description="date or ISO week"),
    method: BaselineMethod | None = Query(None, description=METHOD_HELP),
    as_of: AwareDatetime | None = Query(None, description="as known at this recorded time"),
    counting_rules_version: str | None = Query(
        None, max_length=16, description="default: the current rules (a change restarts)"
    ),
    domestic: bool | None = Query(
        None, description="true: incidents with a domestic offence in the category; false: the rest"
    ),
    victim_sex: Sex | None = Query(None, description="incidents with a victim of this sex"),
    victim_age_band: AgeBand | None = Query(
        None, description="incidents with a victim in this age band (with victim_sex: one victim)"
    ),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await in_transaction(
        rt.sessions,
        partial(
            baselines.baseline,
            series=SeriesFilter(domestic, victim_sex, victim_age_band),
            reference=load_reference(),
            area=area,
            category=category,
            week_from=week_from,
            week_to=week_to,
            method=method,
            as_of=as_of,
            counting_rules_version=counting_rules_version,
        ),
    )


@router.get(
    "/alerts",
    dependencies=[Depends(analysts)],
    response_model=list[Alert],
    summary="Baseline alerts",
)
async def list_alerts(
    status: Literal["raised", "cleared"] | None = None,
    area: str | None = Query(None, max_length=32),
    category: str | None = Query(None, max_length=8),
    limit: int = Query(200, ge=1, le=5000),
    rt: Runtime = Depends(runtime),
) -> list[dict[str, Any]]:
    return await in_transaction(
        rt.sessions,
        partial(alerts.newest, status=status, area=area, category=category, limit=limit),
    )


@router.get(
    "/alerts/{alert_id}",
    dependencies=[Depends(analysts)],
    response_model=Alert,
    summary="One baseline alert",
)
async def get_alert(alert_id: UUID, rt: Runtime = Depends(runtime)) -> dict[str, Any]:
    return await in_transaction(rt.sessions, partial(alerts.one, alert_id=alert_id))


@router.post(
    "/alerts/evaluate",
    dependencies=[Depends(require_roles("ministry_analyst", "admin"))],
    response_model=Evaluated,
    summary="Evaluate alerts for a week now (all areas, or the ones given)",
)
async def evaluate(
    week: str = Query(..., max_length=16, description="Monday date or ISO week"),
    area: list[str] | None = Query(None, max_length=200, description="at most 200 areas"),
    method: BaselineMethod | None = Query(None, description=METHOD_HELP),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await in_transaction(
        rt.sessions,
        partial(
            alerts.evaluate,
            reference=load_reference(),
            week_named=week,
            areas=area,
            method=method,
            now=datetime.now(UTC),
        ),
    )


@router.get(
    "/evaluations/before-after",
    dependencies=[Depends(analysts)],
    response_model=BeforeAfterResult,
    summary="Before/after evaluation: WDD (Wheeler & Ratcliffe 2018) and the Poisson E-test",
)
async def get_before_after(
    treated: str = Query(..., max_length=32),
    comparison: str = Query(..., max_length=32),
    displacement: str | None = Query(None, max_length=32),
    displacement_comparison: str | None = Query(
        None, max_length=32, description="control for the displacement area (default: comparison)"
    ),
    category: str | None = Query(None, pattern=r"^\d{2}(\d{2})?$"),
    before_from: str = Query(..., max_length=16),
    before_to: str = Query(..., max_length=16),
    after_from: str = Query(..., max_length=16),
    after_to: str = Query(..., max_length=16),
    rt: Runtime = Depends(runtime),
) -> dict[str, Any]:
    return await in_transaction(
        rt.sessions,
        partial(
            evaluations.before_after,
            reference=load_reference(),
            treated=treated,
            comparison=comparison,
            displacement=displacement,
            displacement_comparison=displacement_comparison,
            category=category,
            before_from=before_from,
            before_to=before_to,
            after_from=after_from,
            after_to=after_to,
        ),
    )
