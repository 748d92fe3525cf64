"""Registry and members over HTTP: names sealed and audited, scope, validation, idempotency."""

from __future__ import annotations

import pytest

from tests.fora.helpers import Api, running_fora


@pytest.fixture
async def fora(platform):
    async with running_fora(platform) as client:
        yield platform, client


async def test_member_names_are_encrypted_read_with_audit_and_erasable(fora):
    platform, client = fora
    api = Api(platform, client)
    forum_id = await api.forum()
    huda = await api.member(
        forum_id, "vice_chair", "womens_organisation", "female", phone="+962790000001"
    )
    omar = await api.member(forum_id, "police_liaison", "police", "male")

    listed = await api.get(f"/v1/fora/{forum_id}/members")
    assert {m["member_id"] for m in listed} == {huda, omar}
    assert "Canary" not in str(listed)
    ciphertexts = await platform.sql("fora", "SELECT ciphertext FROM personal_data")
    assert len(ciphertexts) == 3  # two names, one phone
    assert all(b"Canary" not in bytes(r["ciphertext"]) for r in ciphertexts)

    url = f"/v1/fora/{forum_id}/members/{huda}/personal-data"
    read = await api.get(url, purpose="invite to the September meeting")
    assert read == {"member_id": huda, "name": "Canary Huda Masri", "phone": "+962790000001"}
    [audit] = await platform.sql("fora", "SELECT actor, fields, purpose FROM personal_data_reads")
    assert audit["fields"] == ["name", "phone"]
    assert audit["purpose"] == "invite to the September meeting"

    # Station officers run meetings but do not read members' personal data.
    officer = platform.token("station_officer", station="AM-01-S1")
    assert (await client.get(url, params={"purpose": "x" * 5}, headers=officer)).status_code == 403
    await api.call("GET", url, 422)  # no purpose, no read

    await api.call("DELETE", url, 204)
    await api.call("GET", url, 410, params={"purpose": "check erasure"})
    other = await api.get(f"/v1/fora/{forum_id}/members/{omar}/personal-data", purpose="call")
    assert other["name"] == "Canary Sgt Omar Zoubi"
    assert len(await api.get(f"/v1/fora/{forum_id}/members")) == 2  # the record stays


async def test_station_scope_and_roles(fora):
    platform, client = fora
    api = Api(platform, client)
    district_forum = await api.forum("AM-01")
    officer = Api(platform, client, station="AM-01-S1")
    officer.headers = platform.token("station_officer", station="AM-01-S1")
    station_forum = await officer.forum("AM-01-S1", forum_type="community_police_forum")
    elsewhere = {"forum_type": "youth_forum", "area_id": "AM-02-S1", "name_en": "x", "name_ar": "x"}
    await officer.call("POST", "/v1/fora", 403, json=elsewhere)
    assert [f["forum_id"] for f in await officer.get("/v1/fora")] == [station_forum]
    await officer.get(f"/v1/fora/{district_forum}", expect=404)  # out of scope: not there
    assert {f["forum_id"] for f in await api.get("/v1/fora", area_id="AM-01")} == {
        district_forum, station_forum}  # fmt: skip
    assert await api.get("/v1/fora", area_id="AM-02") == []
    assert (await client.get("/v1/fora")).status_code == 401
    analyst = platform.token("ministry_analyst")
    body = {"forum_type": "youth_forum", "area_id": "AM", "name_en": "x", "name_ar": "x"}
    assert (await client.post("/v1/fora", json=body, headers=analyst)).status_code == 403


async def test_validation_errors_name_the_field_and_rule(fora):
    platform, client = fora
    api = Api(platform, client)
    body = {"forum_type": "youth_forum", "area_id": "XX-99", "name_en": "x", "name_ar": "x"}
    [error] = (await api.post("/v1/fora", body, expect=422))["detail"]
    assert error["loc"] == ["body", "area_id"] and "XX-99" in error["msg"]
    council = await api.forum("AM", forum_type="coordination_council")
    station_council = body | {"forum_type": "coordination_council", "area_id": "AM-01-S1"}
    assert "coordination council" in str(await api.post("/v1/fora", station_council, expect=422))
    outside = body | {"area_id": "IR-01", "parent_forum_id": council}
    [error] = (await api.post("/v1/fora", outside, expect=422))["detail"]
    assert error["loc"] == ["body", "parent_forum_id"]
    forum_id = await api.forum("AM-01", parent_forum_id=council)
    [error] = (
        await api.post(f"/v1/fora/{forum_id}/concerns",
                       {"category": "9999", "raised_by_group": "youth"}, expect=422)
    )["detail"]  # fmt: skip
    assert error["loc"] == ["body", "category"] and "ICCS" in error["msg"]
    [error] = (
        await api.post(f"/v1/fora/{forum_id}/concerns",
                       {"category": "street_lighting", "raised_by_group": "youth",
                        "area_id": "AM-02"}, expect=422)
    )["detail"]  # fmt: skip
    assert error["loc"] == ["body", "area_id"] and "within" in error["msg"]


async def test_idempotency_key_replays_without_a_second_forum(fora):
    platform, client = fora
    headers = platform.token("forum_coordinator") | {"Idempotency-Key": "forum-1"}
    body = {"forum_type": "youth_forum", "area_id": "AM-01", "name_en": "Y", "name_ar": "ش"}
    first = await client.post("/v1/fora", json=body, headers=headers)
    again = await client.post("/v1/fora", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert await platform.scalar("fora", "SELECT count(*) FROM fora") == 1
    assert await platform.scalar("fora", "SELECT count(*) FROM outbox") == 1
