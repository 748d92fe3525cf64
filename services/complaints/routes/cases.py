"""Routes for staff: case lists and details (scoped), transitions, personal data (audited),
erasure at the end of retention."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from libs.chassis.auth import Principal, Role, require_roles
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime
from libs.contracts.complaints import ComplaintStatus

from ..application import cases, transitions
from ..config import ComplaintsConfig
from ..schemas import (
    CaseDetail,
    CaseOut,
    Erased,
    Erasures,
    ErasuresIn,
    Moved,
    PersonalData,
    Timeline,
    TransitionIn,
)
from ..vault import vault

staff = require_roles(
    Role.COMPLAINTS_OFFICER, Role.INVESTIGATOR, Role.OVERSIGHT, Role.STATION_OFFICER, Role.REVIEWER
)
caseworkers = require_roles(Role.COMPLAINTS_OFFICER, Role.INVESTIGATOR)
# The ministry's records managers: complaints officers and admins.
erasers = require_roles(Role.COMPLAINTS_OFFICER)


def build(config: ComplaintsConfig) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["complaints: casework"])

    @router.get(
        "/complaints",
        response_model=list[CaseOut],
        summary="Complaints the caller may see, newest first",
    )
    async def list_complaints(
        status: ComplaintStatus | None = Query(None, description="Only complaints in this status"),
        limit: int = Query(50, ge=1, le=500),
        principal: Principal = Depends(staff),
        rt: Runtime = Depends(runtime),
    ) -> list[dict[str, Any]]:
        return await in_transaction(
            rt.sessions, partial(cases.listed, principal=principal, status=status, limit=limit)
        )

    @router.get(
        "/complaints/{complaint_id}",
        response_model=CaseDetail,
        summary="One complaint (no personal data)",
    )
    async def get_complaint(
        complaint_id: UUID, principal: Principal = Depends(staff), rt: Runtime = Depends(runtime)
    ) -> dict[str, Any]:
        return await in_transaction(
            rt.sessions, partial(cases.detail, principal=principal, complaint_id=complaint_id)
        )

    @router.post(
        "/complaints/{complaint_id}/transitions",
        response_model=Moved,
        summary="Move a complaint through its lifecycle; 409 names the allowed moves",
    )
    async def post_transition(
        complaint_id: UUID,
        body: TransitionIn,
        principal: Principal = Depends(staff),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        entry = await in_transaction(
            rt.sessions,
            partial(
                transitions.move,
                principal=principal,
                complaint_id=complaint_id,
                body=body,
                pseudonym_key=rt.settings.pseudonym_key,
                pack=config.pack,
                now=datetime.now(UTC),
            ),
        )
        return {
            "complaint_id": complaint_id,
            "status": entry.to_status,
            "sequence": entry.sequence,
            "hash": entry.hash,
        }

    @router.get(
        "/complaints/{complaint_id}/personal-data",
        response_model=PersonalData,
        summary="The complainant's details and narrative; every read is audited with its purpose",
    )
    async def get_personal_data(
        complaint_id: UUID,
        purpose: str = Query(min_length=5, max_length=200, description="Why you need it"),
        principal: Principal = Depends(caseworkers),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, str | None]:
        return await in_transaction(
            rt.sessions,
            partial(
                cases.personal_data,
                principal=principal,
                complaint_id=complaint_id,
                vault=vault(rt.settings),
                purpose=purpose,
            ),
        )

    @router.get(
        "/complaints/{complaint_id}/timeline",
        response_model=Timeline,
        summary="Every event of the complaint",
    )
    async def get_timeline(
        complaint_id: UUID, principal: Principal = Depends(staff), rt: Runtime = Depends(runtime)
    ) -> dict[str, Any]:
        return await in_transaction(
            rt.sessions, partial(cases.timeline, principal=principal, complaint_id=complaint_id)
        )

    @router.post(
        "/complaints/{complaint_id}/erase",
        response_model=Erased,
        summary="Crypto-shred the personal data once the retention period is over (complaints "
        "officer, admin)",
    )
    async def erase(
        complaint_id: UUID,
        principal: Principal = Depends(erasers),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        return await in_transaction(
            rt.sessions,
            partial(
                cases.erase,
                principal=principal,
                complaint_id=complaint_id,
                vault=vault(rt.settings),
                pack=config.pack,
                now=datetime.now(UTC),
            ),
        )

    @router.post(
        "/erasures",
        response_model=Erasures,
        summary="Erase many: named complaints or the oldest eligible ones (at most 500 a call); "
        "each refusal says why",
    )
    async def erase_many(
        body: ErasuresIn, principal: Principal = Depends(erasers), rt: Runtime = Depends(runtime)
    ) -> dict[str, Any]:
        return await in_transaction(
            rt.sessions,
            partial(
                cases.erase_many,
                principal=principal,
                complaint_ids=body.complaint_ids,
                limit=body.limit,
                vault=vault(rt.settings),
                pack=config.pack,
                now=datetime.now(UTC),
            ),
        )

    return router
