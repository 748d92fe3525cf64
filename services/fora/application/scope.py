"""Who reaches which forum: a station-scoped token only the fora attached to its station (a
condition of the query, so another station's forum is simply not there: 404)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.reference import load_reference

from ..domain.areas import contains, known_level
from ..repositories import registry


def station_of(principal: Principal) -> str | None:
    """The station whose fora the principal reaches; None for every forum."""
    if not principal.station_scoped:
        return None
    if not principal.station_id:
        raise RuleViolation.forbidden("token is station-scoped but names no station")
    return principal.station_id


async def load_forum(session: AsyncSession, forum_id: UUID, principal: Principal) -> Row[Any]:
    """The forum, or 404, also when it exists outside the principal's scope."""
    forum = await registry.forum(session, forum_id, station_of(principal))
    if forum is None:
        raise RuleViolation.not_found(f"no forum {forum_id}")
    return forum


async def owned(
    session: AsyncSession, row: Row[Any] | None, what: str, key: UUID, principal: Principal
) -> tuple[Row[Any], Row[Any]]:
    """A forum-owned row and its forum, both in the principal's scope; 404 otherwise."""
    if row is None:
        raise RuleViolation.not_found(f"no {what} {key}")
    return row, await load_forum(session, row.forum_id, principal)


def area_in_scope(area_id: str, principal: Principal) -> bool:
    """Whether a principal may act on something that belongs to an area but to no forum."""
    if not principal.station_scoped:
        return True
    station = principal.station_id
    return station is not None and contains(load_reference(), area_id, station)


async def check_forum_and_area(
    session: AsyncSession, forum_id: UUID | None, area_id: str, principal: Principal
) -> None:
    """A plan, survey wave or activity names an area and perhaps its forum: the forum must be
    in the principal's scope (404) and the area known (422 naming `area_id`); without a forum,
    a station-scoped token may only name an area its station lies in (403)."""
    if forum_id is not None:
        await load_forum(session, forum_id, principal)
    known_level(load_reference(), area_id)
    if forum_id is None and not area_in_scope(area_id, principal):
        raise RuleViolation.forbidden(
            f"a token of station {principal.station_id} may only name areas that contain it"
        )
