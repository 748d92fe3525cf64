"""Outreach and training activities, and the programme report built from them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.chassis.outbox import publish
from libs.reference import load_reference

from ..domain import outreach
from ..repositories import outreach as activities
from ..repositories import registry, surveys
from ..schemas import ActivityIn
from .scope import check_forum_and_area, check_record, check_report_area, forum_areas
from .scope import record_areas as scope_record_areas
from .surveys import wave_results


async def record_activity(
    session: AsyncSession, body: ActivityIn, principal: Principal
) -> dict[str, Any]:
    await check_forum_and_area(session, body.forum_id, body.area_id, principal)
    for field in ("before_wave_id", "after_wave_id"):
        wave_id = getattr(body, field)
        if wave_id is None:
            continue
        wave = await surveys.wave(session, wave_id)
        if wave is None:
            raise RuleViolation(field, f"no survey wave {wave_id}")
        await check_record(session, wave.forum_id, wave.area_id, principal, "survey wave", wave_id)
    outreach.check_waves(body.before_wave_id, body.after_wave_id)
    row = {"activity_id": uuid7(), **body.model_dump(mode="json"), "held_on": body.held_on}
    await activities.add(session, row)
    await publish(session, [outreach.activity_recorded(row)])
    return row


def _answered_items(result: dict[str, Any]) -> list[str]:
    overall = result["overall"]
    return [] if overall["suppressed"] else [i["item"] for i in overall["items"]]


async def report(
    session: AsyncSession, area_id: str, from_date: date, to_date: date, principal: Principal
) -> dict[str, Any]:
    """Programme figures of the activities held in the area and period that the principal's
    scope reaches, by kind, audience and the origin of the forum that ran them, and the
    perception change measured around those that ran a survey before and after."""
    check_report_area(area_id, principal, ("query", "area_id"))
    if to_date < from_date:
        raise RuleViolation(("query", "to"), "must not be before from")
    rows = await activities.held_between(
        session, from_date, to_date,
        areas=load_reference().areas_within(area_id),
        forum_areas=forum_areas(principal), record_areas=scope_record_areas(principal),
    )  # fmt: skip
    origins = await registry.origins(session, {r.forum_id for r in rows if r.forum_id})
    perception = []
    for r in rows:
        if r.before_wave_id and r.after_wave_id:
            before = await wave_results(session, r.before_wave_id, [], "en")
            after = await wave_results(session, r.after_wave_id, [], "en")
            items = [i for i in _answered_items(before) if i in _answered_items(after)]
            perception.append(
                {
                    "activity_id": r.activity_id,
                    "items": outreach.perception_change(before, after, items),
                }
            )
    figures = outreach.report(
        r._asdict() | {"origin": origins.get(r.forum_id) if r.forum_id else outreach.NO_FORUM}
        for r in rows
    )
    return {"area_id": area_id, "from": from_date, "to": to_date, **figures,
            "perception": perception}  # fmt: skip
