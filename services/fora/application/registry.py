"""Registering fora and their members; members' names and contacts go to the vault."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.chassis.outbox import publish
from libs.chassis.personal_data import PersonalDataVault
from libs.contracts.fora import (
    ForumMembershipCounted,
    ForumRegistered,
    MemberJoined,
    MembershipCount,
)
from libs.reference import load_reference

from ..domain.areas import contains
from ..domain.registry import check_origin, check_parent, placement
from ..repositories import registry
from ..schemas import ForumIn, MemberIn
from .scope import forum_areas, load_forum, scope


async def register_forum(
    session: AsyncSession, body: ForumIn, principal: Principal
) -> dict[str, Any]:
    reference = load_reference()
    place = placement(reference, body.forum_type, body.area_id)
    check_origin(body.origin, body.origin_programme)
    areas = forum_areas(principal)
    if areas is not None and body.area_id not in areas:
        raise RuleViolation.forbidden(
            f"a token of {scope(principal).describe()} may not register a forum there",
            "area_id",
        )
    if body.parent_forum_id is not None:
        parent = await registry.forum(session, body.parent_forum_id)
        check_parent(
            reference,
            parent.forum_type if parent else None,
            parent.area_id if parent else None,
            body.area_id,
        )
    forum_id, now = uuid7(), datetime.now(UTC)
    row = {
        "forum_id": forum_id, "forum_type": body.forum_type, "level": place.level,
        "area_id": body.area_id, "station_id": place.station_id,
        "parent_forum_id": body.parent_forum_id, "name_en": body.name_en,
        "name_ar": body.name_ar, "quorum": body.quorum.model_dump(),
        "women_target": body.women_target, "registered_at": now,
        "origin": body.origin, "origin_programme": body.origin_programme,
    }  # fmt: skip
    await registry.add_forum(session, row)
    await publish(
        session,
        [
            ForumRegistered(
                forum_id=forum_id, forum_type=body.forum_type, level=place.level,
                area_code=body.area_id[:16], station_id=place.station_id, registered_at=now,
                parent_forum_id=body.parent_forum_id, origin=body.origin,
                origin_programme=body.origin_programme,
            )
        ],
    )  # fmt: skip
    return row


async def list_fora(
    session: AsyncSession, principal: Principal, area_id: str | None, origin: str | None = None
) -> list[Row[Any]]:
    """The fora in the principal's scope, optionally in one area (its own and those below)
    and of one origin."""
    rows = await registry.all_fora(session, forum_areas(principal), origin)
    if not area_id:
        return list(rows)
    reference = load_reference()
    return [r for r in rows if contains(reference, area_id, r.area_id)]


async def add_member(
    session: AsyncSession,
    forum_id: UUID,
    body: MemberIn,
    principal: Principal,
    sealer: PersonalDataVault,
) -> dict[str, Any]:
    await load_forum(session, forum_id, principal)
    member_id = uuid7()
    attributes = {
        "role": body.role, "represents": body.represents, "gender": body.gender,
        "age_band": body.age_band, "joined_on": body.joined_on or datetime.now(UTC).date(),
    }  # fmt: skip
    await registry.add_member(session, {"member_id": member_id, "forum_id": forum_id, **attributes})
    await sealer.seal(session, member_id, {"name": body.name, "phone": body.phone})
    joined = MemberJoined(forum_id=forum_id, member_id=member_id, **attributes)
    await publish(session, [joined, await _membership_counted(session, forum_id)])
    return {"member_id": member_id, "forum_id": forum_id, **attributes}


async def _membership_counted(session: AsyncSession, forum_id: UUID) -> ForumMembershipCounted:
    """The forum's current members by the group they represent and gender (counts only)."""
    now = datetime.now(UTC)
    current = [
        m for m in await registry.members_of(session, forum_id)
        if m.left_on is None or m.left_on > now.date()
    ]  # fmt: skip
    counts = Counter((m.represents, m.gender or "unknown") for m in current)
    return ForumMembershipCounted(
        forum_id=forum_id, members=len(current), counted_at=now,
        by_group_and_gender=[
            MembershipCount(group=group, gender=gender, members=n)
            for (group, gender), n in sorted(counts.items())
        ],
    )  # fmt: skip


async def list_members(
    session: AsyncSession, forum_id: UUID, principal: Principal
) -> Sequence[Row[Any]]:
    await load_forum(session, forum_id, principal)
    return await registry.members_of(session, forum_id)


async def _member(
    session: AsyncSession, forum_id: UUID, member_id: UUID, principal: Principal
) -> Row[Any]:
    await load_forum(session, forum_id, principal)
    row = await registry.member(session, forum_id, member_id)
    if row is None:
        raise RuleViolation.not_found(f"no member {member_id} in forum {forum_id}")
    return row


async def read_personal_data(
    session: AsyncSession,
    forum_id: UUID,
    member_id: UUID,
    purpose: str,
    principal: Principal,
    sealer: PersonalDataVault,
) -> dict[str, Any]:
    """A member's name and contact; the read is audited (in this transaction)."""
    await _member(session, forum_id, member_id, principal)
    data = await sealer.unseal(session, member_id, principal=principal, purpose=purpose)
    if data is None:
        raise RuleViolation(
            None, f"personal data of member {member_id} was erased", status=410, code="gone"
        )
    return {"member_id": member_id, **data}


async def erase_personal_data(
    session: AsyncSession,
    forum_id: UUID,
    member_id: UUID,
    principal: Principal,
    sealer: PersonalDataVault,
) -> None:
    """Crypto-shredding: the member's key goes, the member's record and history stay."""
    await _member(session, forum_id, member_id, principal)
    await sealer.erase(session, member_id)


def vocabularies() -> list[dict[str, Any]]:
    """The loaded reference vocabularies, as the API lists them."""
    reference = load_reference()
    return [
        {
            "name": name,
            "terms": [
                {"code": t.code, "label_en": t.label_en, "label_ar": t.label_ar,
                 "attributes": dict(t.attributes)}
                for t in vocabulary.terms.values()
            ],
        }
        for name, vocabulary in reference.vocabularies.items()
    ]  # fmt: skip
