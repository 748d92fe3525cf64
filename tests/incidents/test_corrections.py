"""Corrections are events, not edits; counts follow them, and the past stays reproducible."""

from __future__ import annotations

from datetime import UTC, datetime

from libs.contracts.catalogue import CATALOGUE
from libs.contracts.envelope import decode
from libs.contracts.topics import INCIDENTS_RECORDED

THEFT = {
    "station_id": "AM-01-S1",
    "occurred_at": "2026-09-01T10:00:00+03:00",
    "offences": [{"iccs_code": "0502"}],
}


async def counts(platform, station="AM-01-S1") -> dict[str, int]:
    rows = await platform.sql(
        "incidents",
        "SELECT iccs_code, sum(n) AS n FROM weekly_counts WHERE station_id = $1 GROUP BY 1",
        station,
    )
    return {r["iccs_code"]: r["n"] for r in rows if r["n"]}


async def record(platform, client, body=THEFT) -> str:
    officer = platform.token("station_officer", station=body["station_id"])
    response = await client.post("/v1/incidents", json=body, headers=officer)
    assert response.status_code == 201, response.text
    return response.json()["incident_id"]


async def test_reclassify_moves_the_counts_and_publishes_the_correction(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    incident = await record(platform, client)
    assert await counts(platform) == {"05": 1, "0502": 1}

    response = await client.post(
        f"/v1/incidents/{incident}/reclassify",
        json={"offences": [{"iccs_code": "0401"}]},
        headers=officer,
    )
    assert response.status_code == 200, response.text
    assert await counts(platform) == {"04": 1, "0401": 1}
    got = (await client.get(f"/v1/incidents/{incident}", headers=officer)).json()
    assert got["iccs_codes"] == ["0401"] and got["version"] == 2

    records = await platform.topic_records(INCIDENTS_RECORDED.name, 2)
    types = [decode(r.headers, r.value, CATALOGUE).data.event_type for r in records]
    assert types == ["incident.recorded", "incident.reclassified"]


async def test_void_and_merge_stop_counting_and_cannot_be_repeated(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    first, second, third = [await record(platform, client) for _ in range(3)]
    assert (await counts(platform))["0502"] == 3

    voided = await client.post(f"/v1/incidents/{first}/void", json={}, headers=officer)
    assert voided.status_code == 200 and voided.json()["status"] == "no_crime"
    merged = await client.post(
        f"/v1/incidents/{second}/merge", json={"merged_into": third}, headers=officer
    )
    assert merged.status_code == 200 and merged.json()["status"] == "merged"
    assert (await counts(platform))["0502"] == 1

    again = await client.post(f"/v1/incidents/{first}/void", json={}, headers=officer)
    assert again.status_code == 409
    assert "no_crime" in again.json()["detail"][0]["msg"]
    into_voided = await client.post(
        f"/v1/incidents/{third}/merge", json={"merged_into": first}, headers=officer
    )
    assert into_voided.status_code == 422
    assert into_voided.json()["detail"][0]["loc"] == ["body", "merged_into"]


async def test_outcome_is_recorded_with_its_date(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    incident = await record(platform, client)
    response = await client.post(
        f"/v1/incidents/{incident}/outcome",
        json={"outcome": "charged", "outcome_date": "2026-09-20"},
        headers=officer,
    )
    assert response.status_code == 200, response.text
    got = (await client.get(f"/v1/incidents/{incident}", headers=officer)).json()
    assert (got["outcome"], got["outcome_date"]) == ("charged", "2026-09-20")
    early = await client.post(
        f"/v1/incidents/{incident}/outcome",
        json={"outcome": "charged", "outcome_date": "2026-08-01"},
        headers=officer,
    )
    assert early.status_code == 422


async def test_a_station_cannot_correct_another_stations_incident(incidents):
    platform, client = incidents
    incident = await record(platform, client)
    other = platform.token("station_officer", station="IR-01-S1")
    for path, body in (
        ("reclassify", {"offences": [{"iccs_code": "0401"}]}),
        ("void", {}),
        ("outcome", {"outcome": "charged", "outcome_date": "2026-09-20"}),
    ):
        response = await client.post(f"/v1/incidents/{incident}/{path}", json=body, headers=other)
        assert response.status_code == 403, path
    assert await counts(platform) == {"05": 1, "0502": 1}


async def test_baselines_as_of_a_past_time_ignore_later_corrections(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    analyst = platform.token("ministry_analyst")
    incident = await record(platform, client)
    before_void = datetime.now(UTC).isoformat()
    await client.post(f"/v1/incidents/{incident}/void", json={}, headers=officer)

    def observed(body):
        return {w["week_start"]: w["observed"] for w in body["weeks"]}["2026-08-31"]

    query = {"area": "AM-01", "category": "0502", "from": "2026-08-31", "to": "2026-08-31"}
    now = await client.get("/v1/baselines", params=query, headers=analyst)
    past = await client.get("/v1/baselines", params=query | {"as_of": before_void}, headers=analyst)
    assert now.status_code == 200 and past.status_code == 200, past.text
    assert observed(now.json()) == 0
    assert observed(past.json()) == 1
