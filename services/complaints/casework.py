"""Persisting casework in the caller's transaction: complaints, ledger entries, feed, outbox.

Every event about a complaint goes through `publish`: staged in the outbox (Kafka) and kept in
`complaint_events` (the oversight feed), in one transaction with the change it reports. Status
changes also extend the complaint's hash chain (ledger.py).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from uuid6 import uuid7

from libs.chassis.outbox import stage
from libs.chassis.personal_data import PersonalDataVault
from libs.chassis.settings import Settings
from libs.chassis.telemetry import current_traceparent
from libs.contracts.base import EventModel
from libs.contracts.complaints import AllegationFinding, ComplaintStatusChanged
from libs.contracts.envelope import encode_value, new_envelope

from . import ledger
from .clocks import StatusEntry
from .domain import Allegation, transition_for
from .tables import allegations, complaint_events, complaints, notifications

SERVICE = "complaints"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: nothing to misread aloud
_READ_ALOUD = str.maketrans({"O": "0", "I": "1", "L": "1"})
PIN_DIGITS = 8
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


# --- reference, PIN, pseudonyms -------------------------------------------------------------


def new_reference() -> str:
    """CMP-XXXX-XXXX-XXXX: 60 random bits in Crockford base32, grouped to read out."""
    bits = secrets.randbits(60)
    chars = "".join(CROCKFORD[(bits >> (5 * i)) & 31] for i in range(12))
    return "CMP-" + "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def normalise_reference(text: str) -> str:
    """What a caller typed or heard, as stored: case, spaces and O/I/L look-alikes forgiven."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_READ_ALOUD)
    raw = raw.removeprefix("CMP")
    return "CMP-" + "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def new_pin() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(PIN_DIGITS))


def _scrypt(pin: str, salt: bytes) -> bytes:
    return hashlib.scrypt(pin.encode(), salt=salt, **_SCRYPT)


async def hash_pin(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = await asyncio.to_thread(_scrypt, pin, salt)  # ~50 ms of CPU: off the event loop
    return f"scrypt${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


async def pin_matches(pin: str, stored: str) -> bool:
    _, salt, digest = stored.split("$")
    candidate = await asyncio.to_thread(_scrypt, pin, base64.b64decode(salt))
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def vault(settings: Settings) -> PersonalDataVault:
    """The complainants' vault: the current personal-data key, and the retired ones while a
    rotation is under way."""
    return PersonalDataVault(settings.personal_data_key, settings.personal_data_previous_keys)


def officer_pseudonym(pseudonym_key: str, service_number: str) -> str:
    """A keyed hash of an officer's service number: stable, unlinkable without the key."""
    key = hashlib.sha256(b"jisr-officer-pseudonym\x00" + pseudonym_key.encode()).digest()
    normalised = service_number.strip().upper().encode()
    return hmac.new(key, normalised, hashlib.sha256).hexdigest()[:32]


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseKey:
    """The columns `publish` needs of a complaint."""

    complaint_id: UUID
    governorate_code: str


async def publish(
    session: AsyncSession, case: CaseKey, event: EventModel, sequence: int | None = None
) -> None:
    envelope = new_envelope(
        event,
        source=f"jisr/{SERVICE}",
        subject=str(case.complaint_id),
        traceparent=current_traceparent(),
    )
    await stage(session, SERVICE, [(envelope, str(case.complaint_id))])
    await session.execute(
        insert(complaint_events).values(
            complaint_id=case.complaint_id,
            governorate_code=case.governorate_code,
            event_id=envelope.id,
            event_type=envelope.type,
            sequence=sequence,
            data=encode_value(event).decode(),
        )
    )


def chained_entry(
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


async def change_status(
    session: AsyncSession,
    complaint_id: UUID,
    to_status: str,
    at: datetime,
    *,
    reason: str | None = None,
    findings: Sequence[AllegationFinding] | None = None,
    extra: dict | None = None,
) -> ComplaintStatusChanged:
    """Move the complaint (row locked) to `to_status`, extend its chain, publish the entry."""
    row = (
        await session.execute(
            select(complaints).where(complaints.c.complaint_id == complaint_id).with_for_update()
        )
    ).one()
    from_status = row.status if row.ledger_sequence else None
    entry = chained_entry(
        complaint_id,
        from_status,
        to_status,
        at,
        row.ledger_sequence + 1,
        row.ledger_head,
        reason,
        findings,
    )
    values = {
        "status": to_status,
        "status_since": at,
        "ledger_sequence": entry.sequence,
        "ledger_head": entry.hash,
        **(extra or {}),
    }
    if to_status == "closed":
        values["closed_at"] = at
    await session.execute(
        update(complaints).where(complaints.c.complaint_id == complaint_id).values(**values)
    )
    await publish(session, CaseKey(complaint_id, row.governorate_code), entry, entry.sequence)
    if (
        from_status is not None
        and transition_for(from_status, to_status).notify
        and row.has_contact
    ):
        await session.execute(
            insert(notifications).values(
                complaint_id=complaint_id, about=to_status, language=row.language
            )
        )
    return entry


# --- reading ---------------------------------------------------------------------------------


async def status_history(session: AsyncSession, complaint_id: UUID) -> list[StatusEntry]:
    """The complaint's status changes from its ledger, oldest first, for the clocks."""
    rows = (
        await session.execute(
            select(complaint_events.c.data)
            .where(complaint_events.c.complaint_id == complaint_id)
            .where(complaint_events.c.sequence.is_not(None))
            .order_by(complaint_events.c.sequence)
        )
    ).scalars()
    history: list[StatusEntry] = []
    for data in rows:
        entry = ComplaintStatusChanged.model_validate_json(data)
        edge = transition_for(entry.from_status, entry.to_status)
        history.append(StatusEntry(entry.to_status, entry.changed_at, bool(edge and edge.notify)))
    return history


async def case_allegations(session: AsyncSession, complaint_id: UUID) -> list[Allegation]:
    rows = await session.execute(
        select(allegations)
        .where(allegations.c.complaint_id == complaint_id)
        .order_by(allegations.c.position)
    )
    return [
        Allegation(
            allegation_id=r.allegation_id,
            category=r.category,
            subject_kind=r.subject_kind,
            station_id=r.station_id,
            unit_code=r.unit_code,
            officer_pseudonym=r.officer_pseudonym,
            finding=r.finding,
        )
        for r in rows
    ]


async def ledger_of(session: AsyncSession, complaint_id: UUID) -> list[dict]:
    rows = await session.execute(
        select(complaint_events.c.event_type, complaint_events.c.data)
        .where(complaint_events.c.complaint_id == complaint_id)
        .where(complaint_events.c.sequence.is_not(None))
        .order_by(complaint_events.c.id)
    )
    return [{"type": r.event_type, "data": json.loads(r.data)} for r in rows]


def new_id() -> UUID:
    return uuid7()
