"""Every statement on the programme read models (fora's origins, activities, membership
counts, plan indicator values, SARA cases, stages and assessments)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, and_, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.scope import Filters
from ..repositories.areas import area_clause
from ..tables import (
    forum_facts,
    forum_origins,
    membership_cells,
    membership_counts,
    metadata,
    plan_indicator_values,
    programme_activities,
    sara_assessments,
    sara_cases,
    sara_stages,
)

# --- written by the projection ---------------------------------------------------------------


async def insert_origin(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(forum_origins).values(**values).on_conflict_do_nothing())


async def upsert_latest(
    session: AsyncSession,
    table_name: str,
    keys: list[str],
    values: dict[str, Any],
    order: tuple[str, str],
) -> None:
    """Insert the row, or replace the stored one when this event is later by `order` (its
    time, then its id): a redelivery or an older restatement changes nothing."""
    table = metadata.tables[table_name]
    statement = insert(table).values(**values)
    newer = tuple_(*(statement.excluded[c] for c in order)) > tuple_(*(table.c[c] for c in order))
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=keys,
            set_={k: statement.excluded[k] for k in values if k not in keys},
            where=newer,
        )
    )


async def insert_membership(
    session: AsyncSession, count: dict[str, Any], cells: list[dict[str, Any]]
) -> None:
    """Every count is kept (keyed by its event): a view reads each forum's latest as of a day."""
    await session.execute(insert(membership_counts).values(**count).on_conflict_do_nothing())
    if cells:
        await session.execute(insert(membership_cells).on_conflict_do_nothing(), cells)


async def insert_case(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(sara_cases).values(**values).on_conflict_do_nothing())


# --- read by the views -----------------------------------------------------------------------


async def activities(session: AsyncSession, filters: Filters) -> Sequence[Row[Any]]:
    """Activities held in the period in the area (of the chosen kind), with their forum's
    type and origin."""
    a = programme_activities.c
    query = (
        select(programme_activities, forum_facts.c.forum_type, forum_origins.c.origin)
        .select_from(
            programme_activities.outerjoin(
                forum_facts, a.forum_id == forum_facts.c.forum_id
            ).outerjoin(forum_origins, a.forum_id == forum_origins.c.forum_id)
        )
        .where(
            area_clause(programme_activities, filters.area),
            a.held_on >= filters.start,
            a.held_on <= filters.end,
        )
    )
    if filters.category:
        query = query.where(a.kind == filters.category)
    return (await session.execute(query)).all()


async def memberships(session: AsyncSession, filters: Filters) -> Sequence[Row[Any]]:
    """Each forum's latest membership count made by the end of the period, for the fora in
    the area (of the chosen forum type): (forum, type, its areas, members, event)."""
    m, f = membership_counts.c, forum_facts.c
    latest = (
        select(m.event_id, m.forum_id, m.members)
        .where(m.counted_at < filters.end_before)
        .distinct(m.forum_id)
        .order_by(m.forum_id, m.counted_at.desc(), m.event_id.desc())
        .subquery()
    )
    query = (
        select(
            latest.c.event_id,
            latest.c.forum_id,
            latest.c.members,
            f.forum_type,
            f.station_id,
            f.district_code,
            f.governorate_code,
        )
        .select_from(latest.join(forum_facts, latest.c.forum_id == f.forum_id))
        .where(area_clause(forum_facts, filters.area))
    )
    if filters.category:
        query = query.where(f.forum_type == filters.category)
    return (await session.execute(query)).all()


async def membership_cells_of(
    session: AsyncSession, event_ids: list[object]
) -> Sequence[tuple[Any, str, str, int]]:
    c = membership_cells.c
    query = select(c.event_id, c.group_code, c.gender, c.members).where(c.event_id.in_(event_ids))
    return (await session.execute(query)).tuples().all()


async def indicator_values(session: AsyncSession, filters: Filters) -> Sequence[Row[Any]]:
    """Indicator values of plans in the area for periods starting in the filter's period (its
    first month included), of the chosen source."""
    v = plan_indicator_values.c
    query = select(plan_indicator_values).where(
        area_clause(plan_indicator_values, filters.area),
        v.period_start >= filters.start.replace(day=1),
        v.period_start <= filters.end,
    )
    if filters.category:
        query = query.where(v.source == filters.category)
    return (await session.execute(query)).all()


def _case_filter(filters: Filters):
    c = sara_cases.c
    conditions = [area_clause(sara_cases, filters.area)]
    if filters.category:
        conditions.append(c.iccs_code.startswith(filters.category))
    return and_(*conditions)


async def cases(session: AsyncSession, filters: Filters) -> Sequence[Row[Any]]:
    """Cases opened in the period in the area (of the chosen ICCS category), with their
    stage now (scanning until a stage change is known)."""
    c, s = sara_cases.c, sara_stages.c
    query = (
        select(sara_cases, func.coalesce(s.stage, "scanning").label("stage"))
        .select_from(sara_cases.outerjoin(sara_stages, c.case_id == s.case_id))
        .where(
            _case_filter(filters),
            c.opened_at >= filters.start_at,
            c.opened_at < filters.end_before,
        )
    )
    return (await session.execute(query)).all()


async def assessments(session: AsyncSession, filters: Filters) -> Sequence[Row[Any]]:
    """Assessments made in the period of cases in the area (of the chosen category)."""
    a, c = sara_assessments.c, sara_cases.c
    query = (
        select(sara_assessments, c.area_id, c.iccs_code, c.comparison_area_id)
        .select_from(sara_assessments.join(sara_cases, a.case_id == c.case_id))
        .where(
            _case_filter(filters),
            a.assessed_at >= filters.start_at,
            a.assessed_at < filters.end_before,
        )
    )
    return (await session.execute(query)).all()
