"""Outreach and training activities, and the programme report built from them."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from uuid6 import uuid7

from libs.chassis import idempotency
from libs.chassis.auth import Principal
from libs.chassis.service import Runtime, runtime
from libs.contracts.fora import Gender, Group
from libs.reference import load_reference

from ..access import check_forum_and_area, readers, writers
from ..domain import outreach
from ..domain.areas import contains
from ..tables import activities, survey_waves
from ..writes import RuleError, run_write
from .surveys import wave_results

router = APIRouter(prefix="/v1", tags=["outreach and training"])
Key = Header(None, alias=idempotency.HEADER)


class ParticipantsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(ge=1, le=1_000_000)
    gender: Gender | None = None
    group: Group | None = None


class ActivityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: outreach.ActivityKind
    audience: outreach.Audience
    forum_id: UUID | None = None
    area_id: str = Field(max_length=32)
    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)
    held_on: date
    participants: list[ParticipantsIn] = Field(min_length=1, max_length=50)
    direct_beneficiaries: int = Field(ge=0)
    indirect_beneficiaries: int = Field(0, ge=0)
    before_wave_id: UUID | None = Field(None, description="Short survey before the activity")
    after_wave_id: UUID | None = Field(None, description="The same survey after it")


@router.post("/activities", status_code=201, summary="Record an outreach or training activity")
async def record_activity(
    request: Request,
    body: ActivityIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
):
    async def work(session):
        await check_forum_and_area(session, body.forum_id, body.area_id, principal)
        for field in ("before_wave_id", "after_wave_id"):
            wave_id = getattr(body, field)
            if wave_id is not None and not await session.scalar(
                select(survey_waves.c.wave_id).where(survey_waves.c.wave_id == wave_id)
            ):
                raise RuleError(field, f"no survey wave {wave_id}")
        if bool(body.before_wave_id) != bool(body.after_wave_id):
            raise RuleError("after_wave_id", "give both before and after waves, or neither")
        row = {"activity_id": uuid7(), **body.model_dump(mode="json")}
        row["held_on"] = body.held_on
        await session.execute(activities.insert().values(row))
        return 201, row

    return await run_write(request, rt, principal, idempotency_key, work)


@router.get("/activities/report", summary="Programme figures for an area and period")
async def activities_report(
    area_id: str = Query(..., max_length=32),
    from_date: date = Query(..., alias="from"),
    to_date: date = Query(..., alias="to"),
    _: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> dict:
    reference = load_reference()
    async with rt.sessions() as session:
        rows = (
            await session.execute(
                select(activities).where(activities.c.held_on.between(from_date, to_date))
            )
        ).all()
        rows = [r for r in rows if contains(reference, area_id, r.area_id)]
        perception = []
        for r in rows:
            if r.before_wave_id and r.after_wave_id:
                before = await wave_results(session, r.before_wave_id, [], "en")
                after = await wave_results(session, r.after_wave_id, [], "en")
                items = [i for i in surveys_items(before) if i in surveys_items(after)]
                perception.append(
                    {
                        "activity_id": r.activity_id,
                        "items": outreach.perception_change(before, after, items),
                    }
                )
    report = outreach.report(r._asdict() for r in rows)
    return {"area_id": area_id, "from": from_date, "to": to_date, **report,
            "perception": perception}  # fmt: skip


def surveys_items(result: dict) -> list[str]:
    overall = result["overall"]
    return [] if overall["suppressed"] else [i["item"] for i in overall["items"]]
