"""JWT minting and verification, the FastAPI dependencies, JWKS, and `jisr token`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from jisr.commands.token import token as token_command
from libs.chassis import http_errors
from libs.chassis.auth import (
    AuthError,
    Principal,
    Role,
    TokenVerifier,
    current_principal,
    ensure_station_access,
    mint_token,
    require_roles,
)
from libs.chassis.settings import Settings

SECRET = "test-secret-for-hs256-at-least-32-bytes-long"


@pytest.fixture
def settings() -> Settings:
    return Settings(jwt_secret=SECRET, jwt_algorithm="HS256")


def _pem_pair(private_key: Any) -> tuple[str, str]:
    private = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


# --- minting and verifying -----------------------------------------------------------------


def test_hs256_round_trip(settings):
    token = mint_token(
        settings,
        role=[Role.STATION_OFFICER, "forum_coordinator"],
        subject="officer-7",
        station_id="AM-01-S1",
        governorate="AM",
    )
    principal = TokenVerifier(settings).verify(token)
    assert principal == Principal(
        subject="officer-7",
        roles=frozenset({"station_officer", "forum_coordinator"}),
        station_id="AM-01-S1",
        governorate="AM",
    )
    claims = jwt.decode(token, options={"verify_signature": False})
    assert {"iss", "aud", "iat", "exp", "sub", "roles"} <= claims.keys()
    assert claims["exp"] - claims["iat"] == 8 * 3600


@pytest.mark.parametrize(
    ("algorithm", "make_key"),
    [
        ("RS256", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        ("ES256", lambda: ec.generate_private_key(ec.SECP256R1())),
    ],
)
def test_asymmetric_round_trip(algorithm, make_key):
    private, public = _pem_pair(make_key())
    signer = Settings(jwt_algorithm=algorithm, jwt_private_key=private)
    token = mint_token(signer, role="oversight", oversight_body="ombudsman")
    assert jwt.get_unverified_header(token)["alg"] == algorithm

    verifier = TokenVerifier(Settings(jwt_algorithm=algorithm, jwt_public_key=public))
    principal = verifier.verify(token)
    assert principal.roles == {"oversight"} and principal.oversight_body == "ombudsman"
    # Only the private key configured (a dev machine): the public key is derived from it.
    assert TokenVerifier(signer).verify(token) == principal


def test_asymmetric_without_keys_is_a_configuration_error():
    with pytest.raises(ValueError, match="JISR_JWT_PUBLIC_KEY"):
        TokenVerifier(Settings(jwt_algorithm="RS256"))
    with pytest.raises(ValueError, match="JISR_JWT_PRIVATE_KEY"):
        mint_token(Settings(jwt_algorithm="RS256"), role="admin")


def test_expired_token_is_rejected(settings):
    token = mint_token(settings, role="admin", ttl_seconds=-3600)
    with pytest.raises(AuthError, match="token expired"):
        TokenVerifier(settings).verify(token)


def test_wrong_audience_and_issuer_are_rejected(settings):
    verifier = TokenVerifier(settings)
    other_audience = settings.model_copy(update={"jwt_audience": "someone-else"})
    with pytest.raises(AuthError, match="wrong audience"):
        verifier.verify(mint_token(other_audience, role="admin"))
    other_issuer = settings.model_copy(update={"jwt_issuer": "evil-idp"})
    with pytest.raises(AuthError, match="wrong issuer"):
        verifier.verify(mint_token(other_issuer, role="admin"))


def test_wrong_signature_is_rejected(settings):
    forger = settings.model_copy(update={"jwt_secret": "another-secret-of-sufficient-length-123"})
    with pytest.raises(AuthError, match="invalid signature"):
        TokenVerifier(settings).verify(mint_token(forger, role="admin"))


def test_algorithm_other_than_configured_is_rejected(settings):
    private, _ = _pem_pair(ec.generate_private_key(ec.SECP256R1()))
    token = mint_token(Settings(jwt_algorithm="ES256", jwt_private_key=private), role="admin")
    with pytest.raises(AuthError, match="algorithm not allowed"):
        TokenVerifier(settings).verify(token)


def test_garbage_is_rejected(settings):
    with pytest.raises(AuthError, match="malformed"):
        TokenVerifier(settings).verify("not-a-jwt")


def test_unknown_roles_are_refused_when_minting(settings):
    with pytest.raises(ValueError, match="unknown role.*superuser"):
        mint_token(settings, role=["admin", "superuser"])
    with pytest.raises(ValueError, match="at least one"):
        mint_token(settings, role=[])
    with pytest.raises(ValueError, match="superuser"):
        require_roles("superuser")


def test_identity_provider_roles_are_read_and_unknown_ones_dropped(settings):
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": 1,
        "exp": 4_000_000_000,
        "sub": "kc-user",
        "realm_access": {"roles": ["investigator", "offline_access"]},
    }
    token = jwt.encode(claims, SECRET, "HS256")
    assert TokenVerifier(settings).verify(token).roles == {"investigator"}


def test_admin_has_every_role():
    admin = Principal(subject="a", roles=frozenset({"admin"}))
    assert admin.has_role("investigator") and admin.has_role("oversight")
    analyst = Principal(subject="b", roles=frozenset({"ministry_analyst"}))
    assert analyst.has_role("oversight", "ministry_analyst")
    assert not analyst.has_role("oversight")


# --- FastAPI dependencies ------------------------------------------------------------------


def _app(settings: Settings | None) -> FastAPI:
    app = FastAPI()
    http_errors.install(app)  # as create_app does: the one error body
    if settings is not None:
        app.state.settings = settings

    @app.get("/stations/{station_id}/incidents")
    def incidents(
        station_id: str, principal: Principal = Depends(require_roles("station_officer"))
    ) -> dict[str, str]:
        ensure_station_access(principal, station_id)
        return {"station": station_id, "subject": principal.subject}

    @app.get("/me")
    def me(principal: Principal = Depends(current_principal)) -> dict[str, Any]:
        return {"subject": principal.subject, "roles": sorted(principal.roles)}

    return app


@pytest.fixture
def client(settings) -> Iterator[TestClient]:
    with TestClient(_app(settings)) as test_client:
        yield test_client


def _bearer(settings: Settings, **kwargs: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, **kwargs)}"}


def test_route_without_token_is_401(client):
    response = client.get("/stations/AM-01-S1/incidents")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "detail": [{"loc": [], "msg": "missing bearer token", "type": "unauthorized"}]
    }


def test_route_with_bad_tokens_is_401(client, settings):
    for headers, detail in [
        ({"Authorization": "Bearer nonsense"}, "invalid token: malformed token"),
        ({"Authorization": "Basic dXNlcjpwdw=="}, "missing bearer token"),
        (_bearer(settings, role="admin", ttl_seconds=-3600), "invalid token: token expired"),
    ]:
        response = client.get("/me", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["detail"][0]["msg"] == detail


def test_route_with_wrong_role_is_403(client, settings):
    headers = _bearer(settings, role="forum_coordinator", station_id="AM-01-S1")
    response = client.get("/stations/AM-01-S1/incidents", headers=headers)
    assert response.status_code == 403
    assert "station_officer" in response.json()["detail"][0]["msg"]


def test_route_for_another_station_is_403(client, settings):
    headers = _bearer(settings, role="station_officer", station_id="AM-01-S1")
    response = client.get("/stations/IR-01-S1/incidents", headers=headers)
    assert response.status_code == 403
    assert response.json()["detail"][0]["msg"] == "token is scoped to station AM-01-S1"


def test_route_for_own_station_is_200(client, settings):
    headers = _bearer(settings, role="station_officer", station_id="AM-01-S1", subject="o-1")
    response = client.get("/stations/AM-01-S1/incidents", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"station": "AM-01-S1", "subject": "o-1"}


def test_admin_reaches_every_station(client, settings):
    response = client.get("/stations/IR-01-S1/incidents", headers=_bearer(settings, role="admin"))
    assert response.status_code == 200


def test_station_officer_with_national_role_is_not_scoped():
    both = Principal("x", frozenset({"station_officer", "ministry_analyst"}), "AM-01-S1")
    assert not both.station_scoped
    ensure_station_access(both, "IR-01-S1")
    unscoped = Principal("y", frozenset({"station_officer"}))
    with pytest.raises(Exception, match="403"):
        ensure_station_access(unscoped, "IR-01-S1")


def test_settings_fall_back_to_get_settings():
    default = Settings()
    with TestClient(_app(None)) as client:
        response = client.get("/me", headers=_bearer(default, role="oversight"))
    assert response.status_code == 200
    assert response.json()["roles"] == ["oversight"]


# --- JWKS ----------------------------------------------------------------------------------


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, dict[str, Any]]]:
    """A real HTTP server on 127.0.0.1 serving whatever is put in the returned dict."""
    document: dict[str, Any] = {"keys": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(document).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/certs", document
    finally:
        server.shutdown()
        server.server_close()


def test_jwks_verification(jwks_server):
    url, document = jwks_server
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private, _ = _pem_pair(private_key)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    document["keys"] = [{**jwk, "kid": "idp-1", "alg": "RS256", "use": "sig"}]

    signer = Settings(jwt_algorithm="RS256", jwt_private_key=private)
    verifier = TokenVerifier(Settings(jwt_algorithm="RS256", jwt_jwks_url=url))
    token = mint_token(signer, role="investigator", key_id="idp-1")
    assert verifier.verify(token).roles == {"investigator"}

    with pytest.raises(AuthError, match="no usable signing key"):
        verifier.verify(mint_token(signer, role="investigator", key_id="unknown-kid"))


def test_jwks_symmetric_key_is_refused(jwks_server):
    """A JWKS entry of type "oct" would let anyone who can read the JWKS forge tokens."""
    url, document = jwks_server
    secret = "a-shared-secret-that-should-never-be-in-a-jwks"
    document["keys"] = [json.loads(jwt.algorithms.HMACAlgorithm.to_jwk(secret)) | {"kid": "k"}]
    verifier = TokenVerifier(Settings(jwt_jwks_url=url))
    token = mint_token(Settings(jwt_secret=secret), role="admin", key_id="k")
    with pytest.raises(AuthError, match="unacceptable algorithm"):
        verifier.verify(token)


# --- jisr token ----------------------------------------------------------------------------


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(token_command)
    return app


def test_cli_prints_only_the_token(cli):
    result = CliRunner().invoke(cli, ["--role", "station_officer", "--station", "AM-01-S1"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert "\n" not in token
    principal = TokenVerifier(Settings()).verify(token)
    assert principal.station_id == "AM-01-S1" and principal.roles == {"station_officer"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "station_officer", "--station", "AM-01-S9"], "unknown station 'AM-01-S9'"),
        (["--role", "superuser"], "unknown role superuser"),
        (["--role", "station_officer"], "needs --station"),
        (["--role", "ministry_analyst", "--governorate", "XX"], "unknown governorate 'XX'"),
        (["--role", "admin", "--ttl", "0"], "positive"),
    ],
)
def test_cli_rejects_bad_input_with_exit_code_2(cli, args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.output
    assert result.stdout == ""
