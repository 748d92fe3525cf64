"""Server-rendered pages (Jinja2) with Plotly charts, in Arabic or English.

Every asset is served by this service (Plotly's JavaScript from the installed package): the
dashboard works in a ministry with no internet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import plotly
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from libs.chassis.errors import RuleViolation
from libs.reference import load_reference

from ..access import LANG_COOKIE, signed_in_as
from ..domain.freshness import for_page
from ..domain.labels import Lang, code, national_label, word
from ..domain.scope import PROGRAMME_VIEWS, Scope, ancestors, categories
from ..freshness.watch import watch_of

HERE = Path(__file__).parent
STATIC = HERE / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
templates = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
)
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


def json_for_script(value: Any) -> str:
    """JSON safe inside a <script type="application/json"> element."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def render(request: Request, name: str, lang: Lang, status: int = 200, **context: Any) -> Response:
    query = dict(request.query_params)
    other = "en" if lang == "ar" else "ar"

    def page_url(param: str, value: int) -> str:
        """This page with one query parameter changed (a table's page)."""
        return f"{request.url.path}?{urlencode(query | {param: str(value)})}"

    html = templates.get_template(name).render(
        lang=lang,
        dir="rtl" if lang == "ar" else "ltr",
        w=lambda key: word(key, lang),
        switch_url=f"{request.url.path}?{urlencode(query | {'lang': other})}",
        page_url=page_url,
        path=request.url.path,
        **({"freshness": freshness_for(request), "signed_in": signed_in_as(request)} | context),
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    if request.query_params.get("lang") in ("ar", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict")
    return response


def freshness_for(request: Request) -> dict[str, Any] | None:
    """The freshness banner's block (freshness.html), from the service's watch; None outside
    a running service."""
    rt = getattr(request.app.state, "runtime", None)
    return for_page(watch_of(rt).block) if rt is not None else None


def message(exc: RuleViolation, *, last_part: bool = False) -> str:
    """A refusal in words for an error page: the field (or its last part) and the rule."""
    if not exc.loc:
        return exc.rule
    where = str(exc.loc[-1]) if last_part else ".".join(map(str, exc.loc))
    return f"{where}: {exc.rule}"


def nav(scope: Scope, lang: Lang) -> list[dict[str, str]]:
    pages = ("overview", "crime", "accountability", "engagement", *PROGRAMME_VIEWS, "evaluation")
    items = [v for v in pages if scope.allows(v)]
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


def area_options(scope: Scope, lang: Lang) -> list[dict[str, Any]]:
    """The areas a caller may filter by, grouped by level, in their language."""
    reference = load_reference()
    name = "name_ar" if lang == "ar" else "name_en"

    def within(area: str) -> bool:
        return scope.area is None or scope.area in ancestors(reference, area)

    groups: list[dict[str, Any]] = []
    if scope.area is None:
        groups.append(
            {
                "label": word("national", lang),
                "options": [(reference.national_code, national_label(reference, lang))],
            }
        )
    areas: dict[str, Any]
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
    if view in ("accountability", "engagement", "membership", "outreach", "plans"):
        return [(c, code(c, lang)) for c in sorted(categories(view))]
    out = []
    for c, item in sorted(reference.iccs.items()):
        title = item.title_ar if lang == "ar" else item.title_en
        out.append((c, f"{c} {'' if item.level == 1 else '· '}{title}"))
    return out
