"""One entry point for every view, shared by the JSON/CSV API and the pages: check the caller
may open it, validate the filters against their scope, run its queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.principal import Principal
from libs.reference import load_reference

from ..accountability.view import accountability_view
from ..crime.view import FetchBand, crime_view
from ..domain import combined, evaluation
from ..domain.notes import note
from ..domain.scope import Filters, open_view, require_view, scope_for
from ..engagement.view import engagement_view
from ..evaluation.perceptions import station_perceptions
from ..evaluation.view import FetchEvaluation, evaluation_view, suggested
from ..programme.view import PROGRAMME_VIEWS
from .oversight_scope import as_registered


async def _three(
    session: AsyncSession, filters: Filters, fetch: FetchBand | None, now: datetime
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    plain = replace(filters, category=None)  # categories differ per view: none applies to all
    crime = await crime_view(session, filters, fetch)
    accountability = await accountability_view(session, plain, now)
    engagement = await engagement_view(session, plain, now.date())
    return crime, accountability, engagement


async def view_of(
    session: AsyncSession, view: str, filters: Filters, fetch: FetchBand | None, now: datetime
) -> dict[str, Any]:
    if view == "crime":
        return await crime_view(session, filters, fetch)
    if view == "accountability":
        return await accountability_view(session, filters, now)
    if view == "engagement":
        return await engagement_view(session, filters, now.date())
    if view in PROGRAMME_VIEWS:
        return await PROGRAMME_VIEWS[view](session, filters)
    if view == "scorecard":
        three = await _three(session, filters, fetch, now)
        return combined.scorecard(filters, *three, await station_perceptions(session, filters))
    return combined.overview(filters, *await _three(session, filters, fetch, now))


async def load_view(
    session: AsyncSession,
    view: str,
    principal: Principal,
    fetch: FetchBand | None,
    *,
    start: str | None = None,
    end: str | None = None,
    area: str | None = None,
    category: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The view as the caller may see it, with the scope it was cut to."""
    principal = await as_registered(session, principal, area)  # oversight: the registered body
    scope, filters = open_view(principal, view, start=start, end=end, area=area, category=category)
    result = await view_of(session, view, filters, fetch, now or datetime.now(UTC))
    result["scope"] = {"area": scope.area, "who": scope.who}
    return result


EVALUATION_CHOICES = ("treated", "comparison", "start")


async def load_evaluation(
    session: AsyncSession,
    principal: Principal,
    fetch: FetchEvaluation | None,
    params: dict[str, Any],
    *,
    suggest: bool = False,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The before/after evaluation as the caller may see it. With `suggest` (the page), the
    areas and start nobody chose are picked from the survey waves, and a note says so."""
    today = (now or datetime.now(UTC)).date()
    picked: dict[str, str] = {}
    if suggest and not all(params.get(k) for k in EVALUATION_CHOICES):
        scope = scope_for(principal)
        require_view(scope, evaluation.VIEW)
        defaults = await suggested(session, scope.area, today)
        picked = {k: defaults[k] for k in EVALUATION_CHOICES if not params.get(k)}
        if "start" in picked and params.get("days") is None:
            params = params | {"days": int(defaults["days"])}
        params = params | picked
    scope, chosen = evaluation.open_evaluation(
        principal, load_reference(), today=today, **params
    )
    result = await evaluation_view(session, chosen, fetch)
    if picked:
        # Values only (areas and a date): the page names each choice in its own language.
        chosen_text = " · ".join(str(v) for v in picked.values())
        result["notes"].insert(0, note("evaluation_suggested", chosen_text))
    result["scope"] = {"area": scope.area, "who": scope.who}
    return result
