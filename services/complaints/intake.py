"""Intake: what a complaint looks like on arrival, and filing it from any channel.

Identity, contact details, the narrative and officers' service numbers go into the encrypted
vault; the case row keeps codes only; the events carry categories and pseudonyms.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.chassis.auth import Principal, Role
from libs.chassis.personal_data import PersonalDataVault
from libs.contracts.complaints import AgeBand, AllegationCategory, Channel, ComplaintReceived
from libs.reference.model import Reference

from . import ledger
from .casework import (
    CaseKey,
    change_status,
    hash_pin,
    new_id,
    new_pin,
    new_reference,
    officer_pseudonym,
    publish,
)
from .domain import DomainError
from .tables import allegations, complaints

SERVICE_NUMBER = r"^[A-Za-z0-9-]{1,32}$"
PHONE = r"^\+?[0-9][0-9 -]{5,19}$"
EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$"


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


def resolve_channel(body: ComplaintIn, principal: Principal | None) -> tuple[str, str | None]:
    """The intake channel and the counter's station, from who is calling."""
    if principal is not None and principal.has_role(Role.STATION_OFFICER) and principal.station_id:
        expected, station = "station_counter", principal.station_id
    elif principal is not None and principal.has_role(Role.COMPLAINTS_OFFICER):
        expected, station = "hotline", None
    else:
        expected, station = ("ngo" if body.on_behalf else "web"), None
    if body.channel not in (None, expected):
        raise DomainError(
            f"channel {body.channel} is not available to this caller; it files as {expected}",
            loc=["body", "channel"],
        )
    return expected, station


def resolve_area(body: ComplaintIn, reference: Reference) -> str:
    """The governorate the complaint belongs to (for oversight jurisdiction)."""
    stations = [(["body", "station_id"], body.station_id)] + [
        (["body", "allegations", i, "station_id"], a.station_id)
        for i, a in enumerate(body.allegations)
    ]
    for loc, station_id in stations:
        if station_id and station_id not in reference.stations:
            raise DomainError(f"unknown station {station_id!r}", loc=loc)
    if body.governorate_code and body.governorate_code not in reference.governorates:
        raise DomainError(
            f"unknown governorate {body.governorate_code!r}", loc=["body", "governorate_code"]
        )
    if body.station_id:
        governorate = reference.stations[body.station_id].governorate_code
        if body.governorate_code not in (None, governorate):
            raise DomainError(
                f"station {body.station_id} is in governorate {governorate}",
                loc=["body", "governorate_code"],
            )
        return governorate
    if body.governorate_code:
        return body.governorate_code
    raise DomainError(
        "say where it happened: station_id or governorate_code", loc=["body", "station_id"]
    )


def sealed_fields(body: ComplaintIn) -> dict[str, str | None]:
    person = body.complainant or ComplainantIn()
    fields: dict[str, str | None] = {
        "narrative": body.narrative,
        "name": person.name,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "occurred_at": body.occurred_at.isoformat() if body.occurred_at else None,
    }
    if body.on_behalf:
        fields |= {
            "on_behalf_organisation": body.on_behalf.organisation,
            "on_behalf_contact_name": body.on_behalf.contact_name,
            "on_behalf_contact_phone": body.on_behalf.contact_phone,
        }
    for i, allegation in enumerate(body.allegations):
        fields[f"allegation_{i}_service_number"] = allegation.officer_service_number
    return fields


async def file_complaint(
    session: AsyncSession,
    body: ComplaintIn,
    *,
    channel: str,
    intake_station: str | None,
    governorate: str,
    language: str,
    vault: PersonalDataVault,
    pseudonym_key: str,
    now: datetime,
) -> dict:
    """Store the case, its allegations and sealed personal data; publish received.

    Returns the reference and the PIN (shown once, stored only hashed) and the complaint id.
    """
    complaint_id, reference, pin = new_id(), new_reference(), new_pin()
    person = body.complainant
    anonymous = person is None or not (person.name or person.phone or person.email)
    has_contact = bool(
        (person and (person.phone or person.email))
        or (body.on_behalf and body.on_behalf.contact_phone)
    )
    await session.execute(
        insert(complaints).values(
            complaint_id=complaint_id,
            reference=reference,
            pin_hash=await hash_pin(pin),
            channel=channel,
            intake_station_id=intake_station,
            station_id=body.station_id,
            governorate_code=governorate,
            anonymous=anonymous,
            has_contact=has_contact,
            language=language,
            age_band=person.age_band if person else None,
            status="received",
            status_since=now,
            received_at=now,
            ledger_head=ledger.GENESIS,
        )
    )
    rows = [
        {
            "allegation_id": new_id(),
            "complaint_id": complaint_id,
            "position": i,
            "category": a.category,
            "subject_kind": a.against,
            "station_id": a.station_id or (body.station_id if a.against == "officer" else None),
            "unit_code": a.unit_code,
            "officer_pseudonym": (
                officer_pseudonym(pseudonym_key, a.officer_service_number)
                if a.officer_service_number
                else None
            ),
        }
        for i, a in enumerate(body.allegations)
    ]
    await session.execute(insert(allegations), rows)
    await vault.seal(session, complaint_id, sealed_fields(body))
    case = CaseKey(complaint_id, governorate)
    await publish(
        session,
        case,
        ComplaintReceived(
            complaint_id=complaint_id,
            channel=channel,
            station_id=body.station_id,
            governorate_code=governorate,
            allegation_categories=[a.category for a in body.allegations],
            complainant_age_band=(person.age_band if person else None) or "not_given",
            anonymous=anonymous,
            received_at=now,
        ),
    )
    await change_status(session, complaint_id, "received", now)
    return {"complaint_id": str(complaint_id), "reference": reference, "pin": pin}
