"""Who reaches which forum and which area's records (domain.scope decides the areas; the
repositories make them conditions of the query, so a forum outside the scope is simply not
there: 404).

What the other use cases call:

- `load_forum` / `owned`: a forum, or a forum-owned row and its forum, in scope (404);
- `check_forum_and_area`: before writing a record of a forum or of an area alone (waves,
  plans, activities): 404 for a forum outside the scope, 403 for an area outside it;
- `check_record`: reading one such record (404 outside the scope);
- `record_areas` / `forum_areas` with `repositories.registry.reached`: lists and reports;
- `check_report_area`: a report over an area the scope touches (403 otherwise).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.reference import load_reference

from ..domain.areas import known_level
from ..domain.scope import Scope, scope_of
from ..repositories import registry


def scope(principal: Principal) -> Scope:
    return scope_of(principal, load_reference())


def forum_areas(principal: Principal) -> frozenset[str] | None:
    """The areas the principal's fora are attached to (None: all)."""
    return scope(principal).forum_areas(load_reference())


def record_areas(principal: Principal) -> frozenset[str] | None:
    """The areas whose records without a forum the principal reaches (None: all)."""
    return scope(principal).record_areas(load_reference())


async def load_forum(session: AsyncSession, forum_id: UUID, principal: Principal) -> Row[Any]:
    """The forum, or 404, also when it exists outside the principal's scope."""
    forum = await registry.forum(session, forum_id, forum_areas(principal))
    if forum is None:
        raise RuleViolation.not_found(f"no forum {forum_id}")
    return forum


async def owned(
    session: AsyncSession, row: Row[Any] | None, what: str, key: UUID, principal: Principal
) -> tuple[Row[Any], Row[Any]]:
    """A forum-owned row and its forum, both in the principal's scope; 404 otherwise."""
    if row is None:
        raise RuleViolation.not_found(f"no {what} {key}")
    forum = await registry.forum(session, row.forum_id, forum_areas(principal))
    if forum is None:
        raise RuleViolation.not_found(f"no {what} {key}")
    return row, forum


def area_in_scope(area_id: str, principal: Principal) -> bool:
    """Whether a principal may act on something that belongs to an area but to no forum."""
    return scope(principal).reaches_area(load_reference(), area_id)


def ensure_area(area_id: str, principal: Principal, field: str = "area_id") -> None:
    """403 unless the principal's scope reaches the area (for a forum's own area, or a record
    of an area alone)."""
    if not area_in_scope(area_id, principal):
        raise RuleViolation.forbidden(
            f"a token of {scope(principal).describe()} may not act in that area", field
        )


async def check_forum_and_area(
    session: AsyncSession, forum_id: UUID | None, area_id: str, principal: Principal
) -> None:
    """A plan, survey wave or activity names an area and perhaps its forum: the forum must be
    in the principal's scope (404) and the area known (422 naming `area_id`); without a forum,
    the area must be in the principal's scope (403)."""
    if forum_id is not None:
        await load_forum(session, forum_id, principal)
    known_level(load_reference(), area_id)
    if forum_id is None:
        ensure_area(area_id, principal)


async def check_record(
    session: AsyncSession,
    forum_id: UUID | None,
    area_id: str,
    principal: Principal,
    what: str,
    key: UUID,
) -> None:
    """Reading or changing one record of a forum or of an area alone: 404 outside the scope."""
    if forum_id is not None:
        if await registry.forum(session, forum_id, forum_areas(principal)) is None:
            raise RuleViolation.not_found(f"no {what} {key}")
    elif not area_in_scope(area_id, principal):
        raise RuleViolation.not_found(f"no {what} {key}")


def check_report_area(area_id: str, principal: Principal, field: tuple[str, ...]) -> None:
    """A report over an area: known (422), and one the principal's scope touches (403); what
    it counts is then limited to the scope in its queries."""
    reference = load_reference()
    known_level(reference, area_id, field)
    if not scope(principal).may_report_on(reference, area_id):
        raise RuleViolation.forbidden(
            f"a token of {scope(principal).describe()} may not read that area's reports", field
        )
