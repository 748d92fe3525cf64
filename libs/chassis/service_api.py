"""Queries to another service's public HTTP API (commands between services travel as events).

One pooled httpx client per app and target service, created on first use and closed when the
app stops (see `service.create_app`). The caller presents a short-lived `ministry_analyst`
service token minted with the platform's signing key; where tokens come from an identity
provider, the deployment gives the caller a client-credentials token instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from fastapi import Request

from .auth import mint_token
from .settings import Settings

TIMEOUT_SECONDS = 10.0


class ServiceUnavailable(Exception):
    """The other service did not answer, answered 5xx, or there is no credential to call it."""


class ServiceRejected(Exception):
    """The other service refused the query (4xx); the message says why."""


class ServiceApi:
    def __init__(
        self, http: httpx.AsyncClient, settings: Settings, *, caller: str, target: str
    ) -> None:
        self.http = http
        self.settings = settings
        self.caller = caller
        self.target = target

    def _headers(self) -> dict[str, str]:
        try:
            token = mint_token(
                self.settings,
                role="ministry_analyst",
                subject=f"service:{self.caller}",
                ttl_seconds=300,
            )
        except ValueError as exc:  # no local signing key
            raise ServiceUnavailable(
                f"{self.caller} has no service credentials for {self.target}"
            ) from exc
        return {"Authorization": f"Bearer {token}"}

    async def get_json(self, path: str, params: dict[str, str]) -> Any:
        try:
            response = await self.http.get(path, params=params, headers=self._headers())
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                f"the {self.target} service is unreachable ({type(exc).__name__})"
            ) from exc
        if response.status_code >= 500:
            raise ServiceUnavailable(f"the {self.target} service answered {response.status_code}")
        if response.status_code >= 400:
            raise ServiceRejected(
                f"the {self.target} service refused {path}: {response.text[:500]}"
            )
        return response.json()


Api = TypeVar("Api", bound=ServiceApi)


def service_api(request: Request, target: str, base_url: str, make: Callable[..., Api]) -> Api:
    """The app's client for `target`; `make(http, settings)` builds it on first use. Tests may
    put their own in `app.state.service_apis[target]`."""
    state = request.app.state
    apis = getattr(state, "service_apis", None)
    if apis is None:
        apis = state.service_apis = {}
    if target not in apis:
        http = httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT_SECONDS)
        apis[target] = make(http, state.settings)
    api: Api = apis[target]
    return api


async def close_service_apis(state: Any) -> None:
    for api in getattr(state, "service_apis", {}).values():
        await api.http.aclose()
