"""The incident record over HTTP: full NIBRS-style record, crosswalk, scoping, taxonomy."""

from __future__ import annotations

from libs.contracts.catalogue import CATALOGUE
from libs.contracts.envelope import decode
from libs.contracts.topics import INCIDENTS_RECORDED

FULL = {
    "station_id": "AM-01-S1",
    "source_ref": "AM01-77",
    "occurred_at": "2026-10-01T21:00:00+03:00",
    "occurred_to": "2026-10-01T23:30:00+03:00",
    "reported_at": "2026-10-02T09:15:00+03:00",
    "location_type": "residence",
    "offences": [
        {"national_code": "DEMO-BUR-01"},
        {"iccs_code": "0201", "attempted": True, "weapon": "knife", "domestic": True},
    ],
    "victims": [
        {
            "type": "individual",
            "sex": "female",
            "age_band": "25-34",
            "relationship": "intimate_partner",
        }
    ],
    "offenders": [{"sex": "male", "age_band": "35-44"}],
}


async def test_full_record_is_stored_with_all_three_times_and_crosswalked_codes(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    created = await client.post("/v1/incidents", json=FULL, headers=officer)
    assert created.status_code == 201, created.text

    got = (await client.get(created.headers["Location"], headers=officer)).json()
    assert got["iccs_codes"] == ["0501", "0201"]  # DEMO-BUR-01 maps to burglary
    assert got["offences"][1] == {
        "iccs_code": "0201",
        "national_code": None,
        "attempted": True,
        "weapon": "knife",
        "domestic": True,
        "cyber": False,
    }
    assert got["district_code"] == "AM-01" and got["governorate_code"] == "AM"
    assert got["occurred_to"] and got["reported_at"] and got["recorded_at"]
    assert got["victims"][0]["relationship"] == "intimate_partner"
    assert got["status"] == "active" and got["counting_rules_version"] == "1"

    [record] = await platform.topic_records(INCIDENTS_RECORDED.name, 1)
    event = decode(record.headers, record.value, CATALOGUE).data
    assert [o.iccs_code for o in event.offences] == ["0501", "0201"]
    assert event.location_type == "residence"


async def test_counts_per_category_are_current_after_recording(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    assert (await client.post("/v1/incidents", json=FULL, headers=officer)).status_code == 201
    rows = await platform.sql(
        "incidents", "SELECT station_id, iccs_code, n FROM weekly_counts ORDER BY 1, 2"
    )
    counted = {(r["station_id"], r["iccs_code"]): r["n"] for r in rows}
    # one incident counts once in each section and division it has an offence in
    assert counted == {("AM-01-S1", code): 1 for code in ("02", "0201", "05", "0501")}


async def test_contradicting_codes_and_identities_are_refused_naming_the_field(incidents):
    platform, client = incidents
    officer = platform.token("station_officer", station="AM-01-S1")
    wrong = FULL | {"offences": [{"national_code": "DEMO-BUR-01", "iccs_code": "0101"}]}
    response = await client.post("/v1/incidents", json=wrong, headers=officer)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "offences", 0, "iccs_code"]
    assert "crosswalk" in error["msg"]

    named = FULL | {"victims": [{"sex": "female", "name": "Huda Example"}]}
    response = await client.post("/v1/incidents", json=named, headers=officer)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "name"
    assert await platform.scalar("incidents", "SELECT count(*) FROM incidents") == 0


async def test_a_station_cannot_write_or_read_another_stations_incidents(incidents):
    platform, client = incidents
    other = platform.token("station_officer", station="IR-01-S1")
    response = await client.post("/v1/incidents", json=FULL, headers=other)
    assert response.status_code == 403

    own = platform.token("station_officer", station="AM-01-S1")
    created = await client.post("/v1/incidents", json=FULL, headers=own)
    assert (await client.get(created.headers["Location"], headers=other)).status_code == 403


async def test_taxonomy_serves_levels_one_and_two_in_both_languages(incidents):
    _, client = incidents
    body = (await client.get("/v1/taxonomy")).json()
    by_code = {c["code"]: c for c in body["categories"]}
    assert by_code["05"]["level"] == 1 and by_code["0502"]["parent"] == "05"
    assert by_code["0502"]["title_en"] == "Theft" and by_code["0502"]["title_ar"]
    assert {c["level"] for c in body["categories"]} == {1, 2}
    assert any(e["national_code"] == "DEMO-THF-01" for e in body["crosswalk"])
