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

from . import ledger, texts

STATUSES: tuple[str, ...] = get_args(ComplaintStatus)
FINDINGS: tuple[str, ...] = get_args(Finding)

COMPLAINTS_OFFICER = "complaints_officer"
INVESTIGATOR = "investigator"
OVERSIGHT = "oversight"
COMPLAINANT = "complainant"  # acts through the tracking PIN, not a token
REVIEWER = "reviewer"  # a designated review role (token role `reviewer`)
SYSTEM = "system"  # a move the service makes by itself

#: States in which the complaint no longer runs a clock.
CLOCKS_STOPPED = frozenset({"closed", "not_accepted", "referred"})
REVIEW_WAIVED = "review_waived"
#: The ledger reason of `complainant_notified` when the outcome message was queued.
NOTIFICATION_QUEUED = "notification_queued"
#: The reasons staff may record when no message can reach the complainant.
NO_CONTACT_REASONS = frozenset({"anonymous_no_contact", "no_contact_details"})
#: The reviews' decisions, whose deciders come from the rule pack (ReviewPolicy).
REVIEW_DECISIONS = frozenset(
    {("review_requested", "closed"), ("review_requested", "formal_investigation")}
)
#: Where a new run of the case starts: findings and outcomes before it are superseded.
RUN_STARTS = frozenset({"triage", "formal_investigation"})


@dataclass(frozen=True)
class ReviewPolicy:
    """Who may decide a review (a rule-pack setting). The default follows the statutory
    schemes: an oversight body or a designated reviewer, and never whoever decided the
    outcome, nor anyone acting in the role it was decided in."""

    deciders: frozenset[str] = frozenset({OVERSIGHT, REVIEWER})
    independent_of_outcome: bool = True


DEFAULT_REVIEW = ReviewPolicy()


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    actors: frozenset[str]
    needs_reason: bool = False
    default_reason: str | None = None
    #: Whether the complainant hears about it (a notification in their language).
    notify: bool = True
    #: Taken by the service itself right after the move into `source`.
    automatic: bool = False


def _t(
    source: str,
    target: str,
    *actors: str,
    needs_reason: bool = False,
    default_reason: str | None = None,
    notify: bool = True,
    automatic: bool = False,
) -> Transition:
    return Transition(
        source, target, frozenset(actors), needs_reason, default_reason, notify, automatic
    )


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
    # Resuming is not messaged: the status page shows it and the progress-update clock keeps
    # the complainant informed; see `_tells` for suspensions.
    _t("suspended", "under_investigation", INVESTIGATOR, COMPLAINTS_OFFICER, notify=False),
    _t("under_investigation", "findings", INVESTIGATOR),
    _t("findings", "outcome", COMPLAINTS_OFFICER, needs_reason=True, notify=False),
    _t("outcome", "complainant_notified", COMPLAINTS_OFFICER),
    # The review window opens by itself when the complainant is told (staff may still open it
    # for a case notified before it did).
    _t(
        "complainant_notified",
        "review_window",
        SYSTEM,
        COMPLAINTS_OFFICER,
        default_reason="opened_on_notification",
        notify=False,
        automatic=True,
    ),
    # Closing inside the window is the complainant's waiver; staff close once it has run out.
    _t(
        "review_window",
        "closed",
        COMPLAINTS_OFFICER,
        COMPLAINANT,
        default_reason="review_window_elapsed",
    ),
    # Staff may record a request the complainant made by phone or at a counter.
    _t("review_window", "review_requested", COMPLAINANT, COMPLAINTS_OFFICER),
    # Deciders: the rule pack's ReviewPolicy, not these actors.
    _t("review_requested", "closed", OVERSIGHT, REVIEWER, default_reason="not_upheld"),
    _t(
        "review_requested",
        "formal_investigation",
        OVERSIGHT,
        REVIEWER,
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
class Posting:
    """Where a member of staff is posted, as their identity says (the staff directory and
    their token's claims), never as typed by whoever assigns them: a unit (AM-01-S1-CID,
    PSD-HQ), the station it belongs to, and a governorate command."""

    unit_code: str | None = None
    station_id: str | None = None
    governorate: str | None = None

    def places(self) -> list[str]:
        return sorted({p for p in (self.unit_code, self.station_id, self.governorate) if p})

    def merged(self, other: Posting) -> Posting:
        """Both postings' places (a token saying more than the directory counts too)."""
        return Posting(
            self.unit_code or other.unit_code,
            self.station_id or other.station_id,
            self.governorate or other.governorate,
        )


@dataclass(frozen=True)
class Investigator:
    """Who would investigate: their id (the token subject), their posting from the staff
    directory, their pseudonym if they are an officer."""

    investigator_id: str
    posting: Posting
    officer_pseudonym: str | None = None
    #: Extra places from the token's own claims (when they act); each must pass too.
    token_posting: Posting = field(default_factory=Posting)


@dataclass(frozen=True)
class TransitionRequest:
    target: str
    actors: frozenset[str]  # what the caller may act as (actor constants above)
    reason: str | None = None
    complainant_agreed: bool = False
    findings: Mapping[UUID, str] = field(default_factory=dict)
    investigator: Investigator | None = None
    #: Who asks (token subject); the outcome's decider may not decide its review.
    subject: str | None = None
    #: The language refusals meant for the complainant are written in.
    language: str = "en"


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
    anonymous: bool = False
    #: Who decided the outcome, and as what (actor), for the independence of its review.
    outcome_by: str | None = None
    outcome_actor: str | None = None
    #: The reason the current run's outcome was recorded with (for the outcome notice).
    outcome_reason: str | None = None
    #: Whether the investigation was already suspended since it was assigned.
    suspended_before: bool = False
    #: The jurisdiction's time zone, for dates told to the complainant.
    timezone: str = "UTC"


@dataclass(frozen=True)
class Notification:
    """A message to queue for the complainant, in their language."""

    about: str
    language: str
    #: Codes only: findings per allegation category, the outcome or the reasons (texts.py
    #: words them in the complainant's language when the message is sent).
    details: Mapping[str, Any] = field(default_factory=dict)


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
    case: Case, request: TransitionRequest, now: datetime, review: ReviewPolicy = DEFAULT_REVIEW
) -> tuple[Transition, str | None]:
    """Is this move allowed, for this actor, with what it carries? The edge and the reason it
    is recorded with; raises a RuleViolation if not."""
    transition = _BY_EDGE.get((case.status, request.target))
    if request.target == "review_requested" and (
        COMPLAINANT in request.actors or case.status == "review_window"
    ):
        check_review_request(case, request, now)
    if transition is None:
        raise illegal(case.status, request.target)
    if (case.status, request.target) in REVIEW_DECISIONS:
        check_reviewer(case, request, review)
    elif not request.actors & transition.actors:
        who = ", ".join(sorted(transition.actors - {SYSTEM}))
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
    if request.target == "complainant_notified":
        reason = check_notified(case, request.reason)
    if case.status == "review_window" and request.target == "closed":
        reason = check_review_window_over(case, request, reason, now)
    return transition, reason


def check_notified(case: Case, reason: str | None) -> str:
    """`complainant_notified` records either the outcome message this move queues (the
    complainant has contact details) or the stated reason no message can reach them."""
    if case.has_contact:
        if reason in NO_CONTACT_REASONS:
            raise RuleViolation(
                "reason",
                f"the complainant has contact details, so {reason} does not apply: this move "
                "queues the outcome message to them (rule: complainant_notified_requires_message)",
                status=409,
                code="complainant_reachable",
            )
        return NOTIFICATION_QUEUED
    if reason not in NO_CONTACT_REASONS:
        allowed = sorted(NO_CONTACT_REASONS)
        raise RuleViolation(
            "reason",
            "no message can be sent (the complainant left no contact details), so moving to "
            "complainant_notified needs the reason recorded: one of "
            f"{', '.join(allowed)}; the status page then explains it and shows the outcome "
            "(rule: complainant_notified_requires_message_or_reason)",
            status=409,
            code="complainant_not_notified",
            ctx={"allowed": allowed},
        )
    return reason


def check_reviewer(case: Case, request: TransitionRequest, review: ReviewPolicy) -> None:
    """A review is decided by the rule pack's deciders, independently of the outcome."""
    deciding = request.actors & review.deciders
    if not deciding:
        raise RuleViolation.forbidden(
            f"a review is decided only by: {', '.join(sorted(review.deciders))} "
            "(rule: review_deciders of the rule pack)"
        )
    if not review.independent_of_outcome:
        return
    if request.subject is not None and request.subject == case.outcome_by:
        raise RuleViolation.forbidden(
            "you decided the outcome of this complaint; its review must be decided by someone "
            "independent of it (rule: review_independent_of_outcome)"
        )
    if case.outcome_actor is not None and deciding <= {case.outcome_actor}:
        raise RuleViolation.forbidden(
            f"the outcome was decided as {case.outcome_actor}; its review must be decided by "
            "someone independent of that role (rule: review_independent_of_outcome)"
        )


def check_review_request(case: Case, request: TransitionRequest, now: datetime) -> None:
    """The complainant may ask for a review while the window is open, and is told in their
    language when it is not (yet, or any more)."""
    ended = case.review_window_ends
    if case.status == "review_window" and (ended is None or now < ended):
        return
    if ended is not None and case.status in ("review_window", "closed") and now >= ended:
        raise RuleViolation.conflict(
            texts.review_closed_text(ended, request.language, case.timezone),
            code="review_window_closed",
            ctx={"ended_at": ended.isoformat()},
        )
    if case.status == "review_requested":
        raise RuleViolation.conflict(
            texts.status_text("review_requested", request.language), code="review_requested"
        )
    raise RuleViolation.conflict(
        texts.review_not_yet_text(request.language), code="review_not_available"
    )


def check_review_window_over(
    case: Case, request: TransitionRequest, reason: str | None, now: datetime
) -> str | None:
    """A case leaves its review window for closed once the window has run out, or earlier only
    when the complainant (with their PIN) waives the review."""
    if COMPLAINANT in request.actors:
        return REVIEW_WAIVED
    if reason == REVIEW_WAIVED:
        raise RuleViolation.forbidden(
            "only the complainant can waive a review, with their PIN "
            "(POST /v1/complaints/{reference}/review-waiver) (rule: review_waived_by_complainant)"
        )
    if case.review_window_ends is not None and now < case.review_window_ends:
        raise RuleViolation.conflict(
            f"the complainant may ask for a review until {case.review_window_ends.isoformat()}; "
            "close after that (only the complainant can waive the review)",
            code="review_window_open",
            ctx={"ends_at": case.review_window_ends.isoformat()},
        )
    return reason


def chain_of_command(station_id: str) -> list[str]:
    """A station's (or unit's) commands, nearest first: AM-01-S1 → [AM-01-S1, AM-01, AM];
    AM-01-S1-CID → [AM-01-S1-CID, AM-01-S1, AM-01, AM]."""
    parts = station_id.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def subjects_of(case: Case) -> tuple[list[str], list[str]]:
    """The stations and the units complained about."""
    stations = {s for s in [case.station_id, *(a.station_id for a in case.allegations)] if s}
    units = {a.unit_code for a in case.allegations if a.unit_code}
    return sorted(stations), sorted(units - stations)


def conflict_of_interest(case: Case, posting: Posting) -> str | None:
    """Why someone posted at `posting` may not investigate `case`, or None: posted at a
    station or unit complained about, inside it (a unit of the station), or at a command above
    it; for a complaint naming no station, anywhere under its governorate's command."""
    stations, units = subjects_of(case)
    for place in posting.places():
        above = chain_of_command(place)
        for kind, subject in [*(("station", s) for s in stations), *(("unit", u) for u in units)]:
            if place in chain_of_command(subject):
                return (
                    f"posted to {place}, in the chain of command of {kind} {subject} "
                    "complained about"
                )
            if subject in above:
                return f"posted to {place}, inside {kind} {subject} complained about"
        if not stations and case.governorate_code in above:
            return (
                f"posted to {place}, under the {case.governorate_code} governorate command "
                "(the complaint names no station, so the governorate command is complained about)"
            )
    return None


def check_investigator(case: Case, investigator: Investigator | None) -> None:
    """The investigator may not come from a subject's station, a unit inside it or any command
    above it, nor be a subject officer: they would be judging their own people (or
    themselves). Their posting is who they are (directory and token), not what is typed."""
    if investigator is None:
        raise RuleViolation("investigator", "assigning needs an investigator")
    for posting in (investigator.posting, investigator.token_posting):
        why = conflict_of_interest(case, posting)
        if why:
            raise RuleViolation.conflict(
                f"investigator {investigator.investigator_id} is {why}; choose an investigator "
                "from outside that chain (rule: investigator_outside_subject_chain)",
                code="conflict_of_interest",
                ctx={"rule": "investigator_outside_subject_chain"},
            )
    pseudonyms = {a.officer_pseudonym for a in case.allegations if a.officer_pseudonym}
    if investigator.officer_pseudonym and investigator.officer_pseudonym in pseudonyms:
        raise RuleViolation.conflict(
            "the investigator is an officer complained about in this case "
            "(rule: investigator_not_a_subject)",
            code="conflict_of_interest",
            ctx={"rule": "investigator_not_a_subject"},
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


def _findings_told(case: Case, findings: Mapping[UUID, str]) -> list[dict[str, str]]:
    """Each allegation's finding as the complainant is told it: its category, never who."""
    out = []
    for allegation in case.allegations:
        finding = findings.get(allegation.allegation_id) or allegation.finding
        if finding:
            out.append({"category": allegation.category, "finding": finding})
    return out


def _tells(
    case: Case, transition: Transition, reason: str | None, findings: Mapping[UUID, str]
) -> Notification | None:
    """The message this move sends the complainant (None if none): what they expect to hear.

    A first suspension is told (the deadlines they were given stop running); repeated pauses
    of the same investigation and every resumption are not: the status page shows them and the
    progress-update clock keeps the complainant informed."""
    target = transition.target
    if not case.has_contact:
        return None
    if target == "complainant_notified":
        told = {"findings": _findings_told(case, {}), "outcome": case.outcome_reason}
        return Notification(target, case.language, {k: v for k, v in told.items() if v})
    if not transition.notify or (target == "suspended" and case.suspended_before):
        return None
    if target == "findings":
        return Notification(target, case.language, {"findings": _findings_told(case, findings)})
    if target in ("not_accepted", "referred") and reason:
        return Notification(target, case.language, {target: reason})
    return Notification(target, case.language)


def _actor_of(request: TransitionRequest, transition: Transition) -> str | None:
    acting = sorted(request.actors & transition.actors)
    return acting[0] if acting else None


def decide(
    case: Case, request: TransitionRequest, now: datetime, review: ReviewPolicy = DEFAULT_REVIEW
) -> Decision:
    """The whole move of `case` asked for by `request` at `now`, or a RuleViolation; with the
    automatic move that follows it (the review window opening on notification)."""
    transition, reason = check_transition(case, request, now, review)
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
    changes: dict[str, Any] = {"status": target, "status_since": now}
    if target == "assigned" and request.investigator is not None:
        changes["investigator_id"] = request.investigator.investigator_id
        changes["investigator_unit"] = request.investigator.posting.unit_code
    if target == "outcome":
        changes["outcome_by"] = request.subject
        changes["outcome_actor"] = _actor_of(request, transition)
    told = _tells(case, transition, reason, findings)
    follow = next((t for t in TRANSITIONS if t.source == target and t.automatic), None)
    if follow is not None:
        entry = ledger_entry(
            case.complaint_id,
            target,
            follow.target,
            now,
            entry.sequence + 1,
            entry.hash,
            follow.default_reason,
        )
        events.append(entry)
        changes["status"] = entry.to_status
    if changes["status"] == "closed":
        changes["closed_at"] = now
        events.append(ComplaintClosed(complaint_id=case.complaint_id, closed_at=now))
    changes |= {"ledger_sequence": entry.sequence, "ledger_head": entry.hash}
    return Decision(
        transition=transition,
        reason=reason,
        status=entry.to_status,
        changes=changes,
        findings=findings,
        at=now,
        events=tuple(events),
        entry=entry,
        notifications=(told,) if told else (),
    )
