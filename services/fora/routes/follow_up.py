"""Concerns, priorities and actions: what residents raised and what was done about it."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from libs.chassis.auth import Principal
from libs.chassis.db import in_transaction
from libs.chassis.service import Runtime, runtime

from ..access import readers, writers
from ..application import follow_up
from ..schemas import (
    ActionIn,
    ActionOut,
    ActionProgressIn,
    ActionProgressOut,
    ActionWithNotesOut,
    ConcernIn,
    ConcernOut,
    ConcernRaisedOut,
    CreatedActionOut,
    PrioritiesIn,
    PrioritiesOut,
    PriorityOut,
)
from . import Key, write

router = APIRouter(prefix="/v1", tags=["concerns and actions"])


@router.post(
    "/fora/{forum_id}/concerns",
    status_code=201,
    response_model=ConcernRaisedOut,
    summary="Record a concern",
)
async def raise_concern(
    request: Request,
    forum_id: UUID,
    body: ConcernIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, ConcernRaisedOut,
        partial(follow_up.raise_concern, forum_id=forum_id, body=body, principal=principal),
    )  # fmt: skip


@router.get(
    "/fora/{forum_id}/concerns", response_model=list[ConcernOut], summary="A forum's concerns"
)
async def list_concerns(
    forum_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions, partial(follow_up.list_concerns, forum_id=forum_id, principal=principal)
    )


@router.post(
    "/fora/{forum_id}/priorities",
    response_model=PrioritiesOut,
    summary="Set the forum's priorities for a period",
)
async def set_priorities(
    request: Request,
    forum_id: UUID,
    body: PrioritiesIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, PrioritiesOut,
        partial(follow_up.set_priorities, forum_id=forum_id, body=body, principal=principal),
        status=200,
    )  # fmt: skip


@router.get(
    "/fora/{forum_id}/priorities",
    response_model=list[PriorityOut],
    summary="The forum's priorities, newest period first",
)
async def list_priorities(
    forum_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions, partial(follow_up.list_priorities, forum_id=forum_id, principal=principal)
    )


@router.post(
    "/fora/{forum_id}/actions",
    status_code=201,
    response_model=CreatedActionOut,
    summary="Agree an action",
)
async def create_action(
    request: Request,
    forum_id: UUID,
    body: ActionIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, CreatedActionOut,
        partial(follow_up.create_action, forum_id=forum_id, body=body, principal=principal),
    )  # fmt: skip


@router.post(
    "/actions/{action_id}/progress",
    response_model=ActionProgressOut,
    summary="Progress on an action: status and a note",
)
async def action_progress(
    request: Request,
    action_id: UUID,
    body: ActionProgressIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, ActionProgressOut,
        partial(follow_up.action_progress, action_id=action_id, body=body, principal=principal),
        status=200,
    )  # fmt: skip


@router.get(
    "/fora/{forum_id}/actions",
    response_model=list[ActionWithNotesOut],
    summary="A forum's actions with their progress notes",
)
async def list_actions(
    forum_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions, partial(follow_up.list_actions, forum_id=forum_id, principal=principal)
    )


@router.get("/actions/{action_id}", response_model=ActionOut, summary="One action")
async def get_action(
    action_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions, partial(follow_up.get_action, action_id=action_id, principal=principal)
    )
