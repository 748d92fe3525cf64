"""The complaints lifecycle: states, who may move a case where, and what a move does.

`decide(case, request, now)` is the whole move: it checks the rules and returns a `Decision`
with the new state, the column changes, every event to publish (in order: the findings, the
ledger entry, the closure) and the notification to queue. The application layer loads the
`Case` (its row locked), calls `decide` and persists the decision in one call; nothing here
touches a database.

The lifecycle follows ../shared/DESIGN.md ("Domain references — Complaints"): received → logged
→ triage → informal resolution | formal investigation | not accepted | referred; formal →
assigned → under investigation ⇄ suspended → findings → outcome → complainant notified →
review window → closed | review requested → closed (not upheld) | formal investigation
(upheld: reinvestigate); closed → reopened on new evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, get_args
from uuid import UUID

from libs.chassis.errors import RuleViolation
from libs.contracts.base import EventModel
from libs.contracts.complaints import (
    AllegationFinding,
    ComplaintClosed,
    ComplaintFindingRecorded,
    ComplaintStatus,
    ComplaintStatusChanged,
    Finding,
)

from . import ledger

STATUSES: tuple[str, ...] = get_args(ComplaintStatus)
FINDINGS: tuple[str, ...] = get_args(Finding)

COMPLAINTS_OFFICER = "complaints_officer"
INVESTIGATOR = "investigator"
OVERSIGHT = "oversight"
COMPLAINANT = "complainant"  # acts through the tracking PIN, not a token

#: States in which the complaint no longer runs a clock.
CLOCKS_STOPPED = frozenset({"closed", "not_accepted", "referred"})
REVIEW_WAIVED = "review_waived"


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    actors: frozenset[str]
    needs_reason: bool = False
    default_reason: str | None = None
    #: Whether the complainant hears about it (a notification in their language).
    notify: bool = True


def _t(
    source: str,
    target: str,
    *actors: str,
    needs_reason: bool = False,
    default_reason: str | None = None,
    notify: bool = True,
) -> Transition:
    return Transition(source, target, frozenset(actors), needs_reason, default_reason, notify)


TRANSITIONS: tuple[Transition, ...] = (
    _t("received", "logged", COMPLAINTS_OFFICER),
    _t("logged", "triage", COMPLAINTS_OFFICER, notify=False),
    _t("triage", "informal_resolution", COMPLAINTS_OFFICER),
    _t("triage", "formal_investigation", COMPLAINTS_OFFICER),
    _t("triage", "not_accepted", COMPLAINTS_OFFICER, needs_reason=True),
    _t("triage", "referred", COMPLAINTS_OFFICER, needs_reason=True),
    _t("informal_resolution", "outcome", COMPLAINTS_OFFICER, default_reason="resolved_informally"),
    _t("informal_resolution", "formal_investigation", COMPLAINTS_OFFICER, needs_reason=True),
    _t("formal_investigation", "assigned", COMPLAINTS_OFFICER),
    _t("assigned", "under_investigation", INVESTIGATOR, COMPLAINTS_OFFICER),
    _t("under_investigation", "suspended", INVESTIGATOR, COMPLAINTS_OFFICER, needs_reason=True),
    _t("suspended", "under_investigation", INVESTIGATOR, COMPLAINTS_OFFICER),
    _t("under_investigation", "findings", INVESTIGATOR),
    _t("findings", "outcome", COMPLAINTS_OFFICER, needs_reason=True, notify=False),
    _t("outcome", "complainant_notified", COMPLAINTS_OFFICER),
    _t("complainant_notified", "review_window", COMPLAINTS_OFFICER),
    _t("review_window", "closed", COMPLAINTS_OFFICER, default_reason="review_window_elapsed"),
    _t("review_window", "review_requested", COMPLAINANT, COMPLAINTS_OFFICER),
    _t("review_requested", "closed", OVERSIGHT, COMPLAINTS_OFFICER, default_reason="not_upheld"),
    _t(
        "review_requested",
        "formal_investigation",
        OVERSIGHT,
        COMPLAINTS_OFFICER,
        default_reason="upheld_reinvestigate",
    ),
    _t("not_accepted", "closed", COMPLAINTS_OFFICER),
    _t("referred", "closed", COMPLAINTS_OFFICER),
    _t("closed", "reopened", COMPLAINTS_OFFICER, default_reason="new_evidence"),
    _t("reopened", "triage", COMPLAINTS_OFFICER, notify=False),
    _t("reopened", "formal_investigation", COMPLAINTS_OFFICER),
)

_BY_EDGE: dict[tuple[str, str], Transition] = {(t.source, t.target): t for t in TRANSITIONS}


def transition_for(source: str | None, target: str) -> Transition | None:
    return _BY_EDGE.get((source, target)) if source else None


def allowed_targets(source: str) -> list[str]:
    return [t.target for t in TRANSITIONS if t.source == source]


@dataclass(frozen=True)
class Allegation:
    allegation_id: UUID
    category: str
    subject_kind: str  # officer | unit | station
    station_id: str | None = None
    unit_code: str | None = None
    officer_pseudonym: str | None = None
    finding: str | None = None


@dataclass(frozen=True)
class Investigator:
    """Who would investigate: their id (the token subject) and the unit they are posted to."""

    investigator_id: str
    unit_code: str
    officer_pseudonym: str | None = None


@dataclass(frozen=True)
class TransitionRequest:
    target: str
    actors: frozenset[str]  # what the caller may act as (actor constants above)
    reason: str | None = None
    complainant_agreed: bool = False
    findings: Mapping[UUID, str] = field(default_factory=dict)
    investigator: Investigator | None = None


@dataclass(frozen=True)
class Case:
    """What the rules need to know about one complaint, as loaded with its row locked."""

    complaint_id: UUID
    status: str
    governorate_code: str
    station_id: str | None = None
    allegations: Sequence[Allegation] = ()
    ledger_sequence: int = 0
    ledger_head: str = ledger.GENESIS
    has_contact: bool = False
    language: str = "ar"
    investigator_id: str | None = None
    #: When the running review-window clock falls due (the rule pack's clocks say).
    review_window_ends: datetime | None = None


@dataclass(frozen=True)
class Notification:
    """A message to queue for the complainant, in their language."""

    about: str
    language: str


@dataclass(frozen=True)
class Decision:
    """Everything one move changes; persisting it is one call."""

    transition: Transition
    reason: str | None
    status: str
    #: Column values of the complaint row.
    changes: Mapping[str, Any]
    #: allegation id -> finding, recorded at `at`.
    findings: Mapping[UUID, str]
    at: datetime
    #: In publication order; the ledger entry among them.
    events: tuple[EventModel, ...]
    entry: ComplaintStatusChanged
    notifications: tuple[Notification, ...] = ()


def illegal(source: str, target: str) -> RuleViolation:
    allowed = allowed_targets(source)
    listed = ", ".join(allowed) if allowed else "none (the case is finished)"
    return RuleViolation.conflict(
        f"cannot move a complaint from {source} to {target}; allowed from {source}: {listed}",
        code="illegal_transition",
        ctx={"allowed": allowed},
    )


def check_transition(
    case: Case, request: TransitionRequest, now: datetime
) -> tuple[Transition, str | None]:
    """Is this move allowed, for this actor, with what it carries? The edge and the reason it
    is recorded with; raises a RuleViolation if not."""
    transition = _BY_EDGE.get((case.status, request.target))
    if transition is None:
        raise illegal(case.status, request.target)
    if not request.actors & transition.actors:
        who = ", ".join(sorted(transition.actors))
        raise RuleViolation.forbidden(
            f"{case.status} → {request.target} may be done only by: {who}"
        )
    reason = request.reason or transition.default_reason
    if transition.needs_reason and not reason:
        raise RuleViolation("reason", f"a reason code is required to move to {request.target}")
    if request.target == "informal_resolution" and not request.complainant_agreed:
        raise RuleViolation(
            "complainant_agreed",
            "informal resolution needs the complainant's agreement (complainant_agreed: true)",
        )
    if request.target == "assigned":
        check_investigator(case, request.investigator)
    if request.target == "findings":
        check_findings(case.allegations, request.findings)
    if case.status == "review_window" and request.target == "closed":
        check_review_window_over(case, reason, now)
    return transition, reason


def check_review_window_over(case: Case, reason: str | None, now: datetime) -> None:
    """A case leaves its review window for closed only once the window has run out, or when
    the complainant has said they want no review (reason review_waived)."""
    if reason == REVIEW_WAIVED or case.review_window_ends is None:
        return
    if now < case.review_window_ends:
        raise RuleViolation.conflict(
            f"the complainant may ask for a review until {case.review_window_ends.isoformat()}; "
            f"close after that, or with reason {REVIEW_WAIVED} if they have declined a review",
            code="review_window_open",
        )


def chain_of_command(station_id: str) -> list[str]:
    """A station's commands, nearest first: AM-01-S1 → [AM-01-S1, AM-01, AM]."""
    parts = station_id.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def check_investigator(case: Case, investigator: Investigator | None) -> None:
    """The investigator may not come from a subject's station or any command above it, nor be a
    subject officer: they would be judging their own people (or themselves)."""
    if investigator is None:
        raise RuleViolation("investigator", "assigning needs an investigator")
    subject_stations = {
        s for s in [case.station_id, *(a.station_id for a in case.allegations)] if s
    }
    subject_units = {a.unit_code for a in case.allegations if a.unit_code}
    for station in sorted(subject_stations):
        if investigator.unit_code in chain_of_command(station):
            raise RuleViolation.conflict(
                f"investigator {investigator.investigator_id} is posted to {investigator.unit_code}"
                f", in the chain of command of station {station} complained about; choose an "
                "investigator from outside that chain",
                code="conflict_of_interest",
            )
    if investigator.unit_code in subject_units:
        raise RuleViolation.conflict(
            f"investigator {investigator.investigator_id} belongs to unit "
            f"{investigator.unit_code}, which is complained about",
            code="conflict_of_interest",
        )
    pseudonyms = {a.officer_pseudonym for a in case.allegations if a.officer_pseudonym}
    if investigator.officer_pseudonym and investigator.officer_pseudonym in pseudonyms:
        raise RuleViolation.conflict(
            "the investigator is an officer complained about in this case",
            code="conflict_of_interest",
        )


def check_findings(allegations: Sequence[Allegation], findings: Mapping[UUID, str]) -> None:
    """Every allegation gets exactly one finding from the vocabulary; no strangers."""
    known = {a.allegation_id for a in allegations}
    for allegation_id, finding in findings.items():
        if allegation_id not in known:
            raise RuleViolation("findings", f"no allegation {allegation_id} in this complaint")
        if finding not in FINDINGS:
            raise RuleViolation(
                "findings", f"finding {finding!r} is not one of {', '.join(FINDINGS)}"
            )
    missing = sorted(str(a) for a in known - set(findings))
    if missing:
        raise RuleViolation(
            "findings", f"every allegation needs a finding; missing: {', '.join(missing)}"
        )


def ledger_entry(
    complaint_id: UUID,
    from_status: str | None,
    to_status: str,
    at: datetime,
    sequence: int,
    prev_hash: str,
    reason: str | None = None,
    findings: Sequence[AllegationFinding] | None = None,
) -> ComplaintStatusChanged:
    """The next ledger entry, its hash computed over everything else it says."""
    draft = ComplaintStatusChanged(
        complaint_id=complaint_id,
        from_status=from_status,
        to_status=to_status,
        changed_at=at,
        sequence=sequence,
        prev_hash=prev_hash,
        hash=ledger.GENESIS,
        reason=reason,
        findings=list(findings) if findings else None,
    )
    return draft.model_copy(update={"hash": ledger.entry_hash(draft.model_dump(mode="json"))})


def first_entry(complaint_id: UUID, at: datetime) -> ComplaintStatusChanged:
    """Sequence 1 of a new complaint's ledger: received, from nothing."""
    return ledger_entry(complaint_id, None, "received", at, 1, ledger.GENESIS)


def decide(case: Case, request: TransitionRequest, now: datetime) -> Decision:
    """The whole move of `case` asked for by `request` at `now`, or a RuleViolation."""
    transition, reason = check_transition(case, request, now)
    target = request.target
    events: list[EventModel] = []
    recorded: list[AllegationFinding] = []
    findings: dict[UUID, str] = {}
    if target == "findings":
        for allegation in case.allegations:
            finding = request.findings[allegation.allegation_id]
            findings[allegation.allegation_id] = finding
            events.append(
                ComplaintFindingRecorded(
                    complaint_id=case.complaint_id,
                    allegation_id=allegation.allegation_id,
                    category=allegation.category,
                    officer_pseudonym=allegation.officer_pseudonym,
                    finding=finding,
                    recorded_at=now,
                )
            )
            recorded.append(
                AllegationFinding(
                    allegation_id=allegation.allegation_id,
                    category=allegation.category,
                    finding=finding,
                )
            )
    entry = ledger_entry(
        case.complaint_id,
        case.status,
        target,
        now,
        case.ledger_sequence + 1,
        case.ledger_head,
        reason,
        recorded,
    )
    events.append(entry)
    changes: dict[str, Any] = {
        "status": target,
        "status_since": now,
        "ledger_sequence": entry.sequence,
        "ledger_head": entry.hash,
    }
    if target == "assigned" and request.investigator is not None:
        changes["investigator_id"] = request.investigator.investigator_id
        changes["investigator_unit"] = request.investigator.unit_code
    if target == "closed":
        changes["closed_at"] = now
        events.append(ComplaintClosed(complaint_id=case.complaint_id, closed_at=now))
    notifications = (
        (Notification(target, case.language),) if transition.notify and case.has_contact else ()
    )
    return Decision(
        transition=transition,
        reason=reason,
        status=target,
        changes=changes,
        findings=findings,
        at=now,
        events=tuple(events),
        entry=entry,
        notifications=notifications,
    )
