"""The dashboard's pages, login and static files. A page reads the same view as the API; a
refusal (403, 404, 422) is drawn as an error page, since a browser is reading, not a client."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from libs.chassis.auth import Principal
from libs.chassis.errors import RuleViolation
from libs.chassis.service import Runtime, runtime

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
from ..domain.labels import word
from ..domain.scope import scope_for
from .stats import load_view

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
        tables=specs.tables(result, view, chosen),
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


for _view in ("overview", "crime", "accountability", "engagement"):
    _view_page(_view)


@router.get("/scorecard/{station_id}", response_class=HTMLResponse)
async def scorecard_page(
    station_id: str,
    request: Request,
    lang: str | None = Query(None),
    rt: Runtime = Depends(runtime),
) -> Response:
    return await _page("scorecard", request, lang, rt, area=station_id)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another origin."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
async def login_form(
    request: Request, next: str | None = None, lang: str | None = Query(None)
) -> Response:
    return render(
        request, "login.html", language(request, lang), next=_safe_next(next), error=None, nav=[]
    )


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = parse_qs((await request.body()).decode(errors="replace"))
    token = (form.get("token") or [""])[0].strip()
    target = _safe_next((form.get("next") or ["/"])[0])
    lang = language(request, None)
    try:
        verify(request, token)
    except HTTPException as exc:
        return render(
            request,
            "login.html",
            lang,
            401,
            next=target,
            nav=[],
            error=f"{word('bad_token', lang)}: {exc.detail}",
        )
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
async def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
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
