"""Fora and their members."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row, Select, and_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from ..tables import fora, members

Areas = Collection[str] | None  # a scope's area ids (domain.scope); None: every area


def _in_scope(query: Select[Any], areas: Areas) -> Select[Any]:
    """The scope is a condition of the query, not a check after it."""
    return query if areas is None else query.where(fora.c.area_id.in_(sorted(areas)))


def reached(
    forum_id: ColumnElement[Any],
    area_id: ColumnElement[Any],
    forum_areas: Areas,
    record_areas: Areas,
) -> ColumnElement[bool]:
    """A condition on a table of records that belong to a forum or, with none, to an area
    (waves, plans, activities): the forum is in scope, or the area is."""
    if forum_areas is None or record_areas is None:
        return true()
    in_scope = select(fora.c.forum_id).where(fora.c.area_id.in_(sorted(forum_areas)))
    return or_(
        forum_id.in_(in_scope), and_(forum_id.is_(None), area_id.in_(sorted(record_areas)))
    )


async def forum(session: AsyncSession, forum_id: UUID, areas: Areas = None) -> Row[Any] | None:
    """The forum, if it is attached to one of `areas` (None: any forum)."""
    query = _in_scope(select(fora).where(fora.c.forum_id == forum_id), areas)
    return (await session.execute(query)).one_or_none()


async def all_fora(
    session: AsyncSession, areas: Areas, origin: str | None = None
) -> Sequence[Row[Any]]:
    query = _in_scope(select(fora), areas).order_by(fora.c.name_en)
    if origin is not None:
        query = query.where(fora.c.origin == origin)
    return (await session.execute(query)).all()


async def origins(session: AsyncSession, forum_ids: Collection[UUID]) -> dict[UUID, str | None]:
    """Who established each forum (a forum_origins code, None when not recorded)."""
    if not forum_ids:
        return {}
    query = select(fora.c.forum_id, fora.c.origin).where(fora.c.forum_id.in_(list(forum_ids)))
    return dict((await session.execute(query)).tuples().all())


async def council_members(session: AsyncSession, council_id: UUID) -> list[UUID]:
    """The fora a coordination council sits above."""
    query = select(fora.c.forum_id).where(fora.c.parent_forum_id == council_id)
    return list((await session.scalars(query)).all())


async def fora_in_areas(session: AsyncSession, area_ids: Sequence[str]) -> list[UUID]:
    query = select(fora.c.forum_id).where(fora.c.area_id.in_(area_ids))
    return list((await session.scalars(query)).all())


async def women_targets(session: AsyncSession, forum_ids: Sequence[UUID]) -> dict[UUID, float]:
    query = select(fora.c.forum_id, fora.c.women_target).where(fora.c.forum_id.in_(forum_ids))
    return dict((await session.execute(query)).tuples().all())


async def add_forum(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(fora.insert().values(dict(row)))


async def add_member(session: AsyncSession, row: Mapping[str, Any]) -> None:
    await session.execute(members.insert().values(dict(row)))


async def members_of(session: AsyncSession, forum_id: UUID) -> Sequence[Row[Any]]:
    query = select(members).where(members.c.forum_id == forum_id).order_by(members.c.joined_on)
    return (await session.execute(query)).all()


async def member(session: AsyncSession, forum_id: UUID, member_id: UUID) -> Row[Any] | None:
    query = select(members).where(members.c.member_id == member_id, members.c.forum_id == forum_id)
    return (await session.execute(query)).one_or_none()


async def forum_of_member(session: AsyncSession, member_id: UUID) -> UUID | None:
    return await session.scalar(select(members.c.forum_id).where(members.c.member_id == member_id))


async def roll(session: AsyncSession, forum_id: UUID, on: date) -> Sequence[Row[Any]]:
    """The members on the day: joined by then and not yet left."""
    query = select(members).where(
        members.c.forum_id == forum_id,
        members.c.joined_on <= on,
        (members.c.left_on.is_(None)) | (members.c.left_on > on),
    )
    return (await session.execute(query)).all()
