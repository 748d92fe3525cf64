"""Routes for the public: file a complaint (no account needed), follow it with the PIN."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select, update

from libs.chassis import idempotency, rate_limit
from libs.chassis.auth import Principal, current_principal
from libs.chassis.service import Runtime, runtime
from libs.reference import load_reference

from . import checkpoints, ledger
from .access import load_visible
from .casework import (
    hash_pin,
    ledger_of,
    new_pin,
    normalise_reference,
    pin_matches,
    status_history,
    vault,
)
from .clocks import next_deadline
from .config import ComplaintsConfig
from .domain import COMPLAINANT, DomainError, clock_text, language_from, status_text
from .errors import http_error
from .intake import ComplaintIn, file_complaint, resolve_area, resolve_channel
from .tables import complaints
from .transitions import apply_transition

PIN_HEADER = "X-Complaint-PIN"


def optional_principal(request: Request) -> Principal | None:
    """The caller if they sent a token (staff filing at a counter or a hotline), else None."""
    if not request.headers.get("authorization"):
        return None
    return current_principal(request)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def reissue_pin(session, stored: dict) -> str:
    """A retried filing (the first answer may never have arrived) gets the same complaint
    and a fresh PIN; the earlier PIN stops working."""
    pin = new_pin()
    await session.execute(
        update(complaints)
        .where(complaints.c.complaint_id == UUID(stored["complaint_id"]))
        .values(pin_hash=await hash_pin(pin))
    )
    return pin


def build(config: ComplaintsConfig) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["complaints: public"])

    @router.post(
        "/complaints",
        status_code=201,
        summary="File a complaint (web with no account, station counter, NGO, hotline)",
    )
    async def post_complaint(
        request: Request,
        body: ComplaintIn,
        principal: Principal | None = Depends(optional_principal),
        accept_language: str | None = Header(None),
        idempotency_key: str | None = Header(None, alias=idempotency.HEADER),
        rt: Runtime = Depends(runtime),
    ) -> JSONResponse:
        await rate_limit.hit(rt.sessions, config.intake_limit, client_address(request))
        try:
            channel, counter = resolve_channel(body, principal)
            governorate = resolve_area(body, load_reference())
        except DomainError as exc:
            raise http_error(exc) from exc
        language = body.language or language_from(accept_language)
        now = datetime.now(UTC)
        scope = f"intake:{principal.subject if principal else 'public'}"
        async with rt.sessions() as session, session.begin():
            if idempotency_key:
                body_hash = idempotency.fingerprint("POST", request.url.path, await request.body())
                stored = await idempotency.claim(session, scope, idempotency_key, body_hash)
                if stored is not None:
                    replayed = stored.body | {"pin": await reissue_pin(session, stored.body)}
                    headers = {"Cache-Control": "no-store", "Idempotent-Replayed": "true"}
                    return JSONResponse(replayed, stored.status_code, headers)
            filed = await file_complaint(
                session,
                body,
                channel=channel,
                intake_station=counter,
                governorate=governorate,
                language=language,
                vault=vault(rt.settings),
                pseudonym_key=rt.settings.pseudonym_key,
                now=now,
            )
            filed |= {"status": "received", "status_text": status_text("received", language)}
            if idempotency_key:  # the PIN is never stored in clear: a replay gets a new one
                kept = {k: v for k, v in filed.items() if k != "pin"}
                await idempotency.remember(session, scope, idempotency_key, 201, kept)
        return JSONResponse(filed, 201, {"Cache-Control": "no-store"})

    async def tracked(rt: Runtime, reference: str, pin: str | None):
        """The complaint behind a reference, if the PIN is right; wrong PINs are counted."""
        normalised = normalise_reference(reference)
        await rate_limit.check(rt.sessions, config.pin_limit, normalised)
        async with rt.sessions() as session:
            row = (
                await session.execute(
                    select(complaints).where(complaints.c.reference == normalised)
                )
            ).one_or_none()
        # Same answer for an unknown reference and a wrong PIN: nothing to enumerate.
        if row is None or not pin or not await pin_matches(pin, row.pin_hash):
            await rate_limit.hit(rt.sessions, config.pin_limit, normalised)
            raise HTTPException(404, "no complaint with this reference and PIN")
        return row

    @router.get(
        "/complaints/{reference}/status",
        summary="Status and next deadline for the complainant (PIN in X-Complaint-PIN)",
    )
    async def get_status(
        reference: str,
        pin: str | None = Header(None, alias=PIN_HEADER),
        accept_language: str | None = Header(None),
        rt: Runtime = Depends(runtime),
    ) -> JSONResponse:
        row = await tracked(rt, reference, pin)
        language = language_from(accept_language, default=row.language)
        now = datetime.now(UTC)
        async with rt.sessions() as session:
            history = await status_history(session, row.complaint_id)
            entries = await ledger_of(session, row.complaint_id)
            checkpoint = await checkpoints.latest(session)
        deadline = next_deadline(history, config.pack, now)
        head = checkpoints.head_in(checkpoint, str(row.complaint_id))
        body = {
            "reference": row.reference,
            "status": row.status,
            "status_text": status_text(row.status, language),
            "since": row.status_since.isoformat(),
            "next_deadline": (
                {
                    "clock": deadline.kind,
                    "text": clock_text(deadline.kind, language),
                    "due_at": deadline.due_at.isoformat(),
                }
                if deadline
                else None
            ),
            "ledger": {
                "verified": ledger.verify_chain(str(row.complaint_id), [e["data"] for e in entries])
                == [],
                "entries": [
                    {
                        "sequence": e["data"]["sequence"],
                        "status": e["data"]["to_status"],
                        "at": e["data"]["changed_at"],
                        "prev_hash": e["data"]["prev_hash"],
                        "hash": e["data"]["hash"],
                    }
                    for e in entries
                ],
                "signed_checkpoint": (
                    {"id": checkpoint["id"], "sequence": head["sequence"], "hash": head["hash"]}
                    if head
                    else None
                ),
            },
        }
        return JSONResponse(
            body, headers={"Content-Language": language, "Cache-Control": "no-store"}
        )

    @router.post(
        "/complaints/{reference}/review-request",
        summary="The complainant asks for a review of the outcome (PIN in X-Complaint-PIN)",
    )
    async def request_review(
        reference: str,
        pin: str | None = Header(None, alias=PIN_HEADER),
        rt: Runtime = Depends(runtime),
    ) -> dict:
        row = await tracked(rt, reference, pin)
        async with rt.sessions() as session, session.begin():
            try:
                entry = await apply_transition(
                    session,
                    row.complaint_id,
                    {"to": "review_requested"},
                    frozenset({COMPLAINANT}),
                    rt.settings.pseudonym_key,
                    config.pack,
                )
            except DomainError as exc:
                raise http_error(exc) from exc
        return {"status": entry.to_status, "sequence": entry.sequence}

    @router.get(
        "/complaints/{key}/ledger",
        summary="A complaint's hash chain with the latest signed checkpoint and public key: by "
        "id with a staff or oversight token, or by reference with the PIN (X-Complaint-PIN)",
    )
    async def get_ledger(
        key: str,
        request: Request,
        pin: str | None = Header(None, alias=PIN_HEADER),
        rt: Runtime = Depends(runtime),
    ) -> dict:
        principal = optional_principal(request)
        if principal is None:
            complaint_id = (await tracked(rt, key, pin)).complaint_id
        else:
            try:
                complaint_id = UUID(key)
            except ValueError as exc:
                raise HTTPException(422, "with a token, address the complaint by its id") from exc
        async with rt.sessions() as session:
            if principal is not None:
                await load_visible(session, principal, complaint_id)
            return await ledger_document(session, rt, complaint_id)

    return router


async def ledger_document(session, rt: Runtime, complaint_id) -> dict:
    """One complaint's chain, the latest signed checkpoint and the key to check it with."""
    return {
        "complaint_id": str(complaint_id),
        "items": await ledger_of(session, complaint_id),
        "checkpoint": await checkpoints.latest(session),
        "public_key": ledger.public_pem(ledger.signing_key(rt.settings.ledger_signing_key)),
    }
