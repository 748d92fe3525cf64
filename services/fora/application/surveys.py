"""Perception surveys: instruments (versioned questionnaires), waves asking one instrument
version, anonymous responses in, results with small cells suppressed out, and published (as
counts) in `survey.results_published`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.chassis.outbox import publish
from libs.contracts.fora import (
    SurveyCell,
    SurveyGroupValue,
    SurveyItemCount,
    SurveyResultsPublished,
    SurveyTable,
)
from libs.reference import load_reference

from ..domain import surveys
from ..domain.areas import contains
from ..repositories import surveys as waves
from ..schemas import InstrumentIn, SurveyResponseIn, WaveIn
from .scope import check_forum_and_area, check_record

# --- instruments -----------------------------------------------------------------------------


async def create_instrument(session: AsyncSession, body: InstrumentIn) -> dict[str, Any]:
    """A programme's instrument; posting an existing code adds its next version (a wave keeps
    the version it asked)."""
    version = await waves.latest_instrument_version(session, body.code, lock=True) + 1
    record = {**body.model_dump(), "version": version}
    surveys.check_instrument(surveys.instrument_from_record(record))
    await waves.add_instrument(
        session,
        {"code": body.code, "version": version, "title_en": body.title_en,
         "title_ar": body.title_ar, "record": record, "created_at": datetime.now(UTC)},
    )  # fmt: skip
    return record


async def instrument(
    session: AsyncSession, code: str, version: int | None, field: Any = "instrument"
) -> surveys.Instrument:
    """An instrument version (the latest when `version` is None); 422 naming `field` if none."""
    if code == surveys.STANDARD_CODE:
        if version not in (None, surveys.STANDARD.version):
            raise RuleViolation(field, "the standard instrument has version 1 only")
        return surveys.STANDARD
    if version is None:
        version = await waves.latest_instrument_version(session, code)
    row = await waves.instrument(session, code, version)
    if row is None:
        raise RuleViolation(field, "no such survey instrument (or version)")
    return surveys.instrument_from_record(row.record)


async def get_instrument(session: AsyncSession, code: str, version: int | None) -> dict[str, Any]:
    try:
        found = await instrument(session, code, version)
    except RuleViolation as exc:
        raise RuleViolation.not_found("no such survey instrument (or version)") from exc
    return surveys.instrument_record(found)


async def list_instruments(session: AsyncSession) -> list[dict[str, Any]]:
    stored = [row.record for row in await waves.instruments(session)]
    return [surveys.instrument_record(surveys.STANDARD), *stored]


# --- waves and responses ---------------------------------------------------------------------


async def create_wave(session: AsyncSession, body: WaveIn, principal: Principal) -> dict[str, Any]:
    await check_forum_and_area(session, body.forum_id, body.area_id, principal)
    asked = await instrument(session, body.instrument.code, body.instrument.version)
    items = body.items if body.items is not None else list(asked.item_codes)
    surveys.check_wave(items, body.opens_on, body.closes_on, asked)
    row = {
        "wave_id": uuid7(), "area_id": body.area_id, "forum_id": body.forum_id,
        "title_en": body.title_en, "title_ar": body.title_ar, "items": items,
        "opens_on": body.opens_on, "closes_on": body.closes_on,
        "instrument_code": asked.code, "instrument_version": asked.version,
    }  # fmt: skip
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
    await check_record(session, wave.forum_id, wave.area_id, principal, "survey wave", wave_id)
    return wave


async def _instrument_of(session: AsyncSession, wave: Row[Any]) -> surveys.Instrument:
    return await instrument(session, wave.instrument_code, wave.instrument_version)


async def add_response(
    session: AsyncSession, wave_id: UUID, body: SurveyResponseIn, principal: Principal
) -> dict[str, Any]:
    wave = await _wave_in_scope(session, wave_id, principal)
    if not contains(load_reference(), wave.area_id, body.area_id):
        raise RuleViolation("area_id", f"must lie within the wave's area {wave.area_id}")
    asked = await _instrument_of(session, wave)
    surveys.check_breakdown_values(asked, body.gender, body.age_band, body.groups)
    surveys.check_answers(wave.items, body.answers, asked)
    await waves.add_response(session, wave_id, body.model_dump())
    return {"wave_id": wave_id, "recorded": True}


async def _responses(session: AsyncSession, wave_id: UUID) -> list[surveys.Response]:
    return [
        surveys.Response(r.area_id, r.gender, r.age_band, r.answers, r.groups or {})
        for r in await waves.responses(session, wave_id)
    ]


async def wave_release(session: AsyncSession, wave: Row[Any]) -> surveys.Release:
    """The wave's results, every table suppressed together (see domain.surveys)."""
    asked = await _instrument_of(session, wave)
    return surveys.release(await _responses(session, wave.wave_id), wave.items, asked)


async def wave_results(
    session: AsyncSession,
    wave_id: UUID,
    by: Sequence[str],
    lang: Literal["en", "ar"],
    principal: Principal | None = None,
) -> dict[str, Any]:
    """A wave's results (overall, and by the breakdowns asked for), small cells suppressed;
    with a principal, only a wave in its scope (404 otherwise)."""
    if principal is not None:
        wave = await _wave_in_scope(session, wave_id, principal)
    else:
        wave = await _wave(session, wave_id)
    surveys.canonical(by, await _instrument_of(session, wave))
    result = surveys.results_of(await wave_release(session, wave), by, lang)
    title = wave.title_en if lang == "en" else wave.title_ar
    return {
        "wave_id": wave_id, "title": title, "area_id": wave.area_id,
        "instrument_code": wave.instrument_code, "instrument_version": wave.instrument_version,
        **result,
    }  # fmt: skip


def _cell(key: dict[str, str], cell: surveys.CountCell) -> SurveyCell:
    groups = [
        SurveyGroupValue(breakdown=d, value=v)
        for d, v in key.items()
        if d not in surveys.STANDARD_BREAKDOWNS
    ]
    return SurveyCell(
        area_id=key.get("area"),
        gender=key.get("gender"),
        age_band=key.get("age_band"),
        groups=groups or None,
        suppressed=cell.responses is None,
        responses=cell.responses,
        items=[
            SurveyItemCount(item=c.item, answered=c.answered, positive=c.positive)
            for c in cell.items
            if c.answered is not None  # an item's hidden counts are left out whole
        ],
    )


def _table(table: surveys.CountTable) -> SurveyTable:
    return SurveyTable(
        by=list(table.by), cells=[_cell(dict(cell.key), cell) for cell in table.cells]
    )


async def publish_results(
    session: AsyncSession, wave_id: UUID, principal: Principal
) -> SurveyResultsPublished:
    """Stage `survey.results_published` with the wave's counts; returns the event."""
    # Locked, so two publications of a wave reach the outbox in the order they counted.
    wave = await _wave_in_scope(session, wave_id, principal, lock=True)
    now = datetime.now(UTC)
    surveys.check_publishable(wave.opens_on, now.date())
    rel = await wave_release(session, wave)
    tables = surveys.published_tables(rel.instrument)
    [(_, everyone)] = rel.tables[()]
    event = SurveyResultsPublished(
        wave_id=wave.wave_id,
        forum_id=wave.forum_id,
        area_id=wave.area_id,
        opens_on=wave.opens_on,
        closes_on=wave.closes_on,
        min_cell_size=surveys.MIN_CELL,
        responses=len(everyone),
        tables=[_table(surveys.count_table_of(rel, by)) for by in tables],
        published_at=now,
        instrument=wave.instrument_code,
        instrument_version=wave.instrument_version,
    )
    await publish(session, [event])
    await waves.mark_published(session, wave_id, now)
    return event


# --- published shares, as plans' survey indicators read them --------------------------------


async def published_shares(
    session: AsyncSession, area_id: str, item: str
) -> list[tuple[date, float | None, UUID]]:
    """(the day each published wave of the area closed, the item's positive share over the
    whole wave or None if suppressed, the wave), oldest first, for waves that asked it."""
    shares = []
    for wave in await waves.published_waves_of_area(session, area_id):
        if item not in wave.items:
            continue
        overall = surveys.results_of(await wave_release(session, wave))["overall"]
        found = [i for i in overall.get("items", []) if i["item"] == item]
        share = found[0]["positive_share"] if found and not found[0]["suppressed"] else None
        shares.append((wave.closes_on, share, wave.wave_id))
    return shares
