"""The incidents service's public HTTP API, as fora uses it: baselines and evaluations.

Transport, credentials and pooling come from libs.chassis.service_api.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from fastapi import Request

from libs.chassis.service_api import ServiceApi, service_api
from libs.chassis.service_api import ServiceRejected as IncidentsRejected  # noqa: F401
from libs.chassis.service_api import ServiceUnavailable as IncidentsUnavailable  # noqa: F401
from libs.chassis.settings import Settings


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


def incidents_client(request: Request) -> IncidentsClient:
    settings = request.app.state.settings
    return service_api(request, "incidents", settings.incidents_url, IncidentsClient)
