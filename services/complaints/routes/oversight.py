"""Routes for oversight: registered bodies, the pull feed, recommendations and their answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse

from libs.chassis import idempotency
from libs.chassis.auth import Principal, Role, require_roles
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..application import oversight
from ..config import ComplaintsConfig
from ..schemas import (
    Answered,
    AnswerIn,
    BodyIn,
    BodyOut,
    Feed,
    RecommendationIn,
    RecommendationOut,
    Recommended,
)

overseers = require_roles(Role.OVERSIGHT, Role.COMPLAINTS_OFFICER)
ministry = require_roles(Role.COMPLAINTS_OFFICER)


def _answering(status: int, work: Callable[..., Awaitable[Any]]) -> idempotency.Work:
    """An application call as idempotency.write's work: (status, body)."""

    async def run(session: Any) -> tuple[int, Any]:
        return status, await work(session)

    return run


def build(config: ComplaintsConfig) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["complaints: oversight"])

    @router.put(
        "/oversight/bodies/{body_id}",
        response_model=BodyOut,
        summary="Register an oversight body (admin)",
    )
    async def put_body(
        body_id: str,
        body: BodyIn,
        _: Principal = Depends(require_roles(Role.ADMIN)),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        return await in_transaction(
            rt.sessions, partial(oversight.put_body, body_id=body_id, body=body)
        )

    @router.get(
        "/oversight/feed",
        response_model=Feed,
        summary="Every complaint event in the caller's jurisdiction after a cursor, in order",
    )
    async def feed(
        after: int = Query(0, ge=0, le=2**63 - 1, description="a cursor (the feed's bigint)"),
        limit: int = Query(500, ge=1, le=5000),
        principal: Principal = Depends(overseers),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        return await in_transaction(
            rt.sessions, partial(oversight.feed, principal=principal, after=after, limit=limit)
        )

    @router.post(
        "/complaints/{complaint_id}/recommendations",
        status_code=201,
        response_model=Recommended,
        summary="An oversight body recommends; the ministry must answer by the deadline",
    )
    async def recommend(
        request: Request,
        complaint_id: UUID,
        body: RecommendationIn,
        principal: Principal = Depends(require_roles(Role.OVERSIGHT)),
        idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
        rt: Runtime = Depends(runtime),
    ) -> JSONResponse:
        work = partial(
            oversight.recommend,
            principal=principal,
            complaint_id=complaint_id,
            body=body,
            pack=config.pack,
            now=datetime.now(UTC),
        )
        return await idempotency.write(
            request,
            rt.sessions,
            scope=idempotency.scope_of(principal.subject, request),
            key=idempotency_key,
            work=_answering(201, work),
            response_model=Recommended,
        )

    @router.post(
        "/recommendations/{recommendation_id}/answer",
        response_model=Answered,
        summary="The ministry accepts or declines (with reasons) a recommendation",
    )
    async def answer(
        request: Request,
        recommendation_id: UUID,
        body: AnswerIn,
        principal: Principal = Depends(ministry),
        idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
        rt: Runtime = Depends(runtime),
    ) -> JSONResponse:
        work = partial(
            oversight.answer,
            principal=principal,
            recommendation_id=recommendation_id,
            body=body,
            now=datetime.now(UTC),
        )
        return await idempotency.write(
            request,
            rt.sessions,
            scope=idempotency.scope_of(principal.subject, request),
            key=idempotency_key,
            work=_answering(200, work),
            response_model=Answered,
        )

    @router.get(
        "/recommendations",
        response_model=list[RecommendationOut],
        summary="Recommendations the caller may see, oldest first, a page at a time",
    )
    async def list_recommendations(
        unanswered: bool = False,
        after: UUID | None = Query(
            None, description="the last recommendation_id of the previous page"
        ),
        limit: int = Query(200, ge=1, le=1000),
        principal: Principal = Depends(overseers),
        rt: Runtime = Depends(runtime),
    ) -> list[dict[str, Any]]:
        return await in_transaction(
            rt.sessions,
            partial(
                oversight.recommendations,
                principal=principal,
                unanswered=unanswered,
                after=after,
                limit=limit,
            ),
        )

    return router
