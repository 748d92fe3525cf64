"""NUL and control characters in text, and malformed token claims: 4xx naming the field, on
every service (each of these answered 500 before)."""

from __future__ import annotations

import json
import time
import uuid

import jwt
import pytest

from libs.chassis.text import ERROR_TYPE

INCIDENT = {
    "station_id": "AM-01-S1",
    "occurred_at": "2026-11-20T10:00:00+03:00",
    "offences": [{"iccs_code": "0201"}],
}


def _control_error(response, loc: list) -> None:
    assert response.status_code == 422, response.text
    items = response.json()["detail"]
    assert {"loc": loc, "msg": items[0]["msg"], "type": ERROR_TYPE} in items
    assert "\x00" not in response.text and "\\u0000" not in response.text


async def test_nul_in_a_single_posts_source_ref(stack):
    platform, clients = stack
    response = await clients["incidents"].post(
        "/v1/incidents",
        json=INCIDENT | {"source_ref": "ref\x00-1"},
        headers=platform.token("station_officer", "AM-01-S1"),
    )
    _control_error(response, ["body", "source_ref"])


async def test_nul_in_a_forum_name(stack):
    platform, clients = stack
    forum = {
        "forum_type": "neighbourhood",
        "area_id": "AM-01-S1",
        "name_en": "Jabal\x00 Amman",
        "name_ar": "جبل عمان",
    }
    response = await clients["fora"].post("/v1/fora", json=forum, headers=platform.token("admin"))
    _control_error(response, ["body", "name_en"])


async def test_nul_in_a_query_parameter(stack):
    platform, clients = stack
    response = await clients["incidents"].get(
        "/v1/incidents?station_id=%00", headers=platform.token("ministry_analyst")
    )
    _control_error(response, ["query", "station_id"])


async def test_nul_in_the_personal_data_purpose(stack):
    platform, clients = stack
    response = await clients["complaints"].get(
        f"/v1/complaints/{uuid.uuid4()}/personal-data",
        params={"purpose": "investigation\x00 of the case"},
        headers=platform.token("complaints_officer"),
    )
    _control_error(response, ["query", "purpose"])


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\x7f", "\ud800"])
async def test_other_control_characters_and_lone_surrogates(stack, character):
    platform, clients = stack
    body = json.dumps(INCIDENT | {"source_ref": f"a{character}b"})  # as \u escapes
    response = await clients["incidents"].post(
        "/v1/incidents",
        content=body.encode(),
        headers=platform.token("station_officer", "AM-01-S1")
        | {"Content-Type": "application/json"},
    )
    _control_error(response, ["body", "source_ref"])


async def test_line_breaks_in_free_text_are_kept(stack):
    platform, clients = stack
    response = await clients["incidents"].post(
        "/v1/incidents",
        json=INCIDENT | {"source_ref": "multi\tline"},
        headers=platform.token("station_officer", "AM-01-S1"),
    )
    assert response.status_code != 422 or all(
        item["type"] != ERROR_TYPE for item in response.json()["detail"]
    )


def _forged(platform, **claims) -> dict[str, str]:
    """A validly signed token whose claims have the wrong types."""
    settings = platform.settings
    now = int(time.time())
    payload = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + 600,
        "sub": "reviewer",
        "roles": ["station_officer", "ministry_analyst", "oversight", "complaints_officer"],
    } | claims
    token = jwt.encode(payload, settings.jwt_secret, settings.jwt_algorithm)
    return {"Authorization": f"Bearer {token}"}


READS = {
    "complaints": "/v1/complaints",
    "fora": "/v1/fora",
    "incidents": "/v1/incidents",
    "analytics": "/v1/stats/incidents",
}


@pytest.mark.parametrize("service", list(READS))
@pytest.mark.parametrize(
    "claims",
    [
        {"station_id": ["AM-01-S1", "IR-01-S1"]},
        {"station_id": 7},
        {"station_id": {"id": "AM-01-S1"}},
        {"governorate": ["AM"]},
        {"oversight_body": {"body": "NCHR"}},
        {"station_id": "AM-01-S1\x00"},
    ],
    ids=["list", "number", "object", "governorate-list", "body-object", "nul"],
)
async def test_malformed_scope_claims_are_401(stack, service, claims):
    platform, clients = stack
    response = await clients[service].get(READS[service], headers=_forged(platform, **claims))
    assert response.status_code == 401, response.text
    [item] = response.json()["detail"]
    assert item["type"] == "unauthorized" and "must be a string" in item["msg"]


async def test_a_json_body_nested_too_deeply_is_a_4xx(stack):
    platform, clients = stack
    response = await clients["incidents"].post(
        "/v1/incidents",
        content=b"[" * 100_000 + b"]" * 100_000,
        headers=platform.token("station_officer", "AM-01-S1")
        | {"Content-Type": "application/json"},
    )
    assert 400 <= response.status_code < 500, response.text
    assert isinstance(response.json()["detail"], list)
