"""A community safety plan's public page, beside the forum's "you said, we did": indicators,
targets, status and trend, in Arabic (right to left) or English. No token needed; it shows
counts and the plan's own wording only."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..application import plans
from ..domain.plans import page_view
from ..incidents_client import IncidentsClient, incidents_client

router = APIRouter(prefix="/public", tags=["public"])
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates"),
    autoescape=select_autoescape(["html"]),
)


@router.get(
    "/plans/{plan_id}",
    response_class=HTMLResponse,
    summary="A plan's public page: indicators, targets, status and trend",
)
async def public_plan(
    plan_id: UUID,
    lang: Literal["en", "ar"] = "ar",
    rt: Runtime = Depends(runtime),
    incidents: IncidentsClient = Depends(incidents_client),
) -> HTMLResponse:
    plan = await in_transaction(
        rt.sessions, partial(plans.plan_to_read, plan_id=plan_id, principal=None)
    )
    series = await plans.fetch_current(incidents, plan, datetime.now(UTC).date())
    computed = await in_transaction(
        rt.sessions,
        partial(plans.plan_with_progress, plan_id=plan_id, principal=None, on=None, series=series),
    )
    view = page_view(computed, lang)
    html = _templates.get_template("plan.html").render(plan=view, t=view["labels"], lang=lang)
    return HTMLResponse(html)
