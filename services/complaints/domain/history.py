"""Complaints brought in from before jisr: what a row of history must say, and the record and
events it becomes.

A row says what the old system knew — when the complaint was received, where, its
allegations with their findings, the outcome and the status it ended in, with their dates —
and nothing about the people in it. It becomes a complaint whose ledger holds exactly those
steps at their original dates (received, findings, outcome, the last status), every event
marked `imported`, so analytics can tell history from what happened in jisr and oversight
bodies see that the chain summarises an old record rather than moves made here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from libs.chassis.errors import RuleViolation
from libs.contracts.base import CODE_PATTERN, EventModel
from libs.contracts.complaints import (
    AgeBand,
    AllegationCategory,
    AllegationFinding,
    Channel,
    ComplaintClosed,
    ComplaintFindingRecorded,
    ComplaintReceived,
    ComplaintStatus,
    ComplaintStatusChanged,
    Finding,
)
from libs.reference.model import Reference

from . import ledger
from .intake import area_of
from .lifecycle import CLOCKS_STOPPED, first_entry, ledger_entry

SOURCE_REFERENCE = r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,63}$"
#: Only finished complaints are history: an open one would start its clocks years late and
#: flood the record with deadline breaches nobody could have met in jisr. An old case still
#: open is filed as a new complaint (its paper trail attached) and runs its course here.
FINISHED = tuple(sorted(CLOCKS_STOPPED))
#: Statuses that say why with a reason code.
NEED_REASON = frozenset({"not_accepted", "referred"})


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class HistoricalAllegation(_Row):
    category: AllegationCategory
    against: Literal["officer", "unit", "station"] = "officer"
    unit_code: str | None = Field(None, pattern=r"^[A-Z0-9-]{1,32}$")
    station_id: str | None = Field(None, max_length=32)
    finding: Finding | None = None

    @model_validator(mode="after")
    def _names_its_subject(self) -> HistoricalAllegation:
        if self.against == "unit" and not self.unit_code:
            raise ValueError("an allegation against a unit needs unit_code")
        return self


class HistoricalComplaint(_Row):
    """One past complaint, as an old register recorded it: codes and dates, no one's name."""

    source_reference: str = Field(
        pattern=SOURCE_REFERENCE,
        description="The old system's reference; importing the same one again does nothing",
    )
    received_at: AwareDatetime
    channel: Channel
    station_id: str | None = Field(None, max_length=32)
    governorate_code: str | None = Field(None, max_length=8)
    allegations: list[HistoricalAllegation] = Field(min_length=1, max_length=10)
    status: ComplaintStatus = Field(description="How it ended: closed, not_accepted, referred")
    status_at: AwareDatetime = Field(description="When it reached that status")
    findings_at: AwareDatetime | None = None
    outcome: str | None = Field(None, pattern=CODE_PATTERN, description="Outcome reason code")
    outcome_at: AwareDatetime | None = None
    reason: str | None = Field(
        None, pattern=CODE_PATTERN, description="Why it is in its status, e.g. not accepted"
    )
    age_band: AgeBand | None = None
    anonymous: bool = False
    language: Literal["ar", "en"] = "ar"


@dataclass(frozen=True)
class Step:
    status: str
    at: datetime
    reason: str | None = None
    findings: bool = False


def check_row(row: HistoricalComplaint, reference: Reference, now: datetime) -> str:
    """The rules a row of history must keep; returns the complaint's governorate."""
    governorate = area_of(
        row.station_id,
        row.governorate_code,
        [a.station_id or (row.station_id if a.against == "station" else None)
         for a in row.allegations],
        reference,
    )  # fmt: skip
    for i, allegation in enumerate(row.allegations):
        if allegation.against == "station" and not (allegation.station_id or row.station_id):
            raise RuleViolation(
                ("allegations", i, "station_id"), "an allegation against a station needs it"
            )
    found = [a.finding is not None for a in row.allegations]
    if any(found) and not all(found):
        raise RuleViolation("allegations", "give a finding for every allegation, or for none")
    if any(found) and row.findings_at is None:
        raise RuleViolation("findings_at", "the findings need the date they were made")
    if row.status not in CLOCKS_STOPPED:
        raise RuleViolation(
            "status",
            f"only finished complaints are history ({', '.join(FINISHED)}); file an open one "
            "as a new complaint",
        )
    if row.outcome and row.outcome_at is None:
        raise RuleViolation("outcome_at", "the outcome needs the date it was decided")
    if row.status in NEED_REASON and not row.reason:
        raise RuleViolation("reason", f"a complaint {row.status} needs its reason code")
    order: list[tuple[str, datetime | None]] = [
        ("received_at", row.received_at),
        ("findings_at", row.findings_at),
        ("outcome_at", row.outcome_at),
        ("status_at", row.status_at),
    ]
    for name, at in order:
        if at is not None and at > now:
            raise RuleViolation(name, "history is in the past: this date is in the future")
    previous = ("received_at", row.received_at)
    for name, at in order[1:]:
        if at is None:
            continue
        if at < previous[1]:
            raise RuleViolation(name, f"must not be before {previous[0]}")
        previous = (name, at)
    return governorate


def steps_of(row: HistoricalComplaint) -> list[Step]:
    """The ledger's steps: only what the old record knows, each at its own date."""
    steps = [Step("received", row.received_at)]
    if row.findings_at is not None and all(a.finding for a in row.allegations):
        steps.append(Step("findings", row.findings_at, findings=True))
    if row.outcome and row.outcome_at is not None:
        steps.append(Step("outcome", row.outcome_at, reason=row.outcome))
    steps.append(Step(row.status, row.status_at, reason=row.reason))
    return steps


def _imported(entry: ComplaintStatusChanged) -> ComplaintStatusChanged:
    """The entry marked imported, its hash over what it now says."""
    marked = entry.model_copy(update={"imported": True, "hash": ledger.GENESIS})
    return marked.model_copy(update={"hash": ledger.entry_hash(marked.model_dump(mode="json"))})


@dataclass(frozen=True)
class Imported:
    """What one row becomes: the complaint's column values, its allegations, its events."""

    case: dict[str, Any]
    allegations: list[dict[str, Any]]
    events: tuple[EventModel, ...]
    governorate: str


def imported_complaint(
    row: HistoricalComplaint,
    governorate: str,
    *,
    complaint_id: UUID,
    allegation_ids: Sequence[UUID],
    public_reference: str,
    unusable_pin_hash: str,
    now: datetime,
) -> Imported:
    events: list[EventModel] = [
        ComplaintReceived(
            complaint_id=complaint_id,
            channel=row.channel,
            station_id=row.station_id,
            governorate_code=governorate,
            allegation_categories=[a.category for a in row.allegations],
            complainant_age_band=row.age_band or "not_given",
            anonymous=row.anonymous,
            received_at=row.received_at,
            imported=True,
        )
    ]
    steps = steps_of(row)
    entry = _imported(first_entry(complaint_id, row.received_at))
    events.append(entry)
    for step in steps[1:]:
        recorded: list[AllegationFinding] = []
        if step.findings:
            for allegation_id, allegation in zip(allegation_ids, row.allegations, strict=True):
                assert allegation.finding is not None  # steps_of: every allegation has one
                events.append(
                    ComplaintFindingRecorded(
                        complaint_id=complaint_id,
                        allegation_id=allegation_id,
                        category=allegation.category,
                        finding=allegation.finding,
                        recorded_at=step.at,
                        imported=True,
                    )
                )
                recorded.append(
                    AllegationFinding(
                        allegation_id=allegation_id,
                        category=allegation.category,
                        finding=allegation.finding,
                    )
                )
        entry = _imported(
            ledger_entry(
                complaint_id,
                entry.to_status,
                step.status,
                step.at,
                entry.sequence + 1,
                entry.hash,
                step.reason,
                recorded,
            )
        )
        events.append(entry)
    last = steps[-1]
    if last.status == "closed":
        events.append(ComplaintClosed(complaint_id=complaint_id, closed_at=last.at, imported=True))
    case = {
        "complaint_id": complaint_id,
        "reference": public_reference,
        "pin_hash": unusable_pin_hash,
        "channel": row.channel,
        "intake_station_id": None,
        "station_id": row.station_id,
        "governorate_code": governorate,
        "anonymous": row.anonymous,
        "has_contact": False,
        "language": row.language,
        "age_band": row.age_band,
        "status": last.status,
        "status_since": last.at,
        "received_at": row.received_at,
        "ledger_sequence": entry.sequence,
        "ledger_head": entry.hash,
        "closed_at": last.at if last.status == "closed" else None,
        "source_reference": row.source_reference,
        "imported_at": now,
    }
    findings_at = row.findings_at if any(s.findings for s in steps) else None
    allegations = [
        {
            "allegation_id": allegation_id,
            "complaint_id": complaint_id,
            "position": i,
            "category": a.category,
            "subject_kind": a.against,
            "station_id": a.station_id or (row.station_id if a.against != "unit" else None),
            "unit_code": a.unit_code,
            "officer_pseudonym": None,
            "finding": a.finding if findings_at else None,
            "finding_at": findings_at,
        }
        for i, (allegation_id, a) in enumerate(zip(allegation_ids, row.allegations, strict=True))
    ]
    return Imported(case, allegations, tuple(events), governorate)
