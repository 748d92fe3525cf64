"""Analytics scopes an oversight body by the jurisdiction registered in complaints (published
as oversight_body.registered / .changed), never by the token's governorate claim."""

from __future__ import annotations

from tests.support.platform import eventually


async def _jurisdiction(platform, body_id: str):
    rows = await platform.sql(
        "analytics",
        "SELECT national, governorates FROM oversight_jurisdictions WHERE body_id = $1",
        body_id,
    )
    return rows[0] if rows else None


async def test_a_body_registered_for_am_does_not_read_ir(stack):
    platform, clients = stack
    admin = platform.token("admin")
    registered = await clients["complaints"].put(
        "/v1/oversight/bodies/amman_panel",
        json={"body_id": "amman_panel", "title": "Amman panel", "governorates": ["AM"]},
        headers=admin,
    )
    assert registered.status_code == 200, registered.text
    await eventually(lambda: _jurisdiction(platform, "amman_panel"), timeout=30)

    # The token claims IR; the body is registered for AM.
    token = platform.token("oversight", oversight_body="amman_panel", governorate="IR")
    analytics = clients["analytics"]
    irbid = await analytics.get("/v1/stats/accountability", params={"area": "IR"}, headers=token)
    assert irbid.status_code == 403, irbid.text
    amman = await analytics.get("/v1/stats/accountability", headers=token)
    assert amman.status_code == 200, amman.text
    assert amman.json()["scope"]["area"] == "AM"

    # Changing the registration (to IR) changes what the same token reads, once published.
    changed = await clients["complaints"].put(
        "/v1/oversight/bodies/amman_panel",
        json={"body_id": "amman_panel", "title": "Amman panel", "governorates": ["IR"]},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text

    async def moved():
        row = await _jurisdiction(platform, "amman_panel")
        return row is not None and list(row["governorates"]) == ["IR"]

    await eventually(moved, timeout=30)
    now_irbid = await analytics.get("/v1/stats/accountability", headers=token)
    assert now_irbid.status_code == 200 and now_irbid.json()["scope"]["area"] == "IR"
    assert (
        await analytics.get("/v1/stats/accountability", params={"area": "AM"}, headers=token)
    ).status_code == 403


async def test_re_registering_re_announces_the_jurisdiction(stack):
    """Registered once, then changed on every PUT: an admin can re-announce a body whose
    event aged out of the topic before analytics was rebuilt."""
    platform, clients = stack
    body = {"body_id": "quiet_panel", "title": "Quiet panel", "national": True}
    for _ in range(2):
        response = await clients["complaints"].put(
            "/v1/oversight/bodies/quiet_panel", json=body, headers=platform.token("admin")
        )
        assert response.status_code == 200, response.text
    published = await platform.scalar(
        "complaints",
        "SELECT count(*) FROM outbox WHERE event_type LIKE '%oversight_body.%'"
        " AND key = 'quiet_panel'",
    )
    assert published == 2
    types = await platform.sql(
        "complaints",
        "SELECT event_type FROM outbox WHERE key = 'quiet_panel' ORDER BY id",
    )
    assert [t["event_type"] for t in types] == [
        "jisr.oversight_body.registered.v1",
        "jisr.oversight_body.changed.v1",
    ]


async def test_an_unregistered_body_reads_nothing(stack):
    platform, clients = stack
    token = platform.token("oversight", oversight_body="never_registered", governorate="AM")
    response = await clients["analytics"].get("/v1/stats/accountability", headers=token)
    assert response.status_code == 403 and "not registered" in response.text
