"""Survey perceptions in the engagement view, from survey_projection's tables: the latest
publication of every wave closing in the period (of a forum of the chosen type, when a forum
type is chosen), its table by area and gender added up per standard item

- by gender (and for all respondents), over the cells of the waves whose area lies within the
  area filter;
- by area, over the cells whose area lies within the area filter, whatever wave they are of,
  rolled up to the filter's breakdown level as the other engagement tables are.

Fora publishes no margin (overall, by area, by gender) alongside that table: a margin less the
shown cells would give a suppressed one away. So only shown cells are ever added, and the
wave's own response total is not shown either. The area filter is the caller's scope (a
station commander's is their station), applied in the WHERE clause.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference import Reference

from . import survey_shares as shares
from .crime_view import area_row, note
from .labels import WORDS
from .scope import ABOVE, Filters, area_clause, child_level, rolls_into
from .tables import forum_facts, survey_cell_items, survey_cells, survey_waves

BREAKDOWN = "area,gender"  # the one table fora publishes


def wave_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    w = survey_waves.c
    clauses = [w.closes_on >= filters.start, w.closes_on <= filters.end]
    if filters.category:
        fora = select(forum_facts.c.forum_id).where(forum_facts.c.forum_type == filters.category)
        clauses.append(w.forum_id.in_(fora))
    return clauses


async def _cells(
    session: AsyncSession,
    filters: Filters,
    breakdown: str,
    where: ColumnElement[bool],
    key_of: Callable[[object], str],
) -> list[shares.Cell]:
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
        .where(c.breakdown == breakdown, where, *wave_conditions(filters))
        .order_by(c.wave_id, c.cell, i.item)
    )
    grouped: dict[tuple, tuple[object, dict]] = {}
    for r in (await session.execute(query)).all():
        _, counts = grouped.setdefault((r.wave_id, r.cell), (r, {}))
        if r.item is not None:
            counts[r.item] = (r.answered, r.positive)
    return [
        shares.Cell(
            r.wave_id,
            r.cell,
            key_of(r),
            r.suppressed,
            # a wave whose every cell is suppressed shows no item: it may have asked any
            frozenset(r.asked or shares.ITEMS),
            counts,
            r.responses,
        )
        for r, counts in grouped.values()
    ]


async def _waves(session: AsyncSession, filters: Filters) -> int:
    query = select(func.count()).where(
        area_clause(survey_waves, filters.area), *wave_conditions(filters)
    )
    return (await session.execute(query)).scalar_one()


def _area_label(reference: Reference, level: str) -> Callable[[str], dict]:
    en, ar = WORDS["above_survey"]

    def label(key: str) -> dict:
        if key == ABOVE:
            return {"area": ABOVE, "level": level, "name_en": en, "name_ar": ar}
        return area_row(reference, level, key)

    return label


async def survey_figures(session: AsyncSession, reference: Reference, filters: Filters) -> dict:
    """The survey part of the engagement view: summary figures, notes and two tables."""
    level = child_level(reference, filters.area)
    in_area = area_clause(survey_waves, filters.area)
    gendered = await _cells(session, filters, BREAKDOWN, in_area, lambda r: r.gender or "unknown")
    areas = await _cells(
        session,
        filters,
        BREAKDOWN,
        area_clause(survey_cells, filters.area),
        lambda r: rolls_into(level, r),
    )
    order = sorted({c.key for c in areas}, key=lambda k: (k == ABOVE, k))
    gender_rows = shares.by_gender(gendered)
    summary = {
        "survey_waves": await _waves(session, filters),
        "survey_responses": shares.responses(gendered),
    }
    hidden = shares.suppressed_cells(gendered, areas)
    return {
        "summary": summary | shares.headlines(gender_rows),
        "notes": [note("survey_cells_suppressed", str(hidden))] if hidden else [],
        "tables": {
            "survey_by_gender": gender_rows,
            "survey_by_area": shares.by_area(areas, order, _area_label(reference, level)),
        },
    }
