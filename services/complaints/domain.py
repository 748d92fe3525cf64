"""The complaints lifecycle as pure domain code: states, who may move a case where, and the rules.

No I/O here. Routes load a `CaseView`, ask `check_transition` whether a move is allowed, and
persist the result. The lifecycle follows ../shared/DESIGN.md ("Domain references — Complaints"):
received → logged → triage → informal resolution | formal investigation | not accepted | referred;
formal → assigned → under investigation ⇄ suspended → findings → outcome → complainant notified →
review window → closed | review requested → closed (not upheld) | formal investigation (upheld:
reinvestigate); closed → reopened on new evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import get_args
from uuid import UUID

from libs.contracts.complaints import ComplaintStatus, Finding

STATUSES: tuple[str, ...] = get_args(ComplaintStatus)
FINDINGS: tuple[str, ...] = get_args(Finding)
ADMINISTRATIVE_CLOSURES = frozenset(
    {"WITHDRAWN", "COMPLAINANT_UNAVAILABLE", "OFFICER_UNIDENTIFIED"}
)

COMPLAINTS_OFFICER = "complaints_officer"
INVESTIGATOR = "investigator"
OVERSIGHT = "oversight"
COMPLAINANT = "complainant"  # acts through the tracking PIN, not a token

#: States after which nothing more happens unless the case is reopened.
FINISHED = frozenset({"closed"})
#: States in which the complaint no longer runs a clock.
CLOCKS_STOPPED = frozenset({"closed", "not_accepted", "referred"})


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    actors: frozenset[str]
    needs_reason: bool = False
    default_reason: str | None = None
    #: Whether the complainant hears about it (a notification in their language).
    notify: bool = True


def _t(source: str, target: str, *actors: str, **options) -> Transition:
    return Transition(source, target, frozenset(actors), **options)


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


class DomainError(Exception):
    """A rule said no; `status` is the HTTP status routes answer with."""

    status = 422

    def __init__(self, message: str, *, loc: Sequence[str | int] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.loc = list(loc)


class IllegalTransition(DomainError):
    status = 409

    def __init__(self, source: str, target: str) -> None:
        allowed = allowed_targets(source)
        listed = ", ".join(allowed) if allowed else "none (the case is finished)"
        super().__init__(
            f"cannot move a complaint from {source} to {target}; allowed from {source}: {listed}"
        )
        self.allowed = allowed


class NotPermitted(DomainError):
    status = 403


class ReviewWindowOpen(DomainError):
    """Closing would cut short the complainant's right to ask for a review."""

    status = 409


class ConflictOfInterest(DomainError):
    status = 409


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
    at: datetime | None = None  # when the move is made (the review window is checked against it)


@dataclass(frozen=True)
class CaseView:
    """What the rules need to know about one complaint."""

    status: str
    station_id: str | None
    allegations: Sequence[Allegation] = ()
    review_window_ends: datetime | None = None  # from the rule pack's review_window clock


@dataclass(frozen=True)
class Decision:
    transition: Transition
    reason: str | None


def check_transition(case: CaseView, request: TransitionRequest) -> Decision:
    """Is this move allowed, for this actor, with what it carries? Raises a DomainError if not."""
    transition = _BY_EDGE.get((case.status, request.target))
    if transition is None:
        raise IllegalTransition(case.status, request.target)
    if not request.actors & transition.actors:
        who = ", ".join(sorted(transition.actors))
        raise NotPermitted(f"{case.status} → {request.target} may be done only by: {who}")
    reason = request.reason or transition.default_reason
    if transition.needs_reason and not reason:
        raise DomainError(f"a reason code is required to move to {request.target}", loc=["reason"])
    if request.target == "informal_resolution" and not request.complainant_agreed:
        raise DomainError(
            "informal resolution needs the complainant's agreement (complainant_agreed: true)",
            loc=["complainant_agreed"],
        )
    if request.target == "assigned":
        check_investigator(case, request.investigator)
    if request.target == "findings":
        check_findings(case.allegations, request.findings)
    if case.status == "review_window" and request.target == "closed":
        check_review_window_over(case, reason, request.at)
    return Decision(transition, reason)


REVIEW_WAIVED = "review_waived"


def check_review_window_over(case: CaseView, reason: str | None, at: datetime | None) -> None:
    """A case leaves its review window for closed only once the window has run out, or when
    the complainant has said they want no review (reason review_waived)."""
    if reason == REVIEW_WAIVED or case.review_window_ends is None or at is None:
        return
    if at < case.review_window_ends:
        raise ReviewWindowOpen(
            f"the complainant may ask for a review until {case.review_window_ends.isoformat()}; "
            f"close after that, or with reason {REVIEW_WAIVED} if they have declined a review"
        )


def chain_of_command(station_id: str) -> list[str]:
    """A station's commands, nearest first: AM-01-S1 → [AM-01-S1, AM-01, AM]."""
    parts = station_id.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def check_investigator(case: CaseView, investigator: Investigator | None) -> None:
    """The investigator may not come from a subject's station or any command above it, nor be a
    subject officer: they would be judging their own people (or themselves)."""
    if investigator is None:
        raise DomainError("assigning needs an investigator", loc=["investigator"])
    subject_stations = {
        s for s in [case.station_id, *(a.station_id for a in case.allegations)] if s
    }
    subject_units = {a.unit_code for a in case.allegations if a.unit_code}
    for station in sorted(subject_stations):
        if investigator.unit_code in chain_of_command(station):
            raise ConflictOfInterest(
                f"investigator {investigator.investigator_id} is posted to {investigator.unit_code}"
                f", in the chain of command of station {station} complained about; choose an "
                "investigator from outside that chain"
            )
    if investigator.unit_code in subject_units:
        raise ConflictOfInterest(
            f"investigator {investigator.investigator_id} belongs to unit "
            f"{investigator.unit_code}, which is complained about"
        )
    pseudonyms = {a.officer_pseudonym for a in case.allegations if a.officer_pseudonym}
    if investigator.officer_pseudonym and investigator.officer_pseudonym in pseudonyms:
        raise ConflictOfInterest("the investigator is an officer complained about in this case")


def check_findings(allegations: Sequence[Allegation], findings: Mapping[UUID, str]) -> None:
    """Every allegation gets exactly one finding from the vocabulary; no strangers."""
    known = {a.allegation_id for a in allegations}
    for allegation_id, finding in findings.items():
        if allegation_id not in known:
            raise DomainError(f"no allegation {allegation_id} in this complaint", loc=["findings"])
        if finding not in FINDINGS:
            raise DomainError(
                f"finding {finding!r} is not one of {', '.join(FINDINGS)}", loc=["findings"]
            )
    missing = sorted(str(a) for a in known - set(findings))
    if missing:
        raise DomainError(
            f"every allegation needs a finding; missing: {', '.join(missing)}", loc=["findings"]
        )


def review_window_open(status: str) -> bool:
    return status == "review_window"


# --- what the complainant reads --------------------------------------------------------------

STATUS_TEXT: dict[str, tuple[str, str]] = {
    # status: (English, Arabic). Plain words: no investigative detail.
    "received": ("We have received your complaint.", "استلمنا شكواك."),
    "logged": (
        "Your complaint has been recorded and acknowledged.",
        "تم تسجيل شكواك والإقرار باستلامها.",
    ),
    "triage": ("We are assessing how to handle your complaint.", "نقوم بتقييم كيفية معالجة شكواك."),
    "informal_resolution": (
        "Your complaint is being resolved informally, as you agreed.",
        "تتم معالجة شكواك بشكل ودي بموافقتك.",
    ),
    "formal_investigation": (
        "Your complaint will be formally investigated.",
        "سيتم التحقيق في شكواك رسميًا.",
    ),
    "not_accepted": (
        "Your complaint could not be accepted. You will receive the reasons.",
        "تعذر قبول شكواك. ستصلك الأسباب.",
    ),
    "referred": (
        "Your complaint has been referred to the body responsible for it.",
        "أحيلت شكواك إلى الجهة المختصة.",
    ),
    "assigned": ("An independent investigator has been assigned.", "تم تعيين محقق مستقل."),
    "under_investigation": ("Your complaint is under investigation.", "شكواك قيد التحقيق."),
    "suspended": (
        "The investigation is paused for now; time paused does not count against the deadlines.",
        "التحقيق متوقف مؤقتًا؛ ولا تُحتسب مدة التوقف من المهل.",
    ),
    "findings": ("The investigation has reached its findings.", "توصل التحقيق إلى نتائجه."),
    "outcome": ("A decision on the outcome has been made.", "تم اتخاذ قرار بشأن النتيجة."),
    "complainant_notified": (
        "We have sent you the outcome of your complaint.",
        "أرسلنا إليك نتيجة شكواك.",
    ),
    "review_window": (
        "You may ask for a review of the outcome within the review period.",
        "يمكنك طلب مراجعة النتيجة خلال فترة المراجعة.",
    ),
    "review_requested": (
        "Your request for a review is being considered.",
        "طلب المراجعة قيد النظر.",
    ),
    "closed": ("Your complaint is closed.", "أُغلقت شكواك."),
    "reopened": (
        "Your complaint has been reopened because of new evidence.",
        "أُعيد فتح شكواك بسبب أدلة جديدة.",
    ),
}

CLOCK_TEXT: dict[str, tuple[str, str]] = {
    "acknowledgement": ("acknowledgement of your complaint", "الإقرار باستلام شكواك"),
    "progress_update": ("next progress update", "التحديث التالي حول سير الشكوى"),
    "investigation_escalation": ("investigation time limit", "المهلة القصوى للتحقيق"),
    "outcome_notice": ("notice of the outcome", "إشعارك بالنتيجة"),
    "review_window": ("end of the review period", "نهاية فترة المراجعة"),
}

LANGUAGES = ("ar", "en")


def language_from(accept_language: str | None, default: str = "ar") -> str:
    """The best of ar/en for an Accept-Language header (q-values honoured)."""
    best, best_q = default, -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        base = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if base in LANGUAGES and q > best_q:
            best, best_q = base, q
    return best


def status_text(status: str, language: str) -> str:
    english, arabic = STATUS_TEXT[status]
    return arabic if language == "ar" else english


def clock_text(kind: str, language: str) -> str:
    english, arabic = CLOCK_TEXT.get(kind, (kind.replace("_", " "), kind.replace("_", " ")))
    return arabic if language == "ar" else english
