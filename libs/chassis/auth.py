"""Bearer-JWT authentication and role checks for the FastAPI services.

Production tokens come from an external identity provider (e.g. Keycloak, verified through its
JWKS endpoint); development and tests mint their own with `mint_token` and a local key. Either
way a token carries the roles and the scope (station, governorate, oversight body) that the
services enforce, in routes with `require_roles` / `ensure_station_access` and in queries with
`Principal.station_scoped`.

Usage in a service::

    @router.get("/stations/{station_id}/incidents")
    def list_incidents(
        station_id: str, principal: Principal = Depends(require_roles(Role.STATION_OFFICER))
    ):
        ensure_station_access(principal, station_id)
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from fastapi import HTTPException, Request, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPBearer

from libs.chassis.principal import NATIONAL_ROLES, ROLES, Principal, Role
from libs.chassis.settings import Settings, get_settings
from libs.chassis.text import has_control_characters

__all__ = ["NATIONAL_ROLES", "ROLES", "Principal", "Role"]  # re-exported: where routes look


LEEWAY_SECONDS = 30  # tolerated clock skew between the identity provider and the services
VERIFIED_CACHE_SIZE = 10_000  # verified tokens remembered per verifier (one per caller)


class AuthError(Exception):
    """A token was rejected; `reason` is safe to return to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- minting -------------------------------------------------------------------------------


def _normalise_roles(role: str | Iterable[str]) -> list[str]:
    roles = [role] if isinstance(role, str) else list(role)
    if not roles:
        raise ValueError("at least one role is required")
    unknown = sorted(set(roles) - ROLES)
    if unknown:
        raise ValueError(f"unknown role(s) {', '.join(unknown)}: choose from {sorted(ROLES)}")
    return [str(r) for r in dict.fromkeys(roles)]


def _signing_key(settings: Settings) -> str:
    if settings.jwt_algorithm.upper().startswith("HS"):
        return settings.jwt_secret
    if not settings.jwt_private_key:
        raise ValueError(f"JISR_JWT_PRIVATE_KEY is required to mint {settings.jwt_algorithm}")
    return settings.jwt_private_key


def mint_token(
    settings: Settings,
    *,
    role: str | Iterable[str],
    subject: str | None = None,
    station_id: str | None = None,
    governorate: str | None = None,
    oversight_body: str | None = None,
    ttl_seconds: int = 8 * 3600,
    key_id: str | None = None,
) -> str:
    """A signed token as our identity provider would issue it (dev, tests, `jisr token`).

    A negative `ttl_seconds` yields an already expired token, which tests use. `key_id` sets
    the `kid` header, needed when the verifier looks the key up in a JWKS.
    """
    roles = _normalise_roles(role)
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl_seconds,
        "sub": subject or f"dev:{'+'.join(roles)}:{station_id or governorate or 'national'}",
        "roles": roles,
        "station_id": station_id,
        "governorate": governorate,
        "oversight_body": oversight_body,
    }
    headers = {"kid": key_id} if key_id else None
    return jwt.encode(claims, _signing_key(settings), settings.jwt_algorithm, headers=headers)


# --- verification --------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    """One client per URL for the whole process, so the fetched key set is cached and shared."""
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=5)


def _public_key(settings: Settings) -> Any:
    """The verification key for RS/ES/PS; derived from the private key when only that is set."""
    if settings.jwt_public_key:
        return settings.jwt_public_key
    if settings.jwt_private_key:
        private = serialization.load_pem_private_key(settings.jwt_private_key.encode(), None)
        return private.public_key()
    raise ValueError(
        f"JISR_JWT_PUBLIC_KEY or JISR_JWT_JWKS_URL is required for {settings.jwt_algorithm}"
    )


class TokenVerifier:
    """Checks signature, expiry, issuer and audience, and turns the claims into a Principal.

    Configuration errors (no key for the algorithm) raise ValueError at construction, so a
    misconfigured service fails at start-up rather than answering 401 to everyone.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._algorithm = settings.jwt_algorithm
        self._verified: dict[str, tuple[Principal, float]] = {}
        if settings.jwt_jwks_url:
            self._key: Any = None
        elif self._algorithm.upper().startswith("HS"):
            self._key = settings.jwt_secret
        else:
            self._key = _public_key(settings)

    def verified(self, token: str) -> Principal | None:
        """The token's Principal if it was verified before and has not expired, else None."""
        cached = self._verified.get(token)
        if cached is not None:
            principal, expires = cached
            if time.time() < expires:
                return principal
            self._verified.pop(token, None)
        return None

    def verify(self, token: str) -> Principal:
        """The token's Principal. A token verified before is answered from a bounded cache
        until its `exp` (the signature cannot change; a different string is a different
        key), so a station's client posting all shift long is verified once."""
        known = self.verified(token)
        if known is not None:
            return known
        principal, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()  # bounded; the next requests verify (and fill it) again
        self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        key, algorithms = self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(_reason(exc)) from exc
        # Valid until exp + leeway, as jwt.decode would judge it at that moment.
        return _principal(claims), float(claims["exp"]) + LEEWAY_SECONDS

    def _key_for(self, token: str) -> tuple[Any, list[str]]:
        """The key and allowed algorithms; for JWKS the key named by the token's `kid`."""
        if not self.settings.jwt_jwks_url:
            return self._key, [self._algorithm]
        try:
            jwk = _jwks_client(self.settings.jwt_jwks_url).get_signing_key_from_jwt(token)
        except jwt.PyJWTError as exc:
            raise AuthError(f"no usable signing key: {exc}") from exc
        algorithm = jwk.algorithm_name
        if not algorithm or algorithm.upper().startswith("HS") or algorithm == "none":
            # A JWKS publishes public keys; a symmetric entry would let anyone forge tokens.
            raise AuthError(f"JWKS key has unacceptable algorithm {algorithm!r}")
        return jwk.key, [algorithm]


def _reason(exc: jwt.PyJWTError) -> str:
    reasons = {
        jwt.ExpiredSignatureError: "token expired",
        jwt.InvalidAudienceError: "wrong audience",
        jwt.InvalidIssuerError: "wrong issuer",
        jwt.InvalidSignatureError: "invalid signature",
        jwt.ImmatureSignatureError: "token not yet valid",
        jwt.MissingRequiredClaimError: str(exc),
        jwt.InvalidAlgorithmError: "algorithm not allowed",
        jwt.DecodeError: "malformed token",
    }
    return next((text for kind, text in reasons.items() if isinstance(exc, kind)), str(exc))


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """The Principal of verified claims (an API token's, or a signed-in user's ID token's);
    AuthError when a scope claim is malformed."""
    return _principal(claims)


def _principal(claims: dict[str, Any]) -> Principal:
    """Our own tokens carry `roles`; Keycloak puts them in `realm_access.roles`. Roles we do not
    know (e.g. Keycloak's `offline_access`) are dropped rather than rejected."""
    raw = claims.get("roles")
    if raw is None:
        raw = (claims.get("realm_access") or {}).get("roles", [])
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise AuthError("claim 'roles' must be a list of strings")
    return Principal(
        subject=_scope_claim(claims, "sub") or "",
        roles=frozenset(r for r in raw if isinstance(r, str) and r in ROLES),
        station_id=_scope_claim(claims, "station_id"),
        governorate=_scope_claim(claims, "governorate"),
        oversight_body=_scope_claim(claims, "oversight_body"),
    )


MAX_CLAIM_LENGTH = 256


def _scope_claim(claims: dict[str, Any], name: str) -> str | None:
    """A string claim or None; anything else (a list, a number, an object) is a malformed
    token, refused with 401 rather than trusted, or failing in a query as a 500."""
    value = claims.get(name)
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or len(value) > MAX_CLAIM_LENGTH
        or has_control_characters(value, multiline=False)
    ):
        raise AuthError(f"claim '{name}' must be a string of at most {MAX_CLAIM_LENGTH} characters")
    return value


# --- FastAPI dependencies ------------------------------------------------------------------


class _DeclaredBearer(HTTPBearer):
    """Declares the scheme in OpenAPI (the "Authorize" button) and reads nothing: the header
    is read by hand below, so parsing it here too would be work on every request for none."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        return None


_bearer_scheme = _DeclaredBearer(
    auto_error=False, scheme_name="HTTPBearer", description="JWT from the identity provider"
)


def _verifier(request: Request) -> TokenVerifier:
    """The app's verifier, rebuilt only when `app.state.settings` is replaced (tests do)."""
    state = request.app.state
    settings = getattr(state, "settings", None) or get_settings()
    verifier = getattr(state, "token_verifier", None)
    if verifier is None or verifier.settings is not settings:
        verifier = state.token_verifier = TokenVerifier(settings)
    return verifier


def _unauthorized(detail: str, error: str | None = None) -> HTTPException:
    challenge = f'Bearer error="{error}"' if error else "Bearer"
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": challenge}
    )


def current_principal(request: Request, _: Any = Security(_bearer_scheme)) -> Principal:
    """The authenticated caller, or 401.

    A plain `def` on purpose: FastAPI runs it in the thread pool, so a JWKS fetch (blocking
    urllib) never stalls the event loop. Routes guarded by `require_roles` take
    `authenticated` instead, which spares a token verified before the thread-pool hop.
    """
    scheme, _sep, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("missing bearer token")
    try:
        return _verifier(request).verify(token.strip())
    except AuthError as exc:
        raise _unauthorized(f"invalid token: {exc.reason}", "invalid_token") from exc


async def authenticated(request: Request, _: Any = Security(_bearer_scheme)) -> Principal:
    """`current_principal` on the event loop when the token was verified before (the
    verifier's cache), in the thread pool otherwise (a first verification may fetch JWKS).

    A sync dependency costs a thread-pool hop on every request: with the route's other sync
    dependencies, about a tenth of a single POST's event-loop time in `jisr bench http`.
    """
    scheme, _sep, token = request.headers.get("authorization", "").partition(" ")
    known = _verifier(request).verified(token.strip()) if scheme.lower() == "bearer" else None
    if known is not None:
        return known
    return await run_in_threadpool(current_principal, request)


def require_roles(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency giving the Principal if it holds any of `roles` (admin always), else 403."""
    _normalise_roles(roles)  # a typo in a route fails at import, not at request time
    needed = ", ".join(roles)

    async def dependency(request: Request, _: Any = Security(_bearer_scheme)) -> Principal:
        # `authenticated` called, not depended on: each dependency FastAPI resolves costs
        # about as much as the check itself, on every request of every guarded route.
        principal = await authenticated(request)
        if not principal.has_role(*roles):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"requires role: {needed}")
        return principal

    return dependency


def ensure_station_access(principal: Principal, station_id: str) -> None:
    """403 when a station-scoped principal touches another station's data."""
    if not principal.station_scoped or principal.station_id == station_id:
        return
    detail = (
        f"token is scoped to station {principal.station_id}"
        if principal.station_id
        else "token is station-scoped but names no station"
    )
    raise HTTPException(status.HTTP_403_FORBIDDEN, detail=detail)
