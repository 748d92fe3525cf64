"""SARA problem-solving cases over HTTP. Calls to the incidents service happen before the
database transaction opens, so no transaction waits on another service."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from uuid6 import uuid7

from libs.chassis import idempotency
from libs.chassis.auth import Principal
from libs.chassis.service import Runtime, runtime
from libs.contracts.fora import SaraCaseAssessed, SaraCaseOpened, SaraStage, SaraStageChanged
from libs.contracts.incidents import ICCS_CODE
from libs.reference import load_reference

from ..access import load_forum, load_owned, readers, writers
from ..domain import sara
from ..domain.areas import UnknownArea, contains, level_of
from ..events import publish
from ..incidents_client import (
    IncidentsClient,
    IncidentsRejected,
    IncidentsUnavailable,
    incidents_client,
)
from ..tables import concerns, sara_cases
from ..writes import RuleError, rule_error, run_write

router = APIRouter(prefix="/v1", tags=["SARA cases"])
Key = Header(None, alias=idempotency.HEADER)


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problem_statement: str = Field(min_length=10, max_length=2000)
    area_id: str = Field(max_length=32, description="The treated area")
    iccs_code: str = Field(pattern=ICCS_CODE, description="ICCS section or division")
    comparison_area_id: str = Field(max_length=32)
    displacement_area_id: str | None = Field(None, max_length=32, description="A buffer area")
    linked_concern_ids: list[UUID] = Field(default_factory=list, max_length=100)
    linked_incident_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    alert_id: UUID | None = None
    before_from: date
    before_to: date


class AnalysisIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    offender: str = Field(min_length=1, max_length=2000)
    victim: str = Field(min_length=1, max_length=2000)
    place: str = Field(min_length=1, max_length=2000)
    hypotheses: list[str] = Field(min_length=1, max_length=20)


class InterventionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    responsible: list[str] = Field(min_length=1, max_length=10, description="Roles or agencies")
    start_on: date
    end_on: date | None = None


class ResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interventions: list[InterventionIn] = Field(min_length=1, max_length=30)


class ProcessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    done_as_planned: bool
    note: str | None = Field(None, max_length=2000)


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after_from: date
    after_to: date
    process: list[ProcessIn] = Field(description="One per intervention, in order")


def _now() -> datetime:
    return datetime.now(UTC)


def _rule(exc: sara.SaraRuleError) -> RuleError:
    return RuleError(exc.field, exc.rule)


def _check_areas(forum_area: str, body: CaseIn) -> str:
    reference = load_reference()
    for field in ("area_id", "comparison_area_id", "displacement_area_id"):
        value = getattr(body, field)
        if value is not None:
            try:
                level_of(reference, value)
            except UnknownArea as exc:
                raise RuleError(field, exc.args[0]) from exc
    if not contains(reference, forum_area, body.area_id):
        raise RuleError("area_id", f"must lie within the forum's area {forum_area}")
    if body.comparison_area_id == body.area_id:
        raise RuleError("comparison_area_id", "must differ from the treated area")
    if body.displacement_area_id in (body.area_id, body.comparison_area_id):
        raise RuleError("displacement_area_id", "must differ from treated and comparison areas")
    if not load_reference().is_valid_iccs(body.iccs_code):
        raise RuleError("iccs_code", f"{body.iccs_code!r} is not an ICCS code")
    return level_of(reference, body.area_id)


def _check_scanning(body: CaseIn) -> None:
    try:
        sara.check_scanning(body.linked_incident_ids, body.alert_id)
        sara.check_windows(body.before_from, body.before_to)
    except sara.SaraRuleError as exc:
        raise _rule(exc) from exc
    if body.before_to >= _now().date():
        raise RuleError("before_to", "must be in the past")


async def _incidents(call):
    try:
        return await call
    except IncidentsUnavailable as exc:
        raise HTTPException(503, f"{exc}; retry later") from exc
    except IncidentsRejected as exc:
        raise HTTPException(422, str(exc)) from exc


def _stage_event(case, to_stage: SaraStage) -> SaraStageChanged:
    return SaraStageChanged(
        forum_id=case.forum_id, case_id=case.case_id, from_stage=case.stage,
        to_stage=to_stage, changed_at=_now(),
    )  # fmt: skip


@router.post("/fora/{forum_id}/sara-cases", status_code=201, summary="Open a case (scanning)")
async def open_case(
    request: Request,
    forum_id: UUID,
    body: CaseIn,
    principal: Principal = Depends(writers),
    idempotency_key: str | None = Key,
    rt: Runtime = Depends(runtime),
    incidents: IncidentsClient = Depends(incidents_client),
):
    async with rt.sessions() as session:
        forum = await load_forum(session, forum_id, principal)
    try:
        area_level = _check_areas(forum.area_id, body)
        _check_scanning(body)
    except RuleError as exc:
        raise rule_error(exc) from exc
    series = await _incidents(
        incidents.baselines(body.area_id, body.iccs_code, body.before_from, body.before_to)
    )
    baseline = sara.freeze_baseline(series, body.before_from, body.before_to)

    async def work(session):
        linked = set(
            (
                await session.scalars(
                    select(concerns.c.concern_id).where(
                        concerns.c.forum_id == forum_id,
                        concerns.c.concern_id.in_(body.linked_concern_ids),
                    )
                )
            ).all()
        )
        for i, concern_id in enumerate(body.linked_concern_ids):
            if concern_id not in linked:
                raise RuleError(("linked_concern_ids", i), "must be a concern of this forum")
        case_id, now = uuid7(), _now()
        row = {
            "case_id": case_id, "forum_id": forum_id, "stage": "scanning",
            "problem_statement": body.problem_statement, "area_level": area_level,
            "area_id": body.area_id, "iccs_code": body.iccs_code,
            "comparison_area_id": body.comparison_area_id,
            "displacement_area_id": body.displacement_area_id,
            "linked_concern_ids": body.linked_concern_ids,
            "linked_incident_ids": body.linked_incident_ids, "alert_id": body.alert_id,
            "baseline": baseline.model_dump(mode="json"), "opened_at": now,
        }  # fmt: skip
        await session.execute(sara_cases.insert().values(row))
        await publish(
            session,
            SaraCaseOpened(
                forum_id=forum_id, case_id=case_id, area_level=area_level,
                area_id=body.area_id, iccs_code=body.iccs_code,
                comparison_area_id=body.comparison_area_id,
                displacement_area_id=body.displacement_area_id,
                linked_incidents=len(set(body.linked_incident_ids)),
                linked_concerns=len(body.linked_concern_ids), alert_id=body.alert_id,
                baseline=baseline, opened_at=now,
            ),
        )  # fmt: skip
        return 201, row

    return await run_write(request, rt, principal, idempotency_key, work)


@router.get("/sara-cases/{case_id}", summary="A SARA case")
async def get_case(
    case_id: UUID, principal: Principal = Depends(readers), rt: Runtime = Depends(runtime)
) -> dict:
    async with rt.sessions() as session:
        row, _ = await load_owned(session, sara_cases, "case_id", case_id, principal)
    return row._asdict()


async def _advance(
    rt, case_id: UUID, principal: Principal, stage: SaraStage, values: dict, events=()
) -> dict:
    """Move the case to `stage` with `values`, publishing the stage change and `events` in
    the same transaction."""
    async with rt.sessions() as session, session.begin():
        case, _ = await load_owned(session, sara_cases, "case_id", case_id, principal, lock=True)
        try:
            sara.next_stage(case.stage, stage)
        except sara.SaraRuleError as exc:
            raise HTTPException(409, str(exc)) from exc
        await session.execute(
            update(sara_cases).where(sara_cases.c.case_id == case_id).values(stage=stage, **values)
        )
        if case.stage != stage:
            await publish(session, _stage_event(case, stage))
        await publish(session, *events)
    return {"case_id": case_id, "stage": stage, **values}


@router.put("/sara-cases/{case_id}/analysis", summary="Analysis: problem triangle, hypotheses")
async def put_analysis(
    case_id: UUID,
    body: AnalysisIn,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> dict:
    return await _advance(rt, case_id, principal, "analysis", {"analysis": body.model_dump()})


@router.put("/sara-cases/{case_id}/response", summary="Response: the interventions")
async def put_response(
    case_id: UUID,
    body: ResponseIn,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
) -> dict:
    return await _advance(
        rt, case_id, principal, "response", {"response": body.model_dump(mode="json")}
    )


def _check_assessment(case, body: AssessmentIn) -> None:
    interventions = case.response["interventions"]
    if len(body.process) != len(interventions):
        raise RuleError("process", f"give one entry per intervention ({len(interventions)})")
    first_start = min(date.fromisoformat(i["start_on"]) for i in interventions)
    if body.after_from < first_start:
        raise RuleError("after_from", f"must not be before the response started ({first_start})")
    if body.after_to >= _now().date():
        raise RuleError("after_to", "must be in the past")
    try:
        sara.check_windows(
            date.fromisoformat(case.baseline["from_date"]),
            date.fromisoformat(case.baseline["to_date"]),
            body.after_from,
            body.after_to,
        )
    except sara.SaraRuleError as exc:
        raise _rule(exc) from exc


@router.post("/sara-cases/{case_id}/assessment", summary="Assessment: process and impact")
async def assess(
    case_id: UUID,
    body: AssessmentIn,
    principal: Principal = Depends(writers),
    rt: Runtime = Depends(runtime),
    incidents: IncidentsClient = Depends(incidents_client),
) -> dict:
    async with rt.sessions() as session:
        case, _ = await load_owned(session, sara_cases, "case_id", case_id, principal)
    if case.stage not in ("response", "assessment"):
        raise HTTPException(409, f"a case in {case.stage} cannot be assessed: record the response")
    try:
        _check_assessment(case, body)
    except RuleError as exc:
        raise rule_error(exc) from exc
    frozen = case._asdict()
    query = sara.evaluation_query(frozen, body.after_from, body.after_to)
    evaluation = await _incidents(incidents.before_after(query))
    try:
        impact = sara.assess_impact(frozen, evaluation)
    except sara.SaraRuleError as exc:
        raise HTTPException(502, f"incidents evaluation rejected: {exc}") from exc
    interventions = [
        sara.Intervention(i["title"], p.done_as_planned)
        for i, p in zip(case.response["interventions"], body.process, strict=True)
    ]
    planned, as_planned = sara.process_summary(interventions)
    assessment = {
        "after_from": body.after_from.isoformat(),
        "after_to": body.after_to.isoformat(),
        "process": {
            "interventions_planned": planned,
            "interventions_as_planned": as_planned,
            "entries": [p.model_dump() for p in body.process],
        },
        "impact": impact.__dict__,
        "evaluation_query": query,
    }
    assessed = SaraCaseAssessed(
        forum_id=case.forum_id, case_id=case_id, interventions_planned=planned,
        interventions_as_planned=as_planned,
        before_from=case.baseline["from_date"], before_to=case.baseline["to_date"],
        after_from=body.after_from, after_to=body.after_to,
        **{k: getattr(impact, k) for k in (
            "treated_before", "treated_after", "comparison_before", "comparison_after",
            "displacement_before", "displacement_after", "wdd", "wdd_p", "etest_p",
            "impact", "displacement",
        )},
        assessed_at=_now(),
    )  # fmt: skip
    return await _advance(
        rt, case_id, principal, "assessment", {"assessment": assessment}, [assessed]
    )


@router.post("/sara-cases/{case_id}/close", summary="Close an assessed case")
async def close_case(
    case_id: UUID, principal: Principal = Depends(writers), rt: Runtime = Depends(runtime)
) -> dict:
    return await _advance(rt, case_id, principal, "closed", {})
