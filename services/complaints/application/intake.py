"""Intake: filing a complaint from any channel.

Identity, contact details, the narrative and officers' service numbers go into the encrypted
vault; the case row keeps codes only; the events carry categories and pseudonyms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis.auth import Principal, Role
from libs.chassis.personal_data import PersonalDataVault
from libs.contracts.complaints import ComplaintReceived
from libs.reference.model import Reference

from ..domain.identifiers import new_reference, officer_pseudonym
from ..domain.intake import area_of, channel_for
from ..domain.lifecycle import first_entry
from ..domain.texts import status_text
from ..pins import hash_pin, new_pin
from ..repositories import cases
from ..schemas import ComplainantIn, ComplaintIn
from .events import emit


@dataclass(frozen=True)
class Where:
    """Where a filing comes from and belongs: its channel, counter and governorate."""

    channel: str
    counter: str | None
    governorate: str


def resolve(body: ComplaintIn, principal: Principal | None, reference: Reference) -> Where:
    """The channel the caller files through and the governorate the complaint belongs to."""
    counter = None
    if principal is not None and principal.has_role(Role.STATION_OFFICER):
        counter = principal.station_id
    hotline = principal is not None and principal.has_role(Role.COMPLAINTS_OFFICER)
    channel, station = channel_for(
        body.channel, counter_station=counter, hotline=hotline, on_behalf=bool(body.on_behalf)
    )
    governorate = area_of(
        body.station_id,
        body.governorate_code,
        [a.station_id for a in body.allegations],
        reference,
    )
    return Where(channel, station, governorate)


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
    where: Where,
    language: str,
    vault: PersonalDataVault,
    pseudonym_key: str,
    now: datetime,
) -> tuple[int, dict[str, Any]]:
    """Store the case, its allegations and sealed personal data; publish received and the
    first ledger entry. Answers 201 with the reference and the PIN (shown once, stored only
    hashed)."""
    complaint_id, reference, pin = uuid7(), new_reference(), new_pin()
    person = body.complainant
    anonymous = person is None or not (person.name or person.phone or person.email)
    has_contact = bool(
        (person and (person.phone or person.email))
        or (body.on_behalf and body.on_behalf.contact_phone)
    )
    entry = first_entry(complaint_id, now)
    case = {
        "complaint_id": complaint_id,
        "reference": reference,
        "pin_hash": await hash_pin(pin),
        "channel": where.channel,
        "intake_station_id": where.counter,
        "station_id": body.station_id,
        "governorate_code": where.governorate,
        "anonymous": anonymous,
        "has_contact": has_contact,
        "language": language,
        "age_band": person.age_band if person else None,
        "status": entry.to_status,
        "status_since": now,
        "received_at": now,
        "ledger_sequence": entry.sequence,
        "ledger_head": entry.hash,
    }
    allegations = [
        {
            "allegation_id": uuid7(),
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
    await cases.add(session, case, allegations)
    await vault.seal(session, complaint_id, sealed_fields(body))
    received = ComplaintReceived(
        complaint_id=complaint_id,
        channel=where.channel,
        station_id=body.station_id,
        governorate_code=where.governorate,
        allegation_categories=[a.category for a in body.allegations],
        complainant_age_band=(person.age_band if person else None) or "not_given",
        anonymous=anonymous,
        received_at=now,
    )
    await emit(session, where.governorate, [received, entry])
    return 201, {
        "complaint_id": complaint_id,
        "reference": reference,
        "pin": pin,
        "status": entry.to_status,
        "status_text": status_text(entry.to_status, language),
    }


async def reissue_pin(session: AsyncSession, stored: dict[str, Any]) -> dict[str, Any]:
    """A retried filing (the first answer may never have arrived) gets the same complaint
    and a fresh PIN; the earlier PIN stops working."""
    pin = new_pin()
    await cases.set_pin_hash(session, UUID(stored["complaint_id"]), await hash_pin(pin))
    return stored | {"pin": pin}
