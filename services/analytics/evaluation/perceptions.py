"""The station scorecard's perceptions: the survey results of the waves covering the station
(waves of the station itself, and the cells lying in the station of wider waves: its
district's, its governorate's, the nation's), closing in the period, per standard item for all
respondents, women and men, each share with its Wilson interval. The same cells as the
engagement view's table by area; only shown cells are added up, a suppressed one is counted
and never estimated."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import evaluation, survey
from ..domain.notes import note
from ..domain.scope import Filters
from ..survey import repository as survey_repository

GROUPS = (survey.ALL, "female", "male")


async def station_perceptions(session: AsyncSession, filters: Filters) -> dict[str, Any]:
    plain = replace(filters, category=None)  # a crime category says nothing about a wave
    cells = await survey_repository.cells(
        session, plain, survey_repository.cells_in(plain), lambda r: r.gender or "unknown"
    )
    rows = evaluation.with_intervals(survey.by_gender(cells), GROUPS)
    headlines = survey.headlines(rows)
    hidden = survey.suppressed_cells(cells)
    return {
        "summary": {
            "perceptions_waves": len({c.wave_id for c in cells}),
            "perceptions_responses": survey.responses(cells),
            **{f"perceptions_{k}": v for k, v in headlines.items()},
        },
        "notes": [note("survey_cells_suppressed", str(hidden))] if hidden else [],
        "tables": {"perceptions": rows},
    }
