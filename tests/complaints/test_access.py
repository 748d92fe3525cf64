"""Scopes: an investigator sees only cases assigned to them, an oversight body only its
jurisdiction, a station officer never a complaint about their own station."""

from __future__ import annotations

from uuid import UUID

from tests.complaints.support import COMPLAINT, complaints_service, file, move, staff

IRBID = COMPLAINT | {
    "station_id": "IR-01-S1",
    "allegations": [{"category": "discourtesy", "against": "officer"}],
}


async def _ids(client, headers) -> set[str]:
    response = await client.get("/v1/complaints", headers=headers)
    assert response.status_code == 200, response.text
    return {c["complaint_id"] for c in response.json()}


async def test_investigator_sees_only_assigned_cases(platform):
    await platform.migrate("complaints")
    officer = staff(platform, "complaints_officer")
    mine = staff(platform, "investigator", subject="inv-1")
    async with complaints_service(platform) as client:
        assigned, other = (await file(client))["complaint_id"], (await file(client))["complaint_id"]
        for to in ("logged", "triage", "formal_investigation"):
            await move(client, assigned, officer, to)
        posting = {"unit_code": "PSD-HQ"}
        put = await client.put("/v1/staff/inv-1", json=posting, headers=staff(platform, "admin"))
        assert put.status_code == 200, put.text
        investigator = {"investigator_id": "inv-1"}
        await move(client, assigned, officer, "assigned", investigator=investigator)

        assert await _ids(client, mine) == {assigned}
        assert (await client.get(f"/v1/complaints/{assigned}", headers=mine)).status_code == 200
        denied = await client.get(f"/v1/complaints/{other}", headers=mine)
        assert denied.status_code == 403 and "assigned to them" in denied.json()["detail"][0]["msg"]
        purpose = {"purpose": "interview the complainant"}
        url = f"/v1/complaints/{other}/personal-data"
        assert (await client.get(url, params=purpose, headers=mine)).status_code == 403
        someone_else = staff(platform, "investigator", subject="inv-2")
        assert await _ids(client, someone_else) == set()
        await move(client, assigned, someone_else, "under_investigation", expect=403)
        await move(client, assigned, mine, "under_investigation")
        read = await client.get(
            f"/v1/complaints/{assigned}/personal-data", params=purpose, headers=mine
        )
        assert read.status_code == 200 and read.json()["name"] == "Test Person"
        audit = await platform.sql(
            "complaints", "SELECT actor, role, purpose FROM personal_data_reads"
        )
        reads = {(r["actor"], r["role"], r["purpose"]) for r in audit}
        # the notifier's reads of the contact details are audited as well
        notifier = ("system:notifier", "system", "notify the complainant of a status change")
        assert reads - {notifier} == {("inv-1", "investigator", "interview the complainant")}


async def test_oversight_body_sees_only_its_jurisdiction(platform):
    await platform.migrate("complaints")
    admin = staff(platform, "admin")
    irbid_watch = staff(platform, "oversight", oversight_body="irbid_watch")
    async with complaints_service(platform) as client:
        body = {"body_id": "irbid_watch", "title": "Irbid Watch", "governorates": ["IR"]}
        put = await client.put("/v1/oversight/bodies/irbid_watch", json=body, headers=admin)
        assert put.status_code == 200, put.text
        amman = (await file(client))["complaint_id"]
        irbid = (await file(client, IRBID))["complaint_id"]

        assert await _ids(client, irbid_watch) == {irbid}
        feed = (await client.get("/v1/oversight/feed", headers=irbid_watch)).json()
        # (Checkpoints and bodies' registrations in the feed name no complaint.)
        named = {item["complaint_id"] for item in feed["items"]} - {None}
        assert named == {irbid}
        assert feed["jurisdiction"] == {"governorates": ["IR"]}
        assert (await client.get(f"/v1/complaints/{amman}", headers=irbid_watch)).status_code == 403
        timeline = await client.get(f"/v1/complaints/{irbid}/timeline", headers=irbid_watch)
        assert [e["type"] for e in timeline.json()["events"]] == [
            "jisr.complaint.received.v1",
            "jisr.complaint.status_changed.v1",
        ]
        pd = await client.get(
            f"/v1/complaints/{irbid}/personal-data",
            params={"purpose": "curious"},
            headers=irbid_watch,
        )
        assert pd.status_code == 403  # oversight sees the case, never the person
        recommendation = {"category": "training", "text": "Train the shift in de-escalation."}
        url = "/v1/complaints/{}/recommendations"
        refused = await client.post(url.format(amman), json=recommendation, headers=irbid_watch)
        assert refused.status_code == 403
        made = await client.post(url.format(irbid), json=recommendation, headers=irbid_watch)
        assert made.status_code == 201, made.text
        unregistered = staff(platform, "oversight", oversight_body="nobody")
        response = await client.get("/v1/oversight/feed", headers=unregistered)
        assert (
            response.status_code == 403 and "not registered" in response.json()["detail"][0]["msg"]
        )


async def test_station_officer_never_sees_a_complaint_about_their_own_station(platform):
    await platform.migrate("complaints")
    counter = staff(platform, "station_officer", station="AM-01-S2")
    async with complaints_service(platform) as client:
        about_neighbour = await file(client, headers=counter)  # COMPLAINT is about AM-01-S1
        about_own = await file(client, COMPLAINT | {"station_id": "AM-01-S2"}, headers=counter)
        named_in_allegation = await file(
            client,
            COMPLAINT
            | {
                "allegations": [
                    {"category": "discourtesy", "against": "station", "station_id": "AM-01-S2"}
                ]
            },
            headers=counter,
        )
        assert await _ids(client, counter) == {about_neighbour["complaint_id"]}
        for hidden in (about_own, named_in_allegation):
            response = await client.get(f"/v1/complaints/{hidden['complaint_id']}", headers=counter)
            assert response.status_code == 403
            assert "own station" in response.json()["detail"][0]["msg"]
        row = await platform.sql(
            "complaints",
            "SELECT channel, intake_station_id FROM complaints WHERE complaint_id = $1",
            UUID(about_own["complaint_id"]),
        )
        assert (row[0]["channel"], row[0]["intake_station_id"]) == ("station_counter", "AM-01-S2")
        other_station = staff(platform, "station_officer", station="AM-01-S1")
        assert await _ids(client, other_station) == set()  # filed elsewhere, about them
