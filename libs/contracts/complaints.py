"""Events of the complaints domain, published for analytics and oversight bodies.

Oversight bodies receive these events, so they are pseudonymised: codes, categories, an age band
and pseudonymous officer ids only. The complainant's identity, contact details and the narrative
stay in the complaints service; the public reference stays there too (it is a handle on a person).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from .base import CODE_PATTERN, EventModel

Channel = Literal["web", "station_counter", "ngo", "hotline"]

AllegationCategory = Literal[
    "use_of_force",
    "abuse_of_authority",
    "unlawful_arrest_or_detention",
    "discourtesy",
    "discriminatory_language",
    "corruption_or_bribery",
    "failure_in_duty",
    "sexual_or_gender_based_misconduct",
    "property_damage_or_loss",
    "other",
]

#: Lifecycle states (DESIGN.md, "Domain references").
ComplaintStatus = Literal[
    "received",
    "logged",
    "triage",
    "informal_resolution",
    "formal_investigation",
    "not_accepted",
    "referred",
    "assigned",
    "under_investigation",
    "suspended",
    "findings",
    "outcome",
    "complainant_notified",
    "review_window",
    "review_requested",
    "closed",
    "reopened",
]

Finding = Literal[
    "SUBSTANTIATED",
    "NOT_SUBSTANTIATED",
    "EXONERATED",
    "UNFOUNDED",
    "WITHDRAWN",
    "COMPLAINANT_UNAVAILABLE",
    "OFFICER_UNIDENTIFIED",
]

AgeBand = Literal["under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus", "not_given"]

#: A keyed hash of the officer's service number; only the complaints service can link it back.
OFFICER_PSEUDONYM = r"^[0-9a-f]{16,64}$"
SHA256_HEX = r"^[0-9a-f]{64}$"


class ChainLink(BaseModel):
    """The event's place in its complaint's hash chain: every event of a complaint has one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sequence: int = Field(ge=1, description="Position in the complaint's chain, from 1")
    prev_hash: str = Field(
        pattern=SHA256_HEX, description="hash of the chain's previous event; 64 zeros for 1"
    )
    hash: str = Field(
        pattern=SHA256_HEX,
        description="SHA-256 of the canonical JSON {type, data} with this hash left out",
    )


CHAIN = "The complaint's hash chain (the service sets it when it publishes the event)"
IMPORTED = (
    "True for a complaint brought in from before jisr (a historical record): its dates are "
    "those originally recorded, not when jisr learnt of it"
)


class ComplaintReceived(EventModel):
    event_type = "complaint.received"

    complaint_id: UUID
    channel: Channel
    station_id: str | None = Field(
        default=None, max_length=32, description="Station complained about, if known"
    )
    governorate_code: str = Field(max_length=8)
    allegation_categories: list[AllegationCategory] = Field(min_length=1, max_length=10)
    complainant_age_band: AgeBand | None = None
    anonymous: bool = False
    received_at: datetime
    imported: bool = Field(default=False, description=IMPORTED)
    chain: ChainLink | None = Field(default=None, description=CHAIN)


class AllegationFinding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    allegation_id: UUID
    category: AllegationCategory
    finding: Finding


class ComplaintStatusChanged(EventModel):
    """One entry of the complaint's status ledger; oversight bodies verify the hash chain."""

    event_type = "complaint.status_changed"

    complaint_id: UUID
    from_status: ComplaintStatus | None = Field(description="None for the first ledger entry")
    to_status: ComplaintStatus
    changed_at: datetime
    sequence: int = Field(ge=1, description="Position in this complaint's ledger, from 1")
    prev_hash: str = Field(
        pattern=SHA256_HEX, description="hash of the previous entry; 64 zeros for sequence 1"
    )
    hash: str = Field(pattern=SHA256_HEX, description="SHA-256 over prev_hash and this entry")
    reason: str | None = Field(
        default=None,
        pattern=CODE_PATTERN,
        description="Why, as a code: a not-accepted reason, where it was referred, a review "
        "decision, an outcome kind",
    )
    findings: list[AllegationFinding] | None = Field(
        default=None,
        max_length=10,
        description="On the move to findings: each allegation's finding, so the ledger covers them",
    )
    imported: bool = Field(default=False, description=IMPORTED)
    chain: ChainLink | None = Field(default=None, description=CHAIN)


class ComplaintFindingRecorded(EventModel):
    event_type = "complaint.finding_recorded"

    complaint_id: UUID
    allegation_id: UUID
    category: AllegationCategory
    officer_pseudonym: str | None = Field(
        default=None, pattern=OFFICER_PSEUDONYM, description="None if the officer is unidentified"
    )
    finding: Finding
    recorded_at: datetime
    imported: bool = Field(default=False, description=IMPORTED)
    chain: ChainLink | None = Field(default=None, description=CHAIN)


class ComplaintDeadlineBreached(EventModel):
    event_type = "complaint.deadline_breached"

    complaint_id: UUID
    clock: str = Field(
        pattern=CODE_PATTERN,
        description="Deadline kind from the clock rule pack, e.g. progress_update, outcome_notice",
    )
    due_at: datetime
    breached_at: datetime
    chain: ChainLink | None = Field(default=None, description=CHAIN)


class ComplaintClosed(EventModel):
    event_type = "complaint.closed"

    complaint_id: UUID
    closed_at: datetime
    imported: bool = Field(default=False, description=IMPORTED)
    chain: ChainLink | None = Field(default=None, description=CHAIN)


class ComplaintDeadlineApproaching(EventModel):
    """A statutory deadline of the complaint's rule pack is near and not yet met."""

    event_type = "complaint.deadline_approaching"

    complaint_id: UUID
    clock: str = Field(pattern=CODE_PATTERN, description="Deadline kind from the clock rule pack")
    due_at: datetime
    warned_at: datetime
    chain: ChainLink | None = Field(default=None, description=CHAIN)


class ComplaintRecommendationMade(EventModel):
    """An oversight body recommended something; the ministry must answer by `respond_by`."""

    event_type = "complaint.recommendation_made"

    complaint_id: UUID
    recommendation_id: UUID
    oversight_body: str = Field(pattern=CODE_PATTERN, description="Registered body code")
    category: str = Field(
        pattern=CODE_PATTERN, description="e.g. reinvestigate, sanction, policy_change, training"
    )
    made_at: datetime
    respond_by: datetime
    chain: ChainLink | None = Field(default=None, description=CHAIN)


class ComplaintRecommendationAnswered(EventModel):
    event_type = "complaint.recommendation_answered"

    complaint_id: UUID
    recommendation_id: UUID
    answer: Literal["accepted", "declined"]
    reason: str | None = Field(
        default=None, pattern=CODE_PATTERN, description="Why it was declined, as a code"
    )
    answered_at: datetime
    chain: ChainLink | None = Field(default=None, description=CHAIN)


class LedgerCheckpointSigned(EventModel):
    """A signed tree head of the complaints ledger (RFC 9162 style): the Merkle root over every
    chained complaint event so far. `body` is the canonical JSON exactly as signed."""

    event_type = "ledger.checkpoint_signed"

    checkpoint_id: int = Field(ge=1)
    tree_size: int = Field(ge=0, description="How many chained events the tree covers")
    root_hash: str = Field(pattern=SHA256_HEX)
    previous: str | None = Field(
        default=None, pattern=SHA256_HEX, description="SHA-256 of the previous checkpoint's body"
    )
    signed_at: datetime
    body: str = Field(max_length=1000, pattern=r"^\{[ -~]*\}$")
    signature: str = Field(max_length=200, pattern=r"^[A-Za-z0-9+/=]+$")


GovernorateCode = Annotated[str, Field(max_length=8, pattern=r"^[A-Z0-9-]{1,8}$")]


class OversightBodyRegistered(EventModel):
    """An oversight body was registered: its jurisdiction, so that every service reading for
    it (analytics' accountability view) scopes it by what was registered, not by a claim."""

    event_type = "oversight_body.registered"

    body_id: str = Field(pattern=CODE_PATTERN, description="Registered body code")
    national: bool = Field(description="True: the whole country; else `governorates`")
    governorates: list[GovernorateCode] = Field(default_factory=list, max_length=20)
    registered_at: datetime


class OversightBodyChanged(EventModel):
    """A registered oversight body's jurisdiction was changed (the whole new jurisdiction)."""

    event_type = "oversight_body.changed"

    body_id: str = Field(pattern=CODE_PATTERN, description="Registered body code")
    national: bool = Field(description="True: the whole country; else `governorates`")
    governorates: list[GovernorateCode] = Field(default_factory=list, max_length=20)
    changed_at: datetime
