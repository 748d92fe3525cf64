"""Routes for admins: the staff directory (where each member of staff is posted, which the
conflict-of-interest check reads) and one scheduler pass as of a given instant."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Path, Query

from libs.chassis.auth import Principal, Role, require_roles
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..application import staff
from ..config import ComplaintsConfig
from ..deadlines import one_pass
from ..schemas import ClocksRun, ClocksRunIn, StaffIn, StaffOut, StaffRemoved
from ..vault import vault

admin = require_roles(Role.ADMIN)
# Assigners read the directory to pick an independent investigator.
readers = require_roles(Role.ADMIN, Role.COMPLAINTS_OFFICER)
STAFF_ID = Path(min_length=1, max_length=200, description="The token subject")


def build(config: ComplaintsConfig) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["complaints: administration"])

    @router.put(
        "/staff/{staff_id}",
        response_model=StaffOut,
        summary="Record where a member of staff is posted (admin)",
    )
    async def put_staff(
        body: StaffIn,
        staff_id: str = STAFF_ID,
        principal: Principal = Depends(admin),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        return await in_transaction(
            rt.sessions,
            partial(
                staff.put,
                principal=principal,
                staff_id=staff_id,
                body=body,
                pseudonym_key=rt.settings.pseudonym_key,
            ),
        )

    @router.get("/staff/{staff_id}", response_model=StaffOut, summary="One staff posting")
    async def get_staff(
        staff_id: str = STAFF_ID,
        _: Principal = Depends(readers),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        return await in_transaction(rt.sessions, partial(staff.get, staff_id=staff_id))

    @router.get("/staff", response_model=list[StaffOut], summary="The staff directory")
    async def list_staff(
        unit: str | None = Query(None, max_length=32, description="Units starting with this"),
        limit: int = Query(200, ge=1, le=1000),
        _: Principal = Depends(readers),
        rt: Runtime = Depends(runtime),
    ) -> list[dict[str, Any]]:
        return await in_transaction(
            rt.sessions, partial(staff.listed, unit_prefix=unit, limit=limit)
        )

    @router.delete(
        "/staff/{staff_id}", response_model=StaffRemoved, summary="Remove a posting (admin)"
    )
    async def delete_staff(
        staff_id: str = STAFF_ID,
        _: Principal = Depends(admin),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        return await in_transaction(rt.sessions, partial(staff.remove, staff_id=staff_id))

    @router.post(
        "/clocks/run",
        response_model=ClocksRun,
        summary="Run one scheduler pass as of an instant (admin): the deadline events due by "
        "then, each still sent once ever, and the messages due by then",
    )
    async def run_clocks(
        body: ClocksRunIn, _: Principal = Depends(admin), rt: Runtime = Depends(runtime)
    ) -> dict[str, Any]:
        return await one_pass(
            rt.sessions, vault(rt.settings), config, body.at, notifications=body.notifications
        )

    return router
