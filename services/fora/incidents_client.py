"""The incidents service's public HTTP API, as fora uses it: incidents and alerts (the
evidence a SARA case links), baselines and evaluations.

Transport, credentials and pooling come from libs.chassis.service_api.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import httpx
from fastapi import Request

from libs.chassis.errors import RuleViolation
from libs.chassis.service_api import ServiceApi, service_api
from libs.chassis.service_api import ServiceRejected as IncidentsRejected
from libs.chassis.service_api import ServiceUnavailable as IncidentsUnavailable
from libs.chassis.settings import Settings

T = TypeVar("T")


class IncidentsClient(ServiceApi):
    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        super().__init__(http, settings, caller="fora", target="incidents")

    async def baselines(
        self, area: str, category: str | None, from_date: date, to_date: date
    ) -> dict[str, Any]:
        params = {"area": area, "from": from_date.isoformat(), "to": to_date.isoformat()}
        if category:
            params["category"] = category
        return await self.get_json("/v1/baselines", params)

    async def before_after(self, params: dict[str, str]) -> dict[str, Any]:
        return await self.get_json("/v1/evaluations/before-after", params)

    async def incident(self, incident_id: UUID) -> dict[str, Any] | None:
        """One incident as last corrected, or None when the incidents service has none."""
        return await self._one(f"/v1/incidents/{incident_id}")

    async def alert(self, alert_id: UUID) -> dict[str, Any] | None:
        """The alert, or None when the incidents service has none with this id (however old
        it is: one lookup, not a search of the newest ones)."""
        return await self._one(f"/v1/alerts/{alert_id}")

    async def _one(self, path: str) -> dict[str, Any] | None:
        try:
            response = await self.http.get(path, headers=self._headers())
        except httpx.HTTPError as exc:
            raise IncidentsUnavailable(
                f"the incidents service is unreachable ({type(exc).__name__})"
            ) from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 500:
            raise IncidentsUnavailable(f"the incidents service answered {response.status_code}")
        if response.status_code >= 400:
            raise IncidentsRejected(f"the incidents service refused {path}")
        found: dict[str, Any] = response.json()
        return found

    async def series(
        self, area: str, category: str, from_date: date, to_date: date
    ) -> dict[str, Any]:
        """The weekly baseline series of an area and ICCS category (observed counts)."""
        return await self.baselines(area, category, from_date, to_date)


def incidents_client(request: Request) -> IncidentsClient:
    settings = request.app.state.settings
    return service_api(request, "incidents", settings.incidents_url, IncidentsClient)


async def answered(call: Awaitable[T]) -> T:
    """An incidents answer, or the refusal in the one error shape: 503 while the incidents
    service is unreachable (retry later), 422 when it refused what fora asked."""
    try:
        return await call
    except IncidentsUnavailable as exc:
        raise RuleViolation(None, f"{exc}; retry later", status=503, code="unavailable") from exc
    except IncidentsRejected as exc:
        raise RuleViolation(None, str(exc)) from exc
