"""The citizens' pages: file a complaint, see the reference and PIN once, follow it with the
reference and PIN, read the findings and outcome, ask for a review.

Plain HTML forms and POST-redirect-GET: they work with JavaScript off on any phone. Each
page calls the same application functions as the JSON public routes (`public.py`), with the
same limits; a refusal is drawn on the page, in the page's language, naming the field.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from libs.chassis import idempotency
from libs.chassis.db import in_transaction
from libs.chassis.errors import RuleViolation
from libs.chassis.service import Runtime, runtime
from libs.reference import load_reference

from ..application import intake, tracking, transitions
from ..config import ComplaintsConfig
from ..pages import session
from ..pages.forms import (
    ALLEGATION_BLOCKS,
    LABELS,
    MAX_FORM_BYTES,
    FieldError,
    FormInvalid,
    complaint_from,
    from_rule,
    parse_form,
)
from ..pages.render import STATIC, language, render, status_view
from ..pages.words import Lang, word
from ..schemas import Filed
from ..vault import vault
from .public import client_address, count_filing

PAGE_SCOPE = "intake:citizen-page"


def _labelled(errors: list[FieldError], lang: Lang) -> list[dict[str, str]]:
    return [
        {"field": e.field, "label": word(LABELS.get(e.field, e.field), lang), "message": e.message}
        for e in errors
    ]


def _redirect(url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _form(request: Request) -> dict[str, str] | None:
    """The posted form, or None when it is missing or larger than any form of ours."""
    length = request.headers.get("content-length", "")
    if not length.isdigit() or int(length) > MAX_FORM_BYTES:
        return None
    return parse_form(await request.body())


def build(config: ComplaintsConfig) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    timezone = config.pack.timezone

    def page(request: Request, name: str, lang: Lang, code: int = 200, **context: Any) -> Response:
        return render(request, name, lang, code, timezone=timezone, **context)

    def message(
        request: Request, lang: Lang, status: int, heading: str, text: str, back: str = "/citizen"
    ) -> Response:
        return page(request, "message.html", lang, status, heading=heading, message=text, back=back)

    def refused(request: Request, lang: Lang, exc: HTTPException, back: str) -> Response:
        """A 429 (too many filings or wrong PINs) as a page, with when to try again."""
        retry = (exc.headers or {}).get("Retry-After", "60")
        minutes = max(1, math.ceil(int(retry) / 60)) if retry.isdigit() else 1
        response = message(
            request,
            lang,
            exc.status_code,
            word("too_many_title", lang),
            word("try_again_in", lang, minutes=minutes),
            back,
        )
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    def forbidden(request: Request, lang: Lang, back: str) -> Response:
        return message(
            request, lang, 403, word("forbidden_title", lang), word("forbidden", lang), back
        )

    @router.get("/")
    async def root() -> Response:
        return _redirect("/citizen")

    @router.get("/citizen")
    async def home(request: Request) -> Response:
        return page(request, "home.html", language(request))

    def file_page(
        request: Request, lang: Lang, form: dict[str, str], errors: list[FieldError], status: int
    ) -> Response:
        return page(
            request,
            "file.html",
            lang,
            status,
            form=form,
            errors=_labelled(errors, lang),
            errors_by={e.field: e.message for e in errors},
            blocks=ALLEGATION_BLOCKS,
            submission=form.get("submission") or session.new_submission(),
        )

    @router.get("/citizen/file")
    async def file_form(request: Request) -> Response:
        return file_page(request, language(request), {}, [], 200)

    @router.post("/citizen/file")
    async def file_post(request: Request, rt: Runtime = Depends(runtime)) -> Response:
        lang = language(request)
        form = await _form(request)
        if form is None or not session.csrf_ok(request, form):
            return forbidden(request, lang, "/citizen/file")
        today = datetime.now(ZoneInfo(timezone)).date()
        try:
            body = complaint_from(form, lang, timezone, today)
            where = intake.resolve(body, None, load_reference())
        except FormInvalid as exc:
            return file_page(request, lang, form, exc.errors, 422)
        except RuleViolation as exc:
            return file_page(request, lang, form, [from_rule(exc, lang)], exc.status)
        try:
            await count_filing(rt, config, request, None)  # the JSON intake's public limit
        except HTTPException as exc:
            return refused(request, lang, exc, "/citizen/file")
        # The hidden submission id is the Idempotency-Key: a form sent twice (a double tap, a
        # reload of the POST) files once, and the second answer carries a fresh PIN.
        answer = await idempotency.write(
            request,
            rt.sessions,
            scope=PAGE_SCOPE,
            key=session.submission_key(form.get("submission")),
            work=partial(
                intake.file_complaint,
                body=body,
                where=where,
                language=body.language or lang,
                vault=vault(rt.settings),
                pseudonym_key=rt.settings.pseudonym_key,
                now=datetime.now(UTC),
            ),
            response_model=Filed,
            kept=lambda filed: {k: v for k, v in filed.items() if k != "pin"},
            replayed=intake.reissue_pin,
        )
        filed = json.loads(bytes(answer.body))
        shown = {k: filed[k] for k in ("reference", "pin", "status_text")}
        response = _redirect("/citizen/filed")
        sealed = session.seal(
            rt.settings.personal_data_key, session.FILED_COOKIE, shown, session.FILED_SECONDS
        )
        session.set_cookie(request, response, session.FILED_COOKIE, sealed, session.FILED_SECONDS)
        return response

    @router.get("/citizen/filed")
    async def filed_page(request: Request, rt: Runtime = Depends(runtime)) -> Response:
        filed = session.unseal(
            rt.settings.personal_data_key,
            session.FILED_COOKIE,
            request.cookies.get(session.FILED_COOKIE),
        )
        response = page(request, "filed.html", language(request), filed=filed)
        response.delete_cookie(session.FILED_COOKIE, path="/")  # shown once
        return response

    @router.get("/citizen/track")
    async def track_form(request: Request) -> Response:
        lang = language(request)
        notice = word("session_over", lang) if request.query_params.get("expired") else None
        return page(request, "track.html", lang, form={}, errors=[], errors_by={}, notice=notice)

    @router.post("/citizen/track")
    async def track_post(request: Request, rt: Runtime = Depends(runtime)) -> Response:
        lang = language(request)
        form = await _form(request)
        if form is None or not session.csrf_ok(request, form):
            return forbidden(request, lang, "/citizen/track")
        reference, pin = form.get("reference", ""), form.get("pin", "")
        missing = [
            FieldError(name, word("err_missing", lang))
            for name, value in (("reference", reference), ("pin", pin))
            if not value
        ]
        if not missing:
            try:
                await tracking.tracked(
                    rt.sessions, config.pin_limit, reference, pin, address=client_address(request)
                )
            except RuleViolation:
                missing = [FieldError("reference", word("err_not_found", lang))]
            except HTTPException as exc:
                return refused(request, lang, exc, "/citizen/track")
        if missing:
            labels = {"reference": "reference", "pin": "pin"}
            errors = [
                {"field": e.field, "label": word(labels[e.field], lang), "message": e.message}
                for e in missing
            ]
            return page(
                request,
                "track.html",
                lang,
                422,
                form={"reference": reference},
                errors=errors,
                errors_by={e.field: e.message for e in missing},
                notice=None,
            )
        response = _redirect("/citizen/status")
        sealed = session.seal(
            rt.settings.personal_data_key,
            session.TRACK_COOKIE,
            {"reference": reference, "pin": pin},
            session.TRACK_SECONDS,
        )
        session.set_cookie(request, response, session.TRACK_COOKIE, sealed, session.TRACK_SECONDS)
        return response

    async def opened(request: Request, rt: Runtime) -> Any:
        """The complaint this browser opened with its reference and PIN (the PIN checked again
        each time, by the same function as the JSON status route), or None."""
        held = session.unseal(
            rt.settings.personal_data_key,
            session.TRACK_COOKIE,
            request.cookies.get(session.TRACK_COOKIE),
        )
        if held is None:
            return None
        try:
            return await tracking.tracked(
                rt.sessions,
                config.pin_limit,
                held["reference"],
                held["pin"],
                address=client_address(request),
            )
        except RuleViolation:  # the PIN was replaced (a retried filing): ask again
            return None

    async def status_page(
        request: Request,
        rt: Runtime,
        row: Any,
        *,
        notice: str | None = None,
        refusal: str | None = None,
        code: int = 200,
    ) -> Response:
        lang = language(request)
        status = await in_transaction(
            rt.sessions,
            partial(
                tracking.status_of,
                row=row,
                language=lang,
                pack=config.pack,
                now=datetime.now(UTC),
            ),
        )
        return page(
            request,
            "status.html",
            lang,
            code,
            status=status,
            view=status_view(status, lang),
            notice=notice,
            refusal=refusal,
        )

    def gone(request: Request) -> Response:
        response = _redirect("/citizen/track?expired=1")
        response.delete_cookie(session.TRACK_COOKIE, path="/")
        return response

    @router.get("/citizen/status")
    async def status_get(request: Request, rt: Runtime = Depends(runtime)) -> Response:
        lang = language(request)
        try:
            row = await opened(request, rt)
        except HTTPException as exc:
            return refused(request, lang, exc, "/citizen/track")
        if row is None:
            return gone(request)
        done = {"review": "review_sent", "waived": "waived"}.get(
            request.query_params.get("done", "")
        )
        notice = word(done, lang) if done else None
        return await status_page(request, rt, row, notice=notice)

    async def by_complainant(request: Request, rt: Runtime, use_case: Any, done: str) -> Response:
        """A review asked for or waived: the JSON routes' use cases, the same checks."""
        lang = language(request)
        form = await _form(request)
        if form is None or not session.csrf_ok(request, form):
            return forbidden(request, lang, "/citizen/status")
        try:
            row = await opened(request, rt)
        except HTTPException as exc:
            return refused(request, lang, exc, "/citizen/status")
        if row is None:
            return gone(request)
        try:
            await in_transaction(
                rt.sessions,
                partial(
                    use_case,
                    complaint_id=row.complaint_id,
                    pack=config.pack,
                    now=datetime.now(UTC),
                    language=lang,
                ),
            )
        except RuleViolation as exc:
            return await status_page(request, rt, row, refusal=exc.rule, code=exc.status)
        return _redirect(f"/citizen/status?done={done}")

    @router.post("/citizen/review")
    async def review_post(request: Request, rt: Runtime = Depends(runtime)) -> Response:
        return await by_complainant(request, rt, transitions.request_review, "review")

    @router.post("/citizen/waive")
    async def waive_post(request: Request, rt: Runtime = Depends(runtime)) -> Response:
        return await by_complainant(request, rt, transitions.waive_review, "waived")

    @router.post("/citizen/leave")
    async def leave(request: Request) -> Response:
        response = _redirect("/citizen/track")
        response.delete_cookie(session.TRACK_COOKIE, path="/")
        return response

    @router.get("/citizen/static/citizen.css")
    async def stylesheet() -> Response:
        return FileResponse(
            STATIC / "citizen.css",
            media_type="text/css",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    return router
