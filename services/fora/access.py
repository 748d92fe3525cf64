"""Who may see and change which forum.

Roles: forum coordinators and station officers (who run meetings) write; ministry analysts
read too. A station-scoped token reaches only the fora attached to its own station — the scope
is a condition of the query, not a check after it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import HTTPException
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal, require_roles
from libs.reference import load_reference

from .domain.areas import UnknownArea, contains, level_of
from .tables import fora
from .writes import RuleError

writers = require_roles("forum_coordinator", "station_officer")
readers = require_roles("forum_coordinator", "station_officer", "ministry_analyst")
coordinators = require_roles("forum_coordinator")


def scoped(query: Select, principal: Principal) -> Select:
    """Limit a query over `fora` to what the principal may reach."""
    if principal.station_scoped:
        if not principal.station_id:
            raise HTTPException(403, "token is station-scoped but names no station")
        return query.where(fora.c.station_id == principal.station_id)
    return query


async def load_forum(session: AsyncSession, forum_id: UUID, principal: Principal) -> Any:
    """The forum row, or 404 — also when it exists outside the principal's scope."""
    query = scoped(select(fora).where(fora.c.forum_id == forum_id), principal)
    row = (await session.execute(query)).one_or_none()
    if row is None:
        raise HTTPException(404, f"no forum {forum_id}")
    return row


async def check_forum_and_area(
    session: AsyncSession, forum_id: UUID | None, area_id: str, principal: Principal
) -> None:
    """A plan, survey wave or activity names an area and perhaps its forum: the forum must be
    in the principal's scope (404) and the area known (422 naming `area_id`); without a forum,
    a station-scoped token may only name an area its station lies in (403)."""
    if forum_id is not None:
        await load_forum(session, forum_id, principal)
    try:
        level_of(load_reference(), area_id)
    except UnknownArea as exc:
        raise RuleError("area_id", exc.args[0]) from exc
    if forum_id is None and not area_in_scope(area_id, principal):
        raise HTTPException(
            403, f"a token of station {principal.station_id} may only name areas that contain it"
        )


def area_in_scope(area_id: str, principal: Principal) -> bool:
    """Whether a principal may act on something that belongs to an area but to no forum."""
    if not principal.station_scoped:
        return True
    return bool(principal.station_id) and contains(load_reference(), area_id, principal.station_id)


async def load_owned(
    session: AsyncSession, table, key: str, value: UUID, principal: Principal, *, lock=False
) -> tuple[Any, Any]:
    """A row of a forum-owned table and its forum, both in the principal's scope; 404 else."""
    query = select(table).where(table.c[key] == value)
    if lock:
        query = query.with_for_update()
    row = (await session.execute(query)).one_or_none()
    if row is None:
        raise HTTPException(404, f"no {key.removesuffix('_id')} {value}")
    forum = await load_forum(session, row.forum_id, principal)
    return row, forum
