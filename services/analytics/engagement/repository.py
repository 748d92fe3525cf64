"""Every statement on the engagement read models (fora, meetings, groups, concerns,
actions)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Row, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.engagement import Action, Meeting
from ..domain.scope import Filters
from ..repositories.areas import area_clause
from ..tables import action_facts, concern_facts, forum_facts, meeting_facts, meeting_groups

# --- written by the projection ---------------------------------------------------------------


async def insert_forum(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(forum_facts).values(**values).on_conflict_do_nothing())


async def upsert_meeting(
    session: AsyncSession, meeting_id: UUID, values: dict[str, Any], groups: list[dict]
) -> None:
    """The meeting as last reported: a corrected attendance replaces its group counts."""
    await session.execute(
        insert(meeting_facts)
        .values(meeting_id=meeting_id, **values)
        .on_conflict_do_update(index_elements=["meeting_id"], set_=values)
    )
    await session.execute(delete(meeting_groups).where(meeting_groups.c.meeting_id == meeting_id))
    if groups:
        await session.execute(insert(meeting_groups).on_conflict_do_nothing(), groups)


async def insert_concern(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(concern_facts).values(**values).on_conflict_do_nothing())


async def upsert_action(session: AsyncSession, values: dict[str, Any], changes: dict) -> None:
    await session.execute(
        insert(action_facts)
        .values(**values)
        .on_conflict_do_update(index_elements=["action_id"], set_=changes)
    )


# --- read by the view ------------------------------------------------------------------------


async def fora(session: AsyncSession, filters: Filters) -> Sequence[Row[Any]]:
    """The fora in the area (of the chosen forum type)."""
    query = select(forum_facts).where(area_clause(forum_facts, filters.area))
    if filters.category:
        query = query.where(forum_facts.c.forum_type == filters.category)
    return (await session.execute(query)).all()


async def meetings(session: AsyncSession, areas: dict[Any, str], filters: Filters) -> list[Meeting]:
    """Meetings held in the period by the fora of `areas` (forum -> the area it counts in)."""
    m = meeting_facts.c
    query = select(meeting_facts).where(
        m.forum_id.in_(list(areas)), m.held_on >= filters.start, m.held_on <= filters.end
    )
    return [
        Meeting(
            r.meeting_id,
            r.forum_id,
            areas[r.forum_id],
            r.held_on,
            r.women,
            r.total,
            r.quorum_met,
            r.women_only,
            r.quorum_applies,
        )
        for r in (await session.execute(query)).all()
    ]


async def actions(session: AsyncSession, areas: dict[Any, str], filters: Filters) -> list[Action]:
    """Actions of the fora of `areas` due in the period."""
    a = action_facts.c
    query = select(action_facts).where(
        a.forum_id.in_(list(areas)), a.due_on >= filters.start, a.due_on <= filters.end
    )
    return [
        Action(r.forum_id, areas[r.forum_id], r.status, r.due_on, r.done_on)
        for r in (await session.execute(query)).all()
    ]


async def group_counts(
    session: AsyncSession, meeting_ids: list[object]
) -> Sequence[tuple[object, str, int, int]]:
    """(meeting, group, attendees, the meeting's total) of the meetings that counted groups."""
    g, m = meeting_groups.c, meeting_facts.c
    query = (
        select(g.meeting_id, g.group_code, g.attendees, m.total)
        .select_from(meeting_groups.join(meeting_facts, g.meeting_id == m.meeting_id))
        .where(g.meeting_id.in_(meeting_ids))
    )
    return (await session.execute(query)).tuples().all()


async def concern_categories(
    session: AsyncSession, forum_ids: list[object], filters: Filters
) -> list[str]:
    c = concern_facts.c
    query = select(c.category).where(
        c.forum_id.in_(forum_ids),
        c.raised_at >= filters.start_at,
        c.raised_at < filters.end_before,
    )
    return list((await session.execute(query)).scalars())
