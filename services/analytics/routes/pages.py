"""The dashboard's pages, login and static files. A page reads the same view as the API; a
refusal (403, 404, 422) is drawn as an error page, since a browser is reading, not a client."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.chassis.service import Runtime, runtime

from .. import sign_in
from ..access import COOKIE, caller, verify
from ..dashboard import specs
from ..dashboard.render import (
    PLOTLY_JS,
    STATIC,
    area_options,
    category_options,
    json_for_script,
    language,
    message,
    nav,
    render,
)
from ..domain.evaluation import days_of
from ..domain.labels import word
from ..domain.scope import PROGRAMME_VIEWS, scope_for
from .stats import load_evaluation, load_view

router = APIRouter(include_in_schema=False)


def optional_caller(request: Request) -> Principal | None:
    try:
        return caller(request)
    except HTTPException:
        return None


def _login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)


async def _page(
    view: str, request: Request, lang: str | None, rt: Runtime, area: str | None = None
) -> Response:
    chosen = language(request, lang)
    principal = optional_caller(request)
    if principal is None:
        return _login_redirect(request)
    params = request.query_params
    values = {
        "start": params.get("from"),
        "end": params.get("to"),
        "area": area or params.get("area") or None,
        "category": params.get("category") or None,
    }
    try:
        result = await load_view(view, request, principal, rt, values)
        # the area the view was cut to (an oversight body's registered jurisdiction, not its
        # token's claims) is also the one the navigation and area choices offer
        scope = replace(scope_for(principal), area=result["scope"]["area"])
    except RuleViolation as exc:
        return render(
            request,
            "error.html",
            chosen,
            exc.status,
            message=message(exc),
            heading=word("forbidden" if exc.status == 403 else view, chosen),
        )
    query = urlencode({k: v for k, v in params.items() if k != "lang"})
    api = f"/v1/stats/{view}" + (f"/{area}" if view == "scorecard" else "")
    return render(
        request,
        "view.html",
        chosen,
        page=view,
        heading=word(view, chosen)
        + (f" — {specs.label(specs.AREA, area, chosen)}" if view == "scorecard" else ""),
        nav=nav(scope, chosen),
        view=result,
        cards=specs.cards(result, view, chosen),
        figures_json=json_for_script(specs.figures(result, view, chosen)),
        charts=specs.figures(result, view, chosen),
        tables=specs.tables(result, view, chosen, params),  # params: a table's page
        filters=result["filters"],
        areas=area_options(scope, chosen) if view != "scorecard" else [],
        category_choices=category_options(view, chosen),
        json_url=f"{api}?{query}",
        csv_url=f"{api}.csv?{query}",
    )


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    principal = optional_caller(request)
    if principal is None:
        return _login_redirect(request)
    try:
        scope = scope_for(principal)
    except RuleViolation as exc:
        return render(
            request,
            "error.html",
            language(request, None),
            exc.status,
            message=message(exc),
            heading=word("forbidden", language(request, None)),
        )
    if scope.who == "station":
        return RedirectResponse(f"/scorecard/{scope.area}", status_code=303)
    return RedirectResponse(
        "/overview" if scope.allows("overview") else "/accountability", status_code=303
    )


def _view_page(view: str) -> None:
    async def page(
        request: Request, lang: str | None = Query(None), rt: Runtime = Depends(runtime)
    ) -> Response:
        return await _page(view, request, lang, rt)

    router.add_api_route(f"/{view}", page, methods=["GET"], response_class=HTMLResponse)


for _view in ("overview", "crime", "accountability", "engagement", *PROGRAMME_VIEWS):
    _view_page(_view)


@router.get("/scorecard/{station_id}", response_class=HTMLResponse)
async def scorecard_page(
    station_id: str,
    request: Request,
    lang: str | None = Query(None),
    rt: Runtime = Depends(runtime),
) -> Response:
    return await _page("scorecard", request, lang, rt, area=station_id)


EVALUATION_PARAMS = (
    "treated", "comparison", "start", "before_from", "before_to", "after_from", "after_to",
    "category",
)  # fmt: skip


@router.get("/evaluation", response_class=HTMLResponse)
async def evaluation_page(
    request: Request, lang: str | None = Query(None), rt: Runtime = Depends(runtime)
) -> Response:
    """The before/after evaluation; what the caller did not choose is suggested (a note says
    so), so the page opens on figures rather than on an empty form."""
    chosen = language(request, lang)
    principal = optional_caller(request)
    if principal is None:
        return _login_redirect(request)
    params = request.query_params
    try:
        values: dict[str, Any] = {k: params.get(k) or None for k in EVALUATION_PARAMS}
        values["days"] = days_of(params.get("days"))
        result = await load_evaluation(request, principal, rt, values, suggest=True)
        scope = scope_for(principal)
    except RuleViolation as exc:
        return render(
            request,
            "error.html",
            chosen,
            exc.status,
            message=message(exc),
            heading=word("forbidden" if exc.status == 403 else "evaluation", chosen),
        )
    f = result["filters"]
    query = urlencode(
        {"treated": f["treated"], "comparison": f["comparison"], "start": f["start"]}
        | {f"{w}_{end}": f[w][key] for w in ("before", "after") for end, key in
           (("from", "from"), ("to", "to"))}
        | ({"category": f["category"]} if f["category"] else {})
    )  # fmt: skip
    return render(
        request,
        "evaluation.html",
        chosen,
        page="evaluation",
        heading=word("evaluation", chosen),
        nav=nav(scope, chosen),
        view=result,
        cards=specs.cards(result, "evaluation", chosen),
        figures_json=json_for_script(specs.figures(result, "evaluation", chosen)),
        charts=specs.figures(result, "evaluation", chosen),
        tables=specs.tables(result, "evaluation", chosen),
        filters=f,
        areas=area_options(scope, chosen),
        category_choices=[
            (c, t) for c, t in category_options("crime", chosen) if len(c) in (2, 4)
        ],
        json_url=f"/v1/stats/evaluation?{query}",
        csv_url=f"/v1/stats/evaluation.csv?{query}",
    )


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another origin."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _login_page(
    request: Request, lang: str, target: str, status: int = 200, error: str | None = None
) -> Response:
    settings = request.app.state.settings
    return render(
        request,
        "login.html",
        lang,  # type: ignore[arg-type]
        status,
        next=target,
        nav=[],
        error=error,
        provider=settings.oidc_provider_name if sign_in.configured(settings) else None,
        paste_token=sign_in.development_sign_in(settings),
    )


@router.get("/login", response_class=HTMLResponse)
async def login_form(
    request: Request, next: str | None = None, lang: str | None = Query(None)
) -> Response:
    return _login_page(request, language(request, lang), _safe_next(next))


@router.get("/login/oidc", response_class=RedirectResponse)
async def sign_in_start(request: Request, next: str | None = None) -> Response:
    """To the identity provider (OIDC authorization code with PKCE), back at /login/callback."""
    lang = language(request, None)
    if not sign_in.configured(request.app.state.settings):
        return _login_page(request, lang, _safe_next(next), 404, "no identity provider is set up")
    try:
        return await sign_in.begin(request, _safe_next(next))
    except sign_in.SignInFailed as exc:
        return _login_page(request, lang, _safe_next(next), exc.status, exc.reason)
    except sign_in.SignInMisconfigured as exc:
        return _login_page(request, lang, _safe_next(next), 503, str(exc))


@router.get("/login/callback", response_class=HTMLResponse, name="sign_in_callback")
async def sign_in_callback(request: Request) -> Response:
    lang = language(request, None)
    try:
        principal, name, id_token, target = await sign_in.complete(request)
    except (sign_in.SignInFailed, sign_in.SignInMisconfigured) as exc:
        reason = exc.reason if isinstance(exc, sign_in.SignInFailed) else str(exc)
        status = exc.status if isinstance(exc, sign_in.SignInFailed) else 503
        response = _login_page(
            request, lang, "/", status, f"{word('sign_in_failed', lang)}: {reason}"
        )
        sign_in.end_session(response)
        return response
    response = RedirectResponse(_safe_next(target), status_code=303)
    response.delete_cookie(sign_in.FLOW_COOKIE, path="/login")
    response.delete_cookie(COOKIE)
    sign_in.start_session(request, response, principal, name, id_token)
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    """The development sign-in: a pasted token (only while no identity provider is set up)."""
    form = parse_qs((await request.body()).decode(errors="replace"))
    token = (form.get("token") or [""])[0].strip()
    target = _safe_next((form.get("next") or ["/"])[0])
    lang = language(request, None)
    if not sign_in.development_sign_in(request.app.state.settings):
        return _login_page(request, lang, target, 403, "sign in with the identity provider")
    try:
        verify(request, token)
    except HTTPException as exc:
        return _login_page(request, lang, target, 401, f"{word('bad_token', lang)}: {exc.detail}")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=8 * 3600,
    )
    return response


@router.get("/logout", response_class=RedirectResponse)
async def logout(request: Request) -> Response:
    """Ends the dashboard's session, then the provider's (its end-session endpoint) if any."""
    elsewhere = await sign_in.sign_out_url(request, sign_in.session_of(request))
    response = RedirectResponse(elsewhere or "/login", status_code=303)
    response.delete_cookie(COOKIE)
    sign_in.end_session(response)
    return response


@router.get("/static/plotly.min.js", response_class=FileResponse)
async def plotly_js() -> Response:
    return FileResponse(
        PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/static/{name}", response_class=FileResponse)
async def static(name: str) -> Response:
    files = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
    if name not in files:
        raise RuleViolation.not_found("no such file")
    return FileResponse(
        STATIC / name,
        media_type=files[name],
        headers={"Cache-Control": "public, max-age=3600"},
    )
