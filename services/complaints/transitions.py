"""Moving a complaint through its lifecycle: check with the domain, then persist and publish."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.contracts.base import CODE_PATTERN
from libs.contracts.complaints import (
    AllegationFinding,
    ComplaintClosed,
    ComplaintFindingRecorded,
    ComplaintStatus,
    ComplaintStatusChanged,
    Finding,
)

from .casework import (
    CaseKey,
    case_allegations,
    change_status,
    officer_pseudonym,
    publish,
    status_history,
)
from .clocks import RulePack, running_deadlines
from .domain import CaseView, Investigator, TransitionRequest, check_transition
from .tables import allegations, complaints


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    allegation_id: UUID
    finding: Finding


class InvestigatorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    investigator_id: str = Field(min_length=1, max_length=200, description="Their token subject")
    unit_code: str = Field(pattern=r"^[A-Z0-9-]{1,32}$", description="Where they are posted")
    officer_service_number: str | None = Field(None, pattern=r"^[A-Za-z0-9-]{1,32}$")


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: ComplaintStatus
    reason: str | None = Field(None, pattern=CODE_PATTERN, description="A reason code")
    complainant_agreed: bool = False
    findings: list[FindingIn] = Field(default_factory=list, max_length=10)
    investigator: InvestigatorIn | None = None


async def apply_transition(
    session: AsyncSession,
    complaint_id: UUID,
    body: TransitionIn | dict,
    actors: frozenset[str],
    pseudonym_key: str,
    pack: RulePack,
) -> ComplaintStatusChanged:
    """Check and apply one transition in the caller's transaction (the complaint row locked)."""
    body = body if isinstance(body, TransitionIn) else TransitionIn.model_validate(body)
    row = (
        await session.execute(
            select(complaints).where(complaints.c.complaint_id == complaint_id).with_for_update()
        )
    ).one()
    case_allegations_ = await case_allegations(session, complaint_id)
    investigator = None
    if body.investigator:
        investigator = Investigator(
            body.investigator.investigator_id,
            body.investigator.unit_code,
            officer_pseudonym(pseudonym_key, body.investigator.officer_service_number)
            if body.investigator.officer_service_number
            else None,
        )
    findings = {f.allegation_id: f.finding for f in body.findings}
    now = datetime.now(UTC)
    review_ends = None
    if row.status == "review_window" and body.to == "closed":  # the only move it limits
        review_ends = await review_window_ends(session, complaint_id, pack, now)
    decision = check_transition(
        CaseView(row.status, row.station_id, case_allegations_, review_ends),
        TransitionRequest(
            body.to, actors, body.reason, body.complainant_agreed, findings, investigator, now
        ),
    )
    case = CaseKey(complaint_id, row.governorate_code)
    extra = {}
    if investigator is not None and body.to == "assigned":
        extra = {
            "investigator_id": investigator.investigator_id,
            "investigator_unit": investigator.unit_code,
        }
    recorded = []
    if body.to == "findings":
        recorded = await _record_findings(session, case, case_allegations_, findings, now)
    entry = await change_status(
        session, complaint_id, body.to, now, reason=decision.reason, findings=recorded, extra=extra
    )
    if body.to == "closed":
        await publish(session, case, ComplaintClosed(complaint_id=complaint_id, closed_at=now))
    return entry


async def _record_findings(session, case: CaseKey, allegations_, findings, now):
    recorded = []
    for allegation in allegations_:
        finding = findings[allegation.allegation_id]
        await session.execute(
            update(allegations)
            .where(allegations.c.allegation_id == allegation.allegation_id)
            .values(finding=finding, finding_at=now)
        )
        await publish(
            session,
            case,
            ComplaintFindingRecorded(
                complaint_id=case.complaint_id,
                allegation_id=allegation.allegation_id,
                category=allegation.category,
                officer_pseudonym=allegation.officer_pseudonym,
                finding=finding,
                recorded_at=now,
            ),
        )
        recorded.append(
            AllegationFinding(
                allegation_id=allegation.allegation_id,
                category=allegation.category,
                finding=finding,
            )
        )
    return recorded


async def review_window_ends(
    session: AsyncSession, complaint_id: UUID, pack: RulePack, now: datetime
) -> datetime | None:
    """When the running review_window clock of the pack falls due (None if the pack has none)."""
    history = await status_history(session, complaint_id)
    due = [d.due_at for d in running_deadlines(history, pack, now) if d.kind == "review_window"]
    return min(due, default=None)
