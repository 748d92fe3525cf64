"""The complaints HTTP contract: what a client may send and what each route answers with.

A response model lists every field its route returns, so the client sees what is declared here
and never whatever a table happens to hold. Times are ISO 8601 as Python writes them
(`2026-01-04T09:00:00+00:00`), as they always were.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    RootModel,
    WithJsonSchema,
    model_validator,
)

from libs.contracts.base import CODE_PATTERN
from libs.contracts.complaints import (
    AgeBand,
    AllegationCategory,
    Channel,
    ComplaintStatus,
    Finding,
)
from libs.reference import load_reference

Instant = Annotated[
    datetime,
    PlainSerializer(lambda v: v.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
]

SERVICE_NUMBER = r"^[A-Za-z0-9-]{1,32}$"
PHONE = r"^\+?[0-9][0-9 -]{5,19}$"
EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$"


# --- intake ----------------------------------------------------------------------------------


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ComplainantIn(_In):
    name: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, pattern=PHONE)
    email: str | None = Field(None, max_length=254, pattern=EMAIL)
    address: str | None = Field(None, max_length=500)
    age_band: AgeBand | None = None


class OnBehalfIn(_In):
    """An NGO or other third party filing for the complainant."""

    organisation: str = Field(min_length=2, max_length=200)
    contact_name: str | None = Field(None, max_length=200)
    contact_phone: str | None = Field(None, pattern=PHONE)


class AllegationIn(_In):
    category: AllegationCategory
    against: Literal["officer", "unit", "station"]
    officer_service_number: str | None = Field(None, pattern=SERVICE_NUMBER)
    unit_code: str | None = Field(None, pattern=r"^[A-Z0-9-]{1,32}$")
    station_id: str | None = Field(None, max_length=32)

    @model_validator(mode="after")
    def _names_its_subject(self) -> AllegationIn:
        if self.against == "unit" and not self.unit_code:
            raise ValueError("an allegation against a unit needs unit_code")
        if self.against == "station" and not self.station_id:
            raise ValueError("an allegation against a station needs station_id")
        return self


class ComplaintIn(_In):
    narrative: str = Field(min_length=10, max_length=20000, description="What happened")
    allegations: list[AllegationIn] = Field(min_length=1, max_length=10)
    station_id: str | None = Field(None, max_length=32, description="Station complained about")
    governorate_code: str | None = Field(None, max_length=8)
    occurred_at: datetime | None = None
    complainant: ComplainantIn | None = Field(None, description="Leave out to stay anonymous")
    on_behalf: OnBehalfIn | None = None
    channel: Channel | None = Field(None, description="Set by the caller's token if left out")
    language: Literal["ar", "en"] | None = None


class Filed(BaseModel):
    complaint_id: UUID
    reference: str = Field(description="CMP-XXXX-XXXX-XXXX")
    pin: str = Field(description="Shown once; a retried filing gets a fresh one")
    status: str
    status_text: str


# --- the complainant's view ------------------------------------------------------------------


class NextDeadline(BaseModel):
    clock: str
    text: str
    due_at: Instant
    overdue: bool = Field(False, description="The deadline has passed and is still running")


class Told(BaseModel):
    code: str
    text: str


class FindingTold(BaseModel):
    """An allegation's finding as the complainant is told it: the category, never who."""

    category: str
    category_text: str
    finding: str
    text: str


class ReviewTold(BaseModel):
    until: Instant
    until_text: str
    open: bool = Field(description="A review can be asked for (or waived) now")


class DecisionTold(BaseModel):
    """What was decided, in the complainant's language: findings per allegation, the outcome,
    the reasons for not accepting or referring, whether a message was sent and the review."""

    findings: list[FindingTold]
    outcome: Told | None
    reasons: Told | None
    notified: bool | None = Field(
        description="Whether the outcome was sent to the complainant (null: not told yet)"
    )
    notice: str | None = Field(description="Why no message was sent, when none could be")
    review: ReviewTold | None


class LedgerLink(BaseModel):
    sequence: int
    status: str
    at: str
    prev_hash: str
    hash: str


class SignedHead(BaseModel):
    id: int
    sequence: int
    hash: str


class LedgerSummary(BaseModel):
    verified: bool
    entries: list[LedgerLink]
    signed_checkpoint: SignedHead | None


class ComplaintStatusOut(BaseModel):
    reference: str
    status: str
    status_text: str
    since: Instant
    next_deadline: NextDeadline | None
    ledger: LedgerSummary
    decision: DecisionTold | None = None


class ReviewRequested(BaseModel):
    status: str
    sequence: int


# --- the ledger ------------------------------------------------------------------------------


class Checkpoint(BaseModel):
    id: int
    created_at: str
    body: str = Field(description="The canonical JSON exactly as signed")
    signature: str
    tree_size: int | None = None
    root_hash: str | None = None


class LedgerItem(BaseModel):
    type: str
    leaf_index: int | None = None
    data: dict[str, Any]


class InclusionProof(BaseModel):
    leaf_index: int
    tree_size: int
    path: list[str] = Field(description="RFC 9162 inclusion path, hex, leaf side first")


class ConsistencyProof(BaseModel):
    first: int
    second: int
    proof: list[str] = Field(description="RFC 9162 consistency proof, hex")


class LedgerDocument(BaseModel):
    complaint_id: UUID
    governorate_code: str | None = None
    items: list[LedgerItem]
    checkpoint: Checkpoint | None
    inclusion: InclusionProof | None = Field(
        None, description="The chain's latest event under the checkpoint, proven in its tree"
    )
    consistency: list[ConsistencyProof] = Field(default_factory=list)
    public_key: str


# --- casework --------------------------------------------------------------------------------


class FindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    allegation_id: UUID
    finding: Finding


class InvestigatorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    investigator_id: str = Field(min_length=1, max_length=200, description="Their token subject")
    unit_code: str | None = Field(
        None,
        pattern=r"^[A-Z0-9-]{1,32}$",
        description="Leave out: the posting comes from the staff directory (if given, it must "
        "agree with it)",
    )
    officer_service_number: str | None = Field(None, pattern=r"^[A-Za-z0-9-]{1,32}$")


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    to: ComplaintStatus
    reason: str | None = Field(None, pattern=CODE_PATTERN, description="A reason code")
    complainant_agreed: bool = False
    findings: list[FindingIn] = Field(default_factory=list, max_length=10)
    investigator: InvestigatorIn | None = None


class Moved(BaseModel):
    complaint_id: UUID
    status: str
    sequence: int
    hash: str


class CaseOut(BaseModel):
    """A complaint as staff see it: codes only, no personal data."""

    complaint_id: UUID
    channel: str
    station_id: str | None
    governorate_code: str
    status: str
    status_since: Instant
    received_at: Instant
    investigator_id: str | None
    investigator_unit: str | None
    ledger_sequence: int
    ledger_head: str
    anonymous: bool
    closed_at: Instant | None
    erased_at: Instant | None


class AllegationOut(BaseModel):
    allegation_id: UUID
    category: str
    against: str
    station_id: str | None
    unit_code: str | None
    officer_pseudonym: str | None
    finding: str | None


class CaseDetail(CaseOut):
    allegations: list[AllegationOut]


class PersonalData(RootModel[dict[str, str | None]]):
    """The sealed fields: narrative, name, phone, email, address, occurred_at, on-behalf
    contact, officers' service numbers."""


class TimelineEvent(BaseModel):
    type: str
    at: Instant
    data: dict[str, Any]


class RecommendationOut(BaseModel):
    recommendation_id: UUID
    complaint_id: UUID
    oversight_body: str
    category: str
    text: str
    made_at: Instant
    respond_by: Instant
    answer: str | None
    answer_reason: str | None
    answer_text: str | None
    answered_by: str | None
    answered_at: Instant | None


class Timeline(BaseModel):
    events: list[TimelineEvent]
    recommendations: list[RecommendationOut]


class Erased(BaseModel):
    complaint_id: UUID
    erased_at: Instant


class ErasuresIn(BaseModel):
    """Erase named complaints, or the oldest eligible ones (closed and past retention)."""

    model_config = ConfigDict(extra="forbid")
    complaint_ids: list[UUID] | None = Field(None, min_length=1, max_length=500)
    eligible: bool = Field(False, description="Erase the oldest eligible complaints")
    limit: int = Field(100, ge=1, le=500)

    @model_validator(mode="after")
    def _one_way(self) -> ErasuresIn:
        if bool(self.complaint_ids) == self.eligible:
            raise ValueError("give complaint_ids or eligible: true, not both or neither")
        return self


class ErasureRefused(BaseModel):
    complaint_id: UUID
    reason: str


class Erasures(BaseModel):
    erased: list[Erased]
    refused: list[ErasureRefused]


# --- staff directory and clocks --------------------------------------------------------------


class StaffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_code: str = Field(
        pattern=r"^[A-Z0-9-]{1,32}$",
        description="Where they are posted: a unit (AM-01-S1-CID), a station, a command (AM-01, "
        "AM) or a national unit (PSD-HQ)",
    )
    station_id: str | None = Field(
        None, max_length=32, description="The station the unit belongs to, if its code says not"
    )
    governorate_code: str | None = Field(
        None, max_length=8, description="The governorate command the unit belongs to, if any"
    )
    officer_service_number: str | None = Field(None, pattern=SERVICE_NUMBER)

    @model_validator(mode="after")
    def _known_places(self) -> StaffIn:
        reference = load_reference()
        if self.station_id and self.station_id not in reference.stations:
            raise ValueError(f"unknown station {self.station_id}")
        if self.governorate_code and self.governorate_code not in reference.governorates:
            raise ValueError(f"unknown governorate {self.governorate_code}")
        return self


class StaffOut(BaseModel):
    staff_id: str
    unit_code: str
    station_id: str | None
    governorate_code: str | None
    is_officer: bool
    updated_by: str
    updated_at: Instant


class StaffRemoved(BaseModel):
    staff_id: str
    removed: bool


class ClocksRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: AwareDatetime = Field(description="Run the scheduler pass as of this instant (ISO 8601)")
    notifications: bool = Field(True, description="Also send the messages due by then")


class ClockEventOut(BaseModel):
    complaint_id: UUID
    type: str
    clock: str
    due_at: Instant


class ClocksRun(BaseModel):
    at: Instant
    deadline_events: list[ClockEventOut]
    notifications_sent: int


# --- oversight -------------------------------------------------------------------------------


class BodyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body_id: str = Field(pattern=CODE_PATTERN)
    title: str = Field(min_length=2, max_length=200)
    national: bool = False
    governorates: list[str] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _one_jurisdiction(self) -> BodyIn:
        if self.national == bool(self.governorates):
            raise ValueError("a body is either national or has governorates, not both or neither")
        unknown = sorted(set(self.governorates) - set(load_reference().governorates))
        if unknown:
            raise ValueError(f"unknown governorates: {', '.join(unknown)}")
        return self


class BodyOut(BaseModel):
    body_id: str
    title: str
    national: bool
    governorates: list[str]


class FeedItem(BaseModel):
    cursor: int = Field(description="The feed position (given after commit, dense, in order)")
    type: str = Field(
        description="A CloudEvents type; jisr.ledger.checkpoint_signed.v1 for a signed tree "
        "head; jisr.ledger.leaf for an event outside the caller's jurisdiction (its leaf only)"
    )
    complaint_id: UUID | None
    governorate_code: str | None
    leaf_index: int | None = Field(None, description="The event's leaf in the Merkle log")
    data: dict[str, Any]


class FeedJurisdiction(BaseModel):
    governorates: list[str]


class Feed(BaseModel):
    items: list[FeedItem]
    next_cursor: int
    jurisdiction: FeedJurisdiction | None = Field(
        description="The governorates the feed is limited to; null for a national view"
    )


class RecommendationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str = Field(pattern=CODE_PATTERN, description="e.g. reinvestigate, training")
    text: str = Field(min_length=5, max_length=5000)
    respond_within_days: int | None = Field(None, ge=1, le=365)


class Recommended(BaseModel):
    recommendation_id: UUID
    respond_by: Instant


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answer: Literal["accepted", "declined"]
    reason: str | None = Field(None, pattern=CODE_PATTERN)
    text: str | None = Field(None, max_length=5000)

    @model_validator(mode="after")
    def _declined_needs_reason(self) -> AnswerIn:
        if self.answer == "declined" and not (self.reason and self.text):
            raise ValueError("declining needs a reason code and a text explaining it")
        return self


class Answered(BaseModel):
    recommendation_id: UUID
    answer: str


# --- history brought in ----------------------------------------------------------------------


class ImportRowError(BaseModel):
    line: int
    field: str = Field(description='The row\'s field, e.g. "allegations.0.finding"; "row"')
    rule: str


class ImportSummary(BaseModel):
    lines: int
    imported: int = Field(description="Rows stored now")
    duplicates: int = Field(description="Rows whose source_reference was already stored")
    rejected: int
    errors_truncated: bool
    errors: list[ImportRowError]


# --- the personal-data read audit ------------------------------------------------------------


class PersonalDataRead(BaseModel):
    id: int = Field(description="The cursor of this read")
    at: Instant
    actor: str = Field(description="The reader's token subject")
    role: str = Field(description="The roles the reader held")
    complaint_id: UUID
    fields: list[str] = Field(description="Which fields were decrypted (names, never values)")
    purpose: str = Field(description="The purpose the reader gave")


class PersonalDataReads(BaseModel):
    items: list[PersonalDataRead]
    next_cursor: int = Field(description="Pass as `after` for the next page")
