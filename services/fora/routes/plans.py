"""Community safety plans: goals, outcomes, indicators, and progress each period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from uuid6 import uuid7

from libs.chassis import idempotency
from libs.chassis.auth import Principal
from libs.chassis.service import Runtime, runtime
from libs.contracts.incidents import ICCS_CODE

from ..access import check_forum_and_area, load_forum, readers, writers
from ..domain import plans, surveys
from ..tables import plan_progress
from ..tables import plans as plans_table
from ..writes import RuleError, run_write

router = APIRouter(prefix="/v1", tags=["community safety plans"])
Key = Header(None, alias=idempotency.HEADER)


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: plans.SourceKind
    area_id: str | None = Field(None, max_length=32, description="incidents_baseline: the area")
    iccs_code: str | None = Field(None, pattern=ICCS_CODE, description="incidents_baseline")
    item: str | None = Field(None, max_length=64, description="survey_item: the item code")

    @model_validator(mode="after")
    def _fields_for_kind(self) -> SourceIn:
        if self.kind == "incidents_baseline" and not (self.area_id and self.iccs_code):
            raise ValueError("area_id and iccs_code: required for an incidents_baseline source")
        if self.kind == "survey_item" and self.item not in surveys.ITEMS:
            raise ValueError(f"item: must be a standard survey item {list(surveys.ITEMS)}")
        return self


class IndicatorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)
    source: SourceIn
    baseline: float | None = None
    target: float | None = None

    @model_validator(mode="after")
    def _numbers_unless_qualitative(self) -> IndicatorIn:
        if self.source.kind != "qualitative" and (self.baseline is None or self.target is None):
            raise ValueError("baseline and target: required unless the source is qualitative")
        return self


class OutcomeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)
    indicators: list[IndicatorIn] = Field(min_length=1, max_length=20)


class GoalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)
    outcomes: list[OutcomeIn] = Field(min_length=1, max_length=20)


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    forum_id: UUID | None = Field(None, description="The adopting forum, or none for an area")
    area_id: str = Field(max_length=32, description="The district (or forum area) it covers")
    title_en: str = Field(min_length=1, max_length=300)
    title_ar: str = Field(min_length=1, max_length=300)
    period_start: date
    period_end: date
    goals: list[GoalIn] = Field(min_length=1, max_length=20)


class ValueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    indicator_id: UUID
    value: float | None = None
    rating: plans.Rating | None = None
    note: str | None = Field(None, max_length=1000)


class ProgressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: str = Field(pattern=r"^\d{4}-(Q[1-4]|\d{2})$", description="e.g. 2026-Q3 or 2026-09")
    recorded_on: date | None = None
    values: list[ValueIn] = Field(min_length=1, max_length=200)


def _with_ids(goals: list[GoalIn]) -> list[dict]:
    """The plan's tree, each indicator given the id progress is recorded against."""
    tree = [g.model_dump() for g in goals]
    for goal in tree:
        for outcome in goal["outcomes"]:
            for indicator in outcome["indicators"]:
                indicator["indicator_id"] = str(uuid7())
    return tree


@router.post("/plans", status_code=201, summary="Adopt a community safety plan")
async def adopt_plan(
    request: Request,
    body: PlanIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
):
    async def work(session):
        await check_forum_and_area(session, body.forum_id, body.area_id, principal)
        if body.period_end <= body.period_start:
            raise RuleError("period_end", "must be after period_start")
        row = {
            "plan_id": uuid7(), "forum_id": body.forum_id, "area_id": body.area_id,
            "title_en": body.title_en, "title_ar": body.title_ar,
            "period_start": body.period_start, "period_end": body.period_end,
            "goals": _with_ids(body.goals), "adopted_on": datetime.now(UTC).date(),
        }  # fmt: skip
        await session.execute(plans_table.insert().values(row))
        return 201, row

    return await run_write(request, rt, principal, idempotency_key, work)


def _indicators(goals: list[dict]) -> dict[str, dict]:
    return {i["indicator_id"]: i for g in goals for o in g["outcomes"] for i in o["indicators"]}


@router.post("/plans/{plan_id}/progress", summary="Record a period's indicator values")
async def record_progress(
    plan_id: UUID,
    body: ProgressIn,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> dict:
    async with rt.sessions() as session, session.begin():
        plan = await _plan(session, plan_id, principal)
        indicators = _indicators(plan.goals)
        for i, v in enumerate(body.values):
            indicator = indicators.get(str(v.indicator_id))
            if indicator is None:
                raise _422(("values", i, "indicator_id"), "not an indicator of this plan")
            qualitative = indicator["source"]["kind"] == "qualitative"
            if qualitative and v.rating is None or not qualitative and v.value is None:
                field = "rating" if qualitative else "value"
                raise _422(("values", i, field), f"required for a {indicator['source']['kind']}")
            await session.execute(
                insert(plan_progress)
                .values(
                    plan_id=plan_id, indicator_id=v.indicator_id, period=body.period,
                    recorded_on=body.recorded_on or datetime.now(UTC).date(),
                    value=v.value, rating=v.rating, note=v.note,
                )
                .on_conflict_do_update(
                    index_elements=["plan_id", "indicator_id", "period"],
                    set_={"value": v.value, "rating": v.rating, "note": v.note},
                )
            )  # fmt: skip
    return await get_plan(plan_id, principal=principal, rt=rt)


def _422(loc: tuple, msg: str) -> HTTPException:
    return HTTPException(422, [{"loc": ["body", *loc], "msg": msg, "type": "rule"}])


async def _plan(session, plan_id: UUID, principal: Principal):
    plan = (
        await session.execute(select(plans_table).where(plans_table.c.plan_id == plan_id))
    ).one_or_none()
    if plan is None:
        raise HTTPException(404, f"no plan {plan_id}")
    if plan.forum_id is not None:
        await load_forum(session, plan.forum_id, principal)
    return plan


@router.get("/plans/{plan_id}", summary="A plan with each indicator's latest progress")
async def get_plan(
    plan_id: UUID,
    on: date | None = None,
    principal: Principal = Depends(readers),
    rt: Runtime = Depends(runtime),
) -> dict:
    async with rt.sessions() as session:
        plan = await _plan(session, plan_id, principal)
        rows = (
            await session.execute(
                select(plan_progress)
                .where(plan_progress.c.plan_id == plan_id)
                .order_by(plan_progress.c.period)
            )
        ).all()
    elapsed = plans.elapsed_share(
        plan.period_start, plan.period_end, on or datetime.now(UTC).date()
    )
    latest = {str(r.indicator_id): r for r in rows}  # ordered by period: the last one wins
    goals = plan.goals
    for indicator in _indicators(goals).values():
        row = latest.get(indicator["indicator_id"])
        result = plans.indicator_progress(
            indicator["source"]["kind"], indicator["baseline"], indicator["target"],
            row.value if row else None, row.rating if row else None, elapsed,
        )  # fmt: skip
        indicator["latest"] = (
            {"period": row.period, "value": row.value, "rating": row.rating} if row else None
        )
        indicator["progress"] = result.progress
        indicator["status"] = result.status
        indicator["history"] = [
            {"period": r.period, "value": r.value, "rating": r.rating}
            for r in rows
            if str(r.indicator_id) == indicator["indicator_id"]
        ]
    return {**plan._asdict(), "goals": goals, "elapsed_share": round(elapsed, 4)}
