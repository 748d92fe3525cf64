"""Perception survey waves: anonymous responses in, results with small cells suppressed out,
and published (as counts) in `survey.results_published`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis import idempotency
from libs.chassis.auth import Principal
from libs.chassis.service import Runtime, runtime
from libs.contracts.fora import (
    AgeBand,
    Gender,
    SurveyCell,
    SurveyItemCount,
    SurveyResultsPublished,
    SurveyTable,
)
from libs.reference import load_reference

from ..access import area_in_scope, check_forum_and_area, load_forum, readers, writers
from ..domain import surveys
from ..domain.areas import contains
from ..events import publish
from ..tables import survey_responses, survey_waves
from ..writes import RuleError, run_write

router = APIRouter(prefix="/v1", tags=["perception surveys"])
Key = Header(None, alias=idempotency.HEADER)


class WaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    area_id: str = Field(max_length=32)
    forum_id: UUID | None = None
    title_en: str = Field(min_length=1, max_length=200)
    title_ar: str = Field(min_length=1, max_length=200)
    items: list[str] = Field(default_factory=lambda: list(surveys.ITEMS), min_length=1)
    opens_on: date
    closes_on: date


class ResponseIn(BaseModel):
    """One anonymous response: nothing that says who answered."""

    model_config = ConfigDict(extra="forbid")

    area_id: str = Field(max_length=32, description="Where the respondent lives")
    gender: Gender | None = None
    age_band: AgeBand | None = None
    answers: dict[str, str] = Field(min_length=1, max_length=20)


@router.post("/surveys", status_code=201, summary="Open a survey wave")
async def create_wave(
    request: Request,
    body: WaveIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
):
    async def work(session):
        await check_forum_and_area(session, body.forum_id, body.area_id, principal)
        unknown = [i for i in body.items if i not in surveys.ITEMS]
        if unknown:
            raise RuleError("items", f"unknown items {unknown}; standard: {list(surveys.ITEMS)}")
        if len(set(body.items)) < len(body.items):
            raise RuleError("items", "an item may appear only once")
        if body.closes_on < body.opens_on:
            raise RuleError("closes_on", "must not be before opens_on")
        row = {"wave_id": uuid7(), **body.model_dump()}
        await session.execute(survey_waves.insert().values(row))
        return 201, row

    return await run_write(request, rt, principal, idempotency_key, work)


async def _wave(session: AsyncSession, wave_id: UUID, *, lock: bool = False):
    query = select(survey_waves).where(survey_waves.c.wave_id == wave_id)
    wave = (await session.execute(query.with_for_update() if lock else query)).one_or_none()
    if wave is None:
        raise HTTPException(404, f"no survey wave {wave_id}")
    return wave


@router.post("/surveys/{wave_id}/responses", status_code=201, summary="Record a response")
async def add_response(
    request: Request,
    wave_id: UUID,
    body: ResponseIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
):
    async def work(session):
        wave = await _wave(session, wave_id)
        await _check_wave_scope(session, wave, principal)
        if not contains(load_reference(), wave.area_id, body.area_id):
            raise RuleError("area_id", f"must lie within the wave's area {wave.area_id}")
        try:
            surveys.check_answers(wave.items, body.answers)
        except surveys.AnswerError as exc:
            raise RuleError(exc.field, exc.rule) from exc
        await session.execute(
            survey_responses.insert().values(wave_id=wave_id, **body.model_dump())
        )
        return 201, {"wave_id": wave_id, "recorded": True}  # no id: nothing to trace back

    return await run_write(request, rt, principal, idempotency_key, work)


async def _check_wave_scope(session: AsyncSession, wave, principal: Principal) -> None:
    """A forum's wave is in its forum's scope; a wave of an area alone, in that area's (404)."""
    if wave.forum_id is not None:
        await load_forum(session, wave.forum_id, principal)
    elif not area_in_scope(wave.area_id, principal):
        raise HTTPException(404, f"no survey wave {wave.wave_id}")


async def _responses(session: AsyncSession, wave_id: UUID) -> list[surveys.Response]:
    rows = await session.execute(
        select(survey_responses).where(survey_responses.c.wave_id == wave_id)
    )
    return [surveys.Response(r.area_id, r.gender, r.age_band, r.answers) for r in rows]


async def wave_results(
    session: AsyncSession, wave_id: UUID, by: list[str], lang: Literal["en", "ar"]
) -> dict:
    wave = await _wave(session, wave_id)
    responses = await _responses(session, wave_id)
    try:
        result = surveys.results(responses, wave.items, by, lang)
    except surveys.AnswerError as exc:
        raise HTTPException(422, str(exc)) from exc
    title = wave.title_en if lang == "en" else wave.title_ar
    return {"wave_id": wave_id, "title": title, "area_id": wave.area_id, **result}


@router.get("/surveys/{wave_id}/results", summary="Results; cells under 5 responses suppressed")
async def get_results(
    wave_id: UUID,
    by: list[str] = Query(default=[], description="area, gender, age_band"),
    lang: Literal["en", "ar"] = "en",
    _: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> dict:
    async with rt.sessions() as session:
        return await wave_results(session, wave_id, by, lang)


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


def _results_event(
    wave, responses: list[surveys.Response], published_at: datetime
) -> SurveyResultsPublished:
    return SurveyResultsPublished(
        wave_id=wave.wave_id,
        forum_id=wave.forum_id,
        area_id=wave.area_id,
        opens_on=wave.opens_on,
        closes_on=wave.closes_on,
        min_cell_size=surveys.MIN_CELL,
        responses=len(responses),
        tables=[_table(surveys.count_table(responses, wave.items))],
        published_at=published_at,
    )


@router.post(
    "/surveys/{wave_id}/publish",
    summary="Publish the wave's results (counts, small cells suppressed) as an event",
)
async def publish_results(
    request: Request,
    wave_id: UUID,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
):
    async def work(session):
        # Locked, so two publications of a wave reach the outbox in the order they counted.
        wave = await _wave(session, wave_id, lock=True)
        await _check_wave_scope(session, wave, principal)
        now = datetime.now(UTC)
        if now.date() < wave.opens_on:
            raise RuleError("opens_on", f"the wave opens on {wave.opens_on}: nothing to publish")
        event = _results_event(wave, await _responses(session, wave_id), now)
        await publish(session, event)
        await session.execute(
            update(survey_waves).where(survey_waves.c.wave_id == wave_id).values(published_at=now)
        )
        return 200, event.model_dump(mode="json")

    return await run_write(request, rt, principal, idempotency_key, work)
