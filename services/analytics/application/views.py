"""One entry point for every view, shared by the JSON/CSV API and the pages: check the caller
may open it, validate the filters against their scope, run its queries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.principal import Principal

from ..accountability.view import accountability_view
from ..crime.view import FetchBand, crime_view
from ..domain import combined
from ..domain.scope import Filters, open_view
from ..engagement.view import engagement_view
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
    if view == "scorecard":
        return combined.scorecard(filters, *await _three(session, filters, fetch, now))
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
