"""Bringing history in: the admin's bulk import of complaints from before jisr."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request

from libs.chassis.auth import Principal, Role, require_roles
from libs.chassis.service import Runtime, runtime
from libs.chassis.uploads import UPLOAD_BODY, upload_type
from libs.reference import load_reference

from ..application import history
from ..schemas import ImportSummary


def build() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["complaints: history"])

    @router.post(
        "/complaints/history",
        response_model=ImportSummary,
        summary="Import past complaints (CSV or JSON Lines, streamed; admin)",
        description=history.__doc__,
        openapi_extra=UPLOAD_BODY,
    )
    async def import_history(
        request: Request,
        principal: Principal = Depends(require_roles(Role.ADMIN)),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        content_type = upload_type(request.headers.get("content-type", ""))
        summary = await history.bring_in(
            rt.sessions, request.stream(), content_type, load_reference(), datetime.now(UTC)
        )
        return summary.as_dict()

    return router
