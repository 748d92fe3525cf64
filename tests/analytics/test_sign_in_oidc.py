"""Signing in to the dashboard with a real OpenID Connect provider (oidc-provider-mock in its
own process, tests/support/oidc.py), the browser's part played by HTTP requests: the
authorization-code flow with PKCE, state and nonce, the ID token verified against the
provider's JWKS, the session cookie, sign-out through the provider's end-session endpoint;
and what goes wrong said on a page, never a 500."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from services.analytics import sign_in
from tests.support.oidc import ANALYST, VISITOR, Provider, oidc_provider
from tests.support.platform import Platform

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    with oidc_provider(tmp_path_factory.mktemp("oidc")) as running:
        yield running


def _with_oidc(platform: Platform, provider: Provider, **more) -> Platform:
    env = provider.env(secret="analytics-client-secret")
    settings = platform.settings.model_copy(
        update={
            "oidc_issuer": env["JISR_OIDC_ISSUER"],
            "oidc_client_id": env["JISR_OIDC_CLIENT_ID"],
            "oidc_client_secret": env["JISR_OIDC_CLIENT_SECRET"],
            "oidc_provider_name": env["JISR_OIDC_PROVIDER_NAME"],
            "session_secret": env["JISR_SESSION_SECRET"],
        }
        | more
    )
    return Platform(settings)


async def _to_provider(client) -> httpx.URL:
    """Start signing in; the provider's authorization URL the dashboard redirected to."""
    start = await client.get("/login/oidc", params={"next": "/crime"})
    assert start.status_code == 302, start.text
    assert sign_in.FLOW_COOKIE in start.headers["set-cookie"]
    assert "samesite=lax" in start.headers["set-cookie"].lower()
    assert "httponly" in start.headers["set-cookie"].lower()
    return httpx.URL(start.headers["location"])


def _choose_user(authorize: httpx.URL, user: dict) -> str:
    """What the user does on the provider's page: pick who signs in. Returns the callback URL
    the provider sends the browser back to (with code and state)."""
    answer = httpx.post(str(authorize), data={"sub": user["sub"]}, follow_redirects=False)
    assert answer.status_code in (302, 303), answer.text[:500]
    return answer.headers["location"]


def _local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def test_an_analyst_signs_in_with_the_provider_and_out_again(platform, provider):
    await platform.migrate("analytics")
    async with _with_oidc(platform, provider).run("analytics") as client:
        login = await client.get("/login")
        assert "Sign in with Ministry ID (test)" in login.text
        assert 'name="token"' not in login.text  # no pasting tokens once a provider is set

        authorize = await _to_provider(client)
        query = parse_qs(authorize.query.decode())
        assert str(authorize).startswith(f"{provider.issuer}/oauth2/authorize")
        assert query["response_type"] == ["code"]
        assert query["client_id"] == ["jisr-analytics"]
        assert query["code_challenge_method"] == ["S256"]  # PKCE
        assert len(query["code_challenge"][0]) >= 43
        assert query["state"][0] and query["nonce"][0]
        assert "openid" in query["scope"][0].split()
        assert query["redirect_uri"] == ["http://test/login/callback"]

        back = await client.get(_local(_choose_user(authorize, ANALYST)))
        assert back.status_code == 303, back.text
        assert back.headers["location"] == "/crime"
        cookie = next(c for c in back.headers.get_list("set-cookie") if "jisr_session=" in c)
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
        assert re.search(r"max-age=28800", cookie, re.I)  # JISR_SESSION_HOURS, 8 by default

        page = await client.get("/crime")
        assert page.status_code == 200
        assert "Amal Analyst" in page.text and "Ministry analyst" in page.text
        assert "offline_access" not in page.text  # roles jisr does not know are dropped
        api = await client.get("/v1/stats/crime")  # the session also reads the JSON views
        assert api.status_code == 200

        out = await client.get("/logout")
        assert out.status_code == 303
        end = httpx.URL(out.headers["location"])
        assert str(end).startswith(f"{provider.issuer}/oauth2/end_session")
        hint = parse_qs(end.query.decode())
        assert hint["post_logout_redirect_uri"] == ["http://test/login"]
        assert hint["id_token_hint"][0].count(".") == 2
        assert (await client.get("/crime")).status_code == 303  # to /login: signed out
        assert (await client.get("/v1/stats/crime")).status_code == 401


async def test_a_wrong_state_is_refused_on_a_page(platform, provider):
    await platform.migrate("analytics")
    async with _with_oidc(platform, provider).run("analytics") as client:
        callback = _choose_user(await _to_provider(client), ANALYST)
        parts = urlsplit(callback)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()} | {"state": "forged-state"}
        answer = await client.get(f"{parts.path}?{urlencode(query)}")
        assert answer.status_code == 401
        assert "state does not match" in answer.text
        assert "jisr_session=" not in "".join(answer.headers.get_list("set-cookie")).replace(
            'jisr_session=""', ""
        )
        assert (await client.get("/crime")).status_code == 303

        # a callback no sign-in here started (no flow cookie: another browser, a replay)
        client.cookies.clear()
        replay = await client.get(_local(callback))
        assert replay.status_code == 401
        assert "not started here" in replay.text


async def test_a_user_without_a_jisr_role_is_told_so(platform, provider):
    await platform.migrate("analytics")
    async with _with_oidc(platform, provider).run("analytics") as client:
        answer = await client.get(_local(_choose_user(await _to_provider(client), VISITOR)))
        assert answer.status_code == 403
        assert "carries no jisr role" in answer.text
        assert (await client.get("/overview")).status_code == 303


async def test_the_provider_refusing_or_absent_is_a_page_not_a_500(platform, provider):
    await platform.migrate("analytics")
    async with _with_oidc(platform, provider).run("analytics") as client:
        authorize = await _to_provider(client)
        denied = httpx.post(str(authorize), data={"action": "deny"}, follow_redirects=False)
        answer = await client.get(_local(denied.headers["location"]))
        assert answer.status_code == 401
        assert "did not sign you in" in answer.text
    gone = _with_oidc(platform, provider, oidc_issuer="http://127.0.0.1:9")  # nothing listens
    async with gone.run("analytics") as client:
        answer = await client.get("/login/oidc")
        assert answer.status_code == 503
        assert "identity provider did not answer" in answer.text


async def test_without_a_provider_the_development_sign_in_stays(platform):
    await platform.migrate("analytics")
    async with platform.run("analytics") as client:
        login = await client.get("/login")
        assert 'name="token"' in login.text and "sign-in-oidc" not in login.text
        assert (await client.get("/login/oidc")).status_code == 404
        token = platform.token("ministry_analyst")["Authorization"].split()[1]
        signed = await client.post("/login", data={"token": token, "next": "/overview"})
        assert signed.status_code == 303
        page = await client.get("/overview")
        assert page.status_code == 200 and "Ministry analyst" in page.text
