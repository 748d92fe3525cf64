"""SARA problem-solving cases. The incidents service is asked between transactions (before
the case's write opens its own), so no transaction waits on another service."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.chassis.outbox import publish
from libs.contracts.base import EventModel
from libs.contracts.fora import (
    FrozenBaseline,
    SaraCaseAssessed,
    SaraCaseOpened,
    SaraStage,
    SaraStageChanged,
)
from libs.reference import load_reference

from ..domain import sara
from ..incidents_client import IncidentsClient, answered
from ..repositories import follow_up
from ..repositories import sara as cases
from ..schemas import AssessmentIn, CaseIn
from .scope import load_forum, owned


def _now() -> datetime:
    return datetime.now(UTC)


async def _case(
    session: AsyncSession, case_id: UUID, principal: Principal, *, lock: bool = False
) -> Row[Any]:
    row, _ = await owned(
        session, await cases.case(session, case_id, lock=lock), "case", case_id, principal
    )
    return row


# --- opening: check, ask incidents for the baseline, write -----------------------------------


async def check_new_case(
    session: AsyncSession, forum_id: UUID, body: CaseIn, principal: Principal
) -> str:
    """Before incidents is asked: the forum in scope, the areas and the scanning rules; returns
    the treated area's level."""
    forum = await load_forum(session, forum_id, principal)
    areas = sara.CaseAreas(
        body.area_id, body.comparison_area_id, body.displacement_area_id, body.iccs_code
    )
    area_level = sara.check_areas(load_reference(), forum.area_id, areas)
    sara.check_new_case(
        body.linked_incident_ids, body.alert_id, body.before_from, body.before_to, _now().date()
    )
    return area_level


EVIDENCE_REQUESTS_IN_FLIGHT = 16


async def check_evidence(incidents: IncidentsClient, body: CaseIn) -> None:
    """Scanning's evidence, checked with the incidents service (between transactions): each
    linked incident exists, stands, lies in the case's area and category; the alert exists,
    is for an area the case covers and for its category. 422 naming the rule otherwise."""
    reference = load_reference()
    # A case may cite up to 1,000 incidents: asked a few at a time, not one after another.
    in_flight = asyncio.Semaphore(EVIDENCE_REQUESTS_IN_FLIGHT)

    async def fetched(incident_id: UUID) -> dict[str, Any] | None:
        async with in_flight:
            return await answered(incidents.incident(incident_id))

    distinct = list(dict.fromkeys(body.linked_incident_ids))
    found = dict(zip(distinct, await asyncio.gather(*map(fetched, distinct)), strict=True))
    for i, incident_id in enumerate(body.linked_incident_ids):
        sara.check_incident_evidence(
            reference, body.area_id, body.iccs_code, i, found[incident_id]
        )
    if body.alert_id is not None:
        alert = await answered(incidents.alert(body.alert_id))
        sara.check_alert_evidence(reference, body.area_id, body.iccs_code, alert)


async def frozen_baseline(incidents: IncidentsClient, body: CaseIn) -> FrozenBaseline:
    """The incidents baseline series over the before period, summed: what the case is judged
    against, frozen in it."""
    series = await answered(
        incidents.baselines(body.area_id, body.iccs_code, body.before_from, body.before_to)
    )
    return sara.freeze_baseline(series, body.before_from, body.before_to)


async def open_case(
    session: AsyncSession,
    forum_id: UUID,
    body: CaseIn,
    area_level: str,
    baseline: FrozenBaseline,
) -> dict[str, Any]:
    linked = await follow_up.concerns_among(session, forum_id, body.linked_concern_ids)
    for i, concern_id in enumerate(body.linked_concern_ids):
        if concern_id not in linked:
            raise RuleViolation(("linked_concern_ids", i), "must be a concern of this forum")
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
    await cases.add(session, row)
    opened = SaraCaseOpened(
        forum_id=forum_id, case_id=case_id, area_level=area_level, area_id=body.area_id,
        iccs_code=body.iccs_code, comparison_area_id=body.comparison_area_id,
        displacement_area_id=body.displacement_area_id,
        linked_incidents=len(set(body.linked_incident_ids)),
        linked_concerns=len(body.linked_concern_ids), alert_id=body.alert_id,
        baseline=baseline, opened_at=now,
    )  # fmt: skip
    await publish(session, [opened])
    return row


async def get_case(session: AsyncSession, case_id: UUID, principal: Principal) -> Row[Any]:
    return await _case(session, case_id, principal)


# --- the stages ------------------------------------------------------------------------------


async def advance(
    session: AsyncSession,
    case_id: UUID,
    principal: Principal,
    stage: SaraStage,
    values: Mapping[str, Any],
    events: Iterable[EventModel] = (),
) -> dict[str, Any]:
    """Move the case to `stage` with `values`; the stage change and `events` are published in
    the same transaction."""
    case = await _case(session, case_id, principal, lock=True)
    sara.next_stage(case.stage, stage)
    await cases.change(session, case_id, stage=stage, **values)
    changed = []
    if case.stage != stage:
        changed.append(
            SaraStageChanged(
                forum_id=case.forum_id, case_id=case.case_id, from_stage=case.stage,
                to_stage=stage, changed_at=_now(),
            )
        )  # fmt: skip
    await publish(session, [*changed, *events])
    return {"case_id": case_id, "stage": stage, **values}


async def case_to_assess(
    session: AsyncSession, case_id: UUID, body: AssessmentIn, principal: Principal
) -> Row[Any]:
    """Before incidents is asked: the case in scope, at a stage that can be assessed, and the
    after period and process entries right for it."""
    case = await _case(session, case_id, principal)
    sara.check_assessment(
        case.stage, case.response["interventions"] if case.response else [], case.baseline,
        len(body.process), body.after_from, body.after_to, _now().date(),
    )  # fmt: skip
    return case


async def assessment(
    incidents: IncidentsClient, case: Row[Any], body: AssessmentIn
) -> tuple[dict[str, Any], SaraCaseAssessed]:
    """Ask incidents for the evaluation of exactly the frozen periods and areas, and judge
    it: the assessment to record and its event."""
    frozen = case._asdict()
    query = sara.evaluation_query(frozen, body.after_from, body.after_to)
    impact = sara.assess_impact(frozen, await answered(incidents.before_after(query)))
    interventions = [
        sara.Intervention(i["title"], p.done_as_planned)
        for i, p in zip(case.response["interventions"], body.process, strict=True)
    ]
    planned, as_planned = sara.process_summary(interventions)
    figures = sara.before_figures(int(case.baseline["observed"]), impact.treated_before)
    recorded = {
        "after_from": body.after_from.isoformat(),
        "after_to": body.after_to.isoformat(),
        "process": {
            "interventions_planned": planned,
            "interventions_as_planned": as_planned,
            "entries": [p.model_dump() for p in body.process],
        },
        "impact": impact.__dict__,
        "before_figures": figures,
        "evaluation_query": query,
    }
    assessed = SaraCaseAssessed(
        forum_id=case.forum_id, case_id=case.case_id, interventions_planned=planned,
        interventions_as_planned=as_planned,
        before_from=case.baseline["from_date"], before_to=case.baseline["to_date"],
        after_from=body.after_from, after_to=body.after_to,
        **{k: getattr(impact, k) for k in (
            "treated_before", "treated_after", "comparison_before", "comparison_after",
            "displacement_before", "displacement_after", "wdd", "wdd_p", "etest_p",
            "impact", "displacement",
        )},
        assessed_at=_now(), before_frozen=figures["frozen"],
        late_recorded_before=figures["late_recorded"], before_figures=figures["used"],
    )  # fmt: skip
    return recorded, assessed
