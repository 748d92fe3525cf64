"""The expected band, fetched from the incidents service's public API (`GET /v1/baselines`).

A query between services goes over HTTP, never into another service's database; transport,
credentials and pooling come from libs.chassis.service_api. When incidents is unreachable the
chart is drawn without the band, with a note.
"""

from __future__ import annotations

from datetime import date

import httpx
from fastapi import Request

from libs.chassis.service_api import ServiceApi, ServiceRejected, ServiceUnavailable, service_api
from libs.chassis.settings import Settings

from .crime.view import BandUnavailable


class BaselinesClient(ServiceApi):
    def __init__(self, http: httpx.AsyncClient, settings: Settings) -> None:
        super().__init__(http, settings, caller="analytics", target="incidents")

    async def band(
        self,
        area: str,
        category: str | None,
        first: date,
        last: date,
        domestic: bool | None = None,
    ) -> dict[str, tuple[float, float]]:
        """The band of `category` in `area` (every category when None, which incidents takes
        with a filter only); `domestic=True`: of domestic-violence incidents."""
        params = {"area": area, "from": first.isoformat(), "to": last.isoformat()}
        if category is not None:
            params["category"] = category
        if domestic is not None:
            params["domestic"] = "true" if domestic else "false"
        try:
            body = await self.get_json("/v1/baselines", params)
        except (ServiceUnavailable, ServiceRejected) as exc:
            raise BandUnavailable(str(exc)) from exc
        return {
            week["week_start"]: (week["expected"], week["upper_limit"])
            for week in body["weeks"]
            if week["expected"] is not None
        }


def baselines_client(request: Request) -> BaselinesClient:
    settings = request.app.state.settings
    return service_api(request, "incidents", settings.incidents_url, BaselinesClient)
