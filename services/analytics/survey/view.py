"""Survey perceptions in the engagement view: the latest publication of every wave closing in
the period (of a forum of the chosen type, when a forum type is chosen), its table by area and
gender added up per standard item

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
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.reference import Reference

from ..domain import survey
from ..domain.areas import area_row
from ..domain.labels import WORDS
from ..domain.notes import note
from ..domain.scope import ABOVE, Filters, child_level, rolls_into
from . import repository


def _area_label(reference: Reference, level: str) -> Callable[[str], dict[str, Any]]:
    en, ar = WORDS["above_survey"]

    def label(key: str) -> dict[str, Any]:
        if key == ABOVE:
            return {"area": ABOVE, "level": level, "name_en": en, "name_ar": ar}
        return area_row(reference, level, key)

    return label


async def survey_figures(
    session: AsyncSession, reference: Reference, filters: Filters
) -> dict[str, Any]:
    """The survey part of the engagement view: summary figures, notes and two tables."""
    level = child_level(reference, filters.area)
    gendered = await repository.cells(
        session, filters, repository.waves_in(filters), lambda r: r.gender or "unknown"
    )
    areas = await repository.cells(
        session, filters, repository.cells_in(filters), lambda r: rolls_into(level, r)
    )
    order = sorted({c.key for c in areas}, key=lambda k: (k == ABOVE, k))
    gender_rows = survey.by_gender(gendered)
    summary = {
        "survey_waves": await repository.count_waves(session, filters),
        "survey_responses": survey.responses(gendered),
    }
    hidden = survey.suppressed_cells(gendered, areas)
    return {
        "summary": summary | survey.headlines(gender_rows),
        "notes": [note("survey_cells_suppressed", str(hidden))] if hidden else [],
        "tables": {
            "survey_by_gender": gender_rows,
            "survey_by_area": survey.by_area(areas, order, _area_label(reference, level)),
        },
    }
