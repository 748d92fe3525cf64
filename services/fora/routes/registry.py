"""Fora and their members. Member names are sealed in the personal-data vault; every read of
them is audited, and erasing a member shreds their key while the forum's history stays."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from uuid6 import uuid7

from libs.chassis import idempotency
from libs.chassis.auth import Principal, ensure_station_access
from libs.chassis.personal_data import PersonalDataVault
from libs.chassis.service import Runtime, runtime
from libs.contracts.fora import (
    AgeBand,
    ForumRegistered,
    ForumType,
    Gender,
    Group,
    MemberJoined,
    MemberRole,
)
from libs.reference import load_reference

from ..access import coordinators, load_forum, readers, scoped, writers
from ..domain.areas import UnknownArea, contains, level_of
from ..domain.health import DEFAULT_WOMEN_TARGET
from ..domain.meetings import QuorumRule
from ..events import publish
from ..tables import fora, members
from ..vault import vault
from ..writes import RuleError, rule_error, run_write

router = APIRouter(prefix="/v1", tags=["registry"])
Key = Header(None, alias=idempotency.HEADER)


class ForumIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    forum_type: ForumType
    area_id: str = Field(max_length=32, description="Station, district or governorate id, or JO")
    name_en: str = Field(min_length=1, max_length=200)
    name_ar: str = Field(min_length=1, max_length=200)
    parent_forum_id: UUID | None = Field(None, description="The coordination council above it")
    quorum: QuorumRule = QuorumRule()
    women_target: float = Field(DEFAULT_WOMEN_TARGET, ge=0, le=1)


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="Personal data: kept encrypted")
    phone: str | None = Field(None, max_length=32, description="Personal data: kept encrypted")
    role: MemberRole
    represents: Group
    gender: Gender | None = None
    age_band: AgeBand | None = None
    joined_on: date | None = None


def _forum_out(row) -> dict:
    return {
        "forum_id": row.forum_id,
        "forum_type": row.forum_type,
        "level": row.level,
        "area_id": row.area_id,
        "parent_forum_id": row.parent_forum_id,
        "name_en": row.name_en,
        "name_ar": row.name_ar,
        "quorum": row.quorum,
        "women_target": row.women_target,
    }


async def _check_parent(session, body: ForumIn, principal: Principal) -> None:
    if body.parent_forum_id is None:
        return
    parent = (
        await session.execute(select(fora).where(fora.c.forum_id == body.parent_forum_id))
    ).one_or_none()
    if parent is None or parent.forum_type != "coordination_council":
        raise RuleError("parent_forum_id", "must be a registered coordination council")
    if not contains(load_reference(), parent.area_id, body.area_id):
        raise RuleError(
            "parent_forum_id", f"council's area {parent.area_id} must contain the forum's"
        )


@router.post("/fora", status_code=201, summary="Register a forum")
async def register_forum(
    request: Request,
    body: ForumIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
):
    reference = load_reference()
    try:
        level = level_of(reference, body.area_id)
    except UnknownArea as exc:
        raise rule_error(RuleError("area_id", exc.args[0])) from exc
    station_id = body.area_id if level == "station" else None
    if principal.station_scoped:
        ensure_station_access(principal, station_id or "")
    if body.forum_type == "coordination_council" and level == "station":
        rule = "a coordination council sits above stations: use a district or higher"
        raise rule_error(RuleError("area_id", rule))

    async def work(session):
        await _check_parent(session, body, principal)
        forum_id, now = uuid7(), datetime.now(UTC)
        row = {
            "forum_id": forum_id, "forum_type": body.forum_type, "level": level,
            "area_id": body.area_id, "station_id": station_id,
            "parent_forum_id": body.parent_forum_id, "name_en": body.name_en,
            "name_ar": body.name_ar, "quorum": body.quorum.model_dump(),
            "women_target": body.women_target, "registered_at": now,
        }  # fmt: skip
        await session.execute(fora.insert().values(row))
        await publish(
            session,
            ForumRegistered(
                forum_id=forum_id,
                forum_type=body.forum_type,
                level=level,
                area_code=body.area_id[:16],
                station_id=station_id,
                registered_at=now,
                parent_forum_id=body.parent_forum_id,
            ),
        )
        return 201, {**row, "registered_at": now}

    return await run_write(
        request, rt, principal, idempotency_key, work,
        headers=lambda b: {"Location": f"/v1/fora/{b['forum_id']}"},
    )  # fmt: skip


@router.get("/fora", summary="Fora, optionally in one area (its own and those below it)")
async def list_fora(
    area_id: str | None = Query(None, max_length=32),
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> list[dict]:
    reference = load_reference()
    async with rt.sessions() as session:
        rows = (
            await session.execute(scoped(select(fora), principal).order_by(fora.c.name_en))
        ).all()
    if area_id:
        rows = [r for r in rows if contains(reference, area_id, r.area_id)]
    return [_forum_out(r) for r in rows]


@router.get("/fora/{forum_id}", summary="One forum")
async def get_forum(
    forum_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> dict:
    async with rt.sessions() as session:
        return _forum_out(await load_forum(session, forum_id, principal))


@router.post("/fora/{forum_id}/members", status_code=201, summary="Add a member")
async def add_member(
    request: Request,
    forum_id: UUID,
    body: MemberIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
    sealer: PersonalDataVault = Depends(vault),
):
    async def work(session):
        await load_forum(session, forum_id, principal)
        member_id = uuid7()
        joined_on = body.joined_on or datetime.now(UTC).date()
        attributes = {
            "role": body.role, "represents": body.represents, "gender": body.gender,
            "age_band": body.age_band, "joined_on": joined_on,
        }  # fmt: skip
        await session.execute(
            members.insert().values(member_id=member_id, forum_id=forum_id, **attributes)
        )
        await sealer.seal(session, member_id, {"name": body.name, "phone": body.phone})
        await publish(session, MemberJoined(forum_id=forum_id, member_id=member_id, **attributes))
        return 201, {"member_id": member_id, "forum_id": forum_id, **attributes}

    return await run_write(request, rt, principal, idempotency_key, work)


@router.get("/fora/{forum_id}/members", summary="Members by pseudonymous id (no names)")
async def list_members(
    forum_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> list[dict]:
    async with rt.sessions() as session:
        await load_forum(session, forum_id, principal)
        rows = await session.execute(
            select(members).where(members.c.forum_id == forum_id).order_by(members.c.joined_on)
        )
        return [row._asdict() for row in rows]


async def _member(session, forum_id: UUID, member_id: UUID, principal: Principal):
    await load_forum(session, forum_id, principal)
    row = (
        await session.execute(
            select(members).where(members.c.member_id == member_id, members.c.forum_id == forum_id)
        )
    ).one_or_none()
    if row is None:
        raise HTTPException(404, f"no member {member_id} in forum {forum_id}")
    return row


@router.get(
    "/fora/{forum_id}/members/{member_id}/personal-data",
    summary="A member's name and contact (forum coordinators; every read is audited)",
)
async def read_member_personal_data(
    forum_id: UUID,
    member_id: UUID,
    purpose: str = Query(..., min_length=3, max_length=200, description="Why it is read"),
    principal: Principal = Depends(coordinators),
    rt: Runtime = Depends(runtime),
    sealer: PersonalDataVault = Depends(vault),
) -> dict:
    async with rt.sessions() as session, session.begin():
        await _member(session, forum_id, member_id, principal)
        data = await sealer.unseal(session, member_id, principal=principal, purpose=purpose)
    if data is None:
        raise HTTPException(410, f"personal data of member {member_id} was erased")
    return {"member_id": member_id, **data}


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
    async with rt.sessions() as session, session.begin():
        await _member(session, forum_id, member_id, principal)
        await sealer.erase(session, member_id)
