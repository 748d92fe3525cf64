"""Moving a complaint through its lifecycle: lock the case once, let the domain decide the
whole move, persist the decision in one call."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.contracts.complaints import ComplaintStatusChanged

from ..domain.clocks import (
    RulePack,
    StatusEntry,
    current_run,
    review_window_ends,
    status_history,
)
from ..domain.identifiers import officer_pseudonym
from ..domain.lifecycle import (
    COMPLAINANT,
    INVESTIGATOR,
    SYSTEM,
    Case,
    Decision,
    Investigator,
    TransitionRequest,
    decide,
)
from ..repositories import cases
from ..schemas import TransitionIn
from . import access, staff
from .events import emit


async def request_of(
    session: AsyncSession,
    principal: Principal,
    body: TransitionIn,
    actors: frozenset[str],
    pseudonym_key: str,
) -> TransitionRequest:
    investigator = None
    if body.investigator:
        investigator = await _investigator(session, body, pseudonym_key)
    return TransitionRequest(
        target=body.to,
        actors=actors,
        reason=body.reason,
        complainant_agreed=body.complainant_agreed,
        findings={f.allegation_id: f.finding for f in body.findings},
        investigator=investigator,
        subject=principal.subject,
    )


async def _investigator(
    session: AsyncSession, body: TransitionIn, pseudonym_key: str
) -> Investigator:
    """The investigator as the staff directory knows them; a unit typed by the assigner is
    not evidence of anything, so it must agree with the directory if given at all."""
    assert body.investigator is not None
    typed = body.investigator
    entry = await staff.posting_of(session, typed.investigator_id)
    if entry is None:
        raise RuleViolation(
            ("body", "investigator", "investigator_id"),
            f"{typed.investigator_id} is not in the staff directory: an admin registers their "
            "posting (PUT /v1/staff/{staff_id}) before they can be assigned "
            "(rule: investigator_posting_from_directory)",
            status=409,
            code="posting_unknown",
        )
    posting, pseudonym = entry
    if typed.unit_code and typed.unit_code != posting.unit_code:
        raise RuleViolation(
            ("body", "investigator", "unit_code"),
            "the investigator's posting comes from the staff directory, not from the request; "
            "leave unit_code out (rule: investigator_posting_from_directory)",
            code="posting_from_directory",
        )
    number = typed.officer_service_number
    return Investigator(
        typed.investigator_id,
        posting,
        pseudonym or (officer_pseudonym(pseudonym_key, number) if number else None),
    )


def prepared(case: Case, history: list[StatusEntry], pack: RulePack, now: datetime) -> Case:
    """The case with what the rules read from its history and the rule pack."""
    run = current_run(history)
    outcome = next((e for e in reversed(run) if e.status == "outcome"), None)
    since_assigned: list[StatusEntry] = []
    for entry in history:
        since_assigned = [] if entry.status == "assigned" else [*since_assigned, entry]
    return replace(
        case,
        review_window_ends=review_window_ends(history, pack, now),
        outcome_reason=outcome.reason if outcome else None,
        suspended_before=any(e.status == "suspended" for e in since_assigned),
        timezone=pack.timezone,
    )


async def persist(session: AsyncSession, case: Case, decision: Decision) -> None:
    """A decided move: the row, the findings and notifications, and every event of it staged
    with one publish (one COPY, one NOTIFY) and copied into the feed with one insert."""
    await cases.apply(session, case.complaint_id, decision)
    await emit(session, case.governorate_code, decision.events)


def _with_review_date(
    decision: Decision, history: list[StatusEntry], pack: RulePack, now: datetime
) -> Decision:
    """The outcome message says until when a review may be asked for."""
    if not any(n.about == "complainant_notified" for n in decision.notifications):
        return decision
    after = status_history(e for e in decision.events if isinstance(e, ComplaintStatusChanged))
    ends = review_window_ends([*history, *after], pack, now)
    if ends is None:
        return decision
    told = tuple(
        replace(
            n, details={**n.details, "review_until": ends.isoformat(), "timezone": pack.timezone}
        )
        if n.about == "complainant_notified"
        else n
        for n in decision.notifications
    )
    return replace(decision, notifications=told)


async def _move(
    session: AsyncSession,
    case: Case,
    history: list[StatusEntry],
    request: TransitionRequest,
    pack: RulePack,
    now: datetime,
) -> ComplaintStatusChanged:
    case = prepared(case, history, pack, now)
    decision = _with_review_date(decide(case, request, now, pack.review), history, pack, now)
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
    if actors == {INVESTIGATOR}:
        await access.check_investigator_now(session, principal, case)
    request = await request_of(session, principal, body, actors, pseudonym_key)
    return await _move(session, case, history, request, pack, now)


async def request_review(
    session: AsyncSession,
    complaint_id: UUID,
    *,
    pack: RulePack,
    now: datetime,
    language: str = "en",
) -> ComplaintStatusChanged:
    """The complainant (who proved it with their PIN) asks for a review; a refusal is in
    their language."""
    return await _by_complainant(session, complaint_id, "review_requested", pack, now, language)


async def waive_review(
    session: AsyncSession,
    complaint_id: UUID,
    *,
    pack: RulePack,
    now: datetime,
    language: str = "en",
) -> ComplaintStatusChanged:
    """The complainant (with their PIN) says they want no review: the case closes."""
    return await _by_complainant(session, complaint_id, "closed", pack, now, language)


async def _by_complainant(
    session: AsyncSession,
    complaint_id: UUID,
    target: str,
    pack: RulePack,
    now: datetime,
    language: str,
) -> ComplaintStatusChanged:
    locked = await cases.lock(session, complaint_id)
    if locked is None:
        raise await access.refuse(session, complaint_id)
    case, history = locked
    if case.status == "complainant_notified":
        # Notified before the window opened by itself: open it now, as it would have been.
        opened = TransitionRequest("review_window", frozenset({SYSTEM}))
        await _move(session, case, history, opened, pack, now)
        relocked = await cases.lock(session, complaint_id)
        assert relocked is not None
        case, history = relocked
    if target == "closed" and case.status != "review_window":
        raise RuleViolation.conflict(
            "يمكن التنازل عن المراجعة خلال فترة المراجعة فقط."
            if language == "ar"
            else "A review can be waived only during the review period.",
            code="review_not_available",
        )
    request = TransitionRequest(target, frozenset({COMPLAINANT}), language=language)
    return await _move(session, case, history, request, pack, now)
