"""Rendering the citizens' pages (Jinja2, as analytics' dashboard does): the language, its
direction, the security headers every page answers with."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from libs.reference import load_reference

from ..domain.texts import STATUS_TEXT, language_from, status_text
from .session import CSRF_COOKIE, csrf_token, set_cookie
from .words import AGE_BANDS, CATEGORIES, Lang, label, word

HERE = Path(__file__).parent
STATIC = HERE / "static"
LANG_COOKIE = "jisr_lang"  # the same name as the dashboard's: one choice per site
templates = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
)
# No script at all; styles from our own file only; forms post only to this site.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def language(request: Request) -> Lang:
    """?lang=, else the remembered choice, else the browser's; Arabic first."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in ("ar", "en"):
        return chosen  # type: ignore[return-value]
    return "en" if language_from(request.headers.get("accept-language")) == "en" else "ar"


def when(value: Any, timezone: str) -> str:
    """A time as the complainant reads it: local date and time, digits they can copy."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return "" if value is None else str(value)
    return value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


@cache
def _places(lang: Lang) -> dict[str, Any]:
    reference = load_reference()
    name = "name_ar" if lang == "ar" else "name_en"
    governorates = sorted(
        ((code, getattr(g, name)) for code, g in reference.governorates.items()),
        key=lambda item: item[1],
    )
    stations = [
        {
            "label": gname,
            "options": sorted(
                (
                    (sid, getattr(s, name))
                    for sid, s in reference.stations.items()
                    if s.governorate_code == code
                ),
                key=lambda item: item[1],
            ),
        }
        for code, gname in governorates
    ]
    return {"governorates": governorates, "stations": stations}


def render(
    request: Request,
    name: str,
    lang: Lang,
    code: int = 200,
    *,
    timezone: str = "UTC",
    **context: Any,
) -> Response:
    token, fresh = csrf_token(request)
    other: Lang = "en" if lang == "ar" else "ar"
    html = templates.get_template(name).render(
        lang=lang,
        dir="rtl" if lang == "ar" else "ltr",
        w=lambda key, **v: word(key, lang, **v),
        categories=[(k, label(CATEGORIES, k, lang)) for k in CATEGORIES],
        age_bands=[(k, label(AGE_BANDS, k, lang)) for k in AGE_BANDS],
        places=_places(lang),
        when=lambda value: when(value, timezone),
        switch_url=f"{request.url.path}?{urlencode({'lang': other})}",
        other=other,
        csrf=token,
        **context,
    )
    response = HTMLResponse(html, status_code=code)
    response.headers.update(
        {
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            # a reference, a PIN or a case's status must never sit in a shared cache
            "Cache-Control": "no-store",
            "Content-Language": lang,
        }
    )
    if fresh:
        set_cookie(request, response, CSRF_COOKIE, token, None)
    if request.query_params.get("lang") in ("ar", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict")
    return response


def status_view(status: dict[str, Any], lang: Lang) -> dict[str, Any]:
    """What the status page shows beyond the status itself, from what `tracking.status_of`
    answered (the JSON status route's body): findings, outcome, reasons, the review."""
    decision = status.get("decision") or {}
    review = decision.get("review") or {}
    return {
        "findings": [
            {"category": f["category_text"], "finding": f["text"]}
            for f in decision.get("findings") or []
        ],
        "outcome": (decision.get("outcome") or {}).get("text"),
        "reasons": [r["text"] for r in [decision.get("reasons")] if r],
        "review_open": bool(review.get("open")),
        "review_until": review.get("until_text"),
        "status_words": {s: status_text(s, lang) for s in STATUS_TEXT},
    }
