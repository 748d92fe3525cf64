"""Routes for the public: file a complaint (no account needed), follow it with the PIN."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse

from libs.chassis import idempotency, rate_limit
from libs.chassis.auth import Principal, authenticated
from libs.chassis.db import in_transaction
from libs.chassis.errors import RuleViolation
from libs.chassis.service import Runtime, runtime
from libs.reference import load_reference

from ..application import intake, ledger, tracking, transitions
from ..config import ComplaintsConfig
from ..domain import ledger as chain
from ..domain.texts import language_from
from ..schemas import ComplaintIn, ComplaintStatusOut, Filed, LedgerDocument, ReviewRequested
from ..vault import vault

PIN_HEADER = "X-Complaint-PIN"
NO_STORE = {"Cache-Control": "no-store"}


async def optional_principal(request: Request) -> Principal | None:
    """The caller if they sent a token (staff filing at a counter or a hotline), else None.

    async, with `authenticated`: a known token costs no thread-pool hop per filing."""
    if not request.headers.get("authorization"):
        return None
    return await authenticated(request)


def client_address(request: Request) -> str:
    """The real client: behind a proxy listed in JISR_TRUSTED_PROXIES, uvicorn has already
    replaced the peer with the address that proxy saw (X-Forwarded-For); otherwise the peer."""
    return request.client.host if request.client else "unknown"


async def count_filing(
    rt: Runtime, config: ComplaintsConfig, request: Request, principal: Principal | None
) -> None:
    """The public is limited per real client address; staff channels (a station counter, the
    hotline: authenticated staff) only per account, generously, so a busy counter never is."""
    if principal is None:
        await rate_limit.hit(rt.sessions, config.intake_limit, client_address(request))
    else:
        await rate_limit.hit(rt.sessions, config.staff_intake_limit, principal.subject)


def _without_pin(body: dict[str, Any]) -> dict[str, Any]:
    # The PIN is never stored in clear: a replay gets a new one.
    return {k: v for k, v in body.items() if k != "pin"}


def build(config: ComplaintsConfig) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["complaints: public"])

    @router.post(
        "/complaints",
        status_code=201,
        response_model=Filed,
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
        await count_filing(rt, config, request, principal)
        where = intake.resolve(body, principal, load_reference())
        return await idempotency.write(
            request,
            rt.sessions,
            scope=f"intake:{principal.subject if principal else 'public'}",
            key=idempotency_key,
            work=partial(
                intake.file_complaint,
                body=body,
                where=where,
                language=body.language or language_from(accept_language),
                vault=vault(rt.settings),
                pseudonym_key=rt.settings.pseudonym_key,
                now=datetime.now(UTC),
            ),
            response_model=Filed,
            headers=lambda _: NO_STORE,
            kept=_without_pin,
            replayed=intake.reissue_pin,
        )

    @router.get(
        "/complaints/{reference}/status",
        response_model=ComplaintStatusOut,
        summary="Status and next deadline for the complainant (PIN in X-Complaint-PIN)",
    )
    async def get_status(
        reference: str,
        request: Request,
        response: Response,
        pin: str | None = Header(None, alias=PIN_HEADER),
        accept_language: str | None = Header(None),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        row = await tracking.tracked(
            rt.sessions, config.pin_limit, reference, pin, address=client_address(request)
        )
        language = language_from(accept_language, default=row.language)
        status = await in_transaction(
            rt.sessions,
            partial(
                tracking.status_of,
                row=row,
                language=language,
                pack=config.pack,
                now=datetime.now(UTC),
            ),
        )
        response.headers.update({"Content-Language": language, **NO_STORE})
        return status

    @router.post(
        "/complaints/{reference}/review-request",
        response_model=ReviewRequested,
        summary="The complainant asks for a review of the outcome during the review window "
        "(PIN in X-Complaint-PIN); after it, 409 with the date it ended, in their language",
    )
    async def request_review(
        reference: str,
        request: Request,
        response: Response,
        pin: str | None = Header(None, alias=PIN_HEADER),
        accept_language: str | None = Header(None),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        return await _by_complainant(
            transitions.request_review, reference, request, response, pin, accept_language, rt
        )

    @router.post(
        "/complaints/{reference}/review-waiver",
        response_model=ReviewRequested,
        summary="The complainant waives the review (PIN in X-Complaint-PIN): the case closes; "
        "only the complainant can do this",
    )
    async def waive_review(
        reference: str,
        request: Request,
        response: Response,
        pin: str | None = Header(None, alias=PIN_HEADER),
        accept_language: str | None = Header(None),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        return await _by_complainant(
            transitions.waive_review, reference, request, response, pin, accept_language, rt
        )

    async def _by_complainant(
        use_case: Any,
        reference: str,
        request: Request,
        response: Response,
        pin: str | None,
        accept_language: str | None,
        rt: Runtime,
    ) -> dict[str, Any]:
        row = await tracking.tracked(
            rt.sessions, config.pin_limit, reference, pin, address=client_address(request)
        )
        language = language_from(accept_language, default=row.language)
        entry = await in_transaction(
            rt.sessions,
            partial(
                use_case,
                complaint_id=row.complaint_id,
                pack=config.pack,
                now=datetime.now(UTC),
                language=language,
            ),
        )
        response.headers.update({"Content-Language": language, **NO_STORE})
        return {"status": entry.to_status, "sequence": entry.sequence}

    @router.get(
        "/complaints/{key}/ledger",
        response_model=LedgerDocument,
        summary="A complaint's hash chain with the latest signed checkpoint and public key: by "
        "id with a staff or oversight token, or by reference with the PIN (X-Complaint-PIN)",
    )
    async def get_ledger(
        key: str,
        request: Request,
        pin: str | None = Header(None, alias=PIN_HEADER),
        rt: Runtime = Depends(runtime),
    ) -> dict[str, Any]:
        principal = await optional_principal(request)
        signing_key = chain.signing_key(rt.settings.ledger_signing_key)
        if principal is None:
            complaint_id = (
                await tracking.tracked(
                    rt.sessions, config.pin_limit, key, pin, address=client_address(request)
                )
            ).complaint_id
        else:
            try:
                complaint_id = UUID(key)
            except ValueError as exc:
                raise RuleViolation(
                    ("path", "key"), "with a token, address the complaint by its id"
                ) from exc
        return await in_transaction(
            rt.sessions,
            partial(
                ledger.document, complaint_id=complaint_id, key=signing_key, principal=principal
            ),
        )

    return router
