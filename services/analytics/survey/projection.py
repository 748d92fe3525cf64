"""A survey publication's effect: the wave's latest publication replaces what was held; an
older publication delivered late, a redelivery or a replay in any order leave the same rows."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.fora import SurveyResultsPublished

from ..domain.survey import cell_rows, wave_row
from . import repository


async def apply_survey_results(
    session: AsyncSession, event_id: UUID, e: SurveyResultsPublished
) -> None:
    if not await repository.claim_wave(session, e.wave_id, wave_row(event_id, e)):
        return  # an older publication, or this one again: what we hold stays
    cells, items = cell_rows(e)
    await repository.replace_cells(session, e.wave_id, cells, items)
