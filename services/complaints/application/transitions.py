"""Moving a complaint through its lifecycle: lock the case once, let the domain decide the
whole move, persist the decision in one call."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal
from libs.contracts.complaints import ComplaintStatusChanged

from ..domain.clocks import RulePack, StatusEntry, review_window_ends
from ..domain.identifiers import officer_pseudonym
from ..domain.lifecycle import (
    COMPLAINANT,
    Case,
    Decision,
    Investigator,
    TransitionRequest,
    decide,
)
from ..repositories import cases
from ..schemas import TransitionIn
from . import access
from .events import emit


def request_of(body: TransitionIn, actors: frozenset[str], pseudonym_key: str) -> TransitionRequest:
    investigator = None
    if body.investigator:
        number = body.investigator.officer_service_number
        investigator = Investigator(
            body.investigator.investigator_id,
            body.investigator.unit_code,
            officer_pseudonym(pseudonym_key, number) if number else None,
        )
    return TransitionRequest(
        target=body.to,
        actors=actors,
        reason=body.reason,
        complainant_agreed=body.complainant_agreed,
        findings={f.allegation_id: f.finding for f in body.findings},
        investigator=investigator,
    )


async def persist(session: AsyncSession, case: Case, decision: Decision) -> None:
    """A decided move: the row, the findings and notifications, and every event of it staged
    with one publish (one COPY, one NOTIFY) and copied into the feed with one insert."""
    await cases.apply(session, case.complaint_id, decision)
    await emit(session, case.governorate_code, decision.events)


async def _move(
    session: AsyncSession,
    case: Case,
    history: list[StatusEntry],
    request: TransitionRequest,
    pack: RulePack,
    now: datetime,
) -> ComplaintStatusChanged:
    case = replace(case, review_window_ends=review_window_ends(history, pack, now))
    decision = decide(case, request, now)
    await persist(session, case, decision)
    return decision.entry


async def move(
    session: AsyncSession,
    principal: Principal,
    complaint_id: UUID,
    body: TransitionIn,
    *,
    pseudonym_key: str,
    pack: RulePack,
    now: datetime,
) -> ComplaintStatusChanged:
    """A member of staff moves a complaint they may see, as what they may act as on it."""
    locked = await cases.lock(session, complaint_id, await access.visible(session, principal))
    if locked is None:
        raise await access.refuse(session, complaint_id)
    case, history = locked
    actors = await access.actors(session, principal, case.investigator_id, case.governorate_code)
    request = request_of(body, actors, pseudonym_key)
    return await _move(session, case, history, request, pack, now)


async def request_review(
    session: AsyncSession, complaint_id: UUID, *, pack: RulePack, now: datetime
) -> ComplaintStatusChanged:
    """The complainant (who proved it with their PIN) asks for a review."""
    locked = await cases.lock(session, complaint_id)
    if locked is None:
        raise await access.refuse(session, complaint_id)
    case, history = locked
    request = TransitionRequest("review_requested", frozenset({COMPLAINANT}))
    return await _move(session, case, history, request, pack, now)
