"""The caller behind a request: a Bearer token (API clients), the dashboard's session (signed
in with the identity provider, services/analytics/sign_in.py), or, with the development
sign-in only, the token pasted at /login.

Both cookies are HttpOnly; the services only ever read with them (GETs).
"""

from __future__ import annotations

from fastapi import HTTPException, Request, status

from libs.chassis.auth import AuthError, Principal, TokenVerifier, current_principal

from . import sign_in

COOKIE = "jisr_token"  # the development sign-in's pasted token
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
    session = sign_in.session_of(request)
    if session is not None:
        return session.principal
    token = request.cookies.get(COOKIE)
    if not token or not sign_in.development_sign_in(request.app.state.settings):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="missing bearer token (or sign in at /login)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return verify(request, token)


def signed_in_as(request: Request) -> dict[str, object] | None:
    """Who the dashboard's header names: the session's user or the pasted token's subject."""
    session = sign_in.session_of(request)
    if session is not None:
        return {"name": session.name, "roles": sorted(session.principal.roles)}
    token = request.cookies.get(COOKIE)
    if token and sign_in.development_sign_in(request.app.state.settings):
        try:
            principal = verifier(request).verify(token)
        except (AuthError, ValueError):
            return None
        # `jisr token`'s subjects ("dev:ministry_analyst:national") are not names
        name = "" if principal.subject.startswith("dev:") else principal.subject
        return {"name": name, "roles": sorted(principal.roles)}
    return None
