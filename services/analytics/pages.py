"""The dashboard: server-rendered pages (Jinja2) with Plotly charts, in Arabic or English.

Every asset is served by this service (Plotly's JavaScript from the installed package): the
dashboard works in a ministry with no internet. The pages read the same views as the API.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import plotly
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from libs.chassis.auth import Principal
from libs.chassis.service import Runtime, runtime
from libs.reference import load_reference

from . import page_specs
from .access import COOKIE, LANG_COOKIE, caller, verify
from .labels import Lang, code, word
from .scope import Scope, ancestors, scope_for
from .views import categories, load_view

HERE = Path(__file__).parent
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
templates = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
)
router = APIRouter(include_in_schema=False)
# Only our own scripts and styles (Plotly draws with inline styles); no third-party origin.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
)


def language(request: Request, lang: str | None) -> Lang:
    chosen = lang or request.cookies.get(LANG_COOKIE)
    if chosen in ("ar", "en"):
        return chosen  # type: ignore[return-value]
    accept = request.headers.get("accept-language", "")
    return "ar" if accept.lower().startswith("ar") else "en"


def json_for_script(value) -> str:
    """JSON safe inside a <script type="application/json"> element."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def render(request: Request, name: str, lang: Lang, status: int = 200, **context) -> Response:
    query = dict(request.query_params)
    other = "en" if lang == "ar" else "ar"
    html = templates.get_template(name).render(
        lang=lang,
        dir="rtl" if lang == "ar" else "ltr",
        w=lambda key: word(key, lang),
        switch_url=f"{request.url.path}?{urlencode(query | {'lang': other})}",
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    if request.query_params.get("lang") in ("ar", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict")
    return response


def optional_caller(request: Request) -> Principal | None:
    try:
        return caller(request)
    except HTTPException:
        return None


def _login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)


def nav(scope: Scope, lang: Lang) -> list[dict]:
    items = [v for v in ("overview", "crime", "accountability", "engagement") if scope.allows(v)]
    links = [{"href": f"/{v}", "label": word(v, lang), "key": v} for v in items]
    if scope.who == "station":
        links.insert(
            0,
            {
                "href": f"/scorecard/{scope.area}",
                "label": word("scorecard", lang),
                "key": "scorecard",
            },
        )
    links.append({"href": "/public/report", "label": word("public_report", lang), "key": "public"})
    return links


def area_options(scope: Scope, lang: Lang) -> list[dict]:
    """The areas a caller may filter by, grouped by level, in their language."""
    reference = load_reference()
    name = "name_ar" if lang == "ar" else "name_en"
    within = (
        (lambda a: True)
        if scope.area is None
        else (lambda a: scope.area in ancestors(reference, a))
    )
    groups = []
    if scope.area is None:
        groups.append(
            {
                "label": word("national", lang),
                "options": [(reference.national_code, word("national", lang))],
            }
        )
    for level, areas in (
        ("governorate", reference.governorates),
        ("district", reference.districts),
        ("station", reference.stations),
    ):
        options = [(k, getattr(v, name)) for k, v in sorted(areas.items()) if within(k)]
        if options:
            groups.append({"label": word(level, lang), "options": options})
    return groups


def category_options(view: str, lang: Lang) -> list[tuple[str, str]]:
    reference = load_reference()
    if view in ("accountability", "engagement"):
        return [(c, code(c, lang)) for c in sorted(categories(view))]
    out = []
    for c, item in sorted(reference.iccs.items()):
        title = item.title_ar if lang == "ar" else item.title_en
        out.append((c, f"{c} {'' if item.level == 1 else '· '}{title}"))
    return out


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
        scope = scope_for(principal)
        result = await load_view(view, request, principal, rt, **values)
    except HTTPException as exc:
        detail = (
            exc.detail
            if isinstance(exc.detail, str)
            else "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.detail)
        )
        return render(
            request,
            "error.html",
            chosen,
            exc.status_code,
            message=detail,
            heading=word("forbidden" if exc.status_code == 403 else view, chosen),
        )
    query = urlencode({k: v for k, v in params.items() if k != "lang"})
    api = f"/v1/stats/{view}" + (f"/{area}" if view == "scorecard" else "")
    return render(
        request,
        "view.html",
        chosen,
        page=view,
        heading=word(view, chosen)
        + (f" — {page_specs.label(page_specs.AREA, area, chosen)}" if view == "scorecard" else ""),
        nav=nav(scope, chosen),
        view=result,
        cards=page_specs.cards(result, view, chosen),
        figures_json=json_for_script(page_specs.figures(result, view, chosen)),
        charts=page_specs.figures(result, view, chosen),
        tables=page_specs.tables(result, view, chosen),
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
    except HTTPException as exc:
        return render(
            request,
            "error.html",
            language(request, None),
            exc.status_code,
            message=exc.detail,
            heading=word("forbidden", language(request, None)),
        )
    if scope.who == "station":
        return RedirectResponse(f"/scorecard/{scope.area}", status_code=303)
    return RedirectResponse(
        "/overview" if scope.allows("overview") else "/accountability", status_code=303
    )


def _view_page(view: str):
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


@router.get("/logout")
async def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/static/plotly.min.js")
async def plotly_js() -> Response:
    return FileResponse(
        PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/static/{name}")
async def static(name: str) -> Response:
    files = {"dashboard.js": "text/javascript", "dashboard.css": "text/css"}
    if name not in files:
        raise HTTPException(404, "no such file")
    return FileResponse(
        HERE / "static" / name,
        media_type=files[name],
        headers={"Cache-Control": "public, max-age=3600"},
    )
