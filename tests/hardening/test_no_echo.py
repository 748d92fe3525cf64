"""A refusal never repeats what was sent: a person's name in a forbidden field, a wrong type,
a union's tag or a query parameter comes back as its location and rule only."""

from __future__ import annotations

import pytest

NAME = "Fatima Haddad al-Masri"


@pytest.mark.parametrize(
    "service, method, path, kwargs",
    [
        (
            "incidents",
            "POST",
            "/v1/incidents",
            {"json": {"station_id": "AM-01-S1", "victim_name": NAME, "offences": NAME}},
        ),
        ("incidents", "GET", "/v1/incidents", {"params": {"limit": NAME}}),
        ("incidents", "GET", "/v1/completeness", {"params": {"from": NAME}}),
        ("analytics", "GET", "/v1/stats/crime", {"params": {"from": NAME}}),
        ("analytics", "GET", "/public/report", {"params": {"month": NAME, "format": "json"}}),
        ("complaints", "POST", "/v1/complaints", {"json": {"narrative": 7, "channel": NAME}}),
        ("complaints", "GET", "/v1/oversight/feed", {"params": {"after": NAME}}),
        ("fora", "POST", "/v1/fora", {"json": {"forum_type": NAME, "name_en": 5}}),
    ],
)
async def test_a_422_never_echoes_the_value_sent(stack, service, method, path, kwargs):
    platform, clients = stack
    response = await clients[service].request(
        method, path, headers=platform.token("admin"), **kwargs
    )
    assert response.status_code == 422, response.text
    assert NAME not in response.text and "Fatima" not in response.text
    items = response.json()["detail"]
    assert isinstance(items, list) and items
    assert all(set(item) <= {"loc", "msg", "type", "ctx"} for item in items)


def test_a_quoted_value_in_a_validator_message_is_removed():
    from libs.chassis.http_errors import _unechoed

    assert _unechoed(f"Input tag '{NAME}' found", NAME) == "Input tag (the value sent) found"
    assert _unechoed("at most 3 per filing", "3") == "at most 3 per filing"  # unquoted: kept
