"""Fora and their members. Member names are sealed in the personal-data vault; every read of
them is audited, and erasing a member shreds their key while the forum's history stays."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from libs.chassis.auth import Principal
from libs.chassis.db import in_transaction
from libs.chassis.personal_data import PersonalDataVault
from libs.chassis.service import Runtime, runtime
from libs.contracts.base import CODE_PATTERN

from ..access import coordinators, readers, writers
from ..application import registry
from ..application.scope import load_forum
from ..schemas import (
    ForumIn,
    ForumOut,
    ListedMemberOut,
    MemberIn,
    MemberOut,
    MemberPersonalDataOut,
    RegisteredForumOut,
    VocabularyOut,
)
from ..vault import vault
from . import Key, write

router = APIRouter(prefix="/v1", tags=["registry"])


@router.post(
    "/fora", status_code=201, response_model=RegisteredForumOut, summary="Register a forum"
)
async def register_forum(
    request: Request,
    body: ForumIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, RegisteredForumOut,
        partial(registry.register_forum, body=body, principal=principal),
        headers=lambda b: {"Location": f"/v1/fora/{b['forum_id']}"},
    )  # fmt: skip


@router.get(
    "/fora",
    response_model=list[ForumOut],
    summary="Fora, optionally in one area (its own and those below it)",
)
async def list_fora(
    area_id: str | None = Query(None, max_length=32),
    origin: str | None = Query(None, pattern=CODE_PATTERN, description="A forum_origins code"),
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> Any:
    return await in_transaction(
        rt.sessions,
        partial(registry.list_fora, principal=principal, area_id=area_id, origin=origin),
    )


@router.get(
    "/vocabularies",
    response_model=list[VocabularyOut],
    summary="The codes this country's fora use (member groups, activity kinds, audiences, "
    "meeting kinds, forum origins, concern categories), with Arabic and English labels",
)
async def vocabularies(_: Principal = Depends(readers)) -> Any:
    return registry.vocabularies()


@router.get("/fora/{forum_id}", response_model=ForumOut, summary="One forum")
async def get_forum(
    forum_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions, partial(load_forum, forum_id=forum_id, principal=principal)
    )


@router.post(
    "/fora/{forum_id}/members", status_code=201, response_model=MemberOut, summary="Add a member"
)
async def add_member(
    request: Request,
    forum_id: UUID,
    body: MemberIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
    sealer: PersonalDataVault = Depends(vault),
) -> JSONResponse:
    return await write(
        request, rt, principal, idempotency_key, MemberOut,
        partial(
            registry.add_member, forum_id=forum_id, body=body, principal=principal, sealer=sealer
        ),
    )  # fmt: skip


@router.get(
    "/fora/{forum_id}/members",
    response_model=list[ListedMemberOut],
    summary="Members by pseudonymous id (no names)",
)
async def list_members(
    forum_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> Any:
    return await in_transaction(
        rt.sessions, partial(registry.list_members, forum_id=forum_id, principal=principal)
    )


@router.get(
    "/fora/{forum_id}/members/{member_id}/personal-data",
    response_model=MemberPersonalDataOut,
    response_model_exclude_unset=True,
    summary="A member's name and contact (forum coordinators; every read is audited)",
)
async def read_member_personal_data(
    forum_id: UUID,
    member_id: UUID,
    purpose: str = Query(..., min_length=3, max_length=200, description="Why it is read"),
    principal: Principal = Depends(coordinators),
    rt: Runtime = Depends(runtime),
    sealer: PersonalDataVault = Depends(vault),
) -> Any:
    return await in_transaction(
        rt.sessions,
        partial(
            registry.read_personal_data, forum_id=forum_id, member_id=member_id,
            purpose=purpose, principal=principal, sealer=sealer,
        ),
    )  # fmt: skip


@router.delete(
    "/fora/{forum_id}/members/{member_id}/personal-data",
    status_code=204,
    summary="Erase a member's personal data (crypto-shredding); the record stays",
)
async def erase_member_personal_data(
    forum_id: UUID,
    member_id: UUID,
    principal: Principal = Depends(coordinators),
    rt: Runtime = Depends(runtime),
    sealer: PersonalDataVault = Depends(vault),
) -> None:
    await in_transaction(
        rt.sessions,
        partial(
            registry.erase_personal_data, forum_id=forum_id, member_id=member_id,
            principal=principal, sealer=sealer,
        ),
    )  # fmt: skip
