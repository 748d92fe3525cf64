"""Perception survey waves: anonymous responses in, results with small cells suppressed out,
and published (as counts) in `survey.results_published`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.chassis.outbox import publish
from libs.contracts.fora import SurveyCell, SurveyItemCount, SurveyResultsPublished, SurveyTable
from libs.reference import load_reference

from ..domain import surveys
from ..domain.areas import contains
from ..repositories import surveys as waves
from ..schemas import SurveyResponseIn, WaveIn
from .scope import area_in_scope, check_forum_and_area, load_forum


async def create_wave(session: AsyncSession, body: WaveIn, principal: Principal) -> dict[str, Any]:
    await check_forum_and_area(session, body.forum_id, body.area_id, principal)
    surveys.check_wave(body.items, body.opens_on, body.closes_on)
    row = {"wave_id": uuid7(), **body.model_dump()}
    await waves.add_wave(session, row)
    return row


async def _wave(session: AsyncSession, wave_id: UUID, *, lock: bool = False) -> Row[Any]:
    wave = await waves.wave(session, wave_id, lock=lock)
    if wave is None:
        raise RuleViolation.not_found(f"no survey wave {wave_id}")
    return wave


async def _wave_in_scope(
    session: AsyncSession, wave_id: UUID, principal: Principal, *, lock: bool = False
) -> Row[Any]:
    """A forum's wave is in its forum's scope; a wave of an area alone, in that area's (404)."""
    wave = await _wave(session, wave_id, lock=lock)
    if wave.forum_id is not None:
        await load_forum(session, wave.forum_id, principal)
    elif not area_in_scope(wave.area_id, principal):
        raise RuleViolation.not_found(f"no survey wave {wave.wave_id}")
    return wave


async def add_response(
    session: AsyncSession, wave_id: UUID, body: SurveyResponseIn, principal: Principal
) -> dict[str, Any]:
    wave = await _wave_in_scope(session, wave_id, principal)
    if not contains(load_reference(), wave.area_id, body.area_id):
        raise RuleViolation("area_id", f"must lie within the wave's area {wave.area_id}")
    surveys.check_answers(wave.items, body.answers)
    await waves.add_response(session, wave_id, body.model_dump())
    return {"wave_id": wave_id, "recorded": True}


async def _responses(session: AsyncSession, wave_id: UUID) -> list[surveys.Response]:
    return [
        surveys.Response(r.area_id, r.gender, r.age_band, r.answers)
        for r in await waves.responses(session, wave_id)
    ]


async def wave_results(
    session: AsyncSession, wave_id: UUID, by: Sequence[str], lang: Literal["en", "ar"]
) -> dict[str, Any]:
    """A wave's results (overall, and by the breakdowns asked for), small cells suppressed."""
    wave = await _wave(session, wave_id)
    result = surveys.results(await _responses(session, wave_id), wave.items, by, lang)
    title = wave.title_en if lang == "en" else wave.title_ar
    return {"wave_id": wave_id, "title": title, "area_id": wave.area_id, **result}


def _table(table: surveys.CountTable) -> SurveyTable:
    cells = [
        SurveyCell(
            area_id=cell.key.get("area"),
            gender=cell.key.get("gender"),
            suppressed=cell.responses is None,
            responses=cell.responses,
            items=[SurveyItemCount(**vars(count)) for count in cell.items],
        )
        for cell in table.cells
    ]
    return SurveyTable(by=list(table.by), cells=cells)


async def publish_results(
    session: AsyncSession, wave_id: UUID, principal: Principal
) -> SurveyResultsPublished:
    """Stage `survey.results_published` with the wave's counts; returns the event."""
    # Locked, so two publications of a wave reach the outbox in the order they counted.
    wave = await _wave_in_scope(session, wave_id, principal, lock=True)
    now = datetime.now(UTC)
    surveys.check_publishable(wave.opens_on, now.date())
    responses = await _responses(session, wave_id)
    event = SurveyResultsPublished(
        wave_id=wave.wave_id,
        forum_id=wave.forum_id,
        area_id=wave.area_id,
        opens_on=wave.opens_on,
        closes_on=wave.closes_on,
        min_cell_size=surveys.MIN_CELL,
        responses=len(responses),
        tables=[_table(surveys.count_table(responses, wave.items))],
        published_at=now,
    )
    await publish(session, [event])
    await waves.mark_published(session, wave_id, now)
    return event
