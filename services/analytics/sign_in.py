"""Signing in to the dashboard with the ministry's identity provider (OpenID Connect).

The authorization-code flow with PKCE, by Authlib: `/login/oidc` sends the browser to the
provider with a fresh state, nonce and code verifier, kept in a short-lived signed cookie (the
flow cookie); `/login/callback` checks the state against it, exchanges the code (with the
verifier) and verifies the ID token against the provider's JWKS, its issuer, audience and the
nonce. The ID token's claims become a Principal by the same mapping API tokens go through
(libs.chassis.auth), and that is what the session cookie holds, signed and with an expiry: the
pages need nothing else, and no token from the provider is kept but the ID token (the
`id_token_hint` of the provider's end-session endpoint at sign-out).

Both cookies are HttpOnly, Secure over https and SameSite=Lax: the callback is a top-level
navigation from the provider's site, which a Strict cookie would not accompany. The session
cookie is only ever read by GETs (the dashboard changes nothing).

Without JISR_OIDC_ISSUER the dashboard keeps the development sign-in (paste a token).
"""

from __future__ import annotations

import hashlib
import time
import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from authlib.integrations.base_client import OAuthError

with warnings.catch_warnings():
    # Authlib 1.9 announces a move of its httpx client to "httpx2"; httpx is what we have.
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from libs.chassis.auth import AuthError, principal_from_claims
from libs.chassis.principal import Principal
from libs.chassis.settings import DEV_JWT_SECRET, Settings

SESSION_COOKIE = "jisr_session"
FLOW_COOKIE = "jisr_sign_in"
FLOW_SECONDS = 600  # from leaving for the provider to coming back
PROVIDER = "ministry"  # Authlib's name for the registered client
# The ID token is kept for the end-session hint only; a cookie holds about 4 KB in all.
MAX_HINT_LENGTH = 2500


class SignInFailed(Exception):
    """The provider's answer cannot sign anyone in; `reason` is safe to show."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class SignInMisconfigured(Exception):
    """The service is set up for OIDC without what it needs (shown as 503, not a 500)."""


@dataclass(frozen=True)
class Session:
    principal: Principal
    name: str
    expires_at: float
    id_token: str | None


def configured(settings: Settings) -> bool:
    return bool(settings.oidc_issuer)


def development_sign_in(settings: Settings) -> bool:
    """Pasting a token is offered only while no identity provider is configured."""
    return not configured(settings)


# --- the signed cookies ----------------------------------------------------------------------


def _secret(settings: Settings) -> str:
    if settings.session_secret:
        return settings.session_secret
    if configured(settings) and settings.jwt_secret == DEV_JWT_SECRET:
        raise SignInMisconfigured("JISR_SESSION_SECRET is required when JISR_OIDC_ISSUER is set")
    # Development: a key derived from the signing secret, never the secret itself.
    return hashlib.sha256(b"jisr-dashboard-session:" + settings.jwt_secret.encode()).hexdigest()


def _serializer(settings: Settings, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_secret(settings), salt=f"jisr-dashboard-{purpose}")


def _set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int, path: str = "/"
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="lax",
    )


def session_of(request: Request) -> Session | None:
    """The signed-in session the cookie holds, or None (absent, forged, expired)."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    settings: Settings = request.app.state.settings
    try:
        body = _serializer(settings, "session").loads(
            raw, max_age=int(settings.session_hours * 3600)
        )
        if float(body["exp"]) < time.time():
            return None
        principal = Principal(
            subject=str(body["sub"]),
            roles=frozenset(body["roles"]),
            station_id=body.get("station_id"),
            governorate=body.get("governorate"),
            oversight_body=body.get("oversight_body"),
        )
        return Session(principal, str(body.get("name") or ""), float(body["exp"]), body.get("idt"))
    except (BadSignature, KeyError, TypeError, ValueError, SignInMisconfigured):
        return None


def start_session(
    request: Request, response: Response, principal: Principal, name: str, id_token: str | None
) -> None:
    settings: Settings = request.app.state.settings
    seconds = int(settings.session_hours * 3600)
    body = {
        "sub": principal.subject,
        "name": name,
        "roles": sorted(principal.roles),
        "station_id": principal.station_id,
        "governorate": principal.governorate,
        "oversight_body": principal.oversight_body,
        "exp": time.time() + seconds,
        "idt": id_token if id_token and len(id_token) <= MAX_HINT_LENGTH else None,
    }
    value = _serializer(settings, "session").dumps(body)
    _set_cookie(request, response, SESSION_COOKIE, value, seconds)


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(FLOW_COOKIE, path="/login")


# --- the provider ----------------------------------------------------------------------------


def _client(request: Request) -> StarletteOAuth2App:
    """The app's registered provider client (it caches the discovery document and the JWKS),
    rebuilt only when `app.state.settings` is replaced (tests do)."""
    state = request.app.state
    settings: Settings = state.settings
    existing = getattr(state, "oidc_client", None)
    if existing is not None and existing[0] is settings:
        client: StarletteOAuth2App = existing[1]
        return client
    oauth = OAuth()
    client = oauth.register(
        name=PROVIDER,
        server_metadata_url=settings.oidc_issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret or None,
        client_kwargs={
            "scope": settings.oidc_scopes,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": (
                "client_secret_basic" if settings.oidc_client_secret else "none"
            ),
            "timeout": 10,
        },
    )
    state.oidc_client = (settings, client)
    return client


def _callback_url(request: Request) -> str:
    settings: Settings = request.app.state.settings
    return settings.oidc_redirect_url or str(request.url_for("sign_in_callback"))


async def begin(request: Request, next_path: str) -> Response:
    """A redirect to the provider's authorization endpoint, with the flow cookie set."""
    settings: Settings = request.app.state.settings
    flow: dict[str, Any] = {"next": next_path}
    request.scope["session"] = flow  # where Authlib keeps state, nonce and code verifier
    try:
        response = await _client(request).authorize_redirect(request, _callback_url(request))
    except Exception as exc:  # the discovery document could not be fetched or read
        raise SignInFailed(
            f"the identity provider did not answer ({type(exc).__name__})", 503
        ) from exc
    value = _serializer(settings, "flow").dumps(flow)
    _set_cookie(request, response, FLOW_COOKIE, value, FLOW_SECONDS, path="/login")
    return response


async def complete(request: Request) -> tuple[Principal, str, str | None, str]:
    """(principal, display name, ID token, where to go) from the provider's callback.

    SignInFailed when the state does not match the flow cookie (or there is none), the provider
    refused, the ID token does not verify, or its claims carry no jisr role.
    """
    settings: Settings = request.app.state.settings
    raw = request.cookies.get(FLOW_COOKIE)
    if not raw:
        raise SignInFailed("this sign-in was not started here, or took too long: start again")
    try:
        flow = _serializer(settings, "flow").loads(raw, max_age=FLOW_SECONDS)
    except BadSignature as exc:
        raise SignInFailed("this sign-in was not started here: start again") from exc
    if not isinstance(flow, dict):
        raise SignInFailed("this sign-in was not started here: start again")
    request.scope["session"] = flow
    try:
        token = await _client(request).authorize_access_token(request)
    except OAuthError as exc:
        reasons = {
            "mismatching_state": "the sign-in's state does not match: start again",
            "access_denied": "the identity provider did not sign you in",
        }
        raise SignInFailed(
            reasons.get(exc.error, f"the identity provider refused: {exc.error}")
        ) from exc
    except Exception as exc:  # a forged or expired ID token, an unreachable provider
        raise SignInFailed(
            f"the identity provider's answer could not be verified ({type(exc).__name__})"
        ) from exc
    claims = dict(token.get("userinfo") or {})
    if not claims:
        raise SignInFailed("the identity provider sent no ID token")
    try:
        principal = principal_from_claims(claims)
    except AuthError as exc:
        raise SignInFailed(f"your account's claims cannot be used: {exc.reason}", 403) from exc
    if not principal.roles:
        raise SignInFailed(
            "your account carries no jisr role: ask the ministry's administrator to grant one"
            " (ministry_analyst, station_officer, oversight, ...)",
            403,
        )
    name = str(claims.get("name") or claims.get("preferred_username") or claims.get("email") or "")
    return principal, name or principal.subject, token.get("id_token"), str(flow.get("next", "/"))


async def sign_out_url(request: Request, session: Session | None) -> str | None:
    """The provider's end-session URL (back to /login afterwards), when it has one."""
    if not configured(request.app.state.settings):
        return None
    try:
        metadata = await _client(request).load_server_metadata()
    except Exception:  # provider unreachable: the local session is ended all the same
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    back = str(request.url_for("login_form"))
    params = {
        "post_logout_redirect_uri": back,
        "client_id": request.app.state.settings.oidc_client_id,
    }
    if session is not None and session.id_token:
        params["id_token_hint"] = session.id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
