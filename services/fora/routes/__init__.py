"""The fora HTTP API, one module per family: parse, call the application, serialise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from libs.chassis import idempotency
from libs.chassis.auth import Principal
from libs.chassis.service import Runtime

#: The optional Idempotency-Key of every POST.
Key = Header(None, alias=idempotency.HEADER)


async def write(
    request: Request,
    rt: Runtime,
    principal: Principal,
    key: str | None,
    response_model: type[BaseModel],
    work: Callable[[Any], Awaitable[Any]],
    *,
    status: int = 201,
    headers: Callable[[Any], dict[str, str]] | None = None,
) -> JSONResponse:
    """Run `work(session)` as one idempotent write answering `status`. Keys are the caller's
    own, per route (the scope stored keys of running deployments were made with)."""

    async def run(session: Any) -> tuple[int, Any]:
        return status, await work(session)

    return await idempotency.write(
        request,
        rt.sessions,
        scope=idempotency.scope_of(principal.subject, request),
        key=key,
        work=run,
        response_model=response_model,
        headers=headers,
    )
