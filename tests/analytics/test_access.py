"""Scoped access: a station commander sees their station, an oversight body its
jurisdiction's accountability figures, analysts everything; pages need a signed-in token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from libs.contracts.complaints import OversightBodyRegistered
from tests.support.platform import eventually

from . import oracle
from .scenario import publish

pytestmark = pytest.mark.slow


def period(world):
    end = world.now.date()
    return {"from": (end - timedelta(days=149)).isoformat(), "to": end.isoformat()}


async def test_station_commander_sees_their_station_only(world):
    client, p = world.analytics, period(world)
    commander = world.platform.token("station_officer", station="IR-01-S1")
    start, end = (oracle.d(p["from"]), oracle.d(p["to"]))

    crime = (await client.get("/v1/stats/crime", params=p, headers=commander)).json()
    expected = oracle.crime(world.events, start, end, area="IR-01-S1")
    assert crime["filters"]["area"] == "IR-01-S1"
    assert crime["summary"]["incidents"] == expected["total"] > 0
    assert [r["area"] for r in crime["tables"]["by_area"]] == ["IR-01-S1"]

    complaints = (await client.get("/v1/stats/accountability", params=p, headers=commander)).json()
    assert (
        complaints["summary"]["received"]
        == oracle.accountability(world.events, start, end, world.now, area="IR-01-S1")["received"]
    )

    card = (await client.get("/v1/stats/scorecard/IR-01-S1", params=p, headers=commander)).json()
    assert card["summary"]["crime_incidents"] == expected["total"]

    for path, params in (
        ("/v1/stats/crime", p | {"area": "IR"}),  # a filter never widens the scope
        ("/v1/stats/crime", p | {"area": "AM-01-S1"}),
        ("/v1/stats/scorecard/AM-01-S1", p),
        ("/v1/stats/overview", p),
    ):
        response = await client.get(path, params=params, headers=commander)
        assert response.status_code == 403, (path, params, response.text)
    nameless = world.platform.token("station_officer")
    assert (await client.get("/v1/stats/crime", headers=nameless)).status_code == 403


async def test_station_commander_sees_surveys_of_their_station_only(world):
    """By gender: the waves run in the station; by area: the station's own cells, wider
    waves' included. Nothing of the district wave's other stations or of other waves."""
    client, p = world.analytics, period(world)
    commander = world.platform.token("station_officer", station="AM-01-S1")
    expected = oracle.surveys(world.events, oracle.d(p["from"]), oracle.d(p["to"]), "AM-01-S1")
    view = (await client.get("/v1/stats/engagement", params=p, headers=commander)).json()
    assert view["summary"]["survey_waves"] == expected["waves"] == 1
    gender = {r["item"]: r for r in view["tables"]["survey_by_gender"]}
    for item, figures in expected["by_gender"].items():
        for group in ("all", "female", "male"):
            assert gender[item][f"{group}_answered"] == figures[group]["answered"]
            assert gender[item][f"{group}_suppressed"] == figures[group]["suppressed"]
    areas = view["tables"]["survey_by_area"]
    assert {r["area"] for r in areas} == {"AM-01-S1"}
    assert {(r["area"], r["item"]): r["answered"] for r in areas} == {
        k: v["answered"] for k, v in expected["by_area"].items()
    }
    wider = oracle.surveys(world.events, oracle.d(p["from"]), oracle.d(p["to"]), "AM-01")
    assert wider["responses"] > expected["responses"]  # what the commander does not see
    assert (
        await client.get("/v1/stats/engagement", params=p | {"area": "AM-01"}, headers=commander)
    ).status_code == 403


async def _register_bodies(world) -> None:
    """As the complaints service announces them: irbid_panel for IR, ombudsman national."""
    now = datetime.now(UTC)
    bodies = [
        OversightBodyRegistered(
            body_id="irbid_panel", national=False, governorates=["IR"], registered_at=now
        ),
        OversightBodyRegistered(body_id="ombudsman", national=True, registered_at=now),
    ]
    await publish(world.platform.settings, [(b, b.body_id) for b in bodies])

    async def registered():
        return await world.platform.scalar(
            "analytics", "SELECT count(*) FROM oversight_jurisdictions"
        ) == len(bodies)

    await eventually(registered, timeout=30)


async def test_oversight_body_sees_its_jurisdictions_accountability_only(world):
    client, p = world.analytics, period(world)
    start, end = (oracle.d(p["from"]), oracle.d(p["to"]))
    unregistered = world.platform.token("oversight", oversight_body="nobody", governorate="IR")
    refused = await client.get("/v1/stats/accountability", params=p, headers=unregistered)
    assert refused.status_code == 403 and "not registered" in refused.text
    await _register_bodies(world)
    # The token's governorate claim is ignored: the registered jurisdiction (IR) decides.
    regional = world.platform.token("oversight", oversight_body="irbid_panel", governorate="AM")
    view = (await client.get("/v1/stats/accountability", params=p, headers=regional)).json()
    expected = oracle.accountability(world.events, start, end, world.now, area="IR")
    assert view["summary"]["received"] == expected["received"] > 0
    assert view["summary"]["median_days_to_close"] == pytest.approx(expected["median"], abs=0.01)
    assert {r["area"] for r in view["tables"]["by_area"]} <= {
        *(
            d
            for d in (
                "IR-01",
                "IR-02",
                "IR-03",
                "IR-04",
                "IR-05",
                "IR-06",
                "IR-07",
                "IR-08",
                "IR-09",
            )
        ),
        "unknown",
    }
    assert (
        await client.get("/v1/stats/accountability", params=p | {"area": "AM"}, headers=regional)
    ).status_code == 403
    for path in ("/v1/stats/crime", "/v1/stats/engagement", "/v1/stats/overview"):
        assert (await client.get(path, headers=regional)).status_code == 403
    # The page's area choices follow the registered jurisdiction too, not the claim (AM).
    page = await client.get("/accountability", params=p | {"lang": "en"}, headers=regional)
    assert page.status_code == 200
    assert 'value="IR-01"' in page.text and 'value="AM-01"' not in page.text

    national = world.platform.token("oversight", oversight_body="ombudsman")
    everywhere = (await client.get("/v1/stats/accountability", params=p, headers=national)).json()
    assert (
        everywhere["summary"]["received"]
        == oracle.accountability(world.events, start, end, world.now)["received"]
    )


async def test_other_roles_and_no_token(world):
    client = world.analytics
    for role in ("forum_coordinator", "investigator"):
        token = world.platform.token(role)
        assert (await client.get("/v1/stats/crime", headers=token)).status_code == 403
    assert (await client.get("/v1/stats/crime")).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await client.get("/v1/stats/crime", headers=bad)).status_code == 401


async def test_pages_need_a_signed_in_token(world):
    client = world.analytics
    anonymous = await client.get("/crime?area=AM")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Fcrime%3Farea%3DAM"
    assert 'name="token"' in (await client.get("/login")).text

    refused = await client.post(
        "/login",
        content="token=forged&next=/crime",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert refused.status_code == 401 and "not accepted" in refused.text
    off_site = await client.post(
        "/login",
        content=f"token={world.platform.token('ministry_analyst')['Authorization'][7:]}"
        "&next=//evil.example/",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert off_site.status_code == 303 and off_site.headers["location"] == "/"
    assert "httponly" in off_site.headers["set-cookie"].lower()
    try:
        assert (await client.get("/crime")).status_code == 200  # the cookie is enough
        assert (await client.get("/v1/stats/crime.csv")).status_code == 200
    finally:
        client.cookies.clear()


async def test_validation_errors_name_the_field(world):
    client = world.analytics
    analyst = world.platform.token("ministry_analyst")
    cases = {
        "from": {"from": "2026-13-01"},
        "area": {"area": "XX-99"},
        "category": {"category": "9999"},
        "table": {"table": "nope"},
    }
    for field, params in cases.items():
        path = "/v1/stats/crime.csv" if field == "table" else "/v1/stats/crime"
        response = await client.get(path, params=params, headers=analyst)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["detail"][0]["loc"] == ["query", field]
    backwards = await client.get(
        "/v1/stats/crime", params={"from": "2026-05-01", "to": "2026-04-01"}, headers=analyst
    )
    assert backwards.status_code == 422 and "after" in backwards.text
