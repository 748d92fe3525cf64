"""One way to run an HTTP write: a transaction, an optional Idempotency-Key, a JSON answer.

Domain rule violations raise RuleError anywhere inside the work; they answer 422 in the shape
FastAPI uses for its own validation errors (field and rule), and the transaction rolls back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis import idempotency
from libs.chassis.auth import Principal
from libs.chassis.service import Runtime

Work = Callable[[AsyncSession], Awaitable[tuple[int, Any]]]


class RuleError(ValueError):
    """A well-formed request that breaks a domain rule; names the field and the rule."""

    def __init__(self, field: str | tuple, rule: str) -> None:
        loc = field if isinstance(field, tuple) else tuple(field.split("."))
        super().__init__(f"{'.'.join(map(str, loc))}: {rule}")
        self.loc = loc
        self.rule = rule


def rule_error(exc: RuleError) -> HTTPException:
    return HTTPException(422, [{"loc": ["body", *exc.loc], "msg": exc.rule, "type": "rule"}])


async def run_write(
    request: Request,
    rt: Runtime,
    principal: Principal,
    idempotency_key: str | None,
    work: Work,
    headers: Callable[[Any], dict[str, str]] | None = None,
) -> JSONResponse:
    scope = f"{principal.subject}:{request.method} {request.url.path}"
    try:
        async with rt.sessions() as session, session.begin():
            if idempotency_key:
                request_hash = idempotency.fingerprint(
                    request.method, request.url.path, await request.body()
                )
                stored = await idempotency.claim(session, scope, idempotency_key, request_hash)
                if stored is not None:
                    return JSONResponse(
                        stored.body, stored.status_code, {"Idempotent-Replayed": "true"}
                    )
            status, body = await work(session)
            body = jsonable_encoder(body)
            if idempotency_key:
                await idempotency.remember(session, scope, idempotency_key, status, body)
    except RuleError as exc:
        raise rule_error(exc) from exc
    return JSONResponse(body, status, headers(body) if headers else None)
