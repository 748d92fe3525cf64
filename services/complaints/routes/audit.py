"""The personal-data read audit, readable by admins and by oversight bodies (their
jurisdiction): who read which complaint's personal data, when, which fields and why."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from libs.chassis.auth import Principal, Role, require_roles
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..application import audit
from ..schemas import PersonalDataReads

auditors = require_roles(Role.ADMIN, Role.OVERSIGHT)
MAX_CURSOR = 2**63 - 1


def build() -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["complaints: oversight"])

    @router.get(
        "/audit/personal-data-reads",
        response_model=PersonalDataReads,
        summary="Who read complaints' personal data, when, which fields and why (admin; an "
        "oversight body: its jurisdiction), oldest first, paginated by `after`",
    )
    async def personal_data_reads(
        actor: str | None = Query(None, max_length=200, description="The reader's subject"),
        complaint_id: UUID | None = None,
        purpose: str | None = Query(
            None, min_length=1, max_length=200, description="Words in the purpose given"
        ),
        since: datetime | None = Query(None, description="From this instant (inclusive)"),
        until: datetime | None = Query(None, description="Until this instant (exclusive)"),
        after: int = Query(0, ge=0, le=MAX_CURSOR, description="The last cursor received"),
        limit: int = Query(100, ge=1, le=1000),
        principal: Principal = Depends(auditors),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        return await in_transaction(
            rt.sessions,
            partial(
                audit.reads,
                principal=principal,
                actor=actor,
                complaint_id=complaint_id,
                purpose=purpose,
                since=since,
                until=until,
                after=after,
                limit=limit,
            ),
        )

    return router
