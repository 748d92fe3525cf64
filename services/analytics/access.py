"""The caller behind a request: a Bearer token (API clients) or the dashboard's cookie.

The cookie is set by the login page from a token the identity provider issued; it is
HttpOnly and SameSite=Strict, and the services only ever read with it (GETs).
"""

from __future__ import annotations

from fastapi import HTTPException, Request, status

from libs.chassis.auth import AuthError, Principal, TokenVerifier, current_principal

COOKIE = "jisr_token"
LANG_COOKIE = "jisr_lang"


def verifier(request: Request) -> TokenVerifier:
    """The app's verifier, rebuilt only when `app.state.settings` is replaced (tests do)."""
    state = request.app.state
    existing = getattr(state, "analytics_verifier", None)
    if existing is None or existing.settings is not state.settings:
        existing = state.analytics_verifier = TokenVerifier(state.settings)
    return existing


def verify(request: Request, token: str) -> Principal:
    try:
        return verifier(request).verify(token)
    except AuthError as exc:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=f"invalid token: {exc.reason}",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from exc


def caller(request: Request) -> Principal:
    """The authenticated caller, or 401. A plain `def`: a JWKS fetch runs in the thread pool."""
    if request.headers.get("authorization"):
        return current_principal(request)
    token = request.cookies.get(COOKIE)
    if not token:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing bearer token (or sign in at /login)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return verify(request, token)
