"""Perception survey results from jisr.fora.activity.v1 (`survey.results_published`).

Fora publishes a wave's results whole, again whenever late responses change them; the latest
publication replaces the earlier ones. "Latest" is the larger (published_at, event id), never
the order of arrival, so an older publication delivered late, a redelivery or a replay in
any order leave the same rows. Suppressed cells are kept as such (their keys, no counts): the
views count them, and never estimate what they held.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import delete, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.fora import SurveyResultsPublished, SurveyTable

from .area_columns import area_columns
from .tables import survey_cell_items, survey_cells, survey_waves


def breakdown(table: SurveyTable) -> str:
    """A table's breakdown as one key: "" (the whole wave), "area", "gender", "area,gender"."""
    return ",".join(sorted(set(table.by)))


def items_carried(e: SurveyResultsPublished) -> list[str]:
    return sorted({i.item for t in e.tables for c in t.cells for i in c.items})


def cell_rows(e: SurveyResultsPublished) -> tuple[list[dict], list[dict]]:
    """Rows of survey_cells and survey_cell_items. A breakdown published twice in one event
    keeps its first table, an item twice in a cell its first count."""
    cells: list[dict] = []
    items: dict[tuple, dict] = {}
    seen: set[str] = set()
    for table in e.tables:
        by = breakdown(table)
        if by in seen:
            continue
        seen.add(by)
        for position, c in enumerate(table.cells):
            key = {"wave_id": e.wave_id, "breakdown": by, "cell": position}
            cells.append(
                key
                | {"area_id": c.area_id, "gender": c.gender}
                | area_columns(c.area_id)
                | {"suppressed": c.suppressed, "responses": c.responses}
            )
            for i in c.items:
                items.setdefault(
                    (by, position, i.item),
                    key | {"item": i.item, "answered": i.answered, "positive": i.positive},
                )
    return cells, list(items.values())


async def _claim_wave(session: AsyncSession, event_id: UUID, e: SurveyResultsPublished) -> bool:
    """Write the wave's row if this publication is newer than the one held; True if it was.

    One statement, so two consumers applying publications of one wave at once serialise on
    the row instead of both deciding they are the newest."""
    values = {
        "forum_id": e.forum_id,
        "area_id": e.area_id,
        **area_columns(e.area_id),
        "opens_on": e.opens_on,
        "closes_on": e.closes_on,
        "min_cell_size": e.min_cell_size,
        "responses": e.responses,
        "items": items_carried(e),
        "published_at": e.published_at,
        "publication_id": event_id,
    }
    statement = insert(survey_waves).values(wave_id=e.wave_id, **values)
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


async def apply_survey_results(
    session: AsyncSession, event_id: UUID, e: SurveyResultsPublished
) -> None:
    if not await _claim_wave(session, event_id, e):
        return  # an older publication, or this one again: what we hold stays
    for table in (survey_cell_items, survey_cells):
        await session.execute(delete(table).where(table.c.wave_id == e.wave_id))
    cells, items = cell_rows(e)
    if cells:
        await session.execute(insert(survey_cells), cells)
    if items:
        await session.execute(insert(survey_cell_items), items)
