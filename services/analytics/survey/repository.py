"""Every statement on the survey read models (survey_waves, survey_cells, survey_cell_items)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Table, and_, delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import survey
from ..domain.scope import Filters
from ..repositories.areas import area_clause
from ..tables import forum_facts, survey_cell_items, survey_cells, survey_waves

# --- written by the projection ---------------------------------------------------------------


async def claim_wave(session: AsyncSession, wave_id: UUID, values: dict[str, Any]) -> bool:
    """Write the wave's row if this publication is newer than the one held; True if it was.

    One statement, so two consumers applying publications of one wave at once serialise on
    the row instead of both deciding they are the newest. "Newer" is the larger
    (published_at, publication id), never the order of arrival."""
    statement = insert(survey_waves).values(wave_id=wave_id, **values)
    w = survey_waves.c
    newer = tuple_(w.published_at, w.publication_id) < tuple_(
        statement.excluded.published_at, statement.excluded.publication_id
    )
    result = await session.execute(
        statement.on_conflict_do_update(
            index_elements=["wave_id"], set_=values, where=newer
        ).returning(w.wave_id)
    )
    return result.first() is not None


async def replace_cells(
    session: AsyncSession, wave_id: UUID, cells: list[dict], items: list[dict]
) -> None:
    table: Table
    for table in (survey_cell_items, survey_cells):
        await session.execute(delete(table).where(table.c.wave_id == wave_id))
    if cells:
        await session.execute(insert(survey_cells), cells)
    if items:
        await session.execute(insert(survey_cell_items), items)


# --- read by the view ------------------------------------------------------------------------


def wave_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """Waves closing in the period (of a forum of the chosen type, when one is chosen)."""
    w = survey_waves.c
    clauses = [w.closes_on >= filters.start, w.closes_on <= filters.end]
    if filters.category:
        fora = select(forum_facts.c.forum_id).where(forum_facts.c.forum_type == filters.category)
        clauses.append(w.forum_id.in_(fora))
    return clauses


def waves_in(filters: Filters) -> ColumnElement[bool]:
    """Waves run in the filters' area."""
    return area_clause(survey_waves, filters.area)


def cells_in(filters: Filters) -> ColumnElement[bool]:
    """Cells lying in the filters' area, whatever wave they are of."""
    return area_clause(survey_cells, filters.area)


async def cells(
    session: AsyncSession,
    filters: Filters,
    where: ColumnElement[bool],
    key_of: Callable[[Any], str],
) -> list[survey.Cell]:
    """The published cells of the fora table of the waves in the period, each in the row
    `key_of` puts it in, with its items' counts."""
    c, i, w = survey_cells.c, survey_cell_items.c, survey_waves.c
    joined = survey_cells.join(survey_waves, c.wave_id == w.wave_id).outerjoin(
        survey_cell_items,
        and_(i.wave_id == c.wave_id, i.breakdown == c.breakdown, i.cell == c.cell),
    )
    query = (
        select(
            c.wave_id,
            c.cell,
            c.responses,
            c.gender,
            c.station_id,
            c.district_code,
            c.governorate_code,
            c.suppressed,
            w["items"].label("asked"),  # not .items: that is the collection's method
            i.item,
            i.answered,
            i.positive,
        )
        .select_from(joined)
        .where(c.breakdown == survey.BREAKDOWN, where, *wave_conditions(filters))
        .order_by(c.wave_id, c.cell, i.item)
    )
    grouped: dict[tuple, tuple[Any, dict]] = {}
    for r in (await session.execute(query)).all():
        _, counts = grouped.setdefault((r.wave_id, r.cell), (r, {}))
        if r.item is not None:
            counts[r.item] = (r.answered, r.positive)
    return [
        survey.Cell(
            r.wave_id,
            r.cell,
            key_of(r),
            r.suppressed,
            # a wave whose every cell is suppressed shows no item: it may have asked any
            frozenset(r.asked or survey.ITEMS),
            counts,
            r.responses,
        )
        for r, counts in grouped.values()
    ]


async def count_waves(session: AsyncSession, filters: Filters) -> int:
    query = select(func.count()).where(waves_in(filters), *wave_conditions(filters))
    return (await session.execute(query)).scalar_one()
